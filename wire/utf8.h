/*
 * UTF-8 well-formedness, as the utf8mb4 character set that Mimir announces
 * defines it (RFC 3629, Unicode table 3-7: no overlong forms, no surrogates,
 * nothing above U+10FFFF). Statements and string values must be UTF-8 before
 * they reach a backend (PostgreSQL would refuse them, SQLite would compare
 * them wrongly), and every message Mimir sends must be UTF-8, or a client
 * library that decodes it fails on the error instead of reporting it.
 */
#ifndef MIMIR_WIRE_UTF8_H
#define MIMIR_WIRE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

/* Length of the longest well-formed prefix of s[0..len): len when s is all UTF-8. */
size_t utf8_valid_prefix(const uint8_t *s, size_t len);

/* Appends s to out, each byte that is not part of a well-formed sequence as '?'. */
void utf8_append_sanitized(buf *out, const uint8_t *s, size_t len);

#endif
