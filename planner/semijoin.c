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
    expr **keys;          /* the outer expressions the key values filter */
    size_t nkeys;         /* several: a row value, (k1, k2) IN ((v1, v2), ...) */
    bool null_safe;       /* NULL keys match NULL (<=>); one key only */
    bool anti;            /* key NOT IN (SELECT ...): the rows whose key is not among them */
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

static bool is_in_subquery(const expr *e)
{
    return e && e->kind == EX_IN && e->subquery;
}

/*
 * The [NOT] IN (SELECT ...) among the conjuncts of WHERE, or NOT (k IN (SELECT
 * ...)), which is the same condition; NULL when none.
 */
static expr *in_subquery(expr *e)
{
    if (!e)
        return NULL;
    if (e->kind == EX_BINARY && e->op == OP_AND) {
        expr *l = in_subquery(e->left);
        return l ? l : in_subquery(e->right);
    }
    if (e->kind == EX_UNARY && e->op == OP_NOT && is_in_subquery(e->left))
        return e;
    return is_in_subquery(e) ? e : NULL;
}

bool semijoin_candidate(const select_stmt *sel)
{
    if (sel->nfrom == 2) /* a table (or a derived table) and a subquery */
        return sel->from[0].subquery || sel->from[1].subquery;
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
    const char *
        *keys; /* the subquery's key columns: unqualified, each is the table's (equal) key */
    size_t nkeys;
} outer_names;

static bool is_key_name(const outer_names *n, const char *name)
{
    for (size_t i = 0; i < n->nkeys; i++)
        if (strcasecmp(n->keys[i], name) == 0)
            return true;
    return false;
}

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
        if (e->nparts == 1 && (outer_alias(n->outer, e->parts[0]) || is_key_name(n, e->parts[0])))
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
                                            const char **keys, size_t nkeys)
{
    outer_names n = {.sub = sub, .outer = sel, .keys = keys, .nkeys = nkeys};
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

static expr *key_literal(semijoin *sj, const phase_keys *k, size_t i, size_t c)
{
    expr *v = new_expr(sj->a, EX_LITERAL, sj->keys[c]);
    const char *value = k->values[i * k->ncols + c];
    if (!value)
        return v; /* zeroed: LIT_NULL */
    v->lit = (literal_kind)k->kinds[c];
    v->text = arena_strndup(sj->a, value, k->lengths[i * k->ncols + c]);
    v->text_len = k->lengths[i * k->ncols + c];
    return v;
}

static bool row_has_null(const phase_keys *k, size_t i)
{
    for (size_t c = 0; c < k->ncols; c++)
        if (!k->values[i * k->ncols + c])
            return true;
    return false;
}

/* A row value (e0, e1, ...) of n expressions. */
static expr *row_value(semijoin *sj, expr **items, size_t n)
{
    expr *row = new_expr(sj->a, EX_ROW, sj->keys[0]);
    row->args = items;
    row->nargs = n;
    return row;
}

/* The literals of key row i: one value, or a row value of them. */
static expr *key_row(semijoin *sj, const phase_keys *k, size_t i)
{
    if (k->ncols == 1)
        return key_literal(sj, k, i, 0);
    expr **items = arena_alloc(sj->a, k->ncols * sizeof(expr *));
    for (size_t c = 0; c < k->ncols; c++)
        items[c] = key_literal(sj, k, i, c);
    return row_value(sj, items, k->ncols);
}

/*
 * key IN (values), or (k1, k2) IN ((v1, v2), ...): rows with a NULL left out
 * (= never holds for them); IN (NULL), true for no row, when none is left.
 */
static expr *keys_in_list(semijoin *sj, const phase_keys *k, bool *has_null)
{
    expr *in = new_expr(sj->a, EX_IN, sj->keys[0]);
    in->left = sj->nkeys == 1 ? sj->keys[0] : row_value(sj, sj->keys, sj->nkeys);
    in->args = arena_alloc(sj->a, (k->n + 1) * sizeof(expr *));
    for (size_t i = 0; i < k->n; i++) {
        if (row_has_null(k, i)) {
            *has_null = true;
            continue;
        }
        in->args[in->nargs++] = key_row(sj, k, i);
    }
    if (in->nargs == 0) {
        phase_keys nulls = {.values = arena_alloc(sj->a, sj->nkeys * sizeof(char *)),
                            .lengths = arena_alloc(sj->a, sj->nkeys * sizeof(size_t)),
                            .n = 1,
                            .ncols = sj->nkeys,
                            .kinds = k->kinds};
        in->args[in->nargs++] = key_row(sj, &nulls, 0);
    }
    return in;
}

/* The filter the key values make: key IN (...), or key IS NULL OR key IN (...). */
static expr *keys_filter(semijoin *sj, const phase_keys *k)
{
    bool has_null = false;
    expr *in = keys_in_list(sj, k, &has_null);
    if (!sj->null_safe || !has_null)
        return in;
    expr *is_null = new_expr(sj->a, EX_IS, sj->keys[0]);
    is_null->lit = LIT_NULL;
    is_null->left = sj->keys[0];
    expr * or = new_expr(sj->a, EX_BINARY, sj->keys[0]);
    or->op = OP_OR;
    or->left = is_null;
    or->right = in;
    return or ;
}

static expr *truth_literal(semijoin *sj, bool value)
{
    expr *e = new_expr(sj->a, EX_LITERAL, sj->keys[0]);
    e->lit = value ? LIT_TRUE : LIT_FALSE;
    e->subquery_value = true; /* the subquery's answer, not a probe's WHERE FALSE */
    e->text = value ? "TRUE" : "FALSE";
    e->text_len = strlen(e->text);
    return e;
}

/*
 * key NOT IN (values), with MySQL's rules for NULL: no value at all is TRUE for
 * every row (even a NULL key); a NULL among the values makes the condition
 * NULL, never TRUE, for every row; otherwise a NULL key is NULL too, which
 * `key NOT IN (...)` in the sources' WHERE says itself.
 */
static expr *anti_filter(semijoin *sj, const phase_keys *k)
{
    if (k->n == 0)
        return truth_literal(sj, true);
    for (size_t i = 0; i < k->n; i++)
        if (row_has_null(k, i))
            return truth_literal(sj, false);
    bool has_null = false;
    expr *in = keys_in_list(sj, k, &has_null);
    in->negated = true;
    return in;
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

static expr *and_filter(semijoin *sj, expr *where, expr *filter)
{
    if (!where)
        return filter;
    expr *and = new_expr(sj->a, EX_BINARY, where);
    and->op = OP_AND;
    and->left = where;
    and->right = filter;
    return and;
}

static bool push_into_derived(semijoin *sj, select_stmt *sel, const phase_keys *k);

static const select_stmt *plan_with_keys(semijoin *sj, const phase_keys *k, action *out)
{
    select_stmt *sel = arena_alloc(sj->a, sizeof(*sel));
    *sel = *sj->outer;
    if (sj->in_node)
        sel->where = replace_node(sj->a, sel->where, sj->in_node,
                                  sj->anti ? anti_filter(sj, k) : keys_filter(sj, k));
    else if (!push_into_derived(sj, sel, k))
        sel->where = and_filter(sj, sel->where, keys_filter(sj, k));
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
    plan_like_template(act.plan, sj->template);
    *out = act.plan;
    return true;
}

/* ---- The two shapes ---------------------------------------------------------- */

/* One equality of ON: the subquery's output column and the table's side. */
typedef struct join_key {
    const expr *sub_col; /* a column naming the subquery */
    expr *outer;         /* the table's expression it equals */
    size_t item;         /* the subquery's select item sub_col names */
} join_key;

/* Does e name a column of the subquery anywhere? */
static bool mentions_subquery(const table_ref *sub, const expr *e)
{
    if (!e)
        return false;
    if (e->kind == EX_COLUMN)
        return names_subquery(sub, e);
    if (mentions_subquery(sub, e->left) || mentions_subquery(sub, e->right))
        return true;
    for (size_t i = 0; i < e->nargs; i++)
        if (mentions_subquery(sub, e->args[i]))
            return true;
    return false;
}

/* a = s.k (either way round): the key it makes; false when it is not one. */
static bool equality_key(const table_ref *sub, const expr *eq, join_key *k)
{
    if (eq->kind != EX_BINARY || (eq->op != OP_EQ && eq->op != OP_NULL_SAFE_EQ))
        return false;
    bool left = eq->left->kind == EX_COLUMN && names_subquery(sub, eq->left);
    bool right = eq->right->kind == EX_COLUMN && names_subquery(sub, eq->right);
    if (left == right)
        return false;
    k->sub_col = left ? eq->left : eq->right;
    k->outer = left ? eq->right : eq->left;
    if (mentions_subquery(sub, k->outer))
        return false;
    long item = output_column(sub->subquery, k->sub_col->parts[k->sub_col->nparts - 1]);
    k->item = (size_t)item;
    return item >= 0;
}

static void collect_and(arena *a, const expr *e, ptr_vec *out)
{
    if (e->kind == EX_BINARY && e->op == OP_AND) {
        collect_and(a, e->left, out);
        collect_and(a, e->right, out);
    } else {
        ptr_vec_push(a, out, (void *)e);
    }
}

/*
 * ON as the keys it equates: one equality (=, <=>, or Tableau's null-safe
 * OR form), or several `=` joined by AND (a row value of keys).
 */
static bool join_keys(arena *a, const table_ref *sub, const expr *on, join_key **keys, size_t *n,
                      bool *null_safe, action *out)
{
    *null_safe = false;
    ptr_vec conj = {0};
    const expr *single = on ? join_equality(on, null_safe) : NULL;
    if (single)
        ptr_vec_push(a, &conj, (void *)single);
    else if (on)
        collect_and(a, on, &conj);
    *keys = arena_alloc(a, (conj.len + 1) * sizeof(join_key));
    *n = conj.len;
    for (size_t i = 0; i < conj.len; i++) {
        const expr *eq = conj.items[i];
        if (!equality_key(sub, eq, &(*keys)[i]) || (conj.len > 1 && eq->op != OP_EQ)) {
            refuse(out, "the ON condition must be an equality of an expression of the table with "
                        "a column of the subquery, or several joined by AND");
            return false;
        }
    }
    if (conj.len == 0 || conj.len > SEMIJOIN_MAX_KEY_COLUMNS) {
        refuse(out, conj.len ? "too many join keys" : "the join needs an ON condition");
        return false;
    }
    return true;
}

/* Does GROUP BY item g name the subquery's select item k? */
static bool groups_item(const select_stmt *sub, const expr *g, size_t k)
{
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

/* The subquery is grouped by its key items and nothing else: each key row comes once. */
static bool grouped_by_keys(const select_stmt *sub, const join_key *keys, size_t n)
{
    if (sub->ngroup_by != n || sub->distinct)
        return false;
    for (size_t i = 0; i < n; i++) {
        size_t matched = 0;
        for (size_t g = 0; g < n; g++)
            matched += groups_item(sub, sub->group_by[g], keys[i].item);
        if (matched != 1)
            return false;
    }
    return true;
}

/* The outer statement's own copy, with the subquery's keys named through the table. */
typedef struct key_names {
    arena *a;
    const table_ref *sub;
    const join_key *keys;
    size_t n;
} key_names;

/* s.k (qualified by the subquery) is the table's expression it equals: the join says so. */
static expr *through_table(const key_names *kn, expr *e)
{
    if (!e)
        return NULL;
    if (e->kind == EX_COLUMN) {
        if (e->nparts < 2 || !names_subquery(kn->sub, e))
            return e;
        for (size_t i = 0; i < kn->n; i++)
            if (output_column(kn->sub->subquery, e->parts[e->nparts - 1]) == (long)kn->keys[i].item)
                return kn->keys[i].outer;
        return e;
    }
    expr *c = arena_alloc(kn->a, sizeof(*c));
    *c = *e;
    c->left = through_table(kn, e->left);
    c->right = through_table(kn, e->right);
    if (e->nargs) {
        c->args = arena_alloc(kn->a, e->nargs * sizeof(expr *));
        for (size_t i = 0; i < e->nargs; i++)
            c->args[i] = through_table(kn, e->args[i]);
    }
    return c;
}

static void keys_through_table(const key_names *kn, select_stmt *outer)
{
    select_item *items = arena_alloc(kn->a, (outer->nitems + 1) * sizeof(*items));
    for (size_t i = 0; i < outer->nitems; i++) {
        items[i] = outer->items[i];
        const expr *e = items[i].e;
        items[i].e = through_table(kn, items[i].e);
        if (!items[i].alias && e->kind == EX_COLUMN && items[i].e != e) /* t0.ds is named ds */
            items[i].alias = e->parts[e->nparts - 1];
    }
    outer->items = items;
    outer->where = through_table(kn, outer->where);
    outer->having = through_table(kn, outer->having);
    expr **group = arena_alloc(kn->a, (outer->ngroup_by + 1) * sizeof(expr *));
    for (size_t i = 0; i < outer->ngroup_by; i++)
        group[i] = through_table(kn, outer->group_by[i]);
    outer->group_by = group;
    order_item *order = arena_alloc(kn->a, (outer->norder_by + 1) * sizeof(*order));
    for (size_t i = 0; i < outer->norder_by; i++) {
        order[i] = outer->order_by[i];
        order[i].e = through_table(kn, order[i].e);
    }
    outer->order_by = order;
}

/* The outer statement: the table alone, the subquery's keys named through it. */
static const expr *outer_statement(semijoin *sj, const select_stmt *sel, const table_ref *t,
                                   const key_names *kn)
{
    select_stmt *outer = arena_alloc(sj->a, sizeof(*outer));
    *outer = *sel;
    table_ref *only = arena_alloc(sj->a, sizeof(*only));
    *only = *t;
    only->join = JOIN_FIRST;
    only->on = NULL;
    outer->from = only;
    outer->nfrom = 1;
    keys_through_table(kn, outer);
    sj->outer = outer;
    const char **names = arena_alloc(sj->a, kn->n * sizeof(char *));
    for (size_t i = 0; i < kn->n; i++)
        names[i] = item_name(&kn->sub->subquery->items[kn->keys[i].item]);
    return outer_subquery_reference(outer, kn->sub, names, kn->n);
}

/*
 * Which of the two tables of FROM is the filter: the subquery when the other
 * is a table; of two subqueries (a derived table joined to Superset's
 * series_limit), the one grouped by the join keys alone, the second when both
 * are (the filter is written after the table it filters).
 */
static size_t filter_side(arena *a, const select_stmt *sel)
{
    if (!sel->from[0].subquery || !sel->from[1].subquery)
        return sel->from[0].subquery ? 0 : 1;
    for (size_t side = 2; side-- > 0;) {
        join_key *keys;
        size_t n;
        bool null_safe;
        action ignored;
        memset(&ignored, 0, sizeof(ignored));
        if (join_keys(a, &sel->from[side], sel->from[1].on, &keys, &n, &null_safe, &ignored) &&
            grouped_by_keys(sel->from[side].subquery, keys, n))
            return side;
    }
    return 1;
}

/* FROM t JOIN (SELECT ...) s ON t.k = s.k [AND ...]: sj's outer statement and keys. */
static bool join_shape(arena *a, const select_stmt *sel, semijoin *sj, const select_stmt **inner,
                       size_t **key_cols, action *out)
{
    size_t ti = filter_side(a, sel) == 1 ? 0 : 1;
    const table_ref *t = &sel->from[ti], *sub = &sel->from[1 - ti];
    if (sel->from[1].join != JOIN_INNER) {
        refuse(out, "only INNER JOIN filters");
        return false;
    }
    join_key *keys;
    size_t n;
    if (!join_keys(a, sub, sel->from[1].on, &keys, &n, &sj->null_safe, out))
        return false;
    if (!grouped_by_keys(sub->subquery, keys, n)) {
        refuse(out, n == 1 ? "the subquery must be grouped by the join key alone"
                           : "the subquery must be grouped by the join keys alone");
        return false;
    }
    key_names kn = {.a = a, .sub = sub, .keys = keys, .n = n};
    const expr *ref = outer_statement(sj, sel, t, &kn);
    if (ref) {
        refuse(out, arena_printf(a, "the subquery's column '%s' is used outside the ON condition",
                                 ref->parts[ref->nparts - 1]));
        return false;
    }
    sj->nkeys = n;
    sj->keys = arena_alloc(a, n * sizeof(expr *));
    *key_cols = arena_alloc(a, n * sizeof(size_t));
    for (size_t i = 0; i < n; i++) {
        sj->keys[i] = keys[i].outer;
        (*key_cols)[i] = keys[i].item;
    }
    *inner = sub->subquery;
    return true;
}

/* ---- Filtering a derived table ----------------------------------------------------
 *
 * When the table filtered is a derived table grouped by the key (Superset's
 * virtual dataset joined to its series_limit), filtering its groups by the
 * key is filtering its rows by the key: the filter goes into its inner query,
 * and so into the sources' WHERE, rather than after it. Not when the inner
 * query has a LIMIT, which picks rows before any filter would.
 */

/* The inner expression of the derived table's grouped column that key names; NULL if none. */
static expr *grouped_inner_key(const table_ref *t, const expr *key)
{
    const select_stmt *in = t->subquery;
    if (key->kind != EX_COLUMN || key->nparts > 2 ||
        (key->nparts == 2 && (!t->alias || strcasecmp(key->parts[0], t->alias) != 0)))
        return NULL;
    long k = output_column(in, key->parts[key->nparts - 1]);
    if (k < 0 || in->items[k].e->kind == EX_STAR)
        return NULL;
    for (size_t g = 0; g < in->ngroup_by; g++)
        if (groups_item(in, in->group_by[g], (size_t)k))
            return in->items[k].e;
    return NULL;
}

static bool push_into_derived(semijoin *sj, select_stmt *sel, const phase_keys *k)
{
    const table_ref *t = &sel->from[0];
    if (sel->nfrom != 1 || !t->subquery || t->subquery->has_limit || t->subquery->union_next)
        return false;
    expr **inner_keys = arena_alloc(sj->a, sj->nkeys * sizeof(expr *));
    for (size_t i = 0; i < sj->nkeys; i++)
        if (!(inner_keys[i] = grouped_inner_key(t, sj->keys[i])))
            return false;
    expr **outer_keys = sj->keys;
    sj->keys = inner_keys; /* the same filter, on the inner query's expressions */
    expr *filter = keys_filter(sj, k);
    sj->keys = outer_keys;
    select_stmt *in = arena_alloc(sj->a, sizeof(*in));
    *in = *t->subquery;
    in->where = and_filter(sj, in->where, filter);
    table_ref *only = arena_alloc(sj->a, sizeof(*only));
    *only = *t;
    only->subquery = in;
    sel->from = only;
    return true;
}

/* WHERE k [NOT] IN (SELECT k ...), or NOT (k IN (SELECT k ...)). */
static bool in_shape(arena *a, const select_stmt *sel, semijoin *sj, const select_stmt **inner,
                     size_t **key_cols, action *out)
{
    expr *node = in_subquery(sel->where);
    const expr *in = node->kind == EX_UNARY ? node->left : node;
    sj->anti = (node->kind == EX_UNARY) != in->negated;
    const select_stmt *sub = in->subquery;
    if (sub->nitems != 1 || sub->items[0].e->kind == EX_STAR) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_OPERAND_COLUMNS, "21000",
                      "Operand should contain 1 column(s)");
        return false;
    }
    sj->outer = (select_stmt *)sel;
    sj->in_node = node;
    sj->keys = arena_alloc(a, sizeof(expr *));
    sj->keys[0] = in->left;
    sj->nkeys = 1;
    *inner = sub;
    *key_cols = arena_alloc(a, sizeof(size_t)); /* zeroed: the only column */
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
static phase_keys const_keys(arena *a, const const_result *r, const size_t *cols, size_t ncols)
{
    const char **values = arena_alloc(a, (r->nrows * ncols + 1) * sizeof(char *));
    size_t *lengths = arena_alloc(a, (r->nrows * ncols + 1) * sizeof(size_t));
    int *kinds = arena_alloc(a, ncols * sizeof(int));
    for (size_t c = 0; c < ncols; c++) {
        size_t col = cols[c];
        kinds[c] = col < r->ncols ? literal_kind_of(r->cols[col].type) : LIT_STRING;
        for (size_t i = 0; i < r->nrows && col < r->ncols; i++) {
            const char *v = r->values[i * r->ncols + col];
            values[i * ncols + c] = v;
            lengths[i * ncols + c] = !v           ? 0
                                     : r->lengths ? r->lengths[i * r->ncols + col]
                                                  : strlen(v);
        }
    }
    return (phase_keys){
        .values = values, .lengths = lengths, .n = r->nrows, .ncols = ncols, .kinds = kinds};
}

static const char *expr_name(arena *a, const expr *e)
{
    if (e->kind == EX_COLUMN)
        return e->parts[e->nparts - 1];
    if (e->kind == EX_FUNC && e->nargs >= 1 && e->args[0]->kind == EX_COLUMN)
        return arena_printf(a, "%s(%s)", e->text, e->args[0]->parts[e->args[0]->nparts - 1]);
    return "an expression";
}

/* What the filter is on, for messages: k, or (k1, k2). */
static const char *keys_name(arena *a, const semijoin *sj)
{
    if (sj->nkeys == 1)
        return expr_name(a, sj->keys[0]);
    const char *name = "(";
    for (size_t i = 0; i < sj->nkeys; i++)
        name = arena_printf(a, "%s%s%s", name, i ? ", " : "", expr_name(a, sj->keys[i]));
    return arena_printf(a, "%s)", name);
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

static bool keys_in_result(const plan *p, const size_t *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cols[i] >= p->ncols)
            return false;
    return true;
}

void plan_semijoin(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    semijoin *sj = arena_alloc(a, sizeof(*sj));
    sj->a = a;
    sj->s = *s;
    sj->s.notes = NULL; /* the outer statement is planned again once the keys are known */
    const select_stmt *inner_sel = NULL;
    size_t *key_cols = NULL;
    bool shaped = sel->nfrom == 2 ? join_shape(a, sel, sj, &inner_sel, &key_cols, out)
                                  : in_shape(a, sel, sj, &inner_sel, &key_cols, out);
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
        phase_keys k = const_keys(a, &inner.rows, key_cols, sj->nkeys);
        plan_with_keys(sj, &k, out);
        return;
    }
    if (inner.kind != ACTION_QUERY || !keys_in_result(inner.plan, key_cols, sj->nkeys)) {
        refuse(out, "the subquery must query a mimir table");
        return;
    }
    plan_note(s, "the join to the subquery (or [NOT] IN (SELECT ...)) is a semi-join filter: the "
                 "subquery runs first and its keys go into the sources' WHERE as parameters");
    phase_keys none = {.ncols = sj->nkeys};
    sj->template_sel = plan_with_keys(sj, &none, out);
    if (out->kind != ACTION_QUERY)
        return; /* an error, or an answer that needs no key (a schema probe) */
    sj->template = out->plan;
    plan_phase *ph = arena_alloc(a, sizeof(*ph));
    ph->inner = inner.plan;
    ph->key_cols = key_cols;
    ph->nkey_cols = sj->nkeys;
    ph->max_keys = s->max_semijoin_values ? s->max_semijoin_values : SEMIJOIN_MAX_KEYS;
    ph->key_name = keys_name(a, sj);
    ph->anti = sj->anti;
    ph->ctx = sj;
    ph->plan_outer = plan_outer;
    out->plan->phase = ph;
}

const select_stmt *semijoin_outer_select(const plan *p)
{
    return p->phase ? ((const semijoin *)p->phase->ctx)->template_sel : NULL;
}
