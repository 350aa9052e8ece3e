/*
 * A user's row filter applied to a rollup's rows (docs/rollups.md, "Routing").
 *
 * A row filter is SQL of the source's backend ANDed into the source's WHERE: its
 * column references name columns of the source SQL's FROM tables. A rollup holds
 * every row, grouped by its dimensions; it may answer a filtered user only when
 * the filter selects exactly the groups whose rows it selects from the source:
 *
 *   - every column the filter names is the very column some dimension of the
 *     rollup is defined as (the same reference, or the same column with or
 *     without its table's name, when no USING or NATURAL join can merge two
 *     columns of that name), so the filter reads the same value from the
 *     rollup's row;
 *   - the filter is a plain condition the rollup's grouped values answer as
 *     every row of the group would (sql_filter_column_refs: equalities, IN lists,
 *     IS [NOT] NULL, AND, OR);
 *   - the source's SQL computes each output row from its own input row: nothing
 *     after its WHERE (GROUP BY, LIMIT, ...), no DISTINCT, and no aggregate or
 *     window in its select list or in the rollup's spliced dimensions, so the
 *     filter removes rows and changes no other row's values.
 *
 * Anything this cannot prove means no mapping: the user reads the source. A
 * wrong mapping would show the user rows their filter hides.
 */
#ifndef MIMIR_SEMANTIC_ROLLUP_FILTER_H
#define MIMIR_SEMANTIC_ROLLUP_FILTER_H

#include "semantic/catalog.h"

/* filter (a row filter on s) as it reads on r's rows, or NULL when r's dimensions
 * cannot express it exactly; cat holds s's dimension definitions. */
rollup_filter *rollup_filter_map(const catalog *cat, const source *s, const rollup *r,
                                 const char *filter);
void rollup_filter_free(rollup_filter *f);

#endif
