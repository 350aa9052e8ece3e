/*
 * Allocation that aborts on failure, and assertions. wire/ is the lowest
 * layer, so every layer may include this. (Provisional: the allocation
 * discipline of issue 12 lands with the rest of the helpers.)
 */
#ifndef MIMIR_WIRE_XALLOC_H
#define MIMIR_WIRE_XALLOC_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#ifdef MIMIR_ASSERTIONS
#define MIMIR_ASSERT(cond)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)
#else
#define MIMIR_ASSERT(cond) ((void)0)
#endif

#endif
