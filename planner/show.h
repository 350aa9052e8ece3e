/*
 * The catalog as MySQL clients read it: SHOW statements, DESCRIBE, and
 * SELECTs on information_schema, answered from the semantic layer without
 * touching a backend.
 */
#ifndef MIMIR_PLANNER_SHOW_H
#define MIMIR_PLANNER_SHOW_H

#include "planner/ast.h"
#include "planner/planner.h"

struct show_stmt {
    const char *what; /* the SHOW target as written, upper-cased: "DATABASES", ... */
};

void plan_show(arena *a, const session_info *s, const show_stmt *show, action *out);
void plan_information_schema(arena *a, const session_info *s, const select_stmt *sel, action *out);

#endif
