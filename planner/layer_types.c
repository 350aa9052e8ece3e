#include "planner/layer_types.h"

#include <string.h>
#include <strings.h>

#include "planner/info_schema.h"
#include "planner/inquiry.h"
#include "planner/mimir_tables.h"
#include "planner/semijoin.h"
#include "planner/type_probe.h"

/* MySQL's largest DECIMAL precision: what a NUMERIC without one is catalogued with. */
#define MYSQL_MAX_DECIMAL_PRECISION 65

static const mimir_column *table_column(const mimir_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcasecmp(t->cols[i].name, name) == 0)
            return &t->cols[i];
    return NULL;
}

/*
 * The source table the statement reads, as plan_select found it: NULL for
 * mimir.metrics. False when the statement reads something else (a derived
 * table, a join), which is never typed here.
 */
static bool read_table(const catalog *cat, const select_stmt *sel, const source **out)
{
    if (!sel->from || sel->nfrom != 1 || sel->from[0].subquery || !sel->from[0].name)
        return false;
    const char *name = sel->from[0].name;
    *out = NULL;
    if (strcasecmp(name, MIMIR_METRICS_TABLE) == 0)
        return true;
    for (size_t i = 0; i < cat->n_sources; i++)
        if (strcasecmp(cat->sources[i].name, name) == 0)
            *out = &cat->sources[i];
    return *out != NULL;
}

/* The column's name in the semantic layer when it is selected as itself; NULL otherwise. */
static const char *layer_name(const inquiry *q, const inquiry_column *c)
{
    if (c->kind == COL_METRIC)
        return q->metrics[c->index].m->derived ? NULL : q->metrics[c->index].m->name;
    if (c->kind == COL_DIM && c->e->kind == EX_COLUMN)
        return c->e->parts[c->e->nparts - 1];
    return NULL;
}

/*
 * PostgreSQL describes a NUMERIC without a declared precision (catalogued as
 * DECIMAL(65,s)) by the scale of the first value in the result: the catalog's
 * scale is that scale only for SUM, MIN or MAX of a column whose type has one
 * (numeric(p,s)), which PostgreSQL keeps. AVG(amount) has 16 digits or more.
 */
static bool scale_of_values(const inquiry *q, const inquiry_column *c, const mimir_table *t,
                            const mimir_column *mc)
{
    if (mc->type.kind != CT_DECIMAL || mc->type.length < MYSQL_MAX_DECIMAL_PRECISION)
        return false;
    char name[128];
    if (c->kind != COL_METRIC ||
        !type_probe_aggregated_column(q->metrics[c->index].m->expr, name, sizeof(name)))
        return true;
    const mimir_column *of = table_column(t, name);
    return !of || of->type.kind != CT_DECIMAL || of->type.length >= MYSQL_MAX_DECIMAL_PRECISION;
}

/* Types plan column i (see planner/layer_types.h for when); false when it cannot be. */
static bool type_column(const session_info *s, const inquiry *q, plan *p, size_t i)
{
    plan_column *pc = &p->cols[i];
    const char *name = layer_name(q, &q->columns[i]);
    if (pc->computed || !name || pc->query >= p->nqueries)
        return false;
    const atomic_query *aq = &p->queries[pc->query];
    /* SQLite describes a column by the storage class of its first value. */
    if (aq->dialect == DIALECT_SQLITE)
        return false;
    const mimir_table *t = info_schema_mimir_table(s->info_schema, aq->src->name);
    const mimir_column *mc = t ? table_column(t, name) : NULL;
    if (!mc || mc->type_origin == TYPE_DEFAULT)
        return false;
    if (aq->dialect == DIALECT_POSTGRES && scale_of_values(q, &q->columns[i], t, mc))
        return false;
    info_schema_result_column(&mc->type, pc->name, &pc->layer_type);
    /* A declared type is the catalog's claim: results keep the backend's
     * type, which may be another. It still tells a scale the backend leaves
     * open, but a prepare cannot announce it as the result's. */
    return mc->type_origin != TYPE_DECLARED;
}

bool plan_add_layer_types(arena *a, const session_info *s, const statement *st, action *out)
{
    const source *table;
    inquiry q;
    sql_error err;
    if (out->kind != ACTION_QUERY || st->kind != STMT_SELECT || !s->info_schema)
        return false;
    /* A semi-join filter: the outer statement, its columns are the result's. */
    const plan_phase *ph = out->plan->phase;
    const select_stmt *sel = !ph                ? st->select
                             : ph->outer_select ? ph->outer_select
                                                : semijoin_outer_select(out->plan);
    if (!read_table(s->cat, sel, &table))
        return false;
    /* The plan holds what the client sees, not how it was asked for: the
     * inquiry again tells which columns are dimensions and metrics by name. */
    if (!inquiry_from_select(a, s->cat, sel, table, &q, &err) || q.ncolumns != out->plan->ncols)
        return false;
    bool all = true;
    for (size_t i = 0; i < q.ncolumns; i++)
        if (!type_column(s, &q, out->plan, i))
            all = false;
    return all;
}
