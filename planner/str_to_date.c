#include "planner/str_to_date.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "planner/civil_date.h"

#include "planner/functions.h"

static const char *const month_names[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
static const char *const day_names[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};

/* What the codes read; -1 where a code did not appear. */
typedef struct parts {
    int year, month, day, yearday, hour, minute, second, micro;
    bool pm, twelve; /* %p seen; a 12-hour code (%h %I %l %r) seen */
    int weekday;     /* 1 Monday .. 7 Sunday */
    int week, week_year;
    bool week_sunday, week_strict, week_year_sunday; /* %U/%V, %V/%v, %X */
} parts;

static bool read_int(const char **v, int max_digits, int *out)
{
    int n = 0, digits = 0;
    while (digits < max_digits && isdigit((unsigned char)**v)) {
        n = n * 10 + (**v - '0');
        (*v)++;
        digits++;
    }
    *out = n;
    return digits > 0;
}

/* A name from names (full, or its first three letters when abbrev), 1-based. */
static bool read_name(const char **v, const char *const *names, int n, bool abbrev, int *out)
{
    for (int i = 0; i < n; i++) {
        size_t len = abbrev ? 3 : strlen(names[i]);
        if (strncasecmp(*v, names[i], len) == 0) {
            *v += len;
            *out = i + 1;
            return true;
        }
    }
    return false;
}

static bool read_fraction(const char **v, int *micro)
{
    int digits = 0;
    *micro = 0;
    while (digits < 6 && isdigit((unsigned char)**v)) {
        *micro = *micro * 10 + (*(*v)++ - '0');
        digits++;
    }
    for (int d = digits; d < 6; d++)
        *micro *= 10;
    return digits > 0;
}

static bool read_ampm(const char **v, parts *p)
{
    if (strncasecmp(*v, "AM", 2) != 0 && strncasecmp(*v, "PM", 2) != 0)
        return false;
    p->pm = toupper((unsigned char)**v) == 'P';
    *v += 2;
    return true;
}

static bool read_code(char c, const char **v, parts *p);

/* A code made of others (%T, %r): its own little format. */
static bool read_compound(const char *fmt, const char **v, parts *p)
{
    for (const char *f = fmt; *f; f++) {
        if (*f == '%') {
            if (!read_code(*++f, v, p))
                return false;
        } else if (*(*v)++ != *f) {
            return false;
        }
    }
    return true;
}

static bool read_year(const char **v, int max_digits, int *year)
{
    const char *start = *v;
    if (!read_int(v, max_digits, year))
        return false;
    if (*v - start <= 2) /* two digits: 70-99 are 19xx, 00-69 20xx */
        *year += *year < 70 ? 2000 : 1900;
    return true;
}

static bool read_code(char c, const char **v, parts *p)
{
    while (isspace((unsigned char)**v)) /* MySQL skips spaces before every part */
        (*v)++;
    int n;
    switch (c) {
    case 'Y':
        return read_year(v, 4, &p->year);
    case 'y':
        return read_year(v, 2, &p->year);
    case 'm':
    case 'c':
        return read_int(v, 2, &p->month);
    case 'd':
    case 'e':
        return read_int(v, 2, &p->day);
    case 'D':
        if (!read_int(v, 2, &p->day) || !isalpha((unsigned char)(*v)[0]) ||
            !isalpha((unsigned char)(*v)[1]))
            return false;
        *v += 2;
        return true;
    case 'j':
        return read_int(v, 3, &p->yearday);
    case 'H':
    case 'k':
        return read_int(v, 2, &p->hour);
    case 'h':
    case 'I':
    case 'l':
        p->twelve = true;
        return read_int(v, 2, &p->hour);
    case 'i':
        return read_int(v, 2, &p->minute);
    case 's':
    case 'S':
        return read_int(v, 2, &p->second);
    case 'f':
        return read_fraction(v, &p->micro);
    case 'p':
        return read_ampm(v, p);
    case 'T':
        return read_compound("%H:%i:%s", v, p);
    case 'r':
        return read_compound("%I:%i:%S %p", v, p);
    case 'M':
        return read_name(v, month_names, 12, false, &p->month);
    case 'b':
        return read_name(v, month_names, 12, true, &p->month);
    case 'W':
        return read_name(v, day_names, 7, false, &p->weekday);
    case 'a':
        return read_name(v, day_names, 7, true, &p->weekday);
    case 'w':
        if (!read_int(v, 1, &n) || n > 6)
            return false;
        p->weekday = n == 0 ? 7 : n;
        return true;
    case 'U':
    case 'u':
    case 'V':
    case 'v':
        p->week_sunday = c == 'U' || c == 'V';
        p->week_strict = c == 'V' || c == 'v';
        return read_int(v, 2, &p->week);
    case 'X':
    case 'x':
        p->week_year_sunday = c == 'X';
        return read_int(v, 4, &p->week_year);
    case '%':
        return *(*v)++ == '%';
    default:
        return false;
    }
}

/* MySQL's day number (TO_DAYS), and the date of one (planner/civil_date.h). */
static long daynr(long y, long m, long d)
{
    return (long)(civil_days(y, (int)m, (int)d) + CIVIL_TO_DAYS_1970);
}

static void date_of_daynr(long days, int *year, int *month, int *day)
{
    int64_t y;
    civil_date(days - CIVIL_TO_DAYS_1970, &y, month, day);
    *year = (int)y;
}

/* MySQL's extract_date_time: a week and a weekday, or a day of the year, give the date. */
static bool resolve_date(parts *p)
{
    if (p->yearday > 0) {
        if (p->year < 0)
            p->year = 0;
        date_of_daynr(daynr(p->year, 1, 1) + p->yearday - 1, &p->year, &p->month, &p->day);
    }
    if (p->week >= 0 && p->weekday > 0) {
        if ((p->week_strict && (p->week_year < 0 || p->week_year_sunday != p->week_sunday)) ||
            (!p->week_strict && p->week_year >= 0))
            return false;
        long days = daynr(p->week_strict ? p->week_year : (p->year < 0 ? 0 : p->year), 1, 1);
        long first = (days + 5 + (p->week_sunday ? 1 : 0)) % 7; /* weekday of January 1 */
        if (p->week_sunday)
            days += (first == 0 ? 0 : 7) - first + (p->week - 1) * 7 + p->weekday % 7;
        else
            days += (first <= 3 ? 0 : 7) - first + (p->week - 1) * 7 + p->weekday - 1;
        if (days <= 0 || days > 3652424)
            return false;
        date_of_daynr(days, &p->year, &p->month, &p->day);
    }
    return true;
}

static bool valid_date(const parts *p)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (p->month < 1 || p->month > 12 || p->day < 1)
        return false;
    return p->day <= mdays[p->month - 1] + (p->month == 2 && civil_is_leap(p->year));
}

bool mysql_str_to_date(const char *str, const char *format, char *out, size_t size)
{
    parts p = {-1, -1, -1, -1, 0, 0, 0, 0, false, false, -1, -1, -1, false, false, false};
    const char *v = str;
    for (const char *f = format; *f; f++) {
        if (*f == '%' && f[1]) {
            if (!read_code(*++f, &v, &p))
                return false;
        } else if (!isspace((unsigned char)*f)) {
            while (isspace((unsigned char)*v))
                v++;
            if (*v++ != *f)
                return false;
        }
    }
    if (!resolve_date(&p))
        return false;
    if (p.twelve && (p.hour < 1 || p.hour > 12))
        return false;
    if (p.twelve)
        p.hour = p.hour % 12 + (p.pm ? 12 : 0);
    if (p.minute > 59 || p.second > 59)
        return false;
    int decimals;
    value_type type = str_to_date_type(format, &decimals);
    p.year = p.year < 0 ? 0 : p.year;
    p.month = p.month < 0 ? 0 : p.month;
    p.day = p.day < 0 ? 0 : p.day;
    if (type != VT_TIME && !valid_date(&p))
        return false;
    int n = type == VT_TIME   ? snprintf(out, size, "%02d:%02d:%02d", p.hour, p.minute, p.second)
            : type == VT_DATE ? snprintf(out, size, "%04d-%02d-%02d", p.year, p.month, p.day)
                              : snprintf(out, size, "%04d-%02d-%02d %02d:%02d:%02d", p.year,
                                         p.month, p.day, p.hour, p.minute, p.second);
    if (n > 0 && decimals > 0 && type != VT_DATE)
        n += snprintf(out + n, size - (size_t)n, ".%06d", p.micro);
    return n > 0 && (size_t)n < size;
}
