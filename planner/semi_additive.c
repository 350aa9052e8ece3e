#include "planner/semi_additive.h"

#include <stdio.h>
#include <strings.h>

bool semi_additive_same(const metric *a, const metric *b)
{
    if (!a || !b)
        return !a && !b;
    if (a->non_additive != b->non_additive || a->n_non_additive_per != b->n_non_additive_per)
        return false;
    for (size_t i = 0; i < a->n_non_additive_per; i++)
        if (strcasecmp(a->non_additive_per[i], b->non_additive_per[i]) != 0)
            return false;
    return true;
}

/*
 * The time column as it is compared. SQLite keeps times as text, which
 * compares as text: '2024-01-31' and '2024-01-31 00:00:00' are the same
 * time, so both sides are written one way (as the time bounds are, see
 * SQLITE_TIME_TEXT in split.c) before MAX/MIN and equality see them.
 */
static void print_time(sql_builder *b, const char *qualifier, const char *time_column)
{
    bool lite = b->dialect == DIALECT_SQLITE;
    if (lite)
        sb_str(b, "strftime('%Y-%m-%d %H:%M:%f', ");
    if (qualifier) {
        sb_ident(b, qualifier);
        sb_str(b, ".");
    }
    sb_ident(b, time_column);
    if (lite)
        sb_str(b, ")");
}

/* a IS NOT DISTINCT FROM b, in each backend's words. */
static const char *null_safe_equal(sql_dialect d)
{
    return d == DIALECT_POSTGRES ? " IS NOT DISTINCT FROM "
           : d == DIALECT_SQLITE ? " IS "
                                 : " <=> ";
}

static const expr *key_expr(const semi_additive_join *j, size_t i)
{
    return i < j->nperiods ? j->periods[i] : j->per[i - j->nperiods];
}

/* The edges' column of key i. */
static const char *key_name(sql_builder *b, size_t i)
{
    return arena_printf(b->a, "mimir_k%zu", i);
}

/* SELECT <keys>, MAX(time) FROM (<rows>) AS mimir_last WHERE <filters> GROUP BY <keys> */
static bool print_edges(sql_builder *b, const semi_additive_join *j, sql_error *err)
{
    size_t nkeys = j->nperiods + j->nper;
    sb_str(b, "SELECT ");
    for (size_t i = 0; i < nkeys; i++) {
        if (!sb_expr(b, key_expr(j, i), j->resolve, j->resolve_ctx, err))
            return false;
        sb_str(b, " AS ");
        sb_ident(b, key_name(b, i));
        sb_str(b, ", ");
    }
    sb_str(b, j->m->non_additive == NON_ADDITIVE_FIRST ? "MIN(" : "MAX(");
    print_time(b, NULL, j->time_column);
    sb_str(b, ") AS ");
    sb_ident(b, "mimir_edge");
    sb_str(b, " FROM (");
    j->print_rows(j->rows_ctx, b);
    sb_str(b, ") AS ");
    sb_ident(b, "mimir_last");
    for (size_t i = 0; i < j->nfilters; i++) {
        sb_str(b, i ? " AND " : " WHERE ");
        if (!sb_expr(b, j->filters[i], j->resolve, j->resolve_ctx, err))
            return false;
    }
    for (size_t i = 0; i < nkeys; i++)
        buf_printf(&b->out, "%s%zu", i ? ", " : " GROUP BY ", i + 1);
    return true;
}

bool semi_additive_print_join(sql_builder *b, const semi_additive_join *j, sql_error *err)
{
    sb_str(b, " JOIN (");
    if (!print_edges(b, j, err))
        return false;
    sb_str(b, ") AS ");
    sb_ident(b, "mimir_edges");
    sb_str(b, " ON ");
    for (size_t i = 0; i < j->nperiods + j->nper; i++) {
        /* Unqualified names are the source rows': the edges' columns are mimir_k<i>. */
        if (!sb_expr(b, key_expr(j, i), j->resolve, j->resolve_ctx, err))
            return false;
        sb_str(b, null_safe_equal(b->dialect));
        sb_ident(b, "mimir_edges");
        sb_str(b, ".");
        sb_ident(b, key_name(b, i));
        sb_str(b, " AND ");
    }
    print_time(b, "mimir_source", j->time_column);
    sb_str(b, " = ");
    sb_ident(b, "mimir_edges");
    sb_str(b, ".");
    sb_ident(b, "mimir_edge");
    return true;
}
