#include "proxy/session/sessions.h"

#include <string.h>
#include <time.h>

#include "planner/planner.h"
#include "proxy/log.h"
#include "proxy/exec/exec.h"
#include "proxy/server.h"
#include "proxy/server_access.h"
#include "proxy/session/client.h"
#include "wire/xalloc.h"
#include "proxy/session/client_internal.h"

static struct {
    client *head;
    unsigned n;
    uint32_t next_id;
} all;

static bool id_in_use(uint32_t id)
{
    for (client *cl = all.head; cl; cl = cl->next)
        if (cl->id == id)
            return true;
    return false;
}

/*
 * Connection ids are unique across servers behind one load balancer: the
 * server's server_id (0-255) is their high 8 bits, a counter the low 24. The
 * counter wraps after 16 million connections, skipping 0 and ids still open.
 */
static uint32_t new_id(void)
{
    uint32_t high = (uint32_t)(srv.cfg.server_id & 0xFF) << 24;
    for (;;) {
        all.next_id = (all.next_id + 1) & 0xFFFFFF;
        if (all.next_id != 0 && !id_in_use(high | all.next_id))
            return high | all.next_id;
    }
}

void sessions_add(client *cl)
{
    cl->id = new_id();
    cl->prev = NULL;
    cl->next = all.head;
    if (all.head)
        all.head->prev = cl;
    all.head = cl;
    all.n++;
}

void sessions_remove(client *cl)
{
    if (cl->prev)
        cl->prev->next = cl->next;
    else
        all.head = cl->next;
    if (cl->next)
        cl->next->prev = cl->prev;
    MIMIR_ASSERT(all.n > 0);
    all.n--;
}

unsigned sessions_count(void)
{
    return all.n;
}

static client *find(uint32_t id)
{
    for (client *cl = all.head; cl; cl = cl->next)
        if (cl->id == id && cl->state != CLIENT_CLOSING)
            return cl;
    return NULL;
}

static void refuse(client *killer, uint16_t code, const char *fmt, uint32_t id)
{
    sql_error e;
    sql_error_set(&e, code, "HY000", fmt, id);
    client_send_error(killer, &e);
}

void sessions_kill(client *killer, uint32_t id, bool query_only)
{
    client *target = find(id);
    unsigned owner = id >> 24;
    if (!target && owner != (srv.cfg.server_id & 0xFF)) {
        /* Behind a load balancer the KILL reached another server than the session. */
        sql_error e;
        sql_error_set(&e, ER_NO_SUCH_THREAD, "HY000",
                      "Unknown thread id: %u (it belongs to server_id %u, this is server_id %u: "
                      "send KILL to that server)",
                      id, owner, srv.cfg.server_id & 0xFF);
        client_send_error(killer, &e);
        return;
    }
    if (!target) {
        refuse(killer, ER_NO_SUCH_THREAD, "Unknown thread id: %u", id);
        return;
    }
    if (target != killer && access_restricted(killer->user) &&
        !(killer->user && target->user && strcmp(killer->user, target->user) == 0)) {
        refuse(killer, ER_KILL_DENIED_ERROR, "You are not owner of thread %u", id);
        return;
    }
    log_info("client %u: KILL %s %u", killer->id, query_only ? "QUERY" : "CONNECTION", id);
    if (query_only) {
        if (target->running)
            exec_cancel(target->running, ER_QUERY_INTERRUPTED, "70100",
                        "Query execution was interrupted");
        client_send_ok(killer);
        return;
    }
    if (target != killer)
        client_send_ok(killer);
    client_close(target);
}

size_t sessions_list(arena *a, session_process **out)
{
    session_process *rows = arena_alloc(a, (all.n + 1) * sizeof(*rows));
    size_t n = 0;
    time_t now = time(NULL);
    for (client *cl = all.head; cl && n < all.n; cl = cl->next) {
        if (cl->state == CLIENT_CLOSING)
            continue;
        session_process *r = &rows[n++];
        r->id = cl->id;
        r->user = cl->user ? arena_strdup(a, cl->user) : "unauthenticated user";
        r->host = arena_strdup(a, cl->peer);
        r->db = cl->db ? arena_strdup(a, cl->db) : NULL;
        r->command = cl->state == CLIENT_BUSY    ? "Query"
                     : cl->state == CLIENT_READY ? "Sleep"
                                                 : "Connect";
        r->time_s = (int64_t)(now - cl->state_since);
        r->state = cl->state == CLIENT_BUSY ? "executing" : "";
        r->info = cl->running_sql ? arena_strdup(a, cl->running_sql) : NULL;
    }
    *out = rows;
    return n;
}

/* ---- What the server does to them (server_sessions) --------------------------- */

static unsigned busy(void)
{
    unsigned n = 0;
    for (client *cl = all.head; cl; cl = cl->next)
        n += cl->state == CLIENT_BUSY;
    return n;
}

/*
 * At shutdown: sessions idle for a second or more are closed, between queries,
 * never in the middle of one (a busy session is left alone until its answer is
 * sent). The second spares a session that has just logged in (or just been
 * answered) and is about to send its next statement: a client that opens a
 * connection per query must not lose it. Logins count as idle too once they
 * have stalled that long (a login in progress takes milliseconds). Called
 * again and again while shutdown waits.
 */
static void close_idle(void)
{
    time_t now = time(NULL);
    for (client *cl = all.head; cl; cl = cl->next)
        if (cl->state != CLIENT_BUSY && cl->state != CLIENT_CLOSING && now - cl->state_since >= 2 &&
            !client_has_input(cl))
            client_close(cl);
}

/* Out of time at shutdown: cancel what still runs, on its database too. */
static void close_all(void)
{
    for (client *cl = all.head; cl; cl = cl->next) {
        if (cl->running)
            exec_cancel(cl->running, ER_SERVER_SHUTDOWN, "08S01", "Server shutdown in progress");
        client_close(cl);
    }
}

static void free_all(void)
{
    while (all.head)
        client_free_now(all.head);
}

const server_sessions mysql_sessions = {.accept = client_accept,
                                        .count = sessions_count,
                                        .busy = busy,
                                        .close_idle = close_idle,
                                        .close_all = close_all,
                                        .free_all = free_all};
