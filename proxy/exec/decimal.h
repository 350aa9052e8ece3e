/*
 * Exact decimal arithmetic with MySQL's rules, for the final stage (the
 * combine in SQLite, which has no DECIMAL type).
 *
 * A value is a scaled integer: v / 10^scale, v a 128-bit integer (38 digits).
 * Debian 12 ships no decimal library for C (libmpdec-dev is gone since
 * Debian 12; GMP would allocate on every operation), and 38 digits hold every
 * metric a sum of DECIMAL(p <= 20) columns can reach. A result that would not
 * fit is an error, never a rounded number.
 *
 * Result scales follow MySQL: a + b and a - b and a % b keep the larger
 * scale, a * b the sum of the scales, all capped at 30 (DECIMAL_MAX_SCALE);
 * a / b keeps MySQL's inner precision (see decimal_div), and its column is
 * rounded to the dividend's scale + div_precision_increment (4) when sent.
 */
#ifndef MIMIR_PROXY_EXEC_DECIMAL_H
#define MIMIR_PROXY_EXEC_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DECIMAL_MAX_SCALE     30
#define DECIMAL_DIV_INCREMENT 4
#define DECIMAL_TEXT_MAX      48 /* sign, 38 digits, point, NUL, and room */

typedef struct decimal {
    __int128 v;
    int scale; /* 0..DECIMAL_MAX_SCALE */
} decimal;

typedef enum {
    DECIMAL_ROUND_HALF_AWAY, /* MySQL's ROUND and CAST: 2.5 -> 3, -2.5 -> -3 */
    DECIMAL_TRUNCATE,        /* toward zero: TRUNCATE() */
    DECIMAL_FLOOR,           /* toward -infinity: FLOOR() */
    DECIMAL_CEIL,            /* toward +infinity: CEIL() */
} decimal_rounding;

/* [+-]digits[.digits] (no exponent, surrounding spaces allowed); false otherwise. */
bool decimal_parse(const char *text, size_t len, decimal *out);
decimal decimal_of_int(int64_t i);
/* Plain notation with exactly d->scale decimals; returns the length. */
size_t decimal_format(const decimal *d, char out[DECIMAL_TEXT_MAX]);
double decimal_to_double(const decimal *d);

/* To `scale` decimals (negative: tens, hundreds, ... as ROUND(x, -1)); false on overflow. */
bool decimal_rescale(decimal *d, int scale, decimal_rounding how);
/* Rounded to an integer; false when it does not fit in a BIGINT. */
bool decimal_to_int64(const decimal *d, decimal_rounding how, int64_t *out);

/* False on overflow. */
bool decimal_add(const decimal *a, const decimal *b, decimal *out);
bool decimal_sub(const decimal *a, const decimal *b, decimal *out);
bool decimal_mul(const decimal *a, const decimal *b, decimal *out);
/* *is_null when b is zero (MySQL's NULL); false on overflow. */
bool decimal_div(const decimal *a, const decimal *b, decimal *out, bool *is_null);
bool decimal_mod(const decimal *a, const decimal *b, decimal *out, bool *is_null);
int decimal_cmp(const decimal *a, const decimal *b);

#endif
