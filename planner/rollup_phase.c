/* A rollup stored elsewhere, with the source's rows read first: see rollup_phase.h. */
#include "planner/rollup_phase.h"

#include <stdio.h>
#include <string.h>

#include "planner/derived.h"
#include "planner/rollup_route.h"
#include "planner/value_type.h"
#include "semantic/util.h"
#include "wire/buf.h"

void rollup_rows_columns(arena *a, const catalog *cat, const rollup *r, atomic_query *q)
{
    size_t n = 1 + r->n_dimensions;
    for (size_t i = 0; i < r->n_metrics; i++) {
        const metric *m = catalog_metric(cat, r->metrics[i]);
        n += m && m->aggregation == AGGREGATION_AVG ? 2 : 1;
    }
    const char **names = arena_alloc(a, (n + 1) * sizeof(*names));
    size_t k = 0;
    names[k++] = "period";
    for (size_t i = 0; i < r->n_dimensions; i++)
        names[k++] = r->dimensions[i];
    for (size_t i = 0; i < r->n_metrics; i++) {
        const metric *m = catalog_metric(cat, r->metrics[i]);
        if (m && m->aggregation == AGGREGATION_AVG) {
            names[k++] = arena_printf(a, "%s__sum", m->name);
            names[k++] = arena_printf(a, "%s__count", m->name);
        } else {
            names[k++] = r->metrics[i];
        }
    }
    q->ncols = n;
    q->col_names = names;
}

/*
 * MySQL/MariaDB types a parameter as a string: in a UNION beside the rollup's
 * DECIMAL, DATETIME or integer column it would make the column a string (and
 * its SUM a DOUBLE). Each value is cast to the type its column had on the
 * source, which is the rollup's (rollup_copy creates the table so). NULL: no
 * cast (a string keeps the rollup column's collation, which wins over a
 * parameter's).
 */
static const char *mysql_cast(arena *a, value_type t, int decimals)
{
    int frac = decimals >= 0 && decimals <= 6 ? decimals : 0;
    switch (t) {
    case VT_BOOL:
    case VT_INT16:
    case VT_INT32:
    case VT_INT64:
        return "SIGNED";
    case VT_DECIMAL:
        return arena_printf(a, "DECIMAL(65,%d)", decimals >= 0 && decimals <= 30 ? decimals : 0);
    case VT_FLOAT:
    case VT_DOUBLE:
        return "DOUBLE";
    case VT_DATE:
        return "DATE";
    case VT_TIME:
        return arena_printf(a, "TIME(%d)", frac);
    case VT_DATETIME:
        return arena_printf(a, "DATETIME(%d)", frac);
    default:
        return NULL;
    }
}

static param_kind kind_of(int literal)
{
    return literal == LIT_INT ? PARAM_INT : literal == LIT_NUMBER ? PARAM_NUMBER : PARAM_TEXT;
}

void rollup_rows_print(sql_builder *b, const phase_keys *rows)
{
    for (size_t r = 0; r < rows->n; r++) {
        sb_str(b, " UNION ALL SELECT ");
        for (size_t c = 0; c < rows->ncols; c++) {
            const char *v = rows->values[r * rows->ncols + c];
            const char *cast = b->dialect == DIALECT_MYSQL && rows->types
                                   ? mysql_cast(b->a, (value_type)rows->types[c],
                                                rows->decimals ? rows->decimals[c] : 0)
                                   : NULL;
            if (c)
                sb_str(b, ", ");
            if (cast)
                sb_str(b, "CAST(");
            if (v)
                sb_param(b, kind_of(rows->kinds[c]), v);
            else
                sb_str(b, "NULL");
            if (cast)
                buf_printf(&b->out, " AS %s)", cast);
        }
    }
}

/* Everything the second phase needs: it runs after planning returned. */
typedef struct rollup_phase {
    arena *a;
    session_info s; /* a copy, with its own copy of the rollups ready when it was planned */
    const select_stmt *sel;
    const plan *template; /* sel planned without the rows */
    const char *source;
} rollup_phase;

/* plan_phase.plan_outer: sel again, the source's rows in the rollup's statement. */
static bool plan_with_rows(void *ctx, const phase_keys *rows, const plan **out, sql_error *err)
{
    rollup_phase *rp = ctx;
    session_info s = rp->s;
    s.rollup_rows = rows;
    s.rollup_rows_source = rp->source;
    action act;
    memset(&act, 0, sizeof(act));
    plan_select(rp->a, &s, rp->sel, &act);
    if (act.kind == ACTION_ERROR) {
        *err = act.error;
        return false;
    }
    if (act.kind != ACTION_QUERY || act.plan->rollup_rows_query) {
        sql_error_set(err, ER_UNKNOWN_ERROR, "HY000",
                      "a rollup could not answer: the statement did not plan again with the "
                      "source's rows");
        return false;
    }
    plan_like_template(act.plan, rp->template);
    *out = act.plan;
    return true;
}

/* The first phase: the rows query alone, its columns the client's (never sent). */
static plan *rows_plan(arena *a, const plan *p)
{
    const atomic_query *rq = p->rollup_rows_query;
    plan *in = arena_alloc(a, sizeof(*in));
    in->queries = p->rollup_rows_query;
    in->nqueries = 1;
    in->ncols = rq->ncols;
    in->cols = arena_alloc(a, (rq->ncols + 1) * sizeof(plan_column));
    for (size_t i = 0; i < rq->ncols; i++)
        in->cols[i] =
            (plan_column){.name = rq->col_names[i], .org_name = rq->col_names[i], .query_col = i};
    in->no_cache = true;
    return in;
}

/* The server's list changes as builds end: the second phase plans with this one. */
static const rollup_ready *ready_copy(arena *a, const rollup_ready *ready, size_t n)
{
    rollup_ready *copy = arena_alloc(a, (n + 1) * sizeof(*copy));
    for (size_t i = 0; i < n; i++) {
        copy[i] = ready[i];
        copy[i].name = arena_strdup(a, ready[i].name);
    }
    return copy;
}

void rollup_phase_wrap(arena *a, const session_info *s, const select_stmt *sel, plan *p)
{
    const atomic_query *rq = p->rollup_rows_query;
    rollup_phase *rp = arena_alloc(a, sizeof(*rp));
    rp->a = a;
    rp->s = *s;
    rp->s.notes = NULL; /* noted when planned the first time */
    rp->s.rollups = ready_copy(a, s->rollups, s->nrollups);
    rp->sel = sel;
    rp->template = p;
    rp->source = rq->src->name;
    plan_phase *ph = arena_alloc(a, sizeof(*ph));
    ph->inner = rows_plan(a, p);
    size_t *cols = arena_alloc(a, (rq->ncols + 1) * sizeof(size_t));
    for (size_t i = 0; i < rq->ncols; i++)
        cols[i] = i;
    ph->key_cols = cols;
    ph->nkey_cols = rq->ncols;
    /* As many as fit in a statement, and no more than a semi-join filter may push. */
    size_t by_values = ROLLUP_ROWS_MAX_VALUES / (rq->ncols ? rq->ncols : 1);
    ph->max_keys = by_values < ROLLUP_ROWS_MAX ? by_values : ROLLUP_ROWS_MAX;
    if (s->max_semijoin_values && s->max_semijoin_values < ph->max_keys)
        ph->max_keys = s->max_semijoin_values;
    ph->key_name = rq->src->name;
    ph->outer_select = sel;
    ph->ctx = rp;
    ph->plan_outer = plan_with_rows;
    for (size_t i = 0; i < p->nqueries; i++)
        if (p->queries[i].rollup && p->queries[i].src == rq->src)
            ph->rollup = p->queries[i].rollup;
    p->phase = ph;
}
