/*
 * The admin HTTP listener (off unless `admin: port:` or --admin-port is set):
 * libevent's evhttp on the server's own event loop, never blocking it.
 *
 *   GET /healthz   200 {"status":"ok",...} while serving, 503 while shutting down
 *   GET /metrics   Prometheus text format 0.0.4 (proxy/obs/stats.h)
 *
 * Any other path is 404, any other method 405. It listens on loopback by
 * default; a non-loopback address needs `allow_remote: true` (checked in
 * proxy/main.c), since the metrics name sources, connections and users'
 * activity and nothing authenticates the scraper.
 */
#ifndef MIMIR_PROXY_OBS_ADMIN_HTTP_H
#define MIMIR_PROXY_OBS_ADMIN_HTTP_H

#include <stdbool.h>

#include <event2/event.h>

#include "proxy/obs/stats.h"

/* What /healthz reports. */
typedef struct admin_health {
    bool shutting_down;
    bool reloading; /* SIGHUP: out of rotation until the reload is done */
    uint64_t catalog_generation;
    bool have_layer; /* a semantic layer is in force: its sizes follow */
    size_t sources, metrics, dimensions;
    unsigned connections;
} admin_health;

/*
 * What the endpoints read, supplied by whoever runs the listener (the server),
 * so that this file knows nothing of sessions, pools or execution.
 */
typedef struct admin_source {
    const server_stats *stats;
    void (*health)(admin_health *out);
    /* The gauges of /metrics; g->pools is allocated (malloc) by it and freed here. */
    void (*gauges)(stats_gauges *g);
} admin_source;

/*
 * Starts listening on host:port; false (logged) when the address cannot be
 * used. src must outlive the listener.
 */
bool admin_http_start(struct event_base *base, const char *host, int port, const admin_source *src);
void admin_http_stop(void);

#endif
