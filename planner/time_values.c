#include "planner/time_values.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "planner/civil_date.h"

/* Digits at *p (at most max), as a number; false when there are none. */
static bool read_number(const char **p, int max, int64_t *out)
{
    int n = 0;
    *out = 0;
    while (n < max && isdigit((unsigned char)**p)) {
        *out = *out * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    return n > 0;
}

/* 'H:MM:SS[.ffffff]' (at most max_hour_digits hour digits): its microseconds. */
static bool read_clock(const char *p, int max_hour_digits, int64_t *us, int *digits)
{
    int64_t h, m, s, frac = 0;
    if (!read_number(&p, max_hour_digits, &h) || *p++ != ':' || !read_number(&p, 2, &m) ||
        *p++ != ':' || !read_number(&p, 2, &s) || m > 59 || s > 59)
        return false;
    int n = 0;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p) && n < 6) {
            frac = frac * 10 + (*p++ - '0');
            n++;
        }
    }
    *digits = n;
    for (; n < 6; n++)
        frac *= 10;
    *us = ((h * 60 + m) * 60 + s) * TV_US_PER_S + frac;
    return true;
}

bool tv_read(const char *t, int64_t *us, bool *is_datetime, int *digits)
{
    while (*t == ' ')
        t++;
    const char *p = t;
    int64_t y, mo, d;
    *digits = 0;
    if (read_number(&p, 4, &y) && p - t == 4 && *p == '-') {
        p++;
        if (!read_number(&p, 2, &mo) || *p++ != '-' || !read_number(&p, 2, &d) || mo < 1 ||
            mo > 12 || d < 1 || d > 31)
            return false;
        int64_t clock = 0;
        if ((*p == ' ' || *p == 'T') && !read_clock(p + 1, 2, &clock, digits))
            return false;
        *is_datetime = true;
        *us = civil_days(y, (int)mo, (int)d) * 86400 * TV_US_PER_S + clock;
        return true;
    }
    bool negative = *t == '-';
    if (!read_clock(t + negative, 4, us, digits))
        return false;
    *is_datetime = false;
    if (negative)
        *us = -*us;
    return true;
}

bool tv_read_time_part(const char *text, int64_t *us)
{
    bool is_datetime;
    int digits;
    if (!tv_read(text, us, &is_datetime, &digits))
        return false;
    if (is_datetime) {
        int64_t day = 86400 * TV_US_PER_S;
        *us = ((*us % day) + day) % day;
    }
    return true;
}

int64_t tv_clamp_time(int64_t us, bool micro)
{
    int64_t max = TV_TIME_MAX_US + (micro ? TV_US_PER_S - 1 : 0);
    return us > max ? max : us < -max ? -max : us;
}

/* The fraction of frac (microseconds) with `digits` digits (-1: 6, or none when 0). */
static void fraction_text(int64_t frac, int digits, char *out, size_t size)
{
    if (digits < 0)
        digits = frac ? 6 : 0;
    if (digits == 0) {
        out[0] = '\0';
        return;
    }
    char six[8];
    snprintf(six, sizeof(six), "%06lld", (long long)frac);
    snprintf(out, size, ".%.*s", digits > 6 ? 6 : digits, six);
}

void tv_time_text(int64_t us, int digits, char out[TV_TEXT_SIZE])
{
    uint64_t a = (uint64_t)(us < 0 ? -us : us);
    uint64_t s = a / TV_US_PER_S;
    char frac[16];
    fraction_text((int64_t)(a % TV_US_PER_S), digits, frac, sizeof(frac));
    snprintf(out, TV_TEXT_SIZE, "%s%02llu:%02llu:%02llu%s", us < 0 ? "-" : "",
             (unsigned long long)(s / 3600), (unsigned long long)(s / 60 % 60),
             (unsigned long long)(s % 60), frac);
}

void tv_datetime_text(int64_t us, int digits, char out[TV_TEXT_SIZE])
{
    int64_t day = 86400 * TV_US_PER_S;
    int64_t days = us >= 0 ? us / day : -((-us + day - 1) / day);
    int64_t in_day = us - days * day;
    int64_t y;
    int m, d;
    civil_date(days, &y, &m, &d);
    int64_t s = in_day / TV_US_PER_S;
    char frac[16];
    fraction_text(in_day % TV_US_PER_S, digits, frac, sizeof(frac));
    snprintf(out, TV_TEXT_SIZE, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld%s", (long long)y,
             (long long)m, (long long)d, (long long)(s / 3600), (long long)(s / 60 % 60),
             (long long)(s % 60), frac);
}

/* One TIME_FORMAT code of a clock (hours may pass 23); false for a date code. */
static bool time_code(char code, uint64_t h, uint64_t m, uint64_t s, uint64_t frac, char *out,
                      size_t size)
{
    unsigned long long h12 = h % 12 == 0 ? 12 : h % 12;
    const char *ampm = h % 24 >= 12 ? "PM" : "AM";
    unsigned long long hh = h, mm = m, ss = s;
    switch (code) {
    case 'H':
        snprintf(out, size, "%02llu", hh);
        return true;
    case 'k':
        snprintf(out, size, "%llu", hh);
        return true;
    case 'h':
    case 'I':
        snprintf(out, size, "%02llu", h12);
        return true;
    case 'l':
        snprintf(out, size, "%llu", h12);
        return true;
    case 'i':
        snprintf(out, size, "%02llu", mm);
        return true;
    case 's':
    case 'S':
        snprintf(out, size, "%02llu", ss);
        return true;
    case 'f':
        snprintf(out, size, "%06llu", (unsigned long long)frac);
        return true;
    case 'p':
        snprintf(out, size, "%s", ampm);
        return true;
    case 'r':
        snprintf(out, size, "%02llu:%02llu:%02llu %s", h12, mm, ss, ampm);
        return true;
    case 'T':
        snprintf(out, size, "%02llu:%02llu:%02llu", hh, mm, ss);
        return true;
    case '%':
        snprintf(out, size, "%%");
        return true;
    default:
        return false;
    }
}

bool tv_time_format_codes(const char *fmt, char *bad)
{
    char piece[64];
    for (const char *f = fmt; *f; f++) {
        if (*f != '%' || !f[1])
            continue;
        f++;
        if (!time_code(*f, 0, 0, 0, 0, piece, sizeof(piece))) {
            *bad = *f;
            return false;
        }
    }
    return true;
}

bool tv_time_format(int64_t us, const char *fmt, char *out, size_t size)
{
    uint64_t a = (uint64_t)(us < 0 ? -us : us), sec = a / TV_US_PER_S;
    size_t n = 0;
    if (us < 0 && n + 1 < size)
        out[n++] = '-';
    for (const char *f = fmt; *f; f++) {
        char piece[64];
        if (*f != '%' || !f[1]) {
            piece[0] = *f;
            piece[1] = '\0';
        } else if (!time_code(*++f, sec / 3600, sec / 60 % 60, sec % 60, a % TV_US_PER_S, piece,
                              sizeof(piece))) {
            return false;
        }
        size_t len = strlen(piece);
        if (n + len + 1 > size)
            return false;
        memcpy(out + n, piece, len);
        n += len;
    }
    out[n] = '\0';
    return true;
}
