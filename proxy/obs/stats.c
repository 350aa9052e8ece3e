#include "proxy/obs/stats.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wire/xalloc.h"

const double stats_bucket_bounds[STATS_NBUCKETS] = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10};

void histogram_observe(histogram *h, double seconds)
{
    if (seconds < 0)
        seconds = 0;
    h->count++;
    h->sum += seconds;
    for (size_t i = 0; i < STATS_NBUCKETS; i++) {
        if (seconds <= stats_bucket_bounds[i]) {
            h->buckets[i]++;
            return;
        }
    }
    /* Beyond the last bound: only in count (+Inf). */
}

const char *query_status_name(query_status s)
{
    static const char *const names[QUERY_NSTATUS] = {"ok", "error", "killed", "timeout",
                                                     "disconnected"};
    return s < QUERY_NSTATUS ? names[s] : "error";
}

source_stats *stats_source(server_stats *st, const char *name)
{
    for (size_t i = 0; i < st->nsources; i++)
        if (strcmp(st->sources[i]->name, name) == 0)
            return st->sources[i];
    st->sources = xreallocarray(st->sources, st->nsources + 1, sizeof(*st->sources));
    source_stats *s = xcalloc(1, sizeof(*s));
    s->name = xstrdup(name);
    st->sources[st->nsources++] = s;
    return s;
}

void stats_free(server_stats *st)
{
    for (size_t i = 0; i < st->nsources; i++) {
        free(st->sources[i]->name);
        free(st->sources[i]);
    }
    free(st->sources);
    for (size_t i = 0; i < st->nrollups; i++) {
        free(st->rollups[i]->name);
        free(st->rollups[i]);
    }
    free(st->rollups);
    memset(st, 0, sizeof(*st));
}

rollup_stats *stats_rollup(server_stats *st, const char *name)
{
    for (size_t i = 0; i < st->nrollups; i++)
        if (strcmp(st->rollups[i]->name, name) == 0)
            return st->rollups[i];
    st->rollups = xreallocarray(st->rollups, st->nrollups + 1, sizeof(*st->rollups));
    rollup_stats *r = xcalloc(1, sizeof(*r));
    r->name = xstrdup(name);
    r->rows = -1;
    st->rollups[st->nrollups++] = r;
    return r;
}

uint64_t stats_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- Prometheus text format ------------------------------------------------ */

/* A label value: backslash, double quote and line feed are escaped (0.0.4). */
static void append_label_value(buf *b, const char *v)
{
    buf_append_byte(b, '"');
    for (const char *p = v; *p; p++) {
        if (*p == '\\')
            buf_append(b, "\\\\", 2);
        else if (*p == '"')
            buf_append(b, "\\\"", 2);
        else if (*p == '\n')
            buf_append(b, "\\n", 2);
        else
            buf_append_byte(b, (uint8_t)*p);
    }
    buf_append_byte(b, '"');
}

static void header(buf *b, const char *name, const char *type, const char *help)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void counter(buf *b, const char *name, const char *help, uint64_t v)
{
    header(b, name, "counter", help);
    buf_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

static void gauge(buf *b, const char *name, const char *help, double v)
{
    header(b, name, "gauge", help);
    buf_printf(b, "%s %.17g\n", name, v);
}

/*
 * The series of one histogram: cumulative _bucket lines, _sum, _count.
 * label is "" or one `name="value"` pair (already escaped) put before le.
 */
static void histogram_series(buf *b, const char *name, const char *label, const histogram *h)
{
    const char *sep = label[0] ? "," : "";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < STATS_NBUCKETS; i++) {
        cumulative += h->buckets[i];
        buf_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, label, sep, stats_bucket_bounds[i],
                   (unsigned long long)cumulative);
    }
    buf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, label, sep,
               (unsigned long long)h->count);
    if (label[0]) {
        buf_printf(b, "%s_sum{%s} %.17g\n", name, label, h->sum);
        buf_printf(b, "%s_count{%s} %llu\n", name, label, (unsigned long long)h->count);
    } else {
        buf_printf(b, "%s_sum %.17g\n", name, h->sum);
        buf_printf(b, "%s_count %llu\n", name, (unsigned long long)h->count);
    }
}

/* `key="escaped value"` as a C string in tmp (reset first). */
static const char *label_pair(buf *tmp, const char *key, const char *value)
{
    buf_reset(tmp);
    buf_append_str(tmp, key);
    buf_append_byte(tmp, '=');
    append_label_value(tmp, value);
    return buf_cstr(tmp);
}

static void render_sources(const server_stats *st, buf *b, buf *tmp)
{
    header(b, "mimir_backend_query_duration_seconds", "histogram",
           "Time of successful atomic queries on the backends, per source, from sending the "
           "query to its last row.");
    for (size_t i = 0; i < st->nsources; i++)
        histogram_series(b, "mimir_backend_query_duration_seconds",
                         label_pair(tmp, "source", st->sources[i]->name), &st->sources[i]->backend);
    header(b, "mimir_backend_rows_total", "counter",
           "Rows received from the backends, per source.");
    for (size_t i = 0; i < st->nsources; i++) {
        buf_printf(b, "mimir_backend_rows_total{%s} %llu\n",
                   label_pair(tmp, "source", st->sources[i]->name),
                   (unsigned long long)st->sources[i]->rows);
    }
}

static void render_rollups(const server_stats *st, buf *b, buf *tmp)
{
    header(b, "mimir_rollup_builds_total", "counter",
           "Rollup builds and refreshes run by this server, per rollup, by result (busy: another "
           "server held its lock).");
    for (size_t i = 0; i < st->nrollups; i++) {
        const rollup_stats *r = st->rollups[i];
        const char *name = label_pair(tmp, "rollup", r->name);
        buf_printf(b, "mimir_rollup_builds_total{%s,result=\"ok\"} %llu\n", name,
                   (unsigned long long)r->builds);
        buf_printf(b, "mimir_rollup_builds_total{%s,result=\"failed\"} %llu\n", name,
                   (unsigned long long)r->failures);
        buf_printf(b, "mimir_rollup_builds_total{%s,result=\"busy\"} %llu\n", name,
                   (unsigned long long)r->busy);
    }
    header(b, "mimir_rollup_hits_total", "counter",
           "Atomic queries answered from each rollup (their part after its watermark, if any, "
           "from the source).");
    for (size_t i = 0; i < st->nrollups; i++)
        buf_printf(b, "mimir_rollup_hits_total{%s} %llu\n",
                   label_pair(tmp, "rollup", st->rollups[i]->name),
                   (unsigned long long)st->rollups[i]->hits);
    header(b, "mimir_rollup_misses_total", "counter",
           "Atomic queries over a source that declares rollups answered from its rows.");
    for (size_t i = 0; i < st->nsources; i++)
        buf_printf(b, "mimir_rollup_misses_total{%s} %llu\n",
                   label_pair(tmp, "source", st->sources[i]->name),
                   (unsigned long long)st->sources[i]->rollup_misses);
    header(b, "mimir_rollup_build_seconds_total", "counter",
           "Time spent building and refreshing each rollup (failed attempts included).");
    for (size_t i = 0; i < st->nrollups; i++)
        buf_printf(b, "mimir_rollup_build_seconds_total{%s} %.6f\n",
                   label_pair(tmp, "rollup", st->rollups[i]->name), st->rollups[i]->seconds);
    header(b, "mimir_rollup_rows", "gauge",
           "Rows in each rollup after its last build or refresh (or as its state says).");
    for (size_t i = 0; i < st->nrollups; i++)
        if (st->rollups[i]->rows >= 0)
            buf_printf(b, "mimir_rollup_rows{%s} %lld\n",
                       label_pair(tmp, "rollup", st->rollups[i]->name), st->rollups[i]->rows);
}

static void render_pools(const stats_gauges *g, buf *b, buf *tmp)
{
    header(b, "mimir_pool_connections", "gauge",
           "Backend connections per connection name: idle in the pool, or busy (running a query "
           "or being opened).");
    for (size_t i = 0; i < g->npools; i++) {
        const char *conn = label_pair(tmp, "connection", g->pools[i].connection);
        buf_printf(b, "mimir_pool_connections{%s,state=\"idle\"} %d\n", conn, g->pools[i].idle);
        buf_printf(b, "mimir_pool_connections{%s,state=\"busy\"} %d\n", conn, g->pools[i].busy);
    }
    header(b, "mimir_pool_waiting", "gauge",
           "Queries waiting for a backend connection (the pool is at pool_size).");
    for (size_t i = 0; i < g->npools; i++)
        buf_printf(b, "mimir_pool_waiting{%s} %d\n",
                   label_pair(tmp, "connection", g->pools[i].connection), g->pools[i].waiting);
}

void stats_render_prometheus(const server_stats *st, const stats_gauges *g, buf *b)
{
    buf tmp;
    buf_init(&tmp);
    gauge(b, "mimir_connections", "Client sessions open now.", g->connections);
    counter(b, "mimir_connections_total", "Client sessions accepted since start.",
            st->connections_total);
    counter(b, "mimir_connections_rejected_total",
            "Client connections refused (max_connections reached, or shutting down).",
            st->connections_rejected);
    gauge(b, "mimir_queries_running", "Queries executing on the backends now.", g->executions);
    header(b, "mimir_queries_total", "counter",
           "Queries answered (executions and statements that failed), by how they ended.");
    for (int s = 0; s < QUERY_NSTATUS; s++)
        buf_printf(b, "mimir_queries_total{status=\"%s\"} %llu\n",
                   query_status_name((query_status)s), (unsigned long long)st->queries[s]);
    header(b, "mimir_query_duration_seconds", "histogram",
           "Time from receiving a query to sending its last packet.");
    histogram_series(b, "mimir_query_duration_seconds", "", &st->query_duration);
    render_sources(st, b, &tmp);
    render_pools(g, b, &tmp);
    render_rollups(st, b, &tmp);
    counter(b, "mimir_cache_hits_total", "Queries answered from the result cache.", st->cache_hits);
    counter(b, "mimir_cache_misses_total", "Result cache lookups that found nothing.",
            st->cache_misses);
    counter(b, "mimir_bytes_out_total",
            "Bytes sent to clients (MySQL packets and HTTP API bodies, before TLS).",
            st->bytes_out);
    gauge(b, "mimir_http_requests", "HTTP API requests being answered now.", g->http_requests);
    header(b, "mimir_http_responses_total", "counter",
           "HTTP API answers, by status code (codes not yet answered are left out).");
    for (int code = 100; code < 600; code++)
        if (st->http_responses[code])
            buf_printf(b, "mimir_http_responses_total{code=\"%d\"} %llu\n", code,
                       (unsigned long long)st->http_responses[code]);
    header(b, "mimir_reloads_total", "counter", "Configuration reloads (SIGHUP), by result.");
    buf_printf(b, "mimir_reloads_total{result=\"ok\"} %llu\n", (unsigned long long)st->reloads_ok);
    buf_printf(b, "mimir_reloads_total{result=\"failed\"} %llu\n",
               (unsigned long long)st->reloads_failed);
    gauge(b, "mimir_catalog_generation",
          "The semantic layer in force: 1 at start, one more per successful reload.",
          (double)st->catalog_generation);
    gauge(b, "mimir_uptime_seconds", "Seconds since the server started.", g->uptime_s);
    buf_free(&tmp);
}
