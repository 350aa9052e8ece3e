/*
 * Rollup builds planned as metrics queries: see rollup_plan.h. The statement
 * is written as text from catalog names (each quoted) and planned like a
 * client's, so that the grain, the dimension expressions spliced into the
 * source, the metrics' aggregates and the time bounds are exactly the
 * planner's. An AVG metric m is planned through two metrics added to a copy
 * of the catalog for this plan only: m__sum = SUM(arg) and m__count =
 * COUNT(arg).
 */
#include "planner/rollup_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/planner.h"
#include "planner/query_text.h"
#include "planner/time_zone.h"
#include "semantic/util.h"
#include "wire/xalloc.h"

/* An identifier in the backend's dialect. */
static const char *ident(arena *a, sql_dialect d, const char *name)
{
    if (d == DIALECT_MYSQL)
        return query_quoted_name(a, name);
    size_t n = strlen(name), o = 0;
    char *out = arena_alloc(a, 2 * n + 3);
    out[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (name[i] == '"')
            out[o++] = '"';
        out[o++] = name[i];
    }
    out[o++] = '"';
    return out;
}

/*
 * A copy of cat for the build (arena-owned): r's metrics without what only
 * shapes an answer (fill_nulls_with, join_to_calendar: a rollup stores the
 * aggregate, NULL included, and only periods with rows; the router applies them
 * to what it reads) nor truncate_incomplete_granularity (a rollup holds only
 * the periods before its watermark, complete ones), and m__sum and m__count for
 * each AVG metric.
 */
static const catalog *with_avg_parts(arena *a, const catalog *cat, const rollup *r)
{
    catalog *c = arena_alloc(a, sizeof *c);
    *c = *cat;
    c->metrics = arena_alloc(a, (cat->n_metrics + 2 * r->n_metrics + 1) * sizeof *c->metrics);
    memcpy(c->metrics, cat->metrics, cat->n_metrics * sizeof *c->metrics);
    for (size_t i = 0; i < r->n_metrics; i++) {
        metric *own = (metric *)catalog_metric(c, r->metrics[i]);
        if (own) {
            own->fill_nulls_with = NULL;
            own->join_to_calendar = false;
            own->truncate_incomplete = false; /* periods end before the watermark anyway */
        }
        const metric *m = catalog_metric(cat, r->metrics[i]);
        char *arg = m && m->aggregation == AGGREGATION_AVG ? rollup_avg_argument(m->expr) : NULL;
        if (!arg)
            continue;
        static const char *const parts[][2] = {{"sum", "SUM"}, {"count", "COUNT"}};
        for (size_t p = 0; p < 2; p++) {
            metric *x = &c->metrics[c->n_metrics++];
            *x = (metric){0};
            x->name = arena_printf(a, "%s__%s", m->name, parts[p][0]);
            x->source_name = m->source_name;
            x->expr = arena_printf(a, "%s(%s)", parts[p][1], arg);
            x->aggregation = p == 0 ? AGGREGATION_SUM : AGGREGATION_COUNT;
            x->at = m->at;
        }
        free(arg);
    }
    return c;
}

/* The metric columns of r: m, or m__sum and m__count for an AVG. */
static void metric_columns(arena *a, const catalog *cat, const rollup *r, ptr_vec *out)
{
    for (size_t i = 0; i < r->n_metrics; i++) {
        const metric *m = catalog_metric(cat, r->metrics[i]);
        if (m && m->aggregation == AGGREGATION_AVG) {
            ptr_vec_push(a, out, arena_printf(a, "%s__sum", m->name));
            ptr_vec_push(a, out, arena_printf(a, "%s__count", m->name));
        } else
            ptr_vec_push(a, out, (void *)(m ? m->name : r->metrics[i]));
    }
}

static const char *metrics_query(arena *a, const source *s, const rollup *r, const ptr_vec *mcols,
                                 const char *from, const char *to)
{
    const char *group = query_quoted_name(a, r->grain);
    for (size_t i = 0; i < r->n_dimensions; i++)
        group = arena_printf(a, "%s, %s", group, query_quoted_name(a, r->dimensions[i]));
    const char *select = group;
    for (size_t i = 0; i < mcols->len; i++)
        select = arena_printf(a, "%s, AGG(%s)", select, query_quoted_name(a, mcols->items[i]));
    const char *where = "";
    if (from && to)
        where = arena_printf(a, " WHERE ts >= '%s' AND ts < '%s'", from, to);
    else if (from)
        where = arena_printf(a, " WHERE ts >= '%s'", from);
    else if (to)
        where = arena_printf(a, " WHERE ts < '%s'", to);
    return arena_printf(a, "SELECT %s FROM mimir.%s%s GROUP BY %s", select,
                        query_quoted_name(a, s->name), where, group);
}

const char *rollup_zone_text(const catalog *cat)
{
    return cat->cal.time_zone ? cat->cal.time_zone : "+00:00";
}

bool rollup_zone_needs_types(const catalog *cat)
{
    time_zone tz;
    return time_zone_parse(rollup_zone_text(cat), &tz) && tz.kind != TZ_UTC;
}

static bool plan_query(arena *a, const catalog *cat, const discovered_types *types, const char *sql,
                       plan **out, sql_error *err)
{
    session_info si = {.cat = cat,
                       .db = "mimir",
                       .user = "mimir",
                       .client_host = "localhost",
                       .autocommit = true,
                       .types = types};
    if (!time_zone_parse(rollup_zone_text(cat), &si.tz)) {
        sql_error_set(err, ER_UNKNOWN_ERROR, "HY000", "unknown time zone '%s'",
                      rollup_zone_text(cat));
        return false;
    }
    action act;
    memset(&act, 0, sizeof act);
    planner_plan(a, &si, sql, strlen(sql), &act);
    if (act.kind == ACTION_ERROR) {
        *err = act.error;
        return false;
    }
    if (act.kind != ACTION_QUERY || act.plan->nqueries != 1 || act.plan->final_sql) {
        sql_error_set(err, ER_UNKNOWN_ERROR, "HY000",
                      "the rollup's query does not plan as one query on its source");
        return false;
    }
    *out = act.plan;
    return true;
}

const char *rollup_period_expr(arena *a, sql_dialect d, const char *grain, const char *col)
{
    bool year = strcmp(grain, "year") == 0;
    switch (d) {
    case DIALECT_POSTGRES:
        return year ? arena_printf(a, "make_timestamp(CAST(%s AS int), 1, 1, 0, 0, 0)", col)
                    : arena_printf(a, "CAST(%s AS timestamp)", col);
    case DIALECT_MYSQL:
        return year ? arena_printf(a, "CAST(CONCAT(%s, '-01-01') AS DATETIME)", col)
                    : arena_printf(a, "CAST(%s AS DATETIME)", col);
    default:
        return year ? arena_printf(a, "printf('%%04d-01-01 00:00:00', %s)", col)
                    : arena_printf(a, "datetime(%s)", col);
    }
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    h ^= 0xff; /* a separator: ("ab","c") and ("a","bc") differ */
    return h * 1099511628211ULL;
}

static void wrap(arena *a, const plan *p, const rollup *r, rollup_sql *out)
{
    const atomic_query *q = &p->queries[0];
    sql_dialect d = q->dialect;
    const char *list = "";
    for (size_t i = 0; i < out->ncolumns; i++) {
        const char *col =
            arena_printf(a, "mimir_q.%s", ident(a, d, q->col_names[p->cols[i].query_col]));
        const char *e = i == 0 ? rollup_period_expr(a, d, r->grain, col) : col;
        list =
            arena_printf(a, "%s%s%s AS %s", list, i ? ", " : "", e, ident(a, d, out->columns[i]));
    }
    out->dialect = d;
    out->sql = arena_printf(a, "SELECT %s FROM (\n%s\n) AS mimir_q", list, q->sql);
    out->params = q->params;
    out->nparams = q->nparams;
    out->tz_name = q->tz_name;
}

/*
 * The types the build's plan reads: s's time column's alone (see rollup_plan.h); NULL
 * with err set when the rollup zone needs it and it is not known.
 */
static discovered_types *time_column_type(const catalog *cat, const source *s,
                                          const discovered_types *types, sql_error *err)
{
    const column_type *t = types ? discovered_types_get(types, s->name, "ts") : NULL;
    if (!t && rollup_zone_needs_types(cat)) {
        sql_error_set(err, ER_UNKNOWN_ERROR, "HY000",
                      "its periods are computed in the calendar's time zone '%s', which converts "
                      "the time column of source '%s' only if it is an instant (not a wall "
                      "clock), and the type of that column is not known",
                      rollup_zone_text(cat), s->name);
        return NULL;
    }
    discovered_types *own = discovered_types_new();
    if (t)
        discovered_types_set(own, s->name, "ts", t);
    return own;
}

static bool plan_rollup(arena *a, const catalog *cat, const source *s, const rollup *r,
                        const discovered_types *types, const char *from, const char *to,
                        rollup_sql *out, sql_error *err)
{
    ptr_vec mcols = {0}, cols = {0};
    metric_columns(a, cat, r, &mcols);
    ptr_vec_push(a, &cols, (void *)"period");
    for (size_t i = 0; i < r->n_dimensions; i++)
        ptr_vec_push(a, &cols, r->dimensions[i]);
    for (size_t i = 0; i < mcols.len; i++)
        ptr_vec_push(a, &cols, mcols.items[i]);
    out->columns = (const char **)cols.items;
    out->ncolumns = cols.len;
    out->ndims = r->n_dimensions;
    const catalog *c = with_avg_parts(a, cat, r);
    plan *full, *p;
    if (!plan_query(a, c, types, metrics_query(a, s, r, &mcols, NULL, NULL), &full, err))
        return false;
    if (full->ncols != out->ncolumns) {
        sql_error_set(err, ER_UNKNOWN_ERROR, "HY000", "the rollup's query has %zu columns, not %zu",
                      full->ncols, out->ncolumns);
        return false;
    }
    uint64_t h = 14695981039346656037ULL;
    h = fnv1a(h, full->queries[0].sql);
    for (size_t i = 0; i < out->ncolumns; i++)
        h = fnv1a(h, out->columns[i]);
    h = fnv1a(h, r->grain);
    h = fnv1a(h, rollup_zone_text(cat));
    out->definition_hash = h;
    p = full;
    if ((from || to) && !plan_query(a, c, types, metrics_query(a, s, r, &mcols, from, to), &p, err))
        return false;
    wrap(a, p, r, out);
    return true;
}

bool rollup_plan(arena *a, const catalog *cat, const source *s, const rollup *r,
                 const discovered_types *types, const char *from, const char *to, rollup_sql *out,
                 sql_error *err)
{
    memset(out, 0, sizeof *out);
    discovered_types *ts = time_column_type(cat, s, types, err);
    if (!ts)
        return false;
    bool ok = plan_rollup(a, cat, s, r, ts, from, to, out, err);
    discovered_types_free(ts);
    return ok;
}

/* ---- periods ---- */

static int fiscal_start(const catalog *cat)
{
    return cat->cal.fiscal_year_start_month >= 1 ? cat->cal.fiscal_year_start_month : 1;
}

/* Floors the civil date (y, m, d) to the first day of its period of grain. */
static void floor_date(const catalog *cat, const char *grain, struct tm *tm)
{
    int m = tm->tm_mon + 1;
    if (strcmp(grain, "week") == 0) {
        int back = cat->cal.week_start == WEEK_START_SUNDAY ? tm->tm_wday : (tm->tm_wday + 6) % 7;
        tm->tm_mday -= back;
    } else if (strcmp(grain, "year_month") == 0)
        tm->tm_mday = 1;
    else if (strcmp(grain, "quarter") == 0) {
        tm->tm_mday = 1;
        tm->tm_mon = (m - 1) / 3 * 3;
    } else if (strcmp(grain, "year") == 0) {
        tm->tm_mday = 1;
        tm->tm_mon = 0;
    } else if (strncmp(grain, "fiscal_", 7) == 0) {
        int f = fiscal_start(cat);
        int since = (m - f + 12) % 12; /* months since the fiscal year began */
        int back = strcmp(grain, "fiscal_year") == 0 ? since : since % 3;
        tm->tm_mday = 1;
        tm->tm_mon -= back;
    }
}

void rollup_period_floor(const catalog *cat, const rollup *r, time_t t, char *out)
{
    time_zone tz;
    if (!time_zone_parse(rollup_zone_text(cat), &tz))
        time_zone_default(&tz);
    struct tm tm;
    time_zone_local(&tz, t, &tm);
    const char *g = r->grain;
    if (strcmp(g, "ts_second") != 0) {
        tm.tm_sec = 0;
        if (strcmp(g, "ts_minute") != 0) {
            tm.tm_min = 0;
            if (strcmp(g, "ts_hour") != 0) {
                tm.tm_hour = 0;
                time_t day = timegm(&tm); /* tm_wday, whatever filled tm */
                gmtime_r(&day, &tm);
                floor_date(cat, g, &tm);
            }
        }
    }
    /* Normalise days and months gone below their range (timegm treats tm as UTC). */
    tm.tm_isdst = 0;
    time_t n = timegm(&tm);
    gmtime_r(&n, &tm);
    char text[96];
    snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    snprintf(out, ROLLUP_TIME_LEN, "%.19s", text);
}
