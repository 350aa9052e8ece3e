#include "planner/set_operation.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/derived.h"
#include "planner/final_exact.h"
#include "planner/sql_builder.h"

/* One member of the union, planned alone; qoff and poff place its atomic queries and
 * final parameters among the union's. */
typedef struct member {
    const plan *p;
    size_t qoff, poff;
    bool all_after; /* UNION ALL joins it to the next member */
} member;

static void fail(action *out, unsigned code, const char *state, const char *msg)
{
    out->kind = ACTION_ERROR;
    sql_error_set(&out->error, (uint16_t)code, state, "%s", msg);
}

/* A rule of member m's types, with its atomic queries where the union loads them. */
static const type_rule *shifted_rule(arena *a, const type_rule *r, size_t qoff)
{
    if (!r)
        return NULL;
    type_rule *c = arena_alloc(a, sizeof(*c));
    *c = *r;
    if (r->kind == TR_INPUT)
        c->query += qoff;
    c->a = shifted_rule(a, r->a, qoff);
    c->b = shifted_rule(a, r->b, qoff);
    return c;
}

static const type_rule *member_column_rule(arena *a, const member *m, size_t i)
{
    const plan_column *c = &m->p->cols[i];
    if (c->computed)
        return shifted_rule(a, c->type, m->qoff);
    return type_rule_input(a, c->query + m->qoff, c->query_col);
}

/* Does the column hold numbers that may be exact decimals (text in the final stage)? */
static bool rule_is_number(const type_rule *r)
{
    switch (r ? r->kind : TR_UNKNOWN) {
    case TR_PLUS:
    case TR_TIMES:
    case TR_DIVIDE:
    case TR_MOD:
    case TR_ROUND:
    case TR_SUM:
    case TR_AVG:
        return true;
    case TR_FIXED:
        return r->type == VT_DECIMAL || r->type == VT_INT64 || r->type == VT_DOUBLE;
    case TR_SAME:
        return rule_is_number(r->a);
    case TR_MERGE:
        return rule_is_number(r->a) || rule_is_number(r->b);
    default:
        return false;
    }
}

static bool column_is_number(const plan_column *c)
{
    return c->is_metric || (c->computed && rule_is_number(c->type));
}

/*
 * A member's final SQL with its parameters renumbered after the members
 * before it (?1 becomes ?(1 + poff)). Quoted names and strings are copied as
 * they are: a `?` there is text.
 */
static void append_shifted(sql_builder *b, const char *sql, size_t poff)
{
    for (const char *c = sql; *c;) {
        if (*c == '"' || *c == '\'') {
            const char *e = c + 1;
            while (*e && (*e != *c || e[1] == *c))
                e += *e == *c ? 2 : 1;
            e += *e ? 1 : 0;
            buf_append(&b->out, c, (size_t)(e - c));
            c = e;
        } else if (*c == '?' && isdigit((unsigned char)c[1])) {
            char *end;
            unsigned long n = strtoul(c + 1, &end, 10);
            buf_printf(&b->out, "?%lu", n + (unsigned long)poff);
            c = end;
        } else {
            buf_append_byte(&b->out, (uint8_t)*c++);
        }
    }
}

/*
 * SELECT <columns> FROM (WITH "s0" AS (...), ..., "mimir_member"("c1", ...) AS
 * (<its final SQL>) SELECT * FROM "mimir_member"): the member's tables under
 * the names its SQL was written with, its columns by position. Numbers
 * become text compared as decimals, so that members whose numbers have other
 * types (5 and 5.00) meet, in UNION DISTINCT and in ORDER BY; anything else
 * takes the union column's type (type_params[i], a PARAM_TYPE the executor
 * binds): a DATE beside a DATETIME is its midnight.
 */
static void print_member(sql_builder *b, const member *m, size_t k, const bool *numbers,
                         const size_t *type_params)
{
    sb_str(b, "SELECT ");
    for (size_t i = 0; i < m->p->ncols; i++) {
        const char *col = arena_printf(b->a, "c%zu", i + 1);
        sb_str(b, i ? ", " : "");
        sb_str(b, numbers[i] ? "CAST(" : "mimir_as_type(");
        sb_ident(b, col);
        if (numbers[i])
            sb_str(b, k == 0 ? " AS TEXT) COLLATE mimir_decimal" : " AS TEXT)");
        else
            buf_printf(&b->out, ", ?%zu)", type_params[i]);
        sb_str(b, " AS ");
        sb_ident(b, col);
    }
    sb_str(b, " FROM (WITH ");
    for (size_t i = 0; k > 0 && i < m->p->nqueries; i++) {
        sb_ident(b, arena_printf(b->a, "s%zu", i));
        sb_str(b, " AS (SELECT * FROM ");
        sb_ident(b, arena_printf(b->a, "mimir_u%zu_%zu", k, i));
        sb_str(b, "), ");
    }
    sb_str(b, "\"mimir_member\"(");
    for (size_t i = 0; i < m->p->ncols; i++) {
        sb_str(b, i ? ", " : "");
        sb_ident(b, arena_printf(b->a, "c%zu", i + 1));
    }
    sb_str(b, ") AS (");
    if (m->p->final_sql)
        append_shifted(b, m->p->final_sql, m->poff);
    else
        sb_str(b, "SELECT * FROM \"s0\"");
    sb_str(b, ") SELECT * FROM \"mimir_member\")");
}

/* ORDER BY of the whole union: a position, or a column name of the first member. */
static bool print_order(sql_builder *b, const select_stmt *last, const plan *first,
                        const bool *numbers, action *out)
{
    for (size_t i = 0; i < last->norder_by; i++) {
        const expr *e = last->order_by[i].e;
        size_t k = 0;
        if (e->kind == EX_LITERAL && e->lit == LIT_INT) {
            k = (size_t)strtoull(e->text, NULL, 10);
        } else if (e->kind == EX_COLUMN) {
            const char *name = e->parts[e->nparts - 1];
            for (size_t c = 0; !k && c < first->ncols; c++)
                if (strcasecmp(first->cols[c].name, name) == 0)
                    k = c + 1;
            if (!k) {
                out->kind = ACTION_ERROR;
                sql_error_set(&out->error, ER_BAD_FIELD, "42S22",
                              "Unknown column '%s' in 'order clause'", name);
                return false;
            }
        } else {
            fail(out, ER_NOT_SUPPORTED_YET, "42000",
                 "This version of Mimir doesn't yet support ORDER BY of a UNION other than by "
                 "a column name or position");
            return false;
        }
        if (k < 1 || k > first->ncols) {
            out->kind = ACTION_ERROR;
            sql_error_set(&out->error, ER_BAD_FIELD, "42S22",
                          "Unknown column '%s' in 'order clause'", e->text);
            return false;
        }
        buf_printf(&b->out, "%s%zu%s%s", i ? ", " : " ORDER BY ", k,
                   numbers[k - 1] ? " COLLATE mimir_decimal" : "",
                   last->order_by[i].desc ? " DESC" : "");
    }
    if (last->has_limit)
        buf_printf(&b->out, " LIMIT %lld OFFSET %lld", (long long)last->limit,
                   (long long)last->offset);
    return true;
}

/* Plans each member alone; false with out set when one cannot be a union member. */
static bool plan_members(arena *a, const session_info *s, const select_stmt *sel, member *ms,
                         size_t n, action *out)
{
    size_t qoff = 0, poff = 0, i = 0;
    for (const select_stmt *m = sel; m; m = m->union_next, i++) {
        select_stmt *alone = arena_alloc(a, sizeof(*alone));
        *alone = *m;
        alone->union_next = NULL;
        alone->order_by = NULL; /* the last member's belong to the union */
        alone->norder_by = 0;
        alone->has_limit = false;
        action act;
        memset(&act, 0, sizeof(act));
        session_info alone_s = *s; /* no phase of a rollup's (planner/rollup_phase.h) */
        alone_s.no_rollup_phase = true;
        plan_select(a, &alone_s, alone, &act);
        if (act.kind == ACTION_ERROR) {
            *out = act;
            return false;
        }
        if (act.kind != ACTION_QUERY || act.plan->phase) {
            fail(out, ER_NOT_SUPPORTED_YET, "42000",
                 act.kind != ACTION_QUERY
                     ? "This version of Mimir doesn't yet support a UNION member that reads no "
                       "mimir table beside members that do"
                     : "This version of Mimir doesn't yet support a semi-join filter in a UNION");
            return false;
        }
        if (i > 0 && act.plan->ncols != ms[0].p->ncols) {
            fail(out, ER_WRONG_NUMBER_OF_COLUMNS_IN_SELECT, "21000",
                 "The used SELECT statements have a different number of columns");
            return false;
        }
        ms[i] = (member){.p = act.plan, .qoff = qoff, .poff = poff, .all_after = m->union_all};
        qoff += act.plan->nqueries;
        poff += act.plan->nfinal_params;
    }
    (void)n;
    return true;
}

/* The union's plan: every member's atomic queries, and the union's columns and types. */
static plan *union_plan(arena *a, const member *ms, size_t n, bool *numbers)
{
    plan *u = arena_alloc(a, sizeof(*u));
    const plan *first = ms[0].p;
    u->nqueries = ms[n - 1].qoff + ms[n - 1].p->nqueries;
    u->queries = arena_alloc(a, (u->nqueries + 1) * sizeof(atomic_query));
    size_t *keys = arena_alloc(a, (u->nqueries + 1) * sizeof(size_t));
    for (size_t k = 0; k < n; k++) {
        memcpy(u->queries + ms[k].qoff, ms[k].p->queries, ms[k].p->nqueries * sizeof(atomic_query));
        for (size_t q = 0; q < ms[k].p->nqueries; q++)
            keys[ms[k].qoff + q] = ms[k].p->final_sql ? ms[k].p->njoin_cols : 0;
        u->no_cache |= ms[k].p->no_cache;
        u->nondeterministic |= ms[k].p->nondeterministic;
    }
    u->query_keys = keys;
    u->ncols = first->ncols;
    u->cols = arena_alloc(a, (u->ncols + 1) * sizeof(plan_column));
    for (size_t i = 0; i < u->ncols; i++) {
        plan_column *c = &u->cols[i];
        c->name = c->org_name = first->cols[i].name;
        c->computed = true;
        c->type = member_column_rule(a, &ms[0], i);
        for (size_t k = 0; k < n; k++) {
            numbers[i] |= column_is_number(&ms[k].p->cols[i]);
            c->is_metric |= ms[k].p->cols[i].is_metric;
            if (k == 0)
                continue;
            type_rule *merge = arena_alloc(a, sizeof(*merge));
            merge->kind = TR_MERGE; /* MySQL's union column: the wider type */
            merge->a = c->type;
            merge->b = member_column_rule(a, &ms[k], i);
            c->type = merge;
        }
        c->layer_type.type = VT_NULL;
    }
    return u;
}

void plan_metrics_union(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    size_t n = 0;
    const select_stmt *last = sel;
    for (const select_stmt *m = sel; m; m = m->union_next, n++)
        last = m;
    member *ms = arena_alloc(a, n * sizeof(member));
    if (!plan_members(a, s, sel, ms, n, out))
        return;
    bool *numbers = arena_alloc(a, (ms[0].p->ncols + 1) * sizeof(bool));
    plan *u = union_plan(a, ms, n, numbers);
    sql_builder b;
    sb_init(&b, a, DIALECT_SQLITE);
    for (size_t k = 1; k < n; k++) {
        for (size_t q = 0; q < ms[k].p->nqueries; q++) {
            sb_str(&b, k == 1 && q == 0 ? "WITH " : ", ");
            sb_ident(&b, arena_printf(a, "mimir_u%zu_%zu", k, q));
            sb_str(&b, " AS (SELECT * FROM ");
            sb_ident(&b, arena_printf(a, "s%zu", ms[k].qoff + q));
            sb_str(&b, ")");
        }
    }
    /* The union's columns under the first member's names: a derived table reads them. */
    sb_str(&b, b.out.len ? " SELECT " : "SELECT ");
    for (size_t i = 0; i < u->ncols; i++) {
        sb_str(&b, i ? ", " : "");
        sb_ident(&b, arena_printf(a, "c%zu", i + 1));
        sb_str(&b, " AS ");
        sb_ident(&b, u->cols[i].name);
    }
    sb_str(&b, " FROM (");
    /* After every member's own parameters: the union columns' types. */
    size_t *type_params = arena_alloc(a, (u->ncols + 1) * sizeof(size_t));
    size_t next = ms[n - 1].poff + ms[n - 1].p->nfinal_params;
    for (size_t i = 0; i < u->ncols; i++)
        type_params[i] = numbers[i] ? 0 : ++next;
    for (size_t k = 0; k < n; k++) {
        if (k)
            sb_str(&b, ms[k - 1].all_after ? " UNION ALL " : " UNION ");
        print_member(&b, &ms[k], k, numbers, type_params);
        for (size_t i = 0; i < ms[k].p->nfinal_params; i++) {
            query_param *p = arena_alloc(a, sizeof(*p));
            *p = ms[k].p->final_params[i];
            p->rule = shifted_rule(a, p->rule, ms[k].qoff);
            ptr_vec_push(a, &b.params, p);
        }
    }
    sb_str(&b, ")");
    for (size_t i = 0; i < u->ncols; i++) {
        if (numbers[i])
            continue;
        query_param *p = arena_alloc(a, sizeof(*p));
        *p = (query_param){.kind = PARAM_TYPE, .text = "type", .rule = u->cols[i].type};
        ptr_vec_push(a, &b.params, p);
    }
    if (!print_order(&b, last, ms[0].p, numbers, out)) {
        sb_discard(&b);
        return;
    }
    u->final_sql = sb_finish(&b, &u->final_params, &u->nfinal_params);
    out->kind = ACTION_QUERY;
    out->plan = u;
}
