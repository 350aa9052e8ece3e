/*
 * The server's counters, for the admin endpoint's /metrics (proxy/obs/admin_http.c).
 *
 * Everything is updated with plain increments on the loop thread (workers
 * never touch it), so no locks or atomics: the loop is the only writer and
 * the only reader. Gauges that describe the present (sessions, pools) are not
 * kept here but read from their owners when /metrics is rendered.
 */
#ifndef MIMIR_PROXY_OBS_STATS_H
#define MIMIR_PROXY_OBS_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

/* Upper bounds (seconds) of the latency histograms' buckets; +Inf is implicit. */
#define STATS_NBUCKETS 9
extern const double stats_bucket_bounds[STATS_NBUCKETS];

typedef struct histogram {
    uint64_t buckets[STATS_NBUCKETS]; /* observations <= bound i and > bound i-1 */
    uint64_t count;                   /* all observations (the +Inf bucket) */
    double sum;                       /* seconds */
} histogram;

void histogram_observe(histogram *h, double seconds);

/* How a statement ended, for mimir_queries_total{status} and the query log. */
typedef enum {
    QUERY_OK,
    QUERY_ERROR,
    QUERY_KILLED,       /* KILL QUERY / KILL CONNECTION (1317) */
    QUERY_TIMEOUT,      /* query_timeout or max_execution_time (3024) */
    QUERY_DISCONNECTED, /* the client left before its answer */
    QUERY_NSTATUS
} query_status;

const char *query_status_name(query_status s);

/* Per source (by name; kept across reloads, a source's history stays). */
typedef struct source_stats {
    char *name;
    histogram backend; /* time of its atomic queries that succeeded */
    uint64_t rows;     /* rows its atomic queries returned */
    /* Its atomic queries answered from its rows although it declares rollups (none
     * matched, none was ready, or the statement or session turned them off). */
    uint64_t rollup_misses;
} source_stats;

/* Per rollup (by name; kept across reloads): its builds and refreshes on this server. */
typedef struct rollup_stats {
    char *name;
    uint64_t builds;   /* full builds and refreshes that succeeded */
    uint64_t failures; /* that failed (the last good rollup stays) */
    uint64_t busy;     /* left to another server that held the lock */
    double seconds;    /* time of the builds and refreshes, failed ones included */
    long long rows;    /* rows in the rollup after its last build or refresh; -1: not known */
    uint64_t hits;     /* atomic queries it answered */
} rollup_stats;

typedef struct server_stats {
    uint64_t connections_total;    /* sessions accepted */
    uint64_t connections_rejected; /* refused: max_connections, shutting down */
    uint64_t queries[QUERY_NSTATUS];
    histogram query_duration; /* every query counted in queries[] */
    source_stats **sources;   /* pointers stay valid while the array grows */
    size_t nsources;
    /* The result cache increments these (hit: answered from the cache; miss:
     * looked up and not found). Neither moves while no cache exists. */
    uint64_t cache_hits;
    uint64_t cache_misses;
    uint64_t bytes_out; /* bytes handed to client sockets */
    /* The HTTP API's answers, by status (100-599; proxy/http/). */
    uint64_t http_responses[600];
    uint64_t reloads_ok; /* SIGHUP reloads that took effect */
    uint64_t reloads_failed;
    uint64_t catalog_generation; /* 1 at startup, +1 per semantic layer installed */
    rollup_stats **rollups;      /* pointers stay valid while the array grows */
    size_t nrollups;
} server_stats;

/* The stats of source name, created on first use. */
source_stats *stats_source(server_stats *st, const char *name);
void stats_free(server_stats *st);
/* The stats of rollup name, created on first use. */
rollup_stats *stats_rollup(server_stats *st, const char *name);

/* Gauges read at render time from their owners. */
typedef struct pool_gauge {
    const char *connection;
    int idle, busy; /* busy includes connections being opened */
    int waiting;    /* requests queued for a connection */
} pool_gauge;

typedef struct stats_gauges {
    unsigned connections;   /* sessions now */
    unsigned executions;    /* queries running (or still cancelling) */
    unsigned http_requests; /* HTTP API requests being answered */
    const pool_gauge *pools;
    size_t npools;
    double uptime_s;
} stats_gauges;

/* Appends the Prometheus text exposition format (0.0.4) of st and g to out. */
void stats_render_prometheus(const server_stats *st, const stats_gauges *g, buf *out);

/* A monotonic clock, in nanoseconds, for durations (never the wall clock). */
uint64_t stats_now_ns(void);

#endif
