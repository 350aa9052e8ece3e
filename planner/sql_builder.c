#include "planner/sql_builder.h"

#include "planner/functions.h"
#include "wire/utf8.h"

#include <string.h>
#include <strings.h>

void sb_init(sql_builder *b, arena *a, sql_dialect d)
{
    b->a = a;
    b->dialect = d;
    buf_init(&b->out);
    b->params = (ptr_vec){0};
    b->subst = NULL;
    b->subst_ctx = NULL;
    b->allow_aggregates = false;
    b->tz = NULL;
    b->clock_us = 0;
    b->named_zone = NULL;
    b->cal = NULL;
    b->resolve = NULL;
    b->resolve_ctx = NULL;
    b->unhooked = NULL;
}

bool sb_is_binary_cast(const expr *e)
{
    return e->kind == EX_FUNC && e->nargs == 2 &&
           (strcasecmp(e->text, "cast") == 0 || strcasecmp(e->text, "convert") == 0) &&
           e->args[1]->kind == EX_LITERAL && strcasecmp(e->args[1]->text, "binary") == 0;
}

void sb_str(sql_builder *b, const char *s)
{
    buf_append_str(&b->out, s);
}

void sb_ident(sql_builder *b, const char *name)
{
    char q = b->dialect == DIALECT_MYSQL ? '`' : '"';
    buf_append_byte(&b->out, (uint8_t)q);
    for (const char *c = name; *c; c++) {
        if (*c == q)
            buf_append_byte(&b->out, (uint8_t)q);
        buf_append_byte(&b->out, (uint8_t)*c);
    }
    buf_append_byte(&b->out, (uint8_t)q);
}

void sb_param(sql_builder *b, param_kind kind, const char *text)
{
    query_param *p = arena_alloc(b->a, sizeof(*p));
    p->kind = kind;
    p->text = text;
    ptr_vec_push(b->a, &b->params, p);
    switch (b->dialect) {
    case DIALECT_POSTGRES:
        /* Numbers carry their type: a parameter in a select list or CASE has no context. */
        buf_printf(&b->out,
                   kind == PARAM_INT      ? "CAST($%zu AS BIGINT)"
                   : kind == PARAM_NUMBER ? "CAST($%zu AS NUMERIC)"
                                          : "$%zu",
                   b->params.len);
        break;
    case DIALECT_SQLITE:
        buf_printf(&b->out, "?%zu", b->params.len);
        break;
    case DIALECT_MYSQL:
        buf_append_str(&b->out, "?");
        break;
    }
}

void sb_param_decimals(sql_builder *b, const struct type_rule *rule)
{
    sb_param(b, PARAM_DECIMALS, "decimals");
    ((query_param *)b->params.items[b->params.len - 1])->rule = rule;
}

const char *sb_finish(sql_builder *b, query_param **params, size_t *nparams)
{
    const char *sql = arena_strndup(b->a, (const char *)b->out.data, b->out.len);
    *nparams = b->params.len;
    *params = arena_alloc(b->a, (b->params.len ? b->params.len : 1) * sizeof(query_param));
    for (size_t i = 0; i < b->params.len; i++)
        (*params)[i] = *(query_param *)b->params.items[i];
    buf_free(&b->out);
    return sql;
}

void sb_discard(sql_builder *b)
{
    buf_free(&b->out);
}

static const char *binary_op_sql(const sql_builder *b, expr_op op)
{
    switch (op) {
    case OP_OR:
        return " OR ";
    case OP_AND:
        return " AND ";
    case OP_EQ:
        return " = ";
    case OP_NE:
        return " <> ";
    case OP_LT:
        return " < ";
    case OP_LE:
        return " <= ";
    case OP_GT:
        return " > ";
    case OP_GE:
        return " >= ";
    case OP_NULL_SAFE_EQ:
        return b->dialect == DIALECT_POSTGRES ? " IS NOT DISTINCT FROM "
               : b->dialect == DIALECT_SQLITE ? " IS "
                                              : " <=> ";
    case OP_ADD:
        return " + ";
    case OP_SUB:
        return " - ";
    case OP_MUL:
        return " * ";
    case OP_DIV:
        return " / ";
    case OP_INT_DIV:
        return b->dialect == DIALECT_MYSQL ? " DIV " : NULL;
    case OP_MOD:
        return " % ";
    default:
        return NULL;
    }
}

/*
 * A binary string (_binary'x', X'4A61' where it is a string) that keeps its
 * binary collation (compared with other literals: beside a column the
 * column's collation wins, planner/literal_context.h): a text parameter
 * compared byte by byte. PostgreSQL's "C" collation and SQLite's BINARY
 * compare UTF-8 text by its bytes; bytes that are not UTF-8 cannot travel as
 * text.
 */
static bool print_binary_string(sql_builder *b, const expr *e, sql_error *err)
{
    if (e->hybrid) { /* planner/literal_context.h decides before anything is printed */
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support a hexadecimal or bit-value "
                      "literal here");
        return false;
    }
    sb_str(b, b->dialect == DIALECT_POSTGRES ? "(CAST("
              : b->dialect == DIALECT_SQLITE ? "("
                                             : "CAST(");
    sb_param(b, PARAM_TEXT, e->text);
    sb_str(b, b->dialect == DIALECT_POSTGRES ? " AS TEXT) COLLATE \"C\")"
              : b->dialect == DIALECT_SQLITE ? " COLLATE BINARY)"
                                             : " AS BINARY)");
    return true;
}

static bool print_literal(sql_builder *b, const expr *e, sql_error *err)
{
    switch (e->lit) {
    case LIT_NULL:
        sb_str(b, "NULL");
        return true;
    case LIT_TRUE:
        sb_str(b, b->dialect == DIALECT_POSTGRES ? "TRUE" : "1");
        return true;
    case LIT_FALSE:
        sb_str(b, b->dialect == DIALECT_POSTGRES ? "FALSE" : "0");
        return true;
    case LIT_INT:
        sb_param(b, PARAM_INT, e->text);
        return true;
    case LIT_NUMBER:
        sb_param(b, PARAM_NUMBER, e->text);
        return true;
    case LIT_STRING:
        if (memchr(e->text, '\0', e->text_len)) {
            sql_error_set(err, ER_WRONG_ARGUMENTS, "HY000",
                          "string literals containing NUL bytes are not supported");
            return false;
        }
        /* Only binary strings (X'FF', _binary'...') can hold bytes that are not UTF-8. */
        if (utf8_valid_prefix((const uint8_t *)e->text, e->text_len) != e->text_len) {
            sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                          "This version of Mimir doesn't yet support binary strings that are "
                          "not UTF-8 text in queries on mimir tables");
            return false;
        }
        if (e->binary)
            return print_binary_string(b, e, err);
        sb_param(b, PARAM_TEXT, e->text);
        return true;
    }
    return false;
}

/*
 * MySQL's / always divides exactly and gives NULL for a zero divisor; PostgreSQL
 * and SQLite divide integers as integers and (PostgreSQL) fail on zero.
 */
static bool print_division(sql_builder *b, const expr *e, sb_column_resolver resolve, void *ctx,
                           sql_error *err)
{
    sb_str(b, b->dialect == DIALECT_POSTGRES ? "(CAST(" : "(CAST(");
    if (!sb_expr(b, e->left, resolve, ctx, err))
        return false;
    sb_str(b, b->dialect == DIALECT_POSTGRES ? " AS NUMERIC) / NULLIF(" : " AS REAL) / NULLIF(");
    if (!sb_expr(b, e->right, resolve, ctx, err))
        return false;
    sb_str(b, ", 0))");
    return true;
}

static bool print_list(sql_builder *b, expr **items, size_t n, sb_column_resolver resolve,
                       void *ctx, sql_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_str(b, ", ");
        if (!sb_expr(b, items[i], resolve, ctx, err))
            return false;
    }
    return true;
}

static bool any_binary_cast(expr *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (sb_is_binary_cast(items[i]))
            return true;
    return false;
}

/* Subqueries are printed by the information_schema printer's substitution hook only. */
static bool no_subqueries(sql_error *err)
{
    sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                  "This version of Mimir doesn't yet support subqueries outside "
                  "information_schema");
    return false;
}

/*
 * The information_schema printer's hook: it may print e itself (*handled).
 * The resolver is the hook's for the time of the call, so that what it prints
 * of e's operands resolves columns as the caller asked.
 */
static bool print_substitution(sql_builder *b, const expr *e, sb_column_resolver resolve, void *ctx,
                               bool *handled, sql_error *err)
{
    sb_column_resolver outer_resolve = b->resolve;
    void *outer_ctx = b->resolve_ctx;
    b->resolve = resolve;
    b->resolve_ctx = ctx;
    bool ok = b->subst(b->subst_ctx, b, e, handled, err);
    b->resolve = outer_resolve;
    b->resolve_ctx = outer_ctx;
    return ok;
}

static bool print_column(sql_builder *b, const expr *e, sb_column_resolver resolve, void *ctx,
                         sql_error *err)
{
    const char *ref = resolve(ctx, e, err);
    if (!ref)
        return false;
    sb_str(b, ref);
    return true;
}

static bool print_unary(sql_builder *b, const expr *e, sb_column_resolver resolve, void *ctx,
                        sql_error *err)
{
    sb_str(b, e->op == OP_NOT ? "(NOT " : e->op == OP_NEG ? "(- " : "(");
    if (e->op == OP_BIT_NOT) {
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support '~' in filters");
        return false;
    }
    if (!sb_expr(b, e->left, resolve, ctx, err))
        return false;
    sb_str(b, ")");
    return true;
}

/* MySQL's x % 0 is NULL; PostgreSQL fails on it. */
static bool print_postgres_modulo(sql_builder *b, const expr *e, sb_column_resolver resolve,
                                  void *ctx, sql_error *err)
{
    sb_str(b, "(");
    if (!sb_expr(b, e->left, resolve, ctx, err))
        return false;
    sb_str(b, " % NULLIF(");
    if (!sb_expr(b, e->right, resolve, ctx, err))
        return false;
    sb_str(b, ", 0))");
    return true;
}

/*
 * a DIV b: MySQL's integer division, truncated toward zero, NULL when b is 0.
 * SQLite divides two integers exactly that way; other values go through a
 * REAL quotient, truncated by the cast (the quotient of two integers below
 * 2^53 is correctly rounded, so it never crosses an integer). PostgreSQL
 * divides NUMERIC values exactly.
 */
static bool print_integer_division(sql_builder *b, const expr *e, sb_column_resolver resolve,
                                   void *ctx, sql_error *err)
{
    const expr *a = e->left, *d = e->right;
    if (b->dialect == DIALECT_POSTGRES) {
        sb_str(b, "CAST(TRUNC(CAST(");
        if (!sb_expr(b, a, resolve, ctx, err))
            return false;
        sb_str(b, " AS NUMERIC) / NULLIF(CAST(");
        if (!sb_expr(b, d, resolve, ctx, err))
            return false;
        sb_str(b, " AS NUMERIC), 0)) AS BIGINT)");
        return true;
    }
    const expr *order[] = {a, d, a, d, a, d};
    static const char *const between[] = {"(CASE WHEN typeof(",    ") = 'integer' AND typeof(",
                                          ") = 'integer' THEN (",  " / NULLIF(",
                                          ", 0)) ELSE CAST(CAST(", " AS REAL) / NULLIF("};
    for (size_t i = 0; i < 6; i++) {
        sb_str(b, between[i]);
        if (!sb_expr(b, order[i], resolve, ctx, err))
            return false;
    }
    sb_str(b, ", 0) AS INTEGER) END)");
    return true;
}

/* a % b in SQLite: its % casts REALs to integers (7.5 % 2 is 1.0); mod() keeps them. */
static bool print_sqlite_modulo(sql_builder *b, const expr *e, sb_column_resolver resolve,
                                void *ctx, sql_error *err)
{
    const expr *order[] = {e->left, e->right, e->left, e->right, e->left, e->right};
    static const char *const between[] = {"(CASE WHEN typeof(",   ") = 'integer' AND typeof(",
                                          ") = 'integer' THEN (", " % ",
                                          ") ELSE mod(",          ", "};
    for (size_t i = 0; i < 6; i++) {
        sb_str(b, between[i]);
        if (!sb_expr(b, order[i], resolve, ctx, err))
            return false;
    }
    sb_str(b, ") END)");
    return true;
}

/* ---- COLLATE ------------------------------------------------------------------
 *
 * Mimir honours the binary collations in equality comparisons, where their
 * meaning is plain: `binary` compares bytes, utf8mb4_bin (and utf8mb3_bin,
 * utf8_bin) compares bytes after trailing spaces (they are PAD SPACE
 * collations: 'a' = 'a ' holds). The case-insensitive collations, and any
 * collation where order matters (<, BETWEEN, LIKE, ORDER BY), are refused:
 * each backend orders and folds case in its own way.
 */
static bool is_collate(const expr *e)
{
    return e->kind == EX_FUNC && e->nargs == 2 && strcmp(e->text, "COLLATE") == 0;
}

static bool collate_unsupported(sql_error *err, const char *name, const char *where)
{
    sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                  "This version of Mimir doesn't yet support COLLATE %s %s (Mimir honours "
                  "COLLATE binary and utf8mb4_bin in =, <>, <=> and IN comparisons)",
                  name, where);
    return false;
}

/* The collation's comparison key of x: its bytes, without trailing spaces when padded. */
static bool print_collation_key(sql_builder *b, const expr *x, bool pad, sb_column_resolver resolve,
                                void *ctx, sql_error *err)
{
    if (is_collate(x))
        x = x->args[0];
    static const char *const open[][2] = {
        [DIALECT_POSTGRES] = {"CAST(", "rtrim(CAST("},
        [DIALECT_SQLITE] = {"(", "rtrim("},
        [DIALECT_MYSQL] = {"CAST(CONVERT(", "CONVERT(rtrim("},
    };
    static const char *const close[][2] = {
        [DIALECT_POSTGRES] = {" AS TEXT)", " AS TEXT), ' ')"},
        [DIALECT_SQLITE] = {" COLLATE BINARY)", ", ' ')"},
        [DIALECT_MYSQL] = {" USING utf8mb4) AS BINARY)", ") USING utf8mb4) COLLATE utf8mb4_bin"},
    };
    sb_str(b, open[b->dialect][pad]);
    if (!sb_expr(b, x, resolve, ctx, err))
        return false;
    sb_str(b, close[b->dialect][pad]);
    return true;
}

/* The collation a comparison of these operands uses; false with err set when Mimir cannot. */
static bool comparison_collation(expr *const *ops, size_t n, bool *pad, sql_error *err)
{
    const char *name = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!is_collate(ops[i]))
            continue;
        const char *c = ops[i]->args[1]->text;
        if (name && strcmp(name, c) != 0) {
            sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                          "Illegal mix of collations (%s,EXPLICIT) and (%s,EXPLICIT) for "
                          "operation '='",
                          name, c);
            return false;
        }
        name = c;
        const expr *x = ops[i]->args[0];
        bool binary_string = x->kind == EX_LITERAL && x->lit == LIT_STRING && x->binary;
        if ((strcmp(c, "binary") == 0) != binary_string) {
            sql_error_set(err, ER_COLLATION_CHARSET_MISMATCH, "42000",
                          "COLLATION '%s' is not valid for CHARACTER SET '%s'", c,
                          binary_string ? "binary" : "utf8mb4");
            return false;
        }
    }
    *pad = strcmp(name, "binary") != 0;
    if (strcmp(name, "binary") == 0 || strcmp(name, "utf8mb4_bin") == 0 ||
        strcmp(name, "utf8mb3_bin") == 0 || strcmp(name, "utf8_bin") == 0)
        return true;
    return collate_unsupported(err, name, "in comparisons");
}

static bool any_collate(expr *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is_collate(items[i]))
            return true;
    return false;
}

/* a = b, a <> b, a <=> b where an operand has a COLLATE. */
static bool print_collated_comparison(sql_builder *b, const expr *e, sb_column_resolver resolve,
                                      void *ctx, sql_error *err)
{
    expr *ops[2] = {e->left, e->right};
    bool pad;
    if (!comparison_collation(ops, 2, &pad, err))
        return false;
    if (e->op != OP_EQ && e->op != OP_NE && e->op != OP_NULL_SAFE_EQ)
        return collate_unsupported(
            err, is_collate(e->left) ? e->left->args[1]->text : e->right->args[1]->text,
            "in an ordering comparison");
    sb_str(b, "(");
    if (!print_collation_key(b, e->left, pad, resolve, ctx, err))
        return false;
    sb_str(b, binary_op_sql(b, e->op));
    if (!print_collation_key(b, e->right, pad, resolve, ctx, err))
        return false;
    sb_str(b, ")");
    return true;
}

/* a [NOT] IN (v, ...) where a or a value has a COLLATE. */
static bool print_collated_in(sql_builder *b, const expr *e, sb_column_resolver resolve, void *ctx,
                              sql_error *err)
{
    bool pad = false;
    if ((is_collate(e->left) && !comparison_collation(&e->left, 1, &pad, err)) ||
        (any_collate(e->args, e->nargs) && !comparison_collation(e->args, e->nargs, &pad, err)))
        return false;
    sb_str(b, "(");
    if (!print_collation_key(b, e->left, pad, resolve, ctx, err))
        return false;
    sb_str(b, e->negated ? " NOT IN (" : " IN (");
    for (size_t i = 0; i < e->nargs; i++) {
        sb_str(b, i ? ", " : "");
        if (!print_collation_key(b, e->args[i], pad, resolve, ctx, err))
            return false;
    }
    sb_str(b, "))");
    return true;
}

/*
 * SQLite has no time type: its dates and times are text, and text compares as
 * text ('2022-03-31 23:59:59.000000' is after '2022-03-31 23:59:59', and
 * '2022-4-01' after '2022-10-01'). When one side of a comparison is a date or
 * time in MySQL's eyes, MySQL compares times: each side is first written in one
 * form, to the microsecond (mimir_time_key, proxy/backend/sqlite_functions.h).
 */
static bool compares_times(const sql_builder *b, const expr *const *ops, size_t n)
{
    if (b->dialect != DIALECT_SQLITE)
        return false;
    for (size_t i = 0; i < n; i++)
        if (sb_is_temporal(ops[i]))
            return true;
    return false;
}

static bool print_time_key(sql_builder *b, const expr *e, sb_column_resolver resolve, void *ctx,
                           sql_error *err)
{
    sb_str(b, "mimir_time_key(");
    if (!sb_expr(b, e, resolve, ctx, err))
        return false;
    sb_str(b, ")");
    return true;
}

static bool print_time_comparison(sql_builder *b, const expr *e, const char *op,
                                  sb_column_resolver resolve, void *ctx, sql_error *err)
{
    sb_str(b, "(");
    if (!print_time_key(b, e->left, resolve, ctx, err))
        return false;
    sb_str(b, op);
    if (!print_time_key(b, e->right, resolve, ctx, err))
        return false;
    sb_str(b, ")");
    return true;
}

static bool print_binary(sql_builder *b, const expr *e, sb_column_resolver resolve, void *ctx,
                         sql_error *err)
{
    bool comparison = e->op == OP_EQ || e->op == OP_NE || e->op == OP_NULL_SAFE_EQ ||
                      e->op == OP_LT || e->op == OP_LE || e->op == OP_GT || e->op == OP_GE;
    if (comparison && (is_collate(e->left) || is_collate(e->right)))
        return print_collated_comparison(b, e, resolve, ctx, err);
    const expr *time = sb_time_valued(e->left)    ? e->left
                       : sb_time_valued(e->right) ? e->right
                                                  : NULL;
    if (time && b->dialect != DIALECT_MYSQL) {
        /* A TIME is an interval on PostgreSQL and text on SQLite: neither compares or
         * computes as MySQL's TIME (a number HHMMSS in arithmetic). */
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support %s() in arithmetic or "
                      "comparisons: use TIME_TO_SEC(%s(...))",
                      time->text, time->text);
        return false;
    }
    if ((e->op == OP_ADD || e->op == OP_SUB) && e->right->kind == EX_INTERVAL)
        return sb_date_add(b, e->left, e->right, e->op == OP_SUB, resolve, ctx, err);
    if (e->op == OP_ADD && e->left->kind == EX_INTERVAL)
        return sb_date_add(b, e->right, e->left, false, resolve, ctx, err);
    if (e->op == OP_DIV && b->dialect != DIALECT_MYSQL)
        return print_division(b, e, resolve, ctx, err);
    if (e->op == OP_MOD && b->dialect == DIALECT_POSTGRES)
        return print_postgres_modulo(b, e, resolve, ctx, err);
    if (e->op == OP_MOD && b->dialect == DIALECT_SQLITE)
        return print_sqlite_modulo(b, e, resolve, ctx, err);
    if (e->op == OP_INT_DIV && b->dialect != DIALECT_MYSQL)
        return print_integer_division(b, e, resolve, ctx, err);
    const char *op = binary_op_sql(b, e->op);
    if (!op) {
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support this operator in filters");
        return false;
    }
    const expr *sides[2] = {e->left, e->right};
    if (comparison && compares_times(b, sides, 2))
        return print_time_comparison(b, e, op, resolve, ctx, err);
    sb_str(b, "(");
    if (!sb_expr(b, e->left, resolve, ctx, err))
        return false;
    sb_str(b, op);
    if (!sb_expr(b, e->right, resolve, ctx, err))
        return false;
    sb_str(b, ")");
    return true;
}

static bool print_in(sql_builder *b, const expr *e, sb_column_resolver resolve, void *ctx,
                     sql_error *err)
{
    if (e->subquery)
        return no_subqueries(err);
    if (is_collate(e->left) || any_collate(e->args, e->nargs))
        return print_collated_in(b, e, resolve, ctx, err);
    sb_str(b, "(");
    if (!sb_expr(b, e->left, resolve, ctx, err))
        return false;
    /* SQLite compares an IN list of several values with the left operand's collation
     * only; MySQL compares all of them as binary strings when one is. */
    if (b->dialect == DIALECT_SQLITE && any_binary_cast(e->args, e->nargs))
        sb_str(b, " COLLATE BINARY");
    /* SQLite compares a row value only with the rows of a subquery: VALUES is one. */
    bool rows = e->left->kind == EX_ROW && b->dialect == DIALECT_SQLITE;
    sb_str(b, e->negated ? " NOT IN (" : " IN (");
    sb_str(b, rows ? "VALUES " : "");
    if (!print_list(b, e->args, e->nargs, resolve, ctx, err))
        return false;
    sb_str(b, "))");
    return true;
}

/* (a, b, ...): a row value, which PostgreSQL, MySQL and SQLite all compare. */
static bool print_row(sql_builder *b, const expr *e, sb_column_resolver resolve, void *ctx,
                      sql_error *err)
{
    sb_str(b, "(");
    if (!print_list(b, e->args, e->nargs, resolve, ctx, err))
        return false;
    sb_str(b, ")");
    return true;
}

static bool print_between(sql_builder *b, const expr *e, sb_column_resolver resolve, void *ctx,
                          sql_error *err)
{
    const expr *ops[3] = {e->left, e->args[0], e->args[1]};
    bool times = compares_times(b, ops, 3);
    bool (*print)(sql_builder *, const expr *, sb_column_resolver, void *, sql_error *) =
        times ? print_time_key : sb_expr;
    sb_str(b, "(");
    if (!print(b, e->left, resolve, ctx, err))
        return false;
    sb_str(b, e->negated ? " NOT BETWEEN " : " BETWEEN ");
    if (!print(b, e->args[0], resolve, ctx, err))
        return false;
    sb_str(b, " AND ");
    if (!print(b, e->args[1], resolve, ctx, err))
        return false;
    sb_str(b, ")");
    return true;
}

static bool print_like(sql_builder *b, const expr *e, sb_column_resolver resolve, void *ctx,
                       sql_error *err)
{
    if (b->dialect == DIALECT_SQLITE &&
        (sb_is_binary_cast(e->left) || sb_is_binary_cast(e->right))) {
        /* SQLite's LIKE ignores collations: it would match case-insensitively. */
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support LIKE BINARY (a case-sensitive "
                      "LIKE) outside information_schema queries");
        return false;
    }
    sb_str(b, "(");
    if (!sb_expr(b, e->left, resolve, ctx, err))
        return false;
    sb_str(b, e->negated ? " NOT LIKE " : " LIKE ");
    if (!sb_expr(b, e->right, resolve, ctx, err))
        return false;
    if (e->nargs) {
        sb_str(b, " ESCAPE ");
        if (!sb_expr(b, e->args[0], resolve, ctx, err))
            return false;
    } else if (b->dialect == DIALECT_SQLITE) {
        /* MySQL and PostgreSQL escape with backslash by default; SQLite has no default. */
        sb_str(b, " ESCAPE '\\'");
    }
    sb_str(b, ")");
    return true;
}

static bool print_is(sql_builder *b, const expr *e, sb_column_resolver resolve, void *ctx,
                     sql_error *err)
{
    sb_str(b, "(");
    if (!sb_expr(b, e->left, resolve, ctx, err))
        return false;
    sb_str(b, e->negated ? " IS NOT " : " IS ");
    /* IS TRUE, not IS 1: 7 IS TRUE holds in MySQL and in SQLite (3.23+), 7 IS 1 does not. */
    sb_str(b, e->lit == LIT_NULL ? "NULL" : e->lit == LIT_TRUE ? "TRUE" : "FALSE");
    sb_str(b, ")");
    return true;
}

static bool print_case(sql_builder *b, const expr *e, sb_column_resolver resolve, void *ctx,
                       sql_error *err)
{
    sb_str(b, "(CASE");
    if (e->left) {
        sb_str(b, " ");
        if (!sb_expr(b, e->left, resolve, ctx, err))
            return false;
    }
    for (size_t i = 0; i + 1 < e->nargs; i += 2) {
        sb_str(b, " WHEN ");
        if (!sb_expr(b, e->args[i], resolve, ctx, err))
            return false;
        sb_str(b, " THEN ");
        if (!sb_expr(b, e->args[i + 1], resolve, ctx, err))
            return false;
    }
    if (e->right) {
        sb_str(b, " ELSE ");
        if (!sb_expr(b, e->right, resolve, ctx, err))
            return false;
    }
    sb_str(b, " END)");
    return true;
}

bool sb_expr(sql_builder *b, const expr *e, sb_column_resolver resolve, void *ctx, sql_error *err)
{
    if (b->subst && e != b->unhooked) {
        bool handled = false;
        if (!print_substitution(b, e, resolve, ctx, &handled, err))
            return false;
        if (handled)
            return true;
    }
    switch (e->kind) {
    case EX_LITERAL:
        return print_literal(b, e, err);
    case EX_COLUMN:
        return print_column(b, e, resolve, ctx, err);
    case EX_UNARY:
        return print_unary(b, e, resolve, ctx, err);
    case EX_BINARY:
        return print_binary(b, e, resolve, ctx, err);
    case EX_IN:
        return print_in(b, e, resolve, ctx, err);
    case EX_ROW:
        return print_row(b, e, resolve, ctx, err);
    case EX_BETWEEN:
        return print_between(b, e, resolve, ctx, err);
    case EX_LIKE:
        return print_like(b, e, resolve, ctx, err);
    case EX_IS:
        return print_is(b, e, resolve, ctx, err);
    case EX_CASE:
        return print_case(b, e, resolve, ctx, err);
    case EX_FUNC:
        if (e->over) { /* only the final stage's printers know windows (planner/window_sql.h) */
            sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                          "This version of Mimir doesn't yet support the window function '%s' "
                          "here",
                          e->text);
            return false;
        }
        if (is_collate(e))
            return collate_unsupported(err, e->args[1]->text,
                                       "outside =, <>, <=> and IN comparisons");
        return sb_function(b, e, resolve, ctx, err);
    case EX_INTERVAL:
        sql_error_set(err, ER_PARSE, "42000",
                      "INTERVAL is only allowed in date arithmetic (d + INTERVAL n unit, "
                      "DATE_ADD, DATE_SUB)");
        return false;
    case EX_SUBQUERY:
    case EX_EXISTS:
        return no_subqueries(err);
    case EX_ASSIGN:
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000", "%s", SB_ASSIGN_UNSUPPORTED);
        return false;
    case EX_VARIABLE:
    case EX_STAR:
    case EX_PARAM:
        break;
    }
    sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                  "This version of Mimir doesn't yet support this expression in filters");
    return false;
}

/*
 * Every %s is the time column. PostgreSQL: date_trunc, in the session's UTC;
 * the casts to TIMESTAMP make a timestamptz column print as a DATETIME and
 * keep a DATE column's hours at midnight. MySQL: DATE_FORMAT keeps what is
 * wanted (the session's time_zone is +00:00), WEEKDAY counts from Monday.
 * SQLite: date modifiers ('weekday 0' moves to the next Sunday unless it is
 * one; six days back is that ISO week's Monday).
 */
static const char *const grain_sql[3][GRAIN_COUNT] = {
    [DIALECT_POSTGRES] =
        {
            [GRAIN_TIME] = "%s",
            [GRAIN_DATE] = "CAST(%s AS DATE)",
            [GRAIN_MONTH] = "CAST(date_trunc('month', %s) AS DATE)",
            [GRAIN_YEAR] = "CAST(EXTRACT(YEAR FROM %s) AS INTEGER)",
            [GRAIN_SECOND] = "CAST(date_trunc('second', %s) AS TIMESTAMP)",
            [GRAIN_MINUTE] = "CAST(date_trunc('minute', %s) AS TIMESTAMP)",
            [GRAIN_HOUR] = "CAST(date_trunc('hour', %s) AS TIMESTAMP)",
            [GRAIN_WEEK] = "CAST(date_trunc('week', %s) AS DATE)",
            [GRAIN_QUARTER] = "CAST(date_trunc('quarter', %s) AS DATE)",
        },
    [DIALECT_MYSQL] =
        {
            [GRAIN_TIME] = "%s",
            [GRAIN_DATE] = "DATE(%s)",
            [GRAIN_MONTH] = "CAST(DATE_FORMAT(%s, '%%Y-%%m-01') AS DATE)",
            [GRAIN_YEAR] = "YEAR(%s)",
            [GRAIN_SECOND] = "CAST(DATE_FORMAT(%s, '%%Y-%%m-%%d %%H:%%i:%%s') AS DATETIME)",
            [GRAIN_MINUTE] = "CAST(DATE_FORMAT(%s, '%%Y-%%m-%%d %%H:%%i:00') AS DATETIME)",
            [GRAIN_HOUR] = "CAST(DATE_FORMAT(%s, '%%Y-%%m-%%d %%H:00:00') AS DATETIME)",
            [GRAIN_WEEK] = "DATE_SUB(DATE(%s), INTERVAL WEEKDAY(%s) DAY)",
            [GRAIN_QUARTER] = "DATE_ADD(MAKEDATE(YEAR(%s), 1), INTERVAL QUARTER(%s) - 1 QUARTER)",
        },
    [DIALECT_SQLITE] =
        {
            [GRAIN_TIME] = "%s",
            [GRAIN_DATE] = "date(%s)",
            [GRAIN_MONTH] = "date(%s, 'start of month')",
            [GRAIN_YEAR] = "CAST(strftime('%%Y', %s) AS INTEGER)",
            [GRAIN_SECOND] = "strftime('%%Y-%%m-%%d %%H:%%M:%%S', %s)",
            [GRAIN_MINUTE] = "strftime('%%Y-%%m-%%d %%H:%%M:00', %s)",
            [GRAIN_HOUR] = "strftime('%%Y-%%m-%%d %%H:00:00', %s)",
            [GRAIN_WEEK] = "date(%s, 'weekday 0', '-6 days')",
            [GRAIN_QUARTER] = "date(%s, 'start of month', '-' || ((CAST(strftime('%%m', %s) AS "
                              "INTEGER) - 1) %% 3) || ' months')",
        },
};

/*
 * Weeks from Sunday (week_start: sunday). PostgreSQL: the day less its day of the
 * week (DOW counts from Sunday, 0). MySQL: DAYOFWEEK counts from Sunday, 1. SQLite:
 * a day later, 'weekday 0' is the next Sunday unless it is one; a week back is the
 * Sunday on or before the day.
 */
static const char *const week_sunday_sql[3] = {
    [DIALECT_POSTGRES] = "(CAST(%s AS DATE) - CAST(EXTRACT(DOW FROM %s) AS INTEGER))",
    [DIALECT_MYSQL] = "DATE_SUB(DATE(%s), INTERVAL DAYOFWEEK(%s) - 1 DAY)",
    [DIALECT_SQLITE] = "date(%s, '+1 day', 'weekday 0', '-7 days')",
};

/*
 * The fiscal grains: the first day of the month, less the months since the
 * fiscal year's (quarter's) first month. With start month s, month m is
 * (m + 12 - s) % 12 months into its fiscal year and that % 3 into its fiscal
 * quarter (quarters begin at s, s+3, ...). %k is 12 - s; [0] year, [1] quarter.
 */
static const char *const fiscal_sql[3][2] = {
    [DIALECT_POSTGRES] =
        {"CAST(date_trunc('month', %s) - ((CAST(EXTRACT(MONTH FROM %s) AS INTEGER) + %k) %% 12) "
         "* INTERVAL '1 month' AS DATE)",
         "CAST(date_trunc('month', %s) - ((CAST(EXTRACT(MONTH FROM %s) AS INTEGER) + %k) %% 3) "
         "* INTERVAL '1 month' AS DATE)"},
    [DIALECT_MYSQL] = {"DATE_SUB(CAST(DATE_FORMAT(%s, '%%Y-%%m-01') AS DATE), "
                       "INTERVAL ((MONTH(%s) + %k) %% 12) MONTH)",
                       "DATE_SUB(CAST(DATE_FORMAT(%s, '%%Y-%%m-01') AS DATE), "
                       "INTERVAL ((MONTH(%s) + %k) %% 3) MONTH)"},
    [DIALECT_SQLITE] = {"date(%s, 'start of month', '-' || ((CAST(strftime('%%m', %s) AS INTEGER) "
                        "+ %k) %% 12) || ' months')",
                        "date(%s, 'start of month', '-' || ((CAST(strftime('%%m', %s) AS INTEGER) "
                        "+ %k) %% 3) || ' months')"},
};

static const char *grain_format(const sql_builder *b, time_grain g)
{
    if (g == GRAIN_WEEK && b->cal && b->cal->week_start == WEEK_START_SUNDAY)
        return week_sunday_sql[b->dialect];
    if (g == GRAIN_FISCAL_YEAR || g == GRAIN_FISCAL_QUARTER)
        return fiscal_sql[b->dialect][g == GRAIN_FISCAL_QUARTER];
    return grain_sql[b->dialect][g];
}

/* The fiscal year's first month (January without a calendar that sets one). */
static int fiscal_start_month(const sql_builder *b)
{
    return b->cal && b->cal->fiscal_year_start_month >= 1 ? b->cal->fiscal_year_start_month : 1;
}

static void print_text(void *ctx, sql_builder *b)
{
    sb_str(b, ctx);
}

void sb_time_grain(sql_builder *b, time_grain g, const char *t)
{
    sb_time_grain_of(b, g, print_text, (void *)t);
}

void sb_time_grain_of(sql_builder *b, time_grain g, sb_time_printer print, void *ctx)
{
    /* The format printed by hand, so that each %s can print parameters of its own. */
    for (const char *f = grain_format(b, g); *f; f++) {
        if (f[0] == '%' && f[1] == 's') {
            print(ctx, b);
            f++;
        } else if (f[0] == '%' && f[1] == 'k') {
            buf_printf(&b->out, "%d", 12 - fiscal_start_month(b));
            f++;
        } else if (f[0] == '%' && f[1] == '%') {
            buf_append_byte(&b->out, '%');
            f++;
        } else {
            buf_append_byte(&b->out, (uint8_t)*f);
        }
    }
}
