/*
 * `mimir validate --server-config FILE`: the users' grants checked against
 * the semantic layer (names, row filters that splice into their sources'
 * SQL) and, with databases, every row filter run inside its source with
 * LIMIT 0, so a filter naming a column the source cannot see is found before
 * a user's query trips on it.
 */
#ifndef MIMIR_PROXY_CLI_VALIDATE_GRANTS_H
#define MIMIR_PROXY_CLI_VALIDATE_GRANTS_H

#include <stdbool.h>
#include <stddef.h>

#include "semantic/catalog.h"

/* Adds each problem ("FILE:LINE: message") to *problems; returns how many. */
size_t validate_grants(const char *server_config, const catalog *cat, bool with_databases,
                       char ***problems, size_t *n_problems);

#endif
