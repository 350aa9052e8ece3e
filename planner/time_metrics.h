/*
 * Time metrics in the split: offsets (`type: offset`), cumulative windows
 * (`type: cumulative`) and calendar spines (`join_to_calendar`).
 *
 * A metric computed over other periods than the query's (an inquiry_metric
 * with a time metric `tm`) gets its own atomic query, whose time bounds are
 * the query's shifted back by the offset, or widened to the windows of the
 * periods asked for (time_job_bounds). Its rows are then re-keyed to the
 * query's periods in the final stage (time_print_table):
 *
 *   offset: the atomic query groups by the shifted periods P'; a spine of
 *     candidate periods P (every period from the first P' moved forward to
 *     the last) is joined to them on "P' is the period containing P's start
 *     shifted back", MySQL's DATE_SUB at month ends included, so that one P'
 *     may serve several P (2024-02-28 and 2024-02-29 both read 2023-02-28).
 *   cumulative: the atomic query groups by days (or by the query's grain
 *     when it is finer), from the start of the first period's window to the
 *     end of the last period; each period P of the spine sums (MIN, MAX)
 *     the days of its window. Only metrics that re-aggregate exactly (SUM,
 *     COUNT, MIN, MAX) are summed this way.
 *
 * Period arithmetic happens on the session's wall clock (planner/periods.h):
 * the bounds are wall-clock times that the split converts where they meet an
 * instant column, as it does for any time filter.
 */
#ifndef MIMIR_PLANNER_TIME_METRICS_H
#define MIMIR_PLANNER_TIME_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "planner/arena.h"
#include "planner/inquiry.h"
#include "planner/periods.h"
#include "planner/sql_builder.h"
#include "planner/sql_error.h"
#include "semantic/catalog.h"

/* The metric a time metric is computed from: its base, or through an offset of a
 * cumulative metric (month-to-date a year earlier) that one's base; NULL for any other
 * time metric over a time metric (refused). */
const metric *time_metric_base(const catalog *cat, const metric *tm);

/* A bound on the time column pushed into a source's WHERE: t op value, value a
 * wall-clock time of the session ('2022-03-01', '2022-03-01 10:00:00'). */
typedef struct time_bound {
    const char *op; /* ">=", ">", "<", "<=", "=" */
    const char *value;
    /* A bound written on a day (ds <= '2024-03-31' is ts < '2024-04-01'): that day, and
     * whether value is the day after it. An offset shifts the day, then takes the next:
     * 2024-03-31 minus a month is 2024-02-29, so the bound becomes ts < '2024-03-01'. */
    const char *day;
    bool next;
} time_bound;

/* What the time metrics of an inquiry need to know about the query's time. The query
 * groups by at most one expression of time. */
typedef struct time_plan {
    const catalog *cat;
    const calendar *cal;
    const time_zone *tz; /* the session's (NULL: UTC) */
    bool any;            /* some metric is computed over other periods (inquiry_metric.tm) */
    bool has_key;        /* the query groups by one time grain column: */
    size_t key;          /* its dimension (index into inquiry.dims): a grain column or a BI tool's
                          * truncation of the time column (planner/time_probe.h) */
    period_kind kind;
    /* The time range the query pushes into its sources, on the wall clock: [lo, hi). */
    bool has_lo, has_hi;
    int64_t lo, hi;
    const time_bound *hi_bound; /* the bound that sets hi, as the query writes it */
    /* A metric selected asks for join_to_calendar: calendar when it can be (a time grain
     * column and a range with both ends), calendar_note (for SHOW WARNINGS) when not. */
    bool calendar;
    const char *calendar_note;
} time_plan;

/*
 * Reads the query's grain and range (bounds: time_bound *, as the split pushes
 * them; others: the filters that are not bounds). False with err set when the
 * query's shape leaves a time metric without an exact answer: several time
 * grains, a time expression other than a grain column, a filter on time that
 * is not a range of ts or ds.
 */
bool time_plan_init(arena *a, const catalog *cat, const inquiry *q, const ptr_vec *bounds,
                    const ptr_vec *others, time_plan *out, sql_error *err);

/* The grain the atomic query of time metric tm groups by in place of the query's time
 * key, when it is another: a cumulative metric's days (or the query's grain when it is
 * finer than a day). False: the key as the query writes it. */
bool time_job_key_grain(const time_plan *tp, const metric *tm, time_grain *g);

/* The bounds (time_bound *) of the atomic query computing over tm's periods, from the
 * query's; false with err set when tm has no answer for this query. */
bool time_job_bounds(arena *a, const time_plan *tp, const metric *tm, const ptr_vec *in,
                     ptr_vec *out, sql_error *err);

/*
 * A cumulative metric by a time grain over metrics that do not add up from days
 * (COUNT DISTINCT, AVG, anything not SUM, COUNT, MIN or MAX) is computed by its
 * source over each period's window: the atomic query joins its rows to a list of
 * windows, one per period of the query's range, which must have both ends.
 */
typedef struct time_window {
    const char *label;     /* the period, as the query's time key shows it */
    param_kind label_kind; /* PARAM_INT for a year's number, else PARAM_TEXT */
    bool has_start;        /* false: a running total, from the beginning of the data */
    int64_t start, end;    /* wall clock: [start, end) */
} time_window;

#define TIME_WINDOWS_MAX 1000

bool time_job_windows(const time_plan *tp, const metric *tm, const inquiry_metric *const *metrics,
                      size_t n);
/* The windows of tm's periods; false with err set without both ends of a range, or with
 * more than TIME_WINDOWS_MAX periods. */
bool time_windows(arena *a, const time_plan *tp, const metric *tm, time_window **out, size_t *n,
                  sql_error *err);

/*
 * With tp->calendar, the final stage selects from "mimir_calendar" LEFT JOIN
 * "mimir_joined" (the sources' tables joined as usual): this prints the common
 * table expressions "mimir_spine", every period of the range, and
 * "mimir_calendar", each period with each combination of the other keys that
 * "mimir_joined" holds, for a WITH RECURSIVE list.
 */
void time_print_calendar(sql_builder *b, const time_plan *tp, const inquiry *q);

/*
 * Prints the final stage's table of atomic query `query` (computing `metrics`,
 * n of them, over tm's periods) re-keyed to the query's periods, as a derived
 * table named s<query>; with no time grain in the query it is the table itself.
 */
bool time_print_table(sql_builder *b, const time_plan *tp, const inquiry *q, size_t query,
                      const metric *tm, const inquiry_metric *const *metrics, size_t n,
                      sql_error *err);

#endif
