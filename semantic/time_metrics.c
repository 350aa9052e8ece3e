#include "semantic/time_metrics.h"

#include <stdio.h>

static const char *const unit_names[] = {
    [TIME_UNIT_DAY] = "day",         [TIME_UNIT_WEEK] = "week", [TIME_UNIT_MONTH] = "month",
    [TIME_UNIT_QUARTER] = "quarter", [TIME_UNIT_YEAR] = "year",
};

const char *time_unit_name(time_unit u)
{
    return (size_t)u < sizeof unit_names / sizeof *unit_names ? unit_names[u] : "day";
}

static const char *const period_names[] = {
    [CAL_PERIOD_NONE] = NULL,
    [CAL_PERIOD_WEEK] = "week",
    [CAL_PERIOD_MONTH] = "month",
    [CAL_PERIOD_QUARTER] = "quarter",
    [CAL_PERIOD_YEAR] = "year",
    [CAL_PERIOD_FISCAL_QUARTER] = "fiscal_quarter",
    [CAL_PERIOD_FISCAL_YEAR] = "fiscal_year",
};

const char *calendar_period_name(calendar_period p)
{
    return (size_t)p < sizeof period_names / sizeof *period_names ? period_names[p] : NULL;
}

const char *time_metric_kind_name(time_metric_kind k)
{
    return k == TIME_METRIC_OFFSET ? "offset" : k == TIME_METRIC_CUMULATIVE ? "cumulative" : NULL;
}

const char *non_additive_name(non_additive_time t)
{
    return t == NON_ADDITIVE_LAST ? "last" : t == NON_ADDITIVE_FIRST ? "first" : NULL;
}

const char *time_span_text(time_span span, char *out, size_t len)
{
    if (span.n <= 0)
        snprintf(out, len, "%s", "");
    else
        snprintf(out, len, "%d %s%s", span.n, time_unit_name(span.unit), span.n == 1 ? "" : "s");
    return out;
}
