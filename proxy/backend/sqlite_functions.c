#include "proxy/backend/sqlite_functions.h"
#include "proxy/backend/sqlite_time_functions.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "planner/str_to_date.h"
#include "planner/time_values.h"

/* ---- Times ---------------------------------------------------------------------- */

static bool any_null(int argc, sqlite3_value **argv)
{
    for (int i = 0; i < argc; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
            return true;
    return false;
}

/* A TIME's text: clamped (to .999999 when micro), the fraction only when there is one. */
static void result_time(sqlite3_context *ctx, int64_t us, bool micro)
{
    char text[TV_TEXT_SIZE];
    tv_time_text(tv_clamp_time(us, micro), -1, text);
    sqlite3_result_text(ctx, text, -1, SQLITE_TRANSIENT);
}

/* Seconds as a number (integer, real or numeric text) to microseconds, beyond the
 * TIME range kept beyond it (for the clamp) without overflowing. */
static int64_t seconds_us(sqlite3_value *v)
{
    const int64_t far = 2 * TV_TIME_MAX_US;
    if (sqlite3_value_numeric_type(v) == SQLITE_INTEGER) {
        int64_t s = sqlite3_value_int64(v);
        return s > far / TV_US_PER_S ? far : s < -far / TV_US_PER_S ? -far : s * TV_US_PER_S;
    }
    double d = sqlite3_value_double(v);
    if (d > 9e9 || d < -9e9)
        return d > 0 ? far : -far;
    return (int64_t)llround(d * 1e6);
}

static bool read_value(sqlite3_value *v, int64_t *us, bool *is_datetime)
{
    const char *t = (const char *)sqlite3_value_text(v);
    int digits;
    return t && tv_read(t, us, is_datetime, &digits);
}

/* TIMEDIFF(a, b): a - b; NULL when one is a DATETIME and the other a TIME, as MySQL. */
static void fn_timediff(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int64_t a, b;
    bool a_dt, b_dt;
    if (any_null(argc, argv) || !read_value(argv[0], &a, &a_dt) ||
        !read_value(argv[1], &b, &b_dt) || a_dt != b_dt) {
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
    const char *t = (const char *)sqlite3_value_text(argv[0]);
    if (any_null(argc, argv) || !t || !tv_read_time_part(t, &us)) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_double(ctx, (double)us / (double)TV_US_PER_S);
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
    if (m < 0 || m > 59 || s < 0 || s >= 60 * TV_US_PER_S) {
        sqlite3_result_null(ctx);
        return;
    }
    int64_t ah = h < 0 ? -h : h;
    if (ah > 10000)
        ah = 10000; /* clamped below anyway */
    int64_t us = (ah * 3600 + m * 60) * TV_US_PER_S + s;
    result_time(ctx, h < 0 ? -us : us, false);
}

/* TIME_FORMAT(t, format): NULL for a date code, as MySQL (the planner refuses those). */
static void fn_time_format(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int64_t us;
    const char *t = (const char *)sqlite3_value_text(argv[0]);
    const char *fmt = (const char *)sqlite3_value_text(argv[1]);
    char out[512];
    if (any_null(argc, argv) || !t || !fmt || !tv_read_time_part(t, &us) ||
        !tv_time_format(tv_clamp_time(us, true), fmt, out, sizeof(out))) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/* mimir_addtime(x, t, sign): ADDTIME (sign 1) or SUBTIME (-1) of a TIME t to a DATETIME
 * (a DATETIME) or a TIME (a TIME, clamped). */
static void fn_addtime(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int64_t x, t;
    bool x_dt, t_dt;
    int x_digits, t_digits;
    const char *xs = (const char *)sqlite3_value_text(argv[0]);
    const char *ts = (const char *)sqlite3_value_text(argv[1]);
    if (any_null(argc, argv) || !xs || !ts || !tv_read(xs, &x, &x_dt, &x_digits) ||
        !tv_read(ts, &t, &t_dt, &t_digits) || t_dt) {
        sqlite3_result_null(ctx);
        return;
    }
    int64_t sum = x + (sqlite3_value_int(argv[2]) < 0 ? -t : t);
    char out[TV_TEXT_SIZE];
    if (x_dt) /* microseconds when there is a fraction, as a DATETIME(6) shows them */
        tv_datetime_text(sum, -1, out);
    else
        tv_time_text(tv_clamp_time(sum, true), -1, out);
    sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/* mimir_convert_tz(dt, from, to): CONVERT_TZ between two fixed offsets (minutes east of
 * UTC; SQLite sources refuse named zones); dt as it is outside the TIMESTAMP range. */
static void fn_convert_tz(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int64_t us;
    bool is_datetime;
    int digits;
    const char *t = (const char *)sqlite3_value_text(argv[0]);
    if (any_null(argc, argv) || !t || !tv_read(t, &us, &is_datetime, &digits) || !is_datetime) {
        sqlite3_result_null(ctx);
        return;
    }
    int64_t from = sqlite3_value_int64(argv[1]) * 60, to = sqlite3_value_int64(argv[2]) * 60;
    int64_t instant = us / TV_US_PER_S - from; /* whole seconds suffice for the range */
    if (instant >= 1 && instant <= INT64_C(2147483647))
        us += (to - from) * TV_US_PER_S;
    char out[TV_TEXT_SIZE];
    tv_datetime_text(us, digits, out);
    sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/* STR_TO_DATE(s, format) as MySQL reads it (planner/str_to_date.h). */
static void fn_str_to_date(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *str = (const char *)sqlite3_value_text(argv[0]);
    const char *fmt = (const char *)sqlite3_value_text(argv[1]);
    char out[TV_TEXT_SIZE];
    if (any_null(argc, argv) || !str || !fmt || !mysql_str_to_date(str, fmt, out, sizeof(out))) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
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

/* ORD(s): the bytes of s's first UTF-8 character as one big-endian number; 0 for ''. */
static void fn_ord(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *s = sqlite3_value_text(argv[0]);
    if (!s) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_int64 n = s[0];
    for (int i = 1; s[0] >= 0xC0 && (s[i] & 0xC0) == 0x80 && i < 4; i++)
        n = n * 256 + s[i];
    sqlite3_result_int64(ctx, n);
}

/* The integer as MySQL's unsigned 64 bits, the fraction cut off (as sqlite3_value_int64). */
static uint64_t unsigned_bits(sqlite3_value *v)
{
    return (uint64_t)sqlite3_value_int64(v);
}

static void fn_bit_count(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (any_null(argc, argv)) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_int(ctx, __builtin_popcountll(unsigned_bits(argv[0])));
}

/* mimir_bin(n, base): BIN (base 2) and OCT (8) of the unsigned 64 bits of n. */
static void fn_bin(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (any_null(argc, argv)) {
        sqlite3_result_null(ctx);
        return;
    }
    uint64_t n = unsigned_bits(argv[0]);
    unsigned base = sqlite3_value_int(argv[1]) == 8 ? 8 : 2;
    char digits[65];
    size_t i = sizeof(digits) - 1;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + n % base);
        n /= base;
    } while (n);
    sqlite3_result_text(ctx, digits + i, -1, SQLITE_TRANSIENT);
}

/* The digest of s's bytes by md as lowercase hex (MD5, SHA1, SHA2), NULL for NULL. */
static void result_digest(sqlite3_context *ctx, sqlite3_value *v, const EVP_MD *md)
{
    const void *s = sqlite3_value_text(v);
    if (!s || !md) {
        sqlite3_result_null(ctx);
        return;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(s, (size_t)sqlite3_value_bytes(v), digest, &len, md, NULL)) {
        sqlite3_result_error(ctx, "digest failed", -1);
        return;
    }
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned int i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    sqlite3_result_text(ctx, hex, (int)(2 * len), SQLITE_TRANSIENT);
}

static void fn_md5(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    result_digest(ctx, argv[0], EVP_md5());
}

static void fn_sha1(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    result_digest(ctx, argv[0], EVP_sha1());
}

/* mimir_sha2(s, bits): bits 224, 256, 384 or 512 (the planner prints NULL for others). */
static void fn_sha2(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    int bits = sqlite3_value_int(argv[1]);
    result_digest(ctx, argv[0],
                  bits == 224   ? EVP_sha224()
                  : bits == 256 ? EVP_sha256()
                  : bits == 384 ? EVP_sha384()
                  : bits == 512 ? EVP_sha512()
                                : NULL);
}

/* CRC32(s): the IEEE 802.3 checksum (zlib's) of s's bytes, an unsigned 32-bit number. */
static void fn_crc32(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *s = sqlite3_value_text(argv[0]);
    if (!s) {
        sqlite3_result_null(ctx);
        return;
    }
    uint32_t crc = 0xFFFFFFFFu;
    for (int i = 0, n = sqlite3_value_bytes(argv[0]); i < n; i++) {
        crc ^= s[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    sqlite3_result_int64(ctx, (sqlite3_int64)(crc ^ 0xFFFFFFFFu));
}

/* ---- FORMAT ---------------------------------------------------------------------- */

/*
 * Decimal digits of a number's text ("-1234.5678", "7", a REAL's "2.33333333333333")
 * rounded half away from zero to `decimals`, with ',' between thousands; false
 * for text that is not a plain decimal number (an exponent, a word).
 */
static bool format_decimal(const char *t, int decimals, char *out, size_t size)
{
    bool negative = *t == '-';
    t += negative || *t == '+';
    char digits[160];
    size_t n = 0, point = 0;
    bool seen_point = false;
    for (; *t; t++) {
        if (*t == '.' && !seen_point) {
            seen_point = true;
            point = n;
        } else if (*t >= '0' && *t <= '9' && n < sizeof(digits) - 40) {
            digits[n++] = *t;
        } else {
            return false;
        }
    }
    if (!seen_point)
        point = n;
    while (n < point + (size_t)decimals + 1) /* pad, with one digit to round on */
        digits[n++] = '0';
    bool up = digits[point + (size_t)decimals] >= '5';
    n = point + (size_t)decimals;
    for (size_t i = n; up && i-- > 0;) { /* carry */
        up = digits[i] == '9';
        digits[i] = up ? '0' : (char)(digits[i] + 1);
    }
    char grouped[256];
    size_t g = 0;
    if (up) /* 999.5 -> 1000: one more integer digit */
        grouped[g++] = '1';
    for (size_t i = 0; i < point; i++) {
        if ((i || up) && (point - i) % 3 == 0)
            grouped[g++] = ',';
        grouped[g++] = digits[i];
    }
    if (point == 0)
        grouped[g++] = '0';
    if (decimals > 0)
        grouped[g++] = '.';
    memcpy(grouped + g, digits + point, (size_t)decimals);
    g += (size_t)decimals;
    grouped[g] = '\0';
    bool zero = strspn(grouped, "0.,") == g;
    return snprintf(out, size, "%s%s", negative && !zero ? "-" : "", grouped) < (int)size;
}

static void fn_format(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (any_null(argc, argv)) {
        sqlite3_result_null(ctx);
        return;
    }
    int decimals = sqlite3_value_int(argv[1]);
    decimals = decimals < 0 ? 0 : decimals > 30 ? 30 : decimals;
    char text[400], out[512];
    const char *t = (const char *)sqlite3_value_text(argv[0]);
    if (sqlite3_value_type(argv[0]) == SQLITE_FLOAT) { /* all the digits a double has */
        double x = sqlite3_value_double(argv[0]);
        snprintf(text, sizeof(text), "%.17g", x);
        if (strchr(text, 'e')) /* very large or small: every digit written out */
            snprintf(text, sizeof(text), "%.40f", x);
        t = text;
    }
    if (!t || !format_decimal(t, decimals, out, sizeof(out))) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
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
        {"mimir_convert_tz", 3, fn_convert_tz},
        {"mimir_addtime", 3, fn_addtime},
        {"mimir_reverse", 1, fn_reverse},
        {"mimir_substring_index", 3, fn_substring_index},
        {"mimir_find_in_set", 2, fn_find_in_set},
        {"mimir_md5", 1, fn_md5},
        {"mimir_sha1", 1, fn_sha1},
        {"mimir_sha2", 2, fn_sha2},
        {"mimir_crc32", 1, fn_crc32},
        {"mimir_ord", 1, fn_ord},
        {"mimir_bit_count", 1, fn_bit_count},
        {"mimir_bin", 2, fn_bin},
        {"mimir_str_to_date", 2, fn_str_to_date},
        {"mimir_format", 2, fn_format},
    };
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
        if (sqlite3_create_function(db, functions[i].name, functions[i].nargs, flags, NULL,
                                    functions[i].fn, NULL, NULL) != SQLITE_OK)
            return false;
    return sqlite_time_functions_register(db); /* the session zone's, and MySQL's time texts */
}
