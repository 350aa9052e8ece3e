/*
 * Exact numbers in the final stage (the SQL Mimir runs in SQLite over the
 * partial results of the sources), with MySQL's rules.
 *
 * SQLite has no DECIMAL: the combine keeps DECIMAL values as their text and
 * registers exact functions (proxy/exec/combine_functions.h). This module
 * prints the final stage's arithmetic, comparisons with numbers, ROUND,
 * TRUNCATE, MOD, ABS and the CASTs to SIGNED and DECIMAL as calls of those
 * functions, and derives every computed column's type from the expression
 * (type_rule, plan.h), never from its values.
 */
#ifndef MIMIR_PLANNER_FINAL_EXACT_H
#define MIMIR_PLANNER_FINAL_EXACT_H

#include "planner/sql_builder.h"
#include "planner/value_type.h"

/*
 * The caller's knowledge of the leaves: whether e (a column, a metric, an
 * aggregate) may be a number, and the rule of its type (NULL: not a leaf the
 * caller knows; the rules then look inside it).
 */
typedef struct final_leaves {
    bool (*is_number)(void *ctx, const expr *e);
    const type_rule *(*type_of)(void *ctx, const expr *e);
    void *ctx;
} final_leaves;

/*
 * A substitution hook's helper: prints e itself (*handled) when it is one of
 * the operations above; its operands go through sb_expr with b->resolve.
 */
bool final_exact_print(sql_builder *b, const final_leaves *leaves, const expr *e, bool *handled,
                       sql_error *err);

/*
 * Prints x as MySQL shows it: a quotient (a value that keeps MySQL's inner
 * precision, 2/3 held as 0.666666666) rounded to its type's decimals, as
 * MySQL stores a selected column, sorts it (ORDER BY), and removes its
 * duplicates (DISTINCT): 0.0772 is one value however its inner digits end.
 * Anything else is printed as it is. Operands resolve with resolve/ctx.
 */
bool final_print_shown(sql_builder *b, const final_leaves *leaves, const expr *x,
                       sb_column_resolver resolve, void *ctx, sql_error *err);

/* The rule of e's type. */
const type_rule *final_type_rule(arena *a, const final_leaves *leaves, const expr *e);

/* A rule whose type is a known input column's. */
const type_rule *type_rule_input(arena *a, size_t query, size_t col);

/* Evaluates a rule: inputs(ctx, query, col) gives the loaded columns' types. False
 * when the rule leaves it to the values (TR_UNKNOWN somewhere in it). */
typedef result_column (*type_rule_inputs)(void *ctx, size_t query, size_t col);
bool final_type_eval(const type_rule *r, type_rule_inputs inputs, void *ctx, result_column *out);

/* Is e a number-valued expression whatever its inputs (arithmetic, numeric literal, ...)? */
bool final_is_number(const final_leaves *leaves, const expr *e);

#endif
