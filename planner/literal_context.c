#include "planner/literal_context.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct walker {
    arena *a;
    literal_column_kind kind;
    void *ctx;
    sql_error *err;
} walker;

static bool resolve_select(walker *w, select_stmt *sel);
static bool visit(walker *w, expr *e, literal_context c);

/* Functions whose arguments MySQL reads as numbers. */
static const char *const numeric_functions[] = {
    "abs",      "ceil",      "ceiling",       "char",        "exp",   "floor", "ln",   "log",
    "log2",     "log10",     "mod",           "pow",         "power", "round", "sign", "sqrt",
    "truncate", "from_days", "from_unixtime", "sec_to_time", "sum",   "avg",   NULL};

/* Functions whose result is a number, whatever their arguments. */
static const char *const number_results[] = {
    "count",   "sum",       "avg",        "agg",      "measure", "abs",    "ceil",
    "ceiling", "floor",     "round",      "truncate", "mod",     "length", "char_length",
    "year",    "month",     "day",        "hour",     "minute",  "second", "quarter",
    "week",    "dayofweek", "dayofmonth", NULL};

/* Functions whose result is a string. */
static const char *const string_results[] = {
    "lower",   "upper",  "lcase",       "ucase",     "concat",  "concat_ws", "substring", "substr",
    "left",    "right",  "trim",        "ltrim",     "rtrim",   "replace",   "lpad",      "rpad",
    "reverse", "repeat", "date_format", "monthname", "dayname", "quote",     NULL};

static bool in_list(const char *const *list, const char *name)
{
    for (const char *const *f = list; *f; f++)
        if (strcasecmp(*f, name) == 0)
            return true;
    return false;
}

static bool is_arithmetic(expr_op op)
{
    switch (op) {
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
    case OP_INT_DIV:
    case OP_MOD:
    case OP_BIT_OR:
    case OP_BIT_AND:
    case OP_BIT_XOR:
    case OP_SHL:
    case OP_SHR:
        return true;
    default:
        return false;
    }
}

static bool is_comparison(expr_op op)
{
    return op == OP_EQ || op == OP_NULL_SAFE_EQ || op == OP_NE || op == OP_LT || op == OP_LE ||
           op == OP_GT || op == OP_GE;
}

static bool is_collate(const expr *e)
{
    return e->kind == EX_FUNC && e->nargs == 2 && strcmp(e->text, "COLLATE") == 0;
}

/* What kind of value e is, as far as choosing a comparison goes. */
static literal_context operand_kind(walker *w, const expr *e)
{
    switch (e->kind) {
    case EX_LITERAL:
        if (e->lit == LIT_STRING)
            return LITERAL_CONTEXT_STRING;
        return e->lit == LIT_NULL ? LITERAL_CONTEXT_UNKNOWN : LITERAL_CONTEXT_NUMBER;
    case EX_COLUMN:
        return w->kind ? w->kind(w->ctx, e) : LITERAL_CONTEXT_UNKNOWN;
    case EX_UNARY:
        return e->op == OP_NOT || e->op == OP_NEG || e->op == OP_BIT_NOT ? LITERAL_CONTEXT_NUMBER
                                                                         : operand_kind(w, e->left);
    case EX_BINARY:
        if (is_arithmetic(e->op))
            return e->left->kind == EX_INTERVAL || e->right->kind == EX_INTERVAL
                       ? LITERAL_CONTEXT_TEMPORAL
                       : LITERAL_CONTEXT_NUMBER;
        return LITERAL_CONTEXT_NUMBER; /* comparisons and logic: 0 or 1 */
    case EX_FUNC:
        if (is_collate(e))
            return LITERAL_CONTEXT_STRING;
        if (in_list(string_results, e->text))
            return LITERAL_CONTEXT_STRING;
        return in_list(number_results, e->text) ? LITERAL_CONTEXT_NUMBER : LITERAL_CONTEXT_UNKNOWN;
    default:
        return LITERAL_CONTEXT_UNKNOWN;
    }
}

static bool is_bytes_literal(const expr *e)
{
    return e->kind == EX_LITERAL && e->lit == LIT_STRING && e->hybrid;
}

/*
 * How MySQL compares these operands: as numbers when one is a number, as
 * times when one is a time, as strings when all are strings (two hexadecimal
 * literals compare as binary strings); unknown when an operand's type is.
 */
static literal_context comparison_context(walker *w, expr *const *ops, size_t n)
{
    bool number = false, temporal = false, unknown = false;
    for (size_t i = 0; i < n; i++) {
        if (is_bytes_literal(ops[i]) || (ops[i]->kind == EX_LITERAL && ops[i]->lit == LIT_NULL))
            continue;
        literal_context k = operand_kind(w, ops[i]);
        number |= k == LITERAL_CONTEXT_NUMBER;
        temporal |= k == LITERAL_CONTEXT_TEMPORAL;
        unknown |= k == LITERAL_CONTEXT_UNKNOWN;
    }
    if (number)
        return LITERAL_CONTEXT_NUMBER;
    if (temporal)
        return LITERAL_CONTEXT_TEMPORAL;
    return unknown ? LITERAL_CONTEXT_UNKNOWN : LITERAL_CONTEXT_STRING;
}

static bool refuse(walker *w, const char *why)
{
    sql_error_set(w->err, ER_NOT_SUPPORTED_YET, "42000",
                  "This version of Mimir doesn't yet support %s: MySQL reads it as a number or "
                  "as a binary string depending on a type Mimir does not know here; write a "
                  "number or a string",
                  why);
    return false;
}

/* A hexadecimal or bit-value literal in a numeric context: its unsigned value. */
static bool bytes_to_number(walker *w, expr *e)
{
    size_t i = 0;
    while (i < e->text_len && e->text[i] == 0)
        i++;
    if (e->text_len - i > 8)
        return refuse(w, "a hexadecimal or bit-value literal of more than 64 bits as a number");
    uint64_t v = 0;
    for (; i < e->text_len; i++)
        v = v << 8 | (unsigned char)e->text[i];
    if (v > INT64_MAX) {
        sql_error_set(w->err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support hexadecimal or bit-value "
                      "literals above 9223372036854775807 as numbers (BIGINT UNSIGNED)");
        return false;
    }
    e->text = arena_printf(w->a, "%" PRIu64, v);
    e->text_len = strlen(e->text);
    e->lit = LIT_INT;
    e->binary = e->hybrid = false;
    return true;
}

static bool visit_literal(walker *w, expr *e, literal_context c)
{
    if (e->lit != LIT_STRING || !e->binary)
        return true;
    if (e->hybrid) {
        if (c == LITERAL_CONTEXT_NUMBER)
            return bytes_to_number(w, e);
        if (c == LITERAL_CONTEXT_STRING) {
            e->hybrid = false;
            return true;
        }
        return refuse(w, c == LITERAL_CONTEXT_TEMPORAL
                             ? "a hexadecimal or bit-value literal compared with a time"
                             : "a hexadecimal or bit-value literal here");
    }
    /* _binary'...': compared with a number or a time, MySQL converts it as any string. */
    if (c == LITERAL_CONTEXT_NUMBER || c == LITERAL_CONTEXT_TEMPORAL)
        e->binary = false;
    else if (c == LITERAL_CONTEXT_UNKNOWN)
        return refuse(w, "a binary string (_binary'...') here");
    return true;
}

static bool visit_all(walker *w, expr **items, size_t n, literal_context c)
{
    for (size_t i = 0; i < n; i++)
        if (!visit(w, items[i], c))
            return false;
    return true;
}

/*
 * A literal's collation yields to a column's, as MySQL aggregates collations:
 * a literal is COERCIBLE, a column (or what is computed from one) IMPLICIT, and
 * the lower coercibility wins, even over the binary character set. So
 * dim = _binary'x' (or dim = X'78') compares with dim's collation, as
 * dim = 'x' does; only against another literal is a binary string compared
 * byte by byte. An explicit COLLATE wins over both (the printer's business).
 */
static void yield_to_columns(expr *const *ops, size_t n)
{
    bool column = false;
    for (size_t i = 0; i < n; i++)
        column |= ops[i]->kind != EX_LITERAL && ops[i]->kind != EX_PARAM;
    for (size_t i = 0; column && i < n; i++)
        if (ops[i]->kind == EX_LITERAL && ops[i]->lit == LIT_STRING)
            ops[i]->binary = false;
}

/* The operands of a comparison, IN or BETWEEN, compared as MySQL would compare them. */
static bool visit_compared(walker *w, expr *left, expr **rest, size_t n)
{
    expr *stack[8];
    expr **ops = n + 1 <= 8 ? stack : arena_alloc(w->a, (n + 1) * sizeof(expr *));
    ops[0] = left;
    for (size_t i = 0; i < n; i++)
        ops[i + 1] = rest[i];
    literal_context c = comparison_context(w, ops, n + 1);
    if (!visit_all(w, ops, n + 1, c))
        return false;
    yield_to_columns(ops, n + 1);
    return true;
}

static bool visit_function(walker *w, expr *e, literal_context c)
{
    if (is_collate(e))
        return visit(w, e->args[0], LITERAL_CONTEXT_STRING);
    if (!strcasecmp(e->text, "cast") || !strcasecmp(e->text, "convert"))
        return e->nargs == 0 || visit(w, e->args[0],
                                      c == LITERAL_CONTEXT_STRING ? LITERAL_CONTEXT_STRING
                                                                  : LITERAL_CONTEXT_UNKNOWN);
    literal_context args =
        in_list(numeric_functions, e->text) ? LITERAL_CONTEXT_NUMBER : LITERAL_CONTEXT_UNKNOWN;
    for (size_t i = 0; i < e->nargs; i++)
        if (e->args[i]->kind != EX_STAR && !visit(w, e->args[i], args))
            return false;
    return true;
}

static bool visit_binary(walker *w, expr *e)
{
    if (is_comparison(e->op))
        return visit_compared(w, e->left, &e->right, 1);
    if (is_arithmetic(e->op) && (e->left->kind == EX_INTERVAL || e->right->kind == EX_INTERVAL))
        return visit(w, e->left, LITERAL_CONTEXT_TEMPORAL) &&
               visit(w, e->right, LITERAL_CONTEXT_TEMPORAL);
    /* arithmetic, and AND, OR, XOR (truth values are numbers) */
    return visit(w, e->left, LITERAL_CONTEXT_NUMBER) && visit(w, e->right, LITERAL_CONTEXT_NUMBER);
}

static bool visit_case(walker *w, expr *e, literal_context c)
{
    for (size_t i = 0; i + 1 < e->nargs; i += 2) {
        if (e->left ? !visit_compared(w, e->left, &e->args[i], 1)
                    : !visit(w, e->args[i], LITERAL_CONTEXT_NUMBER))
            return false;
        if (!visit(w, e->args[i + 1], c))
            return false;
    }
    return !e->right || visit(w, e->right, c);
}

static bool visit(walker *w, expr *e, literal_context c)
{
    switch (e->kind) {
    case EX_LITERAL:
        return visit_literal(w, e, c);
    case EX_UNARY:
        return visit(w, e->left, LITERAL_CONTEXT_NUMBER);
    case EX_BINARY:
        return visit_binary(w, e);
    case EX_IN:
        if (e->subquery && !resolve_select(w, e->subquery))
            return false;
        return visit_compared(w, e->left, e->args, e->nargs);
    case EX_BETWEEN:
        return visit_compared(w, e->left, e->args, e->nargs);
    case EX_LIKE: {
        if (!visit(w, e->left, LITERAL_CONTEXT_STRING) ||
            !visit(w, e->right, LITERAL_CONTEXT_STRING) ||
            !visit_all(w, e->args, e->nargs, LITERAL_CONTEXT_STRING))
            return false;
        expr *ops[2] = {e->left, e->right};
        yield_to_columns(ops, 2);
        return true;
    }
    case EX_IS:
        return visit(w, e->left, LITERAL_CONTEXT_NUMBER);
    case EX_CASE:
        return visit_case(w, e, c);
    case EX_FUNC:
        return visit_function(w, e, c);
    case EX_INTERVAL:
        return visit(w, e->left, LITERAL_CONTEXT_NUMBER);
    case EX_SUBQUERY:
    case EX_EXISTS:
        return resolve_select(w, e->subquery);
    case EX_ASSIGN:
        return visit(w, e->left, c);
    default:
        return true;
    }
}

static bool resolve_select(walker *w, select_stmt *sel)
{
    /* A select item is a value of its own: a binary string stays one (SELECT X'4A61'). */
    for (size_t i = 0; i < sel->nitems; i++)
        if (!visit(w, sel->items[i].e, LITERAL_CONTEXT_STRING))
            return false;
    for (size_t i = 0; i < sel->nfrom; i++) {
        /* A derived table may be a UNION: each of its members. */
        for (select_stmt *m = sel->from[i].subquery; m; m = m->union_next)
            if (!resolve_select(w, m))
                return false;
        if (sel->from[i].on && !visit(w, sel->from[i].on, LITERAL_CONTEXT_NUMBER))
            return false;
    }
    if (sel->where && !visit(w, sel->where, LITERAL_CONTEXT_NUMBER))
        return false;
    if (!visit_all(w, sel->group_by, sel->ngroup_by, LITERAL_CONTEXT_UNKNOWN))
        return false;
    if (sel->having && !visit(w, sel->having, LITERAL_CONTEXT_NUMBER))
        return false;
    for (size_t i = 0; i < sel->norder_by; i++)
        if (!visit(w, sel->order_by[i].e, LITERAL_CONTEXT_UNKNOWN))
            return false;
    return true;
}

bool literal_contexts_resolve(arena *a, select_stmt *sel, literal_column_kind kind, void *ctx,
                              sql_error *err)
{
    walker w = {.a = a, .kind = kind, .ctx = ctx, .err = err};
    return resolve_select(&w, sel);
}
