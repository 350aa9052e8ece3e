/*
 * Unit tests of the catalog: MySQL column types, the `type:` key, SHOW and
 * DESCRIBE parsing, joins in FROM, and planning SHOW / information_schema /
 * COM_FIELD_LIST against the Pagila example and a typed fixture, down to the
 * rows the in-memory information_schema database returns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "planner/info_schema.h"
#include "planner/parser.h"
#include "planner/planner.h"
#include "planner/show.h"
#include "semantic/column_type.h"
#include "wire/buf.h"

#define FIXTURES "tests/unit/fixtures/semantic"
#define N(a)     (sizeof(a) / sizeof((a)[0]))

/* ---- Column types ------------------------------------------------------------ */

typedef struct type_case {
    const char *text;
    const char *canonical; /* NULL: rejected */
    column_type_kind kind;
    unsigned length, scale;
} type_case;

static const type_case type_cases[] = {
    {"BIGINT", "bigint", CT_BIGINT, 0, 0},
    {"bigint unsigned", "bigint unsigned", CT_BIGINT, 0, 0},
    {"INT(11)", "int", CT_INT, 11, 0},
    {"integer", "int", CT_INT, 0, 0},
    {"boolean", "tinyint(1)", CT_TINYINT, 1, 0},
    {"DECIMAL(12,2)", "decimal(12,2)", CT_DECIMAL, 12, 2},
    {"numeric( 9 , 3 )", "decimal(9,3)", CT_DECIMAL, 9, 3},
    {"decimal", "decimal(10,0)", CT_DECIMAL, 10, 0},
    {"DOUBLE", "double", CT_DOUBLE, 0, 0},
    {"double precision", "double", CT_DOUBLE, 0, 0},
    {"VARCHAR(64)", "varchar(64)", CT_VARCHAR, 64, 0},
    {"character varying(10)", "varchar(10)", CT_VARCHAR, 10, 0},
    {"char", "char(1)", CT_CHAR, 1, 0},
    {"text", "text", CT_TEXT, 65535, 0},
    {"DATE", "date", CT_DATE, 0, 0},
    {"DATETIME", "datetime", CT_DATETIME, 0, 0},
    {"datetime(6)", "datetime(6)", CT_DATETIME, 0, 6},
    {"timestamp", "timestamp", CT_TIMESTAMP, 0, 0},
    {"json", "json", CT_JSON, 0, 0},
    {"varchar", NULL, 0, 0, 0},
    {"decimal(70,2)", NULL, 0, 0, 0},
    {"decimal(5,6)", NULL, 0, 0, 0},
    {"money", NULL, 0, 0, 0},
    {"int(", NULL, 0, 0, 0},
    {"date(3)", NULL, 0, 0, 0},
    {"datetime(7)", NULL, 0, 0, 0},
    {"bigint extra", NULL, 0, 0, 0},
    {"varchar(64) unsigned", NULL, 0, 0, 0},
    {"", NULL, 0, 0, 0},
};

static void test_column_types(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(type_cases); i++) {
        const type_case *c = &type_cases[i];
        column_type t;
        char why[128];
        bool ok = column_type_parse(c->text, &t, why, sizeof(why));
        if (ok != (c->canonical != NULL))
            fail_msg("case %zu (%s): parsed %d (%s)", i, c->text, ok, ok ? t.text : why);
        if (!ok)
            continue;
        assert_string_equal(t.text, c->canonical);
        assert_int_equal(t.kind, c->kind);
        assert_int_equal(t.length, c->length);
        assert_int_equal(t.scale, c->scale);
    }
}

static void test_type_key_rejected(void **state)
{
    (void)state;
    char err[1024];
    catalog *c = catalog_load(FIXTURES "/bad_type", NULL, err, sizeof(err));
    assert_null(c);
    assert_non_null(strstr(err, "bad_type/metrics/sales.yaml:4"));
    assert_non_null(strstr(err, "type 'money' is not a MySQL column type"));
}

/* ---- Parsing SHOW, DESCRIBE and joins --------------------------------------------- */

typedef struct show_case {
    const char *sql;
    show_kind kind;
    bool full, global;
    const char *db, *table, *like;
    bool where;
} show_case;

static const show_case show_cases[] = {
    {"SHOW DATABASES", SHOW_DATABASES, false, false, NULL, NULL, NULL, false},
    {"show schemas like 'm%'", SHOW_DATABASES, false, false, NULL, NULL, "m%", false},
    {"SHOW TABLES", SHOW_TABLES, false, false, NULL, NULL, NULL, false},
    {"SHOW FULL TABLES FROM `mimir` LIKE 'r%'", SHOW_TABLES, true, false, "mimir", NULL, "r%",
     false},
    {"SHOW TABLES IN mimir WHERE Table_type = 'BASE TABLE'", SHOW_TABLES, false, false, "mimir",
     NULL, NULL, true},
    {"SHOW COLUMNS FROM metrics", SHOW_COLUMNS, false, false, NULL, "metrics", NULL, false},
    {"SHOW FULL FIELDS FROM metrics FROM mimir LIKE 'dim%'", SHOW_COLUMNS, true, false, "mimir",
     "metrics", "dim%", false},
    {"show extended columns in mimir.rentals", SHOW_COLUMNS, false, false, "mimir", "rentals", NULL,
     false},
    {"SHOW INDEX FROM metrics", SHOW_INDEX, false, false, NULL, "metrics", NULL, false},
    {"SHOW KEYS IN rentals FROM mimir WHERE Key_name = 'PRIMARY'", SHOW_INDEX, false, false,
     "mimir", "rentals", NULL, true},
    {"SHOW CREATE TABLE `mimir`.`metrics`", SHOW_CREATE_TABLE, false, false, "mimir", "metrics",
     NULL, false},
    {"SHOW CREATE DATABASE IF NOT EXISTS mimir", SHOW_CREATE_DATABASE, false, false, NULL, "mimir",
     NULL, false},
    {"SHOW TABLE STATUS FROM mimir LIKE 'metrics'", SHOW_TABLE_STATUS, false, false, "mimir", NULL,
     "metrics", false},
    {"SHOW GLOBAL VARIABLES LIKE 'version%'", SHOW_VARIABLES, false, true, NULL, NULL, "version%",
     false},
    {"SHOW SESSION VARIABLES WHERE Variable_name = 'autocommit'", SHOW_VARIABLES, false, false,
     NULL, NULL, NULL, true},
    {"SHOW STATUS LIKE 'Ssl_cipher'", SHOW_STATUS, false, false, NULL, NULL, "Ssl_cipher", false},
    {"SHOW WARNINGS LIMIT 10", SHOW_WARNINGS, false, false, NULL, NULL, NULL, false},
    {"SHOW ERRORS", SHOW_ERRORS, false, false, NULL, NULL, NULL, false},
    {"SHOW COUNT(*) WARNINGS", SHOW_COUNT_WARNINGS, false, false, NULL, NULL, NULL, false},
    {"SHOW COLLATION WHERE Charset = 'utf8mb4'", SHOW_COLLATION, false, false, NULL, NULL, NULL,
     true},
    {"SHOW CHARACTER SET", SHOW_CHARSET, false, false, NULL, NULL, NULL, false},
    {"SHOW CHARSET LIKE 'utf8%'", SHOW_CHARSET, false, false, NULL, NULL, "utf8%", false},
    {"SHOW STORAGE ENGINES", SHOW_ENGINES, false, false, NULL, NULL, NULL, false},
    {"SHOW PLUGINS", SHOW_PLUGINS, false, false, NULL, NULL, NULL, false},
    {"SHOW FULL PROCESSLIST", SHOW_PROCESSLIST, true, false, NULL, NULL, NULL, false},
    {"SHOW GRANTS FOR CURRENT_USER()", SHOW_GRANTS, false, false, NULL, NULL, NULL, false},
    {"SHOW PRIVILEGES", SHOW_PRIVILEGES, false, false, NULL, NULL, NULL, false},
    {"SHOW TRIGGERS LIKE 'metrics'", SHOW_TRIGGERS, false, false, NULL, NULL, "metrics", false},
    {"SHOW PROCEDURE STATUS WHERE Db = 'mimir'", SHOW_ROUTINE_STATUS, false, false, NULL, NULL,
     NULL, true},
    {"DESCRIBE metrics", SHOW_COLUMNS, false, false, NULL, "metrics", NULL, false},
    {"desc mimir.rentals 'dim%';", SHOW_COLUMNS, false, false, "mimir", "rentals", "dim%", false},
    {"DESC rentals ts", SHOW_COLUMNS, false, false, NULL, "rentals", "ts", false},
};

static void test_parse_show(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(show_cases); i++) {
        const show_case *c = &show_cases[i];
        arena a;
        arena_init(&a);
        statement st;
        parse_error pe;
        if (!parse_statement(&a, c->sql, strlen(c->sql), &st, &pe))
            fail_msg("case %zu (%s): %s near '%s'", i, c->sql, pe.detail ? pe.detail : "", pe.near);
        assert_int_equal(st.kind, STMT_SHOW);
        const show_stmt *sh = st.show;
        if (sh->kind != c->kind)
            fail_msg("case %zu (%s): kind %d, want %d", i, c->sql, sh->kind, c->kind);
        assert_int_equal(sh->full, c->full);
        assert_int_equal(sh->global, c->global);
        if (c->db)
            assert_string_equal(sh->db, c->db);
        else
            assert_null(sh->db);
        if (c->table)
            assert_string_equal(sh->table, c->table);
        if (c->like)
            assert_string_equal(sh->like, c->like);
        else
            assert_null(sh->like);
        assert_int_equal(sh->where != NULL, c->where);
        arena_free(&a);
    }
}

typedef struct bad_show {
    const char *sql;
    bool unsupported;
    const char *near;
} bad_show;

static const bad_show bad_shows[] = {
    {"SHOW MASTER STATUS", true, "MASTER STATUS"},
    {"SHOW ENGINE INNODB STATUS", true, "ENGINE INNODB STATUS"},
    {"SHOW CREATE VIEW v", true, "VIEW v"},
    {"SHOW COLUMNS metrics", false, "metrics"},
    {"SHOW TABLES LIKE metrics", false, "metrics"},
    {"SHOW DATABASES WHERE", false, ""},
    {"SHOW", false, ""},
    {"DESCRIBE", false, ""},
};

static void test_parse_show_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(bad_shows); i++) {
        arena a;
        arena_init(&a);
        statement st;
        parse_error pe;
        if (parse_statement(&a, bad_shows[i].sql, strlen(bad_shows[i].sql), &st, &pe))
            fail_msg("case %zu (%s) parsed", i, bad_shows[i].sql);
        assert_int_equal(pe.unsupported, bad_shows[i].unsupported);
        assert_string_equal(pe.near, bad_shows[i].near);
        arena_free(&a);
    }
}

static void test_parse_joins(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    const char *sql = "SELECT * FROM information_schema.TABLES t "
                      "JOIN information_schema.COLUMNS AS c ON c.TABLE_NAME = t.TABLE_NAME "
                      "LEFT OUTER JOIN information_schema.STATISTICS s ON s.TABLE_NAME = "
                      "t.TABLE_NAME, information_schema.SCHEMATA "
                      "CROSS JOIN information_schema.ENGINES e "
                      "RIGHT JOIN information_schema.VIEWS v ON 1";
    statement st;
    parse_error pe;
    assert_true(parse_statement(&a, sql, strlen(sql), &st, &pe));
    const select_stmt *s = st.select;
    assert_int_equal(s->nfrom, 6);
    static const join_kind kinds[] = {JOIN_FIRST, JOIN_INNER, JOIN_LEFT,
                                      JOIN_COMMA, JOIN_CROSS, JOIN_RIGHT};
    static const char *const aliases[] = {"t", "c", "s", NULL, "e", "v"};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(s->from[i].join, kinds[i]);
        if (aliases[i])
            assert_string_equal(s->from[i].alias, aliases[i]);
        assert_int_equal(s->from[i].on != NULL, i == 1 || i == 2 || i == 5);
    }
    assert_string_equal(s->from[3].name, "SCHEMATA");
    arena_free(&a);
}

/* ---- Planning against the Pagila example ------------------------------------------ */

static catalog *pagila;
static info_schema *pagila_is;
static catalog *typed;
static info_schema *typed_is;

static int load_catalogs(void **state)
{
    (void)state;
    char err[1024];
    pagila = catalog_load("configs/pagila", NULL, err, sizeof(err));
    if (!pagila)
        fail_msg("cannot load configs/pagila: %s", err);
    pagila_is = info_schema_build(pagila, err, sizeof(err));
    if (!pagila_is)
        fail_msg("cannot build information_schema: %s", err);
    typed = catalog_load(FIXTURES "/typed", NULL, err, sizeof(err));
    if (!typed)
        fail_msg("cannot load the typed fixture: %s", err);
    typed_is = info_schema_build(typed, err, sizeof(err));
    if (!typed_is)
        fail_msg("cannot build information_schema: %s", err);
    return 0;
}

static int free_catalogs(void **state)
{
    (void)state;
    info_schema_free(pagila_is);
    catalog_free(pagila);
    info_schema_free(typed_is);
    catalog_free(typed);
    return 0;
}

static session_info session(const char *db)
{
    return (session_info){.cat = pagila,
                          .info_schema = pagila_is,
                          .db = db,
                          .user = "ana",
                          .client_host = "127.0.0.1",
                          .connection_id = 42,
                          .autocommit = true};
}

static void plan_query(arena *a, const char *db, const char *sql, action *act)
{
    session_info s = session(db);
    planner_plan(a, &s, sql, strlen(sql), act);
}

static const char *cell(const action *act, size_t row, size_t col)
{
    assert_true(row < act->rows.nrows && col < act->rows.ncols);
    return act->rows.values[row * act->rows.ncols + col];
}

/* Rows joined as "a|b;c|d" (NULL as \N), to compare whole results in one string. */
static const char *rows_text(arena *a, const action *act)
{
    buf b;
    buf_init(&b);
    for (size_t r = 0; r < act->rows.nrows; r++) {
        for (size_t c = 0; c < act->rows.ncols; c++) {
            const char *v = act->rows.values[r * act->rows.ncols + c];
            buf_printf(&b, "%s%s", c ? "|" : (r ? ";" : ""), v ? v : "\\N");
        }
    }
    const char *text = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return text;
}

typedef struct rows_case {
    const char *db; /* the session's database */
    const char *sql;
    const char *columns; /* result column names joined with "," */
    const char *rows;    /* rows_text */
} rows_case;

static const rows_case rows_cases[] = {
    {"mimir", "SHOW DATABASES", "Database", "information_schema;mimir"},
    {NULL, "show databases like 'MI%'", "Database (MI%)", "mimir"},
    {"mimir", "SHOW TABLES", "Tables_in_mimir", "copies_out;metrics;payments;rentals"},
    {NULL, "SHOW FULL TABLES FROM mimir LIKE 'r%'", "Tables_in_mimir (r%),Table_type",
     "rentals|BASE TABLE"},
    {"mimir", "SHOW TABLES WHERE Tables_in_mimir <> 'metrics' AND Tables_in_mimir LIKE '%s'",
     "Tables_in_mimir", "payments;rentals"},
    {"mimir", "SHOW COLUMNS FROM payments LIKE '%id'", "Field,Type,Null,Key,Default,Extra",
     "payment_id|varchar(255)|YES||\\N|;customer_id|varchar(255)|YES||\\N|;staff_id|varchar(255)|"
     "YES||\\N|;dim_store_id|varchar(255)|YES||\\N|"},
    {"mimir", "DESCRIBE payments 'payments_%'", "Field,Type,Null,Key,Default,Extra",
     "payments_count|bigint|YES||\\N|;payments_revenue|decimal(65,2)|YES||\\N|"},
    {"mimir", "SHOW FULL COLUMNS FROM rentals WHERE Field = 'dim_rental_category'",
     "Field,Type,Collation,Null,Key,Default,Extra,Privileges,Comment",
     "dim_rental_category|varchar(255)|utf8mb4_general_ci|YES||\\N||select|The category of the "
     "rented film ('Uncategorized' when it has none)."},
    {"mimir", "DESC metrics ds", "Field,Type,Null,Key,Default,Extra", "ds|date|YES||\\N|"},
    {"mimir", "SHOW INDEX FROM metrics",
     "Table,Non_unique,Key_name,Seq_in_index,Column_name,Collation,Cardinality,Sub_part,Packed,"
     "Null,Index_type,Comment,Index_comment,Visible,Expression",
     ""},
    {"mimir", "SHOW TABLE STATUS LIKE 'pay%'",
     "Name,Engine,Version,Row_format,Rows,Avg_row_length,Data_length,Max_data_length,Index_"
     "length,Data_free,Auto_increment,Create_time,Update_time,Check_time,Collation,Checksum,"
     "Create_options,Comment",
     NULL},
    {"mimir", "SHOW VARIABLES LIKE 'autocommit'", "Variable_name,Value", "autocommit|ON"},
    {"mimir",
     "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('lower_case_table_names', 'READ_ONLY')",
     "Variable_name,Value", "lower_case_table_names|0;read_only|ON"},
    {"mimir", "SHOW VARIABLES LIKE 'sql\\_mode'", "Variable_name,Value",
     "sql_mode|ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION"},
    {"mimir", "SHOW WARNINGS", "Level,Code,Message", ""},
    {"mimir", "SHOW ERRORS LIMIT 1", "Level,Code,Message", ""},
    {"mimir", "SHOW COUNT(*) WARNINGS", "@@session.warning_count", "0"},
    {"mimir", "SHOW COLLATION LIKE 'utf8mb4_general%'",
     "Collation,Charset,Id,Default,Compiled,Sortlen,Pad_attribute",
     "utf8mb4_general_ci|utf8mb4|45|Yes|Yes|1|PAD SPACE"},
    {"mimir", "SHOW CHARACTER SET WHERE Charset = 'UTF8MB4'",
     "Charset,Description,Default collation,Maxlen", "utf8mb4|UTF-8 Unicode|utf8mb4_general_ci|4"},
    {"mimir", "SHOW ENGINES", "Engine,Support,Comment,Transactions,XA,Savepoints",
     "Mimir|DEFAULT|Metrics computed from the semantic layer (read-only)|NO|NO|NO"},
    {"mimir", "SHOW PLUGINS LIKE '%password'", "Name,Status,Type,Library,License",
     "mysql_native_password|ACTIVE|AUTHENTICATION|\\N|Apache-2.0;caching_sha2_password|ACTIVE|"
     "AUTHENTICATION|\\N|Apache-2.0"},
    {"mimir", "SHOW PROCESSLIST", "Id,User,Host,db,Command,Time,State,Info",
     "42|ana|127.0.0.1|mimir|Query|0|executing|SHOW PROCESSLIST"},
    {NULL, "SHOW GRANTS", "Grants for ana@%",
     "GRANT SELECT, SHOW DATABASES, SHOW VIEW ON *.* TO `ana`@`%`"},
    {NULL, "SHOW PRIVILEGES", "Privilege,Context,Comment", NULL},
    {"mimir", "SHOW TRIGGERS",
     "Trigger,Event,Table,Statement,Timing,Created,sql_mode,Definer,character_set_client,"
     "collation_connection,Database Collation",
     ""},
    {"mimir", "SHOW FUNCTION STATUS WHERE Db = 'mimir'",
     "Db,Name,Type,Definer,Modified,Created,Security_type,Comment,character_set_client,"
     "collation_connection,Database Collation",
     ""},
    {NULL, "SHOW CREATE DATABASE mimir", "Database,Create Database",
     "mimir|CREATE DATABASE `mimir` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE "
     "utf8mb4_general_ci */ /*!80016 DEFAULT ENCRYPTION='N' */"},
    /* information_schema, as drivers and BI tools read it */
    {NULL, "SELECT SCHEMA_NAME TABLE_CAT FROM INFORMATION_SCHEMA.SCHEMATA ORDER BY 1", "TABLE_CAT",
     "information_schema;mimir"},
    {"mimir",
     "select table_name, table_type, engine from information_schema.tables where "
     "table_schema = database() order by table_name desc limit 2",
     "TABLE_NAME,TABLE_TYPE,ENGINE", "rentals|BASE TABLE|Mimir;payments|BASE TABLE|Mimir"},
    {NULL,
     "SELECT TABLE_SCHEMA TABLE_CAT, NULL TABLE_SCHEM, TABLE_NAME, IF(TABLE_TYPE='BASE TABLE', "
     "'TABLE', TABLE_TYPE) as TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = "
     "'MIMIR' AND TABLE_NAME LIKE 'P%' ORDER BY TABLE_TYPE, TABLE_SCHEMA, TABLE_NAME",
     "TABLE_CAT,TABLE_SCHEM,TABLE_NAME,TABLE_TYPE", "mimir|\\N|payments|TABLE"},
    {"information_schema",
     "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, NUMERIC_PRECISION, NUMERIC_SCALE, "
     "CHARACTER_MAXIMUM_LENGTH, DATETIME_PRECISION, COLUMN_COMMENT FROM columns WHERE "
     "table_schema = 'mimir' AND table_name = 'payments' AND ordinal_position IN (1, 3, 4, 7, 8, "
     "15) "
     "ORDER BY ordinal_position",
     "COLUMN_NAME,DATA_TYPE,COLUMN_TYPE,NUMERIC_PRECISION,NUMERIC_SCALE,CHARACTER_MAXIMUM_"
     "LENGTH,DATETIME_PRECISION,COLUMN_COMMENT",
     "ts|datetime|datetime|\\N|\\N|\\N|0|Time of the row: the source's time column;"
     "year_month|date|date|\\N|\\N|\\N|\\N|First day of the month of ts;"
     "year|int|int|10|0|\\N|\\N|Year of ts;"
     "ts_hour|datetime|datetime|\\N|\\N|\\N|0|ts truncated to the hour (UTC);"
     "week|date|date|\\N|\\N|\\N|\\N|Monday of the ISO week of ts;"
     "payments_count|bigint|bigint|19|0|\\N|\\N|Number of payments."},
    {NULL,
     "SELECT t.TABLE_NAME, COUNT(*) AS n, MAX(c.ORDINAL_POSITION) last FROM "
     "information_schema.TABLES t JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = "
     "t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME WHERE t.TABLE_SCHEMA = 'mimir' GROUP BY "
     "t.TABLE_NAME HAVING n > 19 ORDER BY n DESC, 1",
     "TABLE_NAME,n,last", "metrics|36|36;rentals|22|22"},
    {NULL,
     "SELECT s.SCHEMA_NAME, COUNT(t.TABLE_NAME) FROM information_schema.SCHEMATA s LEFT JOIN "
     "information_schema.TABLES t ON t.TABLE_SCHEMA = s.SCHEMA_NAME AND t.TABLE_TYPE = 'VIEW' "
     "GROUP BY s.SCHEMA_NAME ORDER BY 1",
     "SCHEMA_NAME,COUNT(t.TABLE_NAME)", "information_schema|0;mimir|0"},
    {NULL,
     "SELECT DISTINCT TABLE_SCHEMA FROM information_schema.TABLES, information_schema.ENGINES "
     "WHERE ENGINES.ENGINE = TABLES.ENGINE",
     "TABLE_SCHEMA", "mimir"},
    {NULL,
     "SELECT CONCAT(UPPER(TABLE_NAME), '.', LOWER(COLUMN_NAME)) AS c, IFNULL(NUMERIC_SCALE, -1) "
     "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'mimir' AND TABLE_NAME = 'metrics' "
     "AND COLUMN_NAME LIKE 'DIM\\_%' ORDER BY c LIMIT 1 OFFSET 1",
     "c,IFNULL(NUMERIC_SCALE, -1)", "METRICS.dim_store_id|-1"},
    {NULL, "SELECT * FROM information_schema.ENGINES",
     "ENGINE,SUPPORT,COMMENT,TRANSACTIONS,XA,SAVEPOINTS",
     "Mimir|DEFAULT|Metrics computed from the semantic layer (read-only)|NO|NO|NO"},
    {NULL, "SELECT e.*, 1 AS one FROM information_schema.ENGINES AS e WHERE e.ENGINE = 'mimir'",
     "ENGINE,SUPPORT,COMMENT,TRANSACTIONS,XA,SAVEPOINTS,one",
     "Mimir|DEFAULT|Metrics computed from the semantic layer (read-only)|NO|NO|NO|1"},
    {NULL, "SELECT COUNT(*) FROM information_schema.ROUTINES", "COUNT(*)", "0"},
    {NULL,
     "SELECT COUNT(*) FROM information_schema.KEY_COLUMN_USAGE kcu JOIN "
     "information_schema.REFERENTIAL_CONSTRAINTS rc ON rc.CONSTRAINT_NAME = kcu.CONSTRAINT_NAME",
     "COUNT(*)", "0"},
    {"mimir",
     "SELECT ID, USER, DB, COMMAND FROM information_schema.PROCESSLIST WHERE ID = "
     "CONNECTION_ID()",
     "ID,USER,DB,COMMAND", "42|ana|mimir|Query"},
    {NULL, "SELECT GRANTEE, PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES",
     "GRANTEE,PRIVILEGE_TYPE", "'ana'@'%'|SELECT"},
    {NULL,
     "SELECT WORD FROM information_schema.KEYWORDS WHERE RESERVED = 1 AND WORD IN ('select', "
     "'metrics') ",
     "WORD", "SELECT"},
    {NULL,
     "SELECT COLLATION_NAME FROM information_schema.COLLATIONS WHERE ID = @@collation_server "
     "OR COLLATION_NAME = @@collation_server",
     "COLLATION_NAME", "utf8mb4_general_ci"},
    {NULL, "SELECT TABLE_NAME FROM information_schema.VIEWS", "TABLE_NAME", ""},
    /* subqueries: mariadb-dump's tablespace query, correlated EXISTS, scalar */
    {"mimir",
     "SELECT LOGFILE_GROUP_NAME, FILE_NAME, TOTAL_EXTENTS, INITIAL_SIZE, ENGINE, EXTRA FROM "
     "INFORMATION_SCHEMA.FILES WHERE FILE_TYPE = 'UNDO LOG' AND FILE_NAME IS NOT NULL AND "
     "LOGFILE_GROUP_NAME IS NOT NULL AND LOGFILE_GROUP_NAME IN (SELECT DISTINCT "
     "LOGFILE_GROUP_NAME FROM INFORMATION_SCHEMA.FILES WHERE FILE_TYPE = 'DATAFILE' AND "
     "TABLESPACE_NAME IN (SELECT DISTINCT TABLESPACE_NAME FROM INFORMATION_SCHEMA.PARTITIONS "
     "WHERE TABLE_SCHEMA IN ('mimir'))) GROUP BY LOGFILE_GROUP_NAME, FILE_NAME, ENGINE, "
     "TOTAL_EXTENTS, INITIAL_SIZE ORDER BY LOGFILE_GROUP_NAME",
     "LOGFILE_GROUP_NAME,FILE_NAME,TOTAL_EXTENTS,INITIAL_SIZE,ENGINE,EXTRA", ""},
    {NULL,
     "SELECT t.TABLE_NAME FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = 'mimir' AND "
     "EXISTS (SELECT 1 FROM information_schema.COLUMNS c WHERE c.TABLE_NAME = t.TABLE_NAME AND "
     "c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.COLUMN_NAME = 'dim_rental_category') AND "
     "t.TABLE_NAME NOT IN (SELECT 'metrics' FROM information_schema.ENGINES)",
     "TABLE_NAME", "rentals"},
    {NULL,
     "SELECT TABLE_NAME, (SELECT COUNT(*) FROM information_schema.COLUMNS c WHERE "
     "c.TABLE_NAME = t.TABLE_NAME AND c.TABLE_SCHEMA = 'mimir') AS n FROM "
     "information_schema.TABLES t WHERE TABLE_SCHEMA = 'mimir' ORDER BY n",
     "TABLE_NAME,n", "copies_out|13;payments|17;rentals|22;metrics|36"},
};

static void test_show_and_information_schema_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(rows_cases); i++) {
        const rows_case *c = &rows_cases[i];
        arena a;
        arena_init(&a);
        action act;
        plan_query(&a, c->db, c->sql, &act);
        if (act.kind != ACTION_ROWS)
            fail_msg("case %zu (%s): kind %d: %s", i, c->sql, act.kind, act.error.message);
        buf names;
        buf_init(&names);
        for (size_t k = 0; k < act.rows.ncols; k++)
            buf_printf(&names, "%s%s", k ? "," : "", act.rows.cols[k].name);
        if (strcmp(buf_cstr(&names), c->columns) != 0)
            fail_msg("case %zu (%s): columns\n  %s\nwant\n  %s", i, c->sql, buf_cstr(&names),
                     c->columns);
        buf_free(&names);
        const char *rows = rows_text(&a, &act);
        if (c->rows && strcmp(rows, c->rows) != 0)
            fail_msg("case %zu (%s): rows\n  %s\nwant\n  %s", i, c->sql, rows, c->rows);
        arena_free(&a);
    }
}

/*
 * What information_schema SELECTs evaluate beyond plain SQL: user variables
 * assigned with := and read later in the same row (MariaDB Connector/ODBC's
 * SQLColumns query), BINARY (case-sensitive comparisons), LIKE BINARY and
 * CHAR(). Rows of information_schema's own tables, which the semantic layer
 * does not change.
 */
static const rows_case expression_cases[] = {
    /* a later item reads what an earlier one assigned, row by row */
    {NULL,
     "SELECT @n := ORDINAL_POSITION * 2 AS a, @n + 1 AS b FROM information_schema.COLUMNS WHERE "
     "TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = 'ENGINES' ORDER BY ORDINAL_POSITION "
     "LIMIT 3",
     "a,b", "2|3;4|5;6|7"},
    /* the value carries over to the next row: a running total */
    {NULL,
     "SELECT ORDINAL_POSITION, @total := IFNULL(@total, 0) + ORDINAL_POSITION AS total FROM "
     "information_schema.COLUMNS WHERE TABLE_NAME = 'ENGINES' ORDER BY ORDINAL_POSITION",
     "ORDINAL_POSITION,total", "1|1;2|3;3|6;4|10;5|15;6|21"},
    /* unassigned is NULL; names ignore case; the value keeps its type */
    {NULL, "SELECT @x, @x := 'a', @X, @Dt := 5, @DT + 1 FROM information_schema.ENGINES",
     "@x,@x := 'a',@X,@Dt := 5,@DT + 1", "\\N|a|a|5|6"},
    {NULL, "SELECT @s := CONCAT(ENGINE, '!') AS s, LENGTH(@s) FROM information_schema.ENGINES",
     "s,LENGTH(@s)", "Mimir!|6"},
    /* only the branch taken assigns */
    {NULL,
     "SELECT CASE WHEN ENGINE = 'nope' THEN @v := 1 ELSE 0 END AS c, @v, IF(1, @w := 2, @w := "
     "3) AS i, @w FROM information_schema.ENGINES",
     "c,@v,i,@w", "0|\\N|2|2"},
    /* := takes a whole expression: @b := (2 = 3) */
    {NULL, "SELECT @b := 2 = 3 AS b, @b FROM information_schema.ENGINES", "b,@b", "0|0"},
    /* Connector/ODBC's pattern: a code chosen in one item decides a later one */
    {NULL,
     "SELECT DATA_TYPE, CASE DATA_TYPE WHEN 'bigint' THEN @dt:=(-5) WHEN 'varchar' THEN "
     "@dt:=(-9) ELSE @dt:=0 END AS t, CAST(CASE WHEN DATA_TYPE = 'varchar' THEN "
     "@ColSize:=CHARACTER_MAXIMUM_LENGTH ELSE @ColSize:=NUMERIC_PRECISION END AS UNSIGNED) AS "
     "size, @tol:=CAST(CASE @dt WHEN (-5) THEN 20 ELSE @ColSize*4 END AS SIGNED) AS len, @tol "
     "FROM information_schema.COLUMNS WHERE TABLE_NAME = 'TABLES' AND COLUMN_NAME IN "
     "('TABLE_NAME', 'TABLE_ROWS') ORDER BY 1",
     "DATA_TYPE,t,size,len,@tol", "bigint|-5|20|20|20;varchar|-9|64|256|256"},
    /* in WHERE, and in SHOW ... WHERE */
    {NULL, "SELECT ENGINE, @e FROM information_schema.ENGINES WHERE (@e := SUPPORT) = 'DEFAULT'",
     "ENGINE,@e", "Mimir|DEFAULT"},
    {"mimir", "SHOW TABLES WHERE (@t := Tables_in_mimir) LIKE 'pay%' AND @t IS NOT NULL",
     "Tables_in_mimir", "payments"},
    /* BINARY and CAST(... AS BINARY) compare case-sensitively; plain comparisons do not */
    {NULL, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = BINARY 'mimir'",
     "SCHEMA_NAME", "mimir"},
    {NULL,
     "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = BINARY 'MIMIR' OR "
     "BINARY SCHEMA_NAME = 'Information_Schema' OR SCHEMA_NAME = CAST('Mimir' AS BINARY) OR "
     "CONVERT(SCHEMA_NAME, BINARY) = 'MIMIR'",
     "SCHEMA_NAME", ""},
    {NULL,
     "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ('x', BINARY "
     "'MIMIR') OR SCHEMA_NAME IN (BINARY 'information_schema', 'y')",
     "SCHEMA_NAME", "information_schema"},
    {NULL,
     "SELECT 'a' = BINARY 'A' AS a, ENGINE = 'MIMIR' AS b, BINARY 'a' < 'B' AS c, 'a' BETWEEN "
     "BINARY 'A' AND 'Z' AS d, CASE 'a' WHEN BINARY 'A' THEN 1 ELSE 0 END AS e FROM "
     "information_schema.ENGINES",
     "a,b,c,d,e", "0|1|0|0|0"},
    {NULL,
     "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_NAME IN ('metrics', "
     "'PARTITIONS') ORDER BY BINARY TABLE_NAME",
     "TABLE_NAME", "PARTITIONS;metrics"},
    {NULL,
     "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_NAME IN ('metrics', "
     "'PARTITIONS') ORDER BY TABLE_NAME",
     "TABLE_NAME", "metrics;PARTITIONS"},
    /* LIKE BINARY: % any bytes, _ one byte, escapes, NULL */
    {NULL,
     "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_NAME LIKE BINARY 'ENGIN_S' "
     "OR TABLE_NAME LIKE BINARY 'schemata'",
     "TABLE_NAME", "ENGINES"},
    {NULL,
     "SELECT 'a_b' LIKE BINARY 'a\\_b' AS a, 'aXb' LIKE BINARY 'a\\_b' AS b, 'A%' LIKE BINARY "
     "'a%' AS c, 'abcbc' LIKE BINARY 'a%bc' AS d, '' LIKE BINARY '%%' AS e, NULL LIKE BINARY "
     "'a' AS f, 'ab' NOT LIKE BINARY 'A_' AS g, 'a|b' LIKE BINARY 'a||b' ESCAPE '|' AS h, "
     "BINARY 'x%' LIKE 'x|%' ESCAPE '|' AS i, 'X' LIKE BINARY 'x' AS j FROM "
     "information_schema.ENGINES",
     "a,b,c,d,e,f,g,h,i,j", "1|0|0|1|1|\\N|1|1|1|0"},
    /* CHAR(): MySQL's bytes, NULLs skipped */
    {NULL,
     "SELECT CHAR(39) AS q, CHAR(77, 105, 109, NULL, 105, 114) AS m, CONCAT(CHAR(39), ENGINE, "
     "CHAR(39)) AS quoted, CHAR(50089) AS e, CHAR(0x4D) = 'M' AS hex, CHAR(65.6) AS r, "
     "CHAR('77') AS s, CHAR(77 USING utf8mb4) AS u, LENGTH(CHAR(256)) AS n, CHAR(NULL) AS z "
     "FROM information_schema.ENGINES",
     "q,m,quoted,e,hex,r,s,u,n,z", "'|Mimir|'Mimir'|\xc3\xa9|1|B|M|M|2|"},
};

static void test_information_schema_expressions(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(expression_cases); i++) {
        const rows_case *c = &expression_cases[i];
        arena a;
        arena_init(&a);
        action act;
        plan_query(&a, c->db, c->sql, &act);
        if (act.kind != ACTION_ROWS)
            fail_msg("case %zu (%s): kind %d: %s", i, c->sql, act.kind, act.error.message);
        buf names;
        buf_init(&names);
        for (size_t k = 0; k < act.rows.ncols; k++)
            buf_printf(&names, "%s%s", k ? "," : "", act.rows.cols[k].name);
        if (strcmp(buf_cstr(&names), c->columns) != 0)
            fail_msg("case %zu (%s): columns\n  %s\nwant\n  %s", i, c->sql, buf_cstr(&names),
                     c->columns);
        buf_free(&names);
        const char *rows = rows_text(&a, &act);
        if (strcmp(rows, c->rows) != 0)
            fail_msg("case %zu (%s): rows\n  %s\nwant\n  %s", i, c->sql, rows, c->rows);
        arena_free(&a);
    }
}

/* User variables live for one statement: the next one reads NULL again. */
static void test_user_variables_per_statement(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_query(&a, NULL, "SELECT @kept := 'x' FROM information_schema.ENGINES", &act);
    assert_int_equal(act.kind, ACTION_ROWS);
    assert_string_equal(cell(&act, 0, 0), "x");
    plan_query(&a, NULL, "SELECT @kept FROM information_schema.ENGINES", &act);
    assert_int_equal(act.kind, ACTION_ROWS);
    assert_null(cell(&act, 0, 0));
    arena_free(&a);
}

/* MariaDB Connector/ODBC 3.1.15's SQLColumns query for mimir.metrics, as it sends it. */
static const char *const odbc_sqlcolumns_query =
    "SELECT TABLE_SCHEMA AS TABLE_CAT, NULL AS TABLE_SCHEM, TABLE_NAME, COLUMN_NAME, CASE "
    "DATA_TYPE  WHEN 'bit' THEN @dt:= IF(NUMERIC_PRECISION=1,(-7), (-2))  WHEN 'tinyint' "
    "THEN @dt:=(-6)  WHEN 'smallint' THEN @dt:=5  WHEN 'year' THEN @dt:= 5  WHEN "
    "'mediumint' THEN @dt:=4  WHEN 'int' THEN @dt:=4  WHEN 'bigint' THEN @dt:=(-5)  WHEN "
    "'blob' THEN @dt:=(-4)  WHEN 'tinyblob' THEN @dt:=(-4)  WHEN 'mediumblob' THEN "
    "@dt:=(-4)  WHEN 'longblob' THEN @dt:=(-4)  WHEN 'decimal' THEN @dt:=3  WHEN 'float' "
    "THEN @dt:=IF(NUMERIC_SCALE IS NULL,7, 3)  WHEN 'double' THEN @dt:=IF(NUMERIC_SCALE IS "
    "NULL,8, 3)  WHEN 'binary' THEN @dt:=(-2)  WHEN 'varbinary' THEN @dt:=(-3)  WHEN "
    "'text' THEN @dt:=(-10)  WHEN 'tinytext' THEN @dt:=(-10)  WHEN 'mediumtext' THEN "
    "@dt:=(-10)  WHEN 'longtext' THEN @dt:=(-10)  WHEN 'char' THEN @dt:=(-8)  WHEN 'enum' "
    "THEN @dt:=(-8)  WHEN 'set' THEN @dt:=(-8)  WHEN 'varchar' THEN @dt:=(-9)  WHEN 'date' "
    "THEN @dt:=91  WHEN 'time' THEN @dt:=92  WHEN 'datetime' THEN @dt:=93  WHEN "
    "'timestamp' THEN @dt:=93  ELSE @dt:=(-4)END AS DATA_TYPE, UCASE(IF(COLUMN_TYPE LIKE "
    "'%(%)%',  CONCAT(SUBSTRING(COLUMN_TYPE,1, LOCATE('(',COLUMN_TYPE) - 1 ), "
    "SUBSTRING(COLUMN_TYPE,1+locate(')',COLUMN_TYPE))), COLUMN_TYPE )) AS TYPE_NAME, "
    "CAST(CASE  WHEN DATA_TYPE = 'bit' THEN @ColSize:=((NUMERIC_PRECISION + 7) / 8)   WHEN "
    "DATA_TYPE in ('tinyint', 'smallint', 'mediumint', 'int','bigint', 'decimal') THEN "
    "@ColSize:=NUMERIC_PRECISION   WHEN DATA_TYPE = 'float' THEN if(NUMERIC_SCALE IS NULL, "
    "@ColSize:=7, @ColSize:=NUMERIC_PRECISION)  WHEN DATA_TYPE = 'double' THEN "
    "if(NUMERIC_SCALE IS NULL, @ColSize:=15, @ColSize:=NUMERIC_PRECISION)  WHEN DATA_TYPE "
    "= 'date' THEN @ColSize:=10  WHEN DATA_TYPE = 'time' THEN @ColSize:=8  WHEN DATA_TYPE "
    "= 'year' THEN @ColSize:=4  WHEN DATA_TYPE in ('timestamp', 'datetime') THEN "
    "@ColSize:=19   ELSE @ColSize:=CHARACTER_MAXIMUM_LENGTH END AS UNSIGNED) AS "
    "COLUMN_SIZE,@tol:=CAST(CASE @dt  WHEN (-7) THEN 1   WHEN (-6) THEN 1   WHEN 5 THEN 2  "
    " WHEN 4 THEN IF(DATA_TYPE='mediumint',3,4)   WHEN (-5) THEN 20   WHEN 7 THEN 4   WHEN "
    "6 THEN 8   WHEN 8 THEN 8   WHEN 9 THEN 6   WHEN 91 THEN 6   WHEN 10 THEN 6   WHEN 92 "
    "THEN 6   WHEN 11 THEN 16   WHEN 93 THEN 16   WHEN (-11) THEN 16   WHEN 3 THEN "
    "@ColSize + IF(COLUMN_TYPE LIKE '%unsigned',1,2)   WHEN (-2) THEN IF(DATA_TYPE='bit', "
    "CAST(((NUMERIC_PRECISION + 7) / 8) AS SIGNED), CHARACTER_OCTET_LENGTH)   WHEN (-3) "
    "THEN CHARACTER_OCTET_LENGTH   WHEN (-4) THEN CHARACTER_OCTET_LENGTH   ELSE "
    "CHARACTER_MAXIMUM_LENGTH*4 END AS SIGNED) AS BUFFER_LENGTH, NUMERIC_SCALE "
    "DECIMAL_DIGITS, IF(CHARACTER_OCTET_LENGTH IS NOT NULL, NULL, 10) AS "
    "NUM_PREC_RADIX,IF(DATA_TYPE='timestamp', 1, "
    "IF(IS_NULLABLE='YES',1,IF(EXTRA='auto_increment', 1, 0))) AS NULLABLE, COLUMN_COMMENT "
    "AS REMARKS,IF(COLLATION_NAME IS NOT NULL AND COLUMN_DEFAULT IS NOT NULL, "
    "CONCAT(CHAR(39), COLUMN_DEFAULT, CHAR(39)), COLUMN_DEFAULT) AS COLUMN_DEF,CAST(CASE  "
    "WHEN DATA_TYPE = 'date' THEN 9  WHEN DATA_TYPE = 'time' THEN 9  WHEN DATA_TYPE = "
    "'datetime' THEN 9  WHEN DATA_TYPE = 'timestamp' THEN 9 ELSE @dt END AS SIGNED) "
    "SQL_DATA_TYPE,CAST(CASE  WHEN DATA_TYPE = 'date' THEN 1  WHEN DATA_TYPE = 'time' THEN "
    "2  WHEN DATA_TYPE = 'datetime' THEN 3  WHEN DATA_TYPE = 'timestamp' THEN 3 ELSE NULL "
    "END AS SIGNED) SQL_DATETIME_SUB,IF(CHARACTER_OCTET_LENGTH IS NOT NULL, @tol, "
    "IF(DATA_TYPE='bit' AND NUMERIC_PRECISION =1, NULL, CAST((NUMERIC_PRECISION + 7)/8 AS "
    "SIGNED))) AS CHAR_OCTET_LENGTH, ORDINAL_POSITION,IF(DATA_TYPE='timestamp', 'YES', "
    "IF(IS_NULLABLE='YES','YES',IF(EXTRA='auto_increment', 'YES', 'NO'))) AS IS_NULLABLE "
    "FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = BINARY 'mimir' AND TABLE_NAME "
    "LIKE 'metrics'  ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION";

/* Its rows for a few columns: COLUMN_NAME, DATA_TYPE, TYPE_NAME, COLUMN_SIZE,
 * BUFFER_LENGTH, DECIMAL_DIGITS, NUM_PREC_RADIX, NULLABLE, COLUMN_DEF, SQL_DATA_TYPE,
 * SQL_DATETIME_SUB, CHAR_OCTET_LENGTH, ORDINAL_POSITION, IS_NULLABLE. */
static const char *const odbc_sqlcolumns_rows[] = {
    "ts|93|DATETIME|19|16|\\N|10|1|\\N|9|3|\\N|1|YES",
    "ds|91|DATE|10|6|\\N|10|1|\\N|9|1|\\N|2|YES",
    "year|4|INT|10|4|0|10|1|\\N|4|\\N|2|4|YES",
    "ts_hour|93|DATETIME|19|16|\\N|10|1|\\N|9|3|\\N|7|YES",
    "week|91|DATE|10|6|\\N|10|1|\\N|9|1|\\N|8|YES",
    "dim_rental_category|-9|VARCHAR|255|1020|\\N|\\N|1|\\N|-9|\\N|1020|10|YES",
    "movies_rented|-5|BIGINT|19|20|0|10|1|\\N|-5|\\N|3|29|YES",
    "rentals_revenue|3|DECIMAL|65|67|2|10|1|\\N|3|\\N|9|30|YES",
    /* CHAR_OCTET_LENGTH: CAST((22 + 7) / 8 AS SIGNED), and MySQL's CAST rounds 3.625. */
    "revenue_per_rental|8|DOUBLE|15|8|\\N|10|1|\\N|8|\\N|4|24|YES",
};

static void test_connector_odbc_sqlcolumns_query(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_query(&a, "mimir", odbc_sqlcolumns_query, &act);
    if (act.kind != ACTION_ROWS)
        fail_msg("kind %d: %s", act.kind, act.error.message);
    static const char *const names[] = {"TABLE_CAT",         "TABLE_SCHEM",      "TABLE_NAME",
                                        "COLUMN_NAME",       "DATA_TYPE",        "TYPE_NAME",
                                        "COLUMN_SIZE",       "BUFFER_LENGTH",    "DECIMAL_DIGITS",
                                        "NUM_PREC_RADIX",    "NULLABLE",         "REMARKS",
                                        "COLUMN_DEF",        "SQL_DATA_TYPE",    "SQL_DATETIME_SUB",
                                        "CHAR_OCTET_LENGTH", "ORDINAL_POSITION", "IS_NULLABLE"};
    assert_int_equal(act.rows.ncols, N(names));
    for (size_t c = 0; c < N(names); c++)
        assert_string_equal(act.rows.cols[c].name, names[c]);
    assert_int_equal(act.rows.nrows, 36); /* every column of metrics */
    size_t found = 0;
    for (size_t r = 0; r < act.rows.nrows; r++) {
        buf row;
        buf_init(&row);
        for (size_t c = 3; c < N(names); c++) {
            if (c == 11)
                continue; /* REMARKS: the descriptions, checked elsewhere */
            const char *v = cell(&act, r, c);
            buf_printf(&row, "%s%s", c > 3 ? "|" : "", v ? v : "\\N");
        }
        for (size_t k = 0; k < N(odbc_sqlcolumns_rows); k++) {
            size_t n = strcspn(odbc_sqlcolumns_rows[k], "|");
            if (strncmp(buf_cstr(&row), odbc_sqlcolumns_rows[k], n + 1) == 0) {
                assert_string_equal(buf_cstr(&row), odbc_sqlcolumns_rows[k]);
                found++;
            }
        }
        buf_free(&row);
    }
    assert_int_equal(found, N(odbc_sqlcolumns_rows));
    arena_free(&a);
}

typedef struct error_case {
    const char *db;
    const char *sql;
    uint16_t code;
    const char *sqlstate;
    const char *text;
} error_case;

static const error_case error_cases[] = {
    {NULL, "SELECT * FROM information_schema.nope", ER_UNKNOWN_TABLE, "42S02",
     "Unknown table 'nope' in information_schema"},
    {"information_schema", "SELECT * FROM nope", ER_UNKNOWN_TABLE, "42S02", "'nope'"},
    {NULL, "SELECT * FROM mysql.user", ER_BAD_DB, "42000", "Unknown database 'mysql'"},
    {NULL, "SELECT * FROM performance_schema.session_variables JOIN mysql.db", ER_BAD_DB, "42000",
     "Unknown database 'performance_schema'"},
    {"sys", "SELECT * FROM x", ER_BAD_DB, "42000", "Unknown database 'sys'"},
    {NULL, "SELECT nope FROM information_schema.TABLES", ER_BAD_FIELD, "42S22",
     "Unknown column 'nope' in 'field list'"},
    {NULL, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE x.TABLE_NAME = 1", ER_BAD_FIELD,
     "42S22", "Unknown column 'x.TABLE_NAME' in 'where clause'"},
    {NULL,
     "SELECT TABLE_NAME FROM information_schema.TABLES t JOIN information_schema.COLUMNS c ON "
     "c.TABLE_NAME = t.TABLE_NAME",
     ER_NON_UNIQ_ERROR, "23000", "Column 'TABLE_NAME' in field list is ambiguous"},
    {NULL, "SELECT 1 FROM information_schema.TABLES t JOIN information_schema.COLUMNS t", 1066,
     "42000", "Not unique table/alias: 't'"},
    {NULL, "SELECT 1 FROM information_schema.TABLES JOIN mimir.metrics", ER_NOT_SUPPORTED_YET,
     "42000", "joins of information_schema with mimir tables"},
    {NULL, "SELECT 1 FROM information_schema.TABLES, COLUMNS", ER_NO_DB, "3D000",
     "No database selected"},
    {NULL, "SELECT TABLE_NAME FROM information_schema.TABLES ORDER BY 3", ER_BAD_FIELD, "42S22",
     "Unknown column '3' in 'order clause'"},
    {NULL, "SELECT NOSUCHFN(TABLE_NAME) FROM information_schema.TABLES", ER_SP_DOES_NOT_EXIST,
     "42000", "NOSUCHFN"},
    {NULL, "SELECT @@nope FROM information_schema.TABLES", ER_UNKNOWN_SYSTEM_VAR, "HY000",
     "'nope'"},
    {NULL,
     "SELECT COUNT(*) FROM information_schema.COLUMNS a, information_schema.COLUMNS b, "
     "information_schema.COLUMNS c, information_schema.COLUMNS d",
     ER_UNKNOWN_ERROR, "HY000", "too expensive"},
    {NULL, "SHOW TABLES", ER_NO_DB, "3D000", "No database selected"},
    {NULL, "SHOW TABLES FROM mysql", ER_BAD_DB, "42000", "Unknown database 'mysql'"},
    {"mimir", "SHOW COLUMNS FROM nope", ER_NO_SUCH_TABLE, "42S02",
     "Table 'mimir.nope' doesn't exist"},
    {"mimir", "DESCRIBE information_schema.nope", ER_NO_SUCH_TABLE, "42S02",
     "Table 'information_schema.nope' doesn't exist"},
    {"mimir", "SHOW CREATE TABLE nope", ER_NO_SUCH_TABLE, "42S02", "'mimir.nope'"},
    {"mimir", "SHOW INDEX FROM nope FROM mimir", ER_NO_SUCH_TABLE, "42S02", "'mimir.nope'"},
    {NULL, "SHOW CREATE DATABASE mysql", ER_BAD_DB, "42000", "Unknown database 'mysql'"},
    {"mimir", "SHOW VARIABLES WHERE nope = 1", ER_BAD_FIELD, "42S22",
     "Unknown column 'nope' in 'where clause'"},
    {"mimir", "SHOW MASTER STATUS", ER_NOT_SUPPORTED_YET, "42000", "SHOW MASTER"},
    {"mimir", "INSERT INTO metrics VALUES (1)", ER_OPTION_PREVENTS_STATEMENT, "HY000",
     "The MySQL server is running with the --read-only option so it cannot execute this "
     "statement"},
    {"mimir", "update metrics set x = 1", ER_OPTION_PREVENTS_STATEMENT, "HY000", "read-only"},
    {"mimir", "DELETE FROM metrics", ER_OPTION_PREVENTS_STATEMENT, "HY000", "read-only"},
    {"mimir", "REPLACE INTO metrics VALUES (1)", ER_OPTION_PREVENTS_STATEMENT, "HY000",
     "read-only"},
    {"mimir", "CREATE TABLE t (a int)", ER_OPTION_PREVENTS_STATEMENT, "HY000", "read-only"},
    {"mimir", "drop database mimir", ER_OPTION_PREVENTS_STATEMENT, "HY000", "read-only"},
    {"mimir", "ALTER TABLE metrics ADD c int", ER_OPTION_PREVENTS_STATEMENT, "HY000", "read-only"},
    {"mimir", "TRUNCATE TABLE metrics", ER_OPTION_PREVENTS_STATEMENT, "HY000", "read-only"},
    {"mimir", "RENAME TABLE metrics TO m", ER_OPTION_PREVENTS_STATEMENT, "HY000", "read-only"},
    {"mimir", "GRANT ALL ON *.* TO x", ER_OPTION_PREVENTS_STATEMENT, "HY000", "read-only"},
    {"mimir", "REVOKE ALL ON *.* FROM x", ER_OPTION_PREVENTS_STATEMENT, "HY000", "read-only"},
    {"mimir", "LOAD DATA INFILE 'x' INTO TABLE metrics", ER_OPTION_PREVENTS_STATEMENT, "HY000",
     "read-only"},
    {"mimir", "CALL p()", ER_NOT_SUPPORTED_YET, "42000", "CALL"},
    {"mimir",
     "SELECT AGG(movies_rented) FROM metrics WHERE dim_store_id IN (SELECT 1 FROM "
     "information_schema.TABLES)",
     ER_NOT_SUPPORTED_YET, "42000", "subqueries outside information_schema"},
    {NULL, "SELECT (SELECT 1) FROM information_schema.TABLES", ER_NOT_SUPPORTED_YET, "42000",
     "subqueries without FROM"},
    {NULL,
     "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_NAME IN (SELECT nope FROM "
     "information_schema.COLUMNS)",
     ER_BAD_FIELD, "42S22", "Unknown column 'nope'"},
    /* user variables, BINARY, LIKE BINARY and CHAR() outside information_schema */
    {NULL, "SELECT @a := 1", ER_NOT_SUPPORTED_YET, "42000",
     "assignments to user variables (@name := ...) outside information_schema queries"},
    {"mimir", "SELECT @a := AGG(movies_rented) FROM metrics", ER_NOT_SUPPORTED_YET, "42000",
     "assignments to user variables (@name := ...) outside information_schema queries"},
    {"mimir", "SELECT AGG(movies_rented) FROM metrics WHERE dim_store_id = (@s := '1')",
     ER_NOT_SUPPORTED_YET, "42000", "assignments to user variables"},
    {"mimir", "SELECT AGG(movies_rented) FROM metrics WHERE dim_rental_category = BINARY 'Action'",
     ER_NOT_SUPPORTED_YET, "42000", "CAST to 'BINARY' (BINARY x) on PostgreSQL sources"},
    {"mimir", "SELECT AGG(movies_rented) FROM metrics WHERE dim_rental_category = CHAR(65)",
     ER_NOT_SUPPORTED_YET, "42000", "CHAR()"},
    {NULL, "SELECT CHAR(65 USING latin1) FROM information_schema.ENGINES", ER_NOT_SUPPORTED_YET,
     "42000", "USING a character set other than utf8mb4"},
    {NULL, "SELECT 'a' LIKE BINARY 'a' ESCAPE 'xy' FROM information_schema.ENGINES",
     ER_WRONG_ARGUMENTS, "HY000", "Incorrect arguments to ESCAPE"},
    {NULL, "SELECT 'a' LIKE BINARY 'a' ESCAPE ENGINE FROM information_schema.ENGINES",
     ER_UNKNOWN_ERROR, "HY000", "Incorrect arguments to ESCAPE"},
    {NULL, "SELECT @a := nope FROM information_schema.ENGINES", ER_BAD_FIELD, "42S22",
     "Unknown column 'nope' in 'field list'"},
};

static void test_catalog_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(error_cases); i++) {
        const error_case *c = &error_cases[i];
        arena a;
        arena_init(&a);
        action act;
        plan_query(&a, c->db, c->sql, &act);
        if (act.kind != ACTION_ERROR)
            fail_msg("case %zu (%s): no error", i, c->sql);
        if (act.error.code != c->code || strcmp(act.error.sqlstate, c->sqlstate) != 0 ||
            !strstr(act.error.message, c->text))
            fail_msg("case %zu (%s): %u %s %s", i, c->sql, act.error.code, act.error.sqlstate,
                     act.error.message);
        arena_free(&a);
    }
}

static void test_lock_tables_is_accepted(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_query(&a, "mimir", "LOCK TABLES `metrics` READ /*!32311 LOCAL */, `rentals` READ", &act);
    assert_int_equal(act.kind, ACTION_OK);
    plan_query(&a, "mimir", "UNLOCK TABLES", &act);
    assert_int_equal(act.kind, ACTION_OK);
    arena_free(&a);
}

/* Column metadata: what information_schema's own types and computed columns report. */
static void test_result_types(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_query(&a, NULL,
               "SELECT TABLE_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, 1 + 1, 'x', NULL, 2.5 "
               "FROM information_schema.COLUMNS LIMIT 1",
               &act);
    assert_int_equal(act.kind, ACTION_ROWS);
    const result_column *c = act.rows.cols;
    assert_int_equal(c[0].type, VT_TEXT);
    assert_int_equal(c[0].length, 64);
    assert_int_equal(c[1].type, VT_INT64); /* int unsigned */
    assert_int_equal(c[2].type, VT_TEXT);
    assert_int_equal(c[3].type, VT_INT64);
    assert_int_equal(c[4].type, VT_TEXT);
    assert_int_equal(c[5].type, VT_NULL);
    assert_int_equal(c[6].type, VT_DOUBLE);
    arena_free(&a);
}

/* Comparisons on information_schema ignore case, as MySQL's do. */
static void test_case_insensitive(void **state)
{
    (void)state;
    static const char *const queries[] = {
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'MiMiR' AND "
        "TABLE_NAME = 'RENTALS'",
        "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.tables WHERE table_schema IN ('MIMIR') AND "
        "'Rentals' = table_name",
        "select table_name from Information_Schema.Tables where table_schema like 'mim%' and "
        "table_name between 'RENTALS' and 'RENTALS'",
    };
    for (size_t i = 0; i < N(queries); i++) {
        arena a;
        arena_init(&a);
        action act;
        plan_query(&a, NULL, queries[i], &act);
        if (act.kind != ACTION_ROWS || act.rows.nrows != 1)
            fail_msg("case %zu: kind %d, %zu rows: %s", i, act.kind, act.rows.nrows,
                     act.error.message);
        assert_string_equal(cell(&act, 0, 0), "rentals");
        arena_free(&a);
    }
}

/* ---- Declared types, comments and escaping (the typed fixture) ----------------------- */

static void plan_typed(arena *a, const char *sql, action *act)
{
    session_info s = {.cat = typed, .info_schema = typed_is, .db = "mimir", .user = "u"};
    planner_plan(a, &s, sql, strlen(sql), act);
}

static void test_declared_types(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_typed(&a,
               "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE "
               "TABLE_SCHEMA = 'mimir' AND TABLE_NAME = 'sales' ORDER BY ORDINAL_POSITION",
               &act);
    assert_int_equal(act.kind, ACTION_ROWS);
    assert_string_equal(
        rows_text(&a, &act),
        "ts|datetime;ds|date;year_month|date;year|int;ts_second|datetime;"
        "ts_minute|datetime;ts_hour|datetime;week|date;quarter|date;id|varchar(255);"
        "region|varchar(255);amount|varchar(255);units|varchar(255);"
        "region_code|char(2);sale_day|date;revenue|decimal(12,2);lines|bigint;"
        "average_units|double;units_sold|bigint unsigned;top_amount|decimal(65,2)");
    arena_free(&a);
}

static void test_show_create_table(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    action act;
    plan_typed(&a, "SHOW CREATE TABLE sales", &act);
    assert_int_equal(act.kind, ACTION_ROWS);
    assert_string_equal(act.rows.cols[0].name, "Table");
    assert_string_equal(act.rows.cols[1].name, "Create Table");
    assert_string_equal(cell(&act, 0, 0), "sales");
    const char *ddl = cell(&act, 0, 1);
    assert_non_null(strstr(ddl, "CREATE TABLE `sales` (\n  `ts` datetime DEFAULT NULL COMMENT "));
    assert_non_null(strstr(ddl, "  `region_code` char(2) DEFAULT NULL COMMENT 'Two-letter region "
                                "code.',\n"));
    assert_non_null(strstr(ddl, "  `sale_day` date DEFAULT NULL,\n"));
    assert_non_null(strstr(ddl, "  `revenue` decimal(12,2) DEFAULT NULL COMMENT 'Amount sold.',"));
    assert_non_null(strstr(ddl, "  `top_amount` decimal(65,2) DEFAULT NULL\n) ENGINE=Mimir DEFAULT "
                                "CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Sales, one "
                                "row per line (the ''shop'' feed)\\nwith a back\\\\slash'"));
    arena_free(&a);
}

/* COM_FIELD_LIST's columns: names and the types drivers read from column definitions. */
static void test_field_list(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    session_info s = {.cat = typed, .info_schema = typed_is, .db = "mimir", .user = "u"};
    const_result cols;
    sql_error err;
    assert_true(planner_field_list(&a, &s, "SALES", NULL, &cols, &err));
    assert_int_equal(cols.ncols, 20);
    assert_int_equal(cols.nrows, 0);
    assert_string_equal(cols.cols[0].name, "ts");
    assert_int_equal(cols.cols[0].type, VT_DATETIME);
    assert_int_equal(cols.cols[1].type, VT_DATE);
    assert_int_equal(cols.cols[3].type, VT_INT32);
    for (size_t i = 4; i <= 6; i++) /* ts_second, ts_minute, ts_hour */
        assert_int_equal(cols.cols[i].type, VT_DATETIME);
    assert_string_equal(cols.cols[7].name, "week");
    assert_int_equal(cols.cols[7].type, VT_DATE);
    assert_string_equal(cols.cols[8].name, "quarter");
    assert_int_equal(cols.cols[8].type, VT_DATE);
    assert_int_equal(cols.cols[9].type, VT_TEXT);
    assert_int_equal(cols.cols[9].length, 255);
    assert_int_equal(cols.cols[15].type, VT_DECIMAL);
    assert_int_equal(cols.cols[15].decimals, 2);
    assert_int_equal(cols.cols[15].length, 12);
    assert_int_equal(cols.cols[16].type, VT_INT64);
    assert_int_equal(cols.cols[17].type, VT_DOUBLE);
    assert_int_equal(cols.cols[18].type, VT_INT64); /* units: bigint unsigned */
    assert_true(planner_field_list(&a, &s, "sales", "re%", &cols, &err));
    assert_int_equal(cols.ncols, 3); /* region, region_code, revenue */
    assert_false(planner_field_list(&a, &s, "nope", NULL, &cols, &err));
    assert_int_equal(err.code, ER_NO_SUCH_TABLE);
    s.db = NULL;
    assert_false(planner_field_list(&a, &s, "sales", NULL, &cols, &err));
    assert_int_equal(err.code, ER_NO_DB);
    s.db = "information_schema";
    assert_true(planner_field_list(&a, &s, "engines", NULL, &cols, &err));
    assert_int_equal(cols.ncols, 6);
    assert_string_equal(cols.cols[0].name, "ENGINE");
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest parsing[] = {
        cmocka_unit_test(test_column_types), cmocka_unit_test(test_type_key_rejected),
        cmocka_unit_test(test_parse_show),   cmocka_unit_test(test_parse_show_errors),
        cmocka_unit_test(test_parse_joins),
    };
    const struct CMUnitTest planning[] = {
        cmocka_unit_test(test_show_and_information_schema_rows),
        cmocka_unit_test(test_catalog_errors),
        cmocka_unit_test(test_lock_tables_is_accepted),
        cmocka_unit_test(test_result_types),
        cmocka_unit_test(test_case_insensitive),
        cmocka_unit_test(test_information_schema_expressions),
        cmocka_unit_test(test_user_variables_per_statement),
        cmocka_unit_test(test_connector_odbc_sqlcolumns_query),
        cmocka_unit_test(test_declared_types),
        cmocka_unit_test(test_show_create_table),
        cmocka_unit_test(test_field_list),
    };
    int failed = cmocka_run_group_tests_name("catalog parsing", parsing, NULL, NULL);
    failed +=
        cmocka_run_group_tests_name("catalog planning", planning, load_catalogs, free_catalogs);
    return failed ? 1 : 0;
}
