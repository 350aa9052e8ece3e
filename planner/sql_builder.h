/*
 * Builds SQL text for a backend dialect. Identifiers come only from the
 * semantic layer and are quoted here; every literal from a client becomes a
 * parameter, so nothing a client typed is ever spliced into backend SQL.
 */
#ifndef MIMIR_PLANNER_SQL_BUILDER_H
#define MIMIR_PLANNER_SQL_BUILDER_H

#include "planner/arena.h"
#include "planner/ast.h"
#include "planner/plan.h"
#include "planner/sql_error.h"
#include "wire/buf.h"

typedef struct sql_builder sql_builder;

/*
 * Resolves a column reference of a filter to the SQL that names it on this
 * backend query (e.g. "dim_store_id" quoted). Returns NULL with err set when
 * the name is not usable.
 */
typedef const char *(*sb_column_resolver)(void *ctx, const expr *column, sql_error *err);

/*
 * Optional hook consulted for every node before it is printed: it may print
 * a replacement itself (a computed column instead of the expression it
 * stands for) and set *handled. While it runs, b->resolve and b->resolve_ctx
 * are those of the sb_expr call that consulted it, so it can print the
 * node's operands with sb_expr(b, operand, b->resolve, b->resolve_ctx, err).
 */
typedef bool (*sb_substitute)(void *ctx, sql_builder *b, const expr *e, bool *handled,
                              sql_error *err);

struct sql_builder {
    arena *a;
    sql_dialect dialect;
    buf out;
    ptr_vec params; /* query_param * */
    sb_substitute subst;
    void *subst_ctx;
    bool allow_aggregates; /* SQL over a result Mimir holds (derived tables): SUM, COUNT, ... */
    /* The column resolver of the node the hook is looking at (see sb_substitute). */
    sb_column_resolver resolve;
    void *resolve_ctx;
    /* A node the hook has already seen and wraps: printed as itself (its operands go
     * through the hook as usual). */
    const expr *unhooked;
    /* The session's zone: NOW(), CURDATE() ... read its clock (NULL: UTC). */
    const struct time_zone *tz;
    /* The statement's clock (session_info.clock_us) they read; 0: the real clock. */
    int64_t clock_us;
    /* MySQL dialect: a named zone the SQL passes to CONVERT_TZ(), which the
     * connector checks the server knows (atomic_query.tz_name); NULL: none. */
    const char *named_zone;
    /* The canonical calendar grains are printed on: the week's first day, the fiscal
     * year's first month (NULL: Monday weeks, no fiscal year). */
    const calendar *cal;
};

void sb_init(sql_builder *b, arena *a, sql_dialect d);
void sb_str(sql_builder *b, const char *s);
void sb_ident(sql_builder *b, const char *name);
void sb_param(sql_builder *b, param_kind kind, const char *text);
/* A PARAM_DECIMALS parameter: the decimals of rule's type, bound by the executor. */
void sb_param_decimals(sql_builder *b, const struct type_rule *rule);
/* Moves the text into the arena and releases the builder's buffer. */
const char *sb_finish(sql_builder *b, query_param **params, size_t *nparams);
void sb_discard(sql_builder *b);

/* BINARY x, CAST(x AS BINARY) or CONVERT(x, BINARY): MySQL's binary string, compared
 * case-sensitively. */
bool sb_is_binary_cast(const expr *e);

/* The error for @name := expr where only information_schema queries run it. */
#define SB_ASSIGN_UNSUPPORTED                                                                      \
    "This version of Mimir doesn't yet support assignments to user variables (@name := ...) "      \
    "outside information_schema queries"

/* Prints a filter expression; false with err set when it cannot be translated. */
bool sb_expr(sql_builder *b, const expr *e, sb_column_resolver resolve, void *ctx, sql_error *err);

/*
 * The time grains: the prototype's four first (their values are used as
 * indexes), then the finer and the calendar ones added since. Each truncates
 * the time column in UTC (backend sessions run in UTC). week and the fiscal
 * grains follow the catalog's calendar (calendar.yaml); the fiscal ones exist
 * only when it sets fiscal_year_start_month (time_grain_available).
 */
typedef enum {
    GRAIN_TIME,           /* ts: the time column itself */
    GRAIN_DATE,           /* ds: its day */
    GRAIN_MONTH,          /* year_month: first day of its month */
    GRAIN_YEAR,           /* year: its year, an integer */
    GRAIN_SECOND,         /* ts_second: truncated to the second */
    GRAIN_MINUTE,         /* ts_minute */
    GRAIN_HOUR,           /* ts_hour */
    GRAIN_WEEK,           /* week: the Monday of its ISO week (Sunday with week_start: sunday) */
    GRAIN_QUARTER,        /* quarter: first day of its quarter */
    GRAIN_FISCAL_YEAR,    /* fiscal_year: first day of its fiscal year */
    GRAIN_FISCAL_QUARTER, /* fiscal_quarter: first day of its fiscal quarter */
    GRAIN_COUNT
} time_grain;

/* The granularity column for a time expression in this dialect, on b->cal. */
void sb_time_grain(sql_builder *b, time_grain g, const char *time_col);
/* The same, with the time expression printed by print(ctx, b) wherever the grain names
 * it: an expression with parameters (the time column converted to a session zone). */
typedef void (*sb_time_printer)(void *ctx, sql_builder *b);
void sb_time_grain_of(sql_builder *b, time_grain g, sb_time_printer print, void *ctx);

#endif
