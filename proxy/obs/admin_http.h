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

/* Starts listening on host:port; false (logged) when the address cannot be used. */
bool admin_http_start(struct event_base *base, const char *host, int port);
void admin_http_stop(void);

#endif
