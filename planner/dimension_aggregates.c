#include "planner/dimension_aggregates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/functions.h"
#include "semantic/aggregation.h"

#define ER_WRONG_FIELD_WITH_GROUP 1055

/* ---- Recognising them ---------------------------------------------------------------- */

static const char *column_name(const expr *e)
{
    return e && e->kind == EX_COLUMN ? e->parts[e->nparts - 1] : NULL;
}

/* The metric e reads as a whole: AGG(m), MEASURE(m), the BI forms SUM(m), MIN(m),
 * MAX(m), AVG(m), or m named bare. */
static const metric *metric_read(const session_info *s, const expr *e)
{
    const char *name = column_name(e);
    if (e->kind == EX_FUNC && e->nargs == 1 && !e->distinct &&
        (!strcasecmp(e->text, "agg") || !strcasecmp(e->text, "measure") ||
         !strcasecmp(e->text, "sum") || !strcasecmp(e->text, "min") ||
         !strcasecmp(e->text, "max") || !strcasecmp(e->text, "avg")))
        name = column_name(e->args[0]);
    else if (e->kind != EX_COLUMN)
        return NULL;
    return name ? catalog_metric(s->cat, name) : NULL;
}

static bool mentions_metric(const session_info *s, const expr *e)
{
    if (!e)
        return false;
    if (metric_read(s, e))
        return true;
    if (e->kind == EX_FUNC && (!strcasecmp(e->text, "agg") || !strcasecmp(e->text, "measure")))
        return true;
    if (mentions_metric(s, e->left) || mentions_metric(s, e->right))
        return true;
    for (size_t i = 0; i < e->nargs; i++)
        if (mentions_metric(s, e->args[i]))
            return true;
    return false;
}

/* COUNT(DISTINCT d, ...), MIN(d), MAX(d) of dimensions. */
static bool is_dimension_aggregate(const session_info *s, const expr *e)
{
    if (e->kind != EX_FUNC || e->nargs == 0 || e->subquery)
        return false;
    /* COUNT(DISTINCT a, b) would count pairs: not over finer groups of several. */
    bool count = !strcasecmp(e->text, "count") && e->distinct && e->nargs == 1;
    bool extreme = (!strcasecmp(e->text, "min") || !strcasecmp(e->text, "max")) && e->nargs == 1;
    if (!count && !extreme)
        return false;
    for (size_t i = 0; i < e->nargs; i++)
        if (e->args[i]->kind == EX_STAR || mentions_metric(s, e->args[i]))
            return false;
    return true;
}

/* COUNT(*) or COUNT(<constant>): the number of rows of the group. */
static bool counts_rows(const expr *e)
{
    return e && e->kind == EX_FUNC && !strcasecmp(e->text, "count") && e->nargs == 1 &&
           !e->distinct &&
           (e->args[0]->kind == EX_STAR ||
            (e->args[0]->kind == EX_LITERAL && e->args[0]->lit != LIT_NULL));
}

static bool is_int_literal(const expr *e, const char *value)
{
    return e->kind == EX_LITERAL && e->lit == LIT_INT && strcmp(e->text, value) == 0;
}

/*
 * Tableau's guard HAVING (COUNT(1) > 0): whether the group has rows at all
 * (COUNT(*) > 0, >= 1, <> 0, and the same written the other way round). Over
 * the finer groups it holds exactly when it holds over the rows: a group has
 * rows when it has a finer group.
 */
static bool is_existence_test(const expr *e)
{
    if (e->kind != EX_BINARY)
        return false;
    const expr *count = counts_rows(e->left) ? e->left : counts_rows(e->right) ? e->right : NULL;
    if (!count)
        return false;
    const expr *other = count == e->left ? e->right : e->left;
    expr_op op = e->op;
    if (count == e->right) /* 0 < COUNT(*) is COUNT(*) > 0 */
        op = op == OP_LT ? OP_GT : op == OP_LE ? OP_GE : op == OP_GT ? OP_LT : op;
    return ((op == OP_GT || op == OP_NE) && is_int_literal(other, "0")) ||
           (op == OP_GE && is_int_literal(other, "1"));
}

static bool uses(const session_info *s, const expr *e)
{
    if (!e)
        return false;
    if (is_dimension_aggregate(s, e) || is_existence_test(e))
        return true;
    if (uses(s, e->left) || uses(s, e->right))
        return true;
    for (size_t i = 0; i < e->nargs; i++)
        if (uses(s, e->args[i]))
            return true;
    return false;
}

bool dimension_aggregates_used(const session_info *s, const select_stmt *sel)
{
    if (sel->nfrom != 1 || sel->from[0].subquery || sel->union_next)
        return false;
    bool found = uses(s, sel->having);
    for (size_t i = 0; i < sel->nitems && !found; i++)
        found = uses(s, sel->items[i].e);
    for (size_t i = 0; i < sel->norder_by && !found; i++)
        found = uses(s, sel->order_by[i].e);
    return found;
}

/* ---- The rewrite ------------------------------------------------------------------------ */

typedef struct rewrite {
    arena *a;
    const session_info *s;
    const select_stmt *sel;
    const expr **groups; /* the query's GROUP BY, ordinals and aliases resolved */
    size_t ngroups;
    const expr **dims; /* the aggregates' arguments: the finer grain */
    size_t ndims;
    const metric **metrics;
    size_t nmetrics;
    sql_error *err;
} rewrite;

/* The same expression, names compared without their table qualifier. */
static bool same_expr(const expr *x, const expr *y)
{
    if (!x || !y)
        return x == y;
    if (x->kind != y->kind || x->op != y->op || x->distinct != y->distinct ||
        x->negated != y->negated || x->nargs != y->nargs || x->lit != y->lit)
        return false;
    if (x->kind == EX_COLUMN)
        return strcasecmp(column_name(x), column_name(y)) == 0;
    if ((x->text == NULL) != (y->text == NULL) || (x->text && strcasecmp(x->text, y->text) != 0))
        return false;
    if (!same_expr(x->left, y->left) || !same_expr(x->right, y->right))
        return false;
    for (size_t i = 0; i < x->nargs; i++)
        if (!same_expr(x->args[i], y->args[i]))
            return false;
    return x->subquery == NULL && y->subquery == NULL;
}

static expr *column(arena *a, const expr *at, const char *name)
{
    expr *e = arena_alloc(a, sizeof(*e));
    e->kind = EX_COLUMN;
    e->pos = at->pos;
    e->end = at->end;
    e->parts[0] = name;
    e->nparts = 1;
    return e;
}

static expr *call(arena *a, const expr *at, const char *fn, expr *arg)
{
    expr *e = arena_alloc(a, sizeof(*e));
    e->kind = EX_FUNC;
    e->pos = at->pos;
    e->end = at->end;
    e->text = fn;
    e->text_len = strlen(fn);
    e->args = arena_alloc(a, sizeof(expr *));
    e->args[0] = arg;
    e->nargs = 1;
    return e;
}

static size_t add_unique(arena *a, const void ***list, size_t *n, const void *item,
                         bool (*same)(const void *, const void *))
{
    for (size_t i = 0; i < *n; i++)
        if (same((*list)[i], item))
            return i;
    const void **grown = arena_alloc(a, (*n + 1) * sizeof(void *));
    if (*n)
        memcpy(grown, *list, *n * sizeof(void *));
    grown[(*n)++] = item;
    *list = grown;
    return *n - 1;
}

static bool same_expr_v(const void *x, const void *y)
{
    return same_expr(x, y);
}

static bool same_ptr(const void *x, const void *y)
{
    return x == y;
}

/* A metric over the finer groups, aggregated again: exact for sum, count, min, max. */
static expr *reaggregate(rewrite *r, const expr *at, const metric *m)
{
    const char *fn = m->aggregation == AGGREGATION_SUM || m->aggregation == AGGREGATION_COUNT
                         ? "SUM"
                     : m->aggregation == AGGREGATION_MIN ? "MIN"
                     : m->aggregation == AGGREGATION_MAX ? "MAX"
                                                         : NULL;
    if (fn && m->non_additive != NON_ADDITIVE_NONE) {
        /* Finer groups by a time dimension (MAX(ds)) would be finer periods: the sum of
         * each day's last rows is not the month's last rows. */
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support the semi-additive metric '%s' "
                      "beside COUNT(DISTINCT ...), MIN or MAX of a dimension: those are computed "
                      "over finer groups, whose periods are not the query's. Ask for it in a "
                      "query of its own",
                      m->name);
        return NULL;
    }
    if (!fn) {
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support the metric '%s' (%s) beside "
                      "COUNT(DISTINCT ...), MIN or MAX of a dimension: those are computed over "
                      "finer groups, and a %s metric cannot be added up from them exactly. "
                      "Ask for it in a query of its own",
                      m->name, aggregation_name(m->aggregation), aggregation_name(m->aggregation));
        return NULL;
    }
    size_t k = add_unique(r->a, (const void ***)&r->metrics, &r->nmetrics, m, same_ptr);
    return call(r->a, at, fn, column(r->a, at, arena_printf(r->a, "m%zu", k)));
}

static expr *outer_expr(rewrite *r, const expr *e);

static expr *outer_dimension_aggregate(rewrite *r, const expr *e)
{
    expr *copy = arena_alloc(r->a, sizeof(*copy));
    *copy = *e;
    copy->args = arena_alloc(r->a, e->nargs * sizeof(expr *));
    for (size_t i = 0; i < e->nargs; i++) {
        size_t j = add_unique(r->a, (const void ***)&r->dims, &r->ndims, e->args[i], same_expr_v);
        copy->args[i] = column(r->a, e->args[i], arena_printf(r->a, "x%zu", j));
    }
    return copy;
}

/* e over the finer groups' columns: g<i> (groups), x<j> (dimensions), m<k> (metrics). */
static expr *outer_expr(rewrite *r, const expr *e)
{
    if (!e)
        return NULL;
    for (size_t i = 0; i < r->ngroups; i++)
        if (same_expr(e, r->groups[i]))
            return column(r->a, e, arena_printf(r->a, "g%zu", i));
    if (is_dimension_aggregate(r->s, e))
        return outer_dimension_aggregate(r, e);
    if (is_existence_test(e))
        return (expr *)e; /* COUNT(*) of the finer groups: as many as there are, at least 1 */
    const metric *m = metric_read(r->s, e);
    if (m)
        return reaggregate(r, e, m);
    if (e->kind == EX_COLUMN) {
        sql_error_set(r->err, ER_WRONG_FIELD_WITH_GROUP, "42000",
                      "'%s' isn't in GROUP BY: select or group by it", column_name(e));
        return NULL;
    }
    if (e->subquery || e->kind == EX_STAR) {
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support this beside COUNT(DISTINCT "
                      "...), MIN or MAX of a dimension");
        return NULL;
    }
    expr *copy = arena_alloc(r->a, sizeof(*copy));
    *copy = *e;
    if ((e->left && !(copy->left = outer_expr(r, e->left))) ||
        (e->right && !(copy->right = outer_expr(r, e->right))))
        return NULL;
    if (e->nargs) {
        copy->args = arena_alloc(r->a, e->nargs * sizeof(expr *));
        for (size_t i = 0; i < e->nargs; i++)
            if (!(copy->args[i] = outer_expr(r, e->args[i])))
                return NULL;
    }
    return copy;
}

/* GROUP BY 2 and GROUP BY alias name select items, as in MySQL. */
static const expr *group_expr(const select_stmt *sel, const expr *g)
{
    if (g->kind == EX_LITERAL && g->lit == LIT_INT) {
        long n = strtol(g->text, NULL, 10);
        return n >= 1 && (size_t)n <= sel->nitems ? sel->items[n - 1].e : g;
    }
    if (g->kind == EX_COLUMN && g->nparts == 1)
        for (size_t i = 0; i < sel->nitems; i++)
            if (sel->items[i].alias && !strcasecmp(sel->items[i].alias, g->parts[0]))
                return sel->items[i].e;
    return g;
}

/* The column label MySQL gives an item: its alias, a column's name, else its text. */
static const char *label(const select_item *it)
{
    if (it->alias)
        return it->alias;
    return it->e->kind == EX_COLUMN ? column_name(it->e) : it->text;
}

static bool rewrite_outer(rewrite *r, select_stmt *out)
{
    const select_stmt *sel = r->sel;
    out->items = arena_alloc(r->a, sel->nitems * sizeof(select_item));
    out->nitems = sel->nitems;
    for (size_t i = 0; i < sel->nitems; i++) {
        out->items[i] = sel->items[i];
        out->items[i].alias = label(&sel->items[i]);
        if (!(out->items[i].e = outer_expr(r, sel->items[i].e)))
            return false;
    }
    if (sel->having && !(out->having = outer_expr(r, sel->having)))
        return false;
    out->order_by = arena_alloc(r->a, (sel->norder_by + 1) * sizeof(order_item));
    for (size_t i = 0; i < sel->norder_by; i++) {
        const expr *e = sel->order_by[i].e;
        bool position = e->kind == EX_LITERAL && e->lit == LIT_INT;
        out->order_by[i] = sel->order_by[i];
        if (!position && !(out->order_by[i].e = outer_expr(r, e)))
            return false;
    }
    out->group_by = arena_alloc(r->a, (r->ngroups + 1) * sizeof(expr *));
    for (size_t i = 0; i < r->ngroups; i++)
        out->group_by[i] = column(r->a, r->groups[i], arena_printf(r->a, "g%zu", i));
    out->ngroup_by = r->ngroups;
    return true;
}

static expr *agg_of(arena *a, const expr *at, const metric *m)
{
    return call(a, at, "AGG", column(a, at, m->name));
}

/* SELECT g.. AS g<i>, x.. AS x<j>, AGG(m) AS m<k> FROM <the table> WHERE <its WHERE>
 * GROUP BY g.., x.. */
static select_stmt *inner_select(rewrite *r)
{
    const select_stmt *sel = r->sel;
    select_stmt *in = arena_alloc(r->a, sizeof(*in));
    size_t n = r->ngroups + r->ndims + r->nmetrics;
    in->items = arena_alloc(r->a, (n + 1) * sizeof(select_item));
    in->group_by = arena_alloc(r->a, (r->ngroups + r->ndims + 1) * sizeof(expr *));
    for (size_t i = 0; i < r->ngroups; i++) {
        in->items[in->nitems++] =
            (select_item){.e = (expr *)r->groups[i], .alias = arena_printf(r->a, "g%zu", i)};
        in->group_by[in->ngroup_by++] = (expr *)r->groups[i];
    }
    for (size_t j = 0; j < r->ndims; j++) {
        in->items[in->nitems++] =
            (select_item){.e = (expr *)r->dims[j], .alias = arena_printf(r->a, "x%zu", j)};
        in->group_by[in->ngroup_by++] = (expr *)r->dims[j];
    }
    for (size_t k = 0; k < r->nmetrics; k++)
        in->items[in->nitems++] = (select_item){.e = agg_of(r->a, sel->items[0].e, r->metrics[k]),
                                                .alias = arena_printf(r->a, "m%zu", k)};
    for (size_t i = 0; i < in->nitems; i++)
        in->items[i].text = in->items[i].alias;
    in->from = sel->from;
    in->nfrom = 1;
    in->where = sel->where;
    in->no_cache = sel->no_cache;
    return in;
}

const select_stmt *dimension_aggregates_rewrite(arena *a, const session_info *s,
                                                const select_stmt *sel, sql_error *err)
{
    if (mentions_metric(s, sel->where)) {
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support a condition on a metric in "
                      "WHERE beside COUNT(DISTINCT ...), MIN or MAX of a dimension: write it "
                      "in HAVING");
        return NULL;
    }
    rewrite r = {.a = a, .s = s, .sel = sel, .err = err};
    r.groups = arena_alloc(a, (sel->ngroup_by + 1) * sizeof(expr *));
    for (size_t i = 0; i < sel->ngroup_by; i++)
        add_unique(a, (const void ***)&r.groups, &r.ngroups, group_expr(sel, sel->group_by[i]),
                   same_expr_v);
    select_stmt *out = arena_alloc(a, sizeof(*out));
    *out = *sel;
    out->where = NULL;
    if (!rewrite_outer(&r, out))
        return NULL;
    /* Without groups or distinct values, one finer group per day tells whether there are
     * rows at all (a query without GROUP BY answers one row, empty input or not). */
    if (r.ngroups == 0 && r.ndims == 0)
        add_unique(a, (const void ***)&r.dims, &r.ndims, column(a, sel->items[0].e, "ds"),
                   same_expr_v);
    out->from = arena_alloc(a, sizeof(table_ref));
    out->from[0] = (table_ref){.alias = "mimir_groups",
                               .pos = sel->from[0].pos,
                               .subquery = inner_select(&r),
                               .join = JOIN_FIRST};
    out->nfrom = 1;
    return out;
}
