/*
 * Rollup definitions (a source's `rollups:` list): read with the source, checked
 * once the project is loaded. The struct is in semantic/catalog.h; the storage
 * contract in docs/rollups.md.
 */
#ifndef MIMIR_SEMANTIC_ROLLUPS_H
#define MIMIR_SEMANTIC_ROLLUPS_H

#include <stdbool.h>
#include <stddef.h>

#include "semantic/catalog.h"
#include "semantic/yaml_doc.h"

/* The state table beside the rollups (docs/rollups.md); no rollup may have its name. */
#define ROLLUP_STATE_TABLE "mimir_rollups_state"

/* Reads list (the `rollups:` value of source s, NULL/null: none) into s->rollups;
 * each problem is appended to *problems as "FILE:LINE:COLUMN: message". */
bool rollups_read(const char *file, source *s, const ynode *list, char ***problems,
                  size_t *n_problems);

/* The cross-references of every rollup of c (grains, dimensions, metrics, unique
 * names); storage connections are resolved by the loader with the secrets. */
bool rollups_check(const catalog *c, char ***problems, size_t *n_problems);

void rollup_clear(rollup *r);

/* "ds" for "DS"; NULL when name is no grain a rollup can be built at. */
const char *rollup_grain_canonical(const char *name);

/* "1 hour", "3 days": seconds in *out; false when text is no duration. */
bool rollup_parse_duration(const char *text, long *out);

#endif
