/*
 * What the files of semantic/ share about catalog objects beyond catalog.h:
 * how to release one object, so that the loader can drop a half-built
 * definition on error with the same code catalog_free uses.
 */
#ifndef MIMIR_SEMANTIC_CATALOG_INTERNAL_H
#define MIMIR_SEMANTIC_CATALOG_INTERNAL_H

#include "semantic/catalog.h"

void catalog_connection_clear(connection *c);
void catalog_source_clear(source *s);
void catalog_metric_clear(metric *m);
void catalog_dimension_clear(dimension *d);

/*
 * Reads calendar.yaml (or calendar.yml) at the root of c->configs_dir into
 * c->cal (semantic/calendar.c); without one, c->cal stays zeroed (not present:
 * weeks start on Monday, no fiscal grains, no zone). Each problem is appended
 * to *problems as "FILE:LINE:COLUMN: message"; false when there was one.
 */
bool catalog_read_calendar(catalog *c, char ***problems, size_t *n_problems);

#endif
