/* `mimir query` run in process: see local_exec.h. */
#include "proxy/cli/local_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "planner/planner.h"
#include "proxy/boot.h"
#include "proxy/cli/local_rollups.h"
#include "proxy/exec/columns.h"
#include "proxy/exec/exec.h"
#include "proxy/log.h"
#include "proxy/server.h"
#include "proxy/server_access.h"
#include "proxy/type_discovery.h"
#include "wire/protocol.h"
#include "wire/xalloc.h"

/* After the answer, backend queries being cancelled get this long to end. */
#define CANCEL_GRACE_S 5

/* The command as a caller of execution: rows go to an out_writer. */
typedef struct local_caller {
    out_format format;
    const char *cmd;
    out_writer w;
    bool started; /* out_begin ran */
    bool answered;
    bool ok;
} local_caller;

/* What the mariadb client right-aligns: libmariadb's IS_NUM on the column type. */
static bool numeric_type(uint8_t t)
{
    return (t <= MYSQL_TYPE_INT24 && t != MYSQL_TYPE_TIMESTAMP) || t == MYSQL_TYPE_YEAR ||
           t == MYSQL_TYPE_NEWDECIMAL;
}

static void caller_header(void *ctx, const wire_column *cols, size_t n)
{
    local_caller *c = ctx;
    const char **names = xcalloc(n + 1, sizeof(*names));
    bool *numeric = xcalloc(n + 1, sizeof(*numeric));
    for (size_t i = 0; i < n; i++) {
        names[i] = cols[i].name;
        numeric[i] = numeric_type(cols[i].type);
    }
    out_begin(&c->w, c->format, stdout, n, names, numeric);
    c->started = true;
    free(names);
    free(numeric);
}

/* Rows are written to stdout as they come (CSV, JSON) or kept (table): the
 * command has nothing else to serve, so its loop may wait for the terminal. */
static void caller_row(void *ctx, const char *const *values, const size_t *lengths, size_t n)
{
    (void)n;
    out_row(&((local_caller *)ctx)->w, values, lengths);
}

static void answered(local_caller *c, bool ok)
{
    c->answered = true;
    c->ok = ok;
    event_base_loopbreak(srv.base);
}

static void caller_end(void *ctx)
{
    local_caller *c = ctx;
    if (!c->started) /* a result without columns: nothing to print */
        caller_header(c, NULL, 0);
    out_end(&c->w);
    answered(c, true);
}

static void print_error(const char *cmd, const sql_error *e)
{
    fprintf(stderr, "mimir %s: ERROR %u (%s): %s\n", cmd, e->code, e->sqlstate, e->message);
}

static void caller_error(void *ctx, const sql_error *e)
{
    local_caller *c = ctx;
    /* The rows so far are not the answer: say so instead of printing them as one. */
    fflush(stdout);
    print_error(c->cmd, e);
    if (c->started)
        out_abort(&c->w);
    answered(c, false);
}

static bool caller_full(void *ctx)
{
    (void)ctx;
    return false;
}

static void caller_flush(void *ctx)
{
    (void)ctx;
}

/* A result the planner computed itself (no backend is asked). */
static void print_const_rows(local_caller *c, const const_result *r)
{
    wire_column *defs = xcalloc(r->ncols + 1, sizeof(*defs));
    for (size_t i = 0; i < r->ncols; i++)
        column_definition(&r->cols[i], r->cols[i].name, r->cols[i].name, &defs[i]);
    caller_header(c, defs, r->ncols);
    free(defs);
    for (size_t row = 0; row < r->nrows; row++)
        out_row(&c->w, r->values + row * r->ncols, NULL);
    caller_end(c);
}

/* Runs the plan and the loop until the answer is printed and no backend query is left. */
static void run_plan(local_caller *c, const plan *p)
{
    exec_sink sink = {.ctx = c,
                      .header = caller_header,
                      .row = caller_row,
                      .end = caller_end,
                      .error = caller_error,
                      .full = caller_full,
                      .flush = caller_flush};
    exec_request req = {.plan = p,
                        .timeout_ms = srv.cfg.query_timeout_ms,
                        .max_rows = srv.cfg.max_result_rows,
                        .max_bytes = srv.cfg.max_result_bytes,
                        .cache = srv.cache};
    exec_start(&srv.exec_env, &req, &sink);
    while (!c->answered)
        event_base_loop(srv.base, EVLOOP_ONCE);
    time_t until = time(NULL) + CANCEL_GRACE_S;
    while (exec_count() > 0 && time(NULL) < until)
        event_base_loop(srv.base, EVLOOP_ONCE); /* the janitor wakes it once a second */
}

/*
 * The sources' column types, as the server learns them before it answers: what tells
 * an instant from a wall-clock time in a time zone (the calendar's) and a DECIMAL's
 * scale. One probe per source; a database that does not answer within the wait leaves
 * its sources with their declared or default types, as on a server.
 */
#define DISCOVERY_WAIT_S 15

static void discover_types(void)
{
    type_discovery_start();
    time_t until = time(NULL) + DISCOVERY_WAIT_S;
    while (!type_discovery_settled() && time(NULL) < until)
        event_base_loop(srv.base, EVLOOP_ONCE);
}

/* A session as the server opens one: the calendar's zone, the types learnt, and the
 * rollups found built (*ready, to free). */
static session_info local_session(rollup_ready **ready)
{
    session_info s = access_session_info("mimir", "localhost");
    s.db = MIMIR_DATABASE;
    s.autocommit = true;
    *ready = local_rollups_ready(srv.cat, type_discovery_types(), &s.nrollups);
    s.rollups = *ready;
    return s;
}

static bool run_statement(const char *sql, out_format format, const char *cmd)
{
    rollup_ready *ready;
    session_info s = local_session(&ready);
    local_caller c = {.format = format, .cmd = cmd};
    arena a;
    arena_init(&a);
    action act;
    memset(&act, 0, sizeof(act));
    planner_plan(&a, &s, sql, strlen(sql), &act);
    switch (act.kind) {
    case ACTION_QUERY:
        run_plan(&c, act.plan);
        break;
    case ACTION_ROWS:
        print_const_rows(&c, &act.rows);
        break;
    case ACTION_ERROR:
        print_error(cmd, &act.error);
        break;
    case ACTION_OK:
        c.ok = true;
        break;
    case ACTION_KILL:
        fprintf(stderr, "mimir %s: KILL needs a server (--host)\n", cmd);
        break;
    }
    arena_free(&a);
    free(ready);
    return c.ok;
}

/* Boots the engine on cat (taken over) without a socket and learns the sources' types. */
static bool boot_local(catalog *cat, const char *configs_dir, const char *secrets_dir,
                       const char *cmd)
{
    /* Pools and workers would clutter the command's output; errors still show. */
    log_set_min_level(LOG_LEVEL_ERROR);
    server_config cfg;
    server_config_defaults(&cfg);
    cfg.configs_dir = configs_dir;
    cfg.secrets_dir = secrets_dir;
    if (!server_boot(&cfg, NULL, cat, BOOT_LOCAL)) {
        fprintf(stderr, "mimir %s: cannot start the query engine (see above)\n", cmd);
        return false;
    }
    discover_types();
    return true;
}

bool local_exec_print(catalog *cat, const char *configs_dir, const char *secrets_dir,
                      const char *sql, out_format format, const char *cmd)
{
    bool ok = boot_local(cat, configs_dir, secrets_dir, cmd) && run_statement(sql, format, cmd);
    server_teardown();
    return ok;
}

bool local_exec_plan(catalog *cat, const char *configs_dir, const char *secrets_dir,
                     const char *sql, const char *cmd, local_plan_fn fn, void *ctx)
{
    bool ok = boot_local(cat, configs_dir, secrets_dir, cmd);
    if (ok) {
        rollup_ready *ready;
        session_info s = local_session(&ready);
        arena a;
        arena_init(&a);
        action act;
        memset(&act, 0, sizeof(act));
        planner_plan(&a, &s, sql, strlen(sql), &act);
        fn(ctx, &act);
        arena_free(&a);
        free(ready);
    }
    server_teardown();
    return ok;
}
