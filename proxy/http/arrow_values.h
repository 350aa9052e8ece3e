/*
 * MySQL text-protocol values turned into the fixed-width values of Arrow
 * arrays, exactly or not at all: an integer that overflows its width, a
 * decimal with more digits than its precision or scale, a zero date, a TIME
 * outside one day are refused with a reason, never rounded or wrapped. The
 * Arrow stream encoder (arrow_stream.c) stops the result on a refusal, so a
 * client gets an error rather than a wrong number.
 *
 * Every function returns NULL on success and otherwise a static phrase that
 * completes "value 'x' ..." (e.g. "is out of range for int8").
 */
#ifndef MIMIR_PROXY_HTTP_ARROW_VALUES_H
#define MIMIR_PROXY_HTTP_ARROW_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An integer ("-12") of bits (8, 16, 32, 64) width, signed or not; *out holds
 * its two's complement bits (the caller writes the low bits/8 bytes). */
const char *arrow_value_int(const char *s, size_t len, int bits, bool is_signed, uint64_t *out);

/*
 * A decimal ("-123.4500") as the unscaled integer value * 10^scale in nwords
 * (2: decimal128, 4: decimal256) little-endian 64-bit words of two's
 * complement, least significant word first, as Arrow stores it. Fraction
 * digits beyond scale are accepted only when they are zeros; integer digits
 * beyond precision - scale are refused.
 */
const char *arrow_value_decimal(const char *s, size_t len, int precision, int scale,
                                uint64_t *words, int nwords);

/* FLOAT and DOUBLE text ("1.5", "-1e+20"): the nearest float/double. Infinite
 * results (and "inf", "nan", hex floats, which MySQL never sends) are refused. */
const char *arrow_value_float(const char *s, size_t len, float *out);
const char *arrow_value_double(const char *s, size_t len, double *out);

/* "YYYY-MM-DD" as days since 1970-01-01 (date32); zero dates are refused. */
const char *arrow_value_date(const char *s, size_t len, int32_t *days);

/* "YYYY-MM-DD HH:MM:SS[.f{1,6}]" as microseconds since 1970-01-01 00:00:00 of
 * the same wall clock (the stream's time zone says which clock it is). */
const char *arrow_value_datetime(const char *s, size_t len, int64_t *micros);

/* "HH:MM:SS[.f{1,6}]" as microseconds since midnight (time64[us]). MySQL's
 * TIME is a duration from -838:59:59 to 838:59:59; Arrow's time64 is a time
 * of day, so negative times and times of 24 hours or more are refused. */
const char *arrow_value_time(const char *s, size_t len, int64_t *micros);

/* Whether s is well-formed UTF-8 (Arrow's utf8 type requires it). */
bool arrow_utf8_valid(const char *s, size_t len);

#endif
