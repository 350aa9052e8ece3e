/*
 * One statement in, one action out: parse, then route by what the statement
 * reads. SELECT with no FROM is answered from the session; FROM mimir.metrics
 * becomes an inquiry and a plan; anything else gets MySQL's own error.
 */
#include "planner/planner.h"

#include <string.h>
#include <strings.h>

#include "planner/inquiry.h"
#include "planner/parser.h"
#include "planner/session_query.h"
#include "planner/show.h"

bool planner_database_exists(const char *name)
{
    return strcasecmp(name, MIMIR_DATABASE) == 0 || strcasecmp(name, "information_schema") == 0;
}

static void syntax_error(const parse_error *pe, action *out)
{
    out->kind = ACTION_ERROR;
    /* MySQL quotes at most 80 characters of the text from the offending token on. */
    int near_len = (int)strnlen(pe->near, 80);
    if (pe->unsupported) {
        sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support '%s' (near '%.*s' at line %d)",
                      pe->detail, near_len, pe->near, pe->line);
        return;
    }
    sql_error_set(&out->error, ER_PARSE, "42000",
                  "You have an error in your SQL syntax; check the manual that corresponds to "
                  "your MySQL server version for the right syntax to use near '%.*s' at line "
                  "%d%s%s",
                  near_len, pe->near, pe->line, pe->detail ? ": " : "",
                  pe->detail ? pe->detail : "");
}

static void plan_metrics_query(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    inquiry q;
    plan *p = arena_alloc(a, sizeof(*p));
    if (!inquiry_from_select(a, s->cat, sel, &q, &out->error) ||
        !inquiry_split(a, s->cat, &q, p, &out->error)) {
        out->kind = ACTION_ERROR;
        return;
    }
    out->kind = ACTION_QUERY;
    out->plan = p;
}

static void plan_select(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    if (!sel->from) {
        session_select(a, s, sel, out);
        return;
    }
    if (sel->nfrom > 1) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support joins");
        return;
    }
    const table_ref *t = &sel->from[0];
    const char *db = t->db ? t->db : s->db;
    if (!db) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_NO_DB, "3D000", "No database selected");
        return;
    }
    if (!planner_database_exists(db)) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_BAD_DB, "42000", "Unknown database '%s'", db);
        return;
    }
    if (strcasecmp(db, "information_schema") == 0) {
        plan_information_schema(a, s, sel, out);
        return;
    }
    if (strcasecmp(db, MIMIR_DATABASE) != 0 || strcasecmp(t->name, "metrics") != 0) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_NO_SUCH_TABLE, "42S02", "Table '%s.%s' doesn't exist", db,
                      t->name);
        return;
    }
    plan_metrics_query(a, s, sel, out);
}

void planner_plan(arena *a, const session_info *s, const char *sql, size_t len, action *out)
{
    memset(out, 0, sizeof(*out));
    out->set_autocommit = -1;
    statement st;
    parse_error pe;
    if (!parse_statement(a, sql, len, &st, &pe)) {
        syntax_error(&pe, out);
        return;
    }
    switch (st.kind) {
    case STMT_EMPTY:
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_EMPTY_QUERY, "42000", "Query was empty");
        return;
    case STMT_SELECT:
        plan_select(a, s, st.select, out);
        return;
    case STMT_USE:
        if (!planner_database_exists(st.name)) {
            out->kind = ACTION_ERROR;
            sql_error_set(&out->error, ER_BAD_DB, "42000", "Unknown database '%s'", st.name);
            return;
        }
        out->kind = ACTION_OK;
        out->new_db =
            strcasecmp(st.name, MIMIR_DATABASE) == 0 ? MIMIR_DATABASE : "information_schema";
        return;
    case STMT_SET:
        session_set(a, s, &st, out);
        return;
    case STMT_TRANSACTION:
        out->kind = ACTION_OK;
        return;
    case STMT_SHOW:
        plan_show(a, s, st.show, out);
        return;
    case STMT_UNSUPPORTED:
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support '%s': Mimir is a read-only "
                      "metrics store; query mimir.metrics with SELECT",
                      st.name);
        return;
    }
}
