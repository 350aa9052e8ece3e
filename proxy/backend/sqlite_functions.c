#include "proxy/backend/sqlite_functions.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define US_PER_S       INT64_C(1000000)
#define TIME_MAX_US    (INT64_C(3020399) * US_PER_S) /* 838:59:59 */
#define TIME_TEXT_SIZE 32

/* ---- Reading times ---------------------------------------------------------- */

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

/* ':SS[.ffffff]' or 'HH:MM:SS[.ffffff]' tail: microseconds of H:M:S.f. */
static bool read_clock(const char *p, int max_hour_digits, int64_t *us)
{
    int64_t h, m, s, frac = 0;
    if (!read_number(&p, max_hour_digits, &h) || *p++ != ':' || !read_number(&p, 2, &m) ||
        *p++ != ':' || !read_number(&p, 2, &s) || m > 59 || s > 59)
        return false;
    if (*p == '.') {
        p++;
        int digits = 0;
        while (isdigit((unsigned char)*p) && digits < 6) {
            frac = frac * 10 + (*p++ - '0');
            digits++;
        }
        for (; digits < 6; digits++)
            frac *= 10;
    }
    *us = ((h * 60 + m) * 60 + s) * US_PER_S + frac;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/*
 * A value as microseconds: a DATETIME or DATE since 1970 (*is_datetime true),
 * or a TIME, signed. False when the text is neither.
 */
static bool read_time_value(sqlite3_value *v, int64_t *us, bool *is_datetime)
{
    const char *t = (const char *)sqlite3_value_text(v);
    if (!t)
        return false;
    while (*t == ' ')
        t++;
    const char *p = t;
    int64_t y, mo, d;
    if (read_number(&p, 4, &y) && p - t == 4 && *p == '-') {
        p++;
        if (!read_number(&p, 2, &mo) || *p++ != '-' || !read_number(&p, 2, &d))
            return false;
        int64_t clock = 0;
        if ((*p == ' ' || *p == 'T') && !read_clock(p + 1, 2, &clock))
            return false;
        *is_datetime = true;
        *us = days_from_civil(y, mo, d) * 86400 * US_PER_S + clock;
        return true;
    }
    bool negative = *t == '-';
    if (!read_clock(t + negative, 4, us))
        return false;
    *is_datetime = false;
    if (negative)
        *us = -*us;
    return true;
}

/* The time of day of a DATETIME, or the TIME itself. */
static bool read_time_part(sqlite3_value *v, int64_t *us)
{
    bool is_datetime;
    if (!read_time_value(v, us, &is_datetime))
        return false;
    if (is_datetime) {
        int64_t day = 86400 * US_PER_S;
        *us = ((*us % day) + day) % day;
    }
    return true;
}

/* ---- Writing TIME values ---------------------------------------------------------- */

/* Clamped to 838:59:59, and to 838:59:59.999999 when the TIME has microseconds. */
static int64_t clamp_time(int64_t us, bool micro)
{
    int64_t max = TIME_MAX_US + (micro ? US_PER_S - 1 : 0);
    return us > max ? max : us < -max ? -max : us;
}

/* MySQL's text of a TIME (already clamped): the fraction only when there is one. */
static void time_text(int64_t us, char out[TIME_TEXT_SIZE])
{
    uint64_t a = (uint64_t)(us < 0 ? -us : us);
    uint64_t s = a / US_PER_S, frac = a % US_PER_S;
    int n = snprintf(out, TIME_TEXT_SIZE, "%s%02llu:%02llu:%02llu", us < 0 ? "-" : "",
                     (unsigned long long)(s / 3600), (unsigned long long)(s / 60 % 60),
                     (unsigned long long)(s % 60));
    if (frac)
        snprintf(out + n, (size_t)(TIME_TEXT_SIZE - n), ".%06llu", (unsigned long long)frac);
}

static void result_time(sqlite3_context *ctx, int64_t us, bool micro)
{
    char text[TIME_TEXT_SIZE];
    time_text(clamp_time(us, micro), text);
    sqlite3_result_text(ctx, text, -1, SQLITE_TRANSIENT);
}

static bool any_null(int argc, sqlite3_value **argv)
{
    for (int i = 0; i < argc; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
            return true;
    return false;
}

/* Seconds as a number (integer, real or numeric text) to microseconds. */
static int64_t seconds_us(sqlite3_value *v)
{
    if (sqlite3_value_numeric_type(v) == SQLITE_INTEGER) {
        int64_t s = sqlite3_value_int64(v);
        return s > INT64_C(9000000000)    ? TIME_MAX_US * 2
               : s < -INT64_C(9000000000) ? -TIME_MAX_US * 2
                                          : s * US_PER_S;
    }
    double d = sqlite3_value_double(v);
    if (d > 9e9 || d < -9e9)
        return d > 0 ? TIME_MAX_US * 2 : -TIME_MAX_US * 2;
    return (int64_t)llround(d * 1e6);
}

/* TIMEDIFF(a, b): a - b; NULL when one is a DATETIME and the other a TIME, as MySQL. */
static void fn_timediff(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int64_t a, b;
    bool a_dt, b_dt;
    if (any_null(argc, argv) || !read_time_value(argv[0], &a, &a_dt) ||
        !read_time_value(argv[1], &b, &b_dt) || a_dt != b_dt) {
        sqlite3_result_null(ctx);
        return;
    }
    /* DATETIMEs have microseconds here (a DATETIME(6)): MySQL clamps at 838:59:59.999999. */
    result_time(ctx, a - b, true);
}

static void fn_sec_to_time(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (any_null(argc, argv)) {
        sqlite3_result_null(ctx);
        return;
    }
    result_time(ctx, seconds_us(argv[0]), false);
}

/* TIME_TO_SEC(t): the seconds of a TIME, or of a DATETIME's time of day; always a REAL. */
static void fn_time_to_sec(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int64_t us;
    if (any_null(argc, argv) || !read_time_part(argv[0], &us)) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_double(ctx, (double)us / (double)US_PER_S);
}

/* MAKETIME(h, m, s): NULL unless 0 <= m <= 59 and 0 <= s < 60; the sign is h's. */
static void fn_maketime(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (any_null(argc, argv)) {
        sqlite3_result_null(ctx);
        return;
    }
    int64_t h = sqlite3_value_int64(argv[0]), m = sqlite3_value_int64(argv[1]);
    int64_t s = seconds_us(argv[2]);
    if (m < 0 || m > 59 || s < 0 || s >= 60 * US_PER_S) {
        sqlite3_result_null(ctx);
        return;
    }
    int64_t ah = h < 0 ? -h : h;
    if (ah > 10000)
        ah = 10000; /* clamped below anyway */
    int64_t us = (ah * 3600 + m * 60) * US_PER_S + s;
    result_time(ctx, h < 0 ? -us : us, false);
}

/* One TIME_FORMAT code of a clock (hours may pass 23); false for a date code. */
static bool time_code(char code, uint64_t h, uint64_t m, uint64_t s, uint64_t frac, char *out,
                      size_t size)
{
    uint64_t h12 = h % 12 == 0 ? 12 : h % 12;
    const char *ampm = h % 24 >= 12 ? "PM" : "AM";
    switch (code) {
    case 'H':
        snprintf(out, size, "%02llu", (unsigned long long)h);
        return true;
    case 'k':
        snprintf(out, size, "%llu", (unsigned long long)h);
        return true;
    case 'h':
    case 'I':
        snprintf(out, size, "%02llu", (unsigned long long)h12);
        return true;
    case 'l':
        snprintf(out, size, "%llu", (unsigned long long)h12);
        return true;
    case 'i':
        snprintf(out, size, "%02llu", (unsigned long long)m);
        return true;
    case 's':
    case 'S':
        snprintf(out, size, "%02llu", (unsigned long long)s);
        return true;
    case 'f':
        snprintf(out, size, "%06llu", (unsigned long long)frac);
        return true;
    case 'p':
        snprintf(out, size, "%s", ampm);
        return true;
    case 'r':
        snprintf(out, size, "%02llu:%02llu:%02llu %s", (unsigned long long)h12,
                 (unsigned long long)m, (unsigned long long)s, ampm);
        return true;
    case 'T':
        snprintf(out, size, "%02llu:%02llu:%02llu", (unsigned long long)h, (unsigned long long)m,
                 (unsigned long long)s);
        return true;
    case '%':
        snprintf(out, size, "%%");
        return true;
    default:
        return false;
    }
}

/* TIME_FORMAT(t, format): NULL for a date code, as MySQL (the planner refuses those). */
static void fn_time_format(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int64_t us;
    const char *fmt = (const char *)sqlite3_value_text(argv[1]);
    if (any_null(argc, argv) || !fmt || !read_time_part(argv[0], &us)) {
        sqlite3_result_null(ctx);
        return;
    }
    us = clamp_time(us, true);
    uint64_t a = (uint64_t)(us < 0 ? -us : us), sec = a / US_PER_S;
    sqlite3_str *out = sqlite3_str_new(NULL);
    if (us < 0)
        sqlite3_str_appendchar(out, 1, '-');
    for (const char *f = fmt; *f; f++) {
        char piece[64];
        if (*f != '%' || !f[1]) {
            sqlite3_str_appendchar(out, 1, *f);
            continue;
        }
        f++;
        if (!time_code(*f, sec / 3600, sec / 60 % 60, sec % 60, a % US_PER_S, piece,
                       sizeof(piece))) {
            sqlite3_free(sqlite3_str_finish(out));
            sqlite3_result_null(ctx);
            return;
        }
        sqlite3_str_appendall(out, piece);
    }
    int n = sqlite3_str_length(out);
    sqlite3_result_text(ctx, sqlite3_str_finish(out), n, sqlite3_free);
}

/* ---- Strings -------------------------------------------------------------------- */

/* REVERSE(s): by characters (UTF-8 sequences stay whole). */
static void fn_reverse(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *s = sqlite3_value_text(argv[0]);
    if (!s) {
        sqlite3_result_null(ctx);
        return;
    }
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    char *out = sqlite3_malloc64(n + 1);
    if (!out) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    size_t i = 0;
    while (i < n) {
        size_t len = 1;
        while (i + len < n && (s[i + len] & 0xC0) == 0x80)
            len++;
        memcpy(out + n - i - len, s + i, len);
        i += len;
    }
    out[n] = '\0';
    sqlite3_result_text(ctx, out, (int)n, sqlite3_free);
}

/* SUBSTRING_INDEX(s, delim, n): before the n-th delim, or after the n-th from the end. */
static void fn_substring_index(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (any_null(argc, argv)) {
        sqlite3_result_null(ctx);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    const char *d = (const char *)sqlite3_value_text(argv[1]);
    int64_t count = sqlite3_value_int64(argv[2]);
    size_t n = strlen(s), dn = strlen(d);
    if (dn == 0 || count == 0) {
        sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
        return;
    }
    if (count > 0) {
        const char *p = s;
        for (int64_t k = 0; (p = strstr(p, d)) != NULL; p += dn)
            if (++k == count) {
                sqlite3_result_text(ctx, s, (int)(p - s), SQLITE_TRANSIENT);
                return;
            }
        sqlite3_result_text(ctx, s, (int)n, SQLITE_TRANSIENT);
        return;
    }
    /* From the end: the occurrences, found left to right without overlap as MySQL does. */
    int64_t total = 0;
    for (const char *p = s; (p = strstr(p, d)) != NULL; p += dn)
        total++;
    int64_t want = total + count + 1; /* the occurrence after which the result starts */
    if (want < 1) {
        sqlite3_result_text(ctx, s, (int)n, SQLITE_TRANSIENT);
        return;
    }
    const char *p = s;
    for (int64_t k = 1;; k++, p += dn) {
        p = strstr(p, d);
        if (k == want)
            break;
    }
    sqlite3_result_text(ctx, p + dn, (int)(n - (size_t)(p + dn - s)), SQLITE_TRANSIENT);
}

/* FIND_IN_SET(s, list): 1-based position among the comma-separated items, 0 if absent. */
static void fn_find_in_set(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (any_null(argc, argv)) {
        sqlite3_result_null(ctx);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    const char *list = (const char *)sqlite3_value_text(argv[1]);
    size_t sn = strlen(s);
    if (strchr(s, ',') || !*list) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    int pos = 1;
    for (const char *item = list;; pos++) {
        const char *end = strchr(item, ',');
        size_t len = end ? (size_t)(end - item) : strlen(item);
        if (len == sn && memcmp(item, s, sn) == 0) {
            sqlite3_result_int(ctx, pos);
            return;
        }
        if (!end)
            break;
        item = end + 1;
    }
    sqlite3_result_int(ctx, 0);
}

/* MD5(s): 32 lowercase hex digits of the bytes of s. */
static void fn_md5(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const void *s = sqlite3_value_text(argv[0]);
    if (!s) {
        sqlite3_result_null(ctx);
        return;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(s, (size_t)sqlite3_value_bytes(argv[0]), digest, &len, EVP_md5(), NULL)) {
        sqlite3_result_error(ctx, "MD5 failed", -1);
        return;
    }
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned int i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    sqlite3_result_text(ctx, hex, (int)(2 * len), SQLITE_TRANSIENT);
}

bool sqlite_functions_register(sqlite3 *db)
{
    static const struct {
        const char *name;
        int nargs;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } functions[] = {
        {"mimir_timediff", 2, fn_timediff},
        {"mimir_sec_to_time", 1, fn_sec_to_time},
        {"mimir_time_to_sec", 1, fn_time_to_sec},
        {"mimir_maketime", 3, fn_maketime},
        {"mimir_time_format", 2, fn_time_format},
        {"mimir_reverse", 1, fn_reverse},
        {"mimir_substring_index", 3, fn_substring_index},
        {"mimir_find_in_set", 2, fn_find_in_set},
        {"mimir_md5", 1, fn_md5},
    };
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
        if (sqlite3_create_function(db, functions[i].name, functions[i].nargs, flags, NULL,
                                    functions[i].fn, NULL, NULL) != SQLITE_OK)
            return false;
    return true;
}
