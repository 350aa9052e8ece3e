/*
 * Schema probes: queries that cannot return rows (LIMIT 0, WHERE 1 = 0), which
 * BI tools send to learn a result's columns. They are answered from the
 * semantic layer with the same column types information_schema reports,
 * without touching a backend.
 */
#ifndef MIMIR_PLANNER_PROBE_H
#define MIMIR_PLANNER_PROBE_H

#include "planner/planner.h"

bool select_is_probe(const select_stmt *sel);
void plan_probe(arena *a, const session_info *s, const select_stmt *sel, const source *table,
                action *out);

#endif
