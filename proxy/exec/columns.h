/* Column definitions for the wire from Mimir's value types. */
#ifndef MIMIR_PROXY_EXEC_COLUMNS_H
#define MIMIR_PROXY_EXEC_COLUMNS_H

#include "planner/planner.h"
#include "planner/value_type.h"
#include "wire/protocol.h"

/* Fills out for a column of the virtual table mimir.metrics (strings are borrowed). */
void column_definition(const result_column *rc, const char *name, const char *org_name,
                       wire_column *out);

/* The definitions of a result the planner computed (SHOW, information_schema, @@variables),
 * of no table; malloc'd, one more than r->ncols (zeroed). */
wire_column *const_result_columns(const const_result *r);

#endif
