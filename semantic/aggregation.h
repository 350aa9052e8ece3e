/*
 * How a metric aggregates its rows, which decides whether it can be computed
 * from its values at a finer grain (a derived table, a rollup, a cumulative
 * window): SUM, COUNT, MIN and MAX can (a sum of sums is the sum); AVG can
 * through its sum and count; COUNT(DISTINCT ...) and anything Mimir cannot
 * classify cannot, and are always computed by the source at the grain asked
 * for. The loader classifies each metric from its SQL, or from the optional
 * `aggregation:` key of a metric whose SQL it cannot classify.
 */
#ifndef MIMIR_SEMANTIC_AGGREGATION_H
#define MIMIR_SEMANTIC_AGGREGATION_H

#include <stdbool.h>

typedef enum {
    AGGREGATION_CUSTOM, /* not classified: never re-aggregated */
    AGGREGATION_SUM,
    AGGREGATION_COUNT,
    AGGREGATION_MIN,
    AGGREGATION_MAX,
    AGGREGATION_AVG,
    AGGREGATION_COUNT_DISTINCT,
    AGGREGATION_DERIVED, /* type: derived: an expression over other metrics */
} metric_aggregation;

/* The class of a metric's aggregate expression ("SUM(amount)" is SUM, "COUNT(DISTINCT
 * customer_id)" COUNT_DISTINCT, "SUM(a) / SUM(b)" CUSTOM). */
metric_aggregation aggregation_of_sql(const char *expr);

/* As the `aggregation:` key writes it: "sum", "count", "min", "max", "avg",
 * "count_distinct", "custom", "derived". */
const char *aggregation_name(metric_aggregation a);

/* The `aggregation:` key's value; false for an unknown word (derived is not a value
 * the key takes: type: derived says it). */
bool aggregation_parse(const char *text, metric_aggregation *out);

/* Whether the metric over a group is exactly the same aggregate of its values over
 * finer groups (SUM, COUNT, MIN, MAX). */
bool aggregation_reaggregates(metric_aggregation a);

/* One line for `mimir describe`: what the class means for re-aggregation. */
const char *aggregation_meaning(metric_aggregation a);

#endif
