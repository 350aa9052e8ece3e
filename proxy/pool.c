#include "proxy/pool.h"

#include <stdlib.h>
#include <string.h>

#include "proxy/log.h"
#include "proxy/server.h"

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
};

struct pool {
    const connection *conn;
    int max_size;
    int size; /* open or opening */
    backend_conn *idle;
    pool_request *wait_head, *wait_tail;
};

pool *pool_new(const connection *c, int max_size)
{
    pool *p = calloc(1, sizeof(*p));
    if (!p)
        abort();
    p->conn = c;
    p->max_size = max_size > 0 ? max_size : 1;
    return p;
}

void pool_free(pool *p)
{
    while (p->idle) {
        backend_conn *c = p->idle;
        p->idle = c->next_idle;
        c->ops->close(c);
    }
    free(p);
}

const connection *pool_connection(const pool *p)
{
    return p->conn;
}

static void request_free(pool_request *r)
{
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
        r->error = strdup(error);
    r->deliver = event_new(srv.base, -1, 0, deliver_cb, r);
    event_active(r->deliver, 0, 0);
}

static void start_connect(pool *p, pool_request *r);

/* A slot opened or a connection came back: serve the queue. */
static void serve_waiters(pool *p)
{
    while (p->wait_head && (p->idle || p->size < p->max_size)) {
        pool_request *r = p->wait_head;
        p->wait_head = r->next;
        if (!p->wait_head)
            p->wait_tail = NULL;
        if (p->idle) {
            backend_conn *c = p->idle;
            p->idle = c->next_idle;
            deliver(r, c, NULL);
        } else {
            start_connect(p, r);
        }
    }
}

static void connected_cb(void *ctx, backend_conn *conn, const char *error)
{
    pool_request *r = ctx;
    pool *p = r->p;
    if (!conn) {
        p->size--;
        log_warn("backend '%s': %s", p->conn->name, error);
        if (r->cancelled)
            request_free(r);
        else
            deliver(r, NULL, error);
        serve_waiters(p);
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
    if (p->conn->kind == CONN_SQLITE)
        sqlite_backend_connect(p->conn, p, connected_cb, r);
    else
        pg_backend_connect(p->conn, p, connected_cb, r);
}

pool_request *pool_acquire(pool *p, backend_connected_cb cb, void *ctx)
{
    pool_request *r = calloc(1, sizeof(*r));
    if (!r)
        abort();
    r->p = p;
    r->cb = cb;
    r->ctx = ctx;
    if (p->idle) {
        backend_conn *c = p->idle;
        p->idle = c->next_idle;
        deliver(r, c, NULL);
    } else if (p->size < p->max_size) {
        start_connect(p, r);
    } else {
        r->state = REQ_WAITING;
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
            break;
        }
    }
    p->size--;
    c->ops->close(c);
    serve_waiters(p);
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
    p->idle = c;
    c->ops->idle(c);
}
