/*
 * Select-list aliases in ORDER BY and HAVING (planner/select_aliases.h).
 */
#include "planner/select_aliases.h"

#include <string.h>
#include <strings.h>

#include "planner/functions.h"

typedef struct alias_scope {
    arena *a;
    const select_stmt *sel;
    const char *clause; /* "order clause" or "having clause", for errors */
    bool changed;
    sql_error *err;
} alias_scope;

/* Is e the column called name (so an alias name of it names the same thing)? */
static bool is_column_named(const expr *e, const char *name)
{
    return e->kind == EX_COLUMN && strcasecmp(e->parts[e->nparts - 1], name) == 0;
}

/* The select item aliased name; -1 when none, -2 (err set) when two differ. */
static long aliased_item(alias_scope *sc, const char *name)
{
    long found = -1;
    for (size_t i = 0; i < sc->sel->nitems; i++) {
        const select_item *it = &sc->sel->items[i];
        if (!it->alias || strcasecmp(it->alias, name) != 0)
            continue;
        if (found >= 0 && strcmp(sc->sel->items[found].text, it->text) != 0) {
            sql_error_set(sc->err, ER_NON_UNIQ_ERROR, "23000", "Column '%s' in %s is ambiguous",
                          name, sc->clause);
            return -2;
        }
        if (found < 0)
            found = (long)i;
    }
    return found;
}

/* HAVING name where GROUP BY names a column of that name: MySQL cannot choose. */
static bool grouped_column(const select_stmt *sel, const char *name)
{
    for (size_t i = 0; i < sel->ngroup_by; i++)
        if (is_column_named(sel->group_by[i], name))
            return true;
    return false;
}

static expr *resolve(alias_scope *sc, expr *e);

/* e, or a copy of it with its operands resolved (NULL on error). */
static expr *resolve_operands(alias_scope *sc, expr *e)
{
    expr *c = arena_alloc(sc->a, sizeof(*c));
    *c = *e;
    if (e->left && !(c->left = resolve(sc, e->left)))
        return NULL;
    if (e->right && !(c->right = resolve(sc, e->right)))
        return NULL;
    if (e->nargs) {
        c->args = arena_alloc(sc->a, e->nargs * sizeof(expr *));
        for (size_t i = 0; i < e->nargs; i++)
            if (!(c->args[i] = resolve(sc, e->args[i])))
                return NULL;
    }
    return c;
}

static expr *resolve(alias_scope *sc, expr *e)
{
    if (e->kind == EX_FUNC && function_is_aggregate(e->text))
        return e; /* names inside an aggregate are the table's columns */
    if (e->kind != EX_COLUMN)
        return resolve_operands(sc, e);
    if (e->nparts != 1)
        return e;
    long i = aliased_item(sc, e->parts[0]);
    if (i == -2)
        return NULL;
    if (i < 0)
        return e;
    expr *to = sc->sel->items[i].e;
    if (to->kind == EX_STAR || is_column_named(to, e->parts[0]))
        return e;
    if (sc->sel->having && strcmp(sc->clause, "having clause") == 0 &&
        grouped_column(sc->sel, e->parts[0])) {
        sql_error_set(sc->err, ER_NON_UNIQ_ERROR, "23000", "Column '%s' in %s is ambiguous",
                      e->parts[0], sc->clause);
        return NULL;
    }
    sc->changed = true;
    return to;
}

static bool has_star(const select_stmt *sel)
{
    for (size_t i = 0; i < sel->nitems; i++)
        if (sel->items[i].e->kind == EX_STAR)
            return true;
    return false;
}

/* An ORDER BY item that is an alias: the item's position (its value, when a star
 * makes positions uncertain). */
static expr *resolve_order_item(alias_scope *sc, expr *e)
{
    if (e->kind != EX_COLUMN || e->nparts != 1 || has_star(sc->sel))
        return resolve(sc, e);
    long i = aliased_item(sc, e->parts[0]);
    if (i == -2)
        return NULL;
    if (i < 0 || is_column_named(sc->sel->items[i].e, e->parts[0]))
        return e;
    expr *ordinal = arena_alloc(sc->a, sizeof(*ordinal));
    ordinal->kind = EX_LITERAL;
    ordinal->lit = LIT_INT;
    ordinal->pos = e->pos;
    ordinal->end = e->end;
    ordinal->text = arena_printf(sc->a, "%ld", i + 1);
    ordinal->text_len = strlen(ordinal->text);
    sc->changed = true;
    return ordinal;
}

const select_stmt *select_resolve_aliases(arena *a, const select_stmt *sel, sql_error *err)
{
    alias_scope sc = {.a = a, .sel = sel, .clause = "order clause", .err = err};
    order_item *order = NULL;
    if (sel->norder_by) {
        order = arena_alloc(a, sel->norder_by * sizeof(*order));
        for (size_t i = 0; i < sel->norder_by; i++) {
            order[i] = sel->order_by[i];
            if (!(order[i].e = resolve_order_item(&sc, sel->order_by[i].e)))
                return NULL;
        }
    }
    expr *having = sel->having;
    sc.clause = "having clause";
    if (having && !(having = resolve(&sc, having)))
        return NULL;
    if (!sc.changed)
        return sel;
    select_stmt *out = arena_alloc(a, sizeof(*out));
    *out = *sel;
    out->order_by = order;
    out->having = having;
    return out;
}
