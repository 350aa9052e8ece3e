/*
 * What the planner hands to the executor for a metrics query: one atomic
 * query per source (SQL in the backend's dialect plus its parameters), how the
 * client's columns map onto them, and, when more than one source is involved,
 * the SQL that combines the partial results in SQLite.
 */
#ifndef MIMIR_PLANNER_PLAN_H
#define MIMIR_PLANNER_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/value_type.h"
#include "semantic/catalog.h"

typedef enum {
    DIALECT_POSTGRES, /* "ident", $1 placeholders */
    DIALECT_MYSQL,    /* `ident`, ? placeholders */
    DIALECT_SQLITE,   /* "ident", ?NNN placeholders */
} sql_dialect;

/* A literal from the client's query, sent to the backend as a parameter. */
/* PARAM_DECIMALS: only in the final stage's SQL, the number of decimals MySQL shows of
 * an expression (its `rule`), known once the sources have answered: the executor binds
 * it (planner/final_exact.h): -1 when the expression is no DECIMAL, -2 when it is a
 * DOUBLE (PARAM_DECIMALS_DOUBLE). PARAM_TYPE: likewise, the value_type of its rule's type
 * (-1: unknown), for what depends on it (a UNION's DATE beside a DATETIME,
 * planner/set_operation.c). */
#define PARAM_DECIMALS_DOUBLE (-2)
typedef enum { PARAM_TEXT, PARAM_INT, PARAM_NUMBER, PARAM_DECIMALS, PARAM_TYPE } param_kind;
struct type_rule;
typedef struct query_param {
    param_kind kind;
    const char *text; /* NUL-terminated; strings may not contain NUL (rejected earlier) */
    const struct type_rule *rule; /* PARAM_DECIMALS, PARAM_TYPE */
} query_param;

typedef struct atomic_query {
    const source *src;
    const connection *conn;
    sql_dialect dialect;
    const char *sql;
    query_param *params;
    size_t nparams;
    size_t ncols;
    const char **col_names; /* names of its result columns (the combine's table columns) */
    /* Each column's name in the semantic layer: its metric, or the dimension or grain
     * it selects as itself; NULL for an expression. */
    const char **layer_names;
    /*
     * Each column's type as the semantic layer knows it before anything runs
     * (planner/layer_types.h), type VT_NULL where it does not; NULL when the
     * plan was not typed. Execution takes from it what the backend leaves
     * open (a NUMERIC's scale), never what the values happen to show.
     */
    result_column *layer_types;
    /*
     * PostgreSQL and MySQL: a column that is a DECIMAL expression of the source's
     * columns (COALESCE(amount, 0) of a numeric(5,2) amount) has the scale its type
     * rule gives, which a NUMERIC without a typmod does not tell when every value
     * is 0; VT_NULL elsewhere; NULL when there is none. plan_add_query_layer_types
     * puts it in layer_types.
     */
    result_column *expr_types;
    /*
     * MySQL/MariaDB only: the named zone ('America/New_York') its SQL passes to
     * CONVERT_TZ, NULL when it passes none (UTC, an offset, no grain or time
     * bound). CONVERT_TZ answers NULL for a name the server's time zone tables
     * lack, so the connector makes sure the server knows it before running
     * the query (proxy/backend/mysql_backend.c).
     */
    const char *tz_name;
    /*
     * SQLite only: the MySQL type of result column i where its expression fixes
     * one that SQLite's values cannot show (a TIME, which SQLite holds as text),
     * VT_NULL where the values tell; NULL when no column has one.
     */
    const value_type *col_types;
    /* The rollup that answers it (planner/rollup_route.h), NULL: the source's rows; its
     * last refresh (UTC), and the part of the range the source's own rows answer: those
     * before rollup_source_before and from rollup_source_from on (NULL: none). */
    const char *rollup;
    const char *rollup_refreshed_at;
    const char *rollup_source_before;
    const char *rollup_source_from;
} atomic_query;

/*
 * How the type of a column computed in the final stage follows from the types
 * of what it reads, by MySQL's rules (planner/final_exact.h). The planner does
 * not know the sources' types; the executor evaluates the rule once every
 * source has answered (final_type_eval), before the first row goes out.
 */
typedef enum {
    TR_UNKNOWN, /* a function outside the rules: the type of its first value */
    TR_INPUT,   /* column col of atomic query `query`, as loaded */
    TR_FIXED,   /* type and decimals */
    TR_PLUS,    /* a + b, a - b: the wider; a DECIMAL keeps the larger scale */
    TR_TIMES,   /* a * b: a DECIMAL has the sum of the scales */
    TR_DIVIDE,  /* a / b: a DECIMAL with a's scale + div_precision_increment (4) */
    TR_MOD,     /* a % b, MOD(a, b): as +, integers stay integers */
    TR_ROUND,   /* ROUND/TRUNCATE(a, digits): a DECIMAL gets `digits` decimals */
    TR_SAME,    /* a's type: -a, ABS, MIN, MAX */
    TR_MERGE,   /* CASE, IF, COALESCE, GREATEST: the wider of a and b */
    TR_SUM,     /* SUM(a): integers and decimals sum to a DECIMAL */
    TR_AVG,     /* AVG(a): a DECIMAL with 4 more decimals */
    TR_DATE_ADD /* a DATE plus whole days (digits 1) stays a DATE; otherwise DATETIME */
} type_rule_kind;

typedef struct type_rule {
    type_rule_kind kind;
    int type; /* value_type, TR_FIXED */
    int decimals;
    size_t query, col; /* TR_INPUT */
    int digits;        /* TR_ROUND (TYPE_RULE_ANY_DIGITS: not a literal); TR_DATE_ADD */
    const struct type_rule *a, *b;
} type_rule;

#define TYPE_RULE_ANY_DIGITS (-1000)

/* One column the client sees. */
typedef struct plan_column {
    const char *name;     /* as the client sees it (alias or default name) */
    const char *org_name; /* the dimension or metric name */
    bool is_metric;
    bool computed;         /* an expression of the final stage: its type comes from `type` */
    const type_rule *type; /* computed: the rule of its type (never NULL) */
    size_t query;          /* the atomic query that provides it (for a dimension: the first) */
    size_t query_col;      /* its column there */
    /* Its type as the semantic layer knows it before anything runs
     * (planner/layer_types.h); type VT_NULL when it does not. Execution takes
     * from it only what the backend leaves unknown: a NUMERIC's scale when no
     * row tells it, a timestamp's precision. */
    result_column layer_type;
} plan_column;

/*
 * The key values the first phase of a semi-join filter found (proxy/exec/phases.c
 * collects them): n rows of ncols values each, row-major (a filter on two keys
 * has two values a row); values[i] NULL is SQL NULL; kinds[c] is how the values
 * of key column c are written as literals (LIT_INT, LIT_NUMBER or LIT_STRING of
 * planner/ast.h), from the type of the column that held them.
 */
typedef struct phase_keys {
    const char *const *values;
    const size_t *lengths;
    size_t n;
    size_t ncols;
    const int *kinds;        /* planner/ast.h literal_kind of each column's values */
    const bool *approximate; /* per column: LIT_NUMBER of a FLOAT or DOUBLE, not a DECIMAL */
    /* per column: the MySQL type (wire/protocol.h MYSQL_TYPE_*) and decimals of the
     * column that held them; NULL when not known (values known at planning) */
    const int *types;
    const int *decimals;
} phase_keys;

struct plan;
struct sql_error;

/*
 * A statement answered in two phases (planner/semijoin.h): `inner` runs
 * first, the values of its columns key_cols are collected (at most max_keys
 * rows: more is an error, never a truncation), then plan_outer plans the
 * statement with those values pushed into its sources' WHERE as parameters,
 * and that plan gives the answer. plan_outer is the planner's: execution
 * calls it back (it includes the planner, never the reverse); it allocates in
 * the arena the plan was made in, which lives until the caller has its answer.
 */
typedef struct plan_phase {
    const struct plan *inner;
    const size_t *key_cols; /* the inner result's key columns, in the filter's order */
    size_t nkey_cols;
    size_t max_keys;
    const char *key_name; /* the outer column(s) filtered, for messages */
    void *ctx;
    /* False, with err set, when the outer statement cannot be planned. */
    bool (*plan_outer)(void *ctx, const phase_keys *keys, const struct plan **out,
                       struct sql_error *err);
    /* A scalar subquery (planner/scalar_subquery.h): max_keys is 1, and a second row is
     * MySQL's error 1242; outer_select is the statement planned without its value. */
    bool scalar;
    const struct select_stmt *outer_select;
    /* EXISTS (SELECT ...), a scalar phase too: whether the subquery returned a row. */
    bool exists;
    /* key NOT IN (SELECT ...): an anti semi-join filter, pushed as NOT IN (...). */
    bool anti;
    /* Not NULL: the source's rows a rollup stored on another connection needs, read
     * with that rollup's rows (planner/rollup_phase.h); more than max_keys is then
     * error 1105, which a session answers by reading the sources. */
    const char *rollup;
} plan_phase;

/*
 * Where final_sql joins the atomic queries' tables, s0 FULL OUTER JOIN s1 USING (...)
 * FULL OUTER JOIN s2 ..., with no parameter inside: the execution may join them in
 * another order, so that the last source to answer is the one scanned and the others,
 * looked up by their keys, are indexed while it runs (proxy/exec/exec.c). Offsets are
 * into sql, which must be the plan's final_sql: a plan made from another's text (a
 * derived table, a UNION) has other SQL and no join to reorder.
 */
typedef struct final_join {
    const char *sql;               /* the final_sql the offsets are in; NULL: none */
    size_t from, to;               /* the whole join: [from, to) */
    size_t *table_from, *table_to; /* table i's text, for each of the plan's queries */
    const char *using_sql;         /* " USING (...)", after every table but the first */
} final_join;

typedef struct plan {
    atomic_query *queries;
    size_t nqueries;
    plan_column *cols;
    size_t ncols;
    /*
     * NULL when one atomic query answers everything: its columns are the
     * client's columns in order, with ORDER BY and LIMIT pushed down, so rows
     * stream straight through. Otherwise a SQLite SELECT over tables s0, s1,
     * ... (atomic query i loaded into si with columns named col_names): the
     * combine of several sources, expressions over metrics, HAVING.
     */
    const char *final_sql;
    query_param *final_params;
    size_t nfinal_params;
    final_join join; /* the tables' join in final_sql, when it may be reordered */
    /* A Note for SHOW WARNINGS about how the statement was answered (NULL: none). */
    const char *note;
    /* What the statement says about caching its result (proxy/cache/cache_policy.h). */
    bool no_cache;         /* SELECT SQL_NO_CACHE */
    bool nondeterministic; /* NOW(), CURRENT_DATE, RAND(), ...: the answer changes by itself */
    /* The combine joins on the first njoin_cols columns of every table (the
     * dimensions; 0 for a CROSS JOIN); a single table has them as keys too. */
    size_t njoin_cols;
    /* Not NULL: the number of join keys of each atomic query's table, where they
     * differ (a UNION of statements, planner/set_operation.h); njoin_cols is then 0. */
    const size_t *query_keys;
    /* Not NULL: the statement reads a rollup stored on another connection than its
     * source's, and the source's rows of the range's head or tail must come first:
     * this query, on the source, gives them in the rollup's shape (planner/rollup_phase.h
     * makes it the plan's first phase). */
    atomic_query *rollup_rows_query;
    /*
     * Not NULL: a semi-join filter (or another first phase: planner/rollup_phase.h). This plan is
     * then the outer statement planned with no key values (its columns tell the result's columns,
     * for a prepare and for EXPLAIN); execution runs phase->inner first and the plan that
     * phase->plan_outer makes of its values instead of this one.
     */
    const plan_phase *phase;
} plan;

#endif
