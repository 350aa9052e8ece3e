/*
 * Client sessions. Every socket event of a client arrives here: read_cb takes
 * whole logical packets off the input and dispatches them by state;
 * write_cb resumes a paused stream or finishes a close once the output
 * drained; event_cb handles the peer going away.
 */
#include "proxy/client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <openssl/rand.h>

#include "planner/planner.h"
#include "proxy/columns.h"
#include "proxy/exec.h"
#include "proxy/log.h"
#include "proxy/server.h"

/* Output beyond this pauses the backend until the client reads (backpressure). */
#define OUTPUT_HIGH_WATER (1u << 20)
#define OUTPUT_LOW_WATER  (256u << 10)
/* Encoded rows are handed to the socket in chunks of about this size. */
#define OUT_CHUNK (64u << 10)

#define SERVER_CAPABILITIES                                                                        \
    (CLIENT_LONG_PASSWORD | CLIENT_FOUND_ROWS | CLIENT_LONG_FLAG | CLIENT_CONNECT_WITH_DB |        \
     CLIENT_NO_SCHEMA | CLIENT_ODBC | CLIENT_IGNORE_SPACE | CLIENT_PROTOCOL_41 |                   \
     CLIENT_INTERACTIVE | CLIENT_IGNORE_SIGPIPE | CLIENT_TRANSACTIONS | CLIENT_RESERVED |          \
     CLIENT_SECURE_CONNECTION | CLIENT_MULTI_RESULTS | CLIENT_PLUGIN_AUTH | CLIENT_CONNECT_ATTRS | \
     CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | CLIENT_DEPRECATE_EOF)

static void read_cb(struct bufferevent *bev, void *arg);
static void write_cb(struct bufferevent *bev, void *arg);
static void event_cb(struct bufferevent *bev, short what, void *arg);

static uint16_t status_flags(const client *cl)
{
    return cl->autocommit ? SERVER_STATUS_AUTOCOMMIT : 0;
}

static void flush_out(client *cl)
{
    if (cl->out.len) {
        bufferevent_write(cl->bev, cl->out.data, cl->out.len);
        buf_reset(&cl->out);
    }
}

static void free_client(client *cl)
{
    if (cl->running) {
        exec_abort(cl->running);
        cl->running = NULL;
    }
    if (cl->prev)
        cl->prev->next = cl->next;
    else
        srv.clients = cl->next;
    if (cl->next)
        cl->next->prev = cl->prev;
    srv.nclients--;
    if (cl->next_command)
        event_free(cl->next_command);
    bufferevent_free(cl->bev);
    buf_free(&cl->packet);
    buf_free(&cl->out);
    arena_free(&cl->stmt);
    free(cl->user);
    free(cl->db);
    free(cl);
}

void client_free_now(client *cl)
{
    free_client(cl);
}

/* Closes after what was already queued has been written. */
void client_close(client *cl)
{
    if (cl->state == CLIENT_CLOSING)
        return;
    if (cl->running) {
        exec_abort(cl->running);
        cl->running = NULL;
    }
    flush_out(cl);
    cl->state = CLIENT_CLOSING;
    bufferevent_disable(cl->bev, EV_READ);
    bufferevent_setwatermark(cl->bev, EV_WRITE, 0, 0);
    /* Freed from the loop (here we may be deep in this client's own callbacks). */
    event_active(cl->next_command, 0, 0);
}

static void send_error(client *cl, uint16_t code, const char *state, const char *msg)
{
    wire_write_err(&cl->out, &cl->seq, code, state, msg);
    flush_out(cl);
}

void client_send_error(client *cl, const sql_error *e)
{
    send_error(cl, e->code, e->sqlstate, e->message);
}

static void send_ok(client *cl)
{
    wire_write_ok(&cl->out, &cl->seq, cl->caps, 0, 0, status_flags(cl), 0, NULL);
    flush_out(cl);
}

void client_send_header(client *cl, const wire_column *cols, size_t n)
{
    wire_write_result_header(&cl->out, &cl->seq, cl->caps, n, cols);
}

void client_send_row(client *cl, const char *const *values, const size_t *lengths, size_t n)
{
    wire_write_text_row(&cl->out, &cl->seq, n, values, lengths);
    if (cl->out.len >= OUT_CHUNK)
        flush_out(cl);
}

void client_send_end(client *cl)
{
    wire_write_result_end(&cl->out, &cl->seq, cl->caps, status_flags(cl));
    flush_out(cl);
}

bool client_output_full(client *cl)
{
    flush_out(cl);
    return evbuffer_get_length(bufferevent_get_output(cl->bev)) > OUTPUT_HIGH_WATER;
}

static void next_command_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    client *cl = arg;
    if (cl->state == CLIENT_CLOSING) {
        if (evbuffer_get_length(bufferevent_get_output(cl->bev)) == 0)
            free_client(cl);
        return;
    }
    read_cb(cl->bev, cl);
}

void client_query_done(client *cl)
{
    flush_out(cl);
    cl->running = NULL;
    if (cl->state != CLIENT_BUSY)
        return;
    cl->state = CLIENT_READY;
    /* Pipelined commands may already be buffered; take them from the loop, not from here. */
    event_active(cl->next_command, 0, 0);
}

/* ---- Connection phase ------------------------------------------------------ */

static void send_greeting(client *cl)
{
    /* The scramble must not contain NUL bytes: clients read it as a C string. */
    RAND_bytes(cl->scramble, sizeof(cl->scramble));
    for (size_t i = 0; i < sizeof(cl->scramble); i++)
        cl->scramble[i] = (uint8_t)(cl->scramble[i] % 94 + 33);
    wire_handshake hs = {
        .connection_id = cl->id,
        .server_version = MIMIR_SERVER_VERSION,
        .capabilities = SERVER_CAPABILITIES,
        .charset = CHARSET_UTF8MB4_GENERAL_CI,
        .status = SERVER_STATUS_AUTOCOMMIT,
        .auth_plugin = "mysql_native_password",
    };
    memcpy(hs.scramble, cl->scramble, sizeof(hs.scramble));
    size_t begin = wire_packet_begin(&cl->out);
    wire_write_handshake_v10(&cl->out, &hs);
    cl->seq = 0;
    wire_packet_end(&cl->out, begin, &cl->seq);
    flush_out(cl);
}

/* With no users configured, any user name with an empty password, from loopback. */
static bool password_ok(const client *cl, const uint8_t *auth, size_t len)
{
    if (len == 0)
        return true;
    uint8_t empty_stage2[20];
    wire_native_password_stage2("", empty_stage2);
    return wire_native_password_check(cl->scramble, empty_stage2, auth, len);
}

static void authenticated(client *cl, const uint8_t *auth, size_t len)
{
    if (!password_ok(cl, auth, len)) {
        char msg[256];
        snprintf(msg, sizeof(msg), "Access denied for user '%s'@'%s' (using password: YES)",
                 cl->user, cl->peer);
        log_info("client %u: access denied for '%s' from %s", cl->id, cl->user, cl->peer);
        send_error(cl, ER_ACCESS_DENIED, "28000", msg);
        client_close(cl);
        return;
    }
    if (cl->db && !planner_database_exists(cl->db)) {
        char msg[256];
        snprintf(msg, sizeof(msg), "Unknown database '%s'", cl->db);
        send_error(cl, ER_BAD_DB, "42000", msg);
        client_close(cl);
        return;
    }
    cl->state = CLIENT_READY;
    send_ok(cl);
}

static void handle_handshake(client *cl)
{
    wire_handshake_response r;
    uint32_t caps;
    if (wire_is_ssl_request(cl->packet.data, cl->packet.len, &caps)) {
        /* We never offered CLIENT_SSL; a client that asks anyway gets no session. */
        log_info("client %u: TLS requested but not offered; closing", cl->id);
        client_close(cl);
        return;
    }
    if (!wire_parse_handshake_response(cl->packet.data, cl->packet.len, &r) || !r.user) {
        log_info("client %u: malformed handshake response; closing", cl->id);
        client_close(cl);
        return;
    }
    cl->caps = r.capabilities & SERVER_CAPABILITIES;
    cl->user = strdup(r.user);
    if (r.database && r.database[0])
        cl->db = strdup(r.database);
    if (r.auth_len > 0 && r.auth_plugin && strcmp(r.auth_plugin, "mysql_native_password") != 0 &&
        (cl->caps & CLIENT_PLUGIN_AUTH)) {
        /* e.g. caching_sha2_password from a MySQL 8 client: ask for native instead. */
        size_t begin = wire_packet_begin(&cl->out);
        wire_write_auth_switch(&cl->out, "mysql_native_password", cl->scramble);
        wire_packet_end(&cl->out, begin, &cl->seq);
        flush_out(cl);
        cl->state = CLIENT_AWAIT_AUTH_SWITCH;
        return;
    }
    authenticated(cl, r.auth, r.auth_len);
}

/* ---- Commands -------------------------------------------------------------- */

static void send_const_result(client *cl, const const_result *r)
{
    wire_column *defs = calloc(r->ncols + 1, sizeof(*defs));
    if (!defs)
        abort();
    for (size_t i = 0; i < r->ncols; i++)
        column_definition(&r->cols[i], r->cols[i].name, r->cols[i].name, &defs[i]);
    for (size_t i = 0; i < r->ncols; i++)
        defs[i].schema = defs[i].table = defs[i].org_table = "";
    client_send_header(cl, defs, r->ncols);
    free(defs);
    for (size_t row = 0; row < r->nrows; row++)
        client_send_row(cl, r->values + row * r->ncols, NULL, r->ncols);
    client_send_end(cl);
}

static void handle_query(client *cl, const char *sql, size_t len)
{
    session_info s = {
        .cat = srv.cat,
        .db = cl->db,
        .user = cl->user,
        .client_host = cl->peer,
        .connection_id = cl->id,
        .autocommit = cl->autocommit,
    };
    arena_free(&cl->stmt);
    arena_init(&cl->stmt);
    action act;
    planner_plan(&cl->stmt, &s, sql, len, &act);
    switch (act.kind) {
    case ACTION_OK:
        if (act.new_db) {
            free(cl->db);
            cl->db = strdup(act.new_db);
        }
        if (act.set_autocommit >= 0)
            cl->autocommit = act.set_autocommit == 1;
        send_ok(cl);
        return;
    case ACTION_ROWS:
        send_const_result(cl, &act.rows);
        return;
    case ACTION_ERROR:
        client_send_error(cl, &act.error);
        return;
    case ACTION_QUERY:
        cl->state = CLIENT_BUSY;
        cl->running = exec_start(cl, act.plan);
        return;
    }
}

static void handle_init_db(client *cl, const char *name, size_t len)
{
    char *db = strndup(name, len);
    if (!db)
        abort();
    if (!planner_database_exists(db)) {
        char msg[256];
        snprintf(msg, sizeof(msg), "Unknown database '%.200s'", db);
        send_error(cl, ER_BAD_DB, "42000", msg);
        free(db);
        return;
    }
    free(cl->db);
    cl->db = db;
    send_ok(cl);
}

static void handle_command(client *cl)
{
    if (cl->packet.len == 0) {
        client_close(cl);
        return;
    }
    uint8_t cmd = cl->packet.data[0];
    const char *arg = (const char *)cl->packet.data + 1;
    size_t arg_len = cl->packet.len - 1;
    switch (cmd) {
    case COM_QUIT:
        client_close(cl);
        return;
    case COM_PING:
    case COM_RESET_CONNECTION:
        send_ok(cl);
        return;
    case COM_QUERY:
        handle_query(cl, arg, arg_len);
        return;
    case COM_INIT_DB:
        handle_init_db(cl, arg, arg_len);
        return;
    case COM_FIELD_LIST:
        /* Column listing for completion; the catalog work is a later issue: none. */
        wire_write_result_end(&cl->out, &cl->seq, cl->caps, status_flags(cl));
        flush_out(cl);
        return;
    case COM_SET_OPTION:
        wire_write_eof(&cl->out, &cl->seq, status_flags(cl), 0);
        flush_out(cl);
        return;
    case COM_STATISTICS: {
        char stats[128];
        int n =
            snprintf(stats, sizeof(stats), "Threads: %u  Questions: 0  Uptime: 0", srv.nclients);
        size_t begin = wire_packet_begin(&cl->out);
        buf_append(&cl->out, stats, (size_t)n);
        wire_packet_end(&cl->out, begin, &cl->seq);
        flush_out(cl);
        return;
    }
    default: {
        char msg[64];
        snprintf(msg, sizeof(msg), "Unknown command %u", cmd);
        send_error(cl, ER_UNKNOWN_COM, "08S01", msg);
        return;
    }
    }
}

/* ---- Socket events --------------------------------------------------------- */

/* True when a whole physical packet is buffered (cheap check before a pullup). */
static bool packet_buffered(struct evbuffer *in)
{
    uint8_t header[4];
    if (evbuffer_copyout(in, header, 4) < 4)
        return false;
    size_t len = header[0] | (size_t)header[1] << 8 | (size_t)header[2] << 16;
    return evbuffer_get_length(in) >= len + 4;
}

static void read_cb(struct bufferevent *bev, void *arg)
{
    client *cl = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    while (cl->state != CLIENT_BUSY && cl->state != CLIENT_CLOSING) {
        if (!packet_buffered(in))
            return;
        size_t avail = evbuffer_get_length(in);
        const uint8_t *data = evbuffer_pullup(in, -1);
        size_t consumed = 0;
        uint8_t seq = 0;
        buf_reset(&cl->packet);
        int expect = cl->state == CLIENT_READY ? 0 : cl->seq;
        wire_read_status st = wire_read_packet(data, avail, srv.cfg.max_allowed_packet, expect,
                                               &consumed, &cl->packet, &seq);
        if (st == WIRE_NEED_MORE)
            return;
        if (st == WIRE_ERROR) {
            log_info("client %u: malformed packet (bad sequence or over max_allowed_packet); "
                     "closing",
                     cl->id);
            cl->seq = (uint8_t)(seq + 1);
            send_error(cl, ER_NET_PACKET_TOO_LARGE, "08S01",
                       "Got a packet bigger than 'max_allowed_packet' bytes or out of order");
            client_close(cl);
            return;
        }
        evbuffer_drain(in, consumed);
        cl->seq = (uint8_t)(seq + 1);
        switch (cl->state) {
        case CLIENT_AWAIT_HANDSHAKE:
            handle_handshake(cl);
            break;
        case CLIENT_AWAIT_AUTH_SWITCH:
            authenticated(cl, cl->packet.data, cl->packet.len);
            break;
        case CLIENT_READY:
            handle_command(cl);
            break;
        default:
            return;
        }
    }
}

static void write_cb(struct bufferevent *bev, void *arg)
{
    client *cl = arg;
    if (cl->state == CLIENT_CLOSING) {
        if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
            free_client(cl);
        return;
    }
    if (cl->running)
        exec_resume(cl->running);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    client *cl = arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        if (cl->running)
            log_info("client %u disconnected during a query; cancelling it", cl->id);
        free_client(cl);
    }
}

static void describe_peer(const struct sockaddr *addr, char *out, size_t n)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, host, sizeof(host));
    else if (addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr, host, sizeof(host));
    snprintf(out, n, "%s", host);
}

void client_accept(evutil_socket_t fd, const struct sockaddr *addr, int socklen)
{
    (void)socklen;
    client *cl = calloc(1, sizeof(*cl));
    if (!cl)
        abort();
    cl->id = ++srv.next_client_id;
    cl->autocommit = true;
    describe_peer(addr, cl->peer, sizeof(cl->peer));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    cl->bev = bufferevent_socket_new(srv.base, fd, BEV_OPT_CLOSE_ON_FREE);
    cl->next_command = event_new(srv.base, -1, 0, next_command_cb, cl);
    buf_init(&cl->packet);
    buf_init(&cl->out);
    arena_init(&cl->stmt);
    cl->next = srv.clients;
    if (srv.clients)
        srv.clients->prev = cl;
    srv.clients = cl;
    srv.nclients++;
    bufferevent_setcb(cl->bev, read_cb, write_cb, event_cb, cl);
    bufferevent_setwatermark(cl->bev, EV_WRITE, OUTPUT_LOW_WATER, 0);
    bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
    cl->state = CLIENT_AWAIT_HANDSHAKE;
    send_greeting(cl);
}
