/*
 * SHOW statements and DESCRIBE. Most are queries over the information_schema
 * database, printed as
 *
 *   SELECT "c0", "c1", ... FROM (<rows of this SHOW>) AS "show"
 *   [WHERE "c<k>" LIKE ? [AND (<the client's WHERE>)]] ORDER BY ...
 *
 * with the result columns named as MySQL 8.0 names them (Tables_in_mimir,
 * Field/Type/Null/Key/Default/Extra, ...); LIKE applies to the column MySQL
 * applies it to and WHERE may name any result column. SHOW CREATE, GRANTS,
 * PRIVILEGES and COUNT(*) WARNINGS are written here directly.
 */
#include "planner/show.h"

#include <string.h>
#include <strings.h>

#include "planner/catalog_sql.h"
#include "planner/info_schema.h"
#include "planner/info_schema_tables.h"
#include "wire/buf.h"

#define MAX_SHOW_COLUMNS 20

/* The result of one SHOW: its column names, the one LIKE applies to, how rows sort. */
typedef struct show_shape {
    const char *names[MAX_SHOW_COLUMNS];
    size_t ncols;
    size_t like_col;
    const char *order; /* ORDER BY of the outer query: "\"c0\"", "\"o\"" (a hidden column) */
} show_shape;

static void set_error(action *out, uint16_t code, const char *state, const char *msg,
                      const char *a1, const char *a2)
{
    out->kind = ACTION_ERROR;
    sql_error_set(&out->error, code, state, msg, a1, a2);
}

/* ---- Which database, which table ------------------------------------------------ */

/* The database a SHOW reads: FROM db, else the session's; false (with MySQL's error) if none. */
static bool show_database(const session_info *s, const show_stmt *show, const char **db,
                          action *out)
{
    *db = show->db ? show->db : s->db;
    if (!*db) {
        set_error(out, ER_NO_DB, "3D000", "No database selected%s%s", "", "");
        return false;
    }
    if (!planner_database_exists(*db)) {
        set_error(out, ER_BAD_DB, "42000", "Unknown database '%s'%s", *db, "");
        return false;
    }
    return true;
}

static bool is_information_schema(const char *db)
{
    return strcasecmp(db, INFO_SCHEMA_DATABASE) == 0;
}

/* The canonical names of db.table; false with 1146 when there is no such table. */
static bool find_table(const session_info *s, const char *db, const char *table,
                       const char **canon_db, const char **canon_table, action *out)
{
    if (is_information_schema(db)) {
        const is_table *t = is_table_find(table);
        if (t) {
            *canon_db = INFO_SCHEMA_DATABASE;
            *canon_table = t->name;
            return true;
        }
    } else {
        const mimir_table *t = info_schema_mimir_table(s->info_schema, table);
        if (t) {
            *canon_db = MIMIR_DATABASE;
            *canon_table = t->name;
            return true;
        }
    }
    set_error(out, ER_NO_SUCH_TABLE, "42S02", "Table '%s.%s' doesn't exist", db, table);
    return false;
}

static bool show_table(const session_info *s, const show_stmt *show, const char **db,
                       const char **table, action *out)
{
    const char *given_db;
    return show_database(s, show, &given_db, out) &&
           find_table(s, given_db, show->table, db, table, out);
}

/* ---- The generic SHOW query --------------------------------------------------------- */

typedef struct where_ctx {
    arena *a;
    const show_shape *shape;
} where_ctx;

/* A name in SHOW ... WHERE is one of the result's columns. */
static const char *resolve_result_column(void *ctx, const expr *col, sql_error *err)
{
    const where_ctx *w = ctx;
    const char *name = col->parts[col->nparts - 1];
    if (col->nparts == 1)
        for (size_t i = 0; i < w->shape->ncols; i++)
            if (strcasecmp(w->shape->names[i], name) == 0)
                return arena_printf(w->a, "\"show\".\"c%zu\"", i);
    sql_error_set(err, ER_BAD_FIELD, "42S22", "Unknown column '%s' in 'where clause'", name);
    return NULL;
}

static void begin_show(sql_builder *b, const show_shape *shape)
{
    sb_str(b, "SELECT ");
    for (size_t i = 0; i < shape->ncols; i++)
        buf_printf(&b->out, "%s\"show\".\"c%zu\"", i ? ", " : "", i);
    sb_str(b, " FROM (SELECT ");
}

static void end_show(arena *a, const session_info *s, const show_stmt *show, sql_builder *b,
                     const show_shape *shape, action *out)
{
    sb_str(b, ") AS \"show\"");
    const char *glue = " WHERE ";
    if (show->like) {
        buf_printf(&b->out, "%s\"show\".\"c%zu\" LIKE ", glue, shape->like_col);
        sb_param(b, PARAM_TEXT, show->like);
        sb_str(b, " ESCAPE '\\'");
        glue = " AND ";
    }
    if (show->where) {
        where_ctx w = {a, shape};
        sb_str(b, glue);
        if (!sb_expr(b, show->where, resolve_result_column, &w, &out->error)) {
            sb_discard(b);
            out->kind = ACTION_ERROR;
            return;
        }
    }
    if (shape->order)
        buf_printf(&b->out, " ORDER BY %s", shape->order);
    catalog_run(a, s, b, shape->names, out);
}

static void shape_columns(show_shape *shape, const char *const *names)
{
    shape->ncols = 0;
    for (const char *const *n = names; *n; n++)
        shape->names[shape->ncols++] = *n;
}

/* ---- SHOW DATABASES, TABLES, TABLE STATUS ---------------------------------------------- */

static void show_databases(arena *a, const session_info *s, const show_stmt *show, action *out)
{
    show_shape shape = {.order = "\"show\".\"c0\""};
    shape.names[0] = show->like ? arena_printf(a, "Database (%s)", show->like) : "Database";
    shape.ncols = 1;
    sql_builder b;
    catalog_builder_init(&b, a, s);
    begin_show(&b, &shape);
    sb_str(&b, "SCHEMA_NAME AS \"c0\" FROM SCHEMATA");
    end_show(a, s, show, &b, &shape, out);
}

static void show_tables(arena *a, const session_info *s, const show_stmt *show, action *out)
{
    const char *db;
    if (!show_database(s, show, &db, out))
        return;
    show_shape shape = {.order = "\"show\".\"c0\""};
    shape.names[0] = show->like ? arena_printf(a, "Tables_in_%s (%s)", db, show->like)
                                : arena_printf(a, "Tables_in_%s", db);
    shape.names[1] = "Table_type";
    shape.ncols = show->full ? 2 : 1;
    sql_builder b;
    catalog_builder_init(&b, a, s);
    begin_show(&b, &shape);
    sb_str(&b, "TABLE_NAME AS \"c0\", TABLE_TYPE AS \"c1\" FROM TABLES WHERE TABLE_SCHEMA = ");
    sb_param(&b, PARAM_TEXT, db);
    end_show(a, s, show, &b, &shape, out);
}

static void show_table_status(arena *a, const session_info *s, const show_stmt *show, action *out)
{
    static const char *const names[] = {"Name",
                                        "Engine",
                                        "Version",
                                        "Row_format",
                                        "Rows",
                                        "Avg_row_length",
                                        "Data_length",
                                        "Max_data_length",
                                        "Index_length",
                                        "Data_free",
                                        "Auto_increment",
                                        "Create_time",
                                        "Update_time",
                                        "Check_time",
                                        "Collation",
                                        "Checksum",
                                        "Create_options",
                                        "Comment",
                                        NULL};
    static const char *const columns[] = {"TABLE_NAME",  "ENGINE",          "VERSION",
                                          "ROW_FORMAT",  "TABLE_ROWS",      "AVG_ROW_LENGTH",
                                          "DATA_LENGTH", "MAX_DATA_LENGTH", "INDEX_LENGTH",
                                          "DATA_FREE",   "AUTO_INCREMENT",  "CREATE_TIME",
                                          "UPDATE_TIME", "CHECK_TIME",      "TABLE_COLLATION",
                                          "CHECKSUM",    "CREATE_OPTIONS",  "TABLE_COMMENT",
                                          NULL};
    const char *db;
    if (!show_database(s, show, &db, out))
        return;
    show_shape shape = {.order = "\"show\".\"c0\""};
    shape_columns(&shape, names);
    sql_builder b;
    catalog_builder_init(&b, a, s);
    begin_show(&b, &shape);
    for (size_t i = 0; columns[i]; i++)
        buf_printf(&b.out, "%s%s AS \"c%zu\"", i ? ", " : "", columns[i], i);
    sb_str(&b, " FROM TABLES WHERE TABLE_SCHEMA = ");
    sb_param(&b, PARAM_TEXT, db);
    end_show(a, s, show, &b, &shape, out);
}

/* ---- SHOW COLUMNS, INDEX ----------------------------------------------------------- */

static void show_columns(arena *a, const session_info *s, const show_stmt *show, action *out)
{
    const char *db, *table;
    if (!show_table(s, show, &db, &table, out))
        return;
    static const char *const plain[] = {"Field", "Type", "Null", "Key", "Default", "Extra", NULL};
    static const char *const plain_cols[] = {
        "COLUMN_NAME", "COLUMN_TYPE", "IS_NULLABLE", "COLUMN_KEY", "COLUMN_DEFAULT", "EXTRA", NULL};
    static const char *const full[] = {"Field",   "Type",  "Collation",  "Null",    "Key",
                                       "Default", "Extra", "Privileges", "Comment", NULL};
    static const char *const full_cols[] = {
        "COLUMN_NAME",    "COLUMN_TYPE", "COLLATION_NAME", "IS_NULLABLE",    "COLUMN_KEY",
        "COLUMN_DEFAULT", "EXTRA",       "PRIVILEGES",     "COLUMN_COMMENT", NULL};
    const char *const *columns = show->full ? full_cols : plain_cols;
    show_shape shape = {.order = "\"show\".\"o\""};
    shape_columns(&shape, show->full ? full : plain);
    sql_builder b;
    catalog_builder_init(&b, a, s);
    begin_show(&b, &shape);
    for (size_t i = 0; columns[i]; i++)
        buf_printf(&b.out, "%s AS \"c%zu\", ", columns[i], i);
    sb_str(&b, "ORDINAL_POSITION AS \"o\" FROM COLUMNS WHERE TABLE_SCHEMA = ");
    sb_param(&b, PARAM_TEXT, db);
    sb_str(&b, " AND TABLE_NAME = ");
    sb_param(&b, PARAM_TEXT, table);
    end_show(a, s, show, &b, &shape, out);
}

static void show_index(arena *a, const session_info *s, const show_stmt *show, action *out)
{
    static const char *const names[] = {
        "Table",         "Non_unique", "Key_name",    "Seq_in_index",
        "Column_name",   "Collation",  "Cardinality", "Sub_part",
        "Packed",        "Null",       "Index_type",  "Comment",
        "Index_comment", "Visible",    "Expression",  NULL};
    static const char *const columns[] = {
        "TABLE_NAME",    "NON_UNIQUE", "INDEX_NAME",  "SEQ_IN_INDEX",
        "COLUMN_NAME",   "COLLATION",  "CARDINALITY", "SUB_PART",
        "PACKED",        "NULLABLE",   "INDEX_TYPE",  "COMMENT",
        "INDEX_COMMENT", "IS_VISIBLE", "EXPRESSION",  NULL};
    const char *db, *table;
    if (!show_table(s, show, &db, &table, out))
        return;
    show_shape shape = {.order = "\"show\".\"c2\", \"show\".\"c3\""};
    shape_columns(&shape, names);
    sql_builder b;
    catalog_builder_init(&b, a, s);
    begin_show(&b, &shape);
    for (size_t i = 0; columns[i]; i++)
        buf_printf(&b.out, "%s%s AS \"c%zu\"", i ? ", " : "", columns[i], i);
    sb_str(&b, " FROM STATISTICS WHERE TABLE_SCHEMA = ");
    sb_param(&b, PARAM_TEXT, db);
    sb_str(&b, " AND TABLE_NAME = ");
    sb_param(&b, PARAM_TEXT, table);
    end_show(a, s, show, &b, &shape, out);
}

/* ---- SHOWs of one information_schema table ------------------------------------------ */

typedef struct table_show {
    show_kind kind;
    const char *table;
    const char *const *names;
    const char *const *columns;
    size_t like_col;
    const char *schema_column; /* filtered by FROM db (or the session's); NULL: not */
} table_show;

static const char *const variable_names[] = {"Variable_name", "Value", NULL};
static const char *const variable_cols[] = {"VARIABLE_NAME", "VARIABLE_VALUE", NULL};
static const char *const warning_names[] = {"Level", "Code", "Message", NULL};
static const char *const warning_cols[] = {"LEVEL", "CODE", "MESSAGE", NULL};
static const char *const collation_names[] = {
    "Collation", "Charset", "Id", "Default", "Compiled", "Sortlen", "Pad_attribute", NULL};
static const char *const collation_cols[] = {
    "COLLATION_NAME", "CHARACTER_SET_NAME", "ID", "IS_DEFAULT", "IS_COMPILED",
    "SORTLEN",        "PAD_ATTRIBUTE",      NULL};
static const char *const charset_names[] = {"Charset", "Description", "Default collation", "Maxlen",
                                            NULL};
static const char *const charset_cols[] = {"CHARACTER_SET_NAME", "DESCRIPTION",
                                           "DEFAULT_COLLATE_NAME", "MAXLEN", NULL};
static const char *const engine_names[] = {"Engine", "Support",    "Comment", "Transactions",
                                           "XA",     "Savepoints", NULL};
static const char *const engine_cols[] = {"ENGINE", "SUPPORT",    "COMMENT", "TRANSACTIONS",
                                          "XA",     "SAVEPOINTS", NULL};
static const char *const plugin_names[] = {"Name", "Status", "Type", "Library", "License", NULL};
static const char *const plugin_cols[] = {"PLUGIN_NAME",    "PLUGIN_STATUS",  "PLUGIN_TYPE",
                                          "PLUGIN_LIBRARY", "PLUGIN_LICENSE", NULL};
static const char *const process_names[] = {"Id",   "User",  "Host", "db", "Command",
                                            "Time", "State", "Info", NULL};
static const char *const process_cols[] = {"ID",   "USER",  "HOST", "DB", "COMMAND",
                                           "TIME", "STATE", "INFO", NULL};
static const char *const trigger_names[] = {"Trigger",
                                            "Event",
                                            "Table",
                                            "Statement",
                                            "Timing",
                                            "Created",
                                            "sql_mode",
                                            "Definer",
                                            "character_set_client",
                                            "collation_connection",
                                            "Database Collation",
                                            NULL};
static const char *const trigger_cols[] = {"TRIGGER_NAME",
                                           "EVENT_MANIPULATION",
                                           "EVENT_OBJECT_TABLE",
                                           "ACTION_STATEMENT",
                                           "ACTION_TIMING",
                                           "CREATED",
                                           "SQL_MODE",
                                           "DEFINER",
                                           "CHARACTER_SET_CLIENT",
                                           "COLLATION_CONNECTION",
                                           "DATABASE_COLLATION",
                                           NULL};
static const char *const event_names[] = {"Db",
                                          "Name",
                                          "Definer",
                                          "Time zone",
                                          "Type",
                                          "Execute at",
                                          "Interval value",
                                          "Interval field",
                                          "Starts",
                                          "Ends",
                                          "Status",
                                          "Originator",
                                          "character_set_client",
                                          "collation_connection",
                                          "Database Collation",
                                          NULL};
static const char *const event_cols[] = {"EVENT_SCHEMA",
                                         "EVENT_NAME",
                                         "DEFINER",
                                         "TIME_ZONE",
                                         "EVENT_TYPE",
                                         "EXECUTE_AT",
                                         "INTERVAL_VALUE",
                                         "INTERVAL_FIELD",
                                         "STARTS",
                                         "ENDS",
                                         "STATUS",
                                         "ORIGINATOR",
                                         "CHARACTER_SET_CLIENT",
                                         "COLLATION_CONNECTION",
                                         "DATABASE_COLLATION",
                                         NULL};
static const char *const routine_names[] = {"Db",
                                            "Name",
                                            "Type",
                                            "Definer",
                                            "Modified",
                                            "Created",
                                            "Security_type",
                                            "Comment",
                                            "character_set_client",
                                            "collation_connection",
                                            "Database Collation",
                                            NULL};
static const char *const routine_cols[] = {"ROUTINE_SCHEMA",       "ROUTINE_NAME",
                                           "ROUTINE_TYPE",         "DEFINER",
                                           "LAST_ALTERED",         "CREATED",
                                           "SECURITY_TYPE",        "ROUTINE_COMMENT",
                                           "CHARACTER_SET_CLIENT", "COLLATION_CONNECTION",
                                           "DATABASE_COLLATION",   NULL};
static const char *const open_table_names[] = {"Database", "Table", "In_use", "Name_locked", NULL};
static const char *const open_table_cols[] = {"TABLE_SCHEMA", "TABLE_NAME", "VERSION", "VERSION",
                                              NULL};

static const table_show table_shows[] = {
    {SHOW_VARIABLES, "mimir_variables", variable_names, variable_cols, 0, NULL},
    {SHOW_STATUS, "mimir_status", variable_names, variable_cols, 0, NULL},
    {SHOW_WARNINGS, "mimir_warnings", warning_names, warning_cols, 0, NULL},
    {SHOW_ERRORS, "mimir_errors", warning_names, warning_cols, 0, NULL},
    {SHOW_COLLATION, "COLLATIONS", collation_names, collation_cols, 0, NULL},
    {SHOW_CHARSET, "CHARACTER_SETS", charset_names, charset_cols, 0, NULL},
    {SHOW_ENGINES, "ENGINES", engine_names, engine_cols, 0, NULL},
    {SHOW_PLUGINS, "PLUGINS", plugin_names, plugin_cols, 0, NULL},
    {SHOW_PROCESSLIST, "PROCESSLIST", process_names, process_cols, 0, NULL},
    {SHOW_TRIGGERS, "TRIGGERS", trigger_names, trigger_cols, 2, "TRIGGER_SCHEMA"},
    {SHOW_EVENTS, "EVENTS", event_names, event_cols, 1, "EVENT_SCHEMA"},
    {SHOW_ROUTINE_STATUS, "ROUTINES", routine_names, routine_cols, 1, NULL},
    {SHOW_OPEN_TABLES, "TABLES", open_table_names, open_table_cols, 1, "TABLE_SCHEMA"},
};

static void show_table_rows(arena *a, const session_info *s, const show_stmt *show,
                            const table_show *t, action *out)
{
    const char *db = NULL;
    if (t->schema_column && !show_database(s, show, &db, out))
        return;
    show_shape shape = {.like_col = t->like_col};
    shape_columns(&shape, t->names);
    /* Rows in the order MySQL lists them: variables and collations by name. */
    if (t->kind != SHOW_PROCESSLIST && t->kind != SHOW_ENGINES && t->kind != SHOW_PLUGINS)
        shape.order = t->kind == SHOW_ROUTINE_STATUS || t->kind == SHOW_EVENTS
                          ? "\"show\".\"c0\", \"show\".\"c1\""
                          : "\"show\".\"c0\"";
    sql_builder b;
    catalog_builder_init(&b, a, s);
    begin_show(&b, &shape);
    for (size_t i = 0; t->columns[i]; i++) {
        /* SHOW PROCESSLIST cuts Info to 100 characters; SHOW FULL PROCESSLIST does not. */
        if (t->kind == SHOW_PROCESSLIST && !show->full && strcmp(t->columns[i], "INFO") == 0)
            buf_printf(&b.out, "%ssubstr(INFO, 1, 100) AS \"c%zu\"", i ? ", " : "", i);
        else
            buf_printf(&b.out, "%s%s AS \"c%zu\"", i ? ", " : "", t->columns[i], i);
    }
    buf_printf(&b.out, " FROM \"%s\"", t->table);
    if (t->kind == SHOW_OPEN_TABLES) {
        sb_str(&b, " WHERE 0"); /* no table is ever open: nothing is stored */
    } else if (t->kind == SHOW_ROUTINE_STATUS) {
        sb_str(&b, " WHERE ROUTINE_TYPE = ");
        sb_param(&b, PARAM_TEXT, show->routine_type);
    } else if (db) {
        buf_printf(&b.out, " WHERE %s = ", t->schema_column);
        sb_param(&b, PARAM_TEXT, db);
    }
    end_show(a, s, show, &b, &shape, out);
}

/* ---- Results written here ------------------------------------------------------------- */

/* A result of text columns, filled row by row. */
static void text_result(arena *a, action *out, const char *const *names, size_t ncols,
                        const char *const *values, size_t nrows)
{
    const_result *r = &out->rows;
    r->ncols = ncols;
    r->cols = arena_alloc(a, ncols * sizeof(result_column));
    for (size_t i = 0; i < ncols; i++)
        r->cols[i] = (result_column){.name = names[i], .type = VT_TEXT};
    r->nrows = nrows;
    r->values = arena_alloc(a, (nrows * ncols + 1) * sizeof(char *));
    memcpy(r->values, values, nrows * ncols * sizeof(char *));
    out->kind = ACTION_ROWS;
}

/* `name`, with backticks doubled. */
static void append_quoted_ident(buf *b, const char *name)
{
    buf_append_byte(b, '`');
    for (const char *c = name; *c; c++) {
        if (*c == '`')
            buf_append_byte(b, '`');
        buf_append_byte(b, (uint8_t)*c);
    }
    buf_append_byte(b, '`');
}

/* 'text' escaped as SHOW CREATE TABLE escapes comments. */
static void append_quoted_string(buf *b, const char *text)
{
    buf_append_byte(b, '\'');
    for (const char *c = text; *c; c++) {
        switch (*c) {
        case '\'':
            buf_append_str(b, "''");
            break;
        case '\\':
            buf_append_str(b, "\\\\");
            break;
        case '\n':
            buf_append_str(b, "\\n");
            break;
        case '\r':
            buf_append_str(b, "\\r");
            break;
        default:
            buf_append_byte(b, (uint8_t)*c);
        }
    }
    buf_append_byte(b, '\'');
}

static void append_column_definition(buf *b, const char *name, const char *type,
                                     const char *comment, bool last)
{
    buf_append_str(b, "  ");
    append_quoted_ident(b, name);
    buf_printf(b, " %s DEFAULT NULL", type);
    if (comment && *comment) {
        buf_append_str(b, " COMMENT ");
        append_quoted_string(b, comment);
    }
    buf_append_str(b, last ? "\n" : ",\n");
}

/* CREATE TABLE as MySQL 8.0 prints it, for the mimir tables and information_schema's. */
static const char *create_table_text(arena *a, const session_info *s, const char *db,
                                     const char *table)
{
    buf b;
    buf_init(&b);
    bool system = is_information_schema(db);
    buf_append_str(&b, system ? "CREATE TEMPORARY TABLE " : "CREATE TABLE ");
    append_quoted_ident(&b, table);
    buf_append_str(&b, " (\n");
    const char *comment = NULL;
    if (system) {
        const is_table *t = is_table_find(table);
        for (size_t i = 0; i < t->ncols; i++)
            append_column_definition(&b, t->cols[i].name, t->cols[i].type, NULL, i + 1 == t->ncols);
        buf_append_str(&b, ") ENGINE=MEMORY DEFAULT CHARSET=utf8mb3");
    } else {
        const mimir_table *t = info_schema_mimir_table(s->info_schema, table);
        for (size_t i = 0; i < t->ncols; i++)
            append_column_definition(&b, t->cols[i].name, t->cols[i].type.text, t->cols[i].comment,
                                     i + 1 == t->ncols);
        buf_append_str(&b, ") ENGINE=Mimir DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci");
        comment = t->comment;
    }
    if (comment && *comment) {
        buf_append_str(&b, " COMMENT=");
        append_quoted_string(&b, comment);
    }
    const char *text = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return text;
}

static void show_create_table(arena *a, const session_info *s, const show_stmt *show, action *out)
{
    const char *db, *table;
    if (!show_table(s, show, &db, &table, out))
        return;
    static const char *const names[] = {"Table", "Create Table"};
    const char *row[] = {table, create_table_text(a, s, db, table)};
    text_result(a, out, names, 2, row, 1);
}

static void show_create_database(arena *a, const show_stmt *show, action *out)
{
    const char *db = show->table;
    if (!planner_database_exists(db)) {
        set_error(out, ER_BAD_DB, "42000", "Unknown database '%s'%s", db, "");
        return;
    }
    bool system = is_information_schema(db);
    const char *name = system ? INFO_SCHEMA_DATABASE : MIMIR_DATABASE;
    const char *charset =
        system ? "utf8mb3 COLLATE utf8mb3_general_ci" : "utf8mb4 COLLATE utf8mb4_general_ci";
    static const char *const names[] = {"Database", "Create Database"};
    const char *row[] = {
        name, arena_printf(a,
                           "CREATE DATABASE %s`%s` /*!40100 DEFAULT CHARACTER SET %s */ "
                           "/*!80016 DEFAULT ENCRYPTION='N' */",
                           show->if_not_exists ? "/*!32312 IF NOT EXISTS*/ " : "", name, charset)};
    text_result(a, out, names, 2, row, 1);
}

static void show_grants(arena *a, const session_info *s, action *out)
{
    const char *user = s->user ? s->user : "";
    const char *names[] = {arena_printf(a, "Grants for %s@%%", user)};
    buf b;
    buf_init(&b);
    buf_append_str(&b, "GRANT SELECT, SHOW DATABASES, SHOW VIEW ON *.* TO ");
    append_quoted_ident(&b, user);
    buf_append_str(&b, "@`%`");
    const char *row[] = {arena_strdup(a, buf_cstr(&b))};
    buf_free(&b);
    text_result(a, out, names, 1, row, 1);
}

static void show_privileges(arena *a, action *out)
{
    static const char *const names[] = {"Privilege", "Context", "Comment"};
    static const char *const rows[] = {
        "Select",         "Tables",       "To retrieve rows from table",
        "Show databases", "Server Admin", "To see all databases with SHOW DATABASES",
        "Show view",      "Tables",       "To see views with SHOW CREATE VIEW",
        "Usage",          "Server Admin", "No privileges - allow connect only",
    };
    text_result(a, out, names, 3, rows, 4);
}

/* The diagnostics of the previous statement: all of them, or its errors. */
static size_t count_diagnostics(const session_info *s, bool errors_only)
{
    size_t n = 0;
    for (size_t i = 0; i < s->ndiagnostics; i++)
        n += !errors_only || strcmp(s->diagnostics[i].level, "Error") == 0;
    return n;
}

/* SHOW COUNT(*) WARNINGS | ERRORS: @@session.warning_count, @@session.error_count. */
static void show_count(arena *a, const session_info *s, const show_stmt *show, action *out)
{
    const_result *r = &out->rows;
    r->ncols = 1;
    r->cols = arena_alloc(a, sizeof(result_column));
    r->cols[0] =
        (result_column){.name = show->kind == SHOW_COUNT_WARNINGS ? "@@session.warning_count"
                                                                  : "@@session.error_count",
                        .type = VT_INT64};
    r->nrows = 1;
    r->values = arena_alloc(a, sizeof(char *));
    r->values[0] = arena_printf(a, "%zu", count_diagnostics(s, show->kind == SHOW_COUNT_ERRORS));
    out->kind = ACTION_ROWS;
}

void plan_show(arena *a, const session_info *s, const show_stmt *show, action *out)
{
    if (!catalog_available(s, out))
        return;
    info_schema_set_session(s->info_schema, s, show->text);
    /* Statements that read the diagnostics area leave it as it is, as in MySQL. */
    out->keeps_diagnostics = show->kind == SHOW_WARNINGS || show->kind == SHOW_ERRORS ||
                             show->kind == SHOW_COUNT_WARNINGS || show->kind == SHOW_COUNT_ERRORS;
    switch (show->kind) {
    case SHOW_DATABASES:
        show_databases(a, s, show, out);
        return;
    case SHOW_TABLES:
        show_tables(a, s, show, out);
        return;
    case SHOW_TABLE_STATUS:
        show_table_status(a, s, show, out);
        return;
    case SHOW_COLUMNS:
        show_columns(a, s, show, out);
        return;
    case SHOW_INDEX:
        show_index(a, s, show, out);
        return;
    case SHOW_CREATE_TABLE:
        show_create_table(a, s, show, out);
        return;
    case SHOW_CREATE_DATABASE:
        show_create_database(a, show, out);
        return;
    case SHOW_GRANTS:
        show_grants(a, s, out);
        return;
    case SHOW_PRIVILEGES:
        show_privileges(a, out);
        return;
    case SHOW_COUNT_WARNINGS:
    case SHOW_COUNT_ERRORS:
        show_count(a, s, show, out);
        return;
    default:
        break;
    }
    for (size_t i = 0; i < sizeof(table_shows) / sizeof(table_shows[0]); i++) {
        if (table_shows[i].kind == show->kind) {
            show_table_rows(a, s, show, &table_shows[i], out);
            return;
        }
    }
    set_error(out, ER_NOT_SUPPORTED_YET, "42000", "This version of Mimir doesn't yet support %s%s",
              "this SHOW statement", "");
}

/* ---- COM_FIELD_LIST ----------------------------------------------------------------- */

bool planner_field_list(arena *a, const session_info *s, const char *table, const char *wild,
                        const_result *out, sql_error *err)
{
    action act;
    memset(&act, 0, sizeof(act));
    if (!catalog_available(s, &act)) {
        *err = act.error;
        return false;
    }
    show_stmt show = {.kind = SHOW_COLUMNS, .table = table};
    const char *db, *canon_table;
    if (!show_table(s, &show, &db, &canon_table, &act)) {
        *err = act.error;
        return false;
    }
    sql_builder b;
    catalog_builder_init(&b, a, s);
    sb_str(&b, "SELECT COLUMN_NAME, COLUMN_TYPE FROM COLUMNS WHERE TABLE_SCHEMA = ");
    sb_param(&b, PARAM_TEXT, db);
    sb_str(&b, " AND TABLE_NAME = ");
    sb_param(&b, PARAM_TEXT, canon_table);
    if (wild && *wild) {
        sb_str(&b, " AND COLUMN_NAME LIKE ");
        sb_param(&b, PARAM_TEXT, wild);
        sb_str(&b, " ESCAPE '\\'");
    }
    sb_str(&b, " ORDER BY ORDINAL_POSITION");
    const_result rows;
    query_param *params;
    size_t nparams;
    const char *sql = sb_finish(&b, &params, &nparams);
    if (!info_schema_run(s->info_schema, a, sql, params, nparams, &rows, err))
        return false;
    out->ncols = rows.nrows;
    out->cols = arena_alloc(a, (rows.nrows + 1) * sizeof(result_column));
    out->nrows = 0;
    out->values = NULL;
    for (size_t i = 0; i < rows.nrows; i++) {
        column_type t;
        char why[96];
        if (!column_type_parse(rows.values[2 * i + 1], &t, why, sizeof(why)))
            column_type_parse("varchar(255)", &t, why, sizeof(why));
        info_schema_result_column(&t, rows.values[2 * i], &out->cols[i]);
    }
    return true;
}
