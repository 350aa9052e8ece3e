/*
 * Names of the values of the time-intelligence keys of a metric (type: offset,
 * type: cumulative, non_additive_time), as the configuration writes them: for
 * the loader's messages and for what shows a metric (mimir describe, the HTTP
 * API's /v1/catalog).
 */
#ifndef MIMIR_SEMANTIC_TIME_METRICS_H
#define MIMIR_SEMANTIC_TIME_METRICS_H

#include <stddef.h>

#include "semantic/catalog.h"

/* "day", "week", "month", "quarter", "year". */
const char *time_unit_name(time_unit u);

/* "week" ... "fiscal_year"; NULL for CAL_PERIOD_NONE. */
const char *calendar_period_name(calendar_period p);

/* "offset", "cumulative"; NULL for TIME_METRIC_NONE. */
const char *time_metric_kind_name(time_metric_kind k);

/* "last", "first"; NULL for NON_ADDITIVE_NONE. */
const char *non_additive_name(non_additive_time t);

/* "1 year", "7 days" into out (len > 0); "" when span.n == 0. Returns out. */
const char *time_span_text(time_span span, char *out, size_t len);

#endif
