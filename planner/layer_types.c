#include "planner/layer_types.h"

#include <string.h>
#include <strings.h>

#include "planner/discovered_types.h"
#include "planner/final_exact.h"
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
 * m is the metric the column is (NULL: a dimension).
 */
static bool scale_of_values(const metric *m, const mimir_table *t, const mimir_column *mc)
{
    if (mc->type.kind != CT_DECIMAL || mc->type.length < MYSQL_MAX_DECIMAL_PRECISION)
        return false;
    char name[128];
    if (!m || !type_probe_aggregated_column(m->expr, name, sizeof(name)))
        return true;
    const mimir_column *of = table_column(t, name);
    return !of || of->type.kind != CT_DECIMAL || of->type.length >= MYSQL_MAX_DECIMAL_PRECISION;
}

/*
 * The layer's type of the column `name` (metric m, or NULL for a dimension)
 * that atomic query aq returns, as its source's table in information_schema
 * has it (see planner/layer_types.h for when there is one). *announced: a
 * prepare may describe the result with it (not a declared `type:`).
 */
static bool layer_type(const session_info *s, const atomic_query *aq, const char *name,
                       const metric *m, const char *label, result_column *out, bool *announced)
{
    /* SQLite describes a column by the storage class of its first value. */
    if (aq->dialect == DIALECT_SQLITE)
        return false;
    const mimir_table *t = info_schema_mimir_table(s->info_schema, aq->src->name);
    const mimir_column *mc = t ? table_column(t, name) : NULL;
    if (!mc || mc->type_origin == TYPE_DEFAULT)
        return false;
    if (aq->dialect == DIALECT_POSTGRES && scale_of_values(m, t, mc))
        return false;
    info_schema_result_column(&mc->type, label, out);
    /* A declared type is the catalog's claim: results keep the backend's
     * type, which may be another. It still tells a scale the backend leaves
     * open, but a prepare cannot announce it as the result's. */
    *announced = mc->type_origin != TYPE_DECLARED;
    return true;
}

/* Types plan column i (see planner/layer_types.h for when); false when it cannot be. */
static bool type_column(const session_info *s, const inquiry *q, plan *p, size_t i)
{
    plan_column *pc = &p->cols[i];
    const inquiry_column *c = &q->columns[i];
    const char *name = layer_name(q, c);
    if (pc->computed || !name || pc->query >= p->nqueries)
        return false;
    bool announced = false;
    const metric *m = c->kind == COL_METRIC ? q->metrics[c->index].m : NULL;
    return layer_type(s, &p->queries[pc->query], name, m, pc->name, &pc->layer_type, &announced) &&
           announced;
}

void plan_add_query_layer_types(arena *a, const session_info *s, plan *p)
{
    for (size_t i = 0; s->info_schema && i < p->nqueries; i++) {
        atomic_query *aq = &p->queries[i];
        if (aq->layer_types)
            continue; /* SQLite's computed dates, typed when it was split */
        aq->layer_types = arena_alloc(a, (aq->ncols + 1) * sizeof(result_column));
        for (size_t k = 0; k < aq->ncols; k++) {
            result_column *rc = &aq->layer_types[k];
            *rc = (result_column){.type = VT_NULL, .decimals = -1};
            const char *name = aq->layer_names ? aq->layer_names[k] : NULL;
            bool announced = false;
            if (name && (!layer_type(s, aq, name, catalog_metric(s->cat, name), aq->col_names[k],
                                     rc, &announced) ||
                         !announced))
                /* a declared type is a claim about results, not the backend's type */
                *rc = (result_column){.type = VT_NULL, .decimals = -1};
            if (!name && aq->expr_types)
                *rc = aq->expr_types[k]; /* a DECIMAL expression's scale, by its rule */
        }
    }
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

/* ---- SQLite's computed dates ---------------------------------------------- */

typedef struct sqlite_dim_ctx {
    arena *a;
    const source *src;
    const discovered_types *types;
} sqlite_dim_ctx;

/* A column of the source other than a grain: the type SQLite declares it with
 * (a DECIMAL(5,2) amount: amount + 1 and COALESCE(amount, 0) are DECIMALs). */
static const type_rule *sqlite_column_rule(const sqlite_dim_ctx *x, const expr *e)
{
    const column_type *ct =
        x->types ? discovered_types_get(x->types, x->src->name, e->parts[e->nparts - 1]) : NULL;
    if (!ct)
        return NULL;
    result_column c;
    info_schema_result_column(ct, NULL, &c);
    type_rule *r = arena_alloc(x->a, sizeof(*r));
    r->kind = TR_FIXED;
    r->type = c.type;
    r->decimals = c.type == VT_DECIMAL ? c.decimals : -1;
    return r;
}

/* The grains Mimir computes on SQLite, as dates and datetimes in MySQL's text; the
 * source's other columns as declared. */
static const type_rule *sqlite_grain_rule(void *ctx, const expr *e)
{
    const sqlite_dim_ctx *x = ctx;
    arena *a = x->a;
    time_grain g;
    const char *canonical;
    if (e->kind != EX_COLUMN)
        return NULL;
    if (!time_grain_of(e->parts[e->nparts - 1], &g, &canonical))
        return sqlite_column_rule(x, e);
    type_rule *r = arena_alloc(a, sizeof(*r));
    r->kind = TR_FIXED;
    r->decimals = -1;
    switch (g) {
    case GRAIN_DATE:
    case GRAIN_WEEK:
    case GRAIN_MONTH:
    case GRAIN_QUARTER:
    case GRAIN_FISCAL_YEAR:
    case GRAIN_FISCAL_QUARTER:
        r->type = VT_DATE;
        return r;
    case GRAIN_SECOND:
    case GRAIN_MINUTE:
    case GRAIN_HOUR:
        r->type = VT_DATETIME;
        r->decimals = 0;
        return r;
    default: /* ts is the source's own text, whatever its form; year a number */
        return NULL;
    }
}

static bool sqlite_no_number(void *ctx, const expr *e)
{
    (void)ctx;
    (void)e;
    return false;
}

static result_column no_input(void *ctx, size_t query, size_t col)
{
    (void)ctx;
    (void)query;
    (void)col;
    return (result_column){.type = VT_NULL, .decimals = -1};
}

result_column layer_type_of_sqlite_dim(arena *a, const expr *dim, const source *src,
                                       const discovered_types *types)
{
    result_column t = {.type = VT_NULL, .decimals = -1};
    if (!dim)
        return t;
    sqlite_dim_ctx x = {.a = a, .src = src, .types = types};
    final_leaves l = {.is_number = sqlite_no_number, .type_of = sqlite_grain_rule, .ctx = &x};
    result_column c;
    if (final_type_eval(final_type_rule(a, &l, dim), no_input, NULL, &c) &&
        (c.type == VT_DATE || c.type == VT_DATETIME || (c.type == VT_DECIMAL && c.decimals >= 0)))
        t = c;
    return t;
}

result_column layer_type_of_decimal_dim(arena *a, const expr *dim, const source *src,
                                        const discovered_types *types)
{
    result_column t = layer_type_of_sqlite_dim(a, dim, src, types);
    if (t.type != VT_DECIMAL)
        t = (result_column){.type = VT_NULL, .decimals = -1};
    return t;
}

/* ---- SQLite's DECIMAL metrics ---------------------------------------------- */

result_column layer_type_of_sqlite_metric(const source *src, const metric *m,
                                          const discovered_types *types)
{
    result_column t = {.type = VT_NULL, .decimals = -1};
    column_type declared, sum;
    char why[96], column[128];
    if (m->derived)
        return t;
    if (m->type) {
        if (column_type_parse(m->type, &declared, why, sizeof(why)) && declared.kind == CT_DECIMAL)
            info_schema_result_column(&declared, NULL, &t);
        return t;
    }
    const column_type *of = type_probe_aggregated_column(m->expr, column, sizeof(column))
                                ? discovered_types_get(types, src->name, column)
                                : NULL;
    if (!of || of->kind != CT_DECIMAL ||
        !column_type_parse("decimal(65,2)", &sum, why, sizeof(why)))
        return t;
    sum.scale = of->scale; /* the metric's default precision, the column's scale */
    info_schema_result_column(&sum, NULL, &t);
    return t;
}
