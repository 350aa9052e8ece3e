/*
 * Which period a time expression groups by (see time_probe.h): the
 * expression is evaluated at chosen times with MySQL's rules, and it is
 * recognised as the truncation to a kind of period when, at every one of
 * them, it gives the start of the period that contains the time.
 */
#include "planner/time_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/civil_date.h"
#include "planner/mysql_time.h"
#include "planner/str_to_date.h"
#include "planner/time_values.h"

#define US_PER_DAY (INT64_C(86400) * TV_US_PER_S)

typedef enum { PV_INT, PV_TEXT, PV_DATE, PV_DATETIME } pv_kind;

/* A value of the probed expression: an integer, a string, or a date or datetime
 * (wall-clock microseconds). */
typedef struct pval {
    pv_kind kind;
    int64_t i;
    char text[96];
} pval;

typedef struct probe {
    const catalog *cat;
    int64_t t; /* the time column's value, wall clock */
} probe;

static bool eval(const probe *p, const expr *e, pval *out);

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void set_time(pval *v, int64_t us, bool date)
{
    v->kind = date ? PV_DATE : PV_DATETIME;
    v->i = date ? floor_div(us, US_PER_DAY) * US_PER_DAY : us;
}

/* A value read as a time, as MySQL reads a string where a DATETIME is expected. */
static bool as_time(const pval *v, int64_t *us, bool *date)
{
    if (v->kind == PV_DATE || v->kind == PV_DATETIME) {
        *us = v->i;
        *date = v->kind == PV_DATE;
        return true;
    }
    if (v->kind != PV_TEXT)
        return false;
    mysql_time mt;
    if (!mysql_datetime_from_text(v->text, strlen(v->text), &mt) || !mt.has_date)
        return false;
    *us = civil_days(mt.year, mt.month, mt.day) * US_PER_DAY +
          ((int64_t)mt.hour * 3600 + mt.minute * 60 + mt.second) * TV_US_PER_S + mt.micro;
    *date = !strchr(v->text, ':'); /* a date's text: the type a backend gives it */
    return true;
}

static bool as_int(const pval *v, int64_t *out)
{
    if (v->kind == PV_INT) {
        *out = v->i;
        return true;
    }
    if (v->kind != PV_TEXT || !v->text[0])
        return false;
    char *end;
    long long n = strtoll(v->text, &end, 10);
    *out = n;
    return *end == 0;
}

static void as_text(const pval *v, char *out, size_t size)
{
    if (v->kind == PV_INT) {
        snprintf(out, size, "%lld", (long long)v->i);
    } else if (v->kind == PV_TEXT) {
        snprintf(out, size, "%s", v->text);
    } else {
        char text[TV_TEXT_SIZE];
        int64_t frac = v->i - floor_div(v->i, TV_US_PER_S) * TV_US_PER_S;
        tv_datetime_text(v->i, frac ? 6 : 0, text);
        size_t n = v->kind == PV_DATE ? 10 : strlen(text);
        if (n >= size)
            n = size - 1;
        memcpy(out, text, n);
        out[n] = 0;
    }
}

static void civil_of(int64_t us, int64_t *y, int *m, int *d)
{
    civil_date(floor_div(us, US_PER_DAY), y, m, d);
}

static bool time_arg(const probe *p, const expr *e, int64_t *us, bool *date)
{
    pval v;
    return eval(p, e, &v) && as_time(&v, us, date);
}

static bool int_arg(const probe *p, const expr *e, int64_t *out)
{
    pval v;
    return eval(p, e, &v) && as_int(&v, out);
}

/* ---- INTERVAL arithmetic ---------------------------------------------------- */

static bool add_interval(int64_t us, bool date, int64_t n, const char *unit, pval *out)
{
    static const struct {
        const char *name;
        int64_t us;
        int months;
    } units[] = {{"SECOND", TV_US_PER_S, 0},
                 {"MINUTE", 60 * TV_US_PER_S, 0},
                 {"HOUR", 3600 * TV_US_PER_S, 0},
                 {"DAY", US_PER_DAY, 0},
                 {"WEEK", 7 * US_PER_DAY, 0},
                 {"MONTH", 0, 1},
                 {"QUARTER", 0, 3},
                 {"YEAR", 0, 12}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(unit, units[i].name) != 0)
            continue;
        bool stays_date = date && (units[i].months || units[i].us % US_PER_DAY == 0);
        if (units[i].months)
            set_time(out, period_date_add(us, n * units[i].months, TIME_UNIT_MONTH), stays_date);
        else
            set_time(out, us + n * units[i].us, stays_date);
        return true;
    }
    return false;
}

/* DATE_ADD(x, INTERVAL n unit), ADDDATE(x, n) (days), and the subtracting forms. */
static bool eval_date_add(const probe *p, const expr *x, const expr *amount, bool subtract,
                          pval *out)
{
    int64_t us, n;
    bool date;
    if (!time_arg(p, x, &us, &date))
        return false;
    const char *unit = "DAY";
    if (amount->kind == EX_INTERVAL) {
        unit = amount->text;
        amount = amount->left;
    }
    if (!int_arg(p, amount, &n))
        return false;
    return add_interval(us, date, subtract ? -n : n, unit, out);
}

/* ---- Functions -------------------------------------------------------------- */

static bool is_fn(const expr *e, const char *name, size_t nargs)
{
    return strcasecmp(e->text, name) == 0 && e->nargs == nargs;
}

/* YEAR, MONTH, QUARTER, DAYOFWEEK, WEEKDAY, ...: a part of a time, an integer. */
static bool eval_part(const probe *p, const expr *e, pval *out)
{
    static const char *const parts[] = {"year",       "month",     "quarter", "day",
                                        "dayofmonth", "dayofweek", "weekday", "dayofyear",
                                        "hour",       "minute",    "second",  "to_days"};
    size_t which = sizeof(parts) / sizeof(parts[0]);
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        if (is_fn(e, parts[i], 1))
            which = i;
    int64_t us, y;
    bool date;
    int m, d;
    if (which == sizeof(parts) / sizeof(parts[0]) || !time_arg(p, e->args[0], &us, &date))
        return false;
    civil_of(us, &y, &m, &d);
    int64_t days = floor_div(us, US_PER_DAY), secs = (us - days * US_PER_DAY) / TV_US_PER_S;
    int64_t monday0 = ((days + 3) % 7 + 7) % 7; /* 1970-01-01 was a Thursday */
    int64_t values[] = {y,
                        m,
                        (m - 1) / 3 + 1,
                        d,
                        d,
                        (monday0 + 1) % 7 + 1,
                        monday0,
                        days - civil_days(y, 1, 1) + 1,
                        secs / 3600,
                        secs / 60 % 60,
                        secs % 60,
                        days + CIVIL_TO_DAYS_1970};
    out->kind = PV_INT;
    out->i = values[which];
    return true;
}

static bool eval_date_format(const probe *p, const expr *e, pval *out)
{
    int64_t us, y;
    bool date;
    pval fmt;
    if (!time_arg(p, e->args[0], &us, &date) || !eval(p, e->args[1], &fmt) || fmt.kind != PV_TEXT)
        return false;
    int m, d;
    civil_of(us, &y, &m, &d);
    int64_t secs = (us - floor_div(us, US_PER_DAY) * US_PER_DAY) / TV_US_PER_S;
    mysql_time mt = {.year = (int)y,
                     .month = m,
                     .day = d,
                     .hour = (int)(secs / 3600),
                     .minute = (int)(secs / 60 % 60),
                     .second = (int)(secs % 60),
                     .micro = (int)(us - floor_div(us, TV_US_PER_S) * TV_US_PER_S),
                     .has_date = true,
                     .has_time = !date};
    out->kind = PV_TEXT;
    mysql_date_format(&mt, fmt.text, strlen(fmt.text), out->text, sizeof(out->text));
    return true;
}

static bool eval_concat(const probe *p, const expr *e, pval *out)
{
    out->kind = PV_TEXT;
    out->text[0] = 0;
    for (size_t i = 0; i < e->nargs; i++) {
        pval v;
        char text[96];
        if (!eval(p, e->args[i], &v))
            return false;
        as_text(&v, text, sizeof(text));
        size_t used = strlen(out->text);
        if (used + strlen(text) >= sizeof(out->text))
            return false;
        memcpy(out->text + used, text, strlen(text) + 1);
    }
    return true;
}

/* DATE(x), TIMESTAMP(x), CAST(x AS DATE | DATETIME | CHAR | SIGNED). */
static bool eval_conversion(const probe *p, const expr *e, pval *out)
{
    const char *to = NULL;
    if (is_fn(e, "date", 1))
        to = "date";
    else if (is_fn(e, "timestamp", 1))
        to = "datetime";
    else if ((is_fn(e, "cast", 2) || is_fn(e, "convert", 2)) && e->args[1]->text)
        to = e->args[1]->text;
    if (!to)
        return false;
    pval v;
    if (!eval(p, e->args[0], &v))
        return false;
    int64_t us;
    bool date;
    if (strncasecmp(to, "date", 4) == 0 || strncasecmp(to, "timestamp", 9) == 0) {
        if (!as_time(&v, &us, &date))
            return false;
        set_time(out, us, strcasecmp(to, "date") == 0);
        return true;
    }
    if (strncasecmp(to, "char", 4) == 0) {
        out->kind = PV_TEXT;
        as_text(&v, out->text, sizeof(out->text));
        return true;
    }
    if (strncasecmp(to, "signed", 6) == 0 || strncasecmp(to, "unsigned", 8) == 0) {
        out->kind = PV_INT;
        return as_int(&v, &out->i);
    }
    return false;
}

static bool eval_function(const probe *p, const expr *e, pval *out)
{
    if (is_fn(e, "date_add", 2) || is_fn(e, "adddate", 2))
        return eval_date_add(p, e->args[0], e->args[1], false, out);
    if (is_fn(e, "date_sub", 2) || is_fn(e, "subdate", 2))
        return eval_date_add(p, e->args[0], e->args[1], true, out);
    if (is_fn(e, "date_format", 2))
        return eval_date_format(p, e, out);
    if (strcasecmp(e->text, "concat") == 0)
        return eval_concat(p, e, out);
    int64_t n, y;
    if (is_fn(e, "from_days", 1)) {
        if (!int_arg(p, e->args[0], &n))
            return false;
        set_time(out, (n - CIVIL_TO_DAYS_1970) * US_PER_DAY, true);
        return true;
    }
    if (is_fn(e, "makedate", 2)) {
        if (!int_arg(p, e->args[0], &y) || !int_arg(p, e->args[1], &n) || n < 1)
            return false;
        set_time(out, (civil_days(y, 1, 1) + n - 1) * US_PER_DAY, true);
        return true;
    }
    if (is_fn(e, "last_day", 1)) {
        int64_t us;
        bool date;
        int m, d;
        if (!time_arg(p, e->args[0], &us, &date))
            return false;
        civil_of(us, &y, &m, &d);
        set_time(out, civil_days(y, m, civil_month_days(y, m)) * US_PER_DAY, true);
        return true;
    }
    if (is_fn(e, "str_to_date", 2)) {
        pval s, f;
        if (!eval(p, e->args[0], &s) || !eval(p, e->args[1], &f) || f.kind != PV_TEXT)
            return false;
        char text[96];
        as_text(&s, text, sizeof(text));
        out->kind = PV_TEXT;
        return mysql_str_to_date(text, f.text, out->text, sizeof(out->text));
    }
    return eval_conversion(p, e, out) || eval_part(p, e, out);
}

/* ---- Operators and leaves ------------------------------------------------------ */

static bool eval_binary(const probe *p, const expr *e, pval *out)
{
    if ((e->op == OP_ADD || e->op == OP_SUB) && e->right->kind == EX_INTERVAL)
        return eval_date_add(p, e->left, e->right, e->op == OP_SUB, out);
    if (e->op == OP_ADD && e->left->kind == EX_INTERVAL)
        return eval_date_add(p, e->right, e->left, false, out);
    int64_t a, b;
    if (!int_arg(p, e->left, &a) || !int_arg(p, e->right, &b))
        return false;
    out->kind = PV_INT;
    switch (e->op) {
    case OP_ADD:
        out->i = a + b;
        return true;
    case OP_SUB:
        out->i = a - b;
        return true;
    case OP_MUL:
        out->i = a * b;
        return true;
    case OP_INT_DIV:
        if (b == 0)
            return false;
        out->i = a / b;
        return true;
    case OP_MOD:
        if (b == 0)
            return false;
        out->i = a % b;
        return true;
    default:
        return false;
    }
}

/* The time column, or a grain of it: its value at the probe's time. */
static bool eval_column(const probe *p, const expr *e, pval *out)
{
    time_grain g;
    const char *canon;
    period_kind k;
    if (!time_grain_of(e->parts[e->nparts - 1], &g, &canon))
        return false;
    if (g == GRAIN_TIME) {
        set_time(out, p->t, false);
        return true;
    }
    if (!time_grain_period(g, &p->cat->cal, &k))
        return false;
    int64_t start = period_floor(&k, p->t);
    if (k.unit == PERIOD_YEAR) {
        int64_t y;
        int m, d;
        civil_of(start, &y, &m, &d);
        out->kind = PV_INT;
        out->i = y;
    } else {
        set_time(out, start, k.unit >= PERIOD_DAY);
    }
    return true;
}

static bool eval(const probe *p, const expr *e, pval *out)
{
    switch (e->kind) {
    case EX_LITERAL:
        if (e->lit == LIT_INT) {
            out->kind = PV_INT;
            out->i = strtoll(e->text, NULL, 10);
            return true;
        }
        if (e->lit == LIT_STRING && e->text_len < sizeof(out->text) &&
            !memchr(e->text, 0, e->text_len)) {
            out->kind = PV_TEXT;
            memcpy(out->text, e->text, e->text_len);
            out->text[e->text_len] = 0;
            return true;
        }
        return false;
    case EX_COLUMN:
        return eval_column(p, e, out);
    case EX_FUNC:
        return !e->over && eval_function(p, e, out);
    case EX_BINARY:
        return eval_binary(p, e, out);
    case EX_UNARY:
        if (e->op == OP_PLUS)
            return eval(p, e->left, out);
        if (e->op != OP_NEG || !eval(p, e->left, out) || out->kind != PV_INT)
            return false;
        out->i = -out->i;
        return true;
    default:
        return false;
    }
}

/* ---- Recognition ------------------------------------------------------------------ */

/* Days and times that meet every kind of period's edges: year, quarter and month ends
 * (Feb 29 of a leap year), both weekdays a week may start on, hours and seconds. */
static size_t probe_times(int64_t *out, size_t max)
{
    static const int spans[][4] = {
        /* year, month, day, days */
        {2023, 12, 24, 80}, {2024, 3, 27, 9},  {2024, 6, 27, 8},  {2024, 9, 27, 8},
        {2024, 12, 27, 10}, {2022, 12, 29, 5}, {2025, 1, 29, 35},
    };
    static const int64_t times_of_day[] = {0,
                                           INT64_C(59) * TV_US_PER_S,
                                           INT64_C(3599) * TV_US_PER_S + 500000,
                                           INT64_C(3600) * TV_US_PER_S,
                                           INT64_C(23415) * TV_US_PER_S + 250000,
                                           INT64_C(86399) * TV_US_PER_S + 999999};
    size_t n = 0;
    for (size_t s = 0; s < sizeof(spans) / sizeof(spans[0]); s++) {
        int64_t first = civil_days(spans[s][0], spans[s][1], spans[s][2]);
        for (int d = 0; d < spans[s][3]; d++)
            for (size_t k = 0; k < sizeof(times_of_day) / sizeof(times_of_day[0]) && n < max; k++)
                out[n++] = (first + d) * US_PER_DAY + times_of_day[k];
    }
    return n;
}

/* Does e give, at every probe time, the start of kind k's period (how it shows it)? */
static bool gives_period_starts(const catalog *cat, const expr *e, const int64_t *times, size_t n,
                                period_kind *k)
{
    for (size_t i = 0; i < n; i++) {
        probe p = {.cat = cat, .t = times[i]};
        pval v;
        if (!eval(&p, e, &v))
            return false;
        int64_t start = period_floor(k, times[i]), us, y;
        int m, d;
        bool date;
        period_label label;
        if (v.kind == PV_INT && k->unit == PERIOD_YEAR) {
            civil_of(start, &y, &m, &d);
            if (v.i != y)
                return false;
            label = PERIOD_LABEL_GRAIN;
        } else if (as_time(&v, &us, &date) && us == start) {
            label = date ? PERIOD_LABEL_DATE : PERIOD_LABEL_DATETIME;
        } else {
            return false;
        }
        if (i > 0 && label != k->label)
            return false;
        k->label = label;
    }
    return true;
}

bool time_grain_period(time_grain g, const calendar *cal, period_kind *k)
{
    static const period_unit units[GRAIN_COUNT] = {[GRAIN_SECOND] = PERIOD_SECOND,
                                                   [GRAIN_MINUTE] = PERIOD_MINUTE,
                                                   [GRAIN_HOUR] = PERIOD_HOUR,
                                                   [GRAIN_DATE] = PERIOD_DAY,
                                                   [GRAIN_WEEK] = PERIOD_WEEK,
                                                   [GRAIN_MONTH] = PERIOD_MONTH,
                                                   [GRAIN_QUARTER] = PERIOD_QUARTER,
                                                   [GRAIN_YEAR] = PERIOD_YEAR,
                                                   [GRAIN_FISCAL_YEAR] = PERIOD_FISCAL_YEAR,
                                                   [GRAIN_FISCAL_QUARTER] = PERIOD_FISCAL_QUARTER};
    if (g == GRAIN_TIME || g >= GRAIN_COUNT)
        return false;
    *k = period_kind_of_calendar(CAL_PERIOD_NONE, cal);
    k->unit = units[g];
    return true;
}

bool time_expr_period(const catalog *cat, const expr *e, period_kind *out)
{
    int64_t times[1024];
    size_t ntimes = probe_times(times, sizeof(times) / sizeof(times[0]));
    period_kind base = period_kind_of_calendar(CAL_PERIOD_NONE, &cat->cal);
    for (int unit = PERIOD_SECOND; unit <= PERIOD_FISCAL_YEAR; unit++) {
        for (int sunday = 0; sunday <= (unit == PERIOD_WEEK); sunday++) {
            period_kind k = base;
            k.unit = (period_unit)unit;
            k.week_starts_sunday = sunday;
            if ((unit == PERIOD_FISCAL_QUARTER || unit == PERIOD_FISCAL_YEAR) &&
                !cat->cal.fiscal_year_start_month)
                continue;
            if (gives_period_starts(cat, e, times, ntimes, &k)) {
                *out = k;
                return true;
            }
        }
    }
    return false;
}

static bool same_value(const pval *a, const pval *b)
{
    if (a->kind != b->kind)
        return false;
    return a->kind == PV_TEXT ? strcmp(a->text, b->text) == 0 : a->i == b->i;
}

bool time_expr_constant_over(const catalog *cat, const expr *e, const period_kind *k)
{
    int64_t times[1024];
    size_t ntimes = probe_times(times, sizeof(times) / sizeof(times[0]));
    for (size_t i = 0; i < ntimes; i++) {
        probe at = {.cat = cat, .t = times[i]},
              start = {.cat = cat, .t = period_floor(k, times[i])};
        pval v, w;
        if (!eval(&at, e, &v) || !eval(&start, e, &w) || !same_value(&v, &w))
            return false;
    }
    return true;
}
