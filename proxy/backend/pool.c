#include "proxy/backend/pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "proxy/log.h"
#include "wire/xalloc.h"

typedef enum { REQ_WAITING, REQ_CONNECTING, REQ_DELIVERING } request_state;

struct pool_request {
    pool *p;
    backend_connected_cb cb;
    void *ctx;
    request_state state;
    bool cancelled;
    pool_request *next; /* in the wait queue */
    struct event *deliver;
    backend_conn *conn;
    char *error;
    time_t queued_at;
    backend_conn *opening;               /* REQ_CONNECTING: the connection being opened for it */
    pool_request *live_prev, *live_next; /* every request of the pool not yet freed */
};

struct pool {
    connection copy; /* owned: the catalog the pool was made for may be reloaded away */
    const connection *conn;
    pool_settings settings;
    int max_size; /* settings.max_size, at least 1 */
    int size;     /* open or opening */
    backend_conn *idle;
    pool_request *wait_head, *wait_tail;
    pool_request *live; /* requests not yet freed, whatever their state, for pool_free */
};

bool pool_matches(const pool *p, const connection *c)
{
    return catalog_connection_same(&p->copy, c);
}

pool *pool_new(const connection *c, const pool_settings *s)
{
    pool *p = xcalloc(1, sizeof(*p));
    catalog_connection_copy(&p->copy, c);
    p->conn = &p->copy;
    p->settings = *s;
    p->max_size = s->max_size > 0 ? s->max_size : 1;
    return p;
}

void pool_update_timeouts(pool *p, const pool_settings *s)
{
    p->settings.connect_timeout_s = s->connect_timeout_s;
    p->settings.queue_timeout_s = s->queue_timeout_s;
    p->settings.idle_timeout_s = s->idle_timeout_s;
}

static void request_free(pool_request *r);

void pool_free(pool *p)
{
    /* At exit, requests still under way (a connect in progress, a delivery not yet
     * made) go with their connections: their requesters are gone already. */
    while (p->live) {
        pool_request *r = p->live;
        if (r->opening)
            r->opening->ops->close(r->opening);
        if (r->state == REQ_DELIVERING && r->conn)
            r->conn->ops->close(r->conn);
        request_free(r);
    }
    while (p->idle) {
        backend_conn *c = p->idle;
        p->idle = c->next_idle;
        c->ops->close(c);
    }
    catalog_connection_free_copy(&p->copy);
    free(p);
}

const connection *pool_connection(const pool *p)
{
    return p->conn;
}

static void request_free(pool_request *r)
{
    if (r->live_prev)
        r->live_prev->live_next = r->live_next;
    else
        r->p->live = r->live_next;
    if (r->live_next)
        r->live_next->live_prev = r->live_prev;
    if (r->deliver)
        event_free(r->deliver);
    free(r->error);
    free(r);
}

static void deliver_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pool_request *r = arg;
    if (r->cancelled) {
        if (r->conn)
            pool_release(r->conn);
    } else {
        r->cb(r->ctx, r->conn, r->conn ? NULL : r->error);
    }
    request_free(r);
}

/* Hands the outcome to the requester on the next loop turn. */
static void deliver(pool_request *r, backend_conn *conn, const char *error)
{
    r->state = REQ_DELIVERING;
    r->conn = conn;
    if (error)
        r->error = xstrdup(error);
    r->deliver = event_new(r->p->settings.base, -1, 0, deliver_cb, r);
    if (!r->deliver)
        abort();
    event_active(r->deliver, 0, 0);
}

static void start_connect(pool *p, pool_request *r);

/*
 * Takes the most recently used idle connection, after a liveness check for one
 * idle longer than the connection's idle_check_after: a dead one is closed and
 * the next one tried, so that no query is sent down a path already known dead.
 */
static backend_conn *take_idle(pool *p)
{
    conn_net net;
    catalog_connection_net(p->conn, &net);
    time_t now = time(NULL);
    while (p->idle) {
        backend_conn *c = p->idle;
        p->idle = c->next_idle;
        const char *why = NULL;
        if (!c->ops->alive || now - c->idle_since < net.idle_check_after_s ||
            c->ops->alive(c, &why))
            return c;
        log_warn("backend '%s': idle connection found dead before reuse (idle %ld s: %s); closed",
                 p->conn->name, (long)(now - c->idle_since), why ? why : "dead");
        p->size--;
        c->broken = true; /* nothing more is sent on it (a MySQL COM_QUIT could block) */
        c->ops->close(c);
    }
    return NULL;
}

/* A slot opened or a connection came back: serve the queue. */
static void serve_waiters(pool *p)
{
    while (p->wait_head && (p->idle || p->size < p->max_size)) {
        pool_request *r = p->wait_head;
        p->wait_head = r->next;
        if (!p->wait_head)
            p->wait_tail = NULL;
        backend_conn *c = take_idle(p);
        if (c)
            deliver(r, c, NULL);
        else
            start_connect(p, r);
    }
}

static void connected_cb(void *ctx, backend_conn *conn, const char *error)
{
    pool_request *r = ctx;
    pool *p = r->p;
    r->opening = NULL;
    if (!conn) {
        p->size--;
        log_warn("backend '%s': %s", p->conn->name, error);
        if (r->cancelled)
            request_free(r);
        else
            deliver(r, NULL, error);
        /* Those already waiting would only fail the same way: tell them now. */
        while (p->wait_head) {
            pool_request *w = p->wait_head;
            p->wait_head = w->next;
            deliver(w, NULL, error);
        }
        p->wait_tail = NULL;
        return;
    }
    conn->owner = p;
    if (r->cancelled) {
        request_free(r);
        pool_release(conn);
        return;
    }
    deliver(r, conn, NULL);
}

static void start_connect(pool *p, pool_request *r)
{
    p->size++;
    r->state = REQ_CONNECTING;
    conn_net net;
    catalog_connection_net(p->conn, &net);
    /* The secrets' connect_timeout, when given, wins over the server's. */
    backend_settings bs = {.base = p->settings.base,
                           .connect_timeout_s = net.connect_timeout_s > 0
                                                    ? net.connect_timeout_s
                                                    : p->settings.connect_timeout_s};
    backend_conn *opening = NULL;
    switch (p->conn->kind) {
    case CONN_SQLITE:
        opening = sqlite_backend_connect(p->conn, &bs, p, connected_cb, r);
        break;
    case CONN_MYSQL:
        opening = mysql_backend_connect(p->conn, &bs, p, connected_cb, r);
        break;
    case CONN_POSTGRES:
        opening = pg_backend_connect(p->conn, &bs, p, connected_cb, r);
        break;
    }
    /* r is never cancelled yet here, so a connector that reported at once left it alive. */
    if (r->state == REQ_CONNECTING)
        r->opening = opening;
}

pool_request *pool_acquire(pool *p, backend_connected_cb cb, void *ctx)
{
    pool_request *r = xcalloc(1, sizeof(*r));
    r->p = p;
    r->cb = cb;
    r->ctx = ctx;
    r->live_next = p->live;
    if (p->live)
        p->live->live_prev = r;
    p->live = r;
    backend_conn *c = take_idle(p);
    if (c) {
        deliver(r, c, NULL);
    } else if (p->size < p->max_size) {
        start_connect(p, r);
    } else {
        r->state = REQ_WAITING;
        r->queued_at = time(NULL);
        if (p->wait_tail)
            p->wait_tail->next = r;
        else
            p->wait_head = r;
        p->wait_tail = r;
    }
    return r;
}

void pool_cancel(pool_request *r)
{
    if (r->state != REQ_WAITING) {
        r->cancelled = true; /* freed when its connect or delivery completes */
        return;
    }
    pool *p = r->p;
    pool_request **link = &p->wait_head, *prev = NULL;
    while (*link && *link != r) {
        prev = *link;
        link = &(*link)->next;
    }
    if (*link) {
        *link = r->next;
        if (p->wait_tail == r)
            p->wait_tail = prev;
    }
    request_free(r);
}

/* Takes an idle connection out of the pool and closes it (it died while idle). */
void pool_discard_idle(backend_conn *c)
{
    pool *p = c->owner;
    for (backend_conn **link = &p->idle; *link; link = &(*link)->next_idle) {
        if (*link == c) {
            *link = c->next_idle;
            p->size--;
            c->ops->close(c);
            serve_waiters(p);
            return;
        }
    }
    /* Already taken from the idle list, its delivery under way: whoever gets it
     * hands it back broken, and pool_release closes it then. */
    c->broken = true;
}

void pool_release(backend_conn *c)
{
    pool *p = c->owner;
    if (c->broken) {
        p->size--;
        c->ops->close(c);
        serve_waiters(p);
        return;
    }
    if (p->wait_head) {
        pool_request *r = p->wait_head;
        p->wait_head = r->next;
        if (!p->wait_head)
            p->wait_tail = NULL;
        deliver(r, c, NULL);
        return;
    }
    c->next_idle = p->idle;
    c->idle_since = time(NULL);
    p->idle = c;
    c->ops->idle(c);
}

void pool_maintain(pool *p, time_t now)
{
    int idle_timeout_s = p->settings.idle_timeout_s;
    int queue_timeout_s = p->settings.queue_timeout_s;
    for (backend_conn **link = &p->idle; *link;) {
        backend_conn *c = *link;
        if (now - c->idle_since < idle_timeout_s) {
            link = &c->next_idle;
            continue;
        }
        *link = c->next_idle;
        p->size--;
        c->ops->close(c);
    }
    while (p->wait_head && now - p->wait_head->queued_at >= queue_timeout_s) {
        pool_request *r = p->wait_head;
        p->wait_head = r->next;
        if (!p->wait_head)
            p->wait_tail = NULL;
        char why[256];
        snprintf(why, sizeof(why),
                 "timed out after %d s waiting for a connection (all %d of the pool in use)",
                 queue_timeout_s, p->max_size);
        deliver(r, NULL, why);
    }
}

int pool_size_now(const pool *p)
{
    return p->size;
}

void pool_counts(const pool *p, int *idle, int *busy, int *waiting)
{
    int n = 0, w = 0;
    for (const backend_conn *c = p->idle; c; c = c->next_idle)
        n++;
    for (const pool_request *r = p->wait_head; r; r = r->next)
        w++;
    *idle = n;
    *busy = p->size - n;
    *waiting = w;
}
