/*
 * The column types a rollup build plans with (planner/rollup_plan.h reads its
 * source's time column's: an instant, which the calendar's zone converts, or a
 * wall clock, which it does not). A server's builds take what its type
 * discovery learnt (proxy/type_discovery.c), copied when a build is scheduled,
 * since the worker thread must not read what the loop may change; the command
 * line, which has no server, asks the source's database itself with the same
 * probe, described as the connectors describe a result.
 */
#ifndef MIMIR_PROXY_ROLLUPS_ROLLUP_TYPES_H
#define MIMIR_PROXY_ROLLUPS_ROLLUP_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/discovered_types.h"
#include "semantic/catalog.h"

/* A new set holding the type of s's time column as from knows it (empty when it does
 * not, or from is NULL); discovered_types_free's to free. */
discovered_types *rollup_types_copy(const discovered_types *from, const source *s);

/* Does t know the type of s's time column? */
bool rollup_types_known(const discovered_types *t, const source *s);

/*
 * Learns the type of s's time column into `into` with a blocking query on s's
 * connection: the type probe of its time column (planner/type_probe.h, LIMIT 0), as
 * the server's type discovery runs it. False with the reason in err.
 */
bool rollup_types_learn(const catalog *cat, const source *s, discovered_types *into, char *err,
                        size_t errlen);

#endif
