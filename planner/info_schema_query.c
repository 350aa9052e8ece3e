/*
 * SELECT ... FROM information_schema.<table> [JOIN ...] [WHERE] [GROUP BY]
 * [HAVING] [ORDER BY] [LIMIT]: the parsed statement is printed again as
 * SQLite SQL over the information_schema database. Every table must be an
 * information_schema table and every column one of its columns (checked here,
 * with MySQL's errors); tables get aliases t0, t1, ... and select items c0,
 * c1, ..., so no name the client wrote reaches SQLite, and literals are
 * parameters.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/catalog_sql.h"
#include "planner/functions.h"
#include "planner/info_schema.h"
#include "planner/info_schema_tables.h"
#include "planner/show.h"

typedef struct from_table {
    const is_table *def;
    const char *name; /* as the query names it: its alias, else the table name */
} from_table;

typedef struct printer printer;

/* One SELECT being printed: the statement itself or a subquery of it. */
typedef struct query_ctx {
    printer *pr;
    const select_stmt *sel;
    struct query_ctx *parent; /* the query a subquery is in: correlated names resolve there */
    unsigned id;              /* its tables are "q<id>t<i>" */
    from_table *tables;
    size_t ntables;
    const char *clause;   /* for error messages: "field list", "where clause", ... */
    bool aliases_allowed; /* GROUP BY, HAVING, ORDER BY may name select items */
    bool union_member;    /* its ORDER BY and LIMIT are the union's (print_union_tail) */
} query_ctx;

/* What every query of one statement shares. */
struct printer {
    arena *a;
    const session_info *s;
    query_ctx *current; /* whose names sb_expr is resolving (the substitution hook needs it) */
    unsigned next_id;
};

static bool fail(sql_error *err, uint16_t code, const char *state, const char *fmt, const char *arg)
{
    sql_error_set(err, code, state, fmt, arg);
    return false;
}

/* ---- FROM ---------------------------------------------------------------------- */

static bool resolve_from(query_ctx *q, sql_error *out)
{
    const select_stmt *sel = q->sel;
    const session_info *s = q->pr->s;
    if (!sel->nfrom)
        return fail(out, ER_NOT_SUPPORTED_YET, "42000",
                    "This version of Mimir doesn't yet support %s", "subqueries without FROM");
    q->ntables = sel->nfrom;
    q->tables = arena_alloc(q->pr->a, sel->nfrom * sizeof(from_table));
    for (size_t i = 0; i < sel->nfrom; i++) {
        const table_ref *t = &sel->from[i];
        if (t->subquery)
            return fail(out, ER_NOT_SUPPORTED_YET, "42000",
                        "This version of Mimir doesn't yet support %s in information_schema "
                        "queries",
                        "derived tables");
        const char *db = t->db ? t->db : s->db;
        if (!db)
            return fail(out, ER_NO_DB, "3D000", "No database selected%s", "");
        if (strcasecmp(db, INFO_SCHEMA_DATABASE) != 0) {
            if (!planner_database_exists(db))
                return fail(out, ER_BAD_DB, "42000", "Unknown database '%s'", db);
            return fail(out, ER_NOT_SUPPORTED_YET, "42000",
                        "This version of Mimir doesn't yet support joins of information_schema "
                        "with %s tables",
                        db);
        }
        q->tables[i].def = is_table_find(t->name);
        if (!q->tables[i].def)
            return fail(out, ER_UNKNOWN_TABLE, "42S02", "Unknown table '%s' in information_schema",
                        t->name);
        q->tables[i].name = t->alias ? t->alias : t->name;
    }
    for (size_t i = 0; i < q->ntables; i++)
        for (size_t j = 0; j < i; j++)
            if (strcasecmp(q->tables[i].name, q->tables[j].name) == 0)
                return fail(out, 1066, "42000", "Not unique table/alias: '%s'", q->tables[i].name);
    return true;
}

/* ---- Column references ------------------------------------------------------------ */

static const char *column_of(const is_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcasecmp(t->cols[i].name, name) == 0)
            return t->cols[i].name;
    return NULL;
}

static const char *column_text(arena *a, const expr *col)
{
    if (col->nparts == 1)
        return col->parts[0];
    if (col->nparts == 2)
        return arena_printf(a, "%s.%s", col->parts[0], col->parts[1]);
    return arena_printf(a, "%s.%s.%s", col->parts[0], col->parts[1], col->parts[2]);
}

/* The select item an unqualified name refers to in GROUP BY/HAVING/ORDER BY; -1 if none. */
static long select_alias(const query_ctx *q, const char *name)
{
    for (size_t i = 0; i < q->sel->nitems; i++)
        if (q->sel->items[i].alias && strcasecmp(q->sel->items[i].alias, name) == 0)
            return (long)i;
    return -1;
}

/* Finds [db.][table.]name in q's own tables: how many match; the first's index and name. */
static size_t match_column(const query_ctx *q, const expr *col, size_t *table, const char **name)
{
    const char *want = col->parts[col->nparts - 1];
    const char *qualifier = col->nparts >= 2 ? col->parts[col->nparts - 2] : NULL;
    if (col->nparts == 3 && strcasecmp(col->parts[0], INFO_SCHEMA_DATABASE) != 0)
        qualifier = NULL, want = NULL;
    size_t found = 0;
    for (size_t i = 0; want && i < q->ntables; i++) {
        if (qualifier && strcasecmp(qualifier, q->tables[i].name) != 0)
            continue;
        const char *c = column_of(q->tables[i].def, want);
        if (!c)
            continue;
        if (found++ == 0) {
            *table = i;
            *name = c;
        }
    }
    return found;
}

/* Finds a column in q, else in the queries q is nested in (a correlated reference):
 * the query that has it, its table index and canonical name. */
static bool find_column(query_ctx *q, const expr *col, query_ctx **owner, size_t *table,
                        const char **name, sql_error *err)
{
    size_t found = 0;
    for (query_ctx *at = q; at && !found; at = at->parent) {
        found = match_column(at, col, table, name);
        *owner = at;
    }
    if (found == 1)
        return true;
    if (found > 1)
        sql_error_set(err, ER_NON_UNIQ_ERROR, "23000", "Column '%s' in %s is ambiguous",
                      column_text(q->pr->a, col), q->clause);
    else
        sql_error_set(err, ER_BAD_FIELD, "42S22", "Unknown column '%s' in '%s'",
                      column_text(q->pr->a, col), q->clause);
    return false;
}

static const char *resolve_column(void *ctx, const expr *col, sql_error *err)
{
    query_ctx *q = ctx;
    if (q->aliases_allowed && col->nparts == 1) {
        long item = select_alias(q, col->parts[0]);
        if (item >= 0)
            return arena_printf(q->pr->a, "\"c%ld\"", item);
    }
    query_ctx *owner;
    size_t t;
    const char *name;
    if (!find_column(q, col, &owner, &t, &name, err))
        return NULL;
    return arena_printf(q->pr->a, "\"q%ut%zu\".\"%s\"", owner->id, t, name);
}

static bool print_expr(sql_builder *b, query_ctx *q, const expr *e, const char *clause,
                       bool aliases, sql_error *out)
{
    q->clause = clause;
    q->aliases_allowed = aliases;
    q->pr->current = q;
    return sb_expr(b, e, resolve_column, q, out);
}

/* ---- Select list --------------------------------------------------------------- */

/* * or t.*: every column of the matching tables, named as the table names them. */
static bool expand_star(sql_builder *b, query_ctx *q, const expr *star, ptr_vec *names,
                        size_t *item, sql_error *out)
{
    bool any = false;
    for (size_t t = 0; t < q->ntables; t++) {
        if (star->nparts && strcasecmp(star->parts[star->nparts - 1], q->tables[t].name) != 0)
            continue;
        any = true;
        const is_table *def = q->tables[t].def;
        for (size_t c = 0; c < def->ncols; c++) {
            buf_printf(&b->out, "%s\"q%ut%zu\".\"%s\" AS \"c%zu\"", *item ? ", " : "", q->id, t,
                       def->cols[c].name, *item);
            ptr_vec_push(q->pr->a, names, (void *)def->cols[c].name);
            (*item)++;
        }
    }
    if (!any)
        return fail(out, ER_BAD_FIELD, "42S22", "Unknown table '%s'", star->parts[0]);
    return true;
}

/*
 * An unaliased column is named as information_schema names it (MySQL 8.0
 * reports TABLE_NAME for table_name); an unaliased expression as written.
 */
static const char *item_name(query_ctx *q, const select_item *it)
{
    if (it->alias)
        return it->alias;
    if (it->e->kind == EX_COLUMN) {
        query_ctx *owner;
        size_t t;
        const char *name;
        sql_error ignored;
        if (find_column(q, it->e, &owner, &t, &name, &ignored))
            return name;
    }
    return it->text;
}

static bool print_select_list(sql_builder *b, query_ctx *q, ptr_vec *names, sql_error *out)
{
    size_t item = 0;
    for (size_t i = 0; i < q->sel->nitems; i++) {
        const select_item *it = &q->sel->items[i];
        if (it->e->kind == EX_STAR) {
            if (!expand_star(b, q, it->e, names, &item, out))
                return false;
            continue;
        }
        if (item)
            sb_str(b, ", ");
        if (!print_expr(b, q, it->e, "field list", false, out))
            return false;
        buf_printf(&b->out, " AS \"c%zu\"", item++);
        ptr_vec_push(q->pr->a, names, (void *)item_name(q, it));
    }
    return true;
}

/* ---- The statement ------------------------------------------------------------- */

static const char *const join_sql[] = {
    [JOIN_FIRST] = "",           [JOIN_COMMA] = ", ",           [JOIN_INNER] = " JOIN ",
    [JOIN_LEFT] = " LEFT JOIN ", [JOIN_RIGHT] = " RIGHT JOIN ", [JOIN_CROSS] = " JOIN ",
};

static bool print_from(sql_builder *b, query_ctx *q, sql_error *out)
{
    sb_str(b, " FROM ");
    for (size_t i = 0; i < q->ntables; i++) {
        const table_ref *t = &q->sel->from[i];
        buf_printf(&b->out, "%s\"%s\" AS \"q%ut%zu\"", join_sql[t->join], q->tables[i].def->name,
                   q->id, i);
        if (t->on) {
            sb_str(b, " ON ");
            if (!print_expr(b, q, t->on, "on clause", false, out))
                return false;
        }
    }
    return true;
}

/* ORDER BY/GROUP BY n: the n-th select column, checked, printed as a number. */
static bool print_position(sql_builder *b, const expr *e, size_t ncols, const char *clause,
                           bool *printed, sql_error *out)
{
    *printed = false;
    if (e->kind != EX_LITERAL || e->lit != LIT_INT)
        return true;
    for (const char *c = e->text; *c; c++)
        if (!isdigit((unsigned char)*c))
            return true;
    long n = strtol(e->text, NULL, 10);
    if (n < 1 || (size_t)n > ncols) {
        sql_error_set(out, ER_BAD_FIELD, "42S22", "Unknown column '%s' in '%s'", e->text, clause);
        return false;
    }
    buf_printf(&b->out, "%ld", n);
    *printed = true;
    return true;
}

static bool print_key(sql_builder *b, query_ctx *q, const expr *e, size_t ncols, const char *clause,
                      sql_error *out)
{
    bool printed;
    if (!print_position(b, e, ncols, clause, &printed, out))
        return false;
    return printed || print_expr(b, q, e, clause, true, out);
}

/*
 * HAVING without GROUP BY in a query without aggregates (Connector/J's
 * getTables: ... HAVING TABLE_TYPE IN ('TABLE','VIEW')) filters rows as WHERE
 * would, its names read as select-list aliases first, as in MySQL. SQLite
 * refuses HAVING there, so it is printed as a WHERE condition on the aliases
 * (SQLite resolves result-column aliases in WHERE).
 */
static bool having_filters_rows(const select_stmt *sel)
{
    if (!sel->having || sel->ngroup_by || expr_has_aggregate(sel->having))
        return false;
    for (size_t i = 0; i < sel->nitems; i++)
        if (expr_has_aggregate(sel->items[i].e))
            return false;
    return true;
}

static bool print_where(sql_builder *b, query_ctx *q, bool with_having, sql_error *out)
{
    const select_stmt *sel = q->sel;
    if (!sel->where && !with_having)
        return true;
    sb_str(b, " WHERE (");
    if (sel->where && !print_expr(b, q, sel->where, "where clause", false, out))
        return false;
    sb_str(b, sel->where && with_having ? ") AND (" : "");
    if (with_having && !print_expr(b, q, sel->having, "having clause", true, out))
        return false;
    sb_str(b, ")");
    return true;
}

static bool print_tail(sql_builder *b, query_ctx *q, size_t ncols, sql_error *out)
{
    const select_stmt *sel = q->sel;
    bool having_as_where = having_filters_rows(sel);
    if (!print_where(b, q, having_as_where, out))
        return false;
    for (size_t i = 0; i < sel->ngroup_by; i++) {
        sb_str(b, i ? ", " : " GROUP BY ");
        if (!print_key(b, q, sel->group_by[i], ncols, "group statement", out))
            return false;
    }
    if (sel->having && !having_as_where) {
        sb_str(b, " HAVING ");
        if (!print_expr(b, q, sel->having, "having clause", true, out))
            return false;
    }
    if (q->union_member)
        return true;
    for (size_t i = 0; i < sel->norder_by; i++) {
        sb_str(b, i ? ", " : " ORDER BY ");
        if (!print_key(b, q, sel->order_by[i].e, ncols, "order clause", out))
            return false;
        /* MySQL sorts NULLs first ascending, last descending; so does SQLite. */
        sb_str(b, sel->order_by[i].desc ? " DESC" : " ASC");
    }
    if (sel->has_limit)
        buf_printf(&b->out, " LIMIT %lld OFFSET %lld", (long long)sel->limit,
                   (long long)sel->offset);
    return true;
}

/* SELECT ... of one query (the statement's or a subquery's) into b; names gets its columns. */
static bool print_query(sql_builder *b, query_ctx *q, ptr_vec *names, sql_error *err)
{
    q->id = q->pr->next_id++;
    if (!resolve_from(q, err))
        return false;
    sb_str(b, q->sel->distinct ? "SELECT DISTINCT " : "SELECT ");
    return print_select_list(b, q, names, err) && print_from(b, q, err) &&
           print_tail(b, q, names->len, err);
}

/*
 * sb_expr's hook: subqueries are printed here, in the scope of the query they
 * appear in; session functions and variables become their values.
 */
static bool print_subquery_or_value(void *ctx, sql_builder *b, const expr *e, bool *handled,
                                    sql_error *err)
{
    printer *pr = ctx;
    bool in = e->kind == EX_IN && e->subquery;
    if (e->kind != EX_SUBQUERY && e->kind != EX_EXISTS && !in)
        return catalog_session_value((void *)pr->s, b, e, handled, err);
    *handled = true;
    query_ctx *outer = pr->current;
    if (in) {
        sb_str(b, "(");
        if (!sb_expr(b, e->left, resolve_column, outer, err))
            return false;
        sb_str(b, e->negated ? " NOT IN " : " IN ");
    } else if (e->kind == EX_EXISTS) {
        sb_str(b, "EXISTS ");
    }
    query_ctx inner = {.pr = pr, .sel = e->subquery, .parent = outer};
    ptr_vec names = {0};
    sb_str(b, "(");
    bool ok = print_query(b, &inner, &names, err);
    sb_str(b, in ? "))" : ")");
    pr->current = outer;
    return ok;
}

/*
 * A UNION's ORDER BY (written after its last SELECT) names the union's columns,
 * by position or by the first SELECT's column names; its LIMIT is the union's.
 */
static bool print_union_tail(sql_builder *b, const select_stmt *last, ptr_vec *names,
                             sql_error *err)
{
    for (size_t i = 0; i < last->norder_by; i++) {
        const expr *e = last->order_by[i].e;
        sb_str(b, i ? ", " : " ORDER BY ");
        bool printed;
        if (!print_position(b, e, names->len, "order clause", &printed, err))
            return false;
        for (size_t c = 0; !printed && e->kind == EX_COLUMN && e->nparts == 1 && c < names->len;
             c++) {
            if (strcasecmp(names->items[c], e->parts[0]) == 0) {
                buf_printf(&b->out, "%zu", c + 1);
                printed = true;
            }
        }
        if (!printed)
            return fail(err, ER_BAD_FIELD, "42S22", "Unknown column '%s' in 'order clause'",
                        e->kind == EX_COLUMN ? column_text(b->a, e) : "expression");
        sb_str(b, last->order_by[i].desc ? " DESC" : " ASC");
    }
    if (last->has_limit)
        buf_printf(&b->out, " LIMIT %lld OFFSET %lld", (long long)last->limit,
                   (long long)last->offset);
    return true;
}

/* SELECT ... UNION [ALL] SELECT ...: SQLite's compound SELECT reads it as MySQL does
 * (left to right; a DISTINCT union removes the duplicates of everything before it). */
static bool print_union(sql_builder *b, printer *pr, const select_stmt *sel, ptr_vec *names,
                        sql_error *err)
{
    const select_stmt *last = sel;
    for (const select_stmt *m = sel; m; m = m->union_next) {
        query_ctx q = {.pr = pr, .sel = m, .union_member = true};
        ptr_vec member_names = {0};
        if (m != sel)
            sb_str(b, " ");
        if (!print_query(b, &q, m == sel ? names : &member_names, err))
            return false;
        if (m != sel && member_names.len != names->len)
            return fail(err, ER_WRONG_NUMBER_OF_COLUMNS_IN_SELECT, "21000",
                        "The used SELECT statements have a different number of columns%s", "");
        if (m->union_next)
            sb_str(b, m->union_all ? " UNION ALL" : " UNION");
        last = m;
    }
    return print_union_tail(b, last, names, err);
}

void plan_information_schema(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    if (!catalog_available(s, out))
        return;
    printer pr = {.a = a, .s = s};
    query_ctx q = {.pr = &pr, .sel = sel};
    sql_builder b;
    catalog_builder_init(&b, a, s);
    b.subst = print_subquery_or_value;
    b.subst_ctx = &pr;
    ptr_vec names = {0};
    if (!(sel->union_next ? print_union(&b, &pr, sel, &names, &out->error)
                          : print_query(&b, &q, &names, &out->error))) {
        sb_discard(&b);
        out->kind = ACTION_ERROR;
        return;
    }
    info_schema_set_session(s->info_schema, s, NULL);
    catalog_run(a, s, &b, (const char *const *)names.items, out);
}
