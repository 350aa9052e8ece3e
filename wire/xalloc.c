/* Allocation that aborts on out-of-memory: see xalloc.h. */
#include "wire/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* fprintf may itself allocate; if it cannot, the abort still happens. */
static _Noreturn void out_of_memory(size_t count, size_t size)
{
    if (count == 1)
        fprintf(stderr, "mimir: out of memory allocating %zu bytes\n", size);
    else
        fprintf(stderr, "mimir: out of memory allocating %zu x %zu bytes\n", count, size);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(1, n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count, size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(1, n);
    return q;
}

void *xreallocarray(void *p, size_t count, size_t size)
{
    void *q = reallocarray(p, count ? count : 1, size ? size : 1);
    if (!q)
        out_of_memory(count, size);
    return q;
}

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        /* Only an invalid format (or a wide character that does not convert)
         * gets here: a bug in the caller, not a runtime condition. */
        fprintf(stderr, "mimir: xasprintf: cannot format \"%s\"\n", fmt);
        abort();
    }
    char *out = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}
