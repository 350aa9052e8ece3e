#include "proxy/exec/decimal.h"

#include <stdlib.h>
#include <string.h>

typedef __int128 i128;

/* 10^0 .. 10^38: the largest power an i128 holds. */
static i128 pow10_i128(int n)
{
    i128 p = 1;
    for (int i = 0; i < n; i++)
        p *= 10;
    return p;
}

#define MAX_POW10 38

bool decimal_parse(const char *text, size_t len, decimal *out)
{
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t'))
        i++;
    while (len > i && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    bool neg = false;
    if (i < len && (text[i] == '-' || text[i] == '+'))
        neg = text[i++] == '-';
    i128 v = 0;
    int scale = 0, digits = 0;
    bool point = false;
    for (; i < len; i++) {
        char c = text[i];
        if (c == '.' && !point) {
            point = true;
            continue;
        }
        if (c < '0' || c > '9')
            return false;
        if (point && scale == DECIMAL_MAX_SCALE)
            continue; /* beyond 30 decimals: MySQL's DECIMAL keeps no more */
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, c - '0', &v))
            return false;
        digits++;
        scale += point;
    }
    if (digits == 0)
        return false;
    out->v = neg ? -v : v;
    out->scale = scale;
    return true;
}

decimal decimal_of_int(int64_t i)
{
    return (decimal){.v = i, .scale = 0};
}

size_t decimal_format(const decimal *d, char out[DECIMAL_TEXT_MAX])
{
    char digits[DECIMAL_TEXT_MAX];
    size_t n = 0;
    /* Digits from the right; the magnitude is taken digit by digit so that the minimum
     * value (whose negation overflows) prints too. */
    i128 v = d->v;
    do {
        int digit = (int)(v % 10);
        digits[n++] = (char)('0' + (digit < 0 ? -digit : digit));
        v /= 10;
    } while (v != 0);
    while (n <= (size_t)d->scale)
        digits[n++] = '0';
    size_t k = 0;
    if (d->v < 0)
        out[k++] = '-';
    while (n > 0) {
        if (n == (size_t)d->scale)
            out[k++] = '.';
        out[k++] = digits[--n];
    }
    out[k] = '\0';
    return k;
}

double decimal_to_double(const decimal *d)
{
    char text[DECIMAL_TEXT_MAX];
    decimal_format(d, text);
    return strtod(text, NULL);
}

/* v / 10^n rounded as asked. */
static i128 shift_right(i128 v, int n, decimal_rounding how)
{
    if (n > MAX_POW10)
        return 0;
    i128 p = pow10_i128(n);
    i128 q = v / p, r = v % p;
    if (how == DECIMAL_ROUND_HALF_AWAY) {
        i128 twice = r < 0 ? -r : r;
        if (twice >= p - twice)
            q += v < 0 ? -1 : 1;
    } else if (how == DECIMAL_FLOOR && r < 0) {
        q -= 1;
    } else if (how == DECIMAL_CEIL && r > 0) {
        q += 1;
    }
    return q;
}

static bool shift_left(i128 v, int n, i128 *out)
{
    if (n > MAX_POW10)
        return v == 0 ? (*out = 0, true) : false;
    return !__builtin_mul_overflow(v, pow10_i128(n), out);
}

bool decimal_rescale(decimal *d, int scale, decimal_rounding how)
{
    if (scale > DECIMAL_MAX_SCALE)
        scale = DECIMAL_MAX_SCALE;
    if (scale >= d->scale) {
        if (!shift_left(d->v, scale - d->scale, &d->v))
            return false;
        d->scale = scale;
        return true;
    }
    i128 q = shift_right(d->v, d->scale - scale, how);
    if (scale < 0) { /* ROUND(x, -2): back to units, the scale becomes 0 */
        if (!shift_left(q, -scale, &q))
            return false;
        scale = 0;
    }
    d->v = q;
    d->scale = scale;
    return true;
}

bool decimal_to_int64(const decimal *d, decimal_rounding how, int64_t *out)
{
    decimal r = *d;
    if (!decimal_rescale(&r, 0, how) || r.v > INT64_MAX || r.v < INT64_MIN)
        return false;
    *out = (int64_t)r.v;
    return true;
}

/* Both at the larger scale. */
static bool align(const decimal *a, const decimal *b, i128 *va, i128 *vb, int *scale)
{
    *scale = a->scale > b->scale ? a->scale : b->scale;
    return shift_left(a->v, *scale - a->scale, va) && shift_left(b->v, *scale - b->scale, vb);
}

bool decimal_add(const decimal *a, const decimal *b, decimal *out)
{
    i128 va, vb;
    int s;
    if (!align(a, b, &va, &vb, &s) || __builtin_add_overflow(va, vb, &out->v))
        return false;
    out->scale = s;
    return true;
}

bool decimal_sub(const decimal *a, const decimal *b, decimal *out)
{
    i128 va, vb;
    int s;
    if (!align(a, b, &va, &vb, &s) || __builtin_sub_overflow(va, vb, &out->v))
        return false;
    out->scale = s;
    return true;
}

bool decimal_mul(const decimal *a, const decimal *b, decimal *out)
{
    if (__builtin_mul_overflow(a->v, b->v, &out->v))
        return false;
    out->scale = a->scale + b->scale;
    if (out->scale > DECIMAL_MAX_SCALE) {
        out->v = shift_right(out->v, out->scale - DECIMAL_MAX_SCALE, DECIMAL_ROUND_HALF_AWAY);
        out->scale = DECIMAL_MAX_SCALE;
    }
    return true;
}

/*
 * a / b as MySQL computes it inside an expression: truncated at the sum of the
 * scales plus div_precision_increment, rounded up to a multiple of 9 digits
 * (MySQL's decimals are arrays of 9-digit words): 2/3 is 0.666666666, so that
 * 2/3*3000000000 is 1999999998 there and here. The column's type has the
 * dividend's scale + 4 (final_exact.h): the value is rounded to it when sent.
 * (a.v / 10^sa) / (b.v / 10^sb) * 10^rs = a.v * 10^(sb + rs - sa) / b.v.
 */
bool decimal_div(const decimal *a, const decimal *b, decimal *out, bool *is_null)
{
    *is_null = b->v == 0;
    if (*is_null)
        return true;
    int rs = (a->scale + b->scale + DECIMAL_DIV_INCREMENT + 8) / 9 * 9;
    if (rs > DECIMAL_MAX_SCALE)
        rs = DECIMAL_MAX_SCALE;
    int k = b->scale + rs - a->scale;
    i128 num;
    if (k < 0)
        num = shift_right(a->v, -k, DECIMAL_TRUNCATE);
    else if (!shift_left(a->v, k, &num))
        return false;
    out->v = num / b->v; /* C truncates toward zero, as MySQL's decimal_div */
    out->scale = rs;
    return true;
}

bool decimal_mod(const decimal *a, const decimal *b, decimal *out, bool *is_null)
{
    i128 va, vb;
    int s;
    *is_null = b->v == 0;
    if (*is_null)
        return true;
    if (!align(a, b, &va, &vb, &s))
        return false;
    out->v = va % vb; /* the sign of the dividend, as MySQL's MOD */
    out->scale = s;
    return true;
}

int decimal_cmp(const decimal *a, const decimal *b)
{
    i128 va, vb;
    int s;
    if (!align(a, b, &va, &vb, &s)) {
        /* One side is too large to align: compare as doubles, which then differ. */
        double da = decimal_to_double(a), db = decimal_to_double(b);
        return (da > db) - (da < db);
    }
    return (va > vb) - (va < vb);
}
