/*
 * Time metrics in the split (see time_metrics.h).
 */
#include "planner/time_metrics.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "planner/time_probe.h"
#include "planner/time_values.h"

const metric *time_metric_base(const catalog *cat, const metric *tm)
{
    const metric *base = catalog_metric(cat, tm->base_metric);
    if (base && base->time_kind == TIME_METRIC_CUMULATIVE && tm->time_kind == TIME_METRIC_OFFSET)
        base = catalog_metric(cat, base->base_metric);
    return base && base->time_kind == TIME_METRIC_NONE ? base : NULL;
}

/* The cumulative metric an offset shifts (month-to-date a year earlier), or NULL. */
static const metric *shifted_cumulative(const time_plan *tp, const metric *tm)
{
    const metric *base =
        tm && tm->time_kind == TIME_METRIC_OFFSET ? catalog_metric(tp->cat, tm->base_metric) : NULL;
    return base && base->time_kind == TIME_METRIC_CUMULATIVE ? base : NULL;
}

/* ---- The query's time ---------------------------------------------------- */

/* The grain a column reference names, if it names one. */
static bool grain_named(const expr *e, time_grain *g)
{
    const char *canon;
    return e->kind == EX_COLUMN && time_grain_of(e->parts[e->nparts - 1], g, &canon);
}

/* Does e read the time column (through any grain)? */
static bool reads_time(const expr *e)
{
    if (!e)
        return false;
    time_grain g;
    if (grain_named(e, &g))
        return true;
    if (reads_time(e->left) || reads_time(e->right))
        return true;
    for (size_t i = 0; i < e->nargs; i++)
        if (reads_time(e->args[i]))
            return true;
    return false;
}

static const char *first_time_metric(const inquiry *q)
{
    for (size_t i = 0; i < q->nmetrics; i++)
        if (q->metrics[i].tm)
            return q->metrics[i].tm->name;
    return NULL;
}

static bool refuse(sql_error *err, const char *fmt, const char *name, const char *what)
{
    char msg[400];
    snprintf(msg, sizeof(msg), fmt, name, what);
    sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000", "%s", msg);
    return false;
}

static bool find_key(const catalog *cat, const inquiry *q, time_plan *tp, sql_error *err)
{
    const char *tm = first_time_metric(q);
    for (size_t i = 0; i < q->ndims; i++) {
        const expr *e = q->dims[i].e;
        if (!reads_time(e))
            continue;
        time_grain g;
        bool grain =
            !tp->has_key && (grain_named(e, &g) ? time_grain_period(g, &cat->cal, &tp->kind)
                                                : time_expr_period(cat, e, &tp->kind));
        if (!grain && !tm) { /* only a calendar asked for: answered without it */
            tp->has_key = false;
            return true;
        }
        if (!grain)
            return refuse(err,
                          "time metric '%s' needs the query to group by one time grain (ds, "
                          "week, year_month, quarter, year, ts_hour, ..., or a truncation of ts "
                          "to one of them); it can't be computed by %s",
                          tm, tp->has_key ? "two time grains" : "this time expression");
        tp->has_key = true;
        tp->key = i;
    }
    return true;
}

static bool read_time(const char *text, int64_t *t)
{
    period_kind day = {.unit = PERIOD_DAY, .fiscal_start_month = 1};
    return period_read(&day, text, t);
}

static bool read_range(const ptr_vec *bounds, time_plan *tp)
{
    for (size_t i = 0; i < bounds->len; i++) {
        const time_bound *b = bounds->items[i];
        int64_t v;
        if (!read_time(b->value, &v))
            return false;
        bool lower = b->op[0] == '>' || b->op[0] == '=';
        bool upper = b->op[0] == '<' || b->op[0] == '=';
        int64_t from = strcmp(b->op, ">") == 0 ? v + 1 : v;
        int64_t to = strcmp(b->op, "<") == 0 ? v : v + 1;
        if (lower && (!tp->has_lo || from > tp->lo))
            tp->lo = from;
        if (upper && (!tp->has_hi || to < tp->hi)) {
            tp->hi = to;
            tp->hi_bound = b; /* the end as written: ts <= X stays inclusive */
        }
        tp->has_lo |= lower;
        tp->has_hi |= upper;
    }
    return true;
}

/* The metric a selected column reads directly (AGG(m), or m), or NULL. */
static const metric *column_metric(const catalog *cat, const inquiry *q, const inquiry_column *c)
{
    if (c->kind == COL_METRIC)
        return q->metrics[c->index].m;
    return c->kind == COL_EXPR ? measure_of(cat, c->e) : NULL;
}

static bool wants_calendar(const catalog *cat, const inquiry *q)
{
    for (size_t i = 0; i < q->ncolumns; i++) {
        const metric *m = column_metric(cat, q, &q->columns[i]);
        if (m && m->join_to_calendar)
            return true;
    }
    return false;
}

/* Does a filter that is no time range read the time (ds <> '2024-03-05', year = 2024)? */
static bool filters_time(const ptr_vec *others)
{
    for (size_t i = 0; i < others->len; i++)
        if (reads_time(others->items[i]))
            return true;
    return false;
}

/* A calendar needs a time grain column and both ends of a range, and no other condition
 * on time (the periods it adds would contradict it); else a note says why the answer has
 * no added periods. */
static void decide_calendar(arena *a, time_plan *tp, const ptr_vec *others)
{
    if (tp->has_key && tp->has_lo && tp->has_hi && !filters_time(others)) {
        tp->calendar = true;
        return;
    }
    if (tp->has_key && tp->has_lo && tp->has_hi) {
        tp->calendar_note =
            arena_strdup(a, "join_to_calendar adds the periods without rows only when the "
                            "conditions on time are a range of ts, ds or a grain of days "
                            "(year_month, week, ...): this answer has only the periods with rows");
        return;
    }
    tp->calendar_note = arena_strdup(
        a, tp->has_key ? "join_to_calendar adds the periods without rows only over a time range "
                         "with both ends (ds BETWEEN ... AND ...): this answer has only the "
                         "periods with rows"
                       : "join_to_calendar adds the periods without rows only when the query "
                         "groups by a time grain column (ds, week, year_month, ...): this answer "
                         "has only the groups with rows");
}

/*
 * A spine over a bounded range by hours or finer is counted before anything runs: the
 * final stage stops one at SPINE_MAX_PERIODS (proxy/exec/combine_periods.c) only after
 * generating it. Days and coarser never come near it in a real range.
 */
#define SPINE_MAX_PERIODS 1000000

static bool spine_fits(const time_plan *tp, sql_error *err)
{
    if (!tp->has_key || !tp->has_lo || !tp->has_hi || tp->kind.unit >= PERIOD_DAY)
        return true;
    int64_t len = period_step(&tp->kind, 0, 1);
    if ((tp->hi - tp->lo) / len <= SPINE_MAX_PERIODS)
        return true;
    sql_error_set(err, ER_UNKNOWN_ERROR, "HY000",
                  "the calendar of this query has more than 1000000 periods: choose a coarser "
                  "time grain or a shorter time range");
    return false;
}

bool time_plan_init(arena *a, const catalog *cat, const inquiry *q, const ptr_vec *bounds,
                    const ptr_vec *others, time_plan *out, sql_error *err)
{
    memset(out, 0, sizeof(*out));
    out->cat = cat;
    out->cal = &cat->cal;
    out->tz = q->tz;
    const char *tm = first_time_metric(q);
    out->any = tm != NULL;
    bool calendar = !q->type_probe && wants_calendar(cat, q);
    if (!out->any && !calendar)
        return true;
    if (!out->any) {
        if (read_range(bounds, out) && find_key(cat, q, out, err)) {
            if (!spine_fits(out, err))
                return false;
            decide_calendar(a, out, others);
        } else
            out->has_key = false;
        return true;
    }
    for (size_t i = 0; i < others->len; i++)
        if (reads_time(others->items[i]))
            return refuse(err,
                          "time metric '%s' needs its time filter as a range of ts or ds "
                          "(ds BETWEEN '2024-01-01' AND '2024-12-31'); it can't shift %s",
                          tm, "a filter on another time expression");
    if (!read_range(bounds, out))
        return refuse(err, "time metric '%s' can't read %s", tm, "the query's time range");
    if (!find_key(cat, q, out, err) || !spine_fits(out, err))
        return false;
    if (calendar)
        decide_calendar(a, out, others);
    return true;
}

/* ---- The atomic query of a time metric ------------------------------------ */

bool time_job_key_grain(const time_plan *tp, const metric *tm, time_grain *g)
{
    if (!tp->has_key || !tm ||
        (tm->time_kind != TIME_METRIC_CUMULATIVE && !shifted_cumulative(tp, tm)))
        return false;
    *g = tp->kind.unit == PERIOD_SECOND   ? GRAIN_SECOND
         : tp->kind.unit == PERIOD_MINUTE ? GRAIN_MINUTE
         : tp->kind.unit == PERIOD_HOUR   ? GRAIN_HOUR
                                          : GRAIN_DATE;
    return true;
}

/* The kind of period a cumulative metric's rows are grouped by (time_job_key_grain). */
static period_kind fine_kind(const time_plan *tp)
{
    period_kind fine = tp->kind;
    fine.unit = tp->kind.unit < PERIOD_DAY ? tp->kind.unit : PERIOD_DAY;
    fine.label = PERIOD_LABEL_GRAIN;
    return fine;
}

/* A wall-clock time as a bound's text, a date when it is a midnight and `date_only`. */
static const char *time_text(arena *a, int64_t t, bool date_only)
{
    char out[32];
    period_kind day = {.unit = PERIOD_DAY, .fiscal_start_month = 1};
    if (date_only && t == period_floor(&day, t))
        period_format(&day, t, out);
    else
        period_time_text(t, out);
    return arena_strdup(a, out);
}

static void push_bound(arena *a, ptr_vec *out, const char *op, const char *value)
{
    time_bound *b = arena_alloc(a, sizeof(*b));
    *b = (time_bound){.op = op, .value = value};
    ptr_vec_push(a, out, b);
}

/* The start of the window of a cumulative metric that ends at `end`; false: no start
 * (a running total). */
static bool window_start(const metric *tm, const calendar *cal, int64_t end, int64_t *start)
{
    if (tm->window.n) {
        *start = period_date_add(end, -tm->window.n, tm->window.unit);
        return true;
    }
    if (tm->grain_to_date != CAL_PERIOD_NONE) {
        period_kind k = period_kind_of_calendar(tm->grain_to_date, cal);
        *start = period_floor(&k, end - 1);
        return true;
    }
    return false;
}

static bool offset_bounds(arena *a, const time_plan *tp, const metric *tm, const ptr_vec *in,
                          ptr_vec *out, sql_error *err)
{
    if (!tp->has_key && !tp->has_lo && !tp->has_hi)
        return refuse(err,
                      "offset metric '%s' needs a time grain or a time range: group by ds, week, "
                      "year_month, ... or filter %s",
                      tm->name, "ds BETWEEN '2024-01-01' AND '2024-12-31'");
    for (size_t i = 0; i < in->len; i++) {
        const time_bound *b = in->items[i];
        int64_t v;
        read_time(b->day ? b->day : b->value, &v); /* read once already by time_plan_init */
        int64_t shifted = period_date_add(v, -tm->offset.n, tm->offset.unit);
        if (b->day && b->next)
            shifted = period_date_add(shifted, 1, TIME_UNIT_DAY);
        push_bound(a, out, b->op, time_text(a, shifted, strlen(b->value) == 10));
    }
    return true;
}

static bool cumulative_bounds(arena *a, const time_plan *tp, const metric *tm, ptr_vec *out,
                              sql_error *err)
{
    const calendar *cal = tp->cal;
    int64_t start;
    if (!tp->has_key) { /* one window, ending where the range ends */
        if (!tp->has_hi) {
            if (tm->window.n || tm->grain_to_date != CAL_PERIOD_NONE)
                return refuse(err,
                              "cumulative metric '%s' needs a time grain or a time range with an "
                              "end (%s)",
                              tm->name, "ds <= '2024-12-31'");
            return true; /* a running total of all the data */
        }
        /* The range's own end, as written: an inclusive end X is not X + 1 microsecond,
         * which a backend that keeps milliseconds (SQLite) would read as X. */
        const time_bound *end = tp->hi_bound;
        bool inclusive = end && !end->day && strcmp(end->op, "<") != 0;
        if (inclusive && tm->window.n) { /* the window (X - span, X] */
            push_bound(
                a, out, ">",
                time_text(a, period_date_add(tp->hi - 1, -tm->window.n, tm->window.unit), false));
        } else if (window_start(tm, cal, tp->hi, &start)) {
            push_bound(a, out, ">=", time_text(a, start, false));
        }
        if (inclusive)
            push_bound(a, out, "<=", end->value);
        else
            push_bound(a, out, "<", time_text(a, tp->hi, false));
        return true;
    }
    if (tp->has_lo) {
        int64_t first_end = period_step(&tp->kind, period_floor(&tp->kind, tp->lo), 1);
        if (window_start(tm, cal, first_end, &start))
            push_bound(a, out, ">=", time_text(a, start, false));
    }
    if (tp->has_hi) {
        int64_t last_end = period_step(&tp->kind, period_floor(&tp->kind, tp->hi - 1), 1);
        push_bound(a, out, "<", time_text(a, last_end, false));
    }
    return true;
}

/*
 * The query's time moved back by an offset, for the cumulative metric it shifts: its
 * range by DATE_SUB (each end's last instant), widened by a period on each side so
 * that every shifted period's window is there (the offset's spine picks them).
 */
static time_plan shifted_plan(const time_plan *tp, const metric *offset)
{
    time_plan s = *tp;
    s.hi_bound = NULL;
    if (s.has_lo) {
        s.lo = period_date_add(tp->lo, -offset->offset.n, offset->offset.unit);
        if (s.has_key)
            s.lo = period_step(&s.kind, period_floor(&s.kind, s.lo), -1);
    }
    if (s.has_hi) {
        s.hi = period_date_add(tp->hi - 1, -offset->offset.n, offset->offset.unit) + 1;
        if (s.has_key)
            s.hi = period_step(&s.kind, period_floor(&s.kind, s.hi - 1), 2);
    }
    return s;
}

bool time_job_bounds(arena *a, const time_plan *tp, const metric *tm, const ptr_vec *in,
                     ptr_vec *out, sql_error *err)
{
    *out = (ptr_vec){0};
    const metric *cumulative = shifted_cumulative(tp, tm);
    if (cumulative) {
        if (!tp->has_key && !tp->has_lo && !tp->has_hi)
            return offset_bounds(a, tp, tm, in, out, err); /* the error it gives */
        time_plan s = shifted_plan(tp, tm);
        return cumulative_bounds(a, &s, cumulative, out, err);
    }
    if (tm->time_kind == TIME_METRIC_OFFSET)
        return offset_bounds(a, tp, tm, in, out, err);
    return cumulative_bounds(a, tp, tm, out, err);
}

/* ---- The final stage: re-keying to the query's periods ---------------------- */

/* mimir_period_us(<col>, <kind>) */
static void period_us(sql_builder *b, const char *col, const period_kind *k)
{
    buf_printf(&b->out, "mimir_period_us(%s, %d)", col, period_kind_code(k));
}

/* The start of the period after the spine's p: mimir_period_step_us(start(p), kind, 1). */
static void spine_end(sql_builder *b, const time_plan *tp)
{
    sb_str(b, "mimir_period_step_us(");
    period_us(b, "\"mimir_spine\".\"p\"", &tp->kind);
    buf_printf(&b->out, ", %d, 1)", period_kind_code(&tp->kind));
}

static void print_param_time(sql_builder *b, int64_t t)
{
    char text[32];
    snprintf(text, sizeof(text), "%lld", (long long)t);
    sb_param(b, PARAM_INT, arena_strdup(b->a, text));
}

static void print_param_period(sql_builder *b, const time_plan *tp, int64_t t)
{
    char text[32];
    period_format(&tp->kind, period_floor(&tp->kind, t), text);
    sb_param(b, tp->kind.unit == PERIOD_YEAR ? PARAM_INT : PARAM_TEXT, arena_strdup(b->a, text));
}

/*
 * WITH RECURSIVE mimir_spine(p, n): the periods from `first` while the next one starts
 * at or before `last` (both printed by the caller's callbacks); n counts them, and
 * mimir_spine_limit(n) stops a calendar too long to hold.
 */
typedef void (*spine_printer)(sql_builder *b, const time_plan *tp, const void *ctx);

static void print_spine_cte(sql_builder *b, const time_plan *tp, spine_printer first,
                            spine_printer last, const void *ctx)
{
    int code = period_kind_code(&tp->kind);
    sb_str(b, "\"mimir_spine\"(\"p\", \"n\") AS (SELECT ");
    first(b, tp, ctx);
    sb_str(b, ", 0 UNION ALL SELECT mimir_period_label(");
    spine_end(b, tp);
    buf_printf(&b->out, ", %d), \"n\" + 1 FROM \"mimir_spine\" WHERE ", code);
    spine_end(b, tp);
    sb_str(b, " <= ");
    last(b, tp, ctx);
    sb_str(b, " AND mimir_spine_limit(\"n\"))");
}

static void print_spine(sql_builder *b, const time_plan *tp, spine_printer first,
                        spine_printer last, const void *ctx)
{
    sb_str(b, "WITH RECURSIVE ");
    print_spine_cte(b, tp, first, last, ctx);
    sb_str(b, " ");
}

typedef struct table_ctx {
    const inquiry *q;
    const metric *tm;
    const char *table; /* "s<query>" quoted */
    const char *key;   /* the key column, quoted */
} table_ctx;

/* Offsets: the first candidate period holds the earliest P' moved forward. */
static void offset_first(sql_builder *b, const time_plan *tp, const void *v)
{
    const table_ctx *t = v;
    int code = period_kind_code(&tp->kind);
    sb_str(b, "(SELECT mimir_period_label(mimir_date_add_us(MIN(");
    period_us(b, t->key, &tp->kind);
    buf_printf(&b->out, "), %d, %d), %d) FROM %s)", t->tm->offset.n, (int)t->tm->offset.unit, code,
               t->table);
}

/* ... and the last one starts at the end of the latest P' moved forward. */
static void offset_last(sql_builder *b, const time_plan *tp, const void *v)
{
    const table_ctx *t = v;
    sb_str(b, "(SELECT mimir_date_add_us(mimir_period_step_us(MAX(");
    period_us(b, t->key, &tp->kind);
    buf_printf(&b->out, "), %d, 1), %d, %d) FROM %s)", period_kind_code(&tp->kind), t->tm->offset.n,
               (int)t->tm->offset.unit, t->table);
}

/* The other keys of the query, qualified by table (or by nothing: NULL). */
static void other_keys(sql_builder *b, const time_plan *tp, const inquiry *q, const char *table,
                       bool as)
{
    for (size_t i = 0; i < q->ndims; i++) {
        if (i == tp->key)
            continue;
        sb_str(b, ", ");
        if (table) {
            sb_str(b, table);
            sb_str(b, ".");
        }
        sb_ident(b, q->dims[i].key);
        if (as) {
            sb_str(b, " AS ");
            sb_ident(b, q->dims[i].key);
        }
    }
}

/*
 * The periods of the spine the query has: those that overlap its range, when it has
 * one, and, by hours or finer in a zone with daylight saving, those whose wall clock
 * exists there (the hour a spring-forward skips has no instant: it is no period).
 */
static void clip_to_range(sql_builder *b, const time_plan *tp, bool first)
{
    if (tp->has_lo) {
        sb_str(b, first ? " WHERE " : " AND ");
        spine_end(b, tp);
        sb_str(b, " > ");
        print_param_time(b, tp->lo);
        first = false;
    }
    if (tp->has_hi) {
        sb_str(b, first ? " WHERE " : " AND ");
        period_us(b, "\"mimir_spine\".\"p\"", &tp->kind);
        sb_str(b, " < ");
        print_param_time(b, tp->hi);
        first = false;
    }
    if (tp->tz && tp->tz->kind == TZ_NAMED && tp->kind.unit < PERIOD_DAY) {
        sb_str(b, first ? " WHERE " : " AND ");
        sb_str(b, "mimir_period_exists(");
        period_us(b, "\"mimir_spine\".\"p\"", &tp->kind);
        buf_printf(&b->out, ", %d, ", period_kind_code(&tp->kind));
        sb_param(b, PARAM_TEXT, arena_strdup(b->a, tp->tz->text)); /* the session may go */
        sb_str(b, ")");
    }
}

/* The offset's rows: each candidate period P with the values of the period containing
 * its start shifted back (after its spine, print_spine or print_spine_cte). */
static void print_offset_select(sql_builder *b, const time_plan *tp, const table_ctx *t,
                                const inquiry_metric *const *metrics, size_t n)
{
    const inquiry *q = t->q;
    int code = period_kind_code(&tp->kind);
    sb_str(b, "SELECT \"mimir_spine\".\"p\" AS ");
    sb_str(b, t->key);
    other_keys(b, tp, q, t->table, true);
    for (size_t i = 0; i < n; i++) {
        buf_printf(&b->out, ", %s.", t->table);
        sb_ident(b, metrics[i]->key);
        sb_str(b, " AS ");
        sb_ident(b, metrics[i]->key);
    }
    buf_printf(&b->out, " FROM \"mimir_spine\" JOIN %s ON %s.%s = mimir_period_label(", t->table,
               t->table, t->key);
    sb_str(b, "mimir_date_add_us(");
    period_us(b, "\"mimir_spine\".\"p\"", &tp->kind);
    buf_printf(&b->out, ", %d, %d), %d)", -t->tm->offset.n, (int)t->tm->offset.unit, code);
    clip_to_range(b, tp, true);
}

static void print_offset_table(sql_builder *b, const time_plan *tp, const table_ctx *t,
                               const inquiry_metric *const *metrics, size_t n)
{
    print_spine(b, tp, offset_first, offset_last, t);
    print_offset_select(b, tp, t, metrics, n);
}

/* Cumulative: the spine runs over the query's range, or over the days that have rows. */
static void cumulative_first(sql_builder *b, const time_plan *tp, const void *v)
{
    const table_ctx *t = v;
    if (tp->has_lo) {
        print_param_period(b, tp, tp->lo);
        return;
    }
    period_kind fine = fine_kind(tp);
    sb_str(b, "(SELECT mimir_period_label(MIN(");
    period_us(b, t->key, &fine);
    buf_printf(&b->out, "), %d) FROM %s)", period_kind_code(&tp->kind), t->table);
}

static void cumulative_last(sql_builder *b, const time_plan *tp, const void *v)
{
    const table_ctx *t = v;
    if (tp->has_hi) {
        print_param_time(b, period_floor(&tp->kind, tp->hi - 1));
        return;
    }
    period_kind fine = fine_kind(tp);
    sb_str(b, "(SELECT MAX(");
    period_us(b, t->key, &fine);
    buf_printf(&b->out, ") FROM %s)", t->table);
}

/* A metric summed from finer periods: exact for SUM and COUNT (mimir_sum), MIN and MAX. */
static bool print_reaggregate(sql_builder *b, const table_ctx *t, const inquiry_metric *im,
                              sql_error *err)
{
    const metric *m = im->m;
    const char *fn = m->aggregation == AGGREGATION_SUM || m->aggregation == AGGREGATION_COUNT
                         ? "mimir_sum("
                     : m->aggregation == AGGREGATION_MIN ? "MIN("
                     : m->aggregation == AGGREGATION_MAX ? "MAX("
                                                         : NULL;
    if (!fn)
        return refuse(err,
                      "This version of Mimir doesn't yet support cumulative metric '%s' by a "
                      "time grain over metric '%s', which does not add up from days (COUNT "
                      "DISTINCT, AVG, ...); query it with a time range and no grain",
                      t->tm->name, m->name);
    sb_str(b, ", ");
    sb_str(b, fn);
    buf_printf(&b->out, "%s.", t->table);
    sb_ident(b, im->key);
    sb_str(b, fn[0] == 'm' ? ") AS " : " COLLATE mimir_decimal) AS ");
    sb_ident(b, im->key);
    return true;
}

static bool print_cumulative_table(sql_builder *b, const time_plan *tp, const table_ctx *t,
                                   const inquiry_metric *const *metrics, size_t n, sql_error *err)
{
    const inquiry *q = t->q;
    period_kind fine = fine_kind(tp);
    print_spine(b, tp, cumulative_first, cumulative_last, t);
    sb_str(b, "SELECT \"mimir_spine\".\"p\" AS ");
    sb_str(b, t->key);
    other_keys(b, tp, q, t->table, true);
    for (size_t i = 0; i < n; i++)
        if (!print_reaggregate(b, t, metrics[i], err))
            return false;
    char col[96];
    snprintf(col, sizeof(col), "%s.%s", t->table, t->key);
    buf_printf(&b->out, " FROM \"mimir_spine\" JOIN %s ON ", t->table);
    period_us(b, col, &fine);
    sb_str(b, " < ");
    spine_end(b, tp);
    const metric *tm = t->tm;
    if (tm->window.n) {
        sb_str(b, " AND ");
        period_us(b, col, &fine);
        sb_str(b, " >= mimir_date_add_us(");
        spine_end(b, tp);
        buf_printf(&b->out, ", %d, %d)", -tm->window.n, (int)tm->window.unit);
    } else if (tm->grain_to_date != CAL_PERIOD_NONE) {
        period_kind gtd = period_kind_of_calendar(tm->grain_to_date, tp->cal);
        sb_str(b, " AND ");
        period_us(b, col, &fine);
        sb_str(b, " >= mimir_period_step_us(");
        spine_end(b, tp);
        buf_printf(&b->out, " - 1, %d, 0)", period_kind_code(&gtd));
    }
    clip_to_range(b, tp, true);
    sb_str(b, " GROUP BY \"mimir_spine\".\"p\"");
    other_keys(b, tp, q, t->table, false);
    return true;
}

/*
 * An offset of a cumulative metric (month-to-date a year earlier): the cumulative
 * metric's periods over the shifted range (mimir_inner), then the offset's re-keying
 * of them to the query's periods.
 */
static bool print_shifted_cumulative(sql_builder *b, const time_plan *tp, const table_ctx *t,
                                     const inquiry_metric *const *metrics, size_t n, sql_error *err)
{
    time_plan shifted = shifted_plan(tp, t->tm);
    table_ctx inner = *t;
    inner.tm = shifted_cumulative(tp, t->tm);
    sb_str(b, "WITH RECURSIVE \"mimir_inner\" AS (SELECT * FROM (");
    if (!print_cumulative_table(b, &shifted, &inner, metrics, n, err))
        return false;
    sb_str(b, ") AS \"mimir_shifted\"), ");
    table_ctx outer = *t;
    outer.table = "\"mimir_inner\"";
    print_spine_cte(b, tp, offset_first, offset_last, &outer);
    sb_str(b, " ");
    print_offset_select(b, tp, &outer, metrics, n);
    return true;
}

bool time_print_table(sql_builder *b, const time_plan *tp, const inquiry *q, size_t query,
                      const metric *tm, const inquiry_metric *const *metrics, size_t n,
                      sql_error *err)
{
    const char *table = arena_printf(b->a, "\"s%zu\"", query);
    if (!tm || !tp->has_key || time_job_windows(tp, tm, metrics, n)) {
        sb_str(b, table);
        return true;
    }
    table_ctx t = {.q = q, .tm = tm, .table = table};
    t.key = arena_printf(b->a, "\"%s\"", q->dims[tp->key].key);
    sb_str(b, "(");
    if (shifted_cumulative(tp, tm)) {
        if (!print_shifted_cumulative(b, tp, &t, metrics, n, err))
            return false;
    } else if (tm->time_kind == TIME_METRIC_OFFSET)
        print_offset_table(b, tp, &t, metrics, n);
    else if (!print_cumulative_table(b, tp, &t, metrics, n, err))
        return false;
    sb_str(b, ") AS ");
    sb_str(b, table);
    return true;
}

/* ---- join_to_calendar -------------------------------------------------------- */

static void range_first(sql_builder *b, const time_plan *tp, const void *unused)
{
    (void)unused;
    print_param_period(b, tp, tp->lo);
}

static void range_last(sql_builder *b, const time_plan *tp, const void *unused)
{
    (void)unused;
    print_param_time(b, period_floor(&tp->kind, tp->hi - 1));
}

void time_print_calendar(sql_builder *b, const time_plan *tp, const inquiry *q)
{
    print_spine_cte(b, tp, range_first, range_last, NULL);
    sb_str(b, ", \"mimir_calendar\" AS (SELECT \"mimir_spine\".\"p\" AS ");
    sb_ident(b, q->dims[tp->key].key);
    other_keys(b, tp, q, "\"mimir_others\"", true);
    sb_str(b, " FROM \"mimir_spine\"");
    if (q->ndims > 1) {
        sb_str(b, " CROSS JOIN (SELECT DISTINCT ");
        bool first = true;
        for (size_t i = 0; i < q->ndims; i++) {
            if (i == tp->key)
                continue;
            sb_str(b, first ? "" : ", ");
            sb_ident(b, q->dims[i].key);
            first = false;
        }
        sb_str(b, " FROM \"mimir_joined\") AS \"mimir_others\"");
    }
    clip_to_range(b, tp, true);
    sb_str(b, ")");
}

/* ---- Windows computed by the source ------------------------------------------ */

static bool reaggregates(const metric *m)
{
    return m->aggregation == AGGREGATION_SUM || m->aggregation == AGGREGATION_COUNT ||
           m->aggregation == AGGREGATION_MIN || m->aggregation == AGGREGATION_MAX;
}

bool time_job_windows(const time_plan *tp, const metric *tm, const inquiry_metric *const *metrics,
                      size_t n)
{
    if (!tp->has_key || !tm || tm->time_kind != TIME_METRIC_CUMULATIVE)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!reaggregates(metrics[i]->m))
            return true;
    return false;
}

bool time_windows(arena *a, const time_plan *tp, const metric *tm, time_window **out, size_t *n,
                  sql_error *err)
{
    if (!tp->has_lo || !tp->has_hi)
        return refuse(err,
                      "cumulative metric '%s' by a time grain over a metric that does not add up "
                      "from days (COUNT DISTINCT, AVG, ...) is computed by its source for each "
                      "period, and needs a time range with both ends (%s)",
                      tm->name, "ds BETWEEN '2024-01-01' AND '2024-12-31'");
    int64_t first = period_floor(&tp->kind, tp->lo), last = period_floor(&tp->kind, tp->hi - 1);
    size_t count = 0;
    for (int64_t p = first; p <= last && count <= TIME_WINDOWS_MAX;
         p = period_step(&tp->kind, p, 1))
        count++;
    if (count > TIME_WINDOWS_MAX)
        return refuse(err,
                      "cumulative metric '%s' over a metric that does not add up from days is "
                      "computed by its source for each period: %s",
                      tm->name, "this range has more than 1000 periods of the query's grain");
    *out = arena_alloc(a, (count + 1) * sizeof(time_window));
    *n = 0;
    for (int64_t p = first; p <= last; p = period_step(&tp->kind, p, 1)) {
        time_window *w = &(*out)[(*n)++];
        char text[32];
        period_format(&tp->kind, p, text);
        w->label = arena_strdup(a, text);
        w->label_kind = tp->kind.unit == PERIOD_YEAR && tp->kind.label == PERIOD_LABEL_GRAIN
                            ? PARAM_INT
                            : PARAM_TEXT;
        w->end = period_step(&tp->kind, p, 1);
        w->has_start = window_start(tm, tp->cal, w->end, &w->start);
    }
    return true;
}
