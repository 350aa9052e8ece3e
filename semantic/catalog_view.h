/*
 * A user's restricted view of a catalog: the catalog as that user may see
 * it. Only the visible sources, metrics and dimensions are in it, and each
 * source with a row filter carries its SQL with the filter already ANDed
 * into its WHERE. Every path a session takes (planning, SHOW,
 * information_schema, mimir.<source> tables, EXPLAIN, COM_FIELD_LIST,
 * prepared statements, error messages) reads this catalog instead of the
 * full one, so a hidden name does not exist for the session and a filtered
 * source cannot be read without its filter.
 *
 * The view shares the strings of its base catalog (which must outlive it);
 * it owns only its arrays and the filtered SQL.
 */
#ifndef MIMIR_SEMANTIC_CATALOG_VIEW_H
#define MIMIR_SEMANTIC_CATALOG_VIEW_H

#include "semantic/catalog.h"
#include "semantic/grants.h"

/*
 * The view of base for g. Names in g that base lacks are ignored (a grant
 * only narrows); a source whose row filter cannot be spliced into its SQL is
 * left out (fail closed).
 */
catalog *catalog_view_build(const catalog *base, const grants *g);
/* An empty view: no sources, metrics or dimensions. */
catalog *catalog_view_empty(const catalog *base);
void catalog_view_free(catalog *view);

/* Is source s of base visible under g (before its row filter is spliced)? */
bool grants_source_visible(const grants *g, const source *s);
/*
 * Is metric m of base visible under g? The one place that decides it, while
 * the view is built (view holds the visible sources, each with its filter
 * spliced; metrics are added after them): a metric is visible when its source
 * is in the view and, with a 'metrics' list, when it is listed.
 *
 * Derived metrics (computed from other metrics) must also be hidden when any
 * metric they are computed from is not visible: add that rule here, calling
 * this function on each base metric of base.
 */
bool grants_metric_visible(const catalog *base, const catalog *view, const grants *g,
                           const metric *m);

#endif
