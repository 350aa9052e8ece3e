/*
 * `mimir discover` on SQLite: the tables of the main database from
 * sqlite_master, their columns from pragma_table_info (the kind follows the
 * declared type, as SQLite's affinity rules read it, with BOOL and DATE/TIME
 * first), primary keys from it too, foreign keys from
 * pragma_foreign_key_list and unique keys from pragma_index_list. Text
 * columns that hold dates are recognised later, from their values
 * (discover_stats.c).
 */
#include "proxy/cli/discover.h"

#define LITE_TABLES                                                                                \
    "FROM sqlite_master m, pragma_table_info(m.name) p "                                           \
    "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "

static const char lite_columns_sql[] =
    "SELECT m.name, p.name, p.type, CASE WHEN p.\"notnull\" OR p.pk > 0 THEN '1' ELSE '0' END, "
    "CASE WHEN upper(p.type) LIKE '%BOOL%' THEN 'B' "
    "WHEN upper(p.type) LIKE '%DATE%' OR upper(p.type) LIKE '%TIME%' THEN 'D' "
    "WHEN upper(p.type) LIKE '%INT%' OR upper(p.type) LIKE '%REAL%' OR upper(p.type) LIKE "
    "'%FLOA%' OR upper(p.type) LIKE '%DOUB%' OR upper(p.type) LIKE '%NUM%' OR upper(p.type) "
    "LIKE '%DEC%' THEN 'N' "
    "WHEN upper(p.type) LIKE '%CHAR%' OR upper(p.type) LIKE '%CLOB%' OR upper(p.type) LIKE "
    "'%TEXT%' THEN 'T' ELSE 'O' END " LITE_TABLES "ORDER BY m.name, p.cid";

static const char lite_keys_sql[] =
    "SELECT m.name, ' pk', 'p', p.name, NULL, NULL, p.pk " LITE_TABLES "AND p.pk > 0 "
    "UNION ALL SELECT m.name, 'fk ' || f.id, 'f', f.\"from\", f.\"table\", f.\"to\", f.seq "
    "FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' "
    "UNION ALL SELECT m.name, 'u ' || il.name, 'u', ii.name, NULL, NULL, ii.seqno "
    "FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_info(il.name) ii "
    "WHERE m.type = 'table' AND il.\"unique\" AND il.origin <> 'pk' AND il.partial = 0 "
    "ORDER BY 1, 2, 7";

bool discover_read_sqlite(disc_db *db, disc_catalog *out, char *err, size_t errlen)
{
    disc_rows cols, keys;
    if (!disc_db_rows(db, lite_columns_sql, &cols, err, errlen))
        return false;
    disc_columns_from_rows(out, &cols);
    disc_rows_free(&cols);
    if (!disc_db_rows(db, lite_keys_sql, &keys, err, errlen))
        return false;
    disc_keys_from_rows(out, &keys);
    disc_rows_free(&keys);
    return true;
}
