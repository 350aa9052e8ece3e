/*
 * Semi-join filters (planner/semijoin.h): recognising the two shapes, planning
 * the subquery as the first phase, and planning the outer statement again
 * once the subquery's key values are known.
 */
#include "planner/semijoin.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/derived.h"

/* Everything plan_outer needs: it runs after planning returned (proxy/exec/phases.c). */
typedef struct semijoin {
    arena *a;
    session_info s;       /* a copy: what it points at lives while the statement runs */
    select_stmt *outer;   /* the statement without the subquery */
    expr *key;            /* the outer expression the key values filter */
    bool null_safe;       /* NULL keys match NULL (<=>) */
    expr *in_node;        /* IN (SELECT ...) form: the node of WHERE the filter replaces */
    const plan *template; /* the outer statement planned with no keys */
    const select_stmt *template_sel; /* its statement */
} semijoin;

static void refuse(action *out, const char *why)
{
    out->kind = ACTION_ERROR;
    sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                  "This version of Mimir doesn't yet support this join (%s): a join is answered "
                  "only as a semi-join filter, an INNER JOIN of a mimir table to a subquery "
                  "grouped by the join key, ON table.key = subquery.key (or <=>, or "
                  "table.key IN (SELECT key ...) in WHERE)",
                  why);
}

/* The IN (SELECT ...) among the conjuncts of WHERE; NULL when none. */
static expr *in_subquery(expr *e)
{
    if (!e)
        return NULL;
    if (e->kind == EX_BINARY && e->op == OP_AND) {
        expr *l = in_subquery(e->left);
        return l ? l : in_subquery(e->right);
    }
    return e->kind == EX_IN && e->subquery && !e->negated ? e : NULL;
}

bool semijoin_candidate(const select_stmt *sel)
{
    if (sel->nfrom == 2)
        return (sel->from[0].subquery != NULL) != (sel->from[1].subquery != NULL);
    return sel->nfrom == 1 && !sel->from[0].subquery && in_subquery(sel->where);
}

static bool same_column(const expr *a, const expr *b)
{
    if (a->kind != EX_COLUMN || b->kind != EX_COLUMN || a->nparts != b->nparts)
        return false;
    for (int i = 0; i < a->nparts; i++)
        if (strcasecmp(a->parts[i], b->parts[i]) != 0)
            return false;
    return true;
}

static bool is_null_test(const expr *e, const expr *col)
{
    return e->kind == EX_IS && e->lit == LIT_NULL && !e->negated && same_column(e->left, col);
}

static bool is_column_eq(const expr *e)
{
    return e->kind == EX_BINARY && (e->op == OP_EQ || e->op == OP_NULL_SAFE_EQ) &&
           e->left->kind == EX_COLUMN && e->right->kind == EX_COLUMN;
}

/* a = b, a <=> b, or (a = b) OR (a IS NULL AND b IS NULL): the two columns. */
static const expr *join_equality(const expr *on, bool *null_safe)
{
    if (!on)
        return NULL;
    if (is_column_eq(on)) {
        *null_safe = on->op == OP_NULL_SAFE_EQ;
        return on;
    }
    if (on->kind != EX_BINARY || on->op != OP_OR)
        return NULL;
    const expr *eq = on->left, *nulls = on->right;
    if (!is_column_eq(eq)) {
        eq = on->right;
        nulls = on->left;
    }
    if (!is_column_eq(eq) || nulls->kind != EX_BINARY || nulls->op != OP_AND)
        return NULL;
    const expr *l = eq->left, *r = eq->right;
    if (!(is_null_test(nulls->left, l) && is_null_test(nulls->right, r)) &&
        !(is_null_test(nulls->left, r) && is_null_test(nulls->right, l)))
        return NULL;
    *null_safe = true;
    return eq;
}

/* The name a select item gives its column. */
static const char *item_name(const select_item *it)
{
    if (it->alias)
        return it->alias;
    if (it->e->kind == EX_COLUMN)
        return it->e->parts[it->e->nparts - 1];
    return it->text;
}

/* The select item of sel named name; -1 when none. */
static long output_column(const select_stmt *sel, const char *name)
{
    for (size_t i = 0; i < sel->nitems; i++)
        if (item_name(&sel->items[i]) && strcasecmp(item_name(&sel->items[i]), name) == 0)
            return (long)i;
    return -1;
}

/* The subquery is grouped by its item k and nothing else: each key comes once. */
static bool grouped_by_key(const select_stmt *sub, size_t k)
{
    if (sub->ngroup_by != 1 || sub->distinct)
        return false;
    const expr *g = sub->group_by[0];
    const select_item *it = &sub->items[k];
    if (g->kind == EX_LITERAL && g->lit == LIT_INT)
        return strtoll(g->text, NULL, 10) == (long long)k + 1;
    if (g->kind != EX_COLUMN)
        return false;
    if (g->nparts == 1 && it->alias && strcasecmp(g->parts[0], it->alias) == 0)
        return true;
    return it->e->kind == EX_COLUMN &&
           strcasecmp(g->parts[g->nparts - 1], it->e->parts[it->e->nparts - 1]) == 0;
}

/* A column of ON names the subquery (qualified by its alias, or one of its output names). */
static bool names_subquery(const table_ref *sub, const expr *c)
{
    if (c->nparts >= 2)
        return sub->alias && strcasecmp(c->parts[c->nparts - 2], sub->alias) == 0;
    return output_column(sub->subquery, c->parts[0]) >= 0;
}

/* What the outer statement may name outside ON. */
typedef struct outer_names {
    const table_ref *sub;
    const select_stmt *outer;
    const char *key; /* the subquery's key column: unqualified, it is the table's (equal) key */
} outer_names;

/* An alias the outer select gives explicitly. */
static bool outer_alias(const select_stmt *outer, const char *name)
{
    for (size_t i = 0; i < outer->nitems; i++)
        if (outer->items[i].alias && strcasecmp(outer->items[i].alias, name) == 0)
            return true;
    return false;
}

/*
 * A column the outer statement names outside ON that belongs to the
 * subquery; NULL when none. Unqualified, the key's name is the table's key
 * (MySQL would call it ambiguous; both have the same value), and any other
 * output name of the subquery is refused rather than read as the table's.
 */
static const expr *subquery_reference(const expr *e, const outer_names *n)
{
    if (!e)
        return NULL;
    if (e->kind == EX_COLUMN) {
        if (e->nparts == 1 &&
            (outer_alias(n->outer, e->parts[0]) || strcasecmp(e->parts[0], n->key) == 0))
            return NULL;
        return names_subquery(n->sub, e) ? e : NULL;
    }
    const expr *r = subquery_reference(e->left, n);
    if (!r)
        r = subquery_reference(e->right, n);
    for (size_t i = 0; !r && i < e->nargs; i++)
        r = subquery_reference(e->args[i], n);
    return r;
}

static const expr *outer_subquery_reference(const select_stmt *sel, const table_ref *sub,
                                            const char *key)
{
    outer_names n = {.sub = sub, .outer = sel, .key = key};
    const expr *r = subquery_reference(sel->where, &n);
    if (!r)
        r = subquery_reference(sel->having, &n);
    for (size_t i = 0; !r && i < sel->nitems; i++)
        r = subquery_reference(sel->items[i].e, &n);
    for (size_t i = 0; !r && i < sel->ngroup_by; i++)
        r = subquery_reference(sel->group_by[i], &n);
    for (size_t i = 0; !r && i < sel->norder_by; i++)
        r = subquery_reference(sel->order_by[i].e, &n);
    return r;
}

/* ---- Planning the outer statement with the key values ------------------------ */

static expr *new_expr(arena *a, expr_kind kind, const expr *at)
{
    expr *e = arena_alloc(a, sizeof(*e));
    e->kind = kind;
    e->pos = at->pos;
    e->end = at->end;
    return e;
}

/* key IN (values), NULL keys left out; IN (NULL), true for no row, when none is left. */
static expr *keys_in_list(semijoin *sj, const phase_keys *k, bool *has_null)
{
    expr *in = new_expr(sj->a, EX_IN, sj->key);
    in->left = sj->key;
    in->args = arena_alloc(sj->a, (k->n + 1) * sizeof(expr *));
    for (size_t i = 0; i < k->n; i++) {
        if (!k->values[i]) {
            *has_null = true;
            continue;
        }
        expr *v = new_expr(sj->a, EX_LITERAL, sj->key);
        v->lit = (literal_kind)k->kind;
        v->text = arena_strndup(sj->a, k->values[i], k->lengths[i]);
        v->text_len = k->lengths[i];
        in->args[in->nargs++] = v;
    }
    if (in->nargs == 0)
        in->args[in->nargs++] = new_expr(sj->a, EX_LITERAL, sj->key); /* zeroed: LIT_NULL */
    return in;
}

/* The filter the key values make: key IN (...), or key IS NULL OR key IN (...). */
static expr *keys_filter(semijoin *sj, const phase_keys *k)
{
    bool has_null = false;
    expr *in = keys_in_list(sj, k, &has_null);
    if (!sj->null_safe || !has_null)
        return in;
    expr *is_null = new_expr(sj->a, EX_IS, sj->key);
    is_null->lit = LIT_NULL;
    is_null->left = sj->key;
    expr * or = new_expr(sj->a, EX_BINARY, sj->key);
    or->op = OP_OR;
    or->left = is_null;
    or->right = in;
    return or ;
}

/* e with the node `target` replaced (only along its ANDs, where in_subquery finds it). */
static expr *replace_node(arena *a, expr *e, const expr *target, expr *with)
{
    if (e == target)
        return with;
    if (!e || e->kind != EX_BINARY || e->op != OP_AND)
        return e;
    expr *c = arena_alloc(a, sizeof(*c));
    *c = *e;
    c->left = replace_node(a, e->left, target, with);
    c->right = replace_node(a, e->right, target, with);
    return c;
}

static const select_stmt *plan_with_keys(semijoin *sj, const phase_keys *k, action *out)
{
    select_stmt *sel = arena_alloc(sj->a, sizeof(*sel));
    *sel = *sj->outer;
    expr *filter = keys_filter(sj, k);
    if (sj->in_node) {
        sel->where = replace_node(sj->a, sel->where, sj->in_node, filter);
    } else if (sel->where) {
        expr *and = new_expr(sj->a, EX_BINARY, sel->where);
        and->op = OP_AND;
        and->left = sel->where;
        and->right = filter;
        sel->where = and;
    } else {
        sel->where = filter;
    }
    plan_select(sj->a, &sj->s, sel, out);
    return sel;
}

/* plan_phase.plan_outer: called by execution once the first phase has answered. */
static bool plan_outer(void *ctx, const phase_keys *k, const plan **out, sql_error *err)
{
    semijoin *sj = ctx;
    action act;
    memset(&act, 0, sizeof(act));
    plan_with_keys(sj, k, &act);
    if (act.kind == ACTION_ERROR) {
        *err = act.error;
        return false;
    }
    if (act.kind != ACTION_QUERY) {
        sql_error_set(err, ER_UNKNOWN_ERROR, "HY000",
                      "the outer query of a semi-join filter did not plan as a query");
        return false;
    }
    act.plan->no_cache = sj->template->no_cache;
    act.plan->nondeterministic = sj->template->nondeterministic;
    /* The columns as the prepare described them (planner/layer_types.h). */
    for (size_t i = 0; i < act.plan->ncols && act.plan->ncols == sj->template->ncols; i++)
        act.plan->cols[i].layer_type = sj->template->cols[i].layer_type;
    *out = act.plan;
    return true;
}

/* ---- The two shapes ---------------------------------------------------------- */

/* FROM t JOIN (SELECT ...) s ON t.k = s.k: sj's outer statement and key; false (out) if not. */
static bool join_shape(arena *a, const select_stmt *sel, semijoin *sj, const select_stmt **inner,
                       size_t *key_col, action *out)
{
    size_t ti = sel->from[0].subquery ? 1 : 0;
    const table_ref *t = &sel->from[ti], *sub = &sel->from[1 - ti];
    const table_ref *joined = &sel->from[1];
    if (joined->join != JOIN_INNER) {
        refuse(out, "only INNER JOIN filters");
        return false;
    }
    bool null_safe = false;
    const expr *eq = join_equality(joined->on, &null_safe);
    if (!eq) {
        refuse(out, "the ON condition must be one equality of two columns");
        return false;
    }
    bool left_sub = names_subquery(sub, eq->left), right_sub = names_subquery(sub, eq->right);
    if (left_sub == right_sub) {
        refuse(out, "the ON condition must compare a column of the table with one of the subquery");
        return false;
    }
    const expr *sub_col = left_sub ? eq->left : eq->right;
    long k = output_column(sub->subquery, sub_col->parts[sub_col->nparts - 1]);
    if (k < 0 || !grouped_by_key(sub->subquery, (size_t)k)) {
        refuse(out, "the subquery must be grouped by the join key alone");
        return false;
    }
    const expr *ref =
        outer_subquery_reference(sel, sub, item_name(&sub->subquery->items[(size_t)k]));
    if (ref) {
        refuse(out, arena_printf(a, "the subquery's column '%s' is used outside the ON condition",
                                 ref->parts[ref->nparts - 1]));
        return false;
    }
    select_stmt *outer = arena_alloc(a, sizeof(*outer));
    *outer = *sel;
    table_ref *only = arena_alloc(a, sizeof(*only));
    *only = *t;
    only->join = JOIN_FIRST;
    only->on = NULL;
    outer->from = only;
    outer->nfrom = 1;
    sj->outer = outer;
    sj->key = (expr *)(left_sub ? eq->right : eq->left);
    sj->null_safe = null_safe;
    *inner = sub->subquery;
    *key_col = (size_t)k;
    return true;
}

/* WHERE k IN (SELECT k ...). */
static bool in_shape(arena *a, const select_stmt *sel, semijoin *sj, const select_stmt **inner,
                     size_t *key_col, action *out)
{
    (void)a;
    expr *in = in_subquery(sel->where);
    const select_stmt *sub = in->subquery;
    if (sub->nitems != 1 || sub->items[0].e->kind == EX_STAR) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_OPERAND_COLUMNS, "21000",
                      "Operand should contain 1 column(s)");
        return false;
    }
    sj->outer = (select_stmt *)sel;
    sj->in_node = in;
    sj->key = in->left;
    *inner = sub;
    *key_col = 0;
    return true;
}

static int literal_kind_of(value_type t)
{
    switch (t) {
    case VT_BOOL:
    case VT_INT16:
    case VT_INT32:
    case VT_INT64:
        return LIT_INT;
    case VT_DECIMAL:
    case VT_FLOAT:
    case VT_DOUBLE:
        return LIT_NUMBER;
    default:
        return LIT_STRING;
    }
}

/* The keys of a subquery the planner answered itself (a probe such as LIMIT 0). */
static phase_keys const_keys(arena *a, const const_result *r, size_t col)
{
    const char **values = arena_alloc(a, (r->nrows + 1) * sizeof(char *));
    size_t *lengths = arena_alloc(a, (r->nrows + 1) * sizeof(size_t));
    for (size_t i = 0; i < r->nrows; i++) {
        values[i] = r->values[i * r->ncols + col];
        lengths[i] = !values[i]   ? 0
                     : r->lengths ? r->lengths[i * r->ncols + col]
                                  : strlen(values[i]);
    }
    return (phase_keys){.values = values,
                        .lengths = lengths,
                        .n = r->nrows,
                        .kind = col < r->ncols ? literal_kind_of(r->cols[col].type) : LIT_STRING};
}

static const char *expr_name(const expr *e)
{
    return e->kind == EX_COLUMN ? e->parts[e->nparts - 1] : "the IN expression";
}

/* The subquery reads a mimir table (or a derived table over one): it is an inquiry. */
static bool reads_mimir(const session_info *s, const select_stmt *sub)
{
    if (sub->nfrom != 1)
        return sub->nfrom == 0 ? false : true; /* a join: refused when it is planned */
    const table_ref *t = &sub->from[0];
    const char *db = t->db ? t->db : s->db;
    return t->subquery || (db && strcasecmp(db, MIMIR_DATABASE) == 0);
}

void plan_semijoin(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    semijoin *sj = arena_alloc(a, sizeof(*sj));
    sj->a = a;
    sj->s = *s;
    const select_stmt *inner_sel = NULL;
    size_t key_col = 0;
    bool shaped = sel->nfrom == 2 ? join_shape(a, sel, sj, &inner_sel, &key_col, out)
                                  : in_shape(a, sel, sj, &inner_sel, &key_col, out);
    if (!shaped)
        return;
    if (!reads_mimir(s, inner_sel)) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support subqueries outside "
                      "information_schema other than semi-join filters, whose subquery reads a "
                      "mimir table");
        return;
    }
    action inner;
    memset(&inner, 0, sizeof(inner));
    plan_select(a, s, inner_sel, &inner);
    if (inner.kind == ACTION_ERROR) {
        *out = inner;
        return;
    }
    if (inner.kind == ACTION_ROWS) { /* answered without a backend: the keys are known now */
        phase_keys k = const_keys(a, &inner.rows, key_col);
        plan_with_keys(sj, &k, out);
        return;
    }
    if (inner.kind != ACTION_QUERY || inner.plan->ncols <= key_col) {
        refuse(out, "the subquery must query a mimir table");
        return;
    }
    phase_keys none = {.kind = LIT_STRING};
    sj->template_sel = plan_with_keys(sj, &none, out);
    if (out->kind != ACTION_QUERY)
        return; /* an error, or an answer that needs no key (a schema probe) */
    sj->template = out->plan;
    plan_phase *ph = arena_alloc(a, sizeof(*ph));
    ph->inner = inner.plan;
    ph->key_col = key_col;
    ph->max_keys = s->max_semijoin_values ? s->max_semijoin_values : SEMIJOIN_MAX_KEYS;
    ph->key_name = expr_name(sj->key);
    ph->ctx = sj;
    ph->plan_outer = plan_outer;
    out->plan->phase = ph;
}

const select_stmt *semijoin_outer_select(const plan *p)
{
    return p->phase ? ((const semijoin *)p->phase->ctx)->template_sel : NULL;
}
