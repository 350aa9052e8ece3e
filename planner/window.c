#include "planner/window.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/derived.h"
#include "planner/inquiry.h"
#include "planner/window_sql.h"

#define ER_WRONG_FIELD_WITH_GROUP 1055
#define ER_WRONG_GROUP_FIELD      1056

/* The derived table the statement's grouped rows become (its name never reaches the client). */

bool select_has_window(const select_stmt *sel)
{
    for (size_t i = 0; i < sel->nitems; i++)
        if (window_in(sel->items[i].e))
            return true;
    for (size_t i = 0; i < sel->norder_by; i++)
        if (window_in(sel->order_by[i].e))
            return true;
    return false;
}

static bool misplaced(const expr *e, sql_error *err)
{
    const expr *w = window_in(e);
    if (!w)
        return false;
    sql_error_set(err, ER_WINDOW_INVALID_USE, "HY000",
                  "You cannot use the window function '%s' in this context.", w->text);
    return true;
}

bool window_check_placement(const select_stmt *sel, sql_error *err)
{
    for (const select_stmt *m = sel; m; m = m->union_next) {
        if (misplaced(m->where, err) || misplaced(m->having, err))
            return false;
        for (size_t i = 0; i < m->ngroup_by; i++)
            if (misplaced(m->group_by[i], err))
                return false;
    }
    return true;
}

/* The statement taken apart: the grouped query's items, and the SELECT over them. */
typedef struct window_rewrite {
    arena *a;
    ptr_vec hidden; /* select_item *: what the windows and ORDER BY read */
    size_t named;   /* columns named so far: mimir_w1, mimir_w2, ... */
    sql_error *err;
} window_rewrite;

static const char *next_name(window_rewrite *w)
{
    return arena_printf(w->a, "mimir_w%zu", ++w->named);
}

static expr *column_ref(arena *a, const char *name, const expr *at)
{
    expr *c = arena_alloc(a, sizeof(*c));
    c->kind = EX_COLUMN;
    c->pos = at->pos;
    c->end = at->end;
    c->parts[0] = name;
    c->nparts = 1;
    return c;
}

static expr *rewrite(window_rewrite *w, const expr *e);

static window_spec *rewrite_spec(window_rewrite *w, const window_spec *spec)
{
    window_spec *copy = arena_alloc(w->a, sizeof(*copy));
    *copy = *spec;
    copy->partition = arena_alloc(w->a, (spec->npartition + 1) * sizeof(expr *));
    for (size_t i = 0; i < spec->npartition; i++)
        if (!(copy->partition[i] = rewrite(w, spec->partition[i])))
            return NULL;
    copy->order = arena_alloc(w->a, (spec->norder + 1) * sizeof(order_item));
    for (size_t i = 0; i < spec->norder; i++) {
        copy->order[i] = spec->order[i];
        if (!(copy->order[i].e = rewrite(w, spec->order[i].e)))
            return NULL;
    }
    return copy;
}

/*
 * e as the final stage computes it over the grouped rows: each part without a
 * window becomes a column of the grouped query (a literal stays itself), the
 * windows and what contains them stay expressions over those columns.
 */
static expr *rewrite(window_rewrite *w, const expr *e)
{
    if (e->kind == EX_STAR || e->kind == EX_LITERAL)
        return (expr *)e;
    if (!window_in(e)) {
        select_item *it = arena_alloc(w->a, sizeof(*it));
        it->e = (expr *)e;
        it->alias = it->text = next_name(w);
        ptr_vec_push(w->a, &w->hidden, it);
        return column_ref(w->a, it->alias, e);
    }
    expr *copy = arena_alloc(w->a, sizeof(*copy));
    *copy = *e;
    if (e->left && !(copy->left = rewrite(w, e->left)))
        return NULL;
    if (e->right && !(copy->right = rewrite(w, e->right)))
        return NULL;
    copy->args = arena_alloc(w->a, (e->nargs + 1) * sizeof(expr *));
    for (size_t i = 0; i < e->nargs; i++)
        if (!(copy->args[i] = rewrite(w, e->args[i])))
            return NULL;
    if (e->over && !(copy->over = rewrite_spec(w, e->over)))
        return NULL;
    return copy;
}

/* The name the client sees for an item, as the metrics query would give it. */
static const char *item_name(const select_item *it)
{
    if (it->alias)
        return it->alias;
    return it->e->kind == EX_COLUMN ? it->e->parts[it->e->nparts - 1] : it->text;
}

static expr *position(arena *a, size_t k, const expr *at)
{
    expr *e = arena_alloc(a, sizeof(*e));
    e->kind = EX_LITERAL;
    e->lit = LIT_INT;
    e->pos = at->pos;
    e->text = arena_printf(a, "%zu", k);
    e->text_len = strlen(e->text);
    return e;
}

/*
 * The statement's select list: an item without a window keeps its place in
 * the grouped query (so GROUP BY 2 and HAVING alias mean what they meant),
 * named by its alias or mimir_wN; an item with one holds a NULL there and
 * is computed over the grouped rows.
 */
static bool split_items(window_rewrite *w, const select_stmt *sel, select_stmt *inner,
                        select_stmt *outer)
{
    inner->items = arena_alloc(w->a, (sel->nitems + 1) * sizeof(select_item));
    outer->items = arena_alloc(w->a, (sel->nitems + 1) * sizeof(select_item));
    inner->nitems = outer->nitems = sel->nitems;
    for (size_t i = 0; i < sel->nitems; i++) {
        const select_item *it = &sel->items[i];
        select_item *in = &inner->items[i], *out = &outer->items[i];
        if (it->e->kind == EX_STAR) {
            sql_error_set(w->err, ER_NOT_SUPPORTED_YET, "42000",
                          "This version of Mimir doesn't yet support * beside window functions: "
                          "name the columns");
            return false;
        }
        for (size_t k = 0; k < i; k++)
            if (it->alias && sel->items[k].alias &&
                strcasecmp(it->alias, sel->items[k].alias) == 0) {
                sql_error_set(w->err, ER_NOT_SUPPORTED_YET, "42000",
                              "This version of Mimir doesn't yet support two columns named "
                              "'%s' beside window functions",
                              it->alias);
                return false;
            }
        out->alias = out->text = item_name(it);
        if (window_in(it->e)) {
            expr *null_literal = arena_alloc(w->a, sizeof(*null_literal));
            null_literal->kind = EX_LITERAL;
            null_literal->lit = LIT_NULL;
            null_literal->pos = it->e->pos;
            in->e = null_literal;
            in->alias = in->text = next_name(w);
            if (!(out->e = rewrite(w, it->e)))
                return false;
            continue;
        }
        *in = *it;
        if (!in->alias)
            in->alias = next_name(w);
        out->e = column_ref(w->a, in->alias, it->e);
    }
    return true;
}

/* ORDER BY runs after the windows: a position or a column name stays one; an
 * expression reads the grouped rows like the select list. */
static bool split_order(window_rewrite *w, const select_stmt *sel, select_stmt *outer)
{
    outer->norder_by = sel->norder_by;
    outer->order_by = arena_alloc(w->a, (sel->norder_by + 1) * sizeof(order_item));
    for (size_t i = 0; i < sel->norder_by; i++) {
        const order_item *o = &sel->order_by[i];
        outer->order_by[i] = *o;
        if (o->e->kind == EX_LITERAL && o->e->lit == LIT_INT) {
            long long k = strtoll(o->e->text, NULL, 10);
            if (k >= 1 && (size_t)k <= sel->nitems)
                continue;
            sql_error_set(w->err, ER_BAD_FIELD, "42S22", "Unknown column '%s' in 'order clause'",
                          o->e->text);
            return false;
        }
        if (o->e->kind == EX_COLUMN && o->e->nparts == 1) {
            size_t k = 0;
            while (k < sel->nitems && strcasecmp(outer->items[k].alias, o->e->parts[0]) != 0)
                k++;
            if (k < sel->nitems) {
                outer->order_by[i].e = position(w->a, k + 1, o->e);
                continue;
            }
        }
        if (!(outer->order_by[i].e = rewrite(w, o->e)))
            return false;
    }
    return true;
}

/*
 * What the windows read must be what the query groups by: a dimension read
 * only by a window (PARTITION BY d without GROUP BY d) would otherwise add
 * itself to the grain and change every row. MySQL refuses it (1055, with
 * ONLY_FULL_GROUP_BY); so does Mimir. Compared by the inquiries' keys.
 */
static bool same_grain(arena *a, const session_info *s, const select_stmt *inner, size_t nvisible,
                       const source *table, sql_error *err)
{
    select_stmt visible = *inner;
    visible.nitems = nvisible;
    inquiry all, own;
    sql_error ignored;
    if (!inquiry_from_select(a, s->cat, inner, table, &all, &ignored))
        return true; /* an error here is the grouped query's, reported when it is planned */
    /* Only windows selected (SELECT SUM(AGG(m)) OVER (...) FROM ...): without GROUP BY
     * the statement is one group, whatever the windows read. */
    size_t own_dims = inquiry_from_select(a, s->cat, &visible, table, &own, &ignored) ? own.ndims
                      : inner->ngroup_by                                              ? all.ndims
                                                                                      : 0;
    if (all.ndims == own_dims)
        return true;
    sql_error_set(err, ER_WRONG_FIELD_WITH_GROUP, "42000",
                  "A window function or ORDER BY reads a dimension that is not in GROUP BY: "
                  "windows run over the grouped rows, so group by what they read "
                  "(incompatible with sql_mode=only_full_group_by)");
    return false;
}

/* GROUP BY 2 naming a window's column: MySQL cannot group on it either (1056). */
static bool groups_by_window(const select_stmt *sel, sql_error *err)
{
    for (size_t i = 0; i < sel->ngroup_by; i++) {
        const expr *g = sel->group_by[i];
        if (g->kind != EX_LITERAL || g->lit != LIT_INT)
            continue;
        long long k = strtoll(g->text, NULL, 10);
        if (k < 1 || (size_t)k > sel->nitems || !window_in(sel->items[k - 1].e))
            continue;
        sql_error_set(err, ER_WRONG_GROUP_FIELD, "42000", "Can't group on '%s'",
                      item_name(&sel->items[k - 1]));
        return true;
    }
    return false;
}

void plan_window(arena *a, const session_info *s, const select_stmt *sel, const source *table,
                 action *out)
{
    plan_note(s, "window functions are computed over the grouped rows, after GROUP BY and "
                 "HAVING, in Mimir's final stage");
    if (groups_by_window(sel, &out->error)) {
        out->kind = ACTION_ERROR;
        return;
    }
    window_rewrite w = {.a = a, .err = &out->error};
    select_stmt *inner = arena_alloc(a, sizeof(*inner));
    select_stmt *outer = arena_alloc(a, sizeof(*outer));
    *inner = *sel;
    inner->distinct = false; /* DISTINCT applies after the windows */
    inner->order_by = NULL;
    inner->norder_by = 0;
    inner->has_limit = false;
    inner->limit = inner->offset = 0;
    outer->distinct = sel->distinct;
    outer->no_cache = sel->no_cache;
    outer->has_limit = sel->has_limit;
    outer->limit = sel->limit;
    outer->offset = sel->offset;
    if (!split_items(&w, sel, inner, outer) || !split_order(&w, sel, outer)) {
        out->kind = ACTION_ERROR;
        return;
    }
    size_t nvisible = inner->nitems;
    select_item *items = arena_alloc(a, (nvisible + w.hidden.len + 1) * sizeof(select_item));
    memcpy(items, inner->items, nvisible * sizeof(select_item));
    for (size_t i = 0; i < w.hidden.len; i++)
        items[nvisible + i] = *(select_item *)w.hidden.items[i];
    inner->items = items;
    inner->nitems = nvisible + w.hidden.len;
    if (!same_grain(a, s, inner, nvisible, table, &out->error)) {
        out->kind = ACTION_ERROR;
        return;
    }
    table_ref *t = arena_alloc(a, sizeof(*t));
    t->alias = WINDOW_TABLE;
    t->pos = sel->from[0].pos;
    t->subquery = inner;
    t->join = JOIN_FIRST;
    outer->from = t;
    outer->nfrom = 1;
    plan_derived(a, s, outer, out);
}
