/*
 * The HTTP API's listener: evhttp on the server's loop (HTTPS through a
 * bufferevent_openssl when srv.cfg.http_tls), routing, methods, limits and
 * HTTP Basic authentication against the server's users. What a request
 * asks is answered by http_call.c (statements) and http_catalog.c.
 *
 * evhttp reads a request whole (headers and body, within the limits below)
 * before request_cb runs; it stops reading the connection until the answer
 * is complete, so a client that leaves while its query runs is noticed by a
 * watch on the socket (http_call.c), not by evhttp.
 */
#include "proxy/http/http_api.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "proxy/http/http_internal.h"
#include "proxy/http/http_static.h"
#include "proxy/log.h"
#include "proxy/login_guard.h"
#include "proxy/server.h"
#include "wire/auth_sha2.h"
#include "wire/xalloc.h"

/* A request line and headers of a browser or a driver fit easily. */
#define HTTP_MAX_HEADERS_BYTES (64 * 1024)
/*
 * evhttp itself refuses a body this many times larger than http: max_body_bytes, before
 * reading it all (with its own HTML 413: it has no hook to say it in JSON). Between the two,
 * request_cb answers 413 in JSON: a body a little too large gets a readable error, a huge
 * one is not read into memory.
 */
#define HTTP_BODY_HARD_FACTOR 4
/* A connection that sends nothing (or reads nothing of its answer) this long is closed. */
#define HTTP_IDLE_TIMEOUT_S 60

static struct {
    struct evhttp *http;
    struct evhttp_bound_socket *socket;
    http_call *head; /* the requests in flight */
    unsigned n;
    uint32_t next_id;
} api;

/* ---- Answers that are not results --------------------------------------------- */

static const char *reason_of(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Internal Server Error";
    }
}

void http_count_answer(int status)
{
    if (status >= 100 && status < 600)
        srv.stats.http_responses[status]++;
}

/* A complete answer with a JSON error body; usable before any http_call exists. */
static void send_error_to(struct evhttp_request *req, int status, const sql_error *e)
{
    http_count_answer(status);
    struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
    evhttp_add_header(headers, "Content-Type", "application/json");
    evhttp_add_header(headers, "Cache-Control", "no-store");
    if (status == 401)
        evhttp_add_header(headers, "WWW-Authenticate", "Basic realm=\"mimir\", charset=\"UTF-8\"");
    if (status == 429 || status == 503)
        evhttp_add_header(headers, "Retry-After", "1");
    buf body;
    buf_init(&body);
    http_error_json(&body, e);
    struct evbuffer *out = evbuffer_new();
    if (!out)
        abort();
    evbuffer_add(out, body.data, body.len);
    evhttp_send_reply(req, status, reason_of(status), out);
    evbuffer_free(out);
    buf_free(&body);
}

static void refuse(struct evhttp_request *req, int status, uint16_t code, const char *sqlstate,
                   const char *msg)
{
    sql_error e;
    sql_error_set(&e, code, sqlstate, "%s", msg);
    send_error_to(req, status, &e);
}

void http_send_error(http_call *c, int status, uint16_t code, const char *sqlstate, const char *fmt,
                     ...)
{
    sql_error e;
    char msg[sizeof e.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sql_error_set(&e, code, sqlstate, "%s", msg);
    send_error_to(c->req, status, &e);
    http_call_free(c);
}

int http_status_of(const sql_error *e)
{
    switch (e->code) {
    case ER_ACCESS_DENIED:
        return 401;
    case ER_DBACCESS_DENIED:
    case ER_KILL_DENIED_ERROR:
    case ER_SECURE_TRANSPORT_REQUIRED:
        return 403;
    case ER_CON_COUNT:
        return 429;
    case ER_SERVER_SHUTDOWN:
    case ER_QUERY_INTERRUPTED:
        return 503;
    case ER_QUERY_TIMEOUT:
        return 504;
    case ER_UNKNOWN_ERROR:
        return 502; /* a database, or the combine, failed */
    default:
        break;
    }
    /* Connection errors (08) and internal ones (HY) are the server's side; the rest (42
     * syntax and names, 22 data, 21 cardinality, ...) the statement's. */
    if (strncmp(e->sqlstate, "08", 2) == 0 || strncmp(e->sqlstate, "HY", 2) == 0)
        return 502;
    return 400;
}

/* ---- Calls ---------------------------------------------------------------------- */

static http_call *call_new(struct evhttp_request *req, http_endpoint ep)
{
    http_call *c = xcalloc(1, sizeof *c);
    c->req = req;
    c->evcon = evhttp_request_get_connection(req);
    c->id = ++api.next_id;
    c->endpoint = ep;
    char *host = NULL;
    ev_uint16_t port = 0;
    evhttp_connection_get_peer(c->evcon, &host, &port);
    snprintf(c->peer, sizeof c->peer, "%s", host ? host : "?");
    c->peer_port = port;
    arena_init(&c->stmt);
    buf_init(&c->staged);
    c->next = api.head;
    if (api.head)
        api.head->prev = c;
    api.head = c;
    api.n++;
    return c;
}

void http_call_free(http_call *c)
{
    if (c->in_exec_start) {
        c->free_pending = true;
        return;
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        api.head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    api.n--;
    if (c->auth_wait)
        event_free(c->auth_wait);
    if (c->close_watch)
        event_free(c->close_watch);
    if (c->encode_cancel)
        event_free(c->encode_cancel);
    if (c->rollup_retry)
        event_free(c->rollup_retry);
    if (c->evcon && c->req)
        evhttp_connection_set_closecb(c->evcon, NULL, NULL);
    http_encoder_free(c->enc);
    buf_free(&c->staged);
    query_log_free(&c->qlog);
    arena_free(&c->stmt);
    free(c->user);
    free(c);
}

/* ---- Authentication ------------------------------------------------------------- */

static const server_user *find_user(const char *name)
{
    for (size_t i = 0; i < srv.nusers; i++)
        if (strcmp(srv.users[i].name, name) == 0)
            return &srv.users[i];
    return NULL;
}

static bool password_matches(const server_user *u, const char *password)
{
    size_t len = strlen(password);
    if (u->has_sha2)
        return wire_sha2_password_check(password, len, u->sha2_verifier);
    uint8_t stage2[20];
    wire_native_password_stage2(password, stage2);
    return u->has_native && CRYPTO_memcmp(stage2, u->native_stage2, sizeof stage2) == 0;
}

/*
 * The user and password of an Authorization: Basic header, decoded in
 * place into out (user, NUL, password, NUL); false when it is not one.
 */
static bool basic_credentials(const char *header, char *out, size_t outlen, const char **user,
                              const char **password)
{
    if (strncasecmp(header, "Basic ", 6) != 0)
        return false;
    const char *b64 = header + 6;
    while (*b64 == ' ')
        b64++;
    size_t len = strlen(b64);
    if (len == 0 || len % 4 || len / 4 * 3 + 1 > outlen)
        return false;
    int n = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)b64, (int)len);
    if (n < 0)
        return false;
    while (len && b64[len - 1] == '=') /* EVP_DecodeBlock counts the padding as zero bytes */
        len--, n--;
    out[n] = '\0';
    char *colon = memchr(out, ':', (size_t)n);
    if (!colon || strlen(out) != (size_t)n) /* no separator, or a NUL inside */
        return false;
    *colon = '\0';
    *user = out;
    *password = colon + 1;
    return true;
}

/* The user the request is made as; false when it is not let in (401 sent, failure counted). */
static bool check_credentials(http_call *c)
{
    const char *header =
        evhttp_find_header(evhttp_request_get_input_headers(c->req), "Authorization");
    char decoded[1024];
    const char *user = NULL, *password = NULL;
    if (header && !basic_credentials(header, decoded, sizeof decoded, &user, &password)) {
        http_send_error(c, 401, ER_ACCESS_DENIED, "28000",
                        "the Authorization header is not HTTP Basic credentials");
        return false;
    }
    if (srv.nusers == 0) { /* as on the MySQL port: any name, an empty password */
        if (password && *password) {
            login_guard_failed(c->peer);
            http_send_error(c, 401, ER_ACCESS_DENIED, "28000",
                            "Access denied for user '%.100s'@'%s' (using password: YES)", user,
                            c->peer);
            return false;
        }
        c->user = xstrdup(user && *user ? user : "mimir");
        return true;
    }
    const server_user *u = user ? find_user(user) : NULL;
    if (!u || !password_matches(u, password)) {
        if (user)
            login_guard_failed(c->peer);
        log_info("http %u: access denied for '%s' from %s", c->id, user ? user : "", c->peer);
        http_send_error(c, 401, ER_ACCESS_DENIED, "28000",
                        "Access denied for user '%.100s'@'%s' (using password: %s)",
                        user ? user : "", c->peer, password && *password ? "YES" : "NO");
        return false;
    }
    login_guard_succeeded(c->peer);
    c->user = xstrdup(u->name);
    return true;
}

/* ---- Routing ---------------------------------------------------------------------- */

/* The request's body is JSON (or says nothing of its type). */
static bool json_body(struct evhttp_request *req)
{
    const char *type = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
    if (!type)
        return true;
    size_t len = strcspn(type, "; ");
    return len == strlen("application/json") && strncasecmp(type, "application/json", len) == 0;
}

/* A file of the web page, from the binary. */
static void answer_page(http_call *c, const char *type)
{
    struct evkeyvalq *headers = evhttp_request_get_output_headers(c->req);
    evhttp_add_header(headers, "Content-Type", type);
    evhttp_add_header(headers, "Cache-Control", "no-cache");
    evhttp_add_header(headers, "X-Content-Type-Options", "nosniff");
    /* The page talks to this server only: no frames, scripts or requests elsewhere. */
    evhttp_add_header(headers, "Content-Security-Policy",
                      "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    struct evbuffer *body = evbuffer_new();
    if (!body)
        abort();
    evbuffer_add_reference(body, c->page->data, c->page->len, NULL, NULL);
    http_count_answer(200);
    evhttp_send_reply(c->req, 200, "OK", body);
    evbuffer_free(body);
    http_call_free(c);
}

/* What the authenticated request asks. */
static void answer(http_call *c)
{
    if (c->endpoint == HTTP_PAGE) {
        const char *type;
        http_static_find(c->page->path, &type);
        answer_page(c, type);
        return;
    }
    if (c->endpoint == HTTP_CATALOG) {
        http_catalog_answer(c);
        return;
    }
    const char *sql;
    size_t len;
    if (http_body_statement(c, &sql, &len))
        http_call_run(c, sql, len);
}

static void auth_turn(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    http_call *c = arg;
    event_free(c->auth_wait);
    c->auth_wait = NULL;
    if (check_credentials(c))
        answer(c);
}

/* Authenticates (after a delay when the address failed to lately), then answers. */
static void authenticate_and_answer(http_call *c)
{
    uint64_t wait = 0;
    bool has_credentials =
        srv.nusers > 0 ||
        evhttp_find_header(evhttp_request_get_input_headers(c->req), "Authorization") != NULL;
    login_turn turn = has_credentials ? login_guard_turn(c->peer, &wait) : LOGIN_NOW;
    if (turn == LOGIN_REFUSED) {
        http_send_error(c, 429, ER_ACCESS_DENIED, "28000",
                        "Access denied: too many failed logins from '%s'; try again in a few "
                        "seconds",
                        c->peer);
        return;
    }
    if (turn == LOGIN_WAIT) {
        c->auth_wait = evtimer_new(srv.base, auth_turn, c);
        struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)(wait % 1000 * 1000)};
        evtimer_add(c->auth_wait, &tv);
        return;
    }
    if (check_credentials(c))
        answer(c);
}

typedef struct route {
    const char *path;
    http_endpoint endpoint;
    enum evhttp_cmd_type method;
    const char *allow;
} route;

static const route routes[] = {{"/v1/catalog", HTTP_CATALOG, EVHTTP_REQ_GET, "GET"},
                               {"/v1/query", HTTP_QUERY, EVHTTP_REQ_POST, "POST"},
                               {"/v1/sql", HTTP_SQL, EVHTTP_REQ_POST, "POST"},
                               {"/v1/explain", HTTP_EXPLAIN, EVHTTP_REQ_POST, "POST"}};

static void body_too_large(struct evhttp_request *req)
{
    char msg[128];
    snprintf(msg, sizeof msg, "the request body is larger than %llu bytes (http: max_body_bytes)",
             (unsigned long long)srv.cfg.http_max_body_bytes);
    refuse(req, 413, ER_NET_PACKET_TOO_LARGE, "08S01", msg);
}

/* The route of a request, or NULL after refusing it (404, 405, 415, 406, 429, 503). */
static const route *route_of(struct evhttp_request *req, http_format *format,
                             const http_asset **page)
{
    static const route page_route = {"/", HTTP_PAGE, EVHTTP_REQ_GET, "GET"};
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *type;
    *page = path ? http_static_find(path, &type) : NULL;
    if (*page) {
        *format = HTTP_FORMAT_JSON; /* of its errors */
        if (evhttp_request_get_command(req) == EVHTTP_REQ_GET)
            return &page_route;
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET");
        refuse(req, 405, ER_UNKNOWN_COM, "08S01", "the web page takes GET only");
        return NULL;
    }
    const route *r = NULL;
    for (size_t i = 0; path && i < sizeof routes / sizeof *routes; i++)
        if (strcmp(path, routes[i].path) == 0)
            r = &routes[i];
    if (!r) {
        refuse(req, 404, ER_UNKNOWN_COM, "08S01",
               "no such endpoint: the API has GET /v1/catalog, POST /v1/query, POST /v1/sql and "
               "POST /v1/explain (docs/http.md), and the web page is at /");
        return NULL;
    }
    if (evhttp_request_get_command(req) != r->method) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", r->allow);
        char msg[128];
        snprintf(msg, sizeof msg, "%s takes %s only", r->path, r->allow);
        refuse(req, 405, ER_UNKNOWN_COM, "08S01", msg);
        return NULL;
    }
    const char *accept = evhttp_find_header(evhttp_request_get_input_headers(req), "Accept");
    if (r->method == EVHTTP_REQ_POST && !json_body(req)) {
        refuse(req, 415, ER_MALFORMED_PACKET, "HY000",
               "the request body must be JSON (Content-Type: application/json)");
        return NULL;
    }
    if (!http_format_negotiate(accept, format)) {
        refuse(req, 406, ER_NOT_SUPPORTED_YET, "42000",
               "Accept names no format the API writes: application/json, text/csv or "
               "application/vnd.apache.arrow.stream");
        return NULL;
    }
    return r;
}

static void request_cb(struct evhttp_request *req, void *arg)
{
    (void)arg;
    http_format format;
    const http_asset *page;
    const route *r = route_of(req, &format, &page);
    if (!r)
        return;
    if (evbuffer_get_length(evhttp_request_get_input_buffer(req)) > srv.cfg.http_max_body_bytes) {
        body_too_large(req);
        return;
    }
    if (srv.stopped_accepting) {
        refuse(req, 503, ER_SERVER_SHUTDOWN, "08S01", "Server shutdown in progress");
        return;
    }
    if (api.n >= srv.cfg.max_connections) {
        refuse(req, 429, ER_CON_COUNT, "08004",
               "Too many requests in flight (limits: max_connections); try again");
        return;
    }
    http_call *c = call_new(req, r->endpoint);
    c->page = page;
    c->format =
        r->endpoint == HTTP_CATALOG || r->endpoint == HTTP_EXPLAIN ? HTTP_FORMAT_JSON : format;
    authenticate_and_answer(c);
}

/* ---- Listener ------------------------------------------------------------------------ */

/* Each connection's bufferevent: TLS on top of the socket when the API speaks HTTPS. */
static struct bufferevent *make_bufferevent(struct event_base *base, void *arg)
{
    (void)arg;
    if (!srv.tls)
        return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    SSL *ssl = SSL_new(srv.tls);
    if (!ssl)
        return NULL;
    return bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                          BEV_OPT_CLOSE_ON_FREE);
}

bool http_api_start(void)
{
    api.http = evhttp_new(srv.base);
    if (!api.http)
        abort();
    /* Every method reaches request_cb, which answers 405 itself (evhttp's would be 501). */
    evhttp_set_allowed_methods(api.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                             EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                             EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_max_headers_size(api.http, HTTP_MAX_HEADERS_BYTES);
    evhttp_set_max_body_size(api.http,
                             (ev_ssize_t)(srv.cfg.http_max_body_bytes * HTTP_BODY_HARD_FACTOR));
    evhttp_set_timeout(api.http, HTTP_IDLE_TIMEOUT_S);
    evhttp_set_gencb(api.http, request_cb, NULL);
    if (srv.cfg.http_tls)
        evhttp_set_bevcb(api.http, make_bufferevent, NULL);
    api.socket =
        evhttp_bind_socket_with_handle(api.http, srv.cfg.http_host, (ev_uint16_t)srv.cfg.http_port);
    if (!api.socket) {
        log_error("cannot listen for the HTTP API on %s:%d: %s", srv.cfg.http_host,
                  srv.cfg.http_port, evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        evhttp_free(api.http);
        api.http = NULL;
        return false;
    }
    srv.http = &http_sessions;
    log_info("HTTP API on %s://%s:%d (docs/http.md)", srv.cfg.http_tls ? "https" : "http",
             srv.cfg.http_host, srv.cfg.http_port);
    return true;
}

static unsigned count(void)
{
    return api.n;
}

static unsigned busy(void)
{
    unsigned n = 0;
    for (http_call *c = api.head; c; c = c->next)
        n += c->running != NULL;
    return n;
}

/* Shutting down: no new connections; requests in flight go on. */
static void stop_accepting(void)
{
    if (api.socket)
        evhttp_del_accept_socket(api.http, api.socket);
    api.socket = NULL;
}

static void cancel_all(void)
{
    for (http_call *c = api.head; c; c = c->next)
        if (c->running)
            exec_cancel(c->running, ER_SERVER_SHUTDOWN, "08S01", "Server shutdown in progress");
}

/* At exit, the loop stopped: executions are dropped, evhttp frees the requests. */
static void free_all(void)
{
    while (api.head) {
        http_call *c = api.head;
        if (c->running)
            exec_detach(c->running);
        c->running = NULL;
        if (c->req) /* evhttp_free below frees the request and its connection */
            evhttp_connection_set_closecb(c->evcon, NULL, NULL);
        c->req = NULL;
        http_call_free(c);
    }
}

void http_api_stop(void)
{
    free_all();
    if (api.http)
        evhttp_free(api.http);
    api.http = NULL;
    api.socket = NULL;
    srv.http = NULL;
}

const server_sessions http_sessions = {.accept = NULL,
                                       .count = count,
                                       .busy = busy,
                                       .close_idle = stop_accepting,
                                       .close_all = cancel_all,
                                       .free_all = free_all};
