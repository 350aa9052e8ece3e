/*
 * Allocation that aborts on out-of-memory: the one allocation discipline of
 * Mimir. wire/ is the lowest layer (wire < semantic < planner < proxy), so
 * every layer, and the tests, include this header; nothing here knows about
 * anything above it.
 *
 * Why abort rather than return NULL: Mimir allocates in small pieces (a
 * packet, a parsed statement, a configuration node), and a process that
 * cannot get a few kilobytes has no useful way to carry on: the error path
 * would itself need memory to report the failure. Checking every call would
 * bury the logic under branches no test reaches. So a failed allocation
 * prints what was asked for and aborts, and every caller may use the result
 * without a check. A call site that really can recover (an allocation sized
 * by untrusted input that it can refuse) uses malloc and says why.
 *
 * Zero sizes are rounded up to one byte, so a successful call never returns
 * NULL and free() of every result is always right.
 */
#ifndef MIMIR_WIRE_XALLOC_H
#define MIMIR_WIRE_XALLOC_H

#include <stddef.h>

/* The first version of this header also defined MIMIR_ASSERT, and files
 * written against it use that: it comes along from its own header. */
#include "wire/mimir_assert.h"

void *xmalloc(size_t n);
/* Zeroed; count * size is checked for overflow (by calloc). */
void *xcalloc(size_t count, size_t size);
/* realloc(p, n); p may be NULL. */
void *xrealloc(void *p, size_t n);
/* reallocarray(p, count, size): count * size checked for overflow. */
void *xreallocarray(void *p, size_t count, size_t size);
char *xstrdup(const char *s);
/*
 * Copies exactly n bytes of s and appends a NUL. Unlike strndup it does not
 * stop at a NUL inside the n bytes (a YAML scalar or a row value may hold
 * one): the caller guarantees that n bytes are readable.
 */
char *xstrndup(const char *s, size_t n);
/* A freshly allocated printf. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
