/*
 * Views: inlining an ungrouped derived table (planner/view.h).
 */
#include "planner/view.h"

#include <string.h>
#include <strings.h>

#include "planner/functions.h"
#include "planner/inquiry.h"

typedef struct view {
    arena *a;
    const session_info *s;
    const table_ref *t;       /* the derived table */
    const select_stmt *inner; /* its SELECT */
    bool star;                /* the inner SELECT passes the table's columns through */
    sql_error *err;
} view;

/* The inner SELECT is a filter and renaming of one mimir table's (or view's) rows. */
static bool is_view(const session_info *s, const select_stmt *in)
{
    if (in->nfrom != 1 || in->union_next || in->distinct || in->ngroup_by || in->having ||
        in->has_limit)
        return false;
    for (size_t i = 0; i < in->nitems; i++)
        if (expr_has_aggregate(in->items[i].e))
            return false;
    const table_ref *t = &in->from[0];
    const char *db = t->db ? t->db : s->db;
    return t->subquery || (db && strcasecmp(db, MIMIR_DATABASE) == 0);
}

/* The name MySQL gives an inner column. */
static const char *inner_name(const select_item *it)
{
    if (it->alias)
        return it->alias;
    if (it->e->kind == EX_COLUMN)
        return it->e->parts[it->e->nparts - 1];
    return it->text;
}

/* A metric named in the view's WHERE: a test of each row, which Mimir cannot make. */
static const char *row_level_metric(const session_info *s, const expr *e)
{
    if (!e || e->kind == EX_SUBQUERY || e->kind == EX_EXISTS)
        return NULL;
    if (e->kind == EX_COLUMN) {
        const char *name = e->parts[e->nparts - 1], *grain;
        time_grain g;
        bool dim =
            canonical_dimension(s->cat, name) || catalog_time_grain_of(s->cat, name, &g, &grain);
        return !dim && canonical_metric(s->cat, name) ? name : NULL;
    }
    const char *m = row_level_metric(s, e->left);
    if (!m)
        m = row_level_metric(s, e->right);
    for (size_t i = 0; !m && i < e->nargs; i++)
        m = row_level_metric(s, e->args[i]);
    return m;
}

static expr *unknown(view *v, const expr *col)
{
    sql_error_set(v->err, ER_BAD_FIELD, "42S22", "Unknown column '%s' in derived table '%s'",
                  col->parts[col->nparts - 1], v->t->alias);
    return NULL;
}

/* A column of the outer query: the inner expression it names. */
static expr *inner_expr(view *v, expr *col)
{
    bool ours = col->nparts == 1 ||
                (col->nparts == 2 && v->t->alias && strcasecmp(col->parts[0], v->t->alias) == 0);
    if (!ours)
        return unknown(v, col);
    const char *name = col->parts[col->nparts - 1];
    for (size_t i = 0; i < v->inner->nitems; i++) {
        const select_item *it = &v->inner->items[i];
        if (it->e->kind != EX_STAR && strcasecmp(inner_name(it), name) == 0)
            return it->e;
    }
    if (!v->star)
        return unknown(v, col);
    if (col->nparts == 1)
        return col;
    expr *bare = arena_alloc(v->a, sizeof(*bare));
    *bare = *col;
    bare->parts[0] = name;
    bare->nparts = 1;
    return bare;
}

/* e with every outer column replaced by what it names (NULL on error). */
static expr *substitute(view *v, expr *e)
{
    if (!e)
        return NULL;
    if (e->kind == EX_COLUMN)
        return inner_expr(v, e);
    expr *c = arena_alloc(v->a, sizeof(*c));
    *c = *e; /* a subquery keeps its own names */
    if (e->left && !(c->left = substitute(v, e->left)))
        return NULL;
    if (e->right && !(c->right = substitute(v, e->right)))
        return NULL;
    if (e->nargs) {
        c->args = arena_alloc(v->a, e->nargs * sizeof(expr *));
        for (size_t i = 0; i < e->nargs; i++)
            if (!(c->args[i] = substitute(v, e->args[i])))
                return NULL;
    }
    return c;
}

/* The outer select list; an outer * stands for the inner columns by their names. */
static bool substitute_items(view *v, const select_stmt *outer, select_stmt *out)
{
    size_t n = 0;
    for (size_t i = 0; i < outer->nitems; i++)
        n += outer->items[i].e->kind == EX_STAR && !v->star ? v->inner->nitems : 1;
    out->items = arena_alloc(v->a, (n + 1) * sizeof(select_item));
    out->nitems = 0;
    for (size_t i = 0; i < outer->nitems; i++) {
        const select_item *it = &outer->items[i];
        if (it->e->kind == EX_STAR && !v->star) {
            for (size_t k = 0; k < v->inner->nitems; k++) {
                select_item *o = &out->items[out->nitems++];
                *o = v->inner->items[k];
                o->alias = inner_name(&v->inner->items[k]);
            }
            continue;
        }
        select_item *o = &out->items[out->nitems++];
        *o = *it;
        if (it->e->kind == EX_STAR)
            continue;
        if (!(o->e = substitute(v, it->e)))
            return false;
        if (!it->alias && it->e->kind == EX_COLUMN) /* labelled as the outer query names it */
            o->alias = it->e->parts[it->e->nparts - 1];
    }
    return true;
}

static expr *and_of(arena *a, expr *l, expr *r)
{
    if (!l || !r)
        return l ? l : r;
    expr *and = arena_alloc(a, sizeof(*and));
    and->kind = EX_BINARY;
    and->op = OP_AND;
    and->pos = l->pos;
    and->end = r->end;
    and->left = l;
    and->right = r;
    return and;
}

static bool substitute_clauses(view *v, const select_stmt *outer, select_stmt *out)
{
    expr *where = NULL;
    if (outer->where && !(where = substitute(v, outer->where)))
        return false;
    out->where = and_of(v->a, v->inner->where, where);
    if (outer->having && !(out->having = substitute(v, outer->having)))
        return false;
    out->group_by = arena_alloc(v->a, (outer->ngroup_by + 1) * sizeof(expr *));
    for (size_t i = 0; i < outer->ngroup_by; i++)
        if (!(out->group_by[i] = substitute(v, outer->group_by[i])))
            return false;
    out->order_by = arena_alloc(v->a, (outer->norder_by + 1) * sizeof(order_item));
    for (size_t i = 0; i < outer->norder_by; i++) {
        out->order_by[i] = outer->order_by[i];
        if (!(out->order_by[i].e = substitute(v, outer->order_by[i].e)))
            return false;
    }
    return true;
}

view_result view_inline(arena *a, const session_info *s, const select_stmt *sel,
                        const select_stmt **out, sql_error *err)
{
    const table_ref *t = &sel->from[0];
    const select_stmt *in = t->subquery;
    if (sel->nfrom != 1 || !in || !is_view(s, in))
        return VIEW_NONE;
    view v = {.a = a, .s = s, .t = t, .inner = in, .err = err};
    for (size_t i = 0; i < in->nitems; i++)
        v.star |= in->items[i].e->kind == EX_STAR;
    select_stmt *inlined = arena_alloc(a, sizeof(*inlined));
    *inlined = *sel; /* DISTINCT, LIMIT and the cache hint are the outer query's */
    inlined->no_cache = sel->no_cache || in->no_cache;
    inlined->from = in->from;
    inlined->nfrom = 1;
    if (!substitute_items(&v, sel, inlined) || !substitute_clauses(&v, sel, inlined))
        return VIEW_ERROR;
    /* Inner or outer, WHERE over a view tests each of its rows. */
    const char *m = row_level_metric(s, inlined->where);
    if (m) {
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "Row-level reads are not supported: the WHERE over the derived table '%s' "
                      "tests the metric '%s' row by row; Mimir holds metrics, not rows. Group "
                      "the inner query and filter with HAVING AGG(%s) ...",
                      t->alias ? t->alias : "", m, m);
        return VIEW_ERROR;
    }
    *out = inlined;
    return VIEW_INLINED;
}
