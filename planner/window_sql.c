#include "planner/window_sql.h"

#include <string.h>
#include <strings.h>

const expr *window_in(const expr *e)
{
    if (!e)
        return NULL;
    if (e->kind == EX_FUNC && e->over)
        return e;
    const expr *w = window_in(e->left);
    if (!w)
        w = window_in(e->right);
    for (size_t i = 0; !w && i < e->nargs; i++)
        w = window_in(e->args[i]);
    return w;
}

/* A window function inside another's arguments or window: MySQL refuses it. */
static bool nests_window(const expr *e)
{
    const window_spec *w = e->over;
    bool nested = false;
    for (size_t i = 0; i < e->nargs; i++)
        nested |= window_in(e->args[i]) != NULL;
    for (size_t i = 0; i < w->npartition; i++)
        nested |= window_in(w->partition[i]) != NULL;
    for (size_t i = 0; i < w->norder; i++)
        nested |= window_in(w->order[i].e) != NULL;
    return nested;
}

static bool unsupported(sql_error *err, const char *what, const char *name)
{
    sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                  "This version of Mimir doesn't yet support %s%s%s", what, name ? name : "",
                  name ? " as a window function" : "");
    return false;
}

/* A window's row offset (ROWS n PRECEDING, NTILE(n), LAG(x, n)): a non-negative integer. */
static bool is_count_literal(const expr *e)
{
    if (e->kind != EX_LITERAL || e->lit != LIT_INT)
        return false;
    for (const char *c = e->text; *c; c++)
        if (*c < '0' || *c > '9')
            return false;
    return true;
}

static bool print_bound(sql_builder *b, const window_spec *w, const frame_bound *f, sql_error *err)
{
    switch (f->kind) {
    case FRAME_NONE:
    case FRAME_CURRENT_ROW:
        sb_str(b, "CURRENT ROW");
        return true;
    case FRAME_UNBOUNDED_PRECEDING:
        sb_str(b, "UNBOUNDED PRECEDING");
        return true;
    case FRAME_UNBOUNDED_FOLLOWING:
        sb_str(b, "UNBOUNDED FOLLOWING");
        return true;
    case FRAME_PRECEDING:
    case FRAME_FOLLOWING:
        break;
    }
    /* RANGE n PRECEDING compares the ORDER BY values with n: over exact decimals, which are
     * text in the final stage, SQLite would not do that arithmetic. */
    if (strcmp(w->frame_unit, "ROWS") != 0)
        return unsupported(err, "RANGE frames with an offset (use ROWS)", NULL);
    if (!is_count_literal(f->offset)) {
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support a window frame bound other than "
                      "a non-negative integer");
        return false;
    }
    sb_str(b, f->offset->text);
    sb_str(b, f->kind == FRAME_PRECEDING ? " PRECEDING" : " FOLLOWING");
    return true;
}

static bool print_over(sql_builder *b, const final_leaves *leaves, const window_spec *w,
                       sql_error *err)
{
    sb_str(b, " OVER (");
    for (size_t i = 0; i < w->npartition; i++) {
        sb_str(b, i ? ", " : "PARTITION BY ");
        if (!sb_expr(b, w->partition[i], b->resolve, b->resolve_ctx, err))
            return false;
    }
    for (size_t i = 0; i < w->norder; i++) {
        sb_str(b, i ? ", " : w->npartition ? " ORDER BY " : "ORDER BY ");
        if (!sb_expr(b, w->order[i].e, b->resolve, b->resolve_ctx, err))
            return false;
        if (final_is_number(leaves, w->order[i].e))
            sb_str(b, " COLLATE mimir_decimal"); /* exact decimals are text: as numbers */
        if (w->order[i].desc)
            sb_str(b, " DESC");
    }
    if (w->frame_unit) {
        sb_str(b, w->npartition || w->norder ? " " : "");
        sb_str(b, w->frame_unit);
        sb_str(b, w->end.kind != FRAME_NONE ? " BETWEEN " : " ");
        if (!print_bound(b, w, &w->start, err))
            return false;
        if (w->end.kind != FRAME_NONE) {
            sb_str(b, " AND ");
            if (!print_bound(b, w, &w->end, err))
                return false;
        }
    }
    sb_str(b, ")");
    return true;
}

/* The window functions and how many arguments each takes (min, max). */
static const struct {
    const char *name;
    size_t min, max;
    const char *sql; /* its name in the final stage */
} functions[] = {
    {"row_number", 0, 0, "ROW_NUMBER"},
    {"rank", 0, 0, "RANK"},
    {"dense_rank", 0, 0, "DENSE_RANK"},
    {"percent_rank", 0, 0, "PERCENT_RANK"},
    {"cume_dist", 0, 0, "CUME_DIST"},
    {"ntile", 1, 1, "NTILE"},
    {"lag", 1, 3, "LAG"},
    {"lead", 1, 3, "LEAD"},
    {"first_value", 1, 1, "FIRST_VALUE"},
    {"last_value", 1, 1, "LAST_VALUE"},
    {"nth_value", 2, 2, "NTH_VALUE"},
    {"sum", 1, 1, "mimir_sum"},
    {"avg", 1, 1, "mimir_avg"},
    {"min", 1, 1, "MIN"},
    {"max", 1, 1, "MAX"},
    {"count", 1, 1, "COUNT"},
};

/* The arguments MySQL wants constant: NTILE's, LAG/LEAD's offset, NTH_VALUE's n. */
static bool argument_is_count(const char *name, size_t i)
{
    return (i == 0 && strcasecmp(name, "ntile") == 0) ||
           (i == 1 && (strcasecmp(name, "lag") == 0 || strcasecmp(name, "lead") == 0 ||
                       strcasecmp(name, "nth_value") == 0));
}

static bool print_arguments(sql_builder *b, const final_leaves *leaves, const expr *e,
                            sql_error *err)
{
    bool minmax = strcasecmp(e->text, "min") == 0 || strcasecmp(e->text, "max") == 0;
    sb_str(b, "(");
    for (size_t i = 0; i < e->nargs; i++) {
        sb_str(b, i ? ", " : "");
        if (e->args[i]->kind == EX_STAR) {
            sb_str(b, "*");
            continue;
        }
        if (argument_is_count(e->text, i)) {
            if (!is_count_literal(e->args[i])) {
                sql_error_set(err, ER_WRONG_ARGUMENTS, "HY000",
                              "Incorrect arguments to %s: a non-negative integer", e->text);
                return false;
            }
            sb_str(b, e->args[i]->text);
            continue;
        }
        if (!sb_expr(b, e->args[i], b->resolve, b->resolve_ctx, err))
            return false;
        if (minmax && final_is_number(leaves, e->args[i]))
            sb_str(b, " COLLATE mimir_decimal");
    }
    sb_str(b, ")");
    return true;
}

bool window_print(sql_builder *b, const final_leaves *leaves, const expr *e, bool *handled,
                  sql_error *err)
{
    if (e->kind != EX_FUNC || !e->over)
        return true;
    size_t f = 0, n = sizeof(functions) / sizeof(functions[0]);
    while (f < n && strcasecmp(functions[f].name, e->text) != 0)
        f++;
    if (f == n)
        return unsupported(err, "", e->text);
    if (e->distinct) {
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support '%s(DISTINCT ...)' as a window "
                      "function",
                      e->text);
        return false;
    }
    if (e->nargs < functions[f].min || e->nargs > functions[f].max ||
        (e->nargs == 1 && e->args[0]->kind == EX_STAR && strcasecmp(e->text, "count") != 0)) {
        sql_error_set(err, ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT, "42000",
                      "Incorrect parameter count in the call to native function '%s'", e->text);
        return false;
    }
    if (nests_window(e)) {
        sql_error_set(err, ER_WINDOW_INVALID_USE, "HY000",
                      "You cannot use the window function '%s' in this context.", e->text);
        return false;
    }
    *handled = true;
    sb_str(b, functions[f].sql);
    return print_arguments(b, leaves, e, err) && print_over(b, leaves, e->over, err);
}
