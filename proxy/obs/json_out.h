/*
 * Writing JSON text: strings escaped so that any bytes a client sent (quotes,
 * control characters, invalid UTF-8) still make one valid JSON line. Used by
 * the per-query log (proxy/obs/query_log.c) and the admin endpoint's /healthz.
 */
#ifndef MIMIR_PROXY_OBS_JSON_OUT_H
#define MIMIR_PROXY_OBS_JSON_OUT_H

#include <stddef.h>

#include "wire/buf.h"

/*
 * Appends s[0..len) as a quoted JSON string. '"' and '\\' are escaped,
 * control characters (and DEL) become \n, \t, ... or \u00XX, well-formed
 * UTF-8 is copied as is, and every byte that is not part of a well-formed
 * UTF-8 sequence (overlong forms, surrogates, stray continuation bytes,
 * truncated sequences) becomes U+FFFD: a log reader must never choke on a
 * line because a client sent Latin-1.
 */
void json_append_string(buf *b, const char *s, size_t len);
/* The same for a NUL-terminated string; NULL gives null. */
void json_append_cstr(buf *b, const char *s);
/* A number with at most 3 decimals (milliseconds); negative gives null. */
void json_append_ms(buf *b, double ms);

#endif
