/*
 * Text to Arrow values (arrow_values.h). Parsing is by hand and strict: the
 * text comes from Mimir's own formatting of MySQL values, so anything outside
 * the shapes MySQL prints is a bug upstream, and refusing it is safer than
 * guessing. Decimals never go through floating point: their digits are
 * accumulated into a 256-bit integer, which holds MySQL's 65 digits (and
 * Arrow's 76).
 */
#include "proxy/http/arrow_values.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "planner/civil_date.h"
#include "wire/xalloc.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

const char *arrow_value_int(const char *s, size_t len, int bits, bool is_signed, uint64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    if (i == len)
        return "is not an integer";
    uint64_t mag = 0;
    for (; i < len; i++) {
        if (!is_digit(s[i]))
            return "is not an integer";
        unsigned d = (unsigned)(s[i] - '0');
        if (mag > (UINT64_MAX - d) / 10)
            return is_signed ? "is out of range for a signed integer of its width"
                             : "is out of range for an unsigned integer of its width";
        mag = mag * 10 + d;
    }
    /* The largest magnitude each sign may have at this width. */
    uint64_t max_pos = is_signed ? (UINT64_MAX >> (65 - bits)) : (UINT64_MAX >> (64 - bits));
    uint64_t max_neg = is_signed ? max_pos + 1 : 0;
    if ((neg && mag > max_neg) || (!neg && mag > max_pos))
        return is_signed ? "is out of range for a signed integer of its width"
                         : "is out of range for an unsigned integer of its width";
    *out = neg ? (uint64_t)0 - mag : mag;
    return NULL;
}

/* mag = mag * 10 + d over 8 32-bit limbs, least significant first. The
 * callers' digit counts (at most 76) keep it below 2^255. */
static void mag_push_digit(uint32_t *mag, unsigned d)
{
    uint64_t carry = d;
    for (int i = 0; i < 8; i++) {
        uint64_t v = (uint64_t)mag[i] * 10 + carry;
        mag[i] = (uint32_t)v;
        carry = v >> 32;
    }
}

/* The digits of s (sign already taken): integer and fraction parts. */
typedef struct dec_text {
    const char *ip, *fp;
    size_t ilen, flen;
} dec_text;

static const char *dec_split(const char *s, size_t len, dec_text *t)
{
    size_t i = 0;
    t->ip = s;
    while (i < len && is_digit(s[i]))
        i++;
    t->ilen = i;
    t->fp = s + len;
    t->flen = 0;
    if (i < len && s[i] == '.') {
        t->fp = s + i + 1;
        for (i++; i < len && is_digit(s[i]); i++)
            t->flen++;
    }
    if (i != len || t->ilen + t->flen == 0)
        return "is not a decimal number";
    /* Leading zeros of the integer part are no digits of precision. */
    while (t->ilen > 0 && t->ip[0] == '0') {
        t->ip++;
        t->ilen--;
    }
    return NULL;
}

const char *arrow_value_decimal(const char *s, size_t len, int precision, int scale,
                                uint64_t *words, int nwords)
{
    bool neg = false;
    if (len > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++;
        len--;
    }
    /* 10^38 < 2^127 and 10^76 < 2^255: the digits fit the words' magnitude.
     * Anything else is a caller's bug, refused rather than overflowed. */
    if (scale < 0 || scale > precision || precision > (nwords == 4 ? 76 : 38) ||
        (nwords != 2 && nwords != 4))
        return "has no Arrow decimal of its column's precision and scale";
    dec_text t;
    const char *bad = dec_split(s, len, &t);
    if (bad)
        return bad;
    for (size_t i = (size_t)scale; i < t.flen; i++)
        if (t.fp[i] != '0')
            return "has more fraction digits than the column's scale";
    if (t.ilen > (size_t)(precision - scale))
        return "has more integer digits than the column's precision and scale allow";
    uint32_t mag[8] = {0};
    for (size_t i = 0; i < t.ilen; i++)
        mag_push_digit(mag, (unsigned)(t.ip[i] - '0'));
    for (size_t i = 0; i < (size_t)scale; i++)
        mag_push_digit(mag, i < t.flen ? (unsigned)(t.fp[i] - '0') : 0);
    for (int w = 0; w < nwords; w++)
        words[w] = (uint64_t)mag[2 * w] | (uint64_t)mag[2 * w + 1] << 32;
    if (neg) {
        /* Two's complement: invert and add one, carrying across the words. */
        uint64_t carry = 1;
        for (int w = 0; w < nwords; w++) {
            words[w] = ~words[w] + carry;
            carry = carry && words[w] == 0;
        }
    }
    return NULL;
}

/* MySQL prints floats as [-]digits[.digits][e[+-]digits]; strtod also takes
 * spaces, "inf", "nan" and hex, none of which may pass for a number here. */
static bool plain_float_text(const char *s, size_t len)
{
    if (len == 0 || !(is_digit(s[0]) || s[0] == '-' || s[0] == '+' || s[0] == '.'))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!(is_digit(s[i]) || strchr("+-.eE", s[i]) != NULL) || s[i] == '\0')
            return false;
    return true;
}

static const char *parse_real(const char *s, size_t len, bool single, double *d, float *f)
{
    if (!plain_float_text(s, len))
        return "is not a floating-point number";
    char *copy = xstrndup(s, len); /* strtod needs the NUL */
    char *end;
    errno = 0;
    if (single)
        *f = strtof(copy, &end);
    else
        *d = strtod(copy, &end);
    bool whole = *end == '\0';
    free(copy);
    if (!whole)
        return "is not a floating-point number";
    /* ERANGE also flags underflow, whose rounded result is right: only an
     * infinite result is a value that does not fit. */
    if (single ? isinf(*f) : isinf(*d))
        return single ? "is out of range for float32" : "is out of range for float64";
    return NULL;
}

const char *arrow_value_float(const char *s, size_t len, float *out)
{
    return parse_real(s, len, true, NULL, out);
}

const char *arrow_value_double(const char *s, size_t len, double *out)
{
    return parse_real(s, len, false, out, NULL);
}

/* n digits at s as a number; false unless all are digits. */
static bool digits(const char *s, size_t n, int64_t *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

static const char *parse_ymd(const char *s, size_t len, int64_t *days)
{
    int64_t y, m, d;
    if (len != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
        !digits(s + 8, 2, &d))
        return "is not a date of the form YYYY-MM-DD";
    if (m < 1 || m > 12 || d < 1 || d > civil_month_days(y, (int)m))
        return "is not a calendar date (MySQL's zero dates have no Arrow value)";
    *days = civil_days(y, (int)m, (int)d);
    return NULL;
}

const char *arrow_value_date(const char *s, size_t len, int32_t *days)
{
    int64_t d;
    const char *bad = parse_ymd(s, len, &d);
    if (!bad)
        *days = (int32_t)d; /* years 0000-9999: well inside int32 */
    return bad;
}

/* "[.f{1,6}]" at the end of a time: microseconds. */
static bool parse_fraction(const char *s, size_t len, int64_t *us)
{
    *us = 0;
    if (len == 0)
        return true;
    if (s[0] != '.' || len < 2 || len > 7 || !digits(s + 1, len - 1, us))
        return false;
    for (size_t i = len - 1; i < 6; i++)
        *us *= 10;
    return true;
}

/* "HH:MM:SS[.f]" with hours of hlen digits: microseconds; minutes and seconds
 * below 60. */
static bool parse_clock(const char *s, size_t len, size_t hlen, int64_t *us)
{
    int64_t h, m, sec, frac;
    if (len < hlen + 6 || s[hlen] != ':' || s[hlen + 3] != ':' || !digits(s, hlen, &h) ||
        !digits(s + hlen + 1, 2, &m) || !digits(s + hlen + 4, 2, &sec) || m > 59 || sec > 59 ||
        !parse_fraction(s + hlen + 6, len - hlen - 6, &frac))
        return false;
    *us = ((h * 60 + m) * 60 + sec) * 1000000 + frac;
    return true;
}

const char *arrow_value_datetime(const char *s, size_t len, int64_t *micros)
{
    int64_t days, us;
    if (len < 19 || s[10] != ' ')
        return "is not a datetime of the form YYYY-MM-DD HH:MM:SS[.ffffff]";
    const char *bad = parse_ymd(s, 10, &days);
    if (bad)
        return bad;
    if (!parse_clock(s + 11, len - 11, 2, &us) || us >= INT64_C(86400000000))
        return "is not a datetime of the form YYYY-MM-DD HH:MM:SS[.ffffff]";
    *micros = days * INT64_C(86400000000) + us;
    return NULL;
}

const char *arrow_value_time(const char *s, size_t len, int64_t *micros)
{
    bool neg = len > 0 && s[0] == '-';
    if (neg) {
        s++;
        len--;
    }
    size_t hlen = 0;
    while (hlen < len && is_digit(s[hlen]))
        hlen++;
    int64_t us;
    if (hlen < 2 || hlen > 3 || !parse_clock(s, len, hlen, &us))
        return "is not a time of the form HH:MM:SS[.ffffff]";
    if ((neg && us != 0) || us >= INT64_C(86400000000))
        return "is outside time64's one day (00:00:00 to 23:59:59.999999)";
    *micros = us;
    return NULL;
}

/* The length of the UTF-8 sequence starting at s, or 0 when it is malformed
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
    unsigned c = s[0];
    size_t n;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (n > len)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

bool arrow_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}
