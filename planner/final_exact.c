#include "planner/final_exact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/functions.h"

/* ---- Which expressions are numbers ----------------------------------------- */

static bool is_arith(expr_op op)
{
    return op == OP_ADD || op == OP_SUB || op == OP_MUL || op == OP_DIV || op == OP_MOD ||
           op == OP_INT_DIV;
}

static bool is_comparison(expr_op op)
{
    return op == OP_EQ || op == OP_NE || op == OP_LT || op == OP_LE || op == OP_GT || op == OP_GE;
}

/* CAST(x AS SIGNED | DECIMAL(p,s) | ...): 'S' signed, 'D' decimal, 0 anything else. */
static char cast_kind(const expr *e, int *p, int *s)
{
    if (e->kind != EX_FUNC || e->nargs != 2 ||
        (strcasecmp(e->text, "cast") != 0 && strcasecmp(e->text, "convert") != 0))
        return 0;
    const char *t = e->args[1]->text;
    if (!t)
        return 0;
    if (strncasecmp(t, "signed", 6) == 0 || strncasecmp(t, "unsigned", 8) == 0 ||
        strncasecmp(t, "int", 3) == 0)
        return 'S';
    if (strncasecmp(t, "decimal", 7) != 0 && strncasecmp(t, "numeric", 7) != 0)
        return 0;
    *p = 10; /* MySQL's DECIMAL is DECIMAL(10,0) */
    *s = 0;
    const char *open = strchr(t, '(');
    if (open) {
        *p = atoi(open + 1);
        const char *comma = strchr(open, ',');
        if (comma)
            *s = atoi(comma + 1);
    }
    if (*p < 1 || *p > 65)
        *p = 65;
    if (*s < 0 || *s > 30)
        *s = 30;
    if (*s > *p)
        *s = *p;
    return 'D';
}

static bool func_is(const expr *e, const char *name)
{
    return e->kind == EX_FUNC && strcasecmp(e->text, name) == 0;
}

static bool window_is_number(const final_leaves *leaves, const expr *e)
{
    static const char *const numbers[] = {"row_number", "rank",  "dense_rank", "percent_rank",
                                          "cume_dist",  "ntile", "count",      "sum",
                                          "avg",        NULL};
    for (const char *const *n = numbers; *n; n++)
        if (func_is(e, *n))
            return true;
    /* MIN, MAX, LAG, LEAD, FIRST_VALUE, ...: one of their argument's values. */
    return e->nargs >= 1 && final_is_number(leaves, e->args[0]);
}

/* A CASE is a number when every result it may give is (a NULL literal gives none). */
static bool case_is_number(const final_leaves *leaves, const expr *e)
{
    bool any = false;
    for (size_t i = 1; i <= e->nargs + 1; i += 2) {
        const expr *x = i < e->nargs ? e->args[i] : i == e->nargs + 1 ? e->right : NULL;
        if (!x || (x->kind == EX_LITERAL && x->lit == LIT_NULL))
            continue;
        if (!final_is_number(leaves, x))
            return false;
        any = true;
    }
    return any;
}

bool final_is_number(const final_leaves *leaves, const expr *e)
{
    int p, s;
    switch (e->kind) {
    case EX_CASE:
        return case_is_number(leaves, e);
    case EX_LITERAL:
        return e->lit == LIT_INT || e->lit == LIT_NUMBER;
    case EX_BINARY:
        return is_arith(e->op) && e->right->kind != EX_INTERVAL && e->left->kind != EX_INTERVAL;
    case EX_UNARY:
        return (e->op == OP_NEG || e->op == OP_PLUS) && final_is_number(leaves, e->left);
    case EX_FUNC:
        if (e->over)
            return window_is_number(leaves, e);
        if (func_is(e, "round") || func_is(e, "truncate") || func_is(e, "mod") ||
            func_is(e, "abs") || func_is(e, "floor") || func_is(e, "ceil") ||
            func_is(e, "ceiling") || cast_kind(e, &p, &s))
            return true;
        /* The functions that pick one of their arguments: a number when every one
         * they may pick is (a NULL literal picks nothing). */
        if (func_is(e, "coalesce") || func_is(e, "ifnull") || func_is(e, "greatest") ||
            func_is(e, "least") || (func_is(e, "if") && e->nargs == 3) ||
            (func_is(e, "nullif") && e->nargs == 2)) {
            size_t from = func_is(e, "if") ? 1 : 0;
            size_t to = func_is(e, "nullif") ? 1 : e->nargs;
            bool any = false;
            for (size_t i = from; i < to; i++) {
                const expr *x = e->args[i];
                if (x->kind == EX_LITERAL && x->lit == LIT_NULL)
                    continue;
                if (!final_is_number(leaves, x))
                    return false;
                any = true;
            }
            return any;
        }
        break;
    default:
        break;
    }
    return leaves->is_number(leaves->ctx, e);
}

/* ---- Printing -------------------------------------------------------------- */

/*
 * Does a value of this rule carry more decimals than MySQL shows of it? A quotient
 * keeps MySQL's inner precision (2/3 is 0.666666666 inside an expression, so that
 * 2/3*3000000000 is 1999999998) but compares, and becomes text, as shown (0.6667).
 */
static bool has_inner_digits(const type_rule *r)
{
    if (!r)
        return false;
    switch (r->kind) {
    case TR_DIVIDE:
    case TR_AVG:
        return true;
    case TR_INPUT:
    case TR_FIXED:
    case TR_ROUND:
    case TR_UNKNOWN:
    case TR_DATE_ADD:
        return false;
    default:
        return has_inner_digits(r->a) || has_inner_digits(r->b);
    }
}

bool final_print_shown(sql_builder *b, const final_leaves *leaves, const expr *x,
                       sb_column_resolver resolve, void *ctx, sql_error *err)
{
    const type_rule *r = leaves ? final_type_rule(b->a, leaves, x) : NULL;
    if (!has_inner_digits(r))
        return sb_expr(b, x, resolve, ctx, err);
    sb_str(b, "mimir_display(");
    if (!sb_expr(b, x, resolve, ctx, err))
        return false;
    sb_str(b, ", ");
    sb_param_decimals(b, r);
    sb_str(b, ")");
    return true;
}

/* x, or x as MySQL shows it (mimir_display, rounded to its type's decimals). */
static bool print_shown(sql_builder *b, const final_leaves *shown, const expr *x, sql_error *err)
{
    return final_print_shown(b, shown, x, b->resolve, b->resolve_ctx, err);
}

/* name(args); with `shown`, the arguments as MySQL shows them (comparisons). */
static bool print_call(sql_builder *b, const char *name, expr *const *args, size_t n,
                       const final_leaves *shown, sql_error *err)
{
    sb_str(b, name);
    sb_str(b, "(");
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_str(b, ", ");
        if (!print_shown(b, shown, args[i], err))
            return false;
    }
    sb_str(b, ")");
    return true;
}

static const char *arith_function(expr_op op)
{
    switch (op) {
    case OP_ADD:
        return "mimir_add";
    case OP_SUB:
        return "mimir_sub";
    case OP_MUL:
        return "mimir_mul";
    case OP_DIV:
        return "mimir_div";
    case OP_MOD:
        return "mimir_mod";
    case OP_INT_DIV:
        return "mimir_intdiv";
    default:
        return NULL;
    }
}

static const char *comparison_sql(expr_op op)
{
    static const char *const ops[] = {[OP_EQ] = " = 0)",  [OP_NE] = " <> 0)", [OP_LT] = " < 0)",
                                      [OP_LE] = " <= 0)", [OP_GT] = " > 0)",  [OP_GE] = " >= 0)"};
    return ops[op];
}

static bool print_binary(sql_builder *b, const final_leaves *leaves, const expr *e, bool *handled,
                         sql_error *err)
{
    expr *args[2] = {e->left, e->right};
    const char *fn = arith_function(e->op);
    if (fn && e->left->kind != EX_INTERVAL && e->right->kind != EX_INTERVAL) {
        *handled = true;
        return print_call(b, fn, args, 2, NULL, err);
    }
    if (is_comparison(e->op) &&
        (final_is_number(leaves, e->left) || final_is_number(leaves, e->right))) {
        *handled = true;
        sb_str(b, "(");
        if (!print_call(b, "mimir_cmp", args, 2, leaves, err))
            return false;
        sb_str(b, comparison_sql(e->op));
        return true;
    }
    return true;
}

/* x [NOT] BETWEEN lo AND hi, with numbers: two exact comparisons, of a quotient's inner
 * value (MariaDB's BETWEEN, unlike its <= and >=). */
static bool print_between(sql_builder *b, const expr *e, sql_error *err)
{
    expr *lo[2] = {e->left, e->args[0]}, *hi[2] = {e->left, e->args[1]};
    sb_str(b, e->negated ? "(NOT (" : "((");
    if (!print_call(b, "mimir_cmp", lo, 2, NULL, err))
        return false;
    sb_str(b, " >= 0 AND ");
    if (!print_call(b, "mimir_cmp", hi, 2, NULL, err))
        return false;
    sb_str(b, " <= 0))");
    return true;
}

/*
 * x [NOT] IN (a, b, ...) with numbers: exact equalities (NULLs as in MySQL's IN).
 * MariaDB compares a list of several values with a quotient's inner value, a list of
 * one as the equality it is (with the value as shown): so does this.
 */
static bool print_in(sql_builder *b, const final_leaves *leaves, const expr *e, sql_error *err)
{
    sb_str(b, e->negated ? "(NOT (" : "((");
    for (size_t i = 0; i < e->nargs; i++) {
        expr *pair[2] = {e->left, e->args[i]};
        sb_str(b, i ? " OR " : "");
        if (!print_call(b, "mimir_cmp", pair, 2, e->nargs == 1 ? leaves : NULL, err))
            return false;
        sb_str(b, " = 0");
    }
    sb_str(b, "))");
    return true;
}

static bool in_has_number(const final_leaves *leaves, const expr *e)
{
    if (e->subquery || e->nargs == 0)
        return false;
    if (final_is_number(leaves, e->left))
        return true;
    for (size_t i = 0; i < e->nargs; i++)
        if (final_is_number(leaves, e->args[i]))
            return true;
    return false;
}

/* Functions that turn their arguments into text. */
static bool makes_text(const expr *e)
{
    static const char *const names[] = {"concat", "concat_ws", "lower",       "lcase",  "upper",
                                        "ucase",  "substring", "substr",      "trim",   "ltrim",
                                        "rtrim",  "length",    "char_length", "locate", NULL};
    for (const char *const *n = names; *n; n++)
        if (func_is(e, *n))
            return true;
    if ((func_is(e, "cast") || func_is(e, "convert")) && e->nargs == 2 && e->args[1]->text)
        return strncasecmp(e->args[1]->text, "char", 4) == 0 ||
               strncasecmp(e->args[1]->text, "varchar", 7) == 0;
    return false;
}

/*
 * A quotient as text would show its inner digits, not MySQL's: refused, with what to
 * write instead.
 */
static bool text_of_quotient(sql_builder *b, const final_leaves *leaves, const expr *e,
                             sql_error *err)
{
    for (size_t i = 0; i < e->nargs; i++) {
        if (e->args[i]->kind != EX_LITERAL &&
            has_inner_digits(final_type_rule(b->a, leaves, e->args[i]))) {
            sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                          "This version of Mimir doesn't yet support %s() of a quotient "
                          "computed after the combine; write ROUND(x, decimals) around it",
                          e->text);
            return true;
        }
    }
    return false;
}

/*
 * The functions (and CASE) whose value is one of several arguments, as it is.
 * NULLIF(a, b) is not: its value is a or NULL, so it has a's one representation.
 */
static bool picks_an_argument(const expr *e)
{
    if (e->kind == EX_CASE)
        return true;
    return func_is(e, "coalesce") || func_is(e, "ifnull") || func_is(e, "greatest") ||
           func_is(e, "least") || (func_is(e, "if") && e->nargs == 3);
}

/*
 * COALESCE(m, 0), IF(c, m, 0), CASE ... of an exact DECIMAL: SQLite hands back
 * whichever argument it picks as it is, the INTEGER 0 beside the TEXT '5.25'
 * of an exact decimal. SQLite orders every INTEGER before every TEXT and tells
 * 0 from '0.00' in DISTINCT and GROUP BY, whatever a collation says: the
 * value becomes the exact decimal text at the expression's scale
 * (mimir_as_decimal, its decimals bound once the sources' types are known;
 * a value of any other type is left as it is). `call` prints e's own value:
 * NULL prints e itself, without this hook.
 */
static bool print_as_decimal(sql_builder *b, const final_leaves *leaves, const expr *e,
                             const char *call, expr *const *args, size_t nargs, sql_error *err)
{
    sb_str(b, "mimir_as_decimal(");
    if (call) {
        if (!print_call(b, call, args, nargs, NULL, err))
            return false;
    } else {
        const expr *outer = b->unhooked;
        b->unhooked = e;
        bool ok = sb_expr(b, e, b->resolve, b->resolve_ctx, err);
        b->unhooked = outer;
        if (!ok)
            return false;
    }
    sb_str(b, ", ");
    sb_param_decimals(b, final_type_rule(b->a, leaves, e));
    sb_str(b, ")");
    return true;
}

static bool print_function(sql_builder *b, const final_leaves *leaves, const expr *e, bool *handled,
                           sql_error *err)
{
    if (makes_text(e) && text_of_quotient(b, leaves, e, err))
        return false;
    static const struct {
        const char *name, *fn;
        size_t min, max;
    } map[] = {{"round", "mimir_round", 1, 2},  {"truncate", "mimir_truncate", 2, 2},
               {"mod", "mimir_mod", 2, 2},      {"abs", "mimir_abs", 1, 1},
               {"floor", "mimir_floor", 1, 1},  {"ceil", "mimir_ceil", 1, 1},
               {"ceiling", "mimir_ceil", 1, 1}, {"greatest", "mimir_greatest", 2, 64},
               {"least", "mimir_least", 2, 64}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (!func_is(e, map[i].name))
            continue;
        if (e->nargs < map[i].min || e->nargs > map[i].max || e->distinct) {
            sql_error_set(err, ER_WRONG_ARGUMENTS, "42000",
                          "Incorrect parameter count in the call to native function '%s'", e->text);
            return false;
        }
        *handled = true;
        /* GREATEST and LEAST compare inner values, as MariaDB does */
        if (picks_an_argument(e) && final_is_number(leaves, e))
            return print_as_decimal(b, leaves, e, map[i].fn, e->args, e->nargs, err);
        return print_call(b, map[i].fn, e->args, e->nargs, NULL, err);
    }
    if (picks_an_argument(e) && final_is_number(leaves, e)) {
        *handled = true;
        return print_as_decimal(b, leaves, e, NULL, NULL, 0, err);
    }
    /* NULLIF of numbers: equal as numbers (as = compares: a quotient as shown) */
    if (func_is(e, "nullif") && e->nargs == 2 &&
        (final_is_number(leaves, e->args[0]) || final_is_number(leaves, e->args[1]))) {
        *handled = true;
        return print_call(b, "mimir_nullif", e->args, 2, leaves, err);
    }
    int p, s;
    char kind = cast_kind(e, &p, &s);
    if (kind) {
        *handled = true;
        if (!print_call(b, kind == 'S' ? "mimir_cast_signed" : "mimir_cast_decimal", e->args, 1,
                        NULL, err))
            return false;
        if (kind == 'D') { /* the digits of the type, not the client's text */
            b->out.len--;
            buf_printf(&b->out, ", %d, %d)", p, s);
        }
    }
    return true;
}

bool final_exact_print(sql_builder *b, const final_leaves *leaves, const expr *e, bool *handled,
                       sql_error *err)
{
    switch (e->kind) {
    case EX_BINARY:
        return print_binary(b, leaves, e, handled, err);
    case EX_UNARY:
        if (e->op != OP_NEG)
            return true;
        *handled = true;
        return print_call(b, "mimir_neg", (expr *const *)&e->left, 1, NULL, err);
    case EX_BETWEEN:
        if (!final_is_number(leaves, e->left) && !final_is_number(leaves, e->args[0]) &&
            !final_is_number(leaves, e->args[1]))
            return true;
        *handled = true;
        return print_between(b, e, err);
    case EX_FUNC:
        return print_function(b, leaves, e, handled, err);
    case EX_CASE:
        if (!case_is_number(leaves, e))
            return true;
        *handled = true;
        return print_as_decimal(b, leaves, e, NULL, NULL, 0, err);
    case EX_IN:
        if (!in_has_number(leaves, e))
            return true;
        *handled = true;
        return print_in(b, leaves, e, err);
    default:
        return true;
    }
}

/* ---- Type rules ------------------------------------------------------------ */

static type_rule *rule(arena *a, type_rule_kind kind, const type_rule *x, const type_rule *y)
{
    type_rule *r = arena_alloc(a, sizeof(*r));
    r->kind = kind;
    r->a = x;
    r->b = y;
    return r;
}

static const type_rule *fixed(arena *a, value_type t, int decimals)
{
    type_rule *r = rule(a, TR_FIXED, NULL, NULL);
    r->type = t;
    r->decimals = decimals;
    return r;
}

const type_rule *type_rule_input(arena *a, size_t query, size_t col)
{
    type_rule *r = rule(a, TR_INPUT, NULL, NULL);
    r->query = query;
    r->col = col;
    return r;
}

static const type_rule *literal_rule(arena *a, const expr *e)
{
    switch (e->lit) {
    case LIT_INT:
    case LIT_TRUE:
    case LIT_FALSE:
        return fixed(a, VT_INT64, 0);
    case LIT_NUMBER: {
        if (strpbrk(e->text, "eE"))
            return fixed(a, VT_DOUBLE, -1);
        const char *point = strchr(e->text, '.');
        return fixed(a, VT_DECIMAL, point ? (int)strlen(point + 1) : 0);
    }
    case LIT_STRING:
        return fixed(a, VT_TEXT, -1);
    case LIT_NULL:
        break;
    }
    return fixed(a, VT_NULL, -1);
}

/* ROUND's digits when they are a literal, possibly negative. */
static int literal_digits(const expr *e)
{
    bool neg = false;
    if (e->kind == EX_UNARY && e->op == OP_NEG) {
        neg = true;
        e = e->left;
    }
    if (e->kind != EX_LITERAL || e->lit != LIT_INT)
        return TYPE_RULE_ANY_DIGITS;
    int d = atoi(e->text);
    return neg ? -d : d;
}

static bool unit_is_days_or_longer(const expr *iv)
{
    static const char *const units[] = {"DAY", "WEEK", "MONTH", "QUARTER", "YEAR", NULL};
    for (const char *const *u = units; *u; u++)
        if (iv->kind == EX_INTERVAL && strcmp(iv->text, *u) == 0)
            return true;
    return false;
}

static const type_rule *merge_of(arena *a, const final_leaves *l, expr *const *items, size_t n)
{
    const type_rule *r = NULL;
    for (size_t i = 0; i < n; i++) {
        const type_rule *t = final_type_rule(a, l, items[i]);
        r = r ? rule(a, TR_MERGE, r, t) : t;
    }
    return r ? r : fixed(a, VT_NULL, -1);
}

static const type_rule *case_rule(arena *a, const final_leaves *l, const expr *e)
{
    const type_rule *r = e->right ? final_type_rule(a, l, e->right) : fixed(a, VT_NULL, -1);
    for (size_t i = 1; i < e->nargs; i += 2)
        r = rule(a, TR_MERGE, r, final_type_rule(a, l, e->args[i]));
    return r;
}

static const type_rule *binary_rule(arena *a, const final_leaves *l, const expr *e)
{
    if ((e->op == OP_ADD || e->op == OP_SUB) && e->right->kind == EX_INTERVAL) {
        type_rule *r = rule(a, TR_DATE_ADD, final_type_rule(a, l, e->left), NULL);
        r->digits = unit_is_days_or_longer(e->right);
        return r;
    }
    if (e->op == OP_ADD && e->left->kind == EX_INTERVAL) {
        type_rule *r = rule(a, TR_DATE_ADD, final_type_rule(a, l, e->right), NULL);
        r->digits = unit_is_days_or_longer(e->left);
        return r;
    }
    static const type_rule_kind kinds[] = {[OP_ADD] = TR_PLUS,
                                           [OP_SUB] = TR_PLUS,
                                           [OP_MUL] = TR_TIMES,
                                           [OP_DIV] = TR_DIVIDE,
                                           [OP_MOD] = TR_MOD};
    if (e->op == OP_ADD || e->op == OP_SUB || e->op == OP_MUL || e->op == OP_DIV || e->op == OP_MOD)
        return rule(a, kinds[e->op], final_type_rule(a, l, e->left),
                    final_type_rule(a, l, e->right));
    /* comparisons, AND, OR, XOR are INT (0, 1 or NULL) in MySQL; DIV and bit operators
     * BIGINT */
    bool truth = is_comparison(e->op) || e->op == OP_AND || e->op == OP_OR || e->op == OP_XOR ||
                 e->op == OP_NULL_SAFE_EQ;
    return fixed(a, truth ? VT_INT32 : VT_INT64, 0);
}

/* Functions whose type does not depend on their arguments. */
static const type_rule *fixed_function_rule(arena *a, const expr *e)
{
    static const struct {
        const char *name;
        value_type type;
    } map[] = {{"date", VT_DATE},           {"curdate", VT_DATE},       {"current_date", VT_DATE},
               {"utc_date", VT_DATE},       {"timestamp", VT_DATETIME}, {"now", VT_DATETIME},
               {"year", VT_INT64},          {"quarter", VT_INT64},      {"month", VT_INT64},
               {"day", VT_INT64},           {"dayofmonth", VT_INT64},   {"hour", VT_INT64},
               {"minute", VT_INT64},        {"second", VT_INT64},       {"week", VT_INT64},
               {"dayofweek", VT_INT64},     {"datediff", VT_INT64},     {"timestampdiff", VT_INT64},
               {"length", VT_INT64},        {"char_length", VT_INT64},  {"locate", VT_INT64},
               {"count", VT_INT64},         {"isnull", VT_INT32},       {"extract", VT_INT64},
               {"concat", VT_TEXT},         {"lower", VT_TEXT},         {"lcase", VT_TEXT},
               {"upper", VT_TEXT},          {"ucase", VT_TEXT},         {"trim", VT_TEXT},
               {"ltrim", VT_TEXT},          {"rtrim", VT_TEXT},         {"substring", VT_TEXT},
               {"substr", VT_TEXT},         {"date_format", VT_TEXT},   {"group_concat", VT_TEXT},
               {"timediff", VT_TIME},       {"sec_to_time", VT_TIME},   {"maketime", VT_TIME},
               {"time_format", VT_TEXT},    {"dayname", VT_TEXT},       {"monthname", VT_TEXT},
               {"convert_tz", VT_DATETIME}, {"format", VT_TEXT},        {"curtime", VT_TIME},
               {"current_time", VT_TIME},   {"last_day", VT_DATE},      {"from_days", VT_DATE},
               {"makedate", VT_DATE}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (func_is(e, map[i].name))
            return fixed(a, map[i].type,
                         map[i].type == VT_INT64 || map[i].type == VT_INT32 ? 0 : -1);
    return NULL;
}

static const type_rule *cast_rule(arena *a, const final_leaves *l, const expr *e)
{
    int p, s;
    char kind = cast_kind(e, &p, &s);
    if (kind == 'S')
        return fixed(a, VT_INT64, 0);
    if (kind == 'D')
        return fixed(a, VT_DECIMAL, s);
    const char *t = e->args[1]->text ? e->args[1]->text : "";
    if (strncasecmp(t, "datetime", 8) == 0 || strncasecmp(t, "timestamp", 9) == 0)
        return fixed(a, VT_DATETIME, 0);
    if (strncasecmp(t, "date", 4) == 0)
        return fixed(a, VT_DATE, -1);
    if (strncasecmp(t, "double", 6) == 0 || strncasecmp(t, "real", 4) == 0 ||
        strncasecmp(t, "float", 5) == 0)
        return fixed(a, VT_DOUBLE, -1);
    if (strncasecmp(t, "char", 4) == 0 || strncasecmp(t, "varchar", 7) == 0)
        return fixed(a, VT_TEXT, -1);
    (void)l;
    return rule(a, TR_UNKNOWN, NULL, NULL);
}

/* Window functions (planner/window_sql.h): ranks are BIGINT, PERCENT_RANK and CUME_DIST
 * DOUBLE, SUM and AVG as aggregates, the others one of their argument's values. */
static const type_rule *window_rule(arena *a, const final_leaves *l, const expr *e)
{
    if (func_is(e, "row_number") || func_is(e, "rank") || func_is(e, "dense_rank") ||
        func_is(e, "ntile") || func_is(e, "count"))
        return fixed(a, VT_INT64, 0);
    if (func_is(e, "percent_rank") || func_is(e, "cume_dist"))
        return fixed(a, VT_DOUBLE, -1);
    if (e->nargs == 0)
        return rule(a, TR_UNKNOWN, NULL, NULL);
    if (func_is(e, "sum") || func_is(e, "avg"))
        return rule(a, func_is(e, "sum") ? TR_SUM : TR_AVG, final_type_rule(a, l, e->args[0]),
                    NULL);
    if ((func_is(e, "lag") || func_is(e, "lead")) && e->nargs == 3) {
        expr *const picks[] = {e->args[0], e->args[2]};
        return merge_of(a, l, picks, 2);
    }
    return rule(a, TR_SAME, final_type_rule(a, l, e->args[0]), NULL);
}

static const type_rule *function_rule(arena *a, const final_leaves *l, const expr *e)
{
    if (e->over)
        return window_rule(a, l, e);
    const type_rule *f = fixed_function_rule(a, e);
    if (f)
        return f;
    if ((func_is(e, "round") || func_is(e, "truncate") || func_is(e, "floor") ||
         func_is(e, "ceil") || func_is(e, "ceiling")) &&
        e->nargs >= 1) {
        type_rule *r = rule(a, TR_ROUND, final_type_rule(a, l, e->args[0]), NULL);
        r->digits = e->nargs > 1 ? literal_digits(e->args[1]) : 0;
        return r;
    }
    if (func_is(e, "mod") && e->nargs == 2)
        return rule(a, TR_MOD, final_type_rule(a, l, e->args[0]),
                    final_type_rule(a, l, e->args[1]));
    if ((func_is(e, "abs") || func_is(e, "min") || func_is(e, "max")) && e->nargs == 1)
        return rule(a, TR_SAME, final_type_rule(a, l, e->args[0]), NULL);
    if ((func_is(e, "sum") || func_is(e, "avg")) && e->nargs == 1)
        return rule(a, func_is(e, "sum") ? TR_SUM : TR_AVG, final_type_rule(a, l, e->args[0]),
                    NULL);
    if (func_is(e, "if") && e->nargs == 3)
        return merge_of(a, l, e->args + 1, 2);
    if (func_is(e, "ifnull") || func_is(e, "coalesce") || func_is(e, "greatest") ||
        func_is(e, "least"))
        return merge_of(a, l, e->args, e->nargs);
    if (func_is(e, "nullif") && e->nargs == 2)
        return final_type_rule(a, l, e->args[0]);
    if ((func_is(e, "cast") || func_is(e, "convert")) && e->nargs == 2)
        return cast_rule(a, l, e);
    if (func_is(e, "str_to_date") && e->nargs == 2 && e->args[1]->kind == EX_LITERAL &&
        e->args[1]->lit == LIT_STRING) {
        int decimals;
        value_type t = str_to_date_type(e->args[1]->text, &decimals);
        return fixed(a, t, decimals);
    }
    if ((func_is(e, "date_add") || func_is(e, "date_sub") || func_is(e, "adddate") ||
         func_is(e, "subdate")) &&
        e->nargs == 2) {
        type_rule *r = rule(a, TR_DATE_ADD, final_type_rule(a, l, e->args[0]), NULL);
        r->digits = e->args[1]->kind != EX_INTERVAL || unit_is_days_or_longer(e->args[1]);
        return r;
    }
    return rule(a, TR_UNKNOWN, NULL, NULL);
}

const type_rule *final_type_rule(arena *a, const final_leaves *l, const expr *e)
{
    const type_rule *leaf = l->type_of(l->ctx, e);
    if (leaf)
        return leaf;
    switch (e->kind) {
    case EX_LITERAL:
        return literal_rule(a, e);
    case EX_BINARY:
        return binary_rule(a, l, e);
    case EX_UNARY:
        if (e->op == OP_NEG || e->op == OP_PLUS)
            return rule(a, TR_SAME, final_type_rule(a, l, e->left), NULL);
        return fixed(a, e->op == OP_NOT ? VT_INT32 : VT_INT64, 0);
    case EX_IN:
    case EX_BETWEEN:
    case EX_LIKE:
    case EX_IS:
    case EX_EXISTS:
        return fixed(a, VT_INT32, 0); /* a truth value: INT in MySQL */
    case EX_CASE:
        return case_rule(a, l, e);
    case EX_FUNC:
        return function_rule(a, l, e);
    default:
        return rule(a, TR_UNKNOWN, NULL, NULL);
    }
}

/* ---- Evaluating a rule ----------------------------------------------------- */

typedef enum { C_NULL, C_INT, C_DECIMAL, C_DOUBLE, C_OTHER } num_class;

static num_class class_of(const result_column *c)
{
    switch ((value_type)c->type) {
    case VT_NULL:
        return C_NULL;
    case VT_BOOL:
    case VT_INT16:
    case VT_INT32:
    case VT_INT64:
        return C_INT;
    case VT_DECIMAL:
        return C_DECIMAL;
    case VT_FLOAT:
    case VT_DOUBLE:
        return C_DOUBLE;
    default:
        return C_OTHER;
    }
}

static int scale_of(const result_column *c)
{
    return class_of(c) == C_DECIMAL && c->decimals > 0 ? c->decimals : 0;
}

static int cap(int scale)
{
    return scale > 30 ? 30 : scale < 0 ? 0 : scale;
}

static result_column column(value_type t, int decimals)
{
    return (result_column){.type = t, .decimals = decimals};
}

/* The type of a + b, a * b, a / b, a % b. */
static result_column arith_type(type_rule_kind k, const result_column *x, const result_column *y)
{
    num_class a = class_of(x), b = class_of(y);
    if (a == C_NULL)
        a = b == C_NULL ? C_INT : b;
    if (b == C_NULL)
        b = a;
    if (a >= C_DOUBLE || b >= C_DOUBLE) /* strings and dates in arithmetic are DOUBLE */
        return column(VT_DOUBLE, -1);
    int sa = scale_of(x), sb = scale_of(y);
    switch (k) {
    case TR_TIMES:
        return a == C_INT && b == C_INT ? column(VT_INT64, 0) : column(VT_DECIMAL, cap(sa + sb));
    case TR_DIVIDE:
        return column(VT_DECIMAL, cap(sa + 4));
    default:
        return a == C_INT && b == C_INT ? column(VT_INT64, 0)
                                        : column(VT_DECIMAL, cap(sa > sb ? sa : sb));
    }
}

static result_column merge_type(const result_column *x, const result_column *y)
{
    num_class a = class_of(x), b = class_of(y);
    if (a == C_NULL)
        return *y;
    if (b == C_NULL || (x->type == y->type && a != C_DECIMAL))
        return *x;
    if (a == C_OTHER || b == C_OTHER) {
        if ((x->type == VT_DATE || x->type == VT_DATETIME) &&
            (y->type == VT_DATE || y->type == VT_DATETIME)) /* keeps the finer fraction */
            return column(VT_DATETIME, x->decimals > y->decimals ? x->decimals
                                       : y->decimals > 0         ? y->decimals
                                                                 : 0);
        return column(VT_TEXT, -1);
    }
    if (a == C_DOUBLE || b == C_DOUBLE)
        return column(VT_DOUBLE, -1);
    if (a == C_INT && b == C_INT)
        return column(VT_INT64, 0);
    int sa = scale_of(x), sb = scale_of(y);
    return column(VT_DECIMAL, sa > sb ? sa : sb);
}

static result_column round_type(const type_rule *r, const result_column *x)
{
    switch (class_of(x)) {
    case C_INT:
        return column(VT_INT64, 0);
    case C_DECIMAL:
        return column(VT_DECIMAL, r->digits == TYPE_RULE_ANY_DIGITS ? scale_of(x) : cap(r->digits));
    default:
        return column(VT_DOUBLE, -1);
    }
}

static result_column aggregate_type(const type_rule *r, const result_column *x)
{
    num_class c = class_of(x);
    if (c == C_DOUBLE || c == C_OTHER)
        return column(VT_DOUBLE, -1);
    return column(VT_DECIMAL, cap(scale_of(x) + (r->kind == TR_AVG ? 4 : 0)));
}

bool final_type_eval(const type_rule *r, type_rule_inputs inputs, void *ctx, result_column *out)
{
    result_column x = {0}, y = {0};
    if (r->kind == TR_UNKNOWN || (r->a && !final_type_eval(r->a, inputs, ctx, &x)) ||
        (r->b && !final_type_eval(r->b, inputs, ctx, &y)))
        return false;
    switch (r->kind) {
    case TR_INPUT:
        *out = inputs(ctx, r->query, r->col);
        return true;
    case TR_FIXED:
        *out = column((value_type)r->type, r->decimals);
        return true;
    case TR_PLUS:
    case TR_TIMES:
    case TR_DIVIDE:
    case TR_MOD:
        *out = arith_type(r->kind, &x, &y);
        return true;
    case TR_ROUND:
        *out = round_type(r, &x);
        return true;
    case TR_SAME:
        *out = x;
        return true;
    case TR_MERGE:
        *out = merge_type(&x, &y);
        return true;
    case TR_SUM:
    case TR_AVG:
        *out = aggregate_type(r, &x);
        return true;
    case TR_DATE_ADD:
        *out = x.type == VT_DATE && r->digits ? column(VT_DATE, -1) : column(VT_DATETIME, 0);
        return true;
    case TR_UNKNOWN:
        break;
    }
    return false;
}
