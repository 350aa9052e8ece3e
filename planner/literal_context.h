/*
 * What MySQL makes of a binary-string literal depends on where it stands.
 * A hexadecimal or bit-value literal (X'41', 0x41, b'1000001', 0b1000001) is
 * a number in a numeric context (0x41 + 0 is 65, and int_col = 0x41 compares
 * with 65) and the binary string 'A' elsewhere (str_col = 0x41 compares bytes).
 * A _binary'...' string is a binary string, read as a number beside a number.
 * Compared with a column, a literal yields to the column's collation (MySQL's
 * coercibility rules): dim = _binary'x' compares as dim = 'x' does.
 *
 * literal_contexts_resolve() decides this once per statement, before anything
 * is printed: each hexadecimal or bit-value literal becomes an integer literal
 * or stays a binary string, and a _binary string compared with a number loses
 * its binary mark. Where the context depends on a type Mimir does not know
 * (a function's result, a parameter, a time column), the statement is refused
 * with 1235 rather than answered one way when MySQL would answer the other.
 */
#ifndef MIMIR_PLANNER_LITERAL_CONTEXT_H
#define MIMIR_PLANNER_LITERAL_CONTEXT_H

#include <stdbool.h>

#include "planner/arena.h"
#include "planner/ast.h"
#include "planner/sql_error.h"

typedef enum {
    LITERAL_CONTEXT_UNKNOWN,
    LITERAL_CONTEXT_NUMBER,
    LITERAL_CONTEXT_STRING,
    LITERAL_CONTEXT_TEMPORAL,
} literal_context;

/* The kind of value a column reference of the statement holds; UNKNOWN when not known. */
typedef literal_context (*literal_column_kind)(void *ctx, const expr *column);

/* Resolves every binary-string literal of sel (and of its subqueries and derived tables). */
bool literal_contexts_resolve(arena *a, select_stmt *sel, literal_column_kind kind, void *ctx,
                              sql_error *err);

#endif
