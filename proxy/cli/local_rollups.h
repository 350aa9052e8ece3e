/*
 * The rollups a statement the command line runs itself (`mimir query` without --host)
 * may read, found as a server that starts finds them: by reading each rollup's state
 * row in its storage database.
 */
#ifndef MIMIR_PROXY_CLI_LOCAL_ROLLUPS_H
#define MIMIR_PROXY_CLI_LOCAL_ROLLUPS_H

#include <stddef.h>

#include "planner/discovered_types.h"
#include "planner/rollup_route.h"
#include "semantic/catalog.h"

/*
 * The rollups of cat built with the definition in force (their state row's hash), by a
 * server or by `mimir rollups build`, with their watermark: what the planner routes with
 * (session_info.rollups). types: the column types learnt of the sources (NULL: none; a
 * calendar zone that needs the time column's type then asks the source's database).
 * A storage that does not answer, or a rollup not built or built with another
 * definition, is left out, and its source answers. The names point into cat; free()
 * the array.
 */
rollup_ready *local_rollups_ready(const catalog *cat, const discovered_types *types, size_t *n);

#endif
