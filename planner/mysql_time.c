#include "planner/mysql_time.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "planner/civil_date.h"

/* MySQL's English names (its lc_time_names default, en_US), Monday first. */
static const char *const month_names[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
static const char *const day_names[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};

/* MySQL's day number (TO_DAYS): days since year 0, 0001-01-01 being 366. */
static long day_number(int y, int m, int d)
{
    return (long)(civil_days(y, m, d) + CIVIL_TO_DAYS_1970);
}

static int two_digit_year(int y)
{
    return y < 70 ? 2000 + y : 1900 + y;
}

/* ---- strings read as DATETIME ---------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_punct(char c)
{
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
}

/* Up to max digits from *s; false if none. */
static bool take_digits(const char **s, const char *end, int max, int *out, int *n)
{
    *out = 0;
    *n = 0;
    while (*s < end && *n < max && is_digit(**s)) {
        *out = *out * 10 + (*(*s)++ - '0');
        (*n)++;
    }
    return *n > 0;
}

/* '20220401' or '20220401093000[.f]' (and their two-digit-year forms). */
static bool compact_datetime(const char *s, const char *end, mysql_time *t)
{
    size_t n = 0;
    while (s + n < end && is_digit(s[n]))
        n++;
    if (n != 6 && n != 8 && n != 12 && n != 14)
        return false;
    int yd = (n == 8 || n == 14) ? 4 : 2, parts[6] = {0}, widths[6] = {yd, 2, 2, 2, 2, 2}, k;
    for (int i = 0; i < (n >= 12 ? 6 : 3); i++)
        take_digits(&s, end, widths[i], &parts[i], &k);
    t->year = yd == 2 ? two_digit_year(parts[0]) : parts[0];
    t->month = parts[1], t->day = parts[2], t->hour = parts[3], t->minute = parts[4];
    t->second = parts[5];
    return s == end || *s == '.';
}

static bool read_time_part(const char **s, const char *end, mysql_time *t)
{
    int *fields[3] = {&t->hour, &t->minute, &t->second}, n;
    for (int i = 0; i < 3; i++) {
        if (i > 0 && !(*s < end && is_punct(**s) && **s != '.'))
            break;
        if (i > 0)
            (*s)++;
        if (!take_digits(s, end, 2, fields[i], &n))
            return false;
    }
    return true;
}

bool mysql_datetime_from_text(const char *s, size_t len, mysql_time *t)
{
    const char *end = s + len;
    memset(t, 0, sizeof(*t));
    t->has_date = t->has_time = true;
    while (s < end && *s == ' ')
        s++;
    while (end > s && end[-1] == ' ')
        end--;
    int n, digits;
    const char *start = s;
    if (!compact_datetime(start, end, t)) {
        if (!take_digits(&s, end, 4, &t->year, &digits) || s >= end || !is_punct(*s))
            return false;
        if (digits <= 2)
            t->year = two_digit_year(t->year);
        s++;
        if (!take_digits(&s, end, 2, &t->month, &n) || s >= end || !is_punct(*s))
            return false;
        s++;
        if (!take_digits(&s, end, 2, &t->day, &n))
            return false;
        if (s < end && (*s == 'T' || *s == ' ')) {
            while (s < end && (*s == 'T' || *s == ' '))
                s++;
            if (!read_time_part(&s, end, t))
                return false;
        }
    } else {
        while (s < end && is_digit(*s))
            s++;
    }
    if (s < end && *s == '.') {
        s++;
        if (!take_digits(&s, end, 6, &t->micro, &digits))
            return false;
        for (; digits < 6; digits++)
            t->micro *= 10;
        while (s < end && is_digit(*s))
            s++; /* digits past microseconds are cut */
        t->has_fraction = t->micro != 0;
    }
    return s == end && t->month >= 1 && t->month <= 12 && t->day >= 1 &&
           t->day <= civil_month_days(t->year, t->month) && t->hour <= 23 && t->minute <= 59 &&
           t->second <= 59;
}

size_t mysql_time_print(const mysql_time *t, char out[32])
{
    int n = 0;
    if (t->has_date)
        n += snprintf(out + n, 32 - (size_t)n, "%04d-%02d-%02d", t->year, t->month, t->day);
    if (t->has_time)
        n += snprintf(out + n, 32 - (size_t)n, "%s%02d:%02d:%02d", t->has_date ? " " : "", t->hour,
                      t->minute, t->second);
    if (t->has_time && t->has_fraction)
        n += snprintf(out + n, 32 - (size_t)n, ".%06d", t->micro);
    return (size_t)n;
}

/* ---- DATE_FORMAT --------------------------------------------------------------------- */

enum { WEEK_MONDAY_FIRST = 1, WEEK_YEAR = 2, WEEK_FIRST_WEEKDAY = 4 };

/* The weekday of a day number: 0 is Monday, or Sunday when sunday_first. */
static int weekday_of(long day, bool sunday_first)
{
    return (int)((day + 5 + (sunday_first ? 1 : 0)) % 7);
}

/* MySQL's calc_week: the week of t under the week_behaviour flags, and its year. */
static int calc_week(const mysql_time *t, int behaviour, int *year)
{
    long day = day_number(t->year, t->month, t->day);
    long first = day_number(t->year, 1, 1);
    bool monday_first = behaviour & WEEK_MONDAY_FIRST;
    bool week_year = behaviour & WEEK_YEAR;
    bool first_weekday = behaviour & WEEK_FIRST_WEEKDAY;
    int weekday = weekday_of(first, !monday_first);
    *year = t->year;
    if (t->month == 1 && t->day <= 7 - weekday) {
        if (!week_year && ((first_weekday && weekday != 0) || (!first_weekday && weekday >= 4)))
            return 0;
        week_year = true;
        (*year)--;
        int days = civil_is_leap(*year) ? 366 : 365;
        first -= days;
        weekday = (weekday + 53 * 7 - days) % 7;
    }
    long days;
    if ((first_weekday && weekday != 0) || (!first_weekday && weekday >= 4))
        days = day - (first + (7 - weekday));
    else
        days = day - (first - weekday);
    if (week_year && days >= 52 * 7) {
        weekday = (weekday + (civil_is_leap(*year) ? 366 : 365)) % 7;
        if ((!first_weekday && weekday < 4) || (first_weekday && weekday == 0)) {
            (*year)++;
            return 1;
        }
    }
    return (int)(days / 7 + 1);
}

static int hour12(int h)
{
    return h % 12 == 0 ? 12 : h % 12;
}

static const char *day_suffix(int d)
{
    if (d >= 11 && d <= 13)
        return "th";
    return d % 10 == 1 ? "st" : d % 10 == 2 ? "nd" : d % 10 == 3 ? "rd" : "th";
}

/* The codes of the date's names and weeks; false for another code. */
static bool format_date_code(const mysql_time *t, char code, char out[64])
{
    long day = day_number(t->year, t->month, t->day);
    int year, week;
    const char *name = NULL;
    bool abbreviated = code == 'a' || code == 'b';
    switch (code) {
    case 'a':
    case 'W':
        name = day_names[weekday_of(day, false)];
        break;
    case 'b':
    case 'M':
        name = month_names[t->month - 1];
        break;
    case 'D':
        snprintf(out, 64, "%d%s", t->day, day_suffix(t->day));
        return true;
    case 'j':
        snprintf(out, 64, "%03ld", day - day_number(t->year, 1, 1) + 1);
        return true;
    case 'w':
        snprintf(out, 64, "%d", weekday_of(day, true));
        return true;
    case 'U':
    case 'u':
    case 'V':
    case 'v':
        week = calc_week(t,
                         code == 'U'   ? WEEK_FIRST_WEEKDAY
                         : code == 'u' ? WEEK_MONDAY_FIRST
                         : code == 'V' ? WEEK_YEAR | WEEK_FIRST_WEEKDAY
                                       : WEEK_YEAR | WEEK_MONDAY_FIRST,
                         &year);
        snprintf(out, 64, "%02d", week);
        return true;
    case 'X':
    case 'x':
        calc_week(t, WEEK_YEAR | (code == 'X' ? WEEK_FIRST_WEEKDAY : WEEK_MONDAY_FIRST), &year);
        snprintf(out, 64, "%04d", year);
        return true;
    default:
        return false;
    }
    snprintf(out, 64, abbreviated ? "%.3s" : "%s", name);
    return true;
}

/* One code of DATE_FORMAT into out (room for 64); false for a code that is itself. */
static bool format_code(const mysql_time *t, char code, char out[64])
{
    if (t->month < 1 || t->month > 12 || t->day < 1) { /* not a date: MySQL's NULL parts */
        out[0] = '\0';
        return strchr("aWbMcmDdejwYyUuVvXx", code) != NULL;
    }
    int v;
    const char *f = "%02d";
    switch (code) {
    case 'c':
        f = "%d"; /* fall through */
    case 'm':
        v = t->month;
        break;
    case 'e':
        f = "%d"; /* fall through */
    case 'd':
        v = t->day;
        break;
    case 'k':
        f = "%d"; /* fall through */
    case 'H':
        v = t->hour;
        break;
    case 'l':
        f = "%d"; /* fall through */
    case 'h':
    case 'I':
        v = hour12(t->hour);
        break;
    case 'i':
        v = t->minute;
        break;
    case 'S':
    case 's':
        v = t->second;
        break;
    case 'f':
        f = "%06d", v = t->micro;
        break;
    case 'Y':
        f = "%04d", v = t->year;
        break;
    case 'y':
        v = t->year % 100;
        break;
    case 'p':
        snprintf(out, 64, "%s", t->hour < 12 ? "AM" : "PM");
        return true;
    case 'r':
        snprintf(out, 64, "%02d:%02d:%02d %s", hour12(t->hour), t->minute, t->second,
                 t->hour < 12 ? "AM" : "PM");
        return true;
    case 'T':
        snprintf(out, 64, "%02d:%02d:%02d", t->hour, t->minute, t->second);
        return true;
    default:
        return format_date_code(t, code, out);
    }
    snprintf(out, 64, f, v);
    return true;
}

size_t mysql_date_format(const mysql_time *t, const char *format, size_t flen, char *out,
                         size_t size)
{
    size_t n = 0;
    char piece[64];
    for (size_t i = 0; i < flen && n + 1 < size; i++) {
        const char *add = piece;
        if (format[i] == '%' && i + 1 < flen) {
            char code = format[++i];
            if (!format_code(t, code, piece))
                piece[0] = code, piece[1] = '\0';
        } else {
            piece[0] = format[i], piece[1] = '\0';
        }
        size_t len = strlen(add);
        if (n + len >= size)
            len = size - n - 1;
        memcpy(out + n, add, len);
        n += len;
    }
    out[n] = '\0';
    return n;
}
