/*
 * inquiry -> plan: one atomic query per source, and the combine.
 *
 * An atomic query wraps the source's own SQL: the dimensions it needs that
 * are not already output columns are spliced into the source's select list
 * (their SQL may name tables the source joins), the time filter goes into the
 * source's own WHERE (where an index on the time column can serve it), and
 * the metrics aggregate over the wrapped rows:
 *
 *   SELECT "d" AS "d", COUNT(rental_id) AS "m"
 *   FROM (SELECT <source list>, <dim sql> AS "d" FROM ... WHERE (<own>) AND t >= $1)
 *        AS "mimir_source"
 *   WHERE ("d" = $2) GROUP BY 1
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "planner/derived_metrics.h"
#include "planner/discovered_types.h"
#include "planner/final_exact.h"
#include "planner/functions.h"
#include "planner/inquiry.h"
#include "planner/layer_types.h"
#include "planner/planner.h"
#include "planner/rollup_phase.h"
#include "planner/rollup_plan.h"
#include "planner/rollup_route.h"
#include "planner/time_metrics.h"
#include "planner/time_probe.h"
#include "planner/semi_additive.h"
#include "planner/session_query.h"
#include "planner/str_to_date.h"

typedef struct source_job {
    const source *src;
    sql_dialect dialect;
    ptr_vec metrics; /* inquiry_metric * of this source, in inquiry order */
    ptr_vec splices; /* const char * names to splice: dimensions and grains */
    size_t query;    /* index of its atomic query */
    bool truncate;   /* its metrics ask for truncate_incomplete_granularity */
    /* Its metrics are computed over this time metric's periods (planner/time_metrics.h);
     * NULL: over the query's. */
    const metric *tm;
    /* A cumulative metric's source computes each period's window (time_job_windows). */
    bool windows;
    /* Its metrics are semi-additive alike (this one's non_additive_time/per); NULL:
     * additive ones. Metrics that choose their rows differently get their own job. */
    const metric *semi;
    /* Its time column is an instant read in the session's zone (not UTC): grains and
     * time bounds convert it (see local_time). */
    bool convert_time;
    /* Answered from a rollup (planner/rollup_route.h) rather than the source's rows. */
    bool routed;
    rollup_route route;
} source_job;

typedef struct split_ctx {
    arena *a;
    const catalog *cat;
    const inquiry *q;
    source_job *job; /* while building its atomic query */
    /* truncate_incomplete_granularity's bound for this query; NULL without a grain */
    const char *incomplete_start;
    sql_error *err;
    const ptr_vec *jobs; /* source_job *, once chosen */
    time_plan tp;        /* the query's grain and range, for time metrics */
    /* The source's rows a rollup stored elsewhere needs first (plan.rollup_rows_query),
     * and whether a job has taken the rows the statement was planned again with. */
    atomic_query *rows_query;
    bool rows_taken;
} split_ctx;

static sql_dialect dialect_of(const connection *c)
{
    if (!c)
        return DIALECT_POSTGRES;
    switch (c->kind) {
    case CONN_MYSQL:
        return DIALECT_MYSQL;
    case CONN_SQLITE:
        return DIALECT_SQLITE;
    case CONN_POSTGRES:
        break;
    }
    return DIALECT_POSTGRES;
}

/* The inner column a spliced time grain gets, so it can't clash with the source's own. */
static const char *grain_column(arena *a, const char *grain)
{
    return arena_printf(a, "mimir_%s", grain);
}

/*
 * PostgreSQL folds unquoted names to lower case, so a source column written
 * `AS Amount` is really "amount" there. Names from the source SQL that look
 * like plain identifiers are folded before they are quoted.
 */
static const char *local_column_name(arena *a, sql_dialect d, const char *name)
{
    if (d != DIALECT_POSTGRES)
        return name;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_'))
            return name;
    char *lower = arena_strdup(a, name);
    for (char *c = lower; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return lower;
}

/* Canonical name of a dimension or grain column reference. */
static const char *dim_name(const catalog *cat, const char *name, bool *is_grain, time_grain *g)
{
    const char *canon;
    *is_grain = catalog_time_grain_of(cat, name, g, &canon);
    return *is_grain ? canon : canonical_dimension(cat, name);
}

/* Checks a dimension is available on the job's source and records a splice if needed. */
static bool need_dim(split_ctx *x, source_job *job, const char *name, const char *why)
{
    bool grain;
    time_grain g;
    const char *canon = dim_name(x->cat, name, &grain, &g);
    if (!canon) {
        sql_error_set(x->err, ER_BAD_FIELD, "42S22", "Unknown column '%s'", name);
        return false;
    }
    if (!grain) {
        const dimension *def;
        dim_availability av = catalog_dim_on_source(x->cat, job->src, canon, &def);
        if (av == DIM_NOT_ON_SOURCE) {
            sql_error_set(x->err, ER_BAD_FIELD, "42S22",
                          "Unknown column '%s': dimension '%s' is not available on source '%s' "
                          "(%s)",
                          canon, canon, job->src->name, why);
            return false;
        }
        if (av == DIM_LOCAL)
            return true;
    }
    for (size_t i = 0; i < job->splices.len; i++)
        if (strcmp(job->splices.items[i], canon) == 0)
            return true;
    ptr_vec_push(x->a, &job->splices, (void *)canon);
    return true;
}

/* Every dimension or grain an expression names, checked and spliced on the job's source. */
static bool need_dims_of(split_ctx *x, source_job *job, const expr *e, const char *why)
{
    if (!e)
        return true;
    if (e->kind == EX_COLUMN)
        return need_dim(x, job, e->parts[e->nparts - 1], why);
    if (!need_dims_of(x, job, e->left, why) || !need_dims_of(x, job, e->right, why))
        return false;
    for (size_t i = 0; i < e->nargs; i++)
        if (!need_dims_of(x, job, e->args[i], why))
            return false;
    return true;
}

/* How an atomic query names a dimension or grain column (an output of the wrapped source). */
static const char *resolve_column(void *ctx, const expr *col, sql_error *err)
{
    split_ctx *x = ctx;
    const source_job *job = x->job;
    bool grain;
    time_grain g;
    const char *canon = dim_name(x->cat, col->parts[col->nparts - 1], &grain, &g);
    if (!canon) {
        sql_error_set(err, ER_BAD_FIELD, "42S22", "Unknown column '%s'",
                      col->parts[col->nparts - 1]);
        return NULL;
    }
    sql_builder b;
    sb_init(&b, x->a, job->dialect);
    const dimension *def;
    if (grain)
        sb_ident(&b, grain_column(x->a, canon));
    else if (catalog_dim_on_source(x->cat, job->src, canon, &def) == DIM_LOCAL)
        sb_ident(&b, local_column_name(x->a, job->dialect, canon));
    else
        sb_ident(&b, canon);
    query_param *unused;
    size_t n;
    return sb_finish(&b, &unused, &n);
}

/* ---- Time filter pushdown ------------------------------------------------ */

/* 'YYYY-MM-DD' + 1 day, or NULL when text is not exactly a valid date. */
static const char *next_day(arena *a, const char *text)
{
    int y, m, d;
    char tail;
    if (strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return NULL;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
    time_t t = timegm(&tm);
    struct tm check;
    gmtime_r(&t, &check);
    if (check.tm_year != y - 1900 || check.tm_mon != m - 1 || check.tm_mday != d)
        return NULL;
    t += 86400;
    gmtime_r(&t, &check);
    return arena_printf(a, "%04d-%02d-%02d", check.tm_year + 1900, check.tm_mon + 1, check.tm_mday);
}

/* ts, ds and DATE(ts): the grains whose bounds translate to bounds on the time column. */
static bool grain_column_ref(const catalog *cat, const expr *e, time_grain *g)
{
    if (e->kind == EX_FUNC && strcasecmp(e->text, "date") == 0 && e->nargs == 1 &&
        grain_column_ref(cat, e->args[0], g) && *g == GRAIN_TIME) {
        *g = GRAIN_DATE;
        return true;
    }
    bool grain;
    return e->kind == EX_COLUMN && dim_name(cat, e->parts[e->nparts - 1], &grain, g) && grain &&
           (*g == GRAIN_TIME || *g == GRAIN_DATE);
}

/* '2022-03-01', TIMESTAMP('2022-03-01 00:00:00'), DATE('...'), CAST('...' AS DATE). */
static const char *time_literal(const expr *e)
{
    if (e->kind == EX_LITERAL && e->lit == LIT_STRING && !memchr(e->text, 0, e->text_len))
        return e->text;
    if (e->kind == EX_FUNC && e->nargs >= 1 &&
        (strcasecmp(e->text, "timestamp") == 0 || strcasecmp(e->text, "date") == 0 ||
         strcasecmp(e->text, "cast") == 0) &&
        (strcasecmp(e->text, "cast") != 0 ||
         (e->nargs == 2 && (strncasecmp(e->args[1]->text, "date", 4) == 0 ||
                            strncasecmp(e->args[1]->text, "timestamp", 9) == 0))))
        return time_literal(e->args[0]);
    return NULL;
}

/* A string literal's text (NULL for anything else, or one holding a NUL byte). */
static const char *string_literal(const expr *e)
{
    return e->kind == EX_LITERAL && e->lit == LIT_STRING && !memchr(e->text, 0, e->text_len)
               ? e->text
               : NULL;
}

/*
 * STR_TO_DATE('2022-03-12 00:00:00.000000', '%Y-%m-%d %H:%i:%s.%f') (Superset's time
 * filter): the DATE or DATETIME MySQL reads, as text; NULL when it is not two literals
 * or reads as NULL or a TIME.
 */
static const char *str_to_date_literal(arena *a, const expr *e)
{
    char out[64];
    if (e->kind != EX_FUNC || strcasecmp(e->text, "str_to_date") != 0 || e->nargs != 2 ||
        !string_literal(e->args[0]) || !string_literal(e->args[1]) ||
        !mysql_str_to_date(e->args[0]->text, e->args[1]->text, out, sizeof(out)) ||
        strlen(out) < 10 || out[4] != '-')
        return NULL;
    return arena_strdup(a, out);
}

/* A bound's value: a time literal, or FROM_UNIXTIME(n) folded in the session's zone
 * (Grafana's $__timeFilter), which the bound then converts back as it does any
 * wall-clock value of that zone. */
static const char *bound_literal(split_ctx *x, const expr *e)
{
    const char *text = time_literal(e);
    if (!text)
        text = str_to_date_literal(x->a, e);
    char folded[32];
    if (!text && e->kind == EX_FUNC && strcasecmp(e->text, "from_unixtime") == 0 && e->nargs == 1 &&
        from_unixtime_text(x->q->tz, e->args[0], folded))
        text = arena_strdup(x->a, folded);
    char converted[64];
    if (!text && convert_tz_constant(e, converted, sizeof(converted)))
        text = arena_strdup(x->a, converted); /* Metabase's convert_tz('...', 'UTC', zone) */
    if (!text) {
        /* Written with the clock (CURDATE() - INTERVAL 7 DAY, DATE(DATE_ADD(NOW(6),
         * INTERVAL -30 day))): folded as MySQL evaluates it in the session's zone, once
         * for the statement, so that it is a bound like a literal (pushed into the
         * source's WHERE as a parameter, read by rollup routing). */
        session_info s = {.clock_us = x->q->clock_us};
        if (x->q->tz)
            s.tz = *x->q->tz;
        else
            time_zone_default(&s.tz);
        session_fold_time(x->a, &s, e, &text);
    }
    return text;
}

/* What day_bound made of a value compared with a DATE. */
typedef enum {
    DAY_NONE,  /* no time: not a bound on days */
    DAY_BOUND, /* *value is a day, *op the comparison with it */
    DAY_NEVER, /* ds = a time of day other than midnight: never true */
} day_bound_kind;

/*
 * A DATE compared with a DATETIME compares as DATETIME in MySQL: ds >= '2024-03-05 12:00'
 * holds from 2024-03-06 on, ds < '2024-03-05 12:00' up to 2024-03-05. For ds, a value
 * with a time of day is turned into the day it bounds and the operator on that day: >=
 * becomes >, < becomes <=, > and <= keep theirs; midnight is the day itself.
 */
static day_bound_kind day_bound(arena *a, const char **value, expr_op *op)
{
    const char *v = *value;
    size_t len = strlen(v);
    if (len == 10)
        return DAY_BOUND;
    static const char shape[] = "dddd-dd-dd dd:dd:dd";
    if (len < 19 || (len > 19 && (v[19] != '.' || len == 20)))
        return DAY_NONE;
    bool midnight = true;
    for (size_t i = 0; i < len; i++) {
        if (i == 19)
            continue; /* the point before a fraction */
        bool digit = i > 19 || shape[i] == 'd';
        if (digit ? v[i] < '0' || v[i] > '9' : v[i] != shape[i])
            return DAY_NONE;
        if (i > 10 && digit && v[i] != '0')
            midnight = false;
    }
    *value = arena_strndup(a, v, 10);
    if (midnight)
        return DAY_BOUND;
    if (*op == OP_EQ)
        return DAY_NEVER;
    if (*op == OP_GE)
        *op = OP_GT;
    else if (*op == OP_LT)
        *op = OP_LE;
    return DAY_BOUND;
}

/*
 * A grain column whose values are the first days of periods (year_month, week, quarter,
 * fiscal_year, fiscal_quarter), as a period kind: false for any other expression.
 */
static bool period_grain_ref(const catalog *cat, const expr *e, period_kind *k)
{
    bool grain;
    time_grain g;
    return e->kind == EX_COLUMN && dim_name(cat, e->parts[e->nparts - 1], &grain, &g) && grain &&
           g != GRAIN_DATE && g != GRAIN_YEAR && time_grain_period(g, &cat->cal, k) &&
           k->unit >= PERIOD_WEEK;
}

static const char *day_text(arena *a, const period_kind *k, int64_t t)
{
    period_kind day = *k;
    day.unit = PERIOD_DAY;
    char text[32];
    period_format(&day, t, text);
    return arena_strdup(a, text);
}

/*
 * The bounds on the time column of `period op value`, from the first period start at or
 * after value (ceiling), the start of the period after value's (next), and whether value
 * is a period start: >= is from ceiling on, > from next, <= before next, < before
 * ceiling, = from value to next (never true when value starts no period: no bound).
 */
static bool period_op_bounds(const char *ceiling, const char *next, bool at_start, expr_op op,
                             time_bound *out, size_t *n)
{
    if (op == OP_EQ && !at_start)
        return false;
    if (op == OP_GE || op == OP_EQ)
        out[(*n)++] = (time_bound){">=", ceiling, NULL, false};
    if (op == OP_GT)
        out[(*n)++] = (time_bound){">=", next, NULL, false};
    if (op == OP_LE || op == OP_EQ)
        out[(*n)++] = (time_bound){"<", next, NULL, false};
    if (op == OP_LT)
        out[(*n)++] = (time_bound){"<", ceiling, NULL, false};
    return op == OP_GE || op == OP_GT || op == OP_LE || op == OP_LT || op == OP_EQ;
}

/* period op value as bounds on the time column (period_op_bounds), value read as ds
 * reads it (day_bound: a time of day moves the day). */
static bool period_bound(split_ctx *x, const period_kind *k, expr_op op, const expr *v,
                         time_bound *out, size_t *n)
{
    const char *value = bound_literal(x, v);
    period_kind day = *k;
    day.unit = PERIOD_DAY;
    int64_t t;
    if (!value || day_bound(x->a, &value, &op) != DAY_BOUND || !period_read(&day, value, &t))
        return false;
    int64_t floor = period_floor(k, t), next = period_step(k, floor, 1);
    return period_op_bounds(day_text(x->a, k, floor == t ? t : next), day_text(x->a, k, next),
                            floor == t, op, out, n);
}

/* A year as an integer literal ('2024' too: MySQL compares it as the number); 0 when not. */
static int year_literal(const expr *e)
{
    if (e->kind != EX_LITERAL || (e->lit != LIT_INT && e->lit != LIT_STRING) || e->text_len != 4)
        return 0;
    int y = 0;
    for (size_t i = 0; i < 4; i++) {
        if (e->text[i] < '0' || e->text[i] > '9')
            return 0;
        y = y * 10 + (e->text[i] - '0');
    }
    return y >= 1000 ? y : 0;
}

/* year op N as bounds on the time column: year >= 2024 is ts >= '2024-01-01', ... */
static bool year_bound(split_ctx *x, expr_op op, const expr *v, time_bound *out, size_t *n)
{
    int y = year_literal(v);
    if (!y || y > 9998)
        return false;
    return period_op_bounds(arena_printf(x->a, "%04d-01-01", y),
                            arena_printf(x->a, "%04d-01-01", y + 1), true, op, out, n);
}

static bool year_ref(const catalog *cat, const expr *e)
{
    bool grain;
    time_grain g;
    return e->kind == EX_COLUMN && dim_name(cat, e->parts[e->nparts - 1], &grain, &g) && grain &&
           g == GRAIN_YEAR;
}

/* year_month >= '2024-03-01' and the like (period_grain_ref), and year >= 2024, as bounds
 * on the time column. */
static bool period_bounds(split_ctx *x, const expr *e, time_bound out[2], size_t *n)
{
    period_kind k;
    *n = 0;
    if (e->kind == EX_BETWEEN && !e->negated && year_ref(x->cat, e->left))
        return year_bound(x, OP_GE, e->args[0], out, n) && year_bound(x, OP_LE, e->args[1], out, n);
    if (e->kind == EX_BETWEEN && !e->negated && period_grain_ref(x->cat, e->left, &k))
        return period_bound(x, &k, OP_GE, e->args[0], out, n) &&
               period_bound(x, &k, OP_LE, e->args[1], out, n);
    if (e->kind != EX_BINARY)
        return false;
    static const expr_op flipped[] = {
        [OP_LT] = OP_GT, [OP_LE] = OP_GE, [OP_GT] = OP_LT, [OP_GE] = OP_LE, [OP_EQ] = OP_EQ};
    expr_op op = e->op;
    if (op != OP_LT && op != OP_LE && op != OP_GT && op != OP_GE && op != OP_EQ)
        return false;
    if (year_ref(x->cat, e->left))
        return year_bound(x, op, e->right, out, n);
    if (year_ref(x->cat, e->right))
        return year_bound(x, flipped[op], e->left, out, n);
    if (period_grain_ref(x->cat, e->left, &k))
        return period_bound(x, &k, op, e->right, out, n);
    return period_grain_ref(x->cat, e->right, &k) &&
           period_bound(x, &k, flipped[op], e->left, out, n);
}

/* Turns "ds >= '2022-05-01'" etc. into bounds on the raw time column; false if it can't. */
static bool time_bounds(split_ctx *x, const expr *e, time_bound out[2], size_t *n)
{
    arena *a = x->a;
    time_grain g;
    *n = 0;
    if (e->kind == EX_BETWEEN && !e->negated && grain_column_ref(x->cat, e->left, &g)) {
        const char *lo = bound_literal(x, e->args[0]), *hi = bound_literal(x, e->args[1]);
        expr_op lo_op = OP_GE, hi_op = OP_LE;
        if (!lo || !hi ||
            (g == GRAIN_DATE &&
             (day_bound(a, &lo, &lo_op) != DAY_BOUND || day_bound(a, &hi, &hi_op) != DAY_BOUND)))
            return false;
        const char *end = g == GRAIN_DATE ? next_day(a, hi) : hi;
        const char *after_lo = g == GRAIN_DATE ? next_day(a, lo) : lo;
        if (!end || !after_lo)
            return false;
        out[0] = lo_op == OP_GT ? (time_bound){">=", after_lo, lo, true}
                                : (time_bound){">=", lo, NULL, false};
        out[1] = g == GRAIN_DATE ? (time_bound){"<", end, hi, true}
                                 : (time_bound){"<=", end, NULL, false};
        *n = 2;
        return true;
    }
    if (e->kind != EX_BINARY)
        return false;
    const expr *col = e->left, *lit = e->right;
    expr_op op = e->op;
    if (op != OP_LT && op != OP_LE && op != OP_GT && op != OP_GE && op != OP_EQ)
        return false;
    if (!grain_column_ref(x->cat, col, &g)) {
        static const expr_op flipped[] = {
            [OP_LT] = OP_GT, [OP_LE] = OP_GE, [OP_GT] = OP_LT, [OP_GE] = OP_LE, [OP_EQ] = OP_EQ};
        col = e->right;
        lit = e->left;
        op = flipped[op];
        if (!grain_column_ref(x->cat, col, &g))
            return false;
    }
    const char *value = bound_literal(x, lit);
    if (!value)
        return false;
    if (g == GRAIN_TIME) {
        static const char *const ops[] = {
            [OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=", [OP_EQ] = "="};
        out[(*n)++] = (time_bound){.op = ops[op], .value = value};
        return true;
    }
    if (day_bound(a, &value, &op) != DAY_BOUND)
        return false;
    const char *next = next_day(a, value);
    if (!next)
        return false;
    switch (op) {
    case OP_EQ:
        out[(*n)++] = (time_bound){">=", value, value, false};
        out[(*n)++] = (time_bound){"<", next, value, true};
        return true;
    case OP_GE:
        out[(*n)++] = (time_bound){">=", value, value, false};
        return true;
    case OP_GT:
        out[(*n)++] = (time_bound){">=", next, value, true};
        return true;
    case OP_LE:
        out[(*n)++] = (time_bound){"<", next, value, true};
        return true;
    case OP_LT:
        out[(*n)++] = (time_bound){"<", value, value, false};
        return true;
    default:
        return false;
    }
}

/* ---- truncate_incomplete_granularity -------------------------------------- */

/* The grains an expression names (bit 1 << g for each). */
static unsigned grains_named(const catalog *cat, const expr *e)
{
    if (!e)
        return 0;
    if (e->kind == EX_COLUMN) {
        bool grain;
        time_grain g;
        return dim_name(cat, e->parts[e->nparts - 1], &grain, &g) && grain ? 1u << g : 0;
    }
    unsigned out = grains_named(cat, e->left) | grains_named(cat, e->right);
    for (size_t i = 0; i < e->nargs; i++)
        out |= grains_named(cat, e->args[i]);
    return out;
}

/*
 * The bound that leaves out the still-incomplete period, as 'YYYY-MM-DD
 * HH:MM:SS' (the session's wall clock), or NULL when the query groups by no grain
 * (ts itself is never incomplete). With several grains a row is complete only
 * when all its periods are, so the latest of their current starts wins.
 */
static const char *incomplete_period_start(split_ctx *x)
{
    unsigned grains = 0;
    for (size_t i = 0; i < x->q->ndims; i++)
        grains |= grains_named(x->cat, x->q->dims[i].e);
    grains &= ~(1u << GRAIN_TIME);
    if (!grains)
        return NULL;
    /* Periods of the session's wall clock: the bound is compared with it (see local_time). */
    time_zone utc;
    time_zone_default(&utc);
    struct tm local;
    time_zone_local(x->q->tz ? x->q->tz : &utc, (time_t)(time_zone_clock(x->q->clock_us) / 1000000),
                    &local);
    int64_t now = (int64_t)timegm(&local) * 1000000, latest = 0;
    for (int g = 0; g < GRAIN_COUNT; g++) {
        period_kind k;
        if (!(grains & (1u << g)) || !time_grain_period((time_grain)g, &x->cat->cal, &k))
            continue;
        int64_t start = period_floor(&k, now); /* the calendar's periods (planner/periods.h) */
        if (start > latest)
            latest = start;
    }
    char text[32];
    period_time_text(latest, text);
    return arena_strdup(x->a, text);
}

/* ---- The session's time zone ------------------------------------------------ */

/*
 * Backends run in UTC. In a session whose time_zone is not UTC, an instant
 * (PostgreSQL timestamptz, MySQL TIMESTAMP) is read as the session's wall
 * clock, as MySQL reads a TIMESTAMP column: the time column is converted
 * wherever a grain or a time bound uses it, with the zone as a parameter.
 * Wall-clock values (PostgreSQL timestamp, MySQL DATETIME, dates) are not
 * converted, as in MySQL. SQLite keeps times as UTC text: a DATETIME or text
 * time column of a SQLite source is an instant, converted by the functions Mimir adds to
 * the SQLite databases it opens (proxy/backend/sqlite_functions.h). The type
 * comes from type discovery; a source whose time column's type is not known
 * gets a clear error rather than an answer in the wrong zone.
 */
static bool zone_refused(split_ctx *x, const source *src, const char *why)
{
    sql_error_set(x->err, ER_NOT_SUPPORTED_YET, "42000",
                  "This version of Mimir doesn't yet support time_zone '%s' on source '%s': %s. "
                  "SET time_zone = '+00:00' to read its times in UTC",
                  x->q->tz->text, src->name, why);
    return false;
}

static bool decide_time_conversion(split_ctx *x, source_job *job)
{
    const time_zone *tz = x->q->tz;
    job->convert_time = false;
    if (!tz || tz->kind == TZ_UTC)
        return true;
    const column_type *t = discovered_types_get(x->q->types, job->src->name, "ts");
    if (!t)
        return zone_refused(x, job->src,
                            "the type of its time column is not known yet (type discovery has "
                            "not reached its backend), so Mimir cannot tell an instant from a "
                            "wall-clock time");
    if (t->kind == CT_DATE || ((t->kind == CT_DATETIME || t->kind == CT_TIMESTAMP) && !t->instant))
        return true; /* a wall-clock value: read as it is, as MySQL reads DATETIME */
    /* SQLite has no time type: its times are text (or declared DATETIME), in UTC. */
    bool sqlite_text = job->dialect == DIALECT_SQLITE &&
                       (t->kind == CT_TEXT || t->kind == CT_VARCHAR || t->kind == CT_CHAR);
    if (t->kind != CT_DATETIME && t->kind != CT_TIMESTAMP && !sqlite_text)
        return zone_refused(x, job->src, "its time column is not a date or a timestamp");
    job->convert_time = true;
    return true;
}

/* The zone as the backend's conversion reads it: a name, or an offset. */
static void print_zone(const time_zone *tz, sql_builder *b)
{
    char offset[8];
    const char *text = tz->kind == TZ_OFFSET ? time_zone_offset_text(tz, offset) : tz->text;
    bool pg = b->dialect == DIALECT_POSTGRES;
    if (pg)
        sb_str(b, "CAST(");
    sb_param(b, PARAM_TEXT, arena_strdup(b->a, text));
    if (pg)
        sb_str(b, tz->kind == TZ_OFFSET ? " AS INTERVAL)" : " AS TEXT)");
}

typedef struct time_printer {
    const time_zone *tz;
    const source_job *job;
    const char *time_col; /* the source's time column, or a rollup's period */
} time_printer;

/*
 * UNIX_TIMESTAMP(ts) where ts is an instant read in a zone other than UTC: MySQL
 * answers a TIMESTAMP column's own epoch, whatever the zone, so it is computed
 * from the raw column (spliced as INSTANT_COLUMN), never from the wall clock,
 * which repeats an hour at a daylight-saving fall-back. The backends' sessions
 * run in UTC, so their epoch of the raw column is exact.
 */
#define INSTANT_COLUMN "mimir_ts_instant"

static bool unix_timestamp_of_instant(void *ctx, sql_builder *b, const expr *e, bool *handled,
                                      sql_error *err)
{
    (void)err;
    split_ctx *x = ctx;
    bool grain;
    time_grain g;
    *handled = false;
    if (!x->job->convert_time || e->kind != EX_FUNC || strcasecmp(e->text, "unix_timestamp") != 0 ||
        e->nargs != 1 || e->args[0]->kind != EX_COLUMN ||
        !dim_name(x->cat, e->args[0]->parts[e->args[0]->nparts - 1], &grain, &g) || !grain ||
        g != GRAIN_TIME)
        return true;
    *handled = true;
    sb_str(b, b->dialect == DIALECT_POSTGRES ? "trim_scale(EXTRACT(EPOCH FROM "
              : b->dialect == DIALECT_SQLITE ? "mimir_epoch("
                                             : "UNIX_TIMESTAMP(");
    sb_ident(b, INSTANT_COLUMN);
    sb_str(b, b->dialect == DIALECT_POSTGRES ? "))" : ")");
    return true;
}

/* The time column as the session's wall clock: PostgreSQL (t AT TIME ZONE zone),
 * MySQL CONVERT_TZ(t, '+00:00', zone) (named zones need the server's tz tables),
 * SQLite mimir_tz_local(t, zone). */
static void local_time(void *ctx, sql_builder *b)
{
    const time_printer *p = ctx;
    const char *t = p->time_col;
    if (!p->job->convert_time) {
        sb_str(b, t);
        return;
    }
    if (b->dialect == DIALECT_POSTGRES) {
        sb_str(b, "(");
        sb_str(b, t);
        sb_str(b, " AT TIME ZONE ");
        print_zone(p->tz, b);
        sb_str(b, ")");
    } else if (b->dialect == DIALECT_SQLITE) {
        sb_str(b, "mimir_tz_local(");
        sb_str(b, t);
        sb_str(b, ", ");
        print_zone(p->tz, b);
        sb_str(b, ")");
    } else {
        sb_str(b, "CONVERT_TZ(");
        sb_str(b, t);
        sb_str(b, ", '+00:00', ");
        print_zone(p->tz, b);
        sb_str(b, ")");
    }
}

/* The value of a time bound, the session's wall clock, as the backend's time (UTC). */
static void print_bound_value(const time_printer *p, sql_builder *b, const time_bound *tb)
{
    if (!p->job->convert_time) {
        sb_param(b, PARAM_TEXT, tb->value);
        return;
    }
    if (b->dialect == DIALECT_POSTGRES) {
        sb_str(b, "(CAST(");
        sb_param(b, PARAM_TEXT, tb->value);
        sb_str(b, " AS TIMESTAMP) AT TIME ZONE ");
        print_zone(p->tz, b);
        sb_str(b, ")");
    } else if (b->dialect == DIALECT_SQLITE) {
        sb_str(b, "mimir_tz_utc(");
        sb_param(b, PARAM_TEXT, tb->value);
        sb_str(b, ", ");
        print_zone(p->tz, b);
        sb_str(b, ")");
    } else {
        sb_str(b, "CONVERT_TZ(");
        sb_param(b, PARAM_TEXT, tb->value);
        sb_str(b, ", ");
        print_zone(p->tz, b);
        sb_str(b, ", '+00:00')");
    }
}

/*
 * A bound on the time column: t op value. On PostgreSQL and MySQL the column
 * stays bare, so that an index on it still serves. SQLite has no time type: its
 * times are text, which compares as text ('2022-03-31 23:59:59.000000' is after
 * '2022-03-31 23:59:59'), so both sides are first written the same way, to the
 * millisecond (SQLite's precision), at the cost of that index.
 */
#define SQLITE_TIME_TEXT "strftime('%Y-%m-%d %H:%M:%f', "

/*
 * In a zone with daylight saving a wall clock is two instants (the hour a fall-back
 * repeats) or none (the hour a spring-forward skips), and MySQL compares a TIMESTAMP
 * with a time on the session's wall clock, which no single instant expresses. So the
 * bound on the bare column is widened by DST_MARGIN_HOURS (an index still serves it)
 * and the exact comparison is made on the column's wall clock.
 */
#define DST_MARGIN_HOURS 3

static void print_widened_bound(const time_printer *p, sql_builder *b, const time_bound *tb,
                                int sign)
{
    bool lite = b->dialect == DIALECT_SQLITE;
    sb_str(b, lite ? SQLITE_TIME_TEXT : "");
    sb_str(b, p->time_col);
    sb_str(b, lite ? ") " : " ");
    sb_str(b, sign < 0 ? ">=" : "<=");
    if (lite) {
        sb_str(b, " " SQLITE_TIME_TEXT "datetime(");
        print_bound_value(p, b, tb);
        buf_printf(&b->out, ", '%+d hours'))", sign * DST_MARGIN_HOURS);
        return;
    }
    sb_str(b, " (");
    print_bound_value(p, b, tb);
    if (b->dialect == DIALECT_POSTGRES)
        buf_printf(&b->out, " %c INTERVAL '%d hours')", sign < 0 ? '-' : '+', DST_MARGIN_HOURS);
    else
        buf_printf(&b->out, " %c INTERVAL %d HOUR)", sign < 0 ? '-' : '+', DST_MARGIN_HOURS);
}

static void print_wall_clock_bound(const time_printer *p, sql_builder *b, const time_bound *tb)
{
    bool lite = b->dialect == DIALECT_SQLITE;
    sb_str(b, lite ? SQLITE_TIME_TEXT : "");
    local_time((void *)p, b);
    buf_printf(&b->out, "%s %s ", lite ? ")" : "", tb->op);
    if (b->dialect == DIALECT_POSTGRES)
        sb_str(b, "CAST(");
    sb_str(b, lite ? SQLITE_TIME_TEXT : "");
    sb_param(b, PARAM_TEXT, tb->value);
    sb_str(b, b->dialect == DIALECT_POSTGRES ? " AS TIMESTAMP)" : lite ? ")" : "");
}

static void print_zoned_bound(const time_printer *p, sql_builder *b, const time_bound *tb)
{
    bool lower = tb->op[0] == '>', upper = tb->op[0] == '<'; /* "=": both */
    sb_str(b, "(");
    if (!upper)
        print_widened_bound(p, b, tb, -1);
    if (!upper && !lower)
        sb_str(b, " AND ");
    if (!lower)
        print_widened_bound(p, b, tb, 1);
    sb_str(b, " AND ");
    print_wall_clock_bound(p, b, tb);
    sb_str(b, ")");
}

static void print_time_bound(const time_printer *p, sql_builder *b, const time_bound *tb)
{
    bool lite = b->dialect == DIALECT_SQLITE;
    if (p->job->convert_time && p->tz && p->tz->kind == TZ_NAMED) {
        print_zoned_bound(p, b, tb);
        return;
    }
    sb_str(b, lite ? SQLITE_TIME_TEXT : "");
    sb_str(b, p->time_col);
    sb_str(b, lite ? ") " : " ");
    sb_str(b, tb->op);
    sb_str(b, lite ? " " SQLITE_TIME_TEXT : " ");
    print_bound_value(p, b, tb);
    sb_str(b, lite ? ")" : "");
}

/* ---- Building one atomic query ------------------------------------------ */

static size_t trim_end(const char *s, size_t end)
{
    while (end > 0 &&
           (s[end - 1] == ' ' || s[end - 1] == '\n' || s[end - 1] == '\t' || s[end - 1] == '\r'))
        end--;
    return end;
}

static void append_range(sql_builder *b, const char *s, size_t from, size_t to)
{
    buf_append(&b->out, s + from, to - from);
}

/* ---- Answering from a rollup (planner/rollup_route.h) ---------------------- */

static void build_inner(split_ctx *x, sql_builder *b, const source_job *job, ptr_vec *bounds);

/* How the atomic query's outer level names dimension canon (see resolve_column). */
static const char *dim_column(split_ctx *x, const source *src, sql_dialect d, const char *canon)
{
    const dimension *def;
    return catalog_dim_on_source(x->cat, src, canon, &def) == DIM_LOCAL
               ? local_column_name(x->a, d, canon)
               : canon;
}

/* name quoted as an identifier of dialect d. */
static const char *ident_text(split_ctx *x, sql_dialect d, const char *name)
{
    sql_builder col;
    sb_init(&col, x->a, d);
    sb_ident(&col, name);
    query_param *none;
    size_t n;
    return sb_finish(&col, &none, &n);
}

/* The rollup's metric columns: m, or m__sum and m__count of an AVG. */
static void print_rollup_metric_columns(split_ctx *x, sql_builder *b, const rollup *r)
{
    for (size_t i = 0; i < r->n_metrics; i++) {
        const metric *m = catalog_metric(x->cat, r->metrics[i]);
        sb_str(b, ", ");
        if (m->aggregation != AGGREGATION_AVG) {
            sb_ident(b, m->name);
            continue;
        }
        sb_ident(b, arena_printf(x->a, "%s__sum", m->name));
        sb_str(b, ", ");
        sb_ident(b, arena_printf(x->a, "%s__count", m->name));
    }
}

/*
 * The rows of the rollup's shape that the source's part of the range would have (the
 * query's range, and `part`: before the rollup's first period, or from its end on):
 * the source aggregated by the rollup's grain and dimensions, as the build's own query
 * computes them.
 * A user's row filter is in the source's SQL already (job->src is the user's view):
 * it is not applied again here.
 */
static void print_source_part(split_ctx *x, sql_builder *b, const source_job *job,
                              const ptr_vec *bounds, const time_bound *part)
{
    const rollup *r = job->route.r;
    /* The source's time read as the job reads it (in the session's zone, which routing
     * made the rollup's), so that its periods are the rollup's. */
    source_job lj = {.src = job->src, .dialect = job->dialect, .convert_time = job->convert_time};
    ptr_vec lb = {0};
    for (size_t i = 0; i < bounds->len; i++)
        ptr_vec_push(x->a, &lb, bounds->items[i]);
    ptr_vec_push(x->a, &lb, (void *)part);
    /* The rollup's grain and dimensions are on its source (checked when it loaded). */
    need_dim(x, &lj, r->grain, "rollup");
    for (size_t i = 0; i < r->n_dimensions; i++)
        need_dim(x, &lj, r->dimensions[i], "rollup");
    sb_str(b, "SELECT ");
    sb_str(b, rollup_period_expr(x->a, job->dialect, r->grain,
                                 ident_text(x, job->dialect, grain_column(x->a, r->grain))));
    for (size_t i = 0; i < r->n_dimensions; i++) {
        sb_str(b, ", ");
        sb_ident(b, dim_column(x, job->src, job->dialect,
                               canonical_dimension(x->cat, r->dimensions[i])));
    }
    for (size_t i = 0; i < r->n_metrics; i++) {
        const metric *m = catalog_metric(x->cat, r->metrics[i]);
        char *arg = m->aggregation == AGGREGATION_AVG ? rollup_avg_argument(m->expr) : NULL;
        if (arg)
            buf_printf(&b->out, ", SUM(%s), COUNT(%s)", arg, arg);
        else
            buf_printf(&b->out, ", %s", m->expr);
        free(arg);
    }
    sb_str(b, " FROM (");
    build_inner(x, b, &lj, &lb);
    sb_str(b, ") AS ");
    sb_ident(b, "mimir_lambda");
    for (size_t i = 0; i <= r->n_dimensions; i++)
        buf_printf(&b->out, "%s%zu", i ? ", " : " GROUP BY ", i + 1);
}

/* The user's row filter on the rollup's rows: its text as written, each column it
 * names replaced by the rollup's column of that dimension (semantic/rollup_filter.h).
 * The rollup is on the source's database: the rest of the text reads the same there. */
static void print_rollup_filter(sql_builder *b, const rollup_filter *f)
{
    size_t at = 0;
    sb_str(b, "(");
    for (size_t i = 0; i < f->n_refs; i++) {
        append_range(b, f->sql, at, f->refs[i].begin);
        sb_ident(b, f->refs[i].dimension);
        at = f->refs[i].end;
    }
    append_range(b, f->sql, at, strlen(f->sql));
    sb_str(b, ")");
}

/* The source's rows before the rollup's first whole period and from its last one's end
 * on, in the rollup's shape (UNION ALL of the two when both). */
static void print_source_parts(split_ctx *x, sql_builder *b, const source_job *job,
                               const ptr_vec *bounds)
{
    time_bound head = {.op = "<", .value = job->route.from};
    time_bound tail = {.op = ">=", .value = job->route.to};
    if (job->route.head)
        print_source_part(x, b, job, bounds, &head);
    if (job->route.head && job->route.tail)
        sb_str(b, " UNION ALL ");
    if (job->route.tail)
        print_source_part(x, b, job, bounds, &tail);
}

/* The query on the source that gives a rollup stored elsewhere the source's parts of the
 * range: its rows, in the rollup's shape, are the first phase (planner/rollup_phase.h). */
static atomic_query *source_rows_query(split_ctx *x, const source_job *job, const ptr_vec *bounds)
{
    atomic_query *rq = arena_alloc(x->a, sizeof(*rq));
    sql_builder b;
    sb_init(&b, x->a, job->dialect);
    print_source_parts(x, &b, job, bounds);
    rq->src = job->src;
    rq->conn = job->src->conn;
    rq->dialect = job->dialect;
    rq->sql = sb_finish(&b, &rq->params, &rq->nparams);
    rollup_rows_columns(x->a, x->cat, job->route.r, rq);
    return rq;
}

/*
 * How a rollup's `period` is read: as it is. It is a wall clock of the rollup's zone,
 * which is the session's (or the source's time is a wall clock no zone converts:
 * planner/rollup_route.h), so no zone converts it even where the source's instants are.
 */
static time_printer period_printer(split_ctx *x, const source_job *job, source_job *wall)
{
    *wall = *job;
    wall->convert_time = false;
    return (time_printer){
        .tz = x->q->tz, .job = wall, .time_col = ident_text(x, job->dialect, "period")};
}

/* The rollup's rows of the whole periods it answers (rollup_route's [from, to)), those
 * of the user's row filter. */
static void print_rollup_rows(split_ctx *x, sql_builder *b, const source_job *job)
{
    const rollup *r = job->route.r;
    source_job wall;
    time_printer tp = period_printer(x, job, &wall);
    sb_str(b, "SELECT ");
    sb_str(b, tp.time_col);
    for (size_t i = 0; i < r->n_dimensions; i++) {
        sb_str(b, ", ");
        sb_ident(b, r->dimensions[i]);
    }
    print_rollup_metric_columns(x, b, r);
    sb_str(b, " FROM ");
    sb_ident(b, "mimir_rollups");
    sb_str(b, ".");
    sb_ident(b, r->name);
    time_bound from = {.op = ">=", .value = job->route.from};
    time_bound to = {.op = "<", .value = job->route.to};
    sb_str(b, " WHERE ");
    if (job->route.from[0]) {
        print_time_bound(&tp, b, &from);
        sb_str(b, " AND ");
    }
    print_time_bound(&tp, b, &to);
    if (job->route.filter) {
        sb_str(b, " AND ");
        print_rollup_filter(b, job->route.filter);
    }
}

/*
 * A routed job's inner rows: the rollup's (plus the source's from its watermark on),
 * with the dimensions named as the outer level names them and the query's grains
 * computed from each row's period.
 */
static void build_rollup_inner(split_ctx *x, sql_builder *b, const source_job *job, ptr_vec *bounds)
{
    const rollup *r = job->route.r;
    sb_str(b, "SELECT ");
    for (size_t i = 0; i < r->n_dimensions; i++) {
        sb_ident(b, r->dimensions[i]);
        sb_str(b, " AS ");
        sb_ident(b, dim_column(x, job->src, job->dialect,
                               canonical_dimension(x->cat, r->dimensions[i])));
        sb_str(b, ", ");
    }
    sb_ident(b, "period");
    print_rollup_metric_columns(x, b, r);
    source_job wall;
    time_printer tp = period_printer(x, job, &wall);
    for (size_t i = 0; i < job->splices.len; i++) {
        bool grain;
        time_grain g;
        dim_name(x->cat, job->splices.items[i], &grain, &g);
        if (!grain)
            continue; /* every dimension of the rollup is listed above */
        sb_str(b, ", ");
        sb_time_grain_of(b, g, local_time, &tp);
        sb_str(b, " AS ");
        sb_ident(b, grain_column(x->a, job->splices.items[i]));
    }
    sb_str(b, " FROM (");
    print_rollup_rows(x, b, job);
    if (job->route.elsewhere && (job->route.head || job->route.tail)) {
        /* The source is another database: its rows come first, then as parameters. */
        if (x->q->rollup_rows)
            rollup_rows_print(b, x->q->rollup_rows);
        else
            x->rows_query = source_rows_query(x, job, bounds);
    } else if (job->route.head || job->route.tail) {
        sb_str(b, " UNION ALL ");
        print_source_parts(x, b, job, bounds);
    }
    sb_str(b, ") AS ");
    sb_ident(b, "mimir_rollup");
}

/* The source's SQL with splices in its select list and time bounds in its WHERE. */
static void build_inner(split_ctx *x, sql_builder *b, const source_job *job, ptr_vec *bounds)
{
    const source *s = job->src;
    if (job->routed) {
        build_rollup_inner(x, b, job, bounds);
        return;
    }
    time_printer tp = {.tz = x->q->tz, .job = job, .time_col = s->time_col};
    const source_sql_shape *sh = &s->shape;
    append_range(b, s->sql, 0, trim_end(s->sql, sh->select_list_end));
    for (size_t i = 0; i < job->splices.len; i++) {
        const char *name = job->splices.items[i];
        bool grain;
        time_grain g;
        dim_name(x->cat, name, &grain, &g);
        sb_str(b, ", ");
        if (grain) {
            sb_time_grain_of(b, g, local_time, &tp);
            sb_str(b, " AS ");
            sb_ident(b, grain_column(x->a, name));
        } else {
            const dimension *def;
            catalog_dim_on_source(x->cat, s, name, &def);
            sb_str(b, def->expr);
            sb_str(b, " AS ");
            sb_ident(b, name);
        }
    }
    if (job->convert_time) { /* for UNIX_TIMESTAMP(ts): see unix_timestamp_of_instant */
        sb_str(b, ", ");
        sb_str(b, s->time_col);
        sb_str(b, " AS ");
        sb_ident(b, INSTANT_COLUMN);
    }
    sb_str(b, " ");
    size_t from = sh->select_list_end;
    if (bounds->len == 0) {
        append_range(b, s->sql, from, sh->sql_end);
        return;
    }
    if (sh->has_where) {
        append_range(b, s->sql, from, sh->where_begin);
        sb_str(b, " (");
        append_range(b, s->sql, sh->where_begin, sh->where_end);
        sb_str(b, ") AND ");
    } else {
        append_range(b, s->sql, from, sh->where_end);
        sb_str(b, " WHERE ");
    }
    for (size_t i = 0; i < bounds->len; i++) {
        const time_bound *tb = bounds->items[i];
        if (i)
            sb_str(b, " AND ");
        print_time_bound(&tp, b, tb);
    }
    sb_str(b, " ");
    append_range(b, s->sql, sh->where_end, sh->sql_end);
}

static void limit_clause(sql_builder *b, const inquiry *q)
{
    if (q->has_limit)
        buf_printf(&b->out, " LIMIT %lld OFFSET %lld", (long long)q->limit, (long long)q->offset);
}

/* Whether the job's source SQL gets a time grain spliced into it. */
static bool splices_grain(const split_ctx *x, const source_job *job)
{
    for (size_t i = 0; i < job->splices.len; i++) {
        bool grain;
        time_grain g;
        dim_name(x->cat, job->splices.items[i], &grain, &g);
        if (grain)
            return true;
    }
    return false;
}

/* The inquiry's filters: time bounds for the sources' WHERE, and the others. */
static expr *day_literal(arena *a, const expr *at, const char *day)
{
    expr *lit = arena_alloc(a, sizeof(*lit));
    *lit = (expr){.kind = EX_LITERAL,
                  .lit = LIT_STRING,
                  .text = day,
                  .text_len = strlen(day),
                  .pos = at->pos,
                  .end = at->end};
    return lit;
}

static expr *binary(arena *a, const expr *at, expr_op op, expr *left, expr *right)
{
    expr *e = arena_alloc(a, sizeof(*e));
    *e = (expr){
        .kind = EX_BINARY, .op = op, .left = left, .right = right, .pos = at->pos, .end = at->end};
    return e;
}

static expr *negation(arena *a, expr *e)
{
    expr *not = arena_alloc(a, sizeof(*not ));
    *not = (expr){.kind = EX_UNARY, .op = OP_NOT, .left = e, .pos = e->pos, .end = e->end};
    return not ;
}

/* col op value on days (day_bound); value never holds (ds = '... 12:00'): col > day AND
 * col < day, false but NULL for a NULL, as the comparison. NULL when it is no time. */
static expr *day_comparison(split_ctx *x, const expr *at, expr *col, expr_op op, const expr *v)
{
    const char *value = bound_literal(x, v);
    if (!value || strlen(value) <= 10)
        return NULL;
    bool negate = op == OP_NE;
    expr_op on_day = negate ? OP_EQ : op;
    day_bound_kind kind = day_bound(x->a, &value, &on_day);
    expr *e;
    if (kind == DAY_NONE)
        return NULL;
    if (kind == DAY_NEVER)
        e = binary(x->a, at, OP_AND, binary(x->a, at, OP_GT, col, day_literal(x->a, v, value)),
                   binary(x->a, at, OP_LT, col, day_literal(x->a, v, value)));
    else
        e = binary(x->a, at, on_day, col, day_literal(x->a, v, value));
    return negate ? negation(x->a, e) : e;
}

/* ds, DATE(ts), year_month and the other grains of days (period_grain_ref), or a dimension
 * src's database has as a DATE (NULL src: the grains). */
static bool date_valued(split_ctx *x, const source *src, const expr *e)
{
    time_grain g;
    period_kind k;
    if (grain_column_ref(x->cat, e, &g))
        return g == GRAIN_DATE;
    if (period_grain_ref(x->cat, e, &k))
        return true;
    if (!src || !x->q->types || e->kind != EX_COLUMN)
        return false;
    const column_type *t = discovered_types_get(x->q->types, src->name, e->parts[e->nparts - 1]);
    return t && t->kind == CT_DATE;
}

/*
 * col [NOT] IN (...) with times of day among the values, on days: a time other than
 * midnight equals no day and leaves the list, midnight is its day. With no value left:
 * col > day AND col < day (false, NULL for a NULL), negated for NOT IN.
 */
static const expr *day_in_list(split_ctx *x, const expr *e)
{
    expr **args = arena_alloc(x->a, (e->nargs + 1) * sizeof(*args));
    size_t n = 0;
    const char *dropped = NULL;
    bool changed = false;
    for (size_t i = 0; i < e->nargs; i++) {
        const char *value = bound_literal(x, e->args[i]);
        expr_op op = OP_EQ;
        day_bound_kind kind = value && strlen(value) > 10 ? day_bound(x->a, &value, &op) : DAY_NONE;
        changed |= kind != DAY_NONE;
        if (kind == DAY_NEVER)
            dropped = value;
        else
            args[n++] = kind == DAY_NONE ? e->args[i] : day_literal(x->a, e->args[i], value);
    }
    if (!changed)
        return e;
    if (n == 0) {
        expr *never =
            binary(x->a, e, OP_AND, binary(x->a, e, OP_GT, e->left, day_literal(x->a, e, dropped)),
                   binary(x->a, e, OP_LT, e->left, day_literal(x->a, e, dropped)));
        return e->negated ? negation(x->a, never) : never;
    }
    expr *out = arena_alloc(x->a, sizeof(*out));
    *out = *e;
    out->args = args;
    out->nargs = n;
    return out;
}

/*
 * A DATE (date_valued) compared with a time of day anywhere in a filter, rewritten on
 * days: MySQL compares a DATE with a DATETIME as DATETIME, while PostgreSQL reads the
 * text '2024-03-05 12:00:00' as the DATE 2024-03-05 and drops the time. Filters on ds
 * that are time bounds are turned into bounds the same way (time_bounds).
 */
static const expr *day_comparisons(split_ctx *x, const source *src, const expr *e)
{
    if (e->kind == EX_BINARY && (e->op == OP_AND || e->op == OP_OR)) {
        const expr *l = day_comparisons(x, src, e->left), *r = day_comparisons(x, src, e->right);
        return l == e->left && r == e->right ? e : binary(x->a, e, e->op, (expr *)l, (expr *)r);
    }
    if (e->kind == EX_UNARY && e->op == OP_NOT) {
        const expr *l = day_comparisons(x, src, e->left);
        return l == e->left ? e : negation(x->a, (expr *)l);
    }
    if (e->kind == EX_IN && !e->subquery && date_valued(x, src, e->left))
        return day_in_list(x, e);
    if (e->kind == EX_BETWEEN && date_valued(x, src, e->left)) {
        expr *lo = day_comparison(x, e, e->left, OP_GE, e->args[0]);
        expr *hi = day_comparison(x, e, e->left, OP_LE, e->args[1]);
        if (!lo && !hi)
            return e;
        lo = lo ? lo : binary(x->a, e, OP_GE, e->left, e->args[0]);
        hi = hi ? hi : binary(x->a, e, OP_LE, e->left, e->args[1]);
        expr *both = binary(x->a, e, OP_AND, lo, hi);
        return e->negated ? negation(x->a, both) : both;
    }
    static const expr_op flipped[] = {[OP_LT] = OP_GT, [OP_LE] = OP_GE, [OP_GT] = OP_LT,
                                      [OP_GE] = OP_LE, [OP_EQ] = OP_EQ, [OP_NE] = OP_NE};
    if (e->kind != EX_BINARY || (e->op != OP_LT && e->op != OP_LE && e->op != OP_GT &&
                                 e->op != OP_GE && e->op != OP_EQ && e->op != OP_NE))
        return e;
    expr *out = NULL;
    if (date_valued(x, src, e->left))
        out = day_comparison(x, e, e->left, e->op, e->right);
    else if (date_valued(x, src, e->right))
        out = day_comparison(x, e, e->right, flipped[e->op], e->left);
    return out ? out : e;
}

/* The query's filters: its time bounds, and the rest as src's query has them (NULL: any). */
static void query_filters(split_ctx *x, const source *src, ptr_vec *bounds, ptr_vec *outer)
{
    const inquiry *q = x->q;
    for (size_t i = 0; i < q->nfilters; i++) {
        time_bound tb[2];
        size_t n;
        if (time_bounds(x, q->filters[i], tb, &n) || period_bounds(x, q->filters[i], tb, &n)) {
            for (size_t k = 0; k < n; k++) {
                time_bound *copy = arena_alloc(x->a, sizeof(*copy));
                *copy = tb[k];
                ptr_vec_push(x->a, bounds, copy);
            }
        } else {
            ptr_vec_push(x->a, outer, (void *)day_comparisons(x, src, q->filters[i]));
        }
    }
}

/* The job's filters: the query's time bounds (shifted or widened for a time metric)
 * pushed into the source's WHERE, the rest outside. */
static bool sort_filters(split_ctx *x, const source_job *job, ptr_vec *bounds, ptr_vec *outer)
{
    query_filters(x, job->src, bounds, outer);
    if (job->tm) {
        ptr_vec asked = *bounds;
        return time_job_bounds(x->a, &x->tp, job->tm, &asked, bounds, x->err);
    }
    if (job->truncate) {
        time_bound *tb = arena_alloc(x->a, sizeof(*tb));
        *tb = (time_bound){.op = "<", .value = x->incomplete_start};
        ptr_vec_push(x->a, bounds, tb);
    }
    return true;
}

/* The semantic layer's name of an atomic column (see atomic_query.layer_names). */
static const char *layer_name_of(const metric *m, const expr *dim)
{
    if (m)
        return m->derived ? NULL : m->name;
    return dim && dim->kind == EX_COLUMN ? dim->parts[dim->nparts - 1] : NULL;
}

/*
 * Builds job's atomic query. Streaming (one source, nothing computed after):
 * its columns are the client's columns in order, with ORDER BY and LIMIT
 * pushed down. Otherwise: the inquiry's keys d0..dn, then this source's
 * metrics m<i>, for the final stage.
 */
/* WHERE (filters on the source's columns), GROUP BY, and when the rows stream straight
 * to the client, ORDER BY and LIMIT, after the atomic query's FROM (...). */
static bool print_outer_clauses(split_ctx *x, sql_builder *b, const source_job *job,
                                const ptr_vec *outer, const ptr_vec *group, bool streaming)
{
    const inquiry *q = x->q;
    for (size_t i = 0; i < outer->len; i++) {
        sb_str(b, i ? " AND " : " WHERE ");
        if (!sb_expr(b, outer->items[i], resolve_column, x, x->err))
            return false;
    }
    for (size_t i = 0; i < group->len; i++)
        buf_printf(&b->out, "%s%zu", i ? ", " : " GROUP BY ", (size_t)(uintptr_t)group->items[i]);
    if (!streaming)
        return true;
    for (size_t i = 0; i < q->norder; i++) {
        buf_printf(&b->out, "%s%zu", i ? ", " : " ORDER BY ", q->order[i].column + 1);
        if (q->order[i].desc)
            sb_str(b, " DESC");
        /* MySQL sorts NULLs first ascending and last descending; PostgreSQL the opposite. */
        if (job->dialect == DIALECT_POSTGRES)
            sb_str(b, q->order[i].desc ? " NULLS LAST" : " NULLS FIRST");
    }
    limit_clause(b, q);
    return true;
}

/* Does the source compute metric m as an integer (a COUNT, a SUM of integers)? */
static bool metric_is_integer(split_ctx *x, const source_job *job, const metric *m)
{
    if (m->aggregation == AGGREGATION_COUNT)
        return true;
    const column_type *t = discovered_types_get(x->q->types, job->src->name, m->name);
    return t && (t->kind == CT_TINYINT || t->kind == CT_SMALLINT || t->kind == CT_MEDIUMINT ||
                 t->kind == CT_INT || t->kind == CT_BIGINT);
}

/* The aggregate that re-aggregates a rollup's column of metric m (not an AVG). */
static const char *aggregate_of(const metric *m)
{
    return m->aggregation == AGGREGATION_MIN   ? "MIN"
           : m->aggregation == AGGREGATION_MAX ? "MAX"
                                               : "SUM";
}

/* The rollup's columns of m aggregated again: an AVG as its sums over its counts. */
static void print_reaggregate(split_ctx *x, sql_builder *b, const source_job *job, const metric *m)
{
    sql_dialect d = job->dialect;
    if (m->aggregation != AGGREGATION_AVG) {
        buf_printf(&b->out, "%s(%s)", aggregate_of(m), ident_text(x, d, m->name));
        return;
    }
    buf_printf(&b->out, d == DIALECT_SQLITE ? "(1.0 * SUM(%s) / SUM(%s))" : "(SUM(%s) / SUM(%s))",
               ident_text(x, d, arena_printf(x->a, "%s__sum", m->name)),
               ident_text(x, d, arena_printf(x->a, "%s__count", m->name)));
}

/*
 * A metric over the rows of a routed job: its rollup columns aggregated again (SUM of
 * sums and counts, MIN of minimums, the sum of an AVG's sums over the sum of its
 * counts), typed as the source types the metric: a SUM of BIGINT counts is a NUMERIC
 * on PostgreSQL and a DECIMAL on MySQL, cast back. Otherwise the metric's own SQL.
 */
static void print_metric_value(split_ctx *x, sql_builder *b, const source_job *job, const metric *m)
{
    if (!job->routed) {
        sb_str(b, m->expr);
        return;
    }
    /* MySQL types a SUM of a DECIMAL(p,s) wider than the metric's own DECIMAL (and an AVG
     * of sums likewise): that type is restored, so drivers see the column they see
     * without rollups (tests compare the metadata). */
    const column_type *t = discovered_types_get(x->q->types, job->src->name, m->name);
    const char *cast = NULL;
    if (job->dialect == DIALECT_MYSQL && t && t->kind == CT_DECIMAL && t->length)
        cast = arena_printf(x->a, "DECIMAL(%u,%u)", t->length, t->scale);
    else if (job->dialect != DIALECT_SQLITE && m->aggregation != AGGREGATION_AVG &&
             strcmp(aggregate_of(m), "SUM") == 0 && metric_is_integer(x, job, m))
        cast = job->dialect == DIALECT_POSTGRES ? "BIGINT" : "SIGNED";
    if (cast)
        sb_str(b, "CAST(");
    print_reaggregate(x, b, job, m);
    if (cast)
        buf_printf(&b->out, " AS %s)", cast);
}

/*
 * A metric's aggregate. On SQLite, one the layer types DECIMAL(p,s)
 * (layer_type_of_sqlite_metric) is rounded to s decimals there, so that its
 * binary sum sorts and ties as the exact decimal it stands for (0.1 + 0.2 is
 * 0.3); execution then sends it as that DECIMAL.
 */
static void print_metric(split_ctx *x, sql_builder *b, const source_job *job, const metric *m,
                         result_column *t)
{
    if (job->dialect == DIALECT_SQLITE)
        *t = layer_type_of_sqlite_metric(job->src, m, x->q->types);
    if (t->type != VT_DECIMAL) {
        print_metric_value(x, b, job, m);
        return;
    }
    sb_str(b, "round(");
    print_metric_value(x, b, job, m);
    buf_printf(&b->out, ", %d)", t->decimals);
}

/*
 * PostgreSQL and MySQL: the scale of a DECIMAL expression of the source's columns,
 * by its type rule (planner/layer_types.h), into aq->expr_types: a NUMERIC without
 * a typmod tells none when its values do not (every COALESCE(amount, 0) is 0).
 */
static void note_decimal_expression(split_ctx *x, const source_job *job, atomic_query *aq,
                                    size_t ncols, size_t i, const expr *dim)
{
    if (job->dialect == DIALECT_SQLITE || !dim || layer_name_of(NULL, dim))
        return;
    result_column t = layer_type_of_decimal_dim(x->a, dim, job->src, x->q->types);
    if (t.type != VT_DECIMAL)
        return;
    if (!aq->expr_types) {
        aq->expr_types = arena_alloc(x->a, (ncols + 1) * sizeof(result_column));
        for (size_t k = 0; k <= ncols; k++)
            aq->expr_types[k] = (result_column){.type = VT_NULL, .decimals = -1};
    }
    aq->expr_types[i] = t;
}

/* A window's end (or start) as the source's time column compares it: the session's
 * wall clock, or the UTC instant it is when the column is an instant read in a zone. */
static void print_window_time(split_ctx *x, sql_builder *b, const source_job *job, int64_t t)
{
    if (job->convert_time) {
        int64_t seconds = t / 1000000;
        t = time_zone_instant(x->q->tz, seconds) * 1000000 + (t - seconds * 1000000);
    }
    char text[32];
    period_time_text(t, text);
    if (b->dialect == DIALECT_SQLITE) {
        sb_param(b, PARAM_TEXT, arena_strdup(x->a, text));
        return;
    }
    sb_str(b, "CAST(");
    sb_param(b, PARAM_TEXT, arena_strdup(x->a, text));
    sb_str(b, b->dialect == DIALECT_POSTGRES ? " AS TIMESTAMP)" : " AS DATETIME(6))");
}

/* A period's label, typed as the query's time key is on this backend. */
static void print_window_label(const split_ctx *x, sql_builder *b, const time_window *w)
{
    const period_kind *k = &x->tp.kind;
    bool pg = b->dialect == DIALECT_POSTGRES, lite = b->dialect == DIALECT_SQLITE;
    const char *type = w->label_kind == PARAM_INT ? (pg || lite ? "INTEGER" : "SIGNED")
                       : k->label == PERIOD_LABEL_DATETIME ||
                               (k->label == PERIOD_LABEL_GRAIN && k->unit < PERIOD_DAY)
                           ? (pg ? "TIMESTAMP" : "DATETIME")
                           : "DATE";
    if (lite && w->label_kind != PARAM_INT) {
        sb_param(b, PARAM_TEXT, w->label);
        return;
    }
    sb_str(b, "CAST(");
    sb_param(b, w->label_kind, w->label);
    buf_printf(&b->out, " AS %s)", type);
}

/* SQLite keeps times as text: both sides written alike (see SQLITE_TIME_TEXT). */
static void print_time_compare(sql_builder *b, const char *column, const char *op, const char *w)
{
    bool lite = b->dialect == DIALECT_SQLITE;
    sb_str(b, lite ? SQLITE_TIME_TEXT : "");
    sb_str(b, column);
    buf_printf(&b->out, "%s %s %s", lite ? ")" : "", op, lite ? SQLITE_TIME_TEXT : "");
    sb_ident(b, "mimir_windows");
    sb_str(b, ".");
    sb_ident(b, w);
    sb_str(b, lite ? ")" : "");
}

static void print_alias(sql_builder *b, bool first, const char *name)
{
    if (!first)
        return;
    sb_str(b, " AS ");
    sb_ident(b, name);
}

/*
 * JOIN the windows of a cumulative metric's periods (planner/time_metrics.h): each
 * source row counts in every window it falls in, and the metrics aggregate per
 * window, computed by the source whatever they are (COUNT DISTINCT, AVG, ...).
 */
static bool print_windows_join(split_ctx *x, sql_builder *b, const source_job *job)
{
    time_window *w;
    size_t n;
    if (!time_windows(x->a, &x->tp, job->tm, &w, &n, x->err))
        return false;
    sb_str(b, " JOIN (");
    for (size_t i = 0; i < n; i++) {
        sb_str(b, i ? " UNION ALL SELECT " : "SELECT ");
        print_window_label(x, b, &w[i]);
        print_alias(b, i == 0, "mimir_p");
        sb_str(b, ", ");
        print_window_time(x, b, job, w[i].has_start ? w[i].start : w[i].end);
        print_alias(b, i == 0, "mimir_ws");
        sb_str(b, ", ");
        print_window_time(x, b, job, w[i].end);
        print_alias(b, i == 0, "mimir_we");
    }
    sb_str(b, ") AS ");
    sb_ident(b, "mimir_windows");
    sb_str(b, " ON ");
    sql_builder col;
    sb_init(&col, x->a, b->dialect);
    sb_ident(&col, "mimir_source");
    sb_str(&col, ".");
    sb_ident(&col, local_column_name(x->a, b->dialect, job->src->time_col_alias));
    query_param *unused;
    size_t nunused;
    const char *t = sb_finish(&col, &unused, &nunused);
    print_time_compare(b, t, "<", "mimir_we");
    if (n && w[0].has_start) {
        sb_str(b, " AND ");
        print_time_compare(b, t, ">=", "mimir_ws");
    }
    return true;
}

/* ---- Semi-additive metrics (planner/semi_additive.h) ------------------------ */

typedef struct rows_printer {
    split_ctx *x;
    const source_job *job;
    ptr_vec *bounds;
} rows_printer;

static void print_source_rows(void *ctx, sql_builder *b)
{
    rows_printer *r = ctx;
    build_inner(r->x, b, r->job, r->bounds);
}

/* A column reference to a dimension by name. */
static const expr *column_ref(arena *a, const char *name)
{
    expr *e = arena_alloc(a, sizeof(*e));
    e->kind = EX_COLUMN;
    e->parts[0] = name;
    e->nparts = 1;
    return e;
}

/*
 * The join that keeps, of the source's rows, those at the last (first) time
 * of their period and per-value. The periods are the values of the query's
 * grouping expressions that name a grain (all of them, so that two grains
 * make a period of each pair of values, as the groups do).
 */
static bool print_semi_additive_join(split_ctx *x, sql_builder *b, const source_job *job,
                                     ptr_vec *bounds, const ptr_vec *outer)
{
    const inquiry *q = x->q;
    ptr_vec periods = {0}, per = {0};
    for (size_t i = 0; i < q->ndims; i++)
        if (grains_named(x->cat, q->dims[i].e))
            ptr_vec_push(x->a, &periods, (void *)q->dims[i].e);
    for (size_t i = 0; i < job->semi->n_non_additive_per; i++)
        ptr_vec_push(x->a, &per, (void *)column_ref(x->a, job->semi->non_additive_per[i]));
    rows_printer rows = {.x = x, .job = job, .bounds = bounds};
    semi_additive_join j = {
        .m = job->semi,
        .periods = (const expr *const *)periods.items,
        .nperiods = periods.len,
        .per = (const expr *const *)per.items,
        .nper = per.len,
        .time_column = local_column_name(x->a, job->dialect, job->src->time_col_alias),
        .filters = (const expr *const *)outer->items,
        .nfilters = outer->len,
        .resolve = resolve_column,
        .resolve_ctx = x,
        .print_rows = print_source_rows,
        .rows_ctx = &rows,
    };
    return semi_additive_print_join(b, &j, x->err);
}

/* The atomic query's SQL and what execution needs to know of its columns and zone. */
static void finish_atomic(split_ctx *x, const source_job *job, sql_builder *b, const ptr_vec *names,
                          const ptr_vec *layer_names, const ptr_vec *sqlite_types,
                          value_type *types, atomic_query *aq)
{
    const char *function_zone = b->named_zone; /* CONVERT_TZ(..., 'Europe/Paris') */
    aq->sql = sb_finish(b, &aq->params, &aq->nparams);
    aq->ncols = names->len;
    aq->col_names = (const char **)names->items;
    aq->layer_names = (const char **)layer_names->items;
    if (sqlite_types->len) {
        aq->layer_types = arena_alloc(x->a, (sqlite_types->len + 1) * sizeof(result_column));
        for (size_t i = 0; i < sqlite_types->len; i++)
            aq->layer_types[i] = *(result_column *)sqlite_types->items[i];
    }
    if (job->convert_time && job->dialect == DIALECT_MYSQL && x->q->tz->kind == TZ_NAMED)
        aq->tz_name = arena_strdup(x->a, x->q->tz->text); /* checked by the connector */
    else if (function_zone)
        aq->tz_name = function_zone;
    if (types && job->dialect == DIALECT_SQLITE)
        aq->col_types = types;
}

/* Whether a rollup answers the job (planner/rollup_route.h): never a time metric's, a
 * semi-additive metric's or the type probe's, which read rows a rollup does not keep. */
static void route_job(split_ctx *x, source_job *job, const ptr_vec *bounds, const ptr_vec *outer,
                      atomic_query *aq)
{
    const inquiry *q = x->q;
    job->routed = false;
    if (!q->nrollups || q->type_probe || job->tm || job->semi || job->windows ||
        job->metrics.len == 0)
        return;
    ptr_vec exprs = {0};
    for (size_t i = 0; i < q->ndims; i++)
        ptr_vec_push(x->a, &exprs, (void *)q->dims[i].e);
    for (size_t i = 0; i < outer->len; i++)
        ptr_vec_push(x->a, &exprs, outer->items[i]);
    rollup_demand d = {.src = job->src,
                       .metrics = (const inquiry_metric *const *)job->metrics.items,
                       .nmetrics = job->metrics.len,
                       .exprs = (const expr *const *)exprs.items,
                       .nexprs = exprs.len,
                       .bounds = (const time_bound *const *)bounds->items,
                       .nbounds = bounds->len,
                       .tz = q->tz,
                       .types = q->types};
    /* One source per statement may read its parts of the range first, for a rollup stored
     * elsewhere: the one planned again with those rows, or the first to need it. */
    bool given =
        q->rollup_rows && !x->rows_taken && strcmp(q->rollup_rows_source, job->src->name) == 0;
    d.elsewhere_parts_ok = given || (q->rollup_phase_ok && !q->rollup_rows && !x->rows_taken);
    job->routed = rollup_route_choose(x->cat, q->rollups, q->nrollups, &d, &job->route);
    if (job->routed && job->route.elsewhere && (job->route.head || job->route.tail))
        x->rows_taken = true;
    if (!job->routed)
        return;
    /* The rollup's storage runs it: the source's own connection, or another of its kind
     * (then the range ends before the watermark: rollup_route_choose). */
    aq->conn = catalog_rollup_storage(job->src, job->route.r);
    /* The server's list changes when a build ends: the plan keeps its own copy. */
    rollup_ready *own = arena_alloc(x->a, sizeof(*own));
    *own = *job->route.ready;
    own->name = arena_strdup(x->a, own->name);
    job->route.ready = own;
    aq->rollup = job->route.r->name;
    aq->rollup_refreshed_at = job->route.ready->refreshed_at;
    aq->rollup_source_before = job->route.head ? arena_strdup(x->a, job->route.from) : NULL;
    aq->rollup_source_from = job->route.tail ? arena_strdup(x->a, job->route.to) : NULL;
}

static bool build_atomic(split_ctx *x, source_job *job, bool streaming, atomic_query *aq)
{
    const inquiry *q = x->q;
    x->job = job;
    aq->src = job->src;
    aq->conn = job->src->conn;
    aq->dialect = job->dialect;

    ptr_vec names = {0}, layer_names = {0}, sqlite_types = {0}, bounds = {0}, outer = {0};
    if (!sort_filters(x, job, &bounds, &outer))
        return false;
    route_job(x, job, &bounds, &outer, aq);
    /* A routed job reads the source from the watermark on: a bound, even without the
     * query's own. */
    if ((bounds.len > 0 || splices_grain(x, job) || job->routed) && !decide_time_conversion(x, job))
        return false;

    sql_builder b;
    sb_init(&b, x->a, job->dialect);
    b.tz = q->tz;
    b.clock_us = q->clock_us;
    b.cal = &x->cat->cal;
    b.subst = unix_timestamp_of_instant;
    b.subst_ctx = x;
    sb_str(&b, "SELECT ");
    ptr_vec group = {0};
    time_grain g;
    size_t ncols = streaming ? q->ncolumns : q->ndims + job->metrics.len;
    value_type *types = arena_alloc(x->a, (ncols + 1) * sizeof(*types)); /* zeroed: VT_NULL */
    bool typed = false;
    for (size_t i = 0; i < ncols; i++) {
        const expr *dim = NULL;
        const metric *m = NULL;
        const char *name;
        if (streaming) {
            const inquiry_column *c = &q->columns[i];
            if (c->kind == COL_DIM)
                dim = q->dims[c->index].e;
            else
                m = q->metrics[c->index].m;
            name = c->name;
        } else if (i < q->ndims) {
            dim = q->dims[i].e;
            name = q->dims[i].key;
        } else {
            const inquiry_metric *im = job->metrics.items[i - q->ndims];
            m = im->m;
            name = im->key;
        }
        if (i)
            sb_str(&b, ", ");
        result_column *t = arena_alloc(x->a, sizeof(*t));
        *t = (result_column){.type = VT_NULL, .decimals = -1};
        if (m) {
            print_metric(x, &b, job, m, t);
        } else if (!streaming && i == x->tp.key && job->windows) {
            sb_ident(&b, "mimir_windows");
            sb_str(&b, ".");
            sb_ident(&b, "mimir_p");
            ptr_vec_push(x->a, &group, (void *)(uintptr_t)(i + 1));
        } else if (!streaming && i == x->tp.key && time_job_key_grain(&x->tp, job->tm, &g)) {
            /* the periods this time metric's rows are grouped by (planner/time_metrics.h) */
            sb_ident(&b, grain_column(x->a, time_grain_name(g)));
            ptr_vec_push(x->a, &group, (void *)(uintptr_t)(i + 1));
        } else {
            if (!sb_expr(&b, dim, resolve_column, x, x->err)) {
                sb_discard(&b);
                return false;
            }
            ptr_vec_push(x->a, &group, (void *)(uintptr_t)(i + 1));
            types[i] = function_value_type(dim);
            typed |= types[i] != VT_NULL;
        }
        sb_str(&b, " AS ");
        sb_ident(&b, name);
        ptr_vec_push(x->a, &names, (void *)name);
        ptr_vec_push(x->a, &layer_names, (void *)layer_name_of(m, dim));
        note_decimal_expression(x, job, aq, ncols, i, m ? NULL : dim);
        if (job->dialect == DIALECT_SQLITE) {
            if (!m)
                *t = layer_type_of_sqlite_dim(x->a, dim, job->src, x->q->types);
            ptr_vec_push(x->a, &sqlite_types, t);
        }
    }
    sb_str(&b, " FROM (");
    build_inner(x, &b, job, &bounds);
    sb_str(&b, ") AS ");
    sb_ident(&b, "mimir_source");
    if ((job->windows && !print_windows_join(x, &b, job)) ||
        (job->semi && !print_semi_additive_join(x, &b, job, &bounds, &outer)) ||
        !print_outer_clauses(x, &b, job, &outer, &group, streaming)) {
        sb_discard(&b);
        return false;
    }
    finish_atomic(x, job, &b, &names, &layer_names, &sqlite_types, typed ? types : NULL, aq);
    return true;
}

/* ---- Choosing sources ----------------------------------------------------- */

/*
 * The job of source s for metrics that do (truncate) or don't ask for
 * truncate_incomplete_granularity. When metrics of one source disagree, the
 * source gets two atomic queries, so that each metric is computed as its
 * definition asks; the combine joins them like queries of two sources.
 */
static source_job *job_for(split_ctx *x, ptr_vec *jobs, const source *s, bool truncate,
                           const metric *tm, const metric *semi)
{
    for (size_t i = 0; i < jobs->len; i++) {
        source_job *j = jobs->items[i];
        if (j->src == s && j->truncate == truncate && j->tm == tm &&
            semi_additive_same(j->semi, semi))
            return j;
    }
    source_job *j = arena_alloc(x->a, sizeof(*j));
    j->src = s;
    j->truncate = truncate;
    j->tm = tm;
    j->semi = semi;
    j->dialect = dialect_of(s->conn);
    j->query = jobs->len;
    ptr_vec_push(x->a, jobs, j);
    return j;
}

/* Does source s have every dimension e names? */
static bool source_has_dims(const catalog *cat, const source *s, const expr *e)
{
    if (!e)
        return true;
    if (e->kind == EX_COLUMN) {
        bool grain;
        time_grain g;
        const char *canon = dim_name(cat, e->parts[e->nparts - 1], &grain, &g);
        const dimension *def;
        return canon && (grain || catalog_dim_on_source(cat, s, canon, &def) != DIM_NOT_ON_SOURCE);
    }
    if (!source_has_dims(cat, s, e->left) || !source_has_dims(cat, s, e->right))
        return false;
    for (size_t i = 0; i < e->nargs; i++)
        if (!source_has_dims(cat, s, e->args[i]))
            return false;
    return true;
}

/* With no metric, every source that has all the dimensions says which values exist. */
static bool dimension_only_jobs(split_ctx *x, ptr_vec *jobs)
{
    const inquiry *q = x->q;
    if (q->ndims == 0) {
        sql_error_set(x->err, ER_NOT_SUPPORTED_YET, "42000",
                      "select at least one AGG(metric) or dimension from mimir.metrics");
        return false;
    }
    for (size_t s = 0; s < x->cat->n_sources; s++) {
        const source *src = &x->cat->sources[s];
        if (q->only_source && src != q->only_source)
            continue;
        bool all = true;
        for (size_t i = 0; i < q->ndims && all; i++)
            all = source_has_dims(x->cat, src, q->dims[i].e);
        for (size_t i = 0; i < q->nfilters && all; i++)
            all = source_has_dims(x->cat, src, q->filters[i]);
        if (all)
            job_for(x, jobs, src, false, NULL, NULL);
    }
    if (jobs->len == 0) {
        sql_error_set(x->err, ER_BAD_FIELD, "42S22",
                      "no source has all of these dimensions together");
        return false;
    }
    return true;
}

static bool plan_jobs(split_ctx *x, ptr_vec *jobs)
{
    const inquiry *q = x->q;
    for (size_t i = 0; i < q->nmetrics; i++) {
        const metric *m = q->metrics[i].m;
        const source *s = catalog_source(x->cat, m->source_name);
        if (!s) {
            sql_error_set(x->err, ER_UNKNOWN_ERROR, "HY000",
                          "metric '%s' names unknown source '%s'", m->name, m->source_name);
            return false;
        }
        /* Without a grain there is nothing to truncate: one query per source. A metric
         * over a time metric's periods has its own query, never truncated. */
        const metric *tm = q->metrics[i].tm;
        bool truncate = !tm && m->truncate_incomplete && x->incomplete_start;
        const metric *semi = m->non_additive != NON_ADDITIVE_NONE && !q->type_probe ? m : NULL;
        ptr_vec_push(x->a, &job_for(x, jobs, s, truncate, tm, semi)->metrics,
                     (void *)&q->metrics[i]);
    }
    if (q->nmetrics == 0 && !dimension_only_jobs(x, jobs))
        return false;
    for (size_t j = 0; j < jobs->len; j++) {
        source_job *job = jobs->items[j];
        const char *why =
            arena_printf(x->a, "source of %s",
                         job->metrics.len ? ((const inquiry_metric *)job->metrics.items[0])->m->name
                                          : "the query");
        for (size_t i = 0; i < q->ndims; i++)
            if (!need_dims_of(x, job, q->dims[i].e, why))
                return false;
        for (size_t i = 0; i < q->nfilters; i++)
            if (!need_dims_of(x, job, q->filters[i], "used in WHERE"))
                return false;
        if (job->semi && job->tm && job->tm->time_kind == TIME_METRIC_CUMULATIVE) {
            sql_error_set(x->err, ER_NOT_SUPPORTED_YET, "42000",
                          "This version of Mimir doesn't yet support cumulative metric '%s' over "
                          "semi-additive metric '%s' (a balance does not add up over a window)",
                          job->tm->name, job->semi->name);
            return false;
        }
        time_grain g;
        job->windows = time_job_windows(
            &x->tp, job->tm, (const inquiry_metric *const *)job->metrics.items, job->metrics.len);
        if (!job->windows && time_job_key_grain(&x->tp, job->tm, &g) &&
            !need_dim(x, job, time_grain_name(g), why))
            return false;
        for (size_t i = 0; i < job->metrics.len; i++) {
            const metric *m = ((const inquiry_metric *)job->metrics.items[i])->m;
            const char *w = arena_printf(x->a, "required by %s", m->name);
            for (size_t r = 0; r < m->n_required_dimensions; r++)
                if (!need_dim(x, job, m->required_dimensions[r], w))
                    return false;
        }
        for (size_t r = 0; job->semi && r < job->semi->n_non_additive_per; r++)
            if (!need_dim(x, job, job->semi->non_additive_per[r],
                          arena_printf(x->a, "non_additive_per of %s", job->semi->name)))
                return false;
    }
    return true;
}

/* ---- The final stage, in SQLite ------------------------------------------- */

typedef struct final_ctx {
    split_ctx *x;
    int depth;         /* alias expansion depth, to stop self-reference */
    int derived_depth; /* derived metrics being expanded */
    int derived_count; /* expanded so far in this statement */
    const metric *tm;  /* the time metric being expanded: its metrics are over its periods */
    final_leaves leaves;
} final_ctx;

static bool print_column_final(final_ctx *f, sql_builder *b, const inquiry_column *c,
                               sql_error *err);

/*
 * fill_nulls_with: the metric is the constant where it would be NULL (a source
 * with no rows for a group, a FULL OUTER JOIN's other side), everywhere the
 * final stage reads it: its column, HAVING, ORDER BY and the derived metrics
 * over it. A number is written as the loader checked it (digits, sign, point,
 * exponent); a string goes as a parameter.
 */
static void print_fill_open(sql_builder *b, const metric *m)
{
    if (m->fill_nulls_with)
        sb_str(b, "COALESCE(");
}

static void print_fill_close(sql_builder *b, const metric *m)
{
    if (!m->fill_nulls_with)
        return;
    sb_str(b, ", ");
    if (m->fill_is_number)
        sb_str(b, m->fill_nulls_with);
    else
        sb_param(b, PARAM_TEXT, m->fill_nulls_with);
    sb_str(b, ")");
}

/* A metric's column of the combined tables, filled (over a time metric's periods, the
 * time metric's own fill applies: final_subst). */
static void print_metric_final(sql_builder *b, const inquiry_metric *im)
{
    if (im->tm) {
        sb_ident(b, im->key);
        return;
    }
    print_fill_open(b, im->m);
    sb_ident(b, im->key);
    print_fill_close(b, im->m);
}

/* Where metric i of the inquiry is loaded: its atomic query and column. */
static bool metric_position(const split_ctx *x, size_t index, size_t *query, size_t *col)
{
    for (size_t j = 0; x->jobs && j < x->jobs->len; j++) {
        const source_job *job = x->jobs->items[j];
        for (size_t m = 0; m < job->metrics.len; m++) {
            if (job->metrics.items[m] == &x->q->metrics[index]) {
                *query = j;
                *col = x->q->ndims + m;
                return true;
            }
        }
    }
    return false;
}

/* The metric e names (AGG(m), m itself), or NULL. */
static const metric *final_metric(const split_ctx *x, const expr *e)
{
    const metric *m = measure_of(x->cat, e);
    if (!m && e->kind == EX_COLUMN) {
        bool grain;
        time_grain g;
        if (!dim_name(x->cat, e->parts[e->nparts - 1], &grain, &g))
            m = canonical_metric(x->cat, e->parts[e->nparts - 1]);
    }
    return m;
}

/* The selected column an unqualified name is the alias of, or NULL. */
static const inquiry_column *final_alias(const split_ctx *x, const expr *e)
{
    if (e->kind != EX_COLUMN || e->nparts != 1)
        return NULL;
    for (size_t i = 0; i < x->q->ncolumns; i++)
        if (strcasecmp(x->q->columns[i].name, e->parts[0]) == 0)
            return &x->q->columns[i];
    return NULL;
}

static bool final_leaf_is_number(void *ctx, const expr *e)
{
    final_ctx *f = ctx;
    if (final_metric(f->x, e))
        return true;
    const inquiry_column *c = final_alias(f->x, e);
    if (!c || f->depth >= 8 || c->kind == COL_DIM)
        return false;
    if (c->kind == COL_METRIC)
        return true;
    f->depth++;
    bool number = final_is_number(&f->leaves, c->e);
    f->depth--;
    return number;
}

static const type_rule *final_leaf_type(void *ctx, const expr *e)
{
    final_ctx *f = ctx;
    const split_ctx *x = f->x;
    const inquiry *q = x->q;
    const char *norm = expr_norm(x->a, x->cat, e);
    for (size_t i = 0; i < q->ndims; i++)
        if (strcmp(q->dims[i].norm, norm) == 0)
            return type_rule_input(x->a, 0, i);
    const metric *m = final_metric(x, e);
    const metric *tm = f->tm;
    if (m && m->time_kind != TIME_METRIC_NONE) { /* its base metric's type */
        tm = m;
        m = time_metric_base(x->cat, m);
    }
    for (size_t i = 0; m && !m->derived && i < q->nmetrics; i++) {
        size_t query, col;
        if (q->metrics[i].m == m && q->metrics[i].tm == tm && metric_position(x, i, &query, &col))
            return type_rule_input(x->a, query, col);
    }
    if (m) { /* a derived metric is a DOUBLE (its catalog type) */
        type_rule *r = arena_alloc(x->a, sizeof(*r));
        r->kind = TR_FIXED;
        r->type = VT_DOUBLE;
        r->decimals = -1;
        return r;
    }
    const inquiry_column *c = final_alias(x, e);
    if (!c || f->depth >= 8)
        return NULL;
    f->depth++; /* an alias may name itself: the depth ends that */
    const type_rule *r =
        c->kind != COL_EXPR ? final_leaf_type(ctx, c->e) : final_type_rule(x->a, &f->leaves, c->e);
    f->depth--;
    return r;
}

static void final_ctx_init(final_ctx *f, split_ctx *x)
{
    *f = (final_ctx){.x = x};
    f->leaves =
        (final_leaves){.is_number = final_leaf_is_number, .type_of = final_leaf_type, .ctx = f};
}

/*
 * A metric in the final stage: a derived one as its expression over the combined
 * metrics (a DOUBLE, its catalog type), a base one as its column, the one computed
 * over f->tm's periods when a time metric is being expanded. *handled stays false
 * for m NULL.
 */
static bool final_subst_metric(final_ctx *f, sql_builder *b, const metric *m, bool *handled,
                               sql_error *err)
{
    const inquiry *q = f->x->q;
    if (m && m->derived) {
        bool within = f->derived_depth < DERIVED_MAX_DEPTH &&
                      ++f->derived_count <= 4 * DERIVED_MAX_EXPANSIONS;
        const expr *d = within ? derived_metric_expr(f->x->a, m, err) : NULL;
        if (!d) {
            if (!within) /* the inquiry allowed it: only HAVING and ORDER BY repeat it */
                sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                              "derived metric '%s' expands to too many derived metrics", m->name);
            return false;
        }
        f->derived_depth++;
        print_fill_open(b, m);
        sb_str(b, "CAST((");
        bool ok = sb_expr(b, d, b->resolve, b->resolve_ctx, err);
        sb_str(b, ") AS REAL)");
        print_fill_close(b, m);
        f->derived_depth--;
        *handled = true;
        return ok;
    }
    for (size_t i = 0; m && i < q->nmetrics; i++) {
        if (q->metrics[i].m == m && q->metrics[i].tm == f->tm) {
            print_metric_final(b, &q->metrics[i]);
            *handled = true;
            return true;
        }
    }
    return true;
}

/* Keys and metrics are columns of the combined tables; aliases stand for their columns. */
static bool final_subst(void *ctx, sql_builder *b, const expr *e, bool *handled, sql_error *err)
{
    final_ctx *f = ctx;
    const inquiry *q = f->x->q;
    const char *norm = expr_norm(f->x->a, f->x->cat, e);
    for (size_t i = 0; i < q->ndims; i++) {
        if (strcmp(q->dims[i].norm, norm) == 0) {
            sb_ident(b, q->dims[i].key);
            *handled = true;
            return true;
        }
    }
    const metric *m = measure_of(f->x->cat, e);
    if (!m && e->kind == EX_COLUMN) {
        bool grain;
        time_grain g;
        if (!dim_name(f->x->cat, e->parts[e->nparts - 1], &grain, &g))
            m = canonical_metric(f->x->cat, e->parts[e->nparts - 1]);
    }
    const metric *saved_tm = f->tm, *time_metric = NULL;
    if (m && m->time_kind != TIME_METRIC_NONE) { /* its base, over its periods */
        f->tm = time_metric = m;
        m = time_metric_base(f->x->cat, m);
        print_fill_open(b, time_metric);
    }
    bool ok = final_subst_metric(f, b, m, handled, err);
    if (time_metric)
        print_fill_close(b, time_metric);
    f->tm = saved_tm;
    if (!ok || *handled)
        return ok;
    if (e->kind == EX_COLUMN && e->nparts == 1) {
        for (size_t i = 0; i < q->ncolumns; i++) {
            if (strcasecmp(q->columns[i].name, e->parts[0]) == 0 && f->depth < 8) {
                f->depth++;
                bool ok = print_column_final(f, b, &q->columns[i], err);
                f->depth--;
                *handled = true;
                return ok;
            }
        }
    }
    /* A derived metric is a DOUBLE by its definition: its expression computes in REAL. */
    if (f->derived_depth > 0)
        return true;
    return final_exact_print(b, &f->leaves, e, handled, err);
}

static const char *no_backend_column(void *ctx, const expr *col, sql_error *err)
{
    (void)ctx;
    sql_error_set(err, ER_BAD_FIELD, "42S22", "Unknown column '%s'", col->parts[col->nparts - 1]);
    return NULL;
}

static bool print_column_final(final_ctx *f, sql_builder *b, const inquiry_column *c,
                               sql_error *err)
{
    const inquiry *q = f->x->q;
    switch (c->kind) {
    case COL_DIM:
        sb_ident(b, q->dims[c->index].key);
        return true;
    case COL_METRIC:
        print_metric_final(b, &q->metrics[c->index]);
        return true;
    case COL_EXPR:
        break;
    }
    return sb_expr(b, c->e, no_backend_column, NULL, err);
}

/* A selected column as MySQL holds it: a quotient at its type's decimals. */
static bool print_selected_final(final_ctx *f, sql_builder *b, const inquiry_column *c,
                                 sql_error *err)
{
    if (c->kind != COL_EXPR)
        return print_column_final(f, b, c, err);
    return final_print_shown(b, &f->leaves, c->e, no_backend_column, NULL, err);
}

/* Does this ORDER BY item sort numbers (which may be exact decimals, held as text)? */
static bool final_orders_number(final_ctx *f, const inquiry_order *o)
{
    if (!o->by_column)
        return final_is_number(&f->leaves, o->e);
    const inquiry_column *c = &f->x->q->columns[o->column];
    return c->kind == COL_METRIC || (c->kind == COL_EXPR && final_is_number(&f->leaves, c->e));
}

/* Table s<i> of the final stage: atomic query i's result, re-keyed to the query's
 * periods when it computes over a time metric's (planner/time_metrics.h). */
static bool print_final_table(split_ctx *x, sql_builder *b, size_t i)
{
    const source_job *job = x->jobs->items[i];
    return time_print_table(b, &x->tp, x->q, i, job->tm,
                            (const inquiry_metric *const *)job->metrics.items, job->metrics.len,
                            x->err);
}

/* USING (d0, d1, ...): the keys every table of the final stage has. */
static void print_using(sql_builder *b, const inquiry *q)
{
    for (size_t d = 0; d < q->ndims; d++) {
        sb_str(b, d ? ", " : " USING (");
        sb_ident(b, q->dims[d].key);
    }
    if (q->ndims)
        sb_str(b, ")");
}

/*
 * The atomic queries' tables joined on their keys (or side by side without keys). Where
 * each table's text is goes to *join when the tables may be joined in another order:
 * a FULL OUTER JOIN (a CROSS JOIN has no index to gain) without parameters inside, whose
 * positions would move with the tables.
 */
static bool print_final_tables(split_ctx *x, sql_builder *b, size_t nqueries, final_join *join)
{
    const inquiry *q = x->q;
    size_t *from = arena_alloc(x->a, nqueries * sizeof(size_t));
    size_t *to = arena_alloc(x->a, nqueries * sizeof(size_t));
    size_t start = b->out.len, params = b->params.len;
    for (size_t i = 0; i < nqueries; i++) {
        if (i)
            sb_str(b, q->ndims ? " FULL OUTER JOIN " : " CROSS JOIN ");
        from[i] = b->out.len;
        if (!print_final_table(x, b, i))
            return false;
        to[i] = b->out.len;
        if (i)
            print_using(b, q);
    }
    if (nqueries < 2 || !q->ndims || b->params.len != params)
        return true;
    sql_builder using;
    sb_init(&using, x->a, DIALECT_SQLITE);
    print_using(&using, q);
    size_t unused;
    query_param *none;
    *join = (final_join){.from = start,
                         .to = b->out.len,
                         .table_from = from,
                         .table_to = to,
                         .using_sql = sb_finish(&using, &none, &unused)};
    return true;
}

static const char *final_sql(split_ctx *x, size_t nqueries, query_param **params, size_t *nparams,
                             final_join *join)
{
    const inquiry *q = x->q;
    final_ctx f;
    final_ctx_init(&f, x);
    sql_builder b;
    sb_init(&b, x->a, DIALECT_SQLITE);
    b.tz = x->q->tz;
    b.clock_us = x->q->clock_us;
    b.subst = final_subst;
    b.subst_ctx = &f;
    if (x->tp.calendar) { /* join_to_calendar: every period of the range (time_metrics.h) */
        sb_str(&b, "WITH RECURSIVE \"mimir_joined\" AS (SELECT * FROM ");
        if (!print_final_tables(x, &b, nqueries, join))
            goto fail;
        sb_str(&b, "), ");
        time_print_calendar(&b, &x->tp, q);
        sb_str(&b, " ");
    }
    sb_str(&b, q->distinct ? "SELECT DISTINCT " : "SELECT ");
    for (size_t i = 0; i < q->ncolumns; i++) {
        if (i)
            sb_str(&b, ", ");
        if (!print_selected_final(&f, &b, &q->columns[i], x->err))
            goto fail;
        sb_str(&b, " AS ");
        sb_ident(&b, q->columns[i].name);
    }
    sb_str(&b, " FROM ");
    if (x->tp.calendar) {
        sb_str(&b, "\"mimir_calendar\" LEFT JOIN \"mimir_joined\"");
        print_using(&b, q);
    } else if (!print_final_tables(x, &b, nqueries, join)) {
        goto fail;
    }
    for (size_t i = 0; i < q->nhaving; i++) {
        sb_str(&b, i ? " AND " : " WHERE ");
        if (!sb_expr(&b, q->having[i], no_backend_column, NULL, x->err))
            goto fail;
    }
    for (size_t i = 0; i < q->norder; i++) {
        sb_str(&b, i ? ", " : " ORDER BY ");
        if (q->order[i].by_column)
            buf_printf(&b.out, "%zu", q->order[i].column + 1);
        else if (!final_print_shown(&b, &f.leaves, q->order[i].e, no_backend_column, NULL, x->err))
            goto fail; /* a quotient sorts as MySQL shows it */
        if (final_orders_number(&f, &q->order[i]))
            sb_str(&b,
                   " COLLATE mimir_decimal"); /* exact decimals are text: sort them as numbers */
        if (q->order[i].desc)
            sb_str(&b, " DESC");
    }
    limit_clause(&b, q);
    const char *sql = sb_finish(&b, params, nparams);
    if (join->table_from)
        join->sql = sql;
    return sql;
fail:
    sb_discard(&b);
    return NULL;
}

/* Is e a number PostgreSQL may compute as a NUMERIC with a scale per value: arithmetic, or
 * a function picking among arguments one of which is a number (COALESCE(amount, 0))? */
static bool computes_number(const expr *e)
{
    if (e->kind == EX_LITERAL)
        return e->lit == LIT_INT || e->lit == LIT_NUMBER;
    if (e->kind == EX_BINARY)
        return (e->op == OP_ADD || e->op == OP_SUB || e->op == OP_MUL || e->op == OP_DIV ||
                e->op == OP_MOD) &&
               e->left->kind != EX_INTERVAL && e->right->kind != EX_INTERVAL;
    if (e->kind == EX_UNARY)
        return e->op == OP_NEG && computes_number(e->left);
    bool picks = e->kind == EX_CASE ||
                 (e->kind == EX_FUNC &&
                  (strcasecmp(e->text, "coalesce") == 0 || strcasecmp(e->text, "ifnull") == 0 ||
                   strcasecmp(e->text, "if") == 0 || strcasecmp(e->text, "greatest") == 0 ||
                   strcasecmp(e->text, "least") == 0 || strcasecmp(e->text, "nullif") == 0));
    for (size_t i = 0; picks && i < e->nargs; i++)
        if (computes_number(e->args[i]))
            return true;
    return picks && e->right && computes_number(e->right);
}

/*
 * Can the one source's rows go to the client as they come? Not when PostgreSQL
 * computes a dimension as a NUMERIC of no declared scale: each value has its
 * own ('0' for COALESCE(NULL, 0), '2.99' else) and the column would be
 * declared with the first one's. The combine declares the largest and shows
 * every value with it, as MySQL types the expression.
 */
static bool can_stream(const split_ctx *x, const ptr_vec *jobs)
{
    const inquiry *q = x->q;
    if (jobs->len != 1 || q->needs_final || x->tp.calendar)
        return false;
    for (size_t i = 0; i < q->nmetrics && !q->type_probe; i++)
        if (q->metrics[i].m->fill_nulls_with)
            return false; /* the final stage fills it (print_metric_final) */
    const source_job *job = jobs->items[0];
    for (size_t i = 0; job->dialect == DIALECT_POSTGRES && i < q->ndims; i++)
        if (q->dims[i].e->kind != EX_COLUMN && computes_number(q->dims[i].e))
            return false;
    return true;
}

/*
 * The query's time grain takes its type from an atomic query grouped by it. One
 * that groups a cumulative metric's days does not show it: another query does, or
 * the type of the periods' labels (a year's number, a DATE, a DATETIME).
 */
static void time_key_column(const split_ctx *x, const ptr_vec *jobs, size_t dim, plan_column *pc)
{
    if (!x->tp.has_key || dim != x->tp.key)
        return;
    for (size_t j = 0; j < jobs->len; j++) {
        const source_job *job = jobs->items[j];
        time_grain g;
        if (!time_job_key_grain(&x->tp, job->tm, &g)) {
            pc->query = j;
            return;
        }
    }
    const period_kind *k = &x->tp.kind;
    type_rule *r = arena_alloc(x->a, sizeof(*r));
    *r = (type_rule){.kind = TR_FIXED, .type = VT_DATE, .decimals = -1};
    if (k->label == PERIOD_LABEL_GRAIN && k->unit == PERIOD_YEAR)
        /* as the year grain comes from the backends: an INT, a BIGINT from SQLite */
        r->type =
            ((const source_job *)jobs->items[0])->dialect == DIALECT_SQLITE ? VT_INT64 : VT_INT32;
    else if (k->label == PERIOD_LABEL_DATETIME ||
             (k->label == PERIOD_LABEL_GRAIN && k->unit < PERIOD_DAY))
        *r = (type_rule){.kind = TR_FIXED, .type = VT_DATETIME, .decimals = 0};
    pc->computed = true;
    pc->type = r;
}

bool inquiry_split(arena *a, const catalog *cat, const inquiry *q, plan *out, sql_error *err)
{
    memset(out, 0, sizeof(*out));
    split_ctx x = {.a = a, .cat = cat, .q = q, .err = err};
    x.incomplete_start = incomplete_period_start(&x);
    ptr_vec bounds = {0}, others = {0};
    query_filters(&x, NULL, &bounds, &others);
    if (!time_plan_init(a, cat, q, &bounds, &others, &x.tp, err))
        return false;
    ptr_vec jobs = {0};
    if (!plan_jobs(&x, &jobs))
        return false;
    x.jobs = &jobs;
    final_ctx types;
    final_ctx_init(&types, &x);
    bool streaming = can_stream(&x, &jobs);
    out->nqueries = jobs.len;
    out->queries = arena_alloc(a, jobs.len * sizeof(atomic_query));
    for (size_t i = 0; i < jobs.len; i++)
        if (!build_atomic(&x, jobs.items[i], streaming, &out->queries[i]))
            return false;
    out->rollup_rows_query = x.rows_query;

    out->ncols = q->ncolumns;
    out->cols = arena_alloc(a, (q->ncolumns + 1) * sizeof(plan_column));
    for (size_t i = 0; i < q->ncolumns; i++) {
        const inquiry_column *c = &q->columns[i];
        plan_column *pc = &out->cols[i];
        pc->name = c->name;
        /* AGG(m) of a derived or time metric is computed, and a metric all the same */
        pc->is_metric = c->kind == COL_METRIC || (c->kind == COL_EXPR && measure_of(cat, c->e));
        pc->org_name = c->kind == COL_METRIC ? q->metrics[c->index].m->name
                       : c->kind == COL_DIM && c->e->kind == EX_COLUMN
                           ? c->e->parts[c->e->nparts - 1]
                           : c->name;
        if (streaming) {
            pc->query_col = i;
        } else if (c->kind == COL_DIM) {
            pc->query_col = c->index;
            time_key_column(&x, &jobs, c->index, pc);
        } else if (c->kind == COL_EXPR) {
            pc->computed = true;
            pc->type = final_type_rule(a, &types.leaves, c->e);
        } else {
            for (size_t j = 0; j < jobs.len; j++) {
                source_job *job = jobs.items[j];
                for (size_t m = 0; m < job->metrics.len; m++) {
                    if (job->metrics.items[m] == &q->metrics[c->index]) {
                        pc->query = j;
                        pc->query_col = q->ndims + m;
                    }
                }
            }
        }
    }
    if (!streaming) {
        out->final_sql =
            final_sql(&x, jobs.len, &out->final_params, &out->nfinal_params, &out->join);
        if (!out->final_sql)
            return false;
        out->njoin_cols = q->ndims; /* with one table, keys only keep their types */
    }
    out->note = x.tp.calendar_note;
    return true;
}
