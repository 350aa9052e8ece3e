/*
 * The loaded catalog: lookups, dimension availability and freeing. Loading
 * lives in loader.c. Lookups are linear: a semantic layer holds tens to
 * hundreds of definitions, and a scan of that size costs less than keeping a
 * hash table in step with it. Names compare case-insensitively, as MySQL
 * compares column names, so `AGG(Movies_Rented)` finds movies_rented.
 */
#include <stdlib.h>
#include <string.h>

#include "semantic/catalog.h"
#include "semantic/catalog_internal.h"
#include "semantic/rollups.h"
#include "semantic/util.h"
#include "wire/xalloc.h"

void catalog_connection_clear(connection *c)
{
    free(c->name);
    free(c->host);
    free(c->port);
    free(c->user);
    free(c->password);
    free(c->database);
    free(c->sslmode);
    free(c->ssl_ca);
    free(c->ssl_cert);
    free(c->ssl_key);
    free(c->conninfo);
    free(c->path);
    free(c->file);
}

void catalog_connection_copy(connection *dst, const connection *src)
{
    *dst = (connection){
        .name = sem_strdup_or_null(src->name),
        .kind = src->kind,
        .host = sem_strdup_or_null(src->host),
        .port = sem_strdup_or_null(src->port),
        .user = sem_strdup_or_null(src->user),
        .password = sem_strdup_or_null(src->password),
        .database = sem_strdup_or_null(src->database),
        .sslmode = sem_strdup_or_null(src->sslmode),
        .ssl_ca = sem_strdup_or_null(src->ssl_ca),
        .ssl_cert = sem_strdup_or_null(src->ssl_cert),
        .ssl_key = sem_strdup_or_null(src->ssl_key),
        .conninfo = sem_strdup_or_null(src->conninfo),
        .path = sem_strdup_or_null(src->path),
        .file = sem_strdup_or_null(src->file),
        .keepalives_idle = src->keepalives_idle,
        .keepalives_interval = src->keepalives_interval,
        .keepalives_count = src->keepalives_count,
        .tcp_user_timeout = src->tcp_user_timeout,
        .connect_timeout = src->connect_timeout,
        .idle_check_after = src->idle_check_after,
    };
}

static int net_value(int given, int dflt)
{
    return given == 0 ? dflt : given == CONN_NET_OFF ? 0 : given;
}

void catalog_connection_net(const connection *c, conn_net *out)
{
    out->keepalives_idle = net_value(c->keepalives_idle, 10);
    out->keepalives = out->keepalives_idle > 0;
    out->keepalives_interval = net_value(c->keepalives_interval, 5);
    out->keepalives_count = net_value(c->keepalives_count, 3);
    out->tcp_user_timeout_ms = net_value(c->tcp_user_timeout, 15000);
    out->connect_timeout_s = net_value(c->connect_timeout, 0);
    out->idle_check_after_s = net_value(c->idle_check_after, 30);
}

void catalog_connection_free_copy(connection *c)
{
    catalog_connection_clear(c);
    memset(c, 0, sizeof *c);
}

static bool same_text(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

bool catalog_connection_same(const connection *a, const connection *b)
{
    return a->kind == b->kind && same_text(a->name, b->name) && same_text(a->host, b->host) &&
           same_text(a->port, b->port) && same_text(a->user, b->user) &&
           same_text(a->password, b->password) && same_text(a->database, b->database) &&
           same_text(a->sslmode, b->sslmode) && same_text(a->ssl_ca, b->ssl_ca) &&
           same_text(a->ssl_cert, b->ssl_cert) && same_text(a->ssl_key, b->ssl_key) &&
           same_text(a->conninfo, b->conninfo) && same_text(a->path, b->path) &&
           a->keepalives_idle == b->keepalives_idle &&
           a->keepalives_interval == b->keepalives_interval &&
           a->keepalives_count == b->keepalives_count &&
           a->tcp_user_timeout == b->tcp_user_timeout && a->connect_timeout == b->connect_timeout &&
           a->idle_check_after == b->idle_check_after;
}

void catalog_source_clear(source *s)
{
    free(s->name);
    free(s->time_col);
    free(s->time_col_alias);
    free(s->connection_name);
    free(s->sql);
    free(s->description);
    sem_strv_free(s->dimension_names, s->n_dimension_names);
    sem_strv_free(s->local_columns, s->n_local_columns);
    for (size_t i = 0; i < s->n_rollups; i++)
        rollup_clear(&s->rollups[i]);
    free(s->rollups);
    free(s->at.file);
}

void catalog_metric_clear(metric *m)
{
    free(m->name);
    free(m->source_name);
    free(m->expr);
    free(m->description);
    free(m->type);
    sem_strv_free(m->required_dimensions, m->n_required_dimensions);
    sem_strv_free(m->depends_on, m->n_depends_on);
    sem_strv_free(m->extra_keys, m->n_extra);
    sem_strv_free(m->extra_values, m->n_extra);
    free(m->base_metric);
    sem_strv_free(m->non_additive_per, m->n_non_additive_per);
    free(m->fill_nulls_with);
    free(m->at.file);
}

void catalog_dimension_clear(dimension *d)
{
    free(d->name);
    free(d->source_name);
    free(d->expr);
    free(d->description);
    free(d->type);
    free(d->at.file);
}

void catalog_free(catalog *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_sources; i++)
        catalog_source_clear(&c->sources[i]);
    for (size_t i = 0; i < c->n_metrics; i++)
        catalog_metric_clear(&c->metrics[i]);
    for (size_t i = 0; i < c->n_dimensions; i++)
        catalog_dimension_clear(&c->dimensions[i]);
    for (size_t i = 0; i < c->n_connections; i++)
        catalog_connection_clear(&c->connections[i]);
    free(c->sources);
    free(c->metrics);
    free(c->dimensions);
    free(c->connections);
    free(c->cal.time_zone);
    free(c->cal.at.file);
    free(c->configs_dir);
    free(c->secrets_dir);
    free(c);
}

const source *catalog_source(const catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n_sources; i++)
        if (sem_name_eq(c->sources[i].name, name))
            return &c->sources[i];
    return NULL;
}

const metric *catalog_metric(const catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n_metrics; i++)
        if (sem_name_eq(c->metrics[i].name, name))
            return &c->metrics[i];
    return NULL;
}

/* Each metric is entered once (seen, by catalog index), and the walk stops at
 * the nesting limit: linear in the size of the layer, whatever its shape. */
static void collect_bases(const catalog *c, const metric *m, bool *seen, const metric **out,
                          size_t max, size_t *n, int depth)
{
    size_t k = (size_t)(m - c->metrics);
    if (seen[k] || depth > CATALOG_DERIVED_MAX_DEPTH)
        return;
    seen[k] = true;
    if (!m->derived) {
        if (*n < max)
            out[*n] = m;
        (*n)++;
        return;
    }
    for (size_t i = 0; i < m->n_depends_on; i++) {
        const metric *d = catalog_metric(c, m->depends_on[i]);
        if (d)
            collect_bases(c, d, seen, out, max, n, depth + 1);
    }
}

size_t catalog_metric_bases(const catalog *c, const metric *m, const metric **out, size_t max)
{
    bool *seen = xcalloc(c->n_metrics + 1, sizeof(bool));
    size_t n = 0;
    collect_bases(c, m, seen, out, max, &n, 0);
    free(seen);
    return n;
}

const dimension *catalog_dimension(const catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n_dimensions; i++)
        if (sem_name_eq(c->dimensions[i].name, name))
            return &c->dimensions[i];
    return NULL;
}

const connection *catalog_connection(const catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n_connections; i++)
        if (sem_name_eq(c->connections[i].name, name))
            return &c->connections[i];
    return NULL;
}

dim_availability catalog_dim_on_source(const catalog *c, const source *s, const char *dim,
                                       const dimension **def)
{
    if (def)
        *def = NULL;
    if (sem_strv_find(s->local_columns, s->n_local_columns, dim) >= 0)
        return DIM_LOCAL;
    const dimension *d = catalog_dimension(c, dim);
    if (!d)
        return DIM_NOT_ON_SOURCE;
    if (!sem_name_eq(d->source_name, s->name) &&
        sem_strv_find(s->dimension_names, s->n_dimension_names, dim) < 0)
        return DIM_NOT_ON_SOURCE;
    if (def)
        *def = d;
    return DIM_SPLICED;
}

bool catalog_is_dimension(const catalog *c, const char *name)
{
    if (catalog_dimension(c, name))
        return true;
    for (size_t i = 0; i < c->n_sources; i++)
        if (sem_strv_find(c->sources[i].local_columns, c->sources[i].n_local_columns, name) >= 0)
            return true;
    return false;
}
