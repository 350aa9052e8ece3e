/* Choosing the rollup that answers an atomic query: see rollup_route.h. */
#include "planner/rollup_route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/discovered_types.h"
#include "planner/rollup_plan.h"
#include "planner/time_probe.h"
#include "planner/type_probe.h"
#include "planner/time_values.h"
#include "semantic/util.h"

static bool is_utc(const time_zone *tz)
{
    return !tz || tz->kind == TZ_UTC || (tz->kind == TZ_OFFSET && tz->offset_minutes == 0);
}

/*
 * Does a session in zone session (NULL: UTC) read the same periods as the rollup zone
 * (the calendar's: planner/rollup_plan.h)? UTC and UTC; two offsets of the same
 * minutes; the same named zone. A named zone and an offset never do, even one that
 * agrees with it today: a named zone changes its offset (daylight saving, history).
 */
bool rollup_zone_reads_alike(const catalog *cat, const time_zone *session)
{
    time_zone z;
    if (!time_zone_parse(rollup_zone_text(cat), &z))
        return false;
    if (is_utc(&z) || is_utc(session))
        return is_utc(&z) && is_utc(session);
    if (z.kind != session->kind)
        return false;
    return z.kind == TZ_OFFSET ? z.offset_minutes == session->offset_minutes
                               : strcasecmp(z.text, session->text) == 0;
}

static const rollup_ready *ready_of(const rollup_ready *ready, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (sem_name_eq(ready[i].name, name))
            return &ready[i];
    return NULL;
}

static bool is_integer(const column_type *t)
{
    return t && (t->kind == CT_TINYINT || t->kind == CT_SMALLINT || t->kind == CT_MEDIUMINT ||
                 t->kind == CT_INT || t->kind == CT_BIGINT);
}

/* The type of the one column m aggregates (SUM(c), AVG(c)); NULL when it aggregates an
 * expression or the column's type is not known. */
static const column_type *argument_type(const rollup_demand *d, const metric *m)
{
    char column[128];
    if (m->aggregation == AGGREGATION_SUM)
        return type_probe_aggregated_column(m->expr, column, sizeof(column))
                   ? discovered_types_get(d->types, d->src->name, column)
                   : NULL;
    char *arg = rollup_avg_argument(m->expr), sum[160];
    bool one = arg && strlen(arg) < sizeof(column) &&
               snprintf(sum, sizeof(sum), "SUM(%s)", arg) > 0 &&
               type_probe_aggregated_column(sum, column, sizeof(column));
    free(arg);
    return one ? discovered_types_get(d->types, d->src->name, column) : NULL;
}

/*
 * Does m add up exactly from the rollup's rows? COUNT, MIN and MAX always do; a SUM
 * or an AVG when its values are integers or decimals. SQLite's aggregates have no
 * declared type (the column's tells), and it computes every AVG as a double, exact
 * here only over an integer column.
 */
static bool adds_up_exactly(const rollup_demand *d, const metric *m)
{
    if (m->aggregation != AGGREGATION_SUM && m->aggregation != AGGREGATION_AVG)
        return true;
    bool lite = d->src->conn && d->src->conn->kind == CONN_SQLITE;
    if (lite) {
        const column_type *t = argument_type(d, m);
        return is_integer(t);
    }
    const column_type *t = discovered_types_get(d->types, d->src->name, m->name);
    return t && (is_integer(t) || t->kind == CT_DECIMAL);
}

static bool has_metrics(const rollup *r, const rollup_demand *d)
{
    for (size_t i = 0; i < d->nmetrics; i++)
        if (sem_strv_find(r->metrics, r->n_metrics, d->metrics[i]->m->name) < 0 ||
            !adds_up_exactly(d, d->metrics[i]->m))
            return false;
    return d->nmetrics > 0;
}

/* Does e name the time column or one of its grains anywhere? Another column? */
static void columns_named(const catalog *cat, const expr *e, bool *time, bool *other)
{
    if (!e)
        return;
    if (e->kind == EX_COLUMN) {
        time_grain g;
        const char *canon;
        if (catalog_time_grain_of(cat, e->parts[e->nparts - 1], &g, &canon))
            *time = true;
        else
            *other = true;
        return;
    }
    if (e->subquery)
        *other = true; /* never routed: what it reads is not this query's */
    columns_named(cat, e->left, time, other);
    columns_named(cat, e->right, time, other);
    for (size_t i = 0; i < e->nargs; i++)
        columns_named(cat, e->args[i], time, other);
}

/* Is every period of kind k inside one period of kind g? (Weeks hold whole days,
 * quarters whole months; a fiscal quarter is a calendar one when the fiscal year
 * starts on a quarter.) */
static bool grain_covers(const period_kind *g, const period_kind *k)
{
    bool quarterly = (g->fiscal_start_month - 1) % 3 == 0;
    if (g->unit == k->unit)
        return g->unit != PERIOD_WEEK || g->week_starts_sunday == k->week_starts_sunday;
    if (k->unit <= PERIOD_DAY)
        return g->unit > k->unit;
    switch (k->unit) {
    case PERIOD_MONTH:
        return g->unit >= PERIOD_QUARTER;
    case PERIOD_QUARTER:
        return g->unit == PERIOD_YEAR ||
               ((g->unit == PERIOD_FISCAL_QUARTER || g->unit == PERIOD_FISCAL_YEAR) && quarterly);
    case PERIOD_FISCAL_QUARTER:
        return g->unit == PERIOD_FISCAL_YEAR ||
               ((g->unit == PERIOD_QUARTER || g->unit == PERIOD_YEAR) && quarterly);
    case PERIOD_YEAR:
    case PERIOD_FISCAL_YEAR:
        return (g->unit == PERIOD_YEAR || g->unit == PERIOD_FISCAL_YEAR) &&
               g->fiscal_start_month == 1;
    default:
        return false;
    }
}

/* A grain column: as coarse as r's grain, or coarser? (No probe: grains are known.) */
static bool grain_fits(const catalog *cat, const period_kind *k, const char *name, bool *is_grain)
{
    time_grain g;
    const char *canon;
    period_kind gk;
    *is_grain = catalog_time_grain_of(cat, name, &g, &canon);
    return *is_grain && g != GRAIN_TIME && time_grain_period(g, &cat->cal, &gk) &&
           grain_covers(&gk, k);
}

/*
 * Can e be computed from r's rows? Its dimensions must be r's, and wherever it reads
 * time it must read it through r's periods: the largest subexpression over time alone
 * that is constant over each period passes (a truncation, YEAR(ts), a coarser grain).
 */
static bool expr_fits(const catalog *cat, const rollup *r, const period_kind *k, const expr *e)
{
    if (!e)
        return true;
    if (e->subquery)
        return false;
    if (e->kind == EX_COLUMN) {
        bool grain, fits = grain_fits(cat, k, e->parts[e->nparts - 1], &grain);
        if (grain)
            return fits; /* ts itself, or a grain finer than r's, does not */
        const char *canon = canonical_dimension(cat, e->parts[e->nparts - 1]);
        return canon && sem_strv_find(r->dimensions, r->n_dimensions, canon) >= 0;
    }
    bool time = false, other = false;
    columns_named(cat, e, &time, &other);
    if (!time && !other)
        return true; /* a constant */
    if (time && !other && time_expr_constant_over(cat, e, k))
        return true;
    if (!expr_fits(cat, r, k, e->left) || !expr_fits(cat, r, k, e->right))
        return false;
    for (size_t i = 0; i < e->nargs; i++)
        if (!expr_fits(cat, r, k, e->args[i]))
            return false;
    return true;
}

/* The start of the first period that begins at or after t. */
static int64_t period_ceil(const period_kind *k, int64_t t)
{
    int64_t f = period_floor(k, t);
    return f == t ? t : period_step(k, f, 1);
}

/* The range the bounds leave, as [lo, hi) in microseconds of the wall clock (has_lo,
 * has_hi false: unbounded on that side). False when a bound is not a datetime, or is
 * an equality (one instant: the source answers it). */
static bool range_of(const rollup_demand *d, int64_t *lo, bool *has_lo, int64_t *hi, bool *has_hi)
{
    *has_lo = *has_hi = false;
    for (size_t i = 0; i < d->nbounds; i++) {
        const char *op = d->bounds[i]->op;
        int64_t us;
        bool datetime;
        int digits;
        if (!tv_read(d->bounds[i]->value, &us, &datetime, &digits) || !datetime ||
            strcmp(op, "=") == 0)
            return false;
        if (op[0] == '>') {
            int64_t v = strcmp(op, ">") == 0 ? us + 1 : us; /* the first instant in it */
            *lo = *has_lo && *lo > v ? *lo : v;
            *has_lo = true;
        } else {
            int64_t v = strcmp(op, "<=") == 0 ? us + 1 : us; /* the first instant after it */
            *hi = *has_hi && *hi < v ? *hi : v;
            *has_hi = true;
        }
    }
    return true;
}

/*
 * Splits the range between r's periods and the source (rollup_route's from, to, head,
 * tail). False when no whole period of r before its watermark is in the range, or when
 * r cannot leave the rest to the source: without lambda (the bounds must then fall on
 * period starts; the rows after the watermark are left out, as the definition says), or
 * stored on another connection where the statement cannot read the source first.
 */
static bool split_range(const rollup_demand *d, const period_kind *k, const rollup_ready *rd,
                        bool lambda, rollup_route *out)
{
    int64_t lo = 0, hi = 0, w;
    bool has_lo, has_hi, datetime;
    int digits;
    if (!range_of(d, &lo, &has_lo, &hi, &has_hi) || !tv_read(rd->watermark, &w, &datetime, &digits))
        return false;
    int64_t from = has_lo ? period_ceil(k, lo) : 0;
    int64_t to = has_hi && period_floor(k, hi) < w ? period_floor(k, hi) : w;
    if (has_lo && from >= to)
        return false;
    out->head = has_lo && lo < from;
    out->tail = !has_hi || hi > to;
    out->partial_us = (out->head ? from - lo : 0) + (out->tail && to < w ? hi - to : 0);
    if (!lambda && out->tail && to == w)
        out->tail = false; /* the rows after the watermark are not wanted */
    if ((out->head || out->tail) && (!lambda || (out->elsewhere && !d->elsewhere_parts_ok)))
        return false;
    out->from[0] = '\0';
    if (has_lo)
        tv_datetime_text(from, 0, out->from);
    tv_datetime_text(to, 0, out->to);
    return true;
}

static bool answers(const catalog *cat, const rollup *r, const rollup_demand *d, period_kind *k)
{
    time_grain g;
    const char *canon;
    if (!catalog_time_grain_of(cat, r->grain, &g, &canon) || !time_grain_period(g, &cat->cal, k) ||
        !has_metrics(r, d))
        return false;
    for (size_t i = 0; i < d->nexprs; i++)
        if (!expr_fits(cat, r, k, d->exprs[i]))
            return false;
    return true;
}

/*
 * Is the source's time column a wall clock (a DATE, a DATETIME, a PostgreSQL timestamp
 * without time zone)? Then no session zone converts it (planner/split.c,
 * decide_time_conversion): its periods are the rollup's in any zone. An instant (a
 * timestamptz, a MySQL TIMESTAMP, SQLite's UTC text) is read in the session's zone.
 */
static bool wall_clock_time(const rollup_demand *d)
{
    const column_type *t = discovered_types_get(d->types, d->src->name, "ts");
    bool lite = d->src->conn && d->src->conn->kind == CONN_SQLITE;
    return t && !lite &&
           (t->kind == CT_DATE ||
            ((t->kind == CT_DATETIME || t->kind == CT_TIMESTAMP) && !t->instant));
}

/*
 * Is r stored on another connection than its source's? Its rows and the source's
 * cannot then be read in one statement: the source's are read first (a phase).
 */
static bool stored_elsewhere(const source *s, const rollup *r)
{
    const connection *c = catalog_rollup_storage(s, r);
    return c && s->conn && !catalog_connection_same(c, s->conn);
}

/* The user's row filter as rollup i of s reads it; false when s has a filter rollup i
 * cannot apply exactly (its rows hold every row: without the filter it would leak). */
static bool filter_of(const source *s, size_t i, const rollup_filter **out)
{
    *out = s->row_filtered && s->rollup_filters ? s->rollup_filters[i] : NULL;
    return !s->row_filtered || *out;
}

bool rollup_route_choose(const catalog *cat, const rollup_ready *ready, size_t nready,
                         const rollup_demand *d, rollup_route *out)
{
    const source *s = d->src;
    /* Another zone than UTC converts the source's time only when it is an instant:
     * its type must be known (planner/split.c asks too). */
    if (nready == 0 || (!is_utc(d->tz) && !discovered_types_get(d->types, s->name, "ts")) ||
        (!rollup_zone_reads_alike(cat, d->tz) && !wall_clock_time(d)))
        return false;
    bool found = false;
    for (size_t i = 0; i < s->n_rollups; i++) {
        const rollup *r = &s->rollups[i];
        const rollup_ready *rd = ready_of(ready, nready, r->name);
        const rollup_filter *f;
        rollup_route c = {.r = r, .ready = rd, .elsewhere = stored_elsewhere(s, r)};
        if (!rd || !filter_of(s, i, &f) || !answers(cat, r, d, &c.period) ||
            !split_range(d, &c.period, rd, r->lambda, &c))
            continue;
        c.filter = f;
        if (found && (out->partial_us < c.partial_us ||
                      (out->partial_us == c.partial_us && out->ready->rows <= rd->rows)))
            continue;
        *out = c;
        found = true;
    }
    return found;
}

/* The part of a routed query's range its source answers ("before A and from B on"), NULL
 * when the rollup answers all of it. */
const char *rollup_source_part(arena *a, const atomic_query *q)
{
    if (q->rollup_source_before && q->rollup_source_from)
        return arena_printf(a, "before %s and from %s on", q->rollup_source_before,
                            q->rollup_source_from);
    if (q->rollup_source_before)
        return arena_printf(a, "before %s", q->rollup_source_before);
    return q->rollup_source_from ? arena_printf(a, "from %s on", q->rollup_source_from) : NULL;
}

void rollup_iso_utc(const char *utc, char out[32])
{
    snprintf(out, 32, "%.10sT%.8sZ", utc, strlen(utc) > 11 ? utc + 11 : "00:00:00");
}

bool rollup_plan_reads(const plan *p)
{
    for (size_t i = 0; p && i < p->nqueries; i++)
        if (p->queries[i].rollup)
            return true;
    return p && p->phase && rollup_plan_reads(p->phase->inner);
}
