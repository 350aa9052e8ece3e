#include "proxy/obs/admin_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "proxy/log.h"
#include "proxy/obs/json_out.h"
#include "proxy/obs/stats.h"

/* A scraper's request is a line and a few headers: refuse anything bigger. */
#define ADMIN_MAX_HEADERS_BYTES 8192
#define ADMIN_MAX_BODY_BYTES    1024
/* Idle or slow admin connections are dropped after this. */
#define ADMIN_TIMEOUT_S 10

static struct evhttp *http;
static const admin_source *source;

static void send_text(struct evhttp_request *req, int code, const char *reason,
                      const char *content_type, const void *body, size_t len)
{
    struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
    evhttp_add_header(headers, "Content-Type", content_type);
    evhttp_add_header(headers, "Cache-Control", "no-store");
    struct evbuffer *out = evbuffer_new();
    if (!out)
        abort();
    evbuffer_add(out, body, len);
    evhttp_send_reply(req, code, reason, out);
    evbuffer_free(out);
}

static void serve_metrics(struct evhttp_request *req)
{
    stats_gauges g = {0};
    source->gauges(&g);
    buf out;
    buf_init(&out);
    stats_render_prometheus(source->stats, &g, &out);
    send_text(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", out.data, out.len);
    buf_free(&out);
    free((void *)g.pools);
}

static void serve_healthz(struct evhttp_request *req)
{
    admin_health h = {0};
    source->health(&h);
    buf out;
    buf_init(&out);
    buf_append_str(&out, "{\"status\":");
    /* 503 takes the server out of a load balancer's rotation (docs/operations.md). */
    bool out_of_rotation = h.shutting_down || h.reloading;
    json_append_cstr(&out, h.shutting_down ? "shutting_down" : h.reloading ? "reloading" : "ok");
    buf_printf(&out, ",\"catalog_generation\":%llu", (unsigned long long)h.catalog_generation);
    if (h.have_layer)
        buf_printf(&out, ",\"sources\":%zu,\"metrics\":%zu,\"dimensions\":%zu", h.sources,
                   h.metrics, h.dimensions);
    buf_printf(&out, ",\"connections\":%u}\n", h.connections);
    if (out_of_rotation)
        send_text(req, 503, "Service Unavailable", "application/json", out.data, out.len);
    else
        send_text(req, 200, "OK", "application/json", out.data, out.len);
    buf_free(&out);
}

static void request_cb(struct evhttp_request *req, void *arg)
{
    (void)arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    bool metrics = path && strcmp(path, "/metrics") == 0;
    bool healthz = path && strcmp(path, "/healthz") == 0;
    if (!metrics && !healthz) {
        static const char body[] = "not found: try /healthz or /metrics\n";
        send_text(req, 404, "Not Found", "text/plain; charset=utf-8", body, sizeof(body) - 1);
        return;
    }
    if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
        static const char body[] = "method not allowed: use GET\n";
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET");
        send_text(req, 405, "Method Not Allowed", "text/plain; charset=utf-8", body,
                  sizeof(body) - 1);
        return;
    }
    if (metrics)
        serve_metrics(req);
    else
        serve_healthz(req);
}

bool admin_http_start(struct event_base *base, const char *host, int port, const admin_source *src)
{
    source = src;
    http = evhttp_new(base);
    if (!http)
        abort();
    /* Every method reaches request_cb, which answers 405 itself (evhttp's own
     * refusal would be 501). */
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                         EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                                         EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_max_headers_size(http, ADMIN_MAX_HEADERS_BYTES);
    evhttp_set_max_body_size(http, ADMIN_MAX_BODY_BYTES);
    evhttp_set_timeout(http, ADMIN_TIMEOUT_S);
    evhttp_set_gencb(http, request_cb, NULL);
    if (!evhttp_bind_socket_with_handle(http, host, (ev_uint16_t)port)) {
        log_error("cannot listen for admin HTTP on %s:%d: %s", host, port,
                  evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        evhttp_free(http);
        http = NULL;
        return false;
    }
    log_info("admin HTTP on http://%s:%d (/healthz, /metrics)", host, port);
    return true;
}

void admin_http_stop(void)
{
    if (http)
        evhttp_free(http);
    http = NULL;
}
