/*
 * One statement in, one action out: parse, then route by what the statement
 * reads. SELECT with no FROM is answered from the session; FROM mimir.metrics
 * becomes an inquiry and a plan; anything else gets MySQL's own error.
 */
#include "planner/planner.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/cache_hints.h"
#include "planner/derived.h"
#include "planner/dimension_aggregates.h"
#include "planner/info_schema.h"
#include "planner/inquiry.h"
#include "planner/layer_types.h"
#include "planner/lexer.h"
#include "planner/literal_context.h"
#include "planner/mimir_tables.h"
#include "planner/probe.h"
#include "planner/rollup_phase.h"
#include "planner/rollup_route.h"
#include "planner/select_aliases.h"
#include "planner/scalar_subquery.h"
#include "planner/semijoin.h"
#include "planner/set_operation.h"
#include "planner/parser.h"
#include "planner/session_query.h"
#include "planner/show.h"
#include "planner/window.h"
#include "wire/utf8.h"

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

/*
 * Session variables beside metrics (SELECT @@time_zone, AGG(m) ...): each
 * @@variable is the session's value, a constant of the statement, so it
 * becomes that literal before the inquiry reads the statement; a user
 * variable (@x, never set in Mimir) is NULL. False, with err set, for an
 * unknown system variable.
 */
static bool bind_variables(arena *a, const session_info *s, expr *e, sql_error *err)
{
    if (!e)
        return true;
    if (e->kind == EX_VARIABLE) {
        value_type type = VT_NULL;
        const char *value = e->system ? server_variable(s, e->text, &type) : NULL;
        value = value ? arena_strdup(a, value) : NULL; /* its buffer is reused by the next */
        if (e->system && !value) {
            sql_error_set(err, ER_UNKNOWN_SYSTEM_VAR, "HY000", "Unknown system variable '%s'",
                          e->text);
            return false;
        }
        e->kind = EX_LITERAL;
        e->lit = !value ? LIT_NULL : type == VT_INT64 ? LIT_INT : LIT_STRING;
        e->text = value ? arena_strdup(a, value) : NULL; /* the session's text may change */
        e->text_len = value ? strlen(value) : 0;
        return true;
    }
    if (!bind_variables(a, s, e->left, err) || !bind_variables(a, s, e->right, err))
        return false;
    for (size_t i = 0; i < e->nargs; i++)
        if (!bind_variables(a, s, e->args[i], err))
            return false;
    return true;
}

static bool bind_select_variables(arena *a, const session_info *s, const select_stmt *sel,
                                  sql_error *err)
{
    for (size_t i = 0; i < sel->nitems; i++)
        if (!bind_variables(a, s, sel->items[i].e, err))
            return false;
    for (size_t i = 0; i < sel->norder_by; i++)
        if (!bind_variables(a, s, sel->order_by[i].e, err))
            return false;
    return bind_variables(a, s, sel->where, err) && bind_variables(a, s, sel->having, err);
}

/* SHOW WARNINGS after an answer from a rollup: which one, and how fresh. */
static void note_rollups(arena *a, const session_info *s, const plan *p)
{
    for (size_t i = 0; i < p->nqueries; i++) {
        const atomic_query *q = &p->queries[i];
        if (!q->rollup)
            continue;
        char at[32];
        rollup_iso_utc(q->rollup_refreshed_at, at);
        const char *part = rollup_source_part(a, q);
        if (part)
            plan_note(s,
                      "Source '%s' answered from rollup '%s', last refreshed at %s; its rows "
                      "%s were read from the source",
                      q->src->name, q->rollup, at, part);
        else
            plan_note(s, "Source '%s' answered from rollup '%s', last refreshed at %s",
                      q->src->name, q->rollup, at);
    }
}

static void plan_metrics_query(arena *a, const session_info *s, const select_stmt *sel,
                               const source *table, action *out)
{
    if (!bind_select_variables(a, s, sel, &out->error)) {
        out->kind = ACTION_ERROR;
        return;
    }
    inquiry q;
    plan *p = arena_alloc(a, sizeof(*p));
    if (!inquiry_from_select(a, s->cat, sel, table, &q, &out->error) ||
        !inquiry_check_row_level(sel, &q, &out->error)) {
        out->kind = ACTION_ERROR;
        return;
    }
    q.tz = &s->tz;
    q.clock_us = s->clock_us;
    q.types = s->types;
    if (!s->rollups_off && !sel->no_rollup) {
        q.rollups = s->rollups;
        q.nrollups = s->nrollups;
        q.rollup_phase_ok = !s->no_rollup_phase && !s->rollup_rows;
        q.rollup_rows = s->rollup_rows;
        q.rollup_rows_source = s->rollup_rows_source;
    }
    if (!inquiry_split(a, s->cat, &q, p, &out->error)) {
        out->kind = ACTION_ERROR;
        return;
    }
    if (p->rollup_rows_query)
        rollup_phase_wrap(a, s, sel, p);
    plan_add_query_layer_types(a, s, p);
    if (p->note)
        plan_note(s, "%s", p->note);
    note_rollups(a, s, p);
    out->kind = ACTION_QUERY;
    out->plan = p;
}

/* FROM DUAL: MySQL's name for no table at all, with or without a current database. */
static bool from_dual(const select_stmt *sel)
{
    return sel->nfrom == 1 && !sel->from[0].subquery && !sel->from[0].db && sel->from[0].name &&
           strcasecmp(sel->from[0].name, "dual") == 0;
}

static literal_context mimir_column_kind(void *ctx, const expr *column)
{
    const mimir_table *t = ctx;
    const char *name = column->parts[column->nparts - 1];
    for (size_t i = 0; t && i < t->ncols; i++) {
        if (strcasecmp(t->cols[i].name, name) != 0)
            continue;
        switch (t->cols[i].type.kind) {
        case CT_DATE:
        case CT_TIME:
        case CT_DATETIME:
        case CT_TIMESTAMP:
            return LITERAL_CONTEXT_TEMPORAL;
        case CT_CHAR:
        case CT_VARCHAR:
        case CT_TEXT:
        case CT_BINARY:
        case CT_VARBINARY:
        case CT_BLOB:
        case CT_JSON:
            return LITERAL_CONTEXT_STRING;
        default:
            return LITERAL_CONTEXT_NUMBER;
        }
    }
    return LITERAL_CONTEXT_UNKNOWN;
}

/* The mimir table a statement reads (mimir.metrics or a source's), for its column types. */
static const mimir_table *queried_table(arena *a, const session_info *s, const select_stmt *sel)
{
    if (sel->nfrom != 1 || sel->from[0].subquery)
        return NULL;
    const char *db = sel->from[0].db ? sel->from[0].db : s->db;
    if (!db || strcasecmp(db, MIMIR_DATABASE) != 0)
        return NULL;
    if (s->info_schema)
        return info_schema_mimir_table(s->info_schema, sel->from[0].name);
    mimir_table *tables;
    size_t n = mimir_tables(a, s->cat, &tables);
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(tables[i].name, sel->from[0].name) == 0)
            return &tables[i];
    return NULL;
}

/*
 * Hexadecimal, bit-value and _binary literals become numbers or binary strings,
 * as MySQL reads them where they stand (planner/literal_context.h), before
 * anything is planned.
 */
static bool resolve_literals(arena *a, const session_info *s, select_stmt *sel, action *out)
{
    const mimir_table *table = queried_table(a, s, sel);
    if (literal_contexts_resolve(a, sel, mimir_column_kind, (void *)table, &out->error))
        return true;
    out->kind = ACTION_ERROR;
    return false;
}

/* sql_select_limit limits a union as a whole, unless its own LIMIT (after its last
 * SELECT) does: the members are copied, the last one given the limit. */
static select_stmt *union_with_select_limit(arena *a, select_stmt *sel, uint64_t limit)
{
    select_stmt *copy = arena_alloc(a, sizeof(*copy));
    *copy = *sel;
    if (sel->union_next) {
        copy->union_next = union_with_select_limit(a, sel->union_next, limit);
    } else if (!sel->has_limit) {
        copy->has_limit = true;
        copy->limit = limit > INT64_MAX ? INT64_MAX : (int64_t)limit;
        copy->offset = 0;
    }
    return copy;
}

/* Does this member of a union read information_schema? */
static bool reads_information_schema(const session_info *s, const select_stmt *m)
{
    const char *db =
        m->nfrom && !m->from[0].subquery ? (m->from[0].db ? m->from[0].db : s->db) : NULL;
    return db && strcasecmp(db, "information_schema") == 0;
}

/*
 * SELECT ... UNION SELECT ...: of information_schema queries (RMariaDB's
 * dbListObjects), answered by the catalog; of metrics queries, each planned
 * alone and united in the final stage (planner/set_operation.h).
 */
static void plan_union(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    size_t n = 0, catalog = 0;
    for (const select_stmt *m = sel; m; m = m->union_next, n++)
        catalog += reads_information_schema(s, m);
    if (catalog == n) {
        plan_information_schema(a, s, sel, out);
        return;
    }
    if (catalog > 0) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support a UNION of information_schema "
                      "queries with other queries");
        return;
    }
    plan_metrics_union(a, s, sel, out);
}

/* Window functions run over a mimir table's grouped rows or a derived table's (each
 * member of a union on its own). */
static bool window_where_planned(const session_info *s, const select_stmt *sel, action *out)
{
    if (!window_check_placement(sel, &out->error)) {
        out->kind = ACTION_ERROR;
        return false;
    }
    for (const select_stmt *m = sel; m; m = m->union_next) {
        if (!select_has_window(m))
            continue;
        const table_ref *t = m->nfrom == 1 ? &m->from[0] : NULL;
        const char *db = t && !t->subquery ? (t->db ? t->db : s->db) : NULL;
        if (semijoin_candidate(m) ||
            (t && (t->subquery || (db && strcasecmp(db, MIMIR_DATABASE) == 0)) && !t->on))
            continue; /* a semi-join filter plans its outer statement with plan_select */
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support window functions other than "
                      "over one mimir table or a derived table");
        return false;
    }
    return true;
}

void plan_note(const session_info *s, const char *fmt, ...)
{
    plan_notes *notes = s->notes;
    if (!notes)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < notes->n; i++)
        if (strcmp(notes->items[i].message, msg) == 0)
            return; /* a rule applied twice (a statement planned again) notes once */
    diagnostic *grown = arena_alloc(notes->a, (notes->n + 1) * sizeof(*grown));
    if (notes->n)
        memcpy(grown, notes->items, notes->n * sizeof(*grown));
    grown[notes->n++] = (diagnostic){"Note", NOTE_STATEMENT_READ, arena_strdup(notes->a, msg)};
    notes->items = grown;
}

/*
 * Statements answered in two phases, a subquery first (a scalar subquery's value,
 * a semi-join filter's keys), and the joins Mimir refuses; true when out is set.
 */
static bool plan_in_phases(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    if (scalar_subquery_candidate(sel)) { /* its value first, then the rest of the statement */
        plan_scalar_subquery(a, s, sel, out);
        return true;
    }
    if (sel->nfrom == 2 && sel->from[1].subquery && sel->from[1].subquery->union_next) {
        /* Its keys may repeat: a join would multiply rows, a semi-join filter would not. */
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support a join to a UNION");
        return true;
    }
    if (semijoin_candidate(sel)) {
        plan_semijoin(a, s, sel, out);
        return true;
    }
    if (sel->nfrom > 1) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support joins other than semi-join "
                      "filters (an INNER JOIN of a mimir table to a subquery grouped by the "
                      "join keys)");
        return true;
    }
    return false;
}

void plan_like_template(plan *p, const plan *template)
{
    p->no_cache = template->no_cache;
    p->nondeterministic = template->nondeterministic;
    for (size_t i = 0; i < p->ncols && p->ncols == template->ncols; i++)
        p->cols[i].layer_type = template->cols[i].layer_type;
}

void plan_select(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    if (!window_where_planned(s, sel, out))
        return;
    if (sel->union_next) {
        plan_union(a, s, sel, out);
        return;
    }
    if (from_dual(sel)) {
        select_stmt *no_table = arena_alloc(a, sizeof(*no_table));
        *no_table = *sel;
        no_table->from = NULL;
        no_table->nfrom = 0;
        sel = no_table;
    }
    if (!sel->from) {
        session_select(a, s, sel, out);
        return;
    }
    /* information_schema answers joins; mimir tables and unknown databases do not get there. */
    const table_ref *first = &sel->from[0];
    const char *first_db = first->subquery ? NULL : first->db ? first->db : s->db;
    if (first_db && strcasecmp(first_db, "information_schema") == 0) {
        plan_information_schema(a, s, sel, out);
        return;
    }
    if (first_db && !planner_database_exists(first_db)) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_BAD_DB, "42000", "Unknown database '%s'", first_db);
        return;
    }
    /* ORDER BY and HAVING name select-list aliases before columns, as in MySQL. */
    sel = select_resolve_aliases(a, sel, &out->error);
    if (!sel) {
        out->kind = ACTION_ERROR;
        return;
    }
    /* COUNT(DISTINCT d), MIN(d), MAX(d) of dimensions: over the finer groups. */
    if (dimension_aggregates_used(s, sel)) {
        if (!(sel = dimension_aggregates_rewrite(a, s, sel, &out->error))) {
            out->kind = ACTION_ERROR;
            return;
        }
        plan_note(s, "COUNT(DISTINCT ...), MIN or MAX of a dimension (or HAVING COUNT(*) > 0) is "
                     "computed over finer groups, the statement's groups and those dimensions, "
                     "with the metrics beside them added up from them (EXPLAIN shows it)");
    }
    if (plan_in_phases(a, s, sel, out))
        return;
    const table_ref *t = &sel->from[0];
    if (t->subquery) {
        plan_derived(a, s, sel, out);
        return;
    }
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
    /* mimir.metrics holds everything; mimir.<source> one source's metrics and dimensions. */
    const source *table = NULL;
    if (strcasecmp(t->name, "metrics") != 0) {
        for (size_t i = 0; i < s->cat->n_sources && !table; i++)
            if (strcasecmp(s->cat->sources[i].name, t->name) == 0)
                table = &s->cat->sources[i];
        if (!table) {
            out->kind = ACTION_ERROR;
            sql_error_set(&out->error, ER_NO_SUCH_TABLE, "42S02", "Table '%s.%s' doesn't exist",
                          MIMIR_DATABASE, t->name);
            return;
        }
    }
    if (select_has_window(sel)) {
        plan_window(a, s, sel, table, out);
        return;
    }
    if (select_is_probe(sel)) {
        plan_probe(a, s, sel, table, out);
        return;
    }
    plan_metrics_query(a, s, sel, table, out);
}

/* Text of a query's parameters for EXPLAIN: ['Action', 5]. */
static const char *params_text(arena *a, const query_param *params, size_t n)
{
    buf b;
    buf_init(&b);
    buf_append_byte(&b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_append_str(&b, ", ");
        if (params[i].kind != PARAM_TEXT) {
            buf_append_str(&b, params[i].text);
            continue;
        }
        buf_append_byte(&b, '\'');
        for (const char *c = params[i].text; *c; c++) {
            if (*c == '\'')
                buf_append_byte(&b, '\'');
            buf_append_byte(&b, (uint8_t)*c);
        }
        buf_append_byte(&b, '\'');
    }
    buf_append_byte(&b, ']');
    const char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

static const char *const explain_dialects[] = {
    [DIALECT_POSTGRES] = "postgresql", [DIALECT_MYSQL] = "mysql", [DIALECT_SQLITE] = "sqlite"};

/* "rentals: rollup rentals_monthly (refreshed ...), the source from ... on". */
static const char *explain_rollup(arena *a, const atomic_query *q)
{
    char at[32];
    rollup_iso_utc(q->rollup_refreshed_at, at);
    const char *part = rollup_source_part(a, q);
    return part ? arena_printf(a, "%s: rollup %s (refreshed %s), the source %s", q->src->name,
                               q->rollup, at, part)
                : arena_printf(a, "%s: rollup %s (refreshed %s)", q->src->name, q->rollup, at);
}

/* The EXPLAIN rows of plan p (6 values each) from v on, numbered from *step + 1. */
static const char **explain_plan_rows(arena *a, const plan *p, const char **v, size_t *step)
{
    for (size_t i = 0; i < p->nqueries; i++, v += 6) {
        const atomic_query *q = &p->queries[i];
        v[0] = arena_printf(a, "%zu", ++*step);
        v[1] = q->rollup ? explain_rollup(a, q) : q->src->name;
        v[2] = q->conn ? q->conn->name : NULL;
        v[3] = explain_dialects[q->dialect];
        v[4] = q->sql;
        v[5] = params_text(a, q->params, q->nparams);
    }
    if (p->final_sql) {
        v[0] = arena_printf(a, "%zu", ++*step);
        v[1] = NULL;
        v[2] = "combine (in-memory SQLite)";
        v[3] = "sqlite";
        v[4] = p->final_sql;
        v[5] = params_text(a, p->final_params, p->nfinal_params);
        v += 6;
    }
    return v;
}

static size_t explain_plan_nrows(const plan *p)
{
    return p->nqueries + (p->final_sql ? 1 : 0);
}

/*
 * EXPLAIN SELECT ...: one row per atomic query (its source, connection,
 * dialect, SQL and parameters) and one for the final stage, if any. A
 * semi-join filter shows its first phase, a row saying where its values go,
 * then the outer statement as planned before they are known (an IN (NULL)
 * that the values replace, each one a parameter).
 */
/* "1", or "1, 2": the inner result's key columns, counted from 1. */
static const char *key_columns_text(arena *a, const plan_phase *ph)
{
    const char *text = "";
    for (size_t i = 0; i < ph->nkey_cols; i++)
        text = arena_printf(a, "%s%s%zu", text, i ? ", " : "", ph->key_cols[i] + 1);
    return text;
}

static void plan_explain(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    plan_select(a, s, sel, out);
    if (out->kind != ACTION_QUERY) {
        if (out->kind != ACTION_ERROR) {
            out->kind = ACTION_ERROR;
            sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                          "EXPLAIN applies to queries on mimir tables");
        }
        return;
    }
    static const char *const names[] = {"step",    "source", "connection",
                                        "dialect", "sql",    "parameters"};
    const plan *p = out->plan;
    const_result *r = &out->rows;
    r->ncols = 6;
    r->cols = arena_alloc(a, 6 * sizeof(result_column));
    for (size_t i = 0; i < 6; i++) {
        r->cols[i].name = names[i];
        r->cols[i].type = i == 0 ? VT_INT64 : VT_TEXT;
    }
    const plan_phase *ph = p->phase;
    r->nrows = explain_plan_nrows(p) + (ph ? explain_plan_nrows(ph->inner) + 1 : 0);
    const char **v = arena_alloc(a, r->nrows * 6 * sizeof(char *));
    r->values = v;
    size_t step = 0;
    if (ph) {
        v = explain_plan_rows(a, ph->inner, v, &step);
        v[0] = arena_printf(a, "%zu", ++step);
        v[2] = ph->rollup   ? "the source's rows for a rollup stored elsewhere"
               : ph->exists ? "EXISTS subquery"
               : ph->scalar ? "scalar subquery"
               : ph->anti   ? "anti semi-join filter"
                            : "semi-join filter";
        const char *steps = step == 2 ? " 1" : arena_printf(a, "s 1-%zu", step - 1);
        v[4] =
            ph->rollup   ? arena_printf(a,
                                        "the rows of step%s (at most %zu) are read with rollup %s's "
                                          "rows in the next steps, each value a parameter",
                                        steps, ph->max_keys, ph->rollup)
            : ph->exists ? arena_printf(a,
                                        "whether the result of step%s has a row makes EXISTS "
                                        "TRUE or FALSE in the next steps",
                                        steps)
            : ph->scalar ? arena_printf(a,
                                        "the value of the result of step%s (one row at most) "
                                        "replaces the scalar subquery in the next steps (NULL "
                                        "there until it is known)",
                                        steps)
                         : arena_printf(a,
                                        "the values of column%s %s of the result of step%s (at "
                                        "most %zu) are pushed into the next steps' WHERE as %s "
                                        "%sIN (...), each value a parameter",
                                        ph->nkey_cols > 1 ? "s" : "", key_columns_text(a, ph),
                                        steps, ph->max_keys, ph->key_name, ph->anti ? "NOT " : "");
        v += 6;
    }
    explain_plan_rows(a, p, v, &step);
    out->plan = NULL;
    out->kind = ACTION_ROWS;
}

/* Statements that would change data or schema: MySQL's answer on a --read-only server. */
static const char *const write_statements[] = {"INSERT", "UPDATE", "DELETE",   "REPLACE", "CREATE",
                                               "DROP",   "ALTER",  "TRUNCATE", "RENAME",  "GRANT",
                                               "REVOKE", "LOAD",   NULL};

static bool first_word_is(const char *name, const char *word)
{
    size_t n = strlen(word);
    return strncasecmp(name, word, n) == 0 && (name[n] == '\0' || name[n] == ' ');
}

/* name is the statement's first keyword(s), upper-cased: "DROP TABLE", "LOCK TABLES". */
static void plan_unsupported(const char *name, action *out)
{
    /* mariadb-dump locks what it dumps; with nothing to write, locks are no-ops. */
    if (first_word_is(name, "LOCK TABLES") || first_word_is(name, "UNLOCK TABLES") ||
        first_word_is(name, "LOCK TABLE") || first_word_is(name, "UNLOCK TABLE")) {
        out->kind = ACTION_OK;
        return;
    }
    out->kind = ACTION_ERROR;
    for (const char *const *w = write_statements; *w; w++) {
        if (first_word_is(name, *w)) {
            sql_error_set(&out->error, ER_OPTION_PREVENTS_STATEMENT, "HY000",
                          "The MySQL server is running with the --read-only option so it cannot "
                          "execute this statement (%s): Mimir serves metrics read-only; change "
                          "the semantic layer's YAML files to change what it serves",
                          name);
            return;
        }
    }
    sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                  "This version of Mimir doesn't yet support '%s': Mimir is a read-only "
                  "metrics store; query mimir.metrics with SELECT",
                  name);
}

/* Routes a parsed statement to its action. */
static void plan_statement(arena *a, const session_info *s, const statement *stp, action *out)
{
    statement st = *stp;
    switch (st.kind) {
    case STMT_EMPTY:
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_EMPTY_QUERY, "42000", "Query was empty");
        return;
    case STMT_SELECT:
        for (select_stmt *m = st.select; m; m = m->union_next)
            if (!resolve_literals(a, s, m, out))
                return;
        if (s->select_limited && st.select->union_next) {
            st.select = union_with_select_limit(a, st.select, s->sql_select_limit);
        } else if (s->select_limited && !st.select->has_limit) {
            /* sql_select_limit: the statement's own LIMIT wins, as in MySQL. */
            select_stmt *limited = arena_alloc(a, sizeof(*limited));
            *limited = *st.select;
            limited->has_limit = true;
            limited->limit =
                s->sql_select_limit > INT64_MAX ? INT64_MAX : (int64_t)s->sql_select_limit;
            limited->offset = 0;
            st.select = limited;
        }
        plan_select(a, s, st.select, out);
        if (out->kind == ACTION_QUERY) {
            cache_hints h;
            select_cache_hints(st.select, &h);
            out->plan->no_cache = h.no_cache;
            out->plan->nondeterministic = h.nondeterministic;
        }
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
    case STMT_KILL:
        if (st.kill_id > UINT32_MAX) {
            out->kind = ACTION_ERROR;
            sql_error_set(&out->error, ER_NO_SUCH_THREAD, "HY000", "Unknown thread id: %lld",
                          (long long)st.kill_id);
            return;
        }
        out->kind = ACTION_KILL;
        out->kill_id = (uint32_t)st.kill_id;
        out->kill_query_only = st.kill_query_only;
        return;
    case STMT_EXPLAIN:
        for (select_stmt *m = st.select; m; m = m->union_next)
            if (!resolve_literals(a, s, m, out))
                return;
        plan_explain(a, s, st.select, out);
        return;
    case STMT_SHOW:
        plan_show(a, s, st.show, out);
        return;
    case STMT_UNSUPPORTED:
        plan_unsupported(st.name, out);
        return;
    }
}

/*
 * Statements and string parameters must be UTF-8, the character set Mimir
 * announces (wire/utf8.h): MySQL's error 1300, with the offending bytes in hex
 * as MySQL shows them, rather than a confusing error later (an unknown column
 * of garbled name, PostgreSQL refusing the value) or none at all (SQLite).
 */
static bool report_invalid_utf8(const char *text, size_t len, size_t ok, const char *what,
                                action *out)
{
    char hex[17] = "";
    for (size_t i = 0; i < 8 && ok + i < len; i++)
        snprintf(hex + 2 * i, 3, "%02X", (unsigned char)text[ok + i]);
    out->kind = ACTION_ERROR;
    sql_error_set(&out->error, ER_INVALID_CHARACTER_STRING, "HY000",
                  "Invalid utf8mb4 character string: '%s' (at byte %zu of the %s; Mimir reads "
                  "statements and their values as UTF-8)",
                  hex, ok, what);
    return false;
}

/*
 * Where the first byte that is not UTF-8 is in a statement, skipping the
 * bodies of _binary'...' strings, which hold a binary string's bytes, any
 * bytes at all (go-sql-driver/mysql writes a []byte parameter that way).
 * Only statements that are not UTF-8 as a whole get here, to be lexed twice.
 */
static size_t statement_invalid_utf8_at(arena *a, const char *sql, size_t len)
{
    token_list toks;
    lex_sql(a, sql, len, &toks);
    size_t from = 0;
    for (size_t i = 1; i < toks.len; i++) {
        const token *t = &toks.items[i];
        if (t->kind != TK_STRING || !token_is_word(&toks.items[i - 1], "_binary"))
            continue;
        size_t ok = utf8_valid_prefix((const uint8_t *)sql + from, t->offset - from);
        if (ok < t->offset - from)
            return from + ok;
        from = t->end;
    }
    size_t ok = utf8_valid_prefix((const uint8_t *)sql + from, len - from);
    return from + ok;
}

static bool check_utf8(const char *text, size_t len, const char *what, action *out)
{
    size_t ok = utf8_valid_prefix((const uint8_t *)text, len);
    if (ok == len)
        return true;
    return report_invalid_utf8(text, len, ok, what, out);
}

static bool check_statement_utf8(arena *a, const char *sql, size_t len, action *out)
{
    size_t ok = utf8_valid_prefix((const uint8_t *)sql, len);
    if (ok == len || (ok = statement_invalid_utf8_at(a, sql, len)) == len)
        return true;
    return report_invalid_utf8(sql, len, ok, "statement", out);
}

/* Plans st, collecting the notes the rules that read it leave (plan_note) into out. */
static void plan_with_notes(arena *a, const session_info *s, const statement *st, action *out)
{
    plan_notes notes = {.a = a};
    session_info noted = *s;
    noted.notes = &notes;
    noted.clock_us = time_zone_clock(s->clock_us); /* one clock for the whole statement */
    plan_statement(a, &noted, st, out);
    plan_add_layer_types(a, &noted, st, out);
    out->notes = notes.items;
    out->nnotes = notes.n;
}

void planner_plan(arena *a, const session_info *s, const char *sql, size_t len, action *out)
{
    memset(out, 0, sizeof(*out));
    out->set_autocommit = -1;
    out->set_max_execution_time = -1;
    out->set_rollups = -1;
    if (!check_statement_utf8(a, sql, len, out))
        return;
    statement st;
    parse_error pe;
    if (!parse_statement(a, sql, len, &st, &pe)) {
        syntax_error(&pe, out);
        return;
    }
    plan_with_notes(a, s, &st, out);
}

/* ---- Prepared statements ---------------------------------------------------- */

static int compare_offsets(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return a < b ? -1 : a > b;
}

/*
 * The distinct text positions of the statement's placeholders, sorted: the
 * i-th `?` of the text is parameter i. Counted from the nodes rather than the
 * tokens so that a `?` the grammar never reads cannot shift the numbering.
 */
static size_t param_positions(arena *a, const statement *st, size_t **out)
{
    size_t *pos = arena_alloc(a, (st->nparams + 1) * sizeof(*pos));
    for (size_t i = 0; i < st->nparams; i++)
        pos[i] = st->params[i]->pos;
    qsort(pos, st->nparams, sizeof(*pos), compare_offsets);
    size_t n = 0;
    for (size_t i = 0; i < st->nparams; i++)
        if (n == 0 || pos[n - 1] != pos[i])
            pos[n++] = pos[i];
    *out = pos;
    return n;
}

static bool parse_prepared(arena *a, const char *sql, size_t len, statement *st, size_t **pos,
                           size_t *npos, action *out)
{
    memset(out, 0, sizeof(*out));
    out->set_autocommit = -1;
    out->set_max_execution_time = -1;
    out->set_rollups = -1;
    if (!check_statement_utf8(a, sql, len, out))
        return false;
    parse_error pe;
    if (!parse_statement(a, sql, len, st, &pe)) {
        syntax_error(&pe, out);
        return false;
    }
    *npos = param_positions(a, st, pos);
    return true;
}

/*
 * Errors that do not depend on the values bound: a name that does not
 * resolve, a statement that cannot run here. MySQL reports these at prepare
 * time; any other error of a statement planned with NULL for its placeholders
 * may be the NULLs' doing, and waits for the execute and its real values.
 */
static bool error_of_names(unsigned code)
{
    switch (code) {
    case ER_NO_DB:
    case ER_BAD_DB:
    case ER_BAD_FIELD:
    case ER_NON_UNIQ_ERROR:
    case ER_UNKNOWN_TABLE:
    case ER_NO_SUCH_TABLE:
    case ER_UNKNOWN_SYSTEM_VAR:
    case ER_SP_DOES_NOT_EXIST:
    case ER_OPTION_PREVENTS_STATEMENT:
        return true;
    default:
        return false;
    }
}

/* What a prepare of a statement with placeholders, planned with NULLs, tells. */
static bool prepared_with_nulls(action *out)
{
    if (out->kind == ACTION_ERROR) {
        if (error_of_names(out->error.code))
            return false;
        memset(&out->error, 0, sizeof(out->error));
        out->kind = ACTION_OK; /* the execute plans with the values and tells */
        return true;
    }
    /* A column typed by its values (a placeholder's own, a computed one with
     * no rows here) may have another type once the values are bound. */
    for (size_t i = 0; out->kind == ACTION_ROWS && i < out->rows.ncols; i++)
        if (out->rows.cols[i].type == VT_NULL)
            out->kind = ACTION_OK;
    return true;
}

bool planner_prepare(arena *a, const session_info *s, const char *sql, size_t len, size_t *nparams,
                     action *out)
{
    statement st;
    size_t *pos;
    if (!parse_prepared(a, sql, len, &st, &pos, nparams, out))
        return false;
    /* Planning now tells the columns (of answers the planner computes itself,
     * and of metrics queries whose types the semantic layer knows) and
     * reports the errors MySQL reports at prepare time (unknown columns,
     * read-only statements). Placeholders are planned as NULL, a value of no
     * type. Nothing is applied or run. */
    for (size_t i = 0; i < st.nparams; i++) {
        st.params[i]->kind = EX_LITERAL;
        st.params[i]->lit = LIT_NULL;
        st.params[i]->text = NULL;
        st.params[i]->text_len = 0;
    }
    session_info clocked = *s;
    clocked.clock_us = time_zone_clock(s->clock_us);
    s = &clocked;
    plan_statement(a, s, &st, out);
    bool typed = plan_add_layer_types(a, s, &st, out);
    if (*nparams > 0 && !prepared_with_nulls(out))
        return false;
    if (out->kind == ACTION_ERROR)
        return false;
    if (out->kind == ACTION_QUERY && typed) {
        const_result *r = &out->rows;
        r->ncols = out->plan->ncols;
        r->cols = arena_alloc(a, (r->ncols + 1) * sizeof(result_column));
        for (size_t i = 0; i < r->ncols; i++)
            r->cols[i] = out->plan->cols[i].layer_type;
    }
    return true;
}

void planner_plan_params(arena *a, const session_info *s, const char *sql, size_t len,
                         const param_value *params, size_t nparams, action *out)
{
    statement st;
    size_t *pos, npos;
    if (!parse_prepared(a, sql, len, &st, &pos, &npos, out))
        return;
    if (npos != nparams) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_WRONG_ARGUMENTS, "HY000",
                      "Incorrect arguments to mysqld_stmt_execute: the statement has %zu "
                      "placeholders and %zu values were bound",
                      npos, nparams);
        return;
    }
    for (size_t i = 0; i < st.nparams; i++) {
        expr *e = st.params[i];
        const size_t *at = bsearch(&e->pos, pos, npos, sizeof(*pos), compare_offsets);
        const param_value *v = &params[at - pos];
        if (v->kind == LIT_STRING && !check_utf8(v->text, v->len, "parameter", out))
            return;
        e->kind = EX_LITERAL;
        e->lit = v->kind;
        e->text = v->kind == LIT_NULL ? NULL : v->text;
        e->text_len = v->kind == LIT_NULL ? 0 : v->len;
    }
    plan_with_notes(a, s, &st, out);
}
