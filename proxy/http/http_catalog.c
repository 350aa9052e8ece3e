/*
 * GET /v1/catalog: what the user may query, from the user's view of the
 * semantic layer (grants hide the rest, as on the MySQL port) and its
 * information_schema, so that names and types agree with what a query
 * answers:
 *
 *   {"sources": [{"name", "description", "connection", "time_column", "sql", "dimensions"}],
 *    "metrics": [{"name", "description", "source", "kind", "type", "aggregation", "sql",
 *                 "depends_on", "required_dimensions", "dimensions", "extra": {...}}],
 *    "dimensions": [{"name", "description", "source", "type", "sql", "sources"}],
 *    "grains": [{"name", "type"}]}
 *
 * A metric's "dimensions" are the columns it can be grouped by: its source's
 * time grains and dimensions (for a derived metric, those every one of its
 * base metrics has).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/info_schema.h"
#include "proxy/exec/columns.h"
#include "proxy/http/http_internal.h"
#include "proxy/obs/json_out.h"
#include "proxy/server_access.h"
#include "semantic/time_metrics.h"
#include "wire/xalloc.h"

typedef struct layer {
    const catalog *cat;
    const mimir_table *tables; /* mimir.metrics first, then one per source */
    size_t ntables;
} layer;

static void append_names(buf *b, char *const *names, size_t n)
{
    buf_append_byte(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_append_byte(b, ',');
        json_append_cstr(b, names[i]);
    }
    buf_append_byte(b, ']');
}

static void append_type(buf *b, const mimir_column *col)
{
    result_column rc;
    info_schema_result_column(&col->type, col->name, &rc);
    wire_column def;
    column_definition(&rc, col->name, col->name, &def);
    char type[64];
    http_column_type_name(&def, type, sizeof type);
    json_append_cstr(b, type);
}

static const mimir_table *table_of(const layer *l, const char *name)
{
    for (size_t i = 1; i < l->ntables; i++)
        if (strcasecmp(l->tables[i].name, name) == 0)
            return &l->tables[i];
    return NULL;
}

static const mimir_column *column_of(const mimir_table *t, const char *name)
{
    for (size_t i = 0; t && i < t->ncols; i++)
        if (strcasecmp(t->cols[i].name, name) == 0)
            return &t->cols[i];
    return NULL;
}

/* The grains and dimensions of mimir.metrics that every base metric of m's source has. */
static void append_groupable(buf *b, const layer *l, const metric *m)
{
    const metric *bases[256];
    size_t nb = catalog_metric_bases(l->cat, m, bases, sizeof bases / sizeof *bases);
    const mimir_table *all = &l->tables[0];
    bool first = true;
    buf_append_byte(b, '[');
    for (size_t i = 0; i < all->ncols; i++) {
        const mimir_column *col = &all->cols[i];
        if (col->role == MCOL_METRIC)
            continue;
        bool everywhere = nb > 0;
        for (size_t k = 0; k < nb && everywhere; k++)
            everywhere = column_of(table_of(l, bases[k]->source_name), col->name) != NULL;
        if (!everywhere)
            continue;
        if (!first)
            buf_append_byte(b, ',');
        first = false;
        json_append_cstr(b, col->name);
    }
    buf_append_byte(b, ']');
}

static void append_extra(buf *b, const metric *m)
{
    buf_append_str(b, ",\"extra\":{");
    for (size_t i = 0; i < m->n_extra; i++) {
        if (i)
            buf_append_byte(b, ',');
        json_append_cstr(b, m->extra_keys[i]);
        buf_append_byte(b, ':');
        json_append_cstr(b, m->extra_values[i]);
    }
    buf_append_byte(b, '}');
}

/* The time-intelligence keys: null (false) when not given. */
static void append_time_keys(buf *b, const metric *m)
{
    char span[64];
    buf_append_str(b, ",\"base_metric\":");
    json_append_cstr(b, m->base_metric);
    buf_append_str(b, ",\"offset\":");
    json_append_cstr(b, m->offset.n ? time_span_text(m->offset, span, sizeof span) : NULL);
    buf_append_str(b, ",\"window\":");
    json_append_cstr(b, m->window.n ? time_span_text(m->window, span, sizeof span) : NULL);
    buf_append_str(b, ",\"grain_to_date\":");
    json_append_cstr(b, calendar_period_name(m->grain_to_date));
    buf_append_str(b, ",\"non_additive_time\":");
    json_append_cstr(b, non_additive_name(m->non_additive));
    buf_append_str(b, ",\"non_additive_per\":");
    append_names(b, m->non_additive_per, m->n_non_additive_per);
    buf_append_str(b, ",\"fill_nulls_with\":");
    json_append_cstr(b, m->fill_nulls_with);
    buf_append_str(b, m->join_to_calendar ? ",\"join_to_calendar\":true"
                                          : ",\"join_to_calendar\":false");
}

static void append_metric(buf *b, const layer *l, const metric *m)
{
    buf_append_str(b, "{\"name\":");
    json_append_cstr(b, m->name);
    buf_append_str(b, ",\"description\":");
    json_append_cstr(b, m->description);
    buf_append_str(b, ",\"source\":");
    json_append_cstr(b, m->source_name);
    buf_append_str(b, ",\"kind\":");
    json_append_cstr(b, m->time_kind != TIME_METRIC_NONE ? time_metric_kind_name(m->time_kind)
                        : m->derived                     ? "derived"
                                                         : "aggregate");
    buf_append_str(b, ",\"type\":");
    const mimir_column *col = column_of(&l->tables[0], m->name);
    if (col)
        append_type(b, col);
    else
        buf_append_str(b, "null");
    buf_append_str(b, ",\"aggregation\":");
    json_append_cstr(b, m->derived ? NULL : aggregation_name(m->aggregation));
    buf_append_str(b, ",\"sql\":");
    json_append_cstr(b, m->expr);
    buf_append_str(b, ",\"depends_on\":");
    append_names(b, m->depends_on, m->n_depends_on);
    buf_append_str(b, ",\"required_dimensions\":");
    append_names(b, m->required_dimensions, m->n_required_dimensions);
    append_time_keys(b, m);
    buf_append_str(b, ",\"dimensions\":");
    append_groupable(b, l, m);
    append_extra(b, m);
    buf_append_byte(b, '}');
}

/* The sources a dimension can be read from (its own, the ones that list it, the ones that
 * have a column of its name). */
static void append_dimension_sources(buf *b, const layer *l, const char *name)
{
    bool first = true;
    buf_append_byte(b, '[');
    for (size_t i = 0; i < l->cat->n_sources; i++) {
        const source *s = &l->cat->sources[i];
        if (catalog_dim_on_source(l->cat, s, name, NULL) == DIM_NOT_ON_SOURCE)
            continue;
        if (!first)
            buf_append_byte(b, ',');
        first = false;
        json_append_cstr(b, s->name);
    }
    buf_append_byte(b, ']');
}

static void append_dimensions(buf *b, const layer *l)
{
    const mimir_table *all = &l->tables[0];
    bool first = true;
    buf_append_str(b, ",\"dimensions\":[");
    for (size_t i = 0; i < all->ncols; i++) {
        const mimir_column *col = &all->cols[i];
        if (col->role != MCOL_DIMENSION)
            continue;
        const dimension *d = catalog_dimension(l->cat, col->name);
        buf_append_str(b, first ? "{\"name\":" : ",{\"name\":");
        first = false;
        json_append_cstr(b, col->name);
        buf_append_str(b, ",\"description\":");
        json_append_cstr(b, d ? d->description : NULL);
        buf_append_str(b, ",\"source\":");
        json_append_cstr(b, d ? d->source_name : NULL);
        buf_append_str(b, ",\"type\":");
        append_type(b, col);
        buf_append_str(b, ",\"sql\":");
        json_append_cstr(b, d ? d->expr : NULL);
        buf_append_str(b, ",\"sources\":");
        append_dimension_sources(b, l, col->name);
        buf_append_byte(b, '}');
    }
    buf_append_byte(b, ']');
}

static void append_grains(buf *b, const layer *l)
{
    const mimir_table *all = &l->tables[0];
    bool first = true;
    buf_append_str(b, ",\"grains\":[");
    for (size_t i = 0; i < all->ncols; i++) {
        const mimir_column *col = &all->cols[i];
        if (col->role != MCOL_GRAIN)
            continue;
        buf_append_str(b, first ? "{\"name\":" : ",{\"name\":");
        first = false;
        json_append_cstr(b, col->name);
        buf_append_str(b, ",\"type\":");
        append_type(b, col);
        buf_append_byte(b, '}');
    }
    buf_append_byte(b, ']');
}

static void append_source(buf *b, const layer *l, const source *s)
{
    buf_append_str(b, "{\"name\":");
    json_append_cstr(b, s->name);
    buf_append_str(b, ",\"description\":");
    json_append_cstr(b, s->description);
    buf_append_str(b, ",\"connection\":");
    json_append_cstr(b, s->connection_name);
    buf_append_str(b, ",\"time_column\":");
    json_append_cstr(b, s->time_col_alias);
    buf_append_str(b, ",\"sql\":");
    json_append_cstr(b, s->sql);
    buf_append_str(b, ",\"dimensions\":[");
    const mimir_table *t = table_of(l, s->name);
    bool first = true;
    for (size_t i = 0; t && i < t->ncols; i++) {
        if (t->cols[i].role != MCOL_DIMENSION)
            continue;
        if (!first)
            buf_append_byte(b, ',');
        first = false;
        json_append_cstr(b, t->cols[i].name);
    }
    buf_append_str(b, "]}");
}

void http_catalog_answer(http_call *c)
{
    const catalog *cat;
    struct info_schema *is;
    access_session_catalog(c->user, &cat, &is);
    const mimir_table *tables;
    layer l = {.cat = cat};
    l.ntables = info_schema_mimir_tables(is, &tables);
    l.tables = tables;
    buf *b = &c->staged;
    buf_append_str(b, "{\"sources\":[");
    for (size_t i = 0; i < cat->n_sources; i++) {
        if (i)
            buf_append_byte(b, ',');
        append_source(b, &l, &cat->sources[i]);
    }
    buf_append_str(b, "],\"metrics\":[");
    for (size_t i = 0; i < cat->n_metrics; i++) {
        if (i)
            buf_append_byte(b, ',');
        append_metric(b, &l, &cat->metrics[i]);
    }
    buf_append_byte(b, ']');
    append_dimensions(b, &l);
    append_grains(b, &l);
    buf_append_str(b, "}\n");
    http_call_send_whole(c);
}
