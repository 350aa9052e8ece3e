/*
 * Fuzz target: SQL text through the lexer, the parser and the planner, as a
 * session runs it (planner_plan and friends), against the two example
 * semantic layers with their information_schema built:
 *
 *   configs/pagila  loaded without secrets (PostgreSQL dialect)
 *   configs/demo    with its own secrets dir, which names only the SQLite
 *                   file (SQLite dialect)
 *
 * The first input byte picks the setting; the rest is the statement text.
 *
 *   bit 0     pagila / demo
 *   bit 1     current database: none / mimir
 *   bit 2     current database information_schema (wins over bit 1)
 *   bits 3-4  how the text arrives: COM_QUERY (planner_plan);
 *             COM_QUERY with multi-statements (cut, then each planned);
 *             COM_STMT_PREPARE + COM_STMT_EXECUTE (planner_prepare, then
 *             planner_plan_params with a value of each kind per '?');
 *             COM_FIELD_LIST (table NUL wildcard: planner_field_list)
 *
 * Whatever the text, the planner must return an action, and an error must be
 * one a client can show: a MySQL code, a five-character SQLSTATE, a message.
 *
 * With FUZZ_SQL_ORACLE set in the environment, every plan made against the
 * demo (SQLite) must also be SQL that SQLite accepts: each atomic query is
 * prepared against configs/demo/demo.db, and the combine against tables
 * s0, s1, ... with the columns the plan gives them. A planner that prints
 * SQL its backend refuses turns a client's query into a backend error (1105)
 * instead of a clear one. (Off by default: it finds the planner's mistakes,
 * not memory errors, and slows the target.)
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "planner/info_schema.h"
#include "planner/multi_statement.h"
#include "planner/planner.h"
#include "semantic/catalog.h"
#include "tests/fuzz/support.h"

typedef struct setting {
    catalog *cat;
    info_schema *is;
} setting;

static setting settings[2];
static sqlite3 *oracle_db; /* demo.db, read-only; NULL when the oracle is off */

static void load(setting *st, const char *configs, const char *secrets)
{
    char err[2048];
    char *cdir = fuzz_repo_path(configs);
    char *sdir = secrets ? fuzz_repo_path(secrets) : NULL;
    st->cat = catalog_load(cdir, sdir, err, sizeof err);
    if (!st->cat) {
        fprintf(stderr, "fuzz_sql: cannot load %s: %s\n", cdir, err);
        abort();
    }
    st->is = info_schema_build(st->cat, err, sizeof err);
    if (!st->is) {
        fprintf(stderr, "fuzz_sql: information_schema of %s: %s\n", cdir, err);
        abort();
    }
    free(cdir);
    free(sdir);
}

static void unload(void)
{
    sqlite3_close(oracle_db);
    for (size_t i = 0; i < 2; i++) {
        info_schema_free(settings[i].is);
        catalog_free(settings[i].cat);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    load(&settings[0], "configs/pagila", NULL);
    load(&settings[1], "configs/demo", "configs/demo/secrets");
    if (getenv("FUZZ_SQL_ORACLE")) {
        char *db = fuzz_repo_path("configs/demo/demo.db");
        if (sqlite3_open_v2(db, &oracle_db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
            abort();
        free(db);
    }
    atexit(unload);
    return 0;
}

static void check_sqlite_plan(const plan *p);

static void check_action(const action *act)
{
    if (act->kind == ACTION_ERROR) {
        assert(act->error.code >= 1000);
        assert(strlen(act->error.sqlstate) == 5);
        assert(act->error.message[0] != '\0');
    } else if (act->kind == ACTION_QUERY) {
        assert(act->plan && act->plan->nqueries > 0);
        for (size_t i = 0; i < act->plan->nqueries; i++)
            assert(act->plan->queries[i].sql);
        if (oracle_db)
            check_sqlite_plan(act->plan);
    } else if (act->kind == ACTION_ROWS) {
        assert(act->rows.nrows == 0 || act->rows.values);
    }
}

static void oracle_prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "fuzz_sql oracle: SQLite refuses the planned SQL: %s\n%s\n",
                sqlite3_errmsg(db), sql);
        abort();
    }
    sqlite3_finalize(st);
}

/* The plan's SQL is SQL SQLite accepts (see the top of the file). */
static void check_sqlite_plan(const plan *p)
{
    for (size_t i = 0; i < p->nqueries; i++)
        if (p->queries[i].dialect == DIALECT_SQLITE)
            oracle_prepare(oracle_db, p->queries[i].sql);
    if (!p->final_sql)
        return;
    sqlite3 *mem;
    if (sqlite3_open(":memory:", &mem) != SQLITE_OK)
        abort();
    for (size_t i = 0; i < p->nqueries; i++) {
        char *sql = sqlite3_mprintf("CREATE TABLE \"s%d\" (x)", (int)i);
        sqlite3_exec(mem, sql, NULL, NULL, NULL);
        sqlite3_free(sql);
        for (size_t k = 0; k < p->queries[i].ncols; k++) {
            char *add = sqlite3_mprintf("ALTER TABLE \"s%d\" ADD COLUMN \"%w\"", (int)i,
                                        p->queries[i].col_names[k]);
            sqlite3_exec(mem, add, NULL, NULL, NULL);
            sqlite3_free(add);
        }
    }
    oracle_prepare(mem, p->final_sql);
    sqlite3_close(mem);
}

/* One value of each kind, in turn: what a driver may bind to a '?'. */
static const param_value sample_params[] = {
    {LIT_INT, "42", 2},
    {LIT_STRING, "Action", 6},
    {LIT_NULL, NULL, 0},
    {LIT_NUMBER, "-2.5e3", 6},
    {LIT_STRING, "it's \\ \"q\"", 10},
    {LIT_STRING, "", 0},
    {LIT_STRING, "2022-05-01 10:00:00", 19},
    {LIT_STRING, "nul\0inside", 10},
};
#define NSAMPLES (sizeof sample_params / sizeof sample_params[0])

static void run_prepared(const session_info *s, const char *sql, size_t len)
{
    arena a;
    arena_init(&a);
    action act;
    size_t nparams = 0;
    if (planner_prepare(&a, s, sql, len, &nparams, &act) && nparams > 0 && nparams <= 65535) {
        param_value *params = calloc(nparams, sizeof *params);
        if (!params)
            abort();
        for (size_t i = 0; i < nparams; i++)
            params[i] = sample_params[i % NSAMPLES];
        arena_free(&a);
        arena_init(&a);
        planner_plan_params(&a, s, sql, len, params, nparams, &act);
        check_action(&act);
        free(params);
    } else if (act.kind == ACTION_ERROR) {
        check_action(&act);
    }
    arena_free(&a);
}

static void run_field_list(const session_info *s, const char *text, size_t len)
{
    const char *nul = memchr(text, '\0', len);
    char *table = strndup(text, nul ? (size_t)(nul - text) : len);
    char *wild = nul ? strndup(nul + 1, len - (size_t)(nul - text) - 1) : NULL;
    if (!table || (nul && !wild))
        abort();
    arena a;
    arena_init(&a);
    const_result cols;
    sql_error err;
    if (!planner_field_list(&a, s, table, wild, &cols, &err))
        assert(err.code >= 1000 && strlen(err.sqlstate) == 5);
    arena_free(&a);
    free(table);
    free(wild);
}

static void run_query(const session_info *s, const char *sql, size_t len)
{
    arena a;
    arena_init(&a);
    action act;
    planner_plan(&a, s, sql, len, &act);
    check_action(&act);
    arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t opt = data[0];
    const setting *st = &settings[opt & 1];
    session_info s = {
        .cat = st->cat,
        .info_schema = st->is,
        .db = opt & 4   ? "information_schema"
              : opt & 2 ? "mimir"
                        : NULL,
        .user = "fuzz",
        .client_host = "127.0.0.1",
        .connection_id = 7,
        .autocommit = true,
    };
    const char *sql = (const char *)data + 1;
    size_t len = size - 1;
    switch ((opt >> 3) & 3) {
    case 0:
        run_query(&s, sql, len);
        break;
    case 1: {
        stmt_span *spans = NULL;
        size_t n = multi_statement_split(sql, len, &spans);
        for (size_t i = 0; i < n; i++)
            run_query(&s, sql + spans[i].start, spans[i].len);
        free(spans);
        break;
    }
    case 2:
        run_prepared(&s, sql, len);
        break;
    default:
        run_field_list(&s, sql, len);
        break;
    }
    return 0;
}
