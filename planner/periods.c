/*
 * Calendar periods and MySQL's date arithmetic (see periods.h).
 */
#include "planner/periods.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/civil_date.h"
#include "planner/time_values.h"

#define US_PER_DAY (INT64_C(86400) * TV_US_PER_S)

/* Floor division: days before 1970 are negative. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int period_kind_code(const period_kind *k)
{
    return (int)k->unit + (k->week_starts_sunday ? 16 : 0) + 32 * k->fiscal_start_month +
           512 * (int)k->label;
}

bool period_kind_of_code(int64_t code, period_kind *out)
{
    int64_t month = code / 32 % 16, label = code / 512;
    if (code < 0 || (code & 15) > PERIOD_FISCAL_YEAR || month < 1 || month > 12 ||
        label > PERIOD_LABEL_DATETIME)
        return false;
    out->unit = (period_unit)(code & 15);
    out->week_starts_sunday = (code & 16) != 0;
    out->fiscal_start_month = (int)month;
    out->label = (period_label)label;
    return true;
}

period_kind period_kind_of_calendar(calendar_period p, const calendar *cal)
{
    static const period_unit units[] = {[CAL_PERIOD_NONE] = PERIOD_DAY,
                                        [CAL_PERIOD_WEEK] = PERIOD_WEEK,
                                        [CAL_PERIOD_MONTH] = PERIOD_MONTH,
                                        [CAL_PERIOD_QUARTER] = PERIOD_QUARTER,
                                        [CAL_PERIOD_YEAR] = PERIOD_YEAR,
                                        [CAL_PERIOD_FISCAL_QUARTER] = PERIOD_FISCAL_QUARTER,
                                        [CAL_PERIOD_FISCAL_YEAR] = PERIOD_FISCAL_YEAR};
    period_kind k = {.unit = units[p], .fiscal_start_month = 1};
    if (cal) {
        k.week_starts_sunday = cal->week_start == WEEK_START_SUNDAY;
        if (cal->fiscal_year_start_month >= 1 && cal->fiscal_year_start_month <= 12)
            k.fiscal_start_month = cal->fiscal_year_start_month;
    }
    return k;
}

/* Months since year 0 of a day number, and back. */
static int64_t month_index(int64_t days)
{
    int64_t y;
    int m, d;
    civil_date(days, &y, &m, &d);
    return y * 12 + (m - 1);
}

static int64_t month_start_days(int64_t index)
{
    return civil_days(floor_div(index, 12), (int)(index - floor_div(index, 12) * 12) + 1, 1);
}

/* The first month (index) of the block of `months` months that contains month index i,
 * blocks aligned so that one begins with month `first` (1..12). */
static int64_t block_start(int64_t i, int months, int first)
{
    int64_t shifted = i - (first - 1);
    return floor_div(shifted, months) * months + (first - 1);
}

static int months_of(const period_kind *k, int *first)
{
    *first = 1;
    switch (k->unit) {
    case PERIOD_MONTH:
        return 1;
    case PERIOD_QUARTER:
        return 3;
    case PERIOD_YEAR:
        return 12;
    case PERIOD_FISCAL_QUARTER:
        *first = k->fiscal_start_month;
        return 3;
    case PERIOD_FISCAL_YEAR:
        *first = k->fiscal_start_month;
        return 12;
    default:
        return 0;
    }
}

static int64_t fixed_length(period_unit u)
{
    switch (u) {
    case PERIOD_SECOND:
        return TV_US_PER_S;
    case PERIOD_MINUTE:
        return 60 * TV_US_PER_S;
    case PERIOD_HOUR:
        return 3600 * TV_US_PER_S;
    case PERIOD_DAY:
        return US_PER_DAY;
    case PERIOD_WEEK:
        return 7 * US_PER_DAY;
    default:
        return 0;
    }
}

int64_t period_floor(const period_kind *k, int64_t t)
{
    int first;
    int months = months_of(k, &first);
    int64_t days = floor_div(t, US_PER_DAY);
    if (months)
        return month_start_days(block_start(month_index(days), months, first)) * US_PER_DAY;
    if (k->unit == PERIOD_WEEK) {
        /* 1970-01-01 was a Thursday: Monday-based weekday is (days + 3) mod 7. */
        int64_t weekday = ((days + 3) % 7 + 7) % 7;
        if (k->week_starts_sunday)
            weekday = (weekday + 1) % 7;
        return (days - weekday) * US_PER_DAY;
    }
    int64_t len = fixed_length(k->unit);
    return floor_div(t, len) * len;
}

int64_t period_step(const period_kind *k, int64_t start, int64_t n)
{
    int first;
    int months = months_of(k, &first);
    if (!months)
        return start + n * fixed_length(k->unit);
    int64_t i = month_index(floor_div(start, US_PER_DAY)) + n * months;
    return month_start_days(i) * US_PER_DAY;
}

int64_t period_date_add(int64_t t, int64_t n, time_unit unit)
{
    int64_t days = floor_div(t, US_PER_DAY);
    int64_t time_of_day = t - days * US_PER_DAY;
    if (unit == TIME_UNIT_DAY || unit == TIME_UNIT_WEEK)
        return t + n * (unit == TIME_UNIT_WEEK ? 7 : 1) * US_PER_DAY;
    int64_t months = n * (unit == TIME_UNIT_YEAR ? 12 : unit == TIME_UNIT_QUARTER ? 3 : 1);
    int64_t y;
    int m, d;
    civil_date(days, &y, &m, &d);
    int64_t i = y * 12 + (m - 1) + months;
    int64_t ny = floor_div(i, 12);
    int nm = (int)(i - ny * 12) + 1;
    int last = civil_month_days(ny, nm);
    return civil_days(ny, nm, d < last ? d : last) * US_PER_DAY + time_of_day;
}

bool period_read(const period_kind *k, const char *text, int64_t *start)
{
    if (!text)
        return false;
    if (k->unit == PERIOD_YEAR && k->label == PERIOD_LABEL_GRAIN && text[0] >= '0' &&
        text[0] <= '9' && strlen(text) <= 6 && !strchr(text, '-')) {
        char *end;
        long y = strtol(text, &end, 10);
        if (*end || y < 1 || y > 9999)
            return false;
        *start = civil_days(y, 1, 1) * US_PER_DAY;
        return true;
    }
    bool is_datetime;
    int digits;
    int64_t us;
    if (!tv_read(text, &us, &is_datetime, &digits) || !is_datetime)
        return false;
    *start = us;
    return true;
}

size_t period_format(const period_kind *k, int64_t t, char out[32])
{
    int64_t days = floor_div(t, US_PER_DAY);
    int64_t y;
    int m, d;
    civil_date(days, &y, &m, &d);
    if (k->unit == PERIOD_YEAR && k->label == PERIOD_LABEL_GRAIN)
        return (size_t)snprintf(out, 32, "%lld", (long long)y);
    if (k->label == PERIOD_LABEL_DATE || (k->unit >= PERIOD_DAY && k->label == PERIOD_LABEL_GRAIN))
        return (size_t)snprintf(out, 32, "%04lld-%02d-%02d", (long long)y, m, d);
    int64_t s = (t - days * US_PER_DAY) / TV_US_PER_S;
    return (size_t)snprintf(out, 32, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)y, m, d,
                            (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
}

size_t period_time_text(int64_t t, char out[32])
{
    char text[TV_TEXT_SIZE];
    int64_t frac = t - floor_div(t, TV_US_PER_S) * TV_US_PER_S;
    tv_datetime_text(t, frac ? 6 : 0, text);
    size_t n = strlen(text);
    if (n > 31)
        n = 31;
    memcpy(out, text, n);
    out[n] = 0;
    return n;
}
