/*
 * A rollup stored on another connection than its source's (docs/rollups.md,
 * "Storage") answering a range part of which only the source holds: the rows
 * after the watermark, or a period the range starts or ends inside of. The two
 * databases cannot be read in one statement, so the statement runs in two
 * phases, as a semi-join filter does (plan.h, plan_phase):
 *
 *   1. the source's rows of those parts, aggregated to the rollup's shape
 *      (period, its dimensions, its metric columns: plan.rollup_rows_query);
 *   2. the statement planned again with those rows, each value a parameter,
 *      read beside the rollup's own rows in the storage's one statement
 *
 *        SELECT ... FROM (SELECT period, ... FROM mimir_rollups.r WHERE ...
 *                         UNION ALL SELECT $1, $2, ... UNION ALL SELECT ...) ...
 *
 * so that the storage re-aggregates them exactly as it would if it held them
 * (PostgreSQL types each parameter as the rollup's column; MySQL/MariaDB gets
 * each cast to the type the source gave it). The rows are few (a day of a daily
 * rollup's dimensions, say); more than ROLLUP_ROWS_MAX (or the values that fit,
 * or limits.max_semijoin_values) is error 1105, which a session answers by
 * reading the sources.
 */
#ifndef MIMIR_PLANNER_ROLLUP_PHASE_H
#define MIMIR_PLANNER_ROLLUP_PHASE_H

#include "planner/arena.h"
#include "planner/ast.h"
#include "planner/planner.h"
#include "planner/sql_builder.h"
#include "semantic/catalog.h"

/* At most this many rows, and this many parameters in all, go into the rollup's statement
 * (SQLite's limit of parameters is 32766). */
#define ROLLUP_ROWS_MAX        10000
#define ROLLUP_ROWS_MAX_VALUES 30000

/* Names q's columns as the rollup's: period, its dimensions, its metric columns. */
void rollup_rows_columns(arena *a, const catalog *cat, const rollup *r, atomic_query *q);

/* Prints the rows as " UNION ALL SELECT v, ..." rows, each value a parameter. */
void rollup_rows_print(sql_builder *b, const phase_keys *rows);

/* Makes p, whose rollup_rows_query is set, the two phases above: sel is planned again
 * (in the session s) once the first has its rows. */
void rollup_phase_wrap(arena *a, const session_info *s, const select_stmt *sel, plan *p);

#endif
