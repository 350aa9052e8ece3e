#include "planner/derived.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/final_exact.h"
#include "planner/sql_builder.h"
#include "planner/view.h"
#include "planner/window.h"
#include "planner/window_sql.h"

typedef struct derived_ctx {
    arena *a;
    const table_ref *t;
    const plan *inner;
    final_leaves leaves;
} derived_ctx;

/* The inner column a reference of the outer query names, or NULL. */
static const plan_column *inner_plan_column(const derived_ctx *d, const expr *col)
{
    if (col->kind != EX_COLUMN || col->nparts > 2 ||
        (col->nparts == 2 && strcasecmp(col->parts[0], d->t->alias) != 0))
        return NULL;
    for (size_t i = 0; i < d->inner->ncols; i++)
        if (strcasecmp(d->inner->cols[i].name, col->parts[col->nparts - 1]) == 0)
            return &d->inner->cols[i];
    return NULL;
}

/* The rule of an inner column's type: what it reads keeps its type. */
static const type_rule *inner_type(arena *a, const plan_column *c)
{
    return c->computed ? c->type : type_rule_input(a, c->query, c->query_col);
}

static const type_rule *derived_leaf_type(void *ctx, const expr *e)
{
    derived_ctx *d = ctx;
    const plan_column *c = inner_plan_column(d, e);
    return c ? inner_type(d->a, c) : NULL;
}

/* Metrics and computed numbers of the inner query may be exact decimals (text). */
/* A column of the inner result that holds numbers (exact decimals are text there). */
static bool plan_column_is_number(const plan_column *c)
{
    if (c->is_metric)
        return true;
    if (!c->computed || !c->type)
        return false;
    type_rule_kind k = c->type->kind;
    return k != TR_UNKNOWN && k != TR_DATE_ADD &&
           (k != TR_FIXED || c->type->type == VT_DECIMAL || c->type->type == VT_INT64 ||
            c->type->type == VT_DOUBLE);
}

static bool derived_leaf_is_number(void *ctx, const expr *e)
{
    derived_ctx *d = ctx;
    const plan_column *c = inner_plan_column(d, e);
    if (!c)
        return e->kind == EX_FUNC &&
               (strcasecmp(e->text, "sum") == 0 || strcasecmp(e->text, "avg") == 0 ||
                strcasecmp(e->text, "count") == 0);
    return plan_column_is_number(c);
}

/*
 * Aggregates over the inner result, exact: SUM and AVG of decimals through
 * mimir_sum/mimir_avg, MIN and MAX comparing them as numbers.
 */
static bool derived_aggregate(derived_ctx *d, sql_builder *b, const expr *e, bool *handled,
                              sql_error *err)
{
    bool sum = strcasecmp(e->text, "sum") == 0, avg = strcasecmp(e->text, "avg") == 0;
    bool minmax = strcasecmp(e->text, "min") == 0 || strcasecmp(e->text, "max") == 0;
    if ((!sum && !avg && !minmax) || e->nargs != 1 || !final_is_number(&d->leaves, e->args[0]))
        return true;
    if (e->distinct && !minmax) {
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support %s(DISTINCT ...) over numbers "
                      "of a derived table",
                      e->text);
        return false;
    }
    *handled = true;
    sb_str(b, sum                               ? "mimir_sum("
              : avg                             ? "mimir_avg("
              : strcasecmp(e->text, "min") == 0 ? "MIN("
                                                : "MAX(");
    if (!sb_expr(b, e->args[0], b->resolve, b->resolve_ctx, err))
        return false;
    sb_str(b, minmax ? " COLLATE mimir_decimal)" : ")");
    return true;
}

static bool derived_subst(void *ctx, sql_builder *b, const expr *e, bool *handled, sql_error *err)
{
    derived_ctx *d = ctx;
    if (e->kind == EX_FUNC && e->over) /* SUM(x) OVER (...): a window, not an aggregate */
        return window_print(b, &d->leaves, e, handled, err);
    if (e->kind == EX_FUNC) {
        if (!derived_aggregate(d, b, e, handled, err))
            return false;
        if (*handled)
            return true;
    }
    return final_exact_print(b, &d->leaves, e, handled, err);
}

/* Columns of the outer query are the inner query's columns, by name. */
static const char *inner_column(void *ctx, const expr *col, sql_error *err)
{
    derived_ctx *d = ctx;
    const char *name = col->parts[col->nparts - 1];
    /* t.col names the derived table by its alias; nothing else may qualify a column. */
    if (col->nparts > 2 || (col->nparts == 2 && strcasecmp(col->parts[0], d->t->alias) != 0))
        goto unknown;
    for (size_t i = 0; i < d->inner->ncols; i++) {
        if (strcasecmp(d->inner->cols[i].name, name) == 0) {
            sql_builder b;
            sb_init(&b, d->a, DIALECT_SQLITE);
            sb_ident(&b, d->inner->cols[i].name);
            query_param *unused;
            size_t n;
            return sb_finish(&b, &unused, &n);
        }
    }
unknown:
    sql_error_set(err, ER_BAD_FIELD, "42S22", "Unknown column '%s' in derived table '%s'", name,
                  d->t->alias);
    return NULL;
}

/* GROUP BY / ORDER BY 2 is a position, not a value: printed as the number itself. */
static bool print_key(sql_builder *b, const expr *e, derived_ctx *d, sql_error *err)
{
    if (e->kind == EX_LITERAL && e->lit == LIT_INT) {
        for (const char *c = e->text; *c; c++)
            if (!isdigit((unsigned char)*c))
                return sb_expr(b, e, inner_column, d, err);
        sb_str(b, e->text);
        return true;
    }
    return sb_expr(b, e, inner_column, d, err);
}

/*
 * The outer select list. A column that only names an inner column is that
 * column (its type, where it is loaded); anything else is computed, and its
 * type follows MySQL's rules from what it reads.
 */
static bool print_select_list(derived_ctx *d, sql_builder *b, const select_stmt *sel, ptr_vec *cols,
                              sql_error *err)
{
    const plan *p = d->inner;
    for (size_t i = 0; i < sel->nitems; i++) {
        const select_item *it = &sel->items[i];
        if (it->e->kind == EX_STAR) {
            for (size_t k = 0; k < p->ncols; k++) {
                sb_str(b, cols->len ? ", " : "");
                sb_ident(b, p->cols[k].name);
                ptr_vec_push(d->a, cols, (void *)&p->cols[k]);
            }
            continue;
        }
        sb_str(b, cols->len ? ", " : "");
        if (!final_print_shown(b, &d->leaves, it->e, inner_column, d, err)) /* a quotient: shown */
            return false;
        const char *name = it->alias                  ? it->alias
                           : it->e->kind == EX_COLUMN ? it->e->parts[it->e->nparts - 1]
                                                      : it->text;
        sb_str(b, " AS ");
        sb_ident(b, name);
        plan_column *c = arena_alloc(d->a, sizeof(*c));
        const plan_column *same = inner_plan_column(d, it->e);
        if (same) {
            *c = *same;
        } else {
            c->computed = true;
            c->type = final_type_rule(d->a, &d->leaves, it->e);
        }
        c->name = name;
        c->org_name = name;
        ptr_vec_push(d->a, cols, c);
    }
    return true;
}

/* Does ORDER BY e (a position of the outer select, or an expression) sort numbers? */
static bool orders_number(derived_ctx *d, const select_stmt *sel, const ptr_vec *cols,
                          const expr *e)
{
    if (e->kind == EX_LITERAL && e->lit == LIT_INT) {
        long k = strtol(e->text, NULL, 10);
        if (k < 1 || (size_t)k > cols->len)
            return false;
        const plan_column *c = cols->items[k - 1];
        /* A column a star brought in is the inner query's own: its type says. */
        if (plan_column_is_number(c))
            return true;
        for (size_t i = 0, n = 0; i < sel->nitems; i++) {
            if (sel->items[i].e->kind == EX_STAR)
                return false; /* positions past a star: not a number (checked above) */
            if (++n == (size_t)k)
                return final_is_number(&d->leaves, sel->items[i].e);
        }
        return false;
    }
    return final_is_number(&d->leaves, e);
}

static void fail(action *out, sql_error *err)
{
    out->kind = ACTION_ERROR;
    out->error = *err;
}

/* An ungrouped inner SELECT is a view: the outer query reads the table itself. The
 * grouped rows under window functions (plan_window's own derived table) are not one,
 * even when the statement has no GROUP BY: inlining them would plan the windows again. */
static bool planned_as_view(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    if (sel->from[0].alias && strcmp(sel->from[0].alias, WINDOW_TABLE) == 0)
        return false;
    const select_stmt *inlined;
    switch (view_inline(a, s, sel, &inlined, &out->error)) {
    case VIEW_INLINED:
        plan_note(s,
                  "the derived table '%s' selects rows without grouping them: read as a view, "
                  "its WHERE joined to the outer query's and its metrics computed at the outer "
                  "query's grain",
                  sel->from[0].alias ? sel->from[0].alias : "");
        plan_select(a, s, inlined, out);
        return true;
    case VIEW_ERROR:
        out->kind = ACTION_ERROR;
        return true;
    case VIEW_NONE:
        break;
    }
    return false;
}

void plan_derived(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    const table_ref *t = &sel->from[0];
    if (sel->nfrom > 1) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support joins");
        return;
    }
    if (planned_as_view(a, s, sel, out))
        return;
    action inner;
    memset(&inner, 0, sizeof(inner));
    session_info wrapped = *s; /* its plan is wrapped: no phase of a rollup's (rollup_phase.h) */
    wrapped.no_rollup_phase = true;
    plan_select(a, &wrapped, t->subquery, &inner);
    if (inner.kind == ACTION_ERROR) {
        *out = inner;
        return;
    }
    if (inner.kind != ACTION_QUERY) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                      "a derived table must query a mimir table");
        return;
    }
    if (inner.plan->phase) {
        /* Its plan is made once the keys are known: nothing to wrap yet. */
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support a semi-join filter inside a "
                      "derived table: run it as the outer query");
        return;
    }
    plan *p = inner.plan;
    derived_ctx d = {.a = a, .t = t, .inner = p};
    d.leaves = (final_leaves){
        .is_number = derived_leaf_is_number, .type_of = derived_leaf_type, .ctx = &d};
    sql_builder b;
    sb_init(&b, a, DIALECT_SQLITE);
    b.allow_aggregates = true;
    b.subst = derived_subst;
    b.subst_ctx = &d;
    /* The inner query's parameters come first: its text is copied in before the outer's. */
    for (size_t i = 0; i < p->nfinal_params; i++)
        ptr_vec_push(a, &b.params, &p->final_params[i]);
    sql_error err;
    ptr_vec cols = {0}; /* plan_column * of the outer select */
    sb_str(&b, sel->distinct ? "SELECT DISTINCT " : "SELECT ");
    if (!print_select_list(&d, &b, sel, &cols, &err))
        goto failed;
    sb_str(&b, " FROM (");
    sb_str(&b, p->final_sql ? p->final_sql : "SELECT * FROM \"s0\"");
    sb_str(&b, ") AS ");
    sb_ident(&b, t->alias);
    if (sel->where) {
        sb_str(&b, " WHERE ");
        if (!sb_expr(&b, sel->where, inner_column, &d, &err))
            goto failed;
    }
    for (size_t i = 0; i < sel->ngroup_by; i++) {
        sb_str(&b, i ? ", " : " GROUP BY ");
        if (!print_key(&b, sel->group_by[i], &d, &err))
            goto failed;
    }
    if (sel->having) {
        sb_str(&b, " HAVING ");
        if (!sb_expr(&b, sel->having, inner_column, &d, &err))
            goto failed;
    }
    for (size_t i = 0; i < sel->norder_by; i++) {
        sb_str(&b, i ? ", " : " ORDER BY ");
        if (!print_key(&b, sel->order_by[i].e, &d, &err))
            goto failed;
        if (orders_number(&d, sel, &cols, sel->order_by[i].e))
            sb_str(&b, " COLLATE mimir_decimal"); /* exact decimals are text: as numbers */
        if (sel->order_by[i].desc)
            sb_str(&b, " DESC");
    }
    if (sel->has_limit)
        buf_printf(&b.out, " LIMIT %lld OFFSET %lld", (long long)sel->limit,
                   (long long)sel->offset);

    plan *outer = arena_alloc(a, sizeof(*outer));
    *outer = *p;
    outer->final_sql = sb_finish(&b, &outer->final_params, &outer->nfinal_params);
    outer->ncols = cols.len;
    outer->cols = arena_alloc(a, (cols.len + 1) * sizeof(plan_column));
    for (size_t i = 0; i < cols.len; i++)
        outer->cols[i] = *(const plan_column *)cols.items[i];
    out->kind = ACTION_QUERY;
    out->plan = outer;
    return;
failed:
    sb_discard(&b);
    fail(out, &err);
}
