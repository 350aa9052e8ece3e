/*
 * Building and querying the information_schema database. Every table of
 * info_schema_tables.c is created with its MySQL column types as SQLite
 * declared types (so that a result column keeps its type through SELECTs and
 * joins) and COLLATE NOCASE on text columns; the rows describing `mimir`
 * come from mimir_tables().
 */
#include "planner/info_schema.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sqlite3.h>

#include "planner/info_schema_functions.h"
#include "planner/info_schema_tables.h"
#include "planner/session_query.h"
#include "wire/buf.h"
#include "wire/xalloc.h"

/* SQLite VM instructions one information_schema query may take (about a second). */
#define QUERY_STEP_BUDGET 200000000L
#define PROGRESS_EVERY    100000
/* Rows one query may return: the whole catalog is a few thousand rows at most. */
#define QUERY_MAX_ROWS 1000000

struct info_schema {
    sqlite3 *db;
    arena mem; /* mimir_tables and everything else that lives as long as the database */
    mimir_table *tables;
    size_t ntables;
    long steps_left; /* of the running query, counted down by the progress handler */
    user_vars *vars; /* @variables the running query assigns (info_schema_functions.h) */
};

/* Tables the planner reads for SHOW but clients cannot name. */
static const char *const internal_ddl =
    "CREATE TABLE mimir_variables (VARIABLE_NAME varchar(64) COLLATE NOCASE, "
    "  VARIABLE_VALUE varchar(1024) COLLATE NOCASE, ORDINAL int);"
    "CREATE TABLE mimir_status (VARIABLE_NAME varchar(64) COLLATE NOCASE, "
    "  VARIABLE_VALUE varchar(1024) COLLATE NOCASE);"
    /* Always empty: Mimir keeps no warnings (SHOW WARNINGS, SHOW ERRORS). */
    "CREATE TABLE mimir_warnings (LEVEL varchar(7) COLLATE NOCASE, CODE int unsigned, "
    "  MESSAGE varchar(512) COLLATE NOCASE);"
    "CREATE TABLE mimir_errors (LEVEL varchar(7) COLLATE NOCASE, CODE int unsigned, "
    "  MESSAGE varchar(512) COLLATE NOCASE);";

static bool is_text_type(const column_type *t)
{
    switch (t->kind) {
    case CT_CHAR:
    case CT_VARCHAR:
    case CT_TEXT:
    case CT_JSON:
    case CT_DATE:
    case CT_TIME:
    case CT_DATETIME:
    case CT_TIMESTAMP:
        return true;
    default:
        return false;
    }
}

static void parse_known_type(const char *text, column_type *t)
{
    char why[96];
    if (!column_type_parse(text, t, why, sizeof(why)))
        abort(); /* the types of info_schema_tables.c are ours: a typo is a bug */
}

static bool exec_sql(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return true;
    snprintf(err, errlen, "information_schema: %s", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return false;
}

static bool create_tables(sqlite3 *db, char *err, size_t errlen)
{
    buf ddl;
    buf_init(&ddl);
    for (size_t i = 0; i < is_ntables; i++) {
        const is_table *t = &is_tables[i];
        buf_printf(&ddl, "CREATE TABLE \"%s\" (", t->name);
        for (size_t j = 0; j < t->ncols; j++) {
            column_type ct;
            parse_known_type(t->cols[j].type, &ct);
            buf_printf(&ddl, "%s\"%s\" %s%s", j ? ", " : "", t->cols[j].name, t->cols[j].type,
                       is_text_type(&ct) ? " COLLATE NOCASE" : "");
        }
        buf_append_str(&ddl, ");\n");
    }
    buf_append_str(&ddl, internal_ddl);
    bool ok = exec_sql(db, buf_cstr(&ddl), err, errlen);
    buf_free(&ddl);
    return ok;
}

/* ---- Inserting rows --------------------------------------------------------- */

typedef struct inserter {
    sqlite3_stmt *stmt;
    int ncols;
    int col; /* next parameter to bind, 0-based */
} inserter;

static bool inserter_open(sqlite3 *db, const char *table, int ncols, inserter *ins)
{
    buf sql;
    buf_init(&sql);
    buf_printf(&sql, "INSERT INTO \"%s\" VALUES (", table);
    for (int i = 0; i < ncols; i++)
        buf_append_str(&sql, i ? ", ?" : "?");
    buf_append_str(&sql, ")");
    int rc = sqlite3_prepare_v2(db, buf_cstr(&sql), -1, &ins->stmt, NULL);
    buf_free(&sql);
    ins->ncols = ncols;
    ins->col = 0;
    return rc == SQLITE_OK;
}

static void put_text(inserter *ins, const char *v)
{
    ins->col++;
    if (v)
        sqlite3_bind_text(ins->stmt, ins->col, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(ins->stmt, ins->col);
}

static void put_int(inserter *ins, long long v)
{
    sqlite3_bind_int64(ins->stmt, ++ins->col, v);
}

static void put_null(inserter *ins)
{
    sqlite3_bind_null(ins->stmt, ++ins->col);
}

static bool inserter_row(inserter *ins)
{
    bool ok = ins->col == ins->ncols && sqlite3_step(ins->stmt) == SQLITE_DONE;
    sqlite3_reset(ins->stmt);
    sqlite3_clear_bindings(ins->stmt);
    ins->col = 0;
    return ok;
}

static void inserter_close(inserter *ins)
{
    sqlite3_finalize(ins->stmt);
}

static bool insert_fixed_rows(sqlite3 *db)
{
    for (size_t i = 0; i < is_nfixed; i++) {
        const is_fixed_rows *f = &is_fixed[i];
        const is_table *t = is_table_find(f->table);
        inserter ins;
        if (!inserter_open(db, t->name, (int)t->ncols, &ins))
            return false;
        bool ok = true;
        for (size_t v = 0; ok && v < f->nvalues; v++) {
            put_text(&ins, f->values[v]);
            if ((v + 1) % t->ncols == 0)
                ok = inserter_row(&ins);
        }
        inserter_close(&ins);
        if (!ok)
            return false;
    }
    return true;
}

static bool insert_keywords(sqlite3 *db)
{
    inserter ins;
    if (!inserter_open(db, "KEYWORDS", 2, &ins))
        return false;
    bool ok = true;
    for (const char *const *w = is_reserved_words; ok && *w; w++) {
        put_text(&ins, *w);
        put_int(&ins, 1);
        ok = inserter_row(&ins);
    }
    for (const char *const *w = is_nonreserved_words; ok && *w; w++) {
        put_text(&ins, *w);
        put_int(&ins, 0);
        ok = inserter_row(&ins);
    }
    inserter_close(&ins);
    return ok;
}

/* ---- The rows describing the databases ---------------------------------------- */

typedef struct schema_rows {
    inserter tables, columns;
    const char *created; /* CREATE_TIME of mimir's tables: when the catalog loaded */
} schema_rows;

static bool add_schemata(sqlite3 *db)
{
    char err[256];
    return exec_sql(db,
                    "INSERT INTO SCHEMATA VALUES "
                    "('def', 'information_schema', 'utf8mb3', 'utf8mb3_general_ci', NULL, 'NO'),"
                    "('def', 'mimir', 'utf8mb4', 'utf8mb4_general_ci', NULL, 'NO');"
                    "INSERT INTO COLLATION_CHARACTER_SET_APPLICABILITY "
                    "SELECT COLLATION_NAME, CHARACTER_SET_NAME FROM COLLATIONS;",
                    err, sizeof(err));
}

static void put_numeric_shape(inserter *ins, const column_type *t)
{
    static const unsigned int_precision[] = {
        [CT_TINYINT] = 3, [CT_SMALLINT] = 5, [CT_MEDIUMINT] = 7, [CT_INT] = 10, [CT_BIGINT] = 19};
    switch (t->kind) {
    case CT_TINYINT:
    case CT_SMALLINT:
    case CT_MEDIUMINT:
    case CT_INT:
    case CT_BIGINT:
        put_int(ins, int_precision[t->kind] + (t->kind == CT_BIGINT && t->is_unsigned));
        put_int(ins, 0);
        return;
    case CT_DECIMAL:
        put_int(ins, t->length);
        put_int(ins, t->scale);
        return;
    case CT_FLOAT:
        put_int(ins, 12);
        put_null(ins);
        return;
    case CT_DOUBLE:
        put_int(ins, 22);
        put_null(ins);
        return;
    default:
        put_null(ins);
        put_null(ins);
        return;
    }
}

/* One COLUMNS row. Strings are utf8mb4 in mimir, utf8mb3 in information_schema. */
static bool add_column_row(inserter *ins, const char *schema, const char *table, const char *name,
                           unsigned ordinal, const column_type *t, const char *comment,
                           bool utf8mb4)
{
    bool chars = t->kind == CT_CHAR || t->kind == CT_VARCHAR || t->kind == CT_TEXT;
    bool bytes = t->kind == CT_BINARY || t->kind == CT_VARBINARY || t->kind == CT_BLOB;
    bool timed = t->kind == CT_TIME || t->kind == CT_DATETIME || t->kind == CT_TIMESTAMP;
    unsigned bytes_per_char = utf8mb4 ? 4 : 3;
    put_text(ins, "def");
    put_text(ins, schema);
    put_text(ins, table);
    put_text(ins, name);
    put_int(ins, ordinal);
    put_null(ins); /* COLUMN_DEFAULT */
    put_text(ins, "YES");
    put_text(ins, t->data_type);
    if (chars || bytes) {
        long long len = t->length;
        long long octets = chars && t->kind != CT_TEXT ? len * bytes_per_char : len;
        put_int(ins, len);
        put_int(ins, octets);
    } else {
        put_null(ins);
        put_null(ins);
    }
    put_numeric_shape(ins, t);
    if (timed)
        put_int(ins, t->scale);
    else
        put_null(ins);
    put_text(ins, chars ? (utf8mb4 ? "utf8mb4" : "utf8mb3") : NULL);
    put_text(ins, chars ? (utf8mb4 ? "utf8mb4_general_ci" : "utf8mb3_general_ci") : NULL);
    put_text(ins, t->text);
    put_text(ins, ""); /* COLUMN_KEY */
    put_text(ins, ""); /* EXTRA */
    put_text(ins, "select");
    put_text(ins, comment ? comment : "");
    put_text(ins, ""); /* GENERATION_EXPRESSION */
    put_null(ins);     /* SRS_ID */
    return inserter_row(ins);
}

static bool add_table_row(inserter *ins, const char *schema, const char *name, bool system,
                          const char *created, const char *comment)
{
    put_text(ins, "def");
    put_text(ins, schema);
    put_text(ins, name);
    put_text(ins, system ? "SYSTEM VIEW" : "BASE TABLE");
    put_text(ins, system ? NULL : "Mimir");
    put_int(ins, 10);
    put_text(ins, system ? NULL : "Dynamic");
    for (int i = 0; i < 6; i++) /* TABLE_ROWS .. DATA_FREE: nothing is stored */
        if (system)
            put_null(ins);
        else
            put_int(ins, 0);
    put_null(ins); /* AUTO_INCREMENT */
    put_text(ins, created);
    put_null(ins); /* UPDATE_TIME */
    put_null(ins); /* CHECK_TIME */
    put_text(ins, system ? NULL : "utf8mb4_general_ci");
    put_null(ins); /* CHECKSUM */
    put_text(ins, "");
    put_text(ins, comment ? comment : "");
    return inserter_row(ins);
}

static bool add_mimir_tables(schema_rows *r, const mimir_table *tables, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const mimir_table *t = &tables[i];
        if (!add_table_row(&r->tables, MIMIR_DATABASE, t->name, false, r->created, t->comment))
            return false;
        for (size_t j = 0; j < t->ncols; j++)
            if (!add_column_row(&r->columns, MIMIR_DATABASE, t->name, t->cols[j].name,
                                (unsigned)j + 1, &t->cols[j].type, t->cols[j].comment, true))
                return false;
    }
    return true;
}

static bool add_system_tables(schema_rows *r)
{
    for (size_t i = 0; i < is_ntables; i++) {
        const is_table *t = &is_tables[i];
        if (!add_table_row(&r->tables, INFO_SCHEMA_DATABASE, t->name, true, r->created, ""))
            return false;
        for (size_t j = 0; j < t->ncols; j++) {
            column_type ct;
            parse_known_type(t->cols[j].type, &ct);
            if (!add_column_row(&r->columns, INFO_SCHEMA_DATABASE, t->name, t->cols[j].name,
                                (unsigned)j + 1, &ct, "", false))
                return false;
        }
    }
    return true;
}

static bool describe_databases(info_schema *is)
{
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof(created), "%Y-%m-%d %H:%M:%S", &tm);
    schema_rows r = {.created = created};
    bool ok = inserter_open(is->db, "TABLES", (int)is_table_find("TABLES")->ncols, &r.tables) &&
              inserter_open(is->db, "COLUMNS", (int)is_table_find("COLUMNS")->ncols, &r.columns);
    ok = ok && add_mimir_tables(&r, is->tables, is->ntables) && add_system_tables(&r);
    inserter_close(&r.tables);
    inserter_close(&r.columns);
    return ok && add_schemata(is->db);
}

info_schema *info_schema_build(const catalog *cat, char *err, size_t errlen)
{
    return info_schema_build_typed(cat, NULL, err, errlen);
}

info_schema *info_schema_build_typed(const catalog *cat, const discovered_types *types, char *err,
                                     size_t errlen)
{
    info_schema *is = xcalloc(1, sizeof(*is));
    arena_init(&is->mem);
    is->ntables = mimir_tables_typed(&is->mem, cat, types, &is->tables);
    if (sqlite3_open_v2(":memory:", &is->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "information_schema: cannot open an in-memory SQLite database");
        info_schema_free(is);
        return NULL;
    }
    is->vars = user_vars_new();
    if (!info_schema_functions_register(is->db, is->vars)) {
        snprintf(err, errlen, "information_schema: %s", sqlite3_errmsg(is->db));
        info_schema_free(is);
        return NULL;
    }
    bool ok = create_tables(is->db, err, errlen) && exec_sql(is->db, "BEGIN", err, errlen);
    if (ok && !(insert_fixed_rows(is->db) && insert_keywords(is->db) && describe_databases(is))) {
        snprintf(err, errlen, "information_schema: %s", sqlite3_errmsg(is->db));
        ok = false;
    }
    if (!ok || !exec_sql(is->db, "COMMIT", err, errlen)) {
        info_schema_free(is);
        return NULL;
    }
    return is;
}

void info_schema_free(info_schema *is)
{
    if (!is)
        return;
    sqlite3_close(is->db);
    user_vars_free(is->vars);
    arena_free(&is->mem);
    free(is);
}

size_t info_schema_mimir_tables(const info_schema *is, const mimir_table **out)
{
    *out = is->tables;
    return is->ntables;
}

const mimir_table *info_schema_mimir_table(const info_schema *is, const char *name)
{
    for (size_t i = 0; i < is->ntables; i++)
        if (strcasecmp(is->tables[i].name, name) == 0)
            return &is->tables[i];
    return NULL;
}

/* ---- Session rows ------------------------------------------------------------ */

/* SHOW WARNINGS and SHOW ERRORS: the diagnostics of the session's previous statement. */
static void refresh_diagnostics(info_schema *is, const session_info *s)
{
    static const char *const tables[] = {"mimir_warnings", "mimir_errors"};
    for (size_t t = 0; t < 2; t++) {
        inserter ins;
        if (!inserter_open(is->db, tables[t], 3, &ins))
            continue;
        for (size_t i = 0; i < s->ndiagnostics; i++) {
            const diagnostic *d = &s->diagnostics[i];
            if (t == 1 && strcmp(d->level, "Error") != 0)
                continue;
            put_text(&ins, d->level);
            put_int(&ins, d->code);
            put_text(&ins, d->message);
            inserter_row(&ins);
        }
        inserter_close(&ins);
    }
}

static void refresh_session_tables(info_schema *is, const session_info *s, const char *info)
{
    sqlite3_exec(is->db,
                 "DELETE FROM PROCESSLIST; DELETE FROM USER_PRIVILEGES; "
                 "DELETE FROM mimir_variables; DELETE FROM mimir_status; "
                 "DELETE FROM mimir_warnings; DELETE FROM mimir_errors;",
                 NULL, NULL, NULL);
    refresh_diagnostics(is, s);
    inserter ins;
    if (inserter_open(is->db, "PROCESSLIST", 8, &ins)) {
        /* Every live session when the proxy lists them; the asking one runs this statement. */
        session_process *procs = NULL;
        size_t n = 0;
        arena a;
        arena_init(&a);
        if (s->list_sessions)
            n = s->list_sessions(&a, &procs);
        for (size_t i = 0; i < n; i++) {
            bool self = procs[i].id == s->connection_id;
            put_int(&ins, procs[i].id);
            put_text(&ins, procs[i].user ? procs[i].user : "");
            put_text(&ins, procs[i].host ? procs[i].host : "localhost");
            put_text(&ins, procs[i].db);
            put_text(&ins, self ? "Query" : procs[i].command);
            put_int(&ins, self ? 0 : procs[i].time_s);
            put_text(&ins, self ? "executing" : procs[i].state);
            put_text(&ins, self ? info : procs[i].info);
            inserter_row(&ins);
        }
        if (!s->list_sessions) {
            put_int(&ins, s->connection_id);
            put_text(&ins, s->user ? s->user : "");
            put_text(&ins, s->client_host ? s->client_host : "localhost");
            put_text(&ins, s->db);
            put_text(&ins, "Query");
            put_int(&ins, 0);
            put_text(&ins, "executing");
            put_text(&ins, info);
            inserter_row(&ins);
        }
        arena_free(&a);
        inserter_close(&ins);
    }
    if (inserter_open(is->db, "USER_PRIVILEGES", 4, &ins)) {
        char grantee[300];
        snprintf(grantee, sizeof(grantee), "'%.128s'@'%%'", s->user ? s->user : "");
        put_text(&ins, grantee);
        put_text(&ins, "def");
        put_text(&ins, "SELECT");
        put_text(&ins, "NO");
        inserter_row(&ins);
        inserter_close(&ins);
    }
    if (inserter_open(is->db, "mimir_variables", 3, &ins)) {
        const char *name, *value;
        for (size_t i = 0; server_variable_at(s, i, &name, &value); i++) {
            put_text(&ins, name);
            put_text(&ins, value);
            put_int(&ins, (long long)i);
            inserter_row(&ins);
        }
        inserter_close(&ins);
    }
    /* mimir_status stays empty: server-wide counters (uptime, questions, threads) live in
     * proxy/, which the planner does not see. */
}

void info_schema_set_session(info_schema *is, const session_info *s, const char *info)
{
    sqlite3_exec(is->db, "BEGIN", NULL, NULL, NULL);
    refresh_session_tables(is, s, info);
    sqlite3_exec(is->db, "COMMIT", NULL, NULL, NULL);
}

/* ---- Running a query ---------------------------------------------------------- */

void info_schema_result_column(const column_type *t, const char *name, result_column *out)
{
    memset(out, 0, sizeof(*out));
    out->name = name;
    out->decimals = 0;
    switch (t->kind) {
    case CT_TINYINT:
        out->type = t->length == 1 ? VT_BOOL : VT_INT16;
        break;
    case CT_SMALLINT:
        out->type = VT_INT16;
        break;
    case CT_MEDIUMINT:
    case CT_INT:
    case CT_YEAR:
        out->type = t->is_unsigned ? VT_INT64 : VT_INT32;
        break;
    case CT_BIGINT:
        out->type = VT_INT64;
        break;
    case CT_DECIMAL:
        out->type = VT_DECIMAL;
        out->decimals = (int)t->scale;
        out->length = t->length;
        break;
    case CT_FLOAT:
        out->type = VT_FLOAT;
        out->decimals = -1;
        break;
    case CT_DOUBLE:
        out->type = VT_DOUBLE;
        out->decimals = -1;
        break;
    case CT_BINARY:
    case CT_VARBINARY:
    case CT_BLOB:
        out->type = VT_BLOB;
        break;
    case CT_DATE:
        out->type = VT_DATE;
        break;
    case CT_TIME:
        out->type = VT_TIME;
        out->decimals = (int)t->scale;
        break;
    case CT_DATETIME:
    case CT_TIMESTAMP:
        out->type = VT_DATETIME;
        out->decimals = (int)t->scale;
        break;
    case CT_CHAR:
    case CT_VARCHAR:
    case CT_TEXT:
    case CT_JSON:
        out->type = VT_TEXT;
        /* Lengths beyond VARCHAR's are reported as "unknown" (columns.c's maximum). */
        out->length = t->length > 0 && t->length <= 65535 ? t->length : 0;
        break;
    }
}

static int progress(void *arg)
{
    info_schema *is = arg;
    is->steps_left -= PROGRESS_EVERY;
    return is->steps_left < 0;
}

static bool bind_params(sqlite3_stmt *stmt, const query_param *params, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int idx = (int)i + 1, rc;
        const query_param *p = &params[i];
        if (p->kind == PARAM_INT) {
            errno = 0;
            char *end;
            long long v = strtoll(p->text, &end, 0);
            rc = errno || *end ? sqlite3_bind_text(stmt, idx, p->text, -1, SQLITE_STATIC)
                               : sqlite3_bind_int64(stmt, idx, v);
        } else if (p->kind == PARAM_NUMBER) {
            rc = sqlite3_bind_double(stmt, idx, strtod(p->text, NULL));
        } else {
            rc = sqlite3_bind_text(stmt, idx, p->text, -1, SQLITE_STATIC);
        }
        if (rc != SQLITE_OK)
            return false;
    }
    return true;
}

/* The type of a computed column (no declared type): what its values are. */
static value_type type_of_values(int storage)
{
    switch (storage) {
    case SQLITE_INTEGER:
        return VT_INT64;
    case SQLITE_FLOAT:
        return VT_DOUBLE;
    case SQLITE_NULL:
        return VT_NULL;
    default:
        return VT_TEXT;
    }
}

/* Columns with a declared type get it; computed ones are typed by their values later
 * (computed[i] set). */
static void describe_columns(sqlite3_stmt *stmt, arena *a, const_result *out, bool *computed)
{
    out->ncols = (size_t)sqlite3_column_count(stmt);
    out->cols = arena_alloc(a, (out->ncols + 1) * sizeof(result_column));
    for (size_t i = 0; i < out->ncols; i++) {
        const char *decl = sqlite3_column_decltype(stmt, (int)i);
        const char *name = arena_strdup(a, sqlite3_column_name(stmt, (int)i));
        column_type t;
        char why[96];
        computed[i] = !decl || !column_type_parse(decl, &t, why, sizeof(why));
        if (computed[i])
            out->cols[i] = (result_column){.name = name, .type = VT_NULL, .decimals = -1};
        else
            info_schema_result_column(&t, name, &out->cols[i]);
    }
}

/* Remembers the storage class of each computed column's values; a mix of
 * integers and reals is a real, anything with text is text. */
static void note_storage(sqlite3_stmt *stmt, int *storage, size_t ncols)
{
    for (size_t i = 0; i < ncols; i++) {
        int t = sqlite3_column_type(stmt, (int)i);
        if (t == SQLITE_NULL || storage[i] == SQLITE_TEXT)
            continue;
        if (storage[i] == SQLITE_NULL || (storage[i] == SQLITE_INTEGER && t == SQLITE_FLOAT))
            storage[i] = t;
        else if (t != storage[i] && !(storage[i] == SQLITE_FLOAT && t == SQLITE_INTEGER))
            storage[i] = SQLITE_TEXT;
    }
}

bool info_schema_run(info_schema *is, arena *a, const char *sql, const query_param *params,
                     size_t nparams, const_result *out, sql_error *err)
{
    sqlite3_stmt *stmt;
    memset(out, 0, sizeof(*out));
    if (sqlite3_prepare_v2(is->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        sql_error_set(err, ER_UNKNOWN_ERROR, "HY000", "information_schema: %s",
                      sqlite3_errmsg(is->db));
        return false;
    }
    if (!bind_params(stmt, params, nparams)) {
        sql_error_set(err, ER_UNKNOWN_ERROR, "HY000", "information_schema: %s",
                      sqlite3_errmsg(is->db));
        sqlite3_finalize(stmt);
        return false;
    }
    size_t ncols = (size_t)sqlite3_column_count(stmt);
    bool *computed = arena_alloc(a, (ncols + 1) * sizeof(bool));
    describe_columns(stmt, a, out, computed);
    int *storage = arena_alloc(a, (out->ncols + 1) * sizeof(int));
    for (size_t i = 0; i < out->ncols; i++)
        storage[i] = SQLITE_NULL;
    ptr_vec rows = {0};
    is->steps_left = QUERY_STEP_BUDGET;
    user_vars_clear(is->vars); /* user variables live for one statement */
    sqlite3_progress_handler(is->db, PROGRESS_EVERY, progress, is);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW && rows.len < QUERY_MAX_ROWS) {
        const char **row = arena_alloc(a, (out->ncols + 1) * sizeof(char *));
        for (size_t i = 0; i < out->ncols; i++) {
            const unsigned char *v = sqlite3_column_text(stmt, (int)i);
            if (v)
                row[i] =
                    arena_strndup(a, (const char *)v, (size_t)sqlite3_column_bytes(stmt, (int)i));
        }
        note_storage(stmt, storage, out->ncols);
        ptr_vec_push(a, &rows, row);
    }
    sqlite3_progress_handler(is->db, 0, NULL, NULL);
    user_vars_clear(is->vars);
    bool ok = rc == SQLITE_DONE;
    if (rc == SQLITE_INTERRUPT || rc == SQLITE_ROW) {
        sql_error_set(err, ER_UNKNOWN_ERROR, "HY000",
                      "This information_schema query is too expensive for Mimir: narrow it with "
                      "WHERE or join on a condition");
    } else if (!ok) {
        sql_error_set(err, ER_UNKNOWN_ERROR, "HY000", "information_schema: %s",
                      sqlite3_errmsg(is->db));
    }
    sqlite3_finalize(stmt);
    if (!ok)
        return false;
    for (size_t i = 0; i < out->ncols; i++)
        if (computed[i])
            out->cols[i].type = type_of_values(storage[i]);
    out->nrows = rows.len;
    out->values = arena_alloc(a, (rows.len * out->ncols + 1) * sizeof(char *));
    for (size_t r = 0; r < rows.len; r++)
        memcpy(out->values + r * out->ncols, rows.items[r], out->ncols * sizeof(char *));
    return true;
}
