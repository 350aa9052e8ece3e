/*
 * `mimir discover` on PostgreSQL: the tables of a schema from pg_catalog
 * (the columns' type categories, domains resolved to their base types),
 * their primary, unique and foreign keys from pg_constraint. A partitioned
 * table is its parent only: partitions (relispartition) and inheritance
 * children (pg_inherits) are left out, and so are the copies of the parent's
 * constraints PostgreSQL keeps on each partition (conparentid <> 0). A
 * foreign key a partition declares for itself is the parent's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "proxy/cli/discover.h"
#include "wire/xalloc.h"

/* The tables a schema's layer may use: ordinary and partitioned, no partitions,
 * and only those the connection's user may read (pg_catalog lists them all). */
#define PG_TABLES                                                                                  \
    "c.relkind IN ('r', 'p') AND NOT c.relispartition AND NOT EXISTS "                             \
    "(SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid) "                           \
    "AND pg_catalog.has_table_privilege(c.oid, 'SELECT')"

static const char pg_columns_sql[] =
    "SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
    "CASE WHEN a.attnotnull THEN '1' ELSE '0' END, "
    "CASE COALESCE(bt.typcategory, t.typcategory) WHEN 'B' THEN 'B' WHEN 'N' THEN 'N' "
    "WHEN 'S' THEN 'T' WHEN 'E' THEN 'T' "
    "WHEN 'D' THEN CASE WHEN COALESCE(bt.typname, t.typname) IN ('time', 'timetz') THEN 'O' "
    "ELSE 'D' END ELSE 'O' END "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
    "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
    "LEFT JOIN pg_catalog.pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype "
    "WHERE n.nspname = %s AND " PG_TABLES " ORDER BY c.relname, a.attnum";

static const char pg_keys_sql[] =
    "SELECT c.relname, con.conname, con.contype::text, a.attname, rc.relname, ra.attname "
    "FROM pg_catalog.pg_constraint con "
    "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) "
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum "
    "LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid "
    "LEFT JOIN pg_catalog.pg_attribute ra ON ra.attrelid = con.confrelid "
    "AND ra.attnum = con.confkey[k.ord] "
    "WHERE n.nspname = %s AND con.contype IN ('p', 'u', 'f') AND con.conparentid = 0 "
    "AND (con.contype <> 'f' OR rc.relnamespace = n.oid) AND " PG_TABLES
    " ORDER BY c.relname, con.conname, k.ord";

/*
 * Foreign keys declared on partitions rather than on their partitioned table
 * (the real Pagila declares payment's on each partition but its last) are the
 * table's: grouped by the partitioned root, the columns and what they
 * reference. The join they give stays many-to-one whatever the rows, since
 * what they reference is a key, and LEFT JOIN keeps a row no key matches.
 */
static const char pg_partition_fks_sql[] =
    "WITH fk AS (SELECT pg_catalog.pg_partition_root(c.oid) AS root, c.oid AS part, "
    "con.confrelid, "
    "(SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY "
    "AS k(attnum, ord) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid "
    "AND a.attnum = k.attnum) AS cols, "
    "(SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY "
    "AS k(attnum, ord) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid "
    "AND a.attnum = k.attnum) AS refcols "
    "FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = %s AND c.relispartition AND c.relkind = 'r' AND con.contype = 'f' "
    "AND con.conparentid = 0), "
    "common AS (SELECT r.relname AS tab, rc.relname AS ref, fk.cols, fk.refcols "
    "FROM fk JOIN pg_catalog.pg_class r ON r.oid = fk.root "
    "JOIN pg_catalog.pg_class rc ON rc.oid = fk.confrelid AND NOT rc.relispartition "
    "AND rc.relnamespace = r.relnamespace "
    "GROUP BY r.relname, rc.relname, fk.cols, fk.refcols) "
    "SELECT common.tab, 'partitions ' || array_to_string(common.cols, ',') || ' ' || common.ref, "
    "'f', u.col, common.ref, u.refcol FROM common "
    "CROSS JOIN LATERAL unnest(common.cols, common.refcols) WITH ORDINALITY AS u(col, refcol, ord) "
    "ORDER BY 1, 2, u.ord";

static bool pg_run(disc_db *db, const char *fmt, const char *schema_lit, disc_rows *r, char *err,
                   size_t errlen)
{
    char *sql = xasprintf(fmt, schema_lit);
    bool ok = disc_db_rows(db, sql, r, err, errlen);
    free(sql);
    return ok;
}

bool discover_read_pg(disc_db *db, const char *schema, disc_catalog *out, char *err, size_t errlen)
{
    char *lit = disc_db_literal(db, schema);
    disc_rows cols, keys;
    bool ok = pg_run(db, pg_columns_sql, lit, &cols, err, errlen);
    if (ok) {
        disc_columns_from_rows(out, &cols);
        disc_rows_free(&cols);
        ok = pg_run(db, pg_keys_sql, lit, &keys, err, errlen);
    }
    if (ok) {
        disc_keys_from_rows(out, &keys);
        disc_rows_free(&keys);
        ok = pg_run(db, pg_partition_fks_sql, lit, &keys, err, errlen);
    }
    if (ok) {
        disc_keys_from_rows(out, &keys);
        disc_rows_free(&keys);
    }
    free(lit);
    return ok;
}
