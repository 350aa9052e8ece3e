#include "planner/scalar_subquery.h"

#include <string.h>
#include <strings.h>

#include "planner/cache_hints.h"
#include "planner/derived.h"

/* Everything plan_outer needs: it runs after planning returned (proxy/exec/phases.c). */
typedef struct scalar {
    arena *a;
    session_info s; /* a copy: what it points at lives while the statement runs */
    const select_stmt *sel;
    const expr *target; /* the subquery node its value replaces */
} scalar;

/* The first (SELECT ...) used as a value, or EXISTS (SELECT ...), in e, not looking into
 * subqueries. */
static const expr *find_scalar(const expr *e)
{
    if (!e)
        return NULL;
    if (e->kind == EX_SUBQUERY || e->kind == EX_EXISTS)
        return e;
    const expr *found = find_scalar(e->left);
    if (!found)
        found = find_scalar(e->right);
    for (size_t i = 0; !found && i < e->nargs; i++)
        found = find_scalar(e->args[i]);
    return found;
}

static const expr *first_scalar(const select_stmt *sel)
{
    const expr *found = NULL;
    for (size_t i = 0; !found && i < sel->nitems; i++)
        found = find_scalar(sel->items[i].e);
    if (!found)
        found = find_scalar(sel->where);
    if (!found)
        found = find_scalar(sel->having);
    for (size_t i = 0; !found && i < sel->norder_by; i++)
        found = find_scalar(sel->order_by[i].e);
    return found;
}

bool scalar_subquery_candidate(const select_stmt *sel)
{
    return first_scalar(sel) != NULL;
}

/* e with target replaced by with: the nodes on the way are copied, the rest shared. */
static expr *replace(arena *a, expr *e, const expr *target, expr *with)
{
    if (!e || e == target)
        return e == target ? with : NULL;
    if (!find_scalar(e))
        return e;
    expr *copy = arena_alloc(a, sizeof(*copy));
    *copy = *e;
    copy->left = replace(a, e->left, target, with);
    copy->right = replace(a, e->right, target, with);
    copy->args = arena_alloc(a, (e->nargs + 1) * sizeof(expr *));
    for (size_t i = 0; i < e->nargs; i++)
        copy->args[i] = replace(a, e->args[i], target, with);
    return copy;
}

static const select_stmt *with_value(const scalar *sc, expr *value)
{
    arena *a = sc->a;
    select_stmt *s = arena_alloc(a, sizeof(*s));
    *s = *sc->sel;
    s->items = arena_alloc(a, (s->nitems + 1) * sizeof(select_item));
    for (size_t i = 0; i < s->nitems; i++) {
        s->items[i] = sc->sel->items[i];
        s->items[i].e = replace(a, s->items[i].e, sc->target, value);
    }
    s->where = replace(a, s->where, sc->target, value);
    s->having = replace(a, s->having, sc->target, value);
    s->order_by = arena_alloc(a, (s->norder_by + 1) * sizeof(order_item));
    for (size_t i = 0; i < s->norder_by; i++) {
        s->order_by[i] = sc->sel->order_by[i];
        s->order_by[i].e = replace(a, s->order_by[i].e, sc->target, value);
    }
    return s;
}

/*
 * The subquery's value as a literal where it stood: NULL when it returned no row. A
 * DOUBLE gets an exponent (4.25e0), which keeps it a DOUBLE in the rules of the final
 * stage, as MySQL keeps the subquery's type; a DECIMAL keeps its digits and scale.
 */
static expr *value_literal(arena *a, const expr *at, const char *value, size_t len, int kind,
                           bool approximate)
{
    expr *e = arena_alloc(a, sizeof(*e));
    e->kind = EX_LITERAL;
    e->pos = at->pos;
    e->end = at->end;
    e->lit = value ? (literal_kind)kind : LIT_NULL;
    e->subquery_value = true;
    e->text = value ? arena_strndup(a, value, len) : NULL;
    if (value && kind == LIT_NUMBER && approximate && !memchr(value, 'e', len) &&
        !memchr(value, 'E', len))
        e->text = arena_printf(a, "%se0", e->text);
    e->text_len = e->text ? strlen(e->text) : 0;
    return e;
}

/* EXISTS (SELECT ...) once the subquery has answered: TRUE when it returned a row. */
static expr *exists_literal(arena *a, const expr *at, bool found)
{
    expr *e = value_literal(a, at, found ? "TRUE" : "FALSE", found ? 4 : 5, 0, false);
    e->lit = found ? LIT_TRUE : LIT_FALSE;
    return e;
}

static bool plan_outer(void *ctx, const phase_keys *k, const plan **out, sql_error *err)
{
    scalar *sc = ctx;
    expr *v = sc->target->kind == EX_EXISTS
                  ? exists_literal(sc->a, sc->target, k->n > 0)
                  : value_literal(sc->a, sc->target, k->n ? k->values[0] : NULL,
                                  k->n ? k->lengths[0] : 0, k->kinds[0], k->approximate[0]);
    action act;
    memset(&act, 0, sizeof(act));
    plan_select(sc->a, &sc->s, with_value(sc, v), &act);
    if (act.kind == ACTION_QUERY) {
        /* The statement's cache hints, as the first phase has them: NOW() in the
         * subquery makes the outer phase's answer change by itself too. */
        cache_hints h;
        select_cache_hints(sc->sel, &h);
        act.plan->no_cache = h.no_cache;
        act.plan->nondeterministic = h.nondeterministic;
        *out = act.plan;
        return true;
    }
    if (act.kind == ACTION_ERROR)
        *err = act.error;
    else
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support this use of a subquery's value");
    return false;
}

static void refuse(action *out, uint16_t code, const char *state, const char *msg)
{
    out->kind = ACTION_ERROR;
    sql_error_set(&out->error, code, state, "%s", msg);
}

/* A subquery answered without a backend (SELECT 1): its value is known now. */
static void plan_with_rows(scalar *sc, const const_result *r, action *out)
{
    if (sc->target->kind == EX_EXISTS) {
        plan_select(sc->a, &sc->s, with_value(sc, exists_literal(sc->a, sc->target, r->nrows > 0)),
                    out);
        return;
    }
    if (r->ncols != 1) {
        refuse(out, ER_OPERAND_COLUMNS, "21000", "Operand should contain 1 column(s)");
        return;
    }
    if (r->nrows > 1) {
        refuse(out, ER_SUBQUERY_NO_1_ROW, "21000", "Subquery returns more than 1 row");
        return;
    }
    const char *v = r->nrows ? r->values[0] : NULL;
    int t = r->cols[0].type;
    int kind = t == VT_INT64 || t == VT_INT32 || t == VT_INT16 || t == VT_BOOL ? LIT_INT
               : t == VT_DECIMAL || t == VT_DOUBLE || t == VT_FLOAT            ? LIT_NUMBER
                                                                               : LIT_STRING;
    size_t len = v ? (r->lengths ? r->lengths[0] : strlen(v)) : 0;
    bool approximate = t == VT_DOUBLE || t == VT_FLOAT;
    plan_select(sc->a, &sc->s,
                with_value(sc, value_literal(sc->a, sc->target, v, len, kind, approximate)), out);
}

/* A column of e qualified by the outer table's alias or name (t.col), or NULL. */
static const expr *outer_reference(const expr *e, const table_ref *outer)
{
    if (!e)
        return NULL;
    if (e->kind == EX_COLUMN && e->nparts >= 2) {
        const char *q = e->parts[e->nparts - 2];
        if ((outer->alias && strcasecmp(q, outer->alias) == 0) ||
            (!outer->alias && outer->name && strcasecmp(q, outer->name) == 0))
            return e;
    }
    const expr *found = outer_reference(e->left, outer);
    if (!found)
        found = outer_reference(e->right, outer);
    for (size_t i = 0; !found && i < e->nargs; i++)
        found = outer_reference(e->args[i], outer);
    return found;
}

/*
 * A subquery that names the outer query's table (WHERE t.d = outer.d) is correlated:
 * planned alone its names do not resolve (1054). Say what is not supported instead.
 */
static void refuse_correlated(const select_stmt *sel, const select_stmt *sub, action *out)
{
    if (out->error.code != ER_BAD_FIELD || !sel->nfrom)
        return;
    const expr *ref = outer_reference(sub->where, &sel->from[0]);
    if (!ref)
        ref = outer_reference(sub->having, &sel->from[0]);
    for (size_t i = 0; !ref && i < sub->nitems; i++)
        ref = outer_reference(sub->items[i].e, &sel->from[0]);
    if (ref)
        sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support correlated subqueries (the "
                      "subquery reads %s.%s of the outer query): group the outer query by it "
                      "instead",
                      ref->parts[ref->nparts - 2], ref->parts[ref->nparts - 1]);
}

/*
 * What EXISTS runs: the subquery, at most one row of it (whether there is one is
 * all EXISTS asks), with its own LIMIT kept when it is smaller.
 */
static const select_stmt *exists_select(arena *a, const select_stmt *sub)
{
    if (sub->union_next || (sub->has_limit && sub->limit <= 1))
        return sub;
    select_stmt *one = arena_alloc(a, sizeof(*one));
    *one = *sub;
    one->has_limit = true;
    one->limit = 1;
    return one;
}

/* The subquery planned as the first phase: its first row decides the value. */
static bool plan_inner(scalar *sc, const select_stmt *sel, action *inner, action *out)
{
    bool exists = sc->target->kind == EX_EXISTS;
    const select_stmt *sub = sc->target->subquery;
    memset(inner, 0, sizeof(*inner));
    plan_select(sc->a, &sc->s, exists ? exists_select(sc->a, sub) : sub, inner);
    if (inner->kind == ACTION_ERROR) {
        *out = *inner;
        refuse_correlated(sel, sub, out);
        if (exists && inner->error.code == ER_NOT_SUPPORTED_YET) /* SELECT 1, SELECT * ... */
            sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                          "%s (the subquery of EXISTS is a metrics query: name a dimension and "
                          "group by it, EXISTS (SELECT d FROM mimir.metrics WHERE ... GROUP BY d))",
                          inner->error.message);
        return false;
    }
    if (inner->kind == ACTION_ROWS) {
        plan_with_rows(sc, &inner->rows, out);
        return false;
    }
    if (inner->kind != ACTION_QUERY || inner->plan->phase) {
        refuse(out, ER_NOT_SUPPORTED_YET, "42000",
               exists ? "This version of Mimir doesn't yet support an EXISTS subquery that is "
                        "not a query on a mimir table, or that has a subquery or semi-join "
                        "filter of its own"
                      : "This version of Mimir doesn't yet support a scalar subquery that is not "
                        "a query on a mimir table, or that has a subquery or semi-join filter of "
                        "its own");
        return false;
    }
    if (!exists && inner->plan->ncols != 1) {
        refuse(out, ER_OPERAND_COLUMNS, "21000", "Operand should contain 1 column(s)");
        return false;
    }
    return true;
}

void plan_scalar_subquery(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    scalar *sc = arena_alloc(a, sizeof(*sc));
    *sc = (scalar){.a = a, .s = *s, .sel = sel, .target = first_scalar(sel)};
    sc->s.notes = NULL; /* the statement is planned again once the value is known */
    bool exists = sc->target->kind == EX_EXISTS;
    action inner;
    if (!plan_inner(sc, sel, &inner, out))
        return;
    /* Planned once without the value (NULL; TRUE for EXISTS): the result's columns, for a
     * prepare and EXPLAIN; execution plans it again with the value. */
    const select_stmt *template_sel =
        with_value(sc, exists ? exists_literal(a, sc->target, true)
                              : value_literal(a, sc->target, NULL, 0, 0, false));
    plan_select(a, s, template_sel, out);
    if (out->kind == ACTION_ERROR)
        return;
    if (out->kind != ACTION_QUERY) { /* answered now, but not with the subquery's value */
        refuse(out, ER_NOT_SUPPORTED_YET, "42000",
               "This version of Mimir doesn't yet support a scalar subquery in a statement "
               "that reads no mimir table");
        return;
    }
    plan *top = arena_alloc(a, sizeof(*top));
    *top = *out->plan;
    static const size_t first_column[] = {0};
    plan_phase *ph = arena_alloc(a, sizeof(*ph));
    *ph = (plan_phase){.inner = inner.plan,
                       .key_cols = first_column,
                       .nkey_cols = 1,
                       .max_keys = 1,
                       .key_name = exists ? "EXISTS" : "a scalar subquery",
                       .ctx = sc,
                       .plan_outer = plan_outer,
                       .scalar = true,
                       .exists = exists,
                       .outer_select = template_sel};
    top->phase = ph;
    out->plan = top;
}
