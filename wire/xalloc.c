#include "wire/xalloc.h"

#include <string.h>

static void *check(void *p, size_t n)
{
    if (!p && n) {
        fprintf(stderr, "mimir: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

void *xmalloc(size_t n)
{
    return check(malloc(n ? n : 1), n);
}

void *xcalloc(size_t count, size_t size)
{
    return check(calloc(count ? count : 1, size ? size : 1), count * size);
}

void *xrealloc(void *p, size_t n)
{
    return check(realloc(p, n ? n : 1), n);
}

char *xstrdup(const char *s)
{
    return check(strdup(s), strlen(s) + 1);
}

char *xstrndup(const char *s, size_t n)
{
    return check(strndup(s, n), n + 1);
}
