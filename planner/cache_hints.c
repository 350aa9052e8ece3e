#include "planner/cache_hints.h"

#include <stddef.h>
#include <strings.h>

/*
 * Functions whose value is not fixed by their arguments: the clock, random
 * numbers, the session. Most are not mapped to a backend (functions.c) and
 * fail to plan anyway; they are listed so that mapping one later cannot
 * silently make a result cacheable.
 */
static const char *const nondeterministic_functions[] = {"now",
                                                         "current_timestamp",
                                                         "localtimestamp",
                                                         "localtime",
                                                         "sysdate",
                                                         "utc_timestamp",
                                                         "utc_date",
                                                         "utc_time",
                                                         "curdate",
                                                         "current_date",
                                                         "curtime",
                                                         "current_time",
                                                         "unix_timestamp",
                                                         "rand",
                                                         "uuid",
                                                         "uuid_short",
                                                         "connection_id",
                                                         "current_user",
                                                         "user",
                                                         "session_user",
                                                         "system_user",
                                                         "database",
                                                         "schema",
                                                         "last_insert_id",
                                                         "found_rows",
                                                         "row_count",
                                                         "sleep",
                                                         NULL};

bool function_is_nondeterministic(const char *name)
{
    for (const char *const *f = nondeterministic_functions; *f; f++)
        if (strcasecmp(name, *f) == 0)
            return true;
    return false;
}

static void walk_select(const select_stmt *sel, cache_hints *out);

static void walk_expr(const expr *e, cache_hints *out)
{
    if (!e)
        return;
    if (e->kind == EX_VARIABLE || e->kind == EX_ASSIGN ||
        (e->kind == EX_FUNC && e->text && function_is_nondeterministic(e->text)))
        out->nondeterministic = true;
    walk_expr(e->left, out);
    walk_expr(e->right, out);
    for (size_t i = 0; i < e->nargs; i++)
        walk_expr(e->args[i], out);
    if (e->subquery)
        walk_select(e->subquery, out);
    for (size_t i = 0; e->over && i < e->over->npartition; i++)
        walk_expr(e->over->partition[i], out);
    for (size_t i = 0; e->over && i < e->over->norder; i++)
        walk_expr(e->over->order[i].e, out);
}

static void walk_select(const select_stmt *sel, cache_hints *out)
{
    if (!sel)
        return;
    out->no_cache = out->no_cache || sel->no_cache;
    for (size_t i = 0; i < sel->nitems; i++)
        walk_expr(sel->items[i].e, out);
    for (size_t i = 0; i < sel->nfrom; i++) {
        walk_select(sel->from[i].subquery, out);
        walk_expr(sel->from[i].on, out);
    }
    walk_expr(sel->where, out);
    for (size_t i = 0; i < sel->ngroup_by; i++)
        walk_expr(sel->group_by[i], out);
    walk_expr(sel->having, out);
    for (size_t i = 0; i < sel->norder_by; i++)
        walk_expr(sel->order_by[i].e, out);
    walk_select(sel->union_next, out); /* every member of a UNION */
}

void select_cache_hints(const select_stmt *sel, cache_hints *out)
{
    out->no_cache = false;
    out->nondeterministic = false;
    walk_select(sel, out);
}
