/*
 * The connection phase of a session, and COM_CHANGE_USER, which replays it
 * inside the command phase:
 *
 *   greeting -> [SSLRequest, TLS handshake] -> handshake response
 *            -> [AuthSwitchRequest -> response]
 *            -> [caching_sha2_password: AuthMoreData, full authentication]
 *            -> OK or ERR
 *
 * Without configured users (srv.nusers == 0) any user name with an empty
 * password is accepted, as before users existed. With users, only they may
 * log in, with mysql_native_password or caching_sha2_password: a client that
 * starts with a plugin the user has a hash for is checked with it; any other
 * is switched to the user's preferred plugin (caching_sha2_password when it
 * has that hash).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "proxy/session/client_internal.h"
#include "proxy/log.h"
#include "proxy/login_guard.h"
#include "proxy/server.h"
#include "proxy/tls.h"
#include "wire/auth_sha2.h"
#include "wire/xalloc.h"

#define SERVER_CAPABILITIES                                                                        \
    (CLIENT_LONG_PASSWORD | CLIENT_FOUND_ROWS | CLIENT_LONG_FLAG | CLIENT_CONNECT_WITH_DB |        \
     CLIENT_NO_SCHEMA | CLIENT_ODBC | CLIENT_IGNORE_SPACE | CLIENT_PROTOCOL_41 |                   \
     CLIENT_INTERACTIVE | CLIENT_IGNORE_SIGPIPE | CLIENT_TRANSACTIONS | CLIENT_RESERVED |          \
     CLIENT_SECURE_CONNECTION | CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS |                   \
     CLIENT_PLUGIN_AUTH | CLIENT_CONNECT_ATTRS | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA |           \
     CLIENT_DEPRECATE_EOF)

static const char native_plugin[] = "mysql_native_password";
static const char sha2_plugin[] = "caching_sha2_password";

/* Where an exchange stands after its first packet. */
typedef enum {
    AUTH_SWITCHED,  /* sent AuthSwitchRequest; the response is for plugin */
    AUTH_SHA2_FULL, /* asked for full authentication: password, or a key request */
} auth_step;

struct auth_exchange {
    bool change_user; /* COM_CHANGE_USER: failure keeps the session as it was */
    char *user;
    char *db;             /* requested database, NULL for none */
    server_user *account; /* the configured user (a decoy when unknown); unused without users */
    const char *plugin;   /* plugin of the exchange in progress */
    auth_step step;
    bool password_used; /* for "using password: YES/NO" */
    bool switched;      /* an AuthSwitchRequest was sent */
    const char *how;    /* how the password was checked, for the log */
    uint32_t caps;      /* negotiated in the handshake response */
    /* Waiting its turn after failed logins from the address (see below). */
    struct event *wait;
    buf waiting_packet;         /* the packet to handle when the wait ends */
    void (*resume)(client *cl); /* what handles it */
};

static uint32_t server_capabilities(void)
{
    return SERVER_CAPABILITIES | (srv.tls ? CLIENT_SSL : 0);
}

void client_auth_free(client *cl)
{
    if (!cl->auth)
        return;
    if (cl->auth->wait)
        event_free(cl->auth->wait);
    buf_free(&cl->auth->waiting_packet);
    free(cl->auth->user);
    free(cl->auth->db);
    free(cl->auth);
    cl->auth = NULL;
}

static void new_scramble(client *cl)
{
    /* The scramble must not contain NUL bytes: clients read it as a C string. */
    RAND_bytes(cl->scramble, sizeof(cl->scramble));
    for (size_t i = 0; i < sizeof(cl->scramble); i++)
        cl->scramble[i] = (uint8_t)(cl->scramble[i] % 94 + 33);
}

void client_auth_greet(client *cl)
{
    new_scramble(cl);
    wire_handshake hs = {
        .connection_id = cl->id,
        .server_version = MIMIR_SERVER_VERSION,
        .capabilities = server_capabilities(),
        .charset = CHARSET_UTF8MB4_GENERAL_CI,
        .status = SERVER_STATUS_AUTOCOMMIT,
        /* MySQL 8's default when there are passwords to check. */
        .auth_plugin = srv.nusers ? sha2_plugin : native_plugin,
    };
    memcpy(hs.scramble, cl->scramble, sizeof(hs.scramble));
    size_t begin = wire_packet_begin(&cl->out);
    wire_write_handshake_v10(&cl->out, &hs);
    cl->seq = 0;
    wire_packet_end(&cl->out, begin, &cl->seq);
    client_flush(cl);
}

/* ---- Failed logins: a growing delay per address (proxy/login_guard.h) -------- */

static void login_failed(client *cl)
{
    login_guard_failed(cl->peer);
}

static void login_succeeded(client *cl)
{
    login_guard_succeeded(cl->peer);
}

bool client_auth_waiting(const client *cl)
{
    return cl->auth && cl->auth->wait;
}

static void wait_over(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    client *cl = arg;
    auth_exchange *ax = cl->auth;
    void (*resume)(client *) = ax->resume;
    buf_reset(&cl->packet);
    buf_append(&cl->packet, ax->waiting_packet.data, ax->waiting_packet.len);
    client_auth_free(cl);
    resume(cl);
    /* Packets that arrived meanwhile are taken from the loop, as after a query. */
    if (cl->state != CLIENT_CLOSING)
        event_active(cl->next_command, 0, 0);
}

/*
 * True when the login in cl->packet must wait its turn: it is then handled
 * by resume later (the session reads nothing else meanwhile), or refused now
 * when the queue of its address is too long.
 */
static bool login_must_wait(client *cl, void (*resume)(client *cl))
{
    uint64_t wait;
    login_turn turn = login_guard_turn(cl->peer, &wait);
    if (turn == LOGIN_NOW)
        return false;
    if (turn == LOGIN_REFUSED) {
        log_info("client %u: login from %s refused: too many failed logins from it", cl->id,
                 cl->peer);
        bool logged_in = cl->state == CLIENT_READY; /* COM_CHANGE_USER: the session stays */
        client_send_err(cl, ER_ACCESS_DENIED, "28000",
                        "Access denied: too many failed logins from '%s'; try again in a few "
                        "seconds",
                        cl->peer);
        if (!logged_in)
            client_close(cl);
        return true;
    }
    client_auth_free(cl);
    cl->auth = xcalloc(1, sizeof(*cl->auth));
    buf_init(&cl->auth->waiting_packet);
    buf_append(&cl->auth->waiting_packet, cl->packet.data, cl->packet.len);
    cl->auth->resume = resume;
    cl->auth->wait = evtimer_new(srv.base, wait_over, cl);
    struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)(wait % 1000 * 1000)};
    evtimer_add(cl->auth->wait, &tv);
    return true;
}

/* ---- Outcomes ---------------------------------------------------------------- */

/* Ends the exchange with an error: closes a new session, keeps a changed one. */
static void auth_fail(client *cl, uint16_t code, const char *sqlstate, const char *msg)
{
    bool change_user = cl->auth && cl->auth->change_user;
    client_auth_free(cl);
    client_send_err(cl, code, sqlstate, "%s", msg);
    if (change_user)
        client_set_state(cl, CLIENT_READY);
    else
        client_close(cl);
}

static void access_denied(client *cl)
{
    auth_exchange *ax = cl->auth;
    char msg[512];
    snprintf(msg, sizeof(msg), "Access denied for user '%.100s'@'%s' (using password: %s)",
             ax->user, cl->peer, ax->password_used ? "YES" : "NO");
    log_info("client %u: access denied for '%s' from %s%s", cl->id, ax->user, cl->peer,
             ax->change_user ? " (COM_CHANGE_USER)" : "");
    login_failed(cl);
    auth_fail(cl, ER_ACCESS_DENIED, "28000", msg);
}

static void auth_succeed(client *cl)
{
    auth_exchange *ax = cl->auth;
    login_succeeded(cl);
    if (ax->db && !planner_database_exists(ax->db)) {
        char msg[300];
        snprintf(msg, sizeof(msg), "Unknown database '%.200s'", ax->db);
        auth_fail(cl, ER_BAD_DB, "42000", msg);
        return;
    }
    log_info("client %u: '%s' %s from %s with %s (%s%s)%s", cl->id, ax->user,
             ax->change_user ? "changed user" : "logged in", cl->peer, ax->plugin,
             ax->how ? ax->how : "no users configured", ax->switched ? ", after a switch" : "",
             cl->tls ? ", TLS" : "");
    if (ax->change_user)
        client_reset_session(cl);
    else
        cl->caps = ax->caps;
    free(cl->user);
    free(cl->db);
    cl->user = ax->user;
    cl->db = ax->db;
    ax->user = ax->db = NULL;
    client_auth_free(cl);
    client_ready(cl);
}

static void send_auth_packet(client *cl, const buf *payload)
{
    size_t begin = wire_packet_begin(&cl->out);
    buf_append(&cl->out, payload->data, payload->len);
    wire_packet_end(&cl->out, begin, &cl->seq);
    client_flush(cl);
}

static void send_more_data(client *cl, const void *data, size_t len)
{
    buf p;
    buf_init(&p);
    wire_write_auth_more_data(&p, data, len);
    send_auth_packet(cl, &p);
    buf_free(&p);
}

static void switch_plugin(client *cl, const char *plugin)
{
    buf p;
    buf_init(&p);
    wire_write_auth_switch(&p, plugin, cl->scramble);
    send_auth_packet(cl, &p);
    buf_free(&p);
    cl->auth->plugin = plugin;
    cl->auth->switched = true;
    cl->auth->step = AUTH_SWITCHED;
    client_set_state(cl, CLIENT_AWAIT_AUTH);
}

/* ---- Plugins ----------------------------------------------------------------- */

/* Without users: an empty password, whatever the plugin. */
static bool open_password_ok(const client *cl, const char *plugin, const uint8_t *auth, size_t len)
{
    if (len == 0 || (len == 1 && auth[0] == 0))
        return true;
    if (strcmp(plugin, native_plugin) == 0) {
        uint8_t empty[20];
        wire_native_password_stage2("", empty);
        return wire_native_password_check(cl->scramble, empty, auth, len);
    }
    uint8_t empty[WIRE_SHA2_LEN];
    wire_sha2_verifier("", 0, empty);
    return wire_sha2_fast_check(cl->scramble, empty, auth, len);
}

static void sha2_password_given(client *cl, const char *password, size_t len)
{
    server_user *u = cl->auth->account;
    if (!wire_sha2_password_check(password, len, u->sha2_verifier)) {
        access_denied(cl);
        return;
    }
    u->sha2_cached = true;
    cl->auth->how = cl->tls ? "full authentication over TLS" : "full authentication with RSA";
    auth_succeed(cl);
}

/* The first caching_sha2_password response: a scramble (fast path), or empty. */
static void sha2_first(client *cl, const uint8_t *auth, size_t len)
{
    server_user *u = cl->auth->account;
    if (len == 0 || (len == 1 && auth[0] == 0)) {
        cl->auth->password_used = false;
        cl->auth->how = "empty password";
        if (wire_sha2_password_check("", 0, u->sha2_verifier))
            auth_succeed(cl);
        else
            access_denied(cl);
        return;
    }
    if (len == WIRE_SHA2_LEN) {
        if (u->sha2_cached && wire_sha2_fast_check(cl->scramble, u->sha2_verifier, auth, len)) {
            uint8_t ok = WIRE_SHA2_FAST_AUTH_SUCCESS;
            send_more_data(cl, &ok, 1);
            cl->auth->how = "fast path";
            auth_succeed(cl);
            return;
        }
        /* Not in the cache, or a mismatch: as MySQL, ask for the password. */
        uint8_t full = WIRE_SHA2_FULL_AUTH;
        send_more_data(cl, &full, 1);
        cl->auth->plugin = sha2_plugin;
        cl->auth->step = AUTH_SHA2_FULL;
        client_set_state(cl, CLIENT_AWAIT_AUTH);
        return;
    }
    /* libmariadb sends the password itself, NUL-terminated, when the
     * connection is already encrypted: that is full authentication at once. */
    if (cl->tls && auth[len - 1] == 0 && !memchr(auth, 0, len - 1)) {
        sha2_password_given(cl, (const char *)auth, len - 1);
        return;
    }
    access_denied(cl);
}

/* Full authentication: the password in clear over TLS, or RSA-encrypted. */
static void sha2_full(client *cl, const uint8_t *data, size_t len)
{
    if (cl->tls) {
        if (len == 0 || data[len - 1] != 0 || memchr(data, 0, len - 1)) {
            access_denied(cl);
            return;
        }
        sha2_password_given(cl, (const char *)data, len - 1);
        return;
    }
    if (len == 1 && data[0] == WIRE_SHA2_REQUEST_PUBLIC_KEY) {
        send_more_data(cl, srv.rsa_public_pem, strlen(srv.rsa_public_pem));
        return; /* the encrypted password comes next */
    }
    buf password;
    buf_init(&password);
    if (!wire_sha2_rsa_decrypt_password(srv.rsa_key, cl->scramble, data, len, &password)) {
        log_info("client %u: caching_sha2_password: the RSA-encrypted password did not decrypt",
                 cl->id);
        buf_free(&password);
        access_denied(cl);
        return;
    }
    sha2_password_given(cl, (const char *)password.data, password.len);
    OPENSSL_cleanse(password.data, password.len);
    buf_free(&password);
}

/*
 * The client's answer for plugin (in the handshake response, the change-user
 * packet or after a switch). may_switch: a plugin that cannot check this user
 * gets an AuthSwitchRequest instead of a refusal.
 */
static void authenticate(client *cl, const char *plugin, const uint8_t *auth, size_t len,
                         bool may_switch)
{
    auth_exchange *ax = cl->auth;
    ax->password_used = len > 0 && !(len == 1 && auth[0] == 0);
    bool native = strcmp(plugin, native_plugin) == 0;
    bool sha2 = strcmp(plugin, sha2_plugin) == 0;
    /* Static names only: plugin may point into the packet buffer. */
    ax->plugin = native ? native_plugin : sha2 ? sha2_plugin : "another plugin";
    if (srv.nusers == 0) {
        if ((native || sha2 || len == 0) && open_password_ok(cl, plugin, auth, len))
            auth_succeed(cl);
        else if (!native && !sha2 && may_switch)
            switch_plugin(cl, native_plugin);
        else
            access_denied(cl);
        return;
    }
    if (native && ax->account->has_native) {
        ax->plugin = native_plugin;
        ax->how = "password";
        if (wire_native_password_check(cl->scramble, ax->account->native_stage2, auth, len))
            auth_succeed(cl);
        else
            access_denied(cl);
        return;
    }
    if (sha2 && ax->account->has_sha2) {
        ax->plugin = sha2_plugin;
        sha2_first(cl, auth, len);
        return;
    }
    if (may_switch)
        switch_plugin(cl, ax->account->has_sha2 ? sha2_plugin : native_plugin);
    else
        access_denied(cl);
}

/*
 * An unknown user name is checked against an account whose hashes match no
 * password, so it goes through the same exchange as a known user with a
 * wrong password (full authentication included): the flow of packets does not
 * tell an attacker which user names exist.
 */
static server_user *unknown_account(void)
{
    static server_user nobody;
    static bool ready;
    if (!ready) {
        RAND_bytes(nobody.native_stage2, sizeof(nobody.native_stage2));
        RAND_bytes(nobody.sha2_verifier, sizeof(nobody.sha2_verifier));
        nobody.has_native = nobody.has_sha2 = true;
        ready = true;
    }
    return &nobody;
}

static server_user *find_user(const char *name)
{
    for (size_t i = 0; i < srv.nusers; i++)
        if (strcmp(srv.users[i].name, name) == 0)
            return &srv.users[i];
    return unknown_account();
}

static void begin_exchange(client *cl, bool change_user, const char *user, const char *db,
                           uint32_t caps)
{
    client_auth_free(cl);
    cl->auth = xcalloc(1, sizeof(*cl->auth));
    cl->auth->change_user = change_user;
    cl->auth->user = xstrdup(user);
    cl->auth->db = db && db[0] ? xstrdup(db) : NULL;
    cl->auth->account = find_user(user);
    cl->auth->caps = caps;
}

/* ---- Entry points -------------------------------------------------------------- */

static void start_tls(client *cl)
{
    if (!srv.tls) {
        /* We did not offer CLIENT_SSL; a client that asks anyway gets no session. */
        log_info("client %u: TLS requested but not offered; closing", cl->id);
        client_close(cl);
        return;
    }
    struct bufferevent *bev = tls_accept(srv.base, cl->bev, srv.tls);
    if (!bev) {
        char why[256];
        log_warn("client %u: cannot start TLS: %s", cl->id, tls_error_string(why, sizeof why));
        client_close(cl);
        return;
    }
    cl->tls = true;
    /* The handshake response comes next, encrypted, with the next sequence id. */
    client_set_bufferevent(cl, bev);
}

static void handshake_response(client *cl)
{
    wire_handshake_response r;
    if (!wire_parse_handshake_response(cl->packet.data, cl->packet.len, &r) || !r.user) {
        log_info("client %u: malformed handshake response; closing", cl->id);
        client_close(cl);
        return;
    }
    if (srv.require_tls && !cl->tls) {
        log_info("client %u: refused '%s' from %s: TLS is required", cl->id, r.user, cl->peer);
        client_send_err(cl, ER_SECURE_TRANSPORT_REQUIRED, "HY000",
                        "Connections using insecure transport are prohibited: this server "
                        "requires TLS (require_tls). Connect with TLS enabled (e.g. mariadb "
                        "--ssl, PyMySQL ssl={...}, JDBC useSSL=true)");
        client_close(cl);
        return;
    }
    begin_exchange(cl, false, r.user, r.database, r.capabilities & server_capabilities());
    /* Without CLIENT_PLUGIN_AUTH the response is a native scramble. */
    const char *plugin = (r.capabilities & CLIENT_PLUGIN_AUTH) && r.auth_plugin && r.auth_plugin[0]
                             ? r.auth_plugin
                             : native_plugin;
    bool may_switch = (r.capabilities & CLIENT_PLUGIN_AUTH) != 0;
    authenticate(cl, plugin, r.auth, r.auth_len, may_switch);
}

void client_auth_handshake(client *cl)
{
    uint32_t caps;
    if (!cl->tls && wire_is_ssl_request(cl->packet.data, cl->packet.len, &caps)) {
        start_tls(cl);
        return;
    }
    if (!login_must_wait(cl, handshake_response))
        handshake_response(cl);
}

void client_auth_continue(client *cl)
{
    auth_exchange *ax = cl->auth;
    if (!ax) {
        client_close(cl);
        return;
    }
    if (ax->step == AUTH_SHA2_FULL)
        sha2_full(cl, cl->packet.data, cl->packet.len);
    else
        authenticate(cl, ax->plugin, cl->packet.data, cl->packet.len, false);
}

static void change_user(client *cl)
{
    wire_change_user r;
    if (!wire_parse_change_user(cl->packet.data, cl->packet.len, cl->caps, &r)) {
        client_send_err(cl, ER_MALFORMED_PACKET, "HY000",
                        "Malformed communication packet: COM_CHANGE_USER");
        return;
    }
    /* The client answers the scramble of the greeting (or of a switch). */
    begin_exchange(cl, true, r.user, r.database, cl->caps);
    const char *plugin = r.auth_plugin && r.auth_plugin[0] ? r.auth_plugin : native_plugin;
    authenticate(cl, plugin, r.auth, r.auth_len, (cl->caps & CLIENT_PLUGIN_AUTH) != 0);
}

void client_auth_change_user(client *cl)
{
    if (!login_must_wait(cl, change_user))
        change_user(cl);
}
