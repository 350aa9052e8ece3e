/*
 * One rollup's build or refresh: see rollup_build.h and docs/rollups.md for
 * the tables it writes. The aggregate SQL comes from the planner
 * (planner/rollup_plan.h) and runs where the source lives: a rollup is stored
 * in its storage: by default its source's own database (CREATE TABLE AS /
 * INSERT INTO ... SELECT, no row leaves the database); on another connection
 * (`storage:`, of the source's kind), the aggregate runs on the source and its
 * rows are copied across (rollup_copy.h).
 */
#include "proxy/rollups/rollup_build.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/arena.h"
#include "proxy/rollups/rollup_copy.h"
#include "proxy/rollups/rollup_db.h"
#include "semantic/rollups.h"
#include "wire/xalloc.h"

/* What one build knows while it runs. */
typedef struct build {
    const catalog *cat;
    const source *src;
    const rollup *r;
    const discovered_types *types; /* the plan reads its time column's type */
    blocking_db *db;               /* the storage's: tables, state, lock */
    blocking_db *src_db; /* the source's when the storage is another connection, else NULL */
    conn_kind kind;
    arena a;
    rollup_progress_fn progress;
    void *ctx;
    char table[160], new_table[160], old_table[160], state[100];
    char *name_lit;
    bool locked, in_tx;
    bool fresh; /* ROLLUP_BUILD_IF_DUE found nothing to do */
    rollup_result *out;
} build;

static void say(build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(build *b, const char *fmt, ...)
{
    if (!b->progress)
        return;
    char msg[900], line[1100];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "rollup %s: %s", b->r->name, msg);
    b->progress(b->ctx, line);
}

static bool fail(build *b, const char *what, const char *err)
{
    snprintf(b->out->error, sizeof b->out->error, "%s: %.500s", what, err);
    return false;
}

static bool run(build *b, const char *sql, const char *what)
{
    char err[1024];
    return blocking_db_exec(b->db, sql, NULL, 0, err, sizeof err) || fail(b, what, err);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void names(build *b)
{
    const char *q = b->kind == CONN_MYSQL ? "`" : "\"";
    snprintf(b->table, sizeof b->table, "mimir_rollups.%s%s%s", q, b->r->name, q);
    snprintf(b->new_table, sizeof b->new_table, "mimir_rollups.%s%s__new%s", q, b->r->name, q);
    snprintf(b->old_table, sizeof b->old_table, "mimir_rollups.%s%s__old%s", q, b->r->name, q);
    snprintf(b->state, sizeof b->state, "mimir_rollups.%s", ROLLUP_STATE_TABLE);
    b->name_lit = rollup_db_literal(b->db, b->r->name);
}

/* ---- the state table and the lock ---- */

static bool ensure_state_table(build *b)
{
    static const char *const ddl[][2] = {
        /* Only what is missing is created: IF NOT EXISTS checks the privilege to create
         * first, which a user given an existing schema may not have. */
        [CONN_POSTGRES] = {"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = "
                           "'mimir_rollups') THEN CREATE SCHEMA mimir_rollups; END IF; IF "
                           "to_regclass('mimir_rollups.mimir_rollups_state') IS NULL THEN CREATE "
                           "TABLE mimir_rollups.mimir_rollups_state (name text PRIMARY KEY, "
                           "definition_hash text NOT NULL, last_refresh_at timestamp, watermark "
                           "timestamp, row_count bigint, status text NOT NULL, error text); END "
                           "IF; END $$",
                           NULL},
        [CONN_MYSQL] = {"CREATE DATABASE IF NOT EXISTS mimir_rollups",
                        "CREATE TABLE IF NOT EXISTS mimir_rollups.mimir_rollups_state (name "
                        "varchar(64) NOT NULL PRIMARY KEY, definition_hash varchar(32) NOT NULL, "
                        "last_refresh_at datetime NULL, watermark datetime NULL, row_count "
                        "bigint NULL, status varchar(16) NOT NULL, error text NULL)"},
        [CONN_SQLITE] = {NULL,
                         "CREATE TABLE IF NOT EXISTS mimir_rollups.mimir_rollups_state (name "
                         "text PRIMARY KEY, definition_hash text NOT NULL, last_refresh_at text, "
                         "watermark text, row_count integer, status text NOT NULL, error text)"},
    };
    for (size_t i = 0; i < 2; i++)
        if (ddl[b->kind][i] && !run(b, ddl[b->kind][i], "creating the state table"))
            return false;
    return true;
}

static uint64_t lock_key(const char *name)
{
    uint64_t h = 14695981039346656037ULL;
    for (const char *p = "mimir_rollup_"; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p)) * 1099511628211ULL;
    return h;
}

/* True with *busy false when this build holds the lock now. */
static bool take_lock(build *b, bool *busy)
{
    char sql[200], err[1024], *cell = NULL;
    bool found;
    *busy = false;
    if (b->kind == CONN_SQLITE) {
        /* The first write takes SQLite's write lock on the rollups file only. */
        if (!run(b, "BEGIN", "beginning a transaction"))
            return false;
        b->in_tx = true;
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE 0 = 1", b->state);
        if (blocking_db_exec(b->db, sql, NULL, 0, err, sizeof err))
            return b->locked = true;
        *busy = strstr(err, "locked") != NULL;
        return fail(b, "taking the lock", err);
    }
    if (b->kind == CONN_POSTGRES)
        snprintf(sql, sizeof sql, "SELECT pg_try_advisory_lock(%" PRId64 ")",
                 (int64_t)lock_key(b->r->name));
    else
        snprintf(sql, sizeof sql, "SELECT GET_LOCK(CONCAT('mimir_rollup_', %s), 0)", b->name_lit);
    if (!blocking_db_row(b->db, sql, &cell, 1, &found, err, sizeof err))
        return fail(b, "taking the lock", err);
    b->locked = cell && (strcmp(cell, "t") == 0 || strcmp(cell, "1") == 0);
    free(cell);
    *busy = !b->locked;
    return b->locked;
}

static void release_lock(build *b)
{
    char sql[200], err[1024];
    if (b->in_tx)
        blocking_db_exec(b->db, "ROLLBACK", NULL, 0, err, sizeof err);
    b->in_tx = false;
    if (!b->locked || b->kind == CONN_SQLITE)
        return;
    if (b->kind == CONN_POSTGRES)
        snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%" PRId64 ")",
                 (int64_t)lock_key(b->r->name));
    else
        snprintf(sql, sizeof sql, "SELECT RELEASE_LOCK(CONCAT('mimir_rollup_', %s))", b->name_lit);
    blocking_db_exec(b->db, sql, NULL, 0, err, sizeof err);
    b->locked = false;
}

/* ---- building ---- */

static bool read_state_row(blocking_db *db, const char *name_lit, rollup_state *st, char *err,
                           size_t errlen)
{
    char sql[400];
    char *cells[7];
    snprintf(sql, sizeof sql,
             "SELECT definition_hash, last_refresh_at, watermark, row_count, status, error FROM "
             "mimir_rollups.mimir_rollups_state WHERE name = %s",
             name_lit);
    memset(st, 0, sizeof *st);
    if (!blocking_db_row(db, sql, cells, 6, &st->found, err, errlen))
        return false;
    char *outs[] = {
        st->definition_hash, st->last_refresh_at, st->watermark, NULL, st->status, st->error};
    size_t lens[] = {sizeof st->definition_hash, sizeof st->last_refresh_at,
                     sizeof st->watermark,       0,
                     sizeof st->status,          sizeof st->error};
    for (size_t i = 0; i < 6; i++) {
        if (outs[i] && cells[i])
            snprintf(outs[i], lens[i], "%.19s", cells[i]);
        if (i == 5 && cells[i])
            snprintf(st->error, sizeof st->error, "%s", cells[i]);
        if (i == 3 && cells[i])
            st->rows = strtoll(cells[i], NULL, 10);
        free(cells[i]);
    }
    return true;
}

static bool count_rows(build *b, const char *table, long long *n)
{
    char sql[300], err[1024], *cell = NULL;
    bool found;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    if (!blocking_db_row(b->db, sql, &cell, 1, &found, err, sizeof err))
        return fail(b, "counting rows", err);
    *n = cell ? strtoll(cell, NULL, 10) : 0;
    free(cell);
    return true;
}

static bool write_state(build *b, const char *hash, const char *watermark, long long rows,
                        time_t now)
{
    char sql[1200], at[ROLLUP_TIME_LEN];
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(at, sizeof at, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE name = %s", b->state, b->name_lit);
    if (!run(b, sql, "writing the state"))
        return false;
    snprintf(sql, sizeof sql,
             "INSERT INTO %s (name, definition_hash, last_refresh_at, watermark, row_count, "
             "status, error) VALUES (%s, '%s', '%s', '%s', %lld, 'built', NULL)",
             b->state, b->name_lit, hash, at, watermark, rows);
    snprintf(b->out->refreshed_at, sizeof b->out->refreshed_at, "%s", at);
    return run(b, sql, "writing the state");
}

/*
 * MySQL/MariaDB: CONVERT_TZ answers NULL for a zone the server has no tables for,
 * which would store NULL periods: refused instead, as the connector refuses
 * such a query (proxy/backend/mysql_backend.c).
 */
static bool zone_known(build *b, const char *zone)
{
    blocking_db *db = b->src_db ? b->src_db : b->db; /* where the aggregate runs */
    char *lit = rollup_db_literal(db, zone), *cell = NULL, err[1024];
    char *sql = arena_printf(&b->a,
                             "SELECT CONVERT_TZ('2000-01-01 00:00:00', '+00:00', %s) IS "
                             "NOT NULL",
                             lit);
    free(lit);
    bool found;
    if (!blocking_db_row(db, sql, &cell, 1, &found, err, sizeof err))
        return fail(b, "checking its time zone", err);
    bool known = cell && strcmp(cell, "1") == 0;
    free(cell);
    if (!known) {
        snprintf(b->out->error, sizeof b->out->error,
                 "time zone '%s': the MySQL/MariaDB server has no time zone tables for it, so "
                 "its CONVERT_TZ would answer NULL; load them (mariadb-tzinfo-to-sql "
                 "/usr/share/zoneinfo | mariadb mysql)",
                 zone);
    }
    return known;
}

static bool plan_range(build *b, const char *from, const char *to, rollup_sql *q)
{
    sql_error e;
    memset(&e, 0, sizeof e);
    if (!rollup_plan(&b->a, b->cat, b->src, b->r, b->types, from, to, q, &e))
        return fail(b, "planning its query", e.message);
    return !q->tz_name || zone_known(b, q->tz_name);
}

static bool begin(build *b)
{
    if (b->in_tx)
        return true;
    b->in_tx = run(b, b->kind == CONN_MYSQL ? "START TRANSACTION" : "BEGIN", "beginning");
    return b->in_tx;
}

static bool commit(build *b)
{
    b->in_tx = false;
    return run(b, "COMMIT", "committing");
}

/* The aggregate's rows into table: by one statement in the storage when it is the
 * source's database, else copied from the source (created first with create). */
static bool fill(build *b, const char *table, bool create, const rollup_sql *q, const char *what)
{
    char err[1024];
    long long copied;
    if (b->src_db)
        return rollup_copy(b->src_db, b->db, q, table, create, &copied, err, sizeof err) ||
               fail(b, what, err);
    char *sql = arena_printf(&b->a, "%s %s%s\n%s", create ? "CREATE TABLE" : "INSERT INTO", table,
                             create ? " AS" : "", q->sql);
    return blocking_db_exec(b->db, sql, q->params, q->nparams, err, sizeof err) ||
           fail(b, what, err);
}

/* MySQL: DDL commits on its own, so NAME__new is filled, then swapped in by one
 * RENAME TABLE (atomic for readers); the state follows in its own transaction. */
static bool swap_mysql(build *b)
{
    char sql[1200], err[1024];
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", b->old_table);
    if (!run(b, sql, "dropping the previous build"))
        return false;
    snprintf(sql, sizeof sql, "RENAME TABLE %s TO %s, %s TO %s", b->table, b->old_table,
             b->new_table, b->table);
    if (!blocking_db_exec(b->db, sql, NULL, 0, err, sizeof err)) {
        snprintf(sql, sizeof sql, "RENAME TABLE %s TO %s", b->new_table, b->table);
        if (!run(b, sql, "swapping the new build in"))
            return false;
    }
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", b->old_table);
    return run(b, sql, "dropping the previous build");
}

/* PostgreSQL and SQLite: the new table replaces the old one in the transaction. */
static bool swap_in_tx(build *b)
{
    char sql[1200];
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", b->table);
    if (!run(b, sql, "dropping the previous build"))
        return false;
    const char *q = b->kind == CONN_MYSQL ? "`" : "\"";
    snprintf(sql, sizeof sql, "ALTER TABLE %s RENAME TO %s%s%s", b->new_table, q, b->r->name, q);
    return run(b, sql, "swapping the new build in");
}

static bool full_build(build *b, const char *hash, const char *watermark, time_t now)
{
    rollup_sql q;
    char sql[1200];
    if (!plan_range(b, NULL, watermark, &q))
        return false;
    say(b, "full build of the periods before %s", watermark);
    if (b->kind != CONN_MYSQL && !begin(b))
        return false;
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", b->new_table);
    if (!run(b, sql, "dropping a leftover build"))
        return false;
    if (!fill(b, b->new_table, true, &q, "building"))
        return false;
    long long rows;
    if (!count_rows(b, b->new_table, &rows))
        return false;
    bool ok = b->kind == CONN_MYSQL ? swap_mysql(b) && begin(b) : swap_in_tx(b);
    if (!ok || !write_state(b, hash, watermark, rows, now) || !commit(b))
        return false;
    b->out->rows = rows;
    b->out->full = true;
    return true;
}

static bool refresh(build *b, const rollup_state *st, const char *watermark, time_t now)
{
    char from[ROLLUP_TIME_LEN], sql[900];
    rollup_period_floor(b->cat, b->r, now - b->r->update_window_s, from);
    if (strcmp(st->watermark, from) < 0)
        snprintf(from, sizeof from, "%s", st->watermark);
    rollup_sql q;
    if (!plan_range(b, from, watermark, &q))
        return false;
    say(b, "refresh of the periods from %s to %s", from, watermark);
    if (!begin(b))
        return false;
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE period >= '%s' AND period < '%s'", b->table,
             from, watermark);
    if (!run(b, sql, "deleting the refreshed periods"))
        return false;
    long long rows;
    if (!fill(b, b->table, false, &q, "refreshing") || !count_rows(b, b->table, &rows) ||
        !write_state(b, st->definition_hash, watermark, rows, now) || !commit(b))
        return false;
    b->out->rows = rows;
    return true;
}

/* Records a failure in the state (the last good build stays as it was). */
static void record_failure(build *b)
{
    char sql[1600], err[1024];
    char *msg = rollup_db_literal(b->db, b->out->error);
    snprintf(sql, sizeof sql, "UPDATE %s SET status = 'failed', error = %s WHERE name = %s",
             b->state, msg, b->name_lit);
    free(msg);
    blocking_db_exec(b->db, sql, NULL, 0, err, sizeof err);
}

/* Built with this definition, and refreshed less than refresh_every ago. */
static bool is_fresh(build *b, const rollup_state *st, time_t now)
{
    struct tm tm = {0};
    if (!strptime(st->last_refresh_at, "%Y-%m-%d %H:%M:%S", &tm))
        return false;
    long age = (long)(now - timegm(&tm));
    b->out->due_in_s = b->r->refresh_every_s - (age > 0 ? age : 0);
    return age < b->r->refresh_every_s;
}

static bool locked_build(build *b, rollup_build_mode mode, time_t now)
{
    char hash[32], watermark[ROLLUP_TIME_LEN], err[1024];
    rollup_state st;
    rollup_sql q;
    if (!plan_range(b, NULL, NULL, &q))
        return false;
    snprintf(hash, sizeof hash, "%016" PRIx64, q.definition_hash);
    if (!read_state_row(b->db, b->name_lit, &st, err, sizeof err))
        return fail(b, "reading the state", err);
    rollup_period_floor(b->cat, b->r, now, watermark);
    snprintf(b->out->watermark, sizeof b->out->watermark, "%s", watermark);
    /* A failed refresh left the last good build and its watermark: refreshing from
     * there is enough. */
    bool full = mode == ROLLUP_BUILD_FULL || !st.found || strcmp(st.definition_hash, hash) != 0 ||
                !st.watermark[0];
    if (!full && mode == ROLLUP_BUILD_IF_DUE && is_fresh(b, &st, now)) {
        b->fresh = true;
        b->out->rows = st.rows;
        snprintf(b->out->watermark, sizeof b->out->watermark, "%s", st.watermark);
        snprintf(b->out->refreshed_at, sizeof b->out->refreshed_at, "%s", st.last_refresh_at);
        say(b, "up to date (refreshed %s UTC, definition unchanged): reused", st.last_refresh_at);
        return true;
    }
    if (full && st.found && strcmp(st.definition_hash, hash) != 0)
        say(b, "definition changed (hash %s, was %s): full build", hash, st.definition_hash);
    return full ? full_build(b, hash, watermark, now) : refresh(b, &st, watermark, now);
}

void rollup_build(const catalog *cat, const source *s, const rollup *r,
                  const discovered_types *types, rollup_build_mode mode, time_t now,
                  rollup_progress_fn progress, void *ctx, rollup_result *out)
{
    memset(out, 0, sizeof *out);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    build b = {
        .cat = cat, .src = s, .r = r, .types = types, .progress = progress, .ctx = ctx, .out = out};
    arena_init(&b.a);
    const connection *c = catalog_rollup_storage(s, r);
    bool ok = false, busy = false;
    char err[1024];
    if (!c)
        fail(&b, "storage", "no connection (the secrets were not loaded)");
    else if (!(b.db = rollup_db_connect(c, err, sizeof err)))
        fail(&b, "connecting to its storage", err);
    else if (!catalog_connection_same(c, s->conn) &&
             !(b.src_db = rollup_db_connect_source(s->conn, err, sizeof err)))
        fail(&b, "connecting to its source", err);
    else {
        b.kind = blocking_db_kind(b.db);
        names(&b);
        ok = (b.kind == CONN_SQLITE || take_lock(&b, &busy)) && ensure_state_table(&b) &&
             (b.kind != CONN_SQLITE || take_lock(&b, &busy)) && locked_build(&b, mode, now);
        if (!ok && !busy) {
            release_lock(&b); /* rolls back what was not committed */
            record_failure(&b);
        }
        release_lock(&b);
    }
    out->outcome = ok ? (b.fresh ? ROLLUP_FRESH : ROLLUP_DONE) : busy ? ROLLUP_BUSY : ROLLUP_FAILED;
    out->seconds = seconds_since(&t0);
    if (busy)
        say(&b, "another server is building it: left to it");
    free(b.name_lit);
    blocking_db_close(b.src_db);
    blocking_db_close(b.db);
    arena_free(&b.a);
}

bool rollup_state_read(const catalog *cat, const source *s, const rollup *r, rollup_state *st,
                       char *err, size_t errlen)
{
    (void)cat;
    memset(st, 0, sizeof *st);
    const connection *c = catalog_rollup_storage(s, r);
    if (!c) {
        snprintf(err, errlen, "no connection (the secrets were not loaded)");
        return false;
    }
    blocking_db *db = rollup_db_connect(c, err, errlen);
    if (!db)
        return false;
    char *lit = rollup_db_literal(db, r->name);
    char e2[1024];
    bool ok = read_state_row(db, lit, st, e2, sizeof e2);
    if (!ok && (strstr(e2, "does not exist") || strstr(e2, "doesn't exist") ||
                strstr(e2, "no such table") || strstr(e2, "Unknown database")))
        ok = true; /* never built here */
    else if (!ok)
        snprintf(err, errlen, "%s", e2);
    free(lit);
    blocking_db_close(db);
    return ok;
}

bool rollup_definition_hash(const catalog *cat, const source *s, const rollup *r,
                            const discovered_types *types, char out[32], char *err, size_t errlen)
{
    arena a;
    arena_init(&a);
    rollup_sql q;
    sql_error e;
    memset(&e, 0, sizeof e);
    bool ok = rollup_plan(&a, cat, s, r, types, NULL, NULL, &q, &e);
    if (ok)
        snprintf(out, 32, "%016" PRIx64, q.definition_hash);
    else
        snprintf(err, errlen, "%s", e.message);
    arena_free(&a);
    return ok;
}
