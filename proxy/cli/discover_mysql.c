/*
 * `mimir discover` on MariaDB/MySQL: the base tables of a database from
 * information_schema (COLUMNS, and KEY_COLUMN_USAGE with REFERENCED_TABLE_NAME
 * for the keys). MySQL's partitions are not tables of their own, so
 * a partitioned table is one table here already. tinyint(1) (BOOLEAN) is a
 * boolean; JSON, binary types, TIME and YEAR are neither grouped nor summed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "proxy/cli/discover.h"
#include "wire/xalloc.h"

static const char my_columns_sql[] =
    "SELECT c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, IF(c.IS_NULLABLE = 'NO', '1', '0'), "
    "CASE WHEN c.COLUMN_TYPE LIKE 'tinyint(1)%%' THEN 'B' "
    "WHEN c.DATA_TYPE IN ('tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', "
    "'decimal', 'numeric', 'float', 'double', 'real') THEN 'N' "
    "WHEN c.DATA_TYPE IN ('char', 'varchar', 'tinytext', 'text', 'mediumtext', 'enum') "
    "THEN 'T' WHEN c.DATA_TYPE IN ('date', 'datetime', 'timestamp') THEN 'D' ELSE 'O' END "
    "FROM information_schema.COLUMNS c JOIN information_schema.TABLES t "
    "ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME "
    "WHERE c.TABLE_SCHEMA = %s AND t.TABLE_TYPE = 'BASE TABLE' "
    "ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION";

/* KEY_COLUMN_USAGE alone: MariaDB shows TABLE_CONSTRAINTS only to users with
 * more than SELECT. PRIMARY is the primary key; a row naming a referenced table
 * is a foreign key's; any other constraint listed there is a unique key. */
static const char my_keys_sql[] =
    "SELECT TABLE_NAME, CONSTRAINT_NAME, CASE WHEN CONSTRAINT_NAME = 'PRIMARY' THEN 'p' "
    "WHEN REFERENCED_TABLE_NAME IS NOT NULL THEN 'f' ELSE 'u' END, COLUMN_NAME, "
    "REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME "
    "FROM information_schema.KEY_COLUMN_USAGE "
    "WHERE TABLE_SCHEMA = %s "
    "AND (REFERENCED_TABLE_NAME IS NULL OR REFERENCED_TABLE_SCHEMA = TABLE_SCHEMA) "
    "ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION";

static bool my_run(disc_db *db, const char *fmt, const char *schema_lit, disc_rows *r, char *err,
                   size_t errlen)
{
    char *sql = xasprintf(fmt, schema_lit);
    bool ok = disc_db_rows(db, sql, r, err, errlen);
    free(sql);
    return ok;
}

bool discover_read_mysql(disc_db *db, const char *schema, disc_catalog *out, char *err,
                         size_t errlen)
{
    char *lit = disc_db_literal(db, schema);
    disc_rows cols, keys;
    bool ok = my_run(db, my_columns_sql, lit, &cols, err, errlen);
    if (ok) {
        disc_columns_from_rows(out, &cols);
        disc_rows_free(&cols);
        ok = my_run(db, my_keys_sql, lit, &keys, err, errlen);
    }
    if (ok) {
        disc_keys_from_rows(out, &keys);
        disc_rows_free(&keys);
    }
    free(lit);
    return ok;
}
