/*
 * What the function families share (planner/functions.c, functions_time.c,
 * functions_string.c, functions_math.c): the printing context of one call,
 * the template expander, and the shape of a translation table row. Each
 * family has its own table; sb_function looks a name up in all of them, and
 * the docs table (docs/sql.md) lists them in the order of tables_in_order in
 * functions.c.
 */
#ifndef MIMIR_PLANNER_FUNCTIONS_INTERNAL_H
#define MIMIR_PLANNER_FUNCTIONS_INTERNAL_H

#include "planner/functions.h"

typedef struct print_ctx {
    sql_builder *b;
    const expr *call;
    sb_column_resolver resolve;
    void *ctx;
    sql_error *err;
} print_ctx;

typedef bool (*special_printer)(print_ctx *pc);

typedef struct function_map {
    const char *name;
    int min_args, max_args; /* max -1: any */
    const char *tmpl[3];    /* by dialect; NULL: use special, or unsupported there */
    special_printer special;
} function_map;

#define T(pg, sqlite, mysql)                                                                       \
    {                                                                                              \
        [DIALECT_POSTGRES] = pg, [DIALECT_SQLITE] = sqlite, [DIALECT_MYSQL] = mysql                \
    }
#define SAME(t) T(t, t, t)

/*
 * Expands a template: $1..$9 print that argument, $* all of them separated
 * by commas; everything else is copied.
 */
bool fn_expand(print_ctx *pc, const char *tmpl);
/* Error 1235 naming the function, with an optional reason. */
bool fn_unsupported(print_ctx *pc, const char *why);
/* Argument i when it is a string literal; else error 1210 naming `what`. */
const expr *fn_string_arg(print_ctx *pc, size_t i, const char *what);
const char *fn_dialect_name(sql_dialect d);
/* sb_expr of one expression in the call's context. */
bool fn_print(print_ctx *pc, const expr *e);

/* A MySQL date format in PostgreSQL's to_char or SQLite's strftime; NULL (with *bad,
 * the code) when a code has no equivalent there. */
char *fn_translate_format(arena *a, const char *fmt, sql_dialect d, char *bad);
/* Has fmt a code this dialect computes as an expression (weeks, %D, %w)? Then
 * DATE_FORMAT prints as a concatenation of pieces (planner/functions_date_format.c). */
bool fn_date_format_has_computed(const char *fmt, sql_dialect d);
bool fn_print_date_format_pieces(print_ctx *pc, const char *fmt);

/* FROM_UNIXTIME(n) under a session zone other than UTC (planner/functions_time.c). */
bool fn_print_from_unixtime_zoned(print_ctx *pc);

/* UNIX_TIMESTAMP(x) of a wall clock under a session zone other than UTC
 * (planner/functions_time.c). */
bool fn_print_unix_timestamp_zoned(print_ctx *pc);

/* The families' tables, each ended by a row with a NULL name. */
extern const function_map time_functions[];
extern const function_map string_functions[];
extern const function_map math_functions[];

#endif
