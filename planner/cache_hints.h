/*
 * What a SELECT says about caching its result: SQL_NO_CACHE anywhere in it,
 * and whether its answer can change with nothing changing in the data (it
 * calls NOW(), CURRENT_DATE, RAND(), reads a variable, ...). The result cache
 * (proxy/cache/cache_policy.h) answers neither kind.
 */
#ifndef MIMIR_PLANNER_CACHE_HINTS_H
#define MIMIR_PLANNER_CACHE_HINTS_H

#include <stdbool.h>

#include "planner/ast.h"

typedef struct cache_hints {
    bool no_cache;
    bool nondeterministic;
} cache_hints;

void select_cache_hints(const select_stmt *sel, cache_hints *out);
/* True for a function whose value depends on the moment or the session (NOW, RAND, ...). */
bool function_is_nondeterministic(const char *name);

#endif
