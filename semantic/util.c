/* Helpers shared by semantic/: see util.h. */
#include "semantic/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "wire/xalloc.h"

char *sem_strdup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

bool sem_name_eq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

void sem_strv_push(char ***v, size_t *n, char *s)
{
    /* Vectors here hold a handful of names: growing by one keeps them exact. */
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = s;
}

void sem_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

long sem_strv_find(char *const *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (sem_name_eq(v[i], name))
            return (long)i;
    return -1;
}

static bool vsem_errf(char *err, size_t errlen, const char *file, int line, int column,
                      const char *fmt, va_list ap)
{
    if (!err || errlen == 0)
        return false;
    int n = 0;
    if (file && line > 0 && column > 0)
        n = snprintf(err, errlen, "%s:%d:%d: ", file, line, column);
    else if (file && line > 0)
        n = snprintf(err, errlen, "%s:%d: ", file, line);
    else if (file)
        n = snprintf(err, errlen, "%s: ", file);
    if (n < 0 || (size_t)n >= errlen)
        return false;
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    return false;
}

bool sem_errf(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsem_errf(err, errlen, file, line, 0, fmt, ap);
    va_end(ap);
    return false;
}

bool sem_errf_at(char *err, size_t errlen, const char *file, int line, int column, const char *fmt,
                 ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsem_errf(err, errlen, file, line, column, fmt, ap);
    va_end(ap);
    return false;
}

char *sem_path_join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    char *p = xmalloc(dl + 1 + nl + 1);
    memcpy(p, dir, dl);
    p[dl] = '/';
    memcpy(p + dl + 1, name, nl + 1);
    return p;
}

char *sem_path_absolute(const char *path)
{
    char *joined;
    if (path[0] == '/') {
        joined = xstrdup(path);
    } else {
        char *cwd = getcwd(NULL, 0);
        if (!cwd)
            return NULL;
        joined = sem_path_join(cwd, path);
        free(cwd);
    }
    /* Rebuild component by component; ".." never climbs above "/". */
    size_t len = strlen(joined);
    char *out = xmalloc(len + 2);
    size_t o = 0;
    const char *p = joined;
    while (*p) {
        while (*p == '/')
            p++;
        const char *start = p;
        while (*p && *p != '/')
            p++;
        size_t cl = (size_t)(p - start);
        if (cl == 0 || (cl == 1 && start[0] == '.'))
            continue;
        if (cl == 2 && start[0] == '.' && start[1] == '.') {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--; /* drop the slash before the removed component */
            continue;
        }
        out[o++] = '/';
        memcpy(out + o, start, cl);
        o += cl;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    free(joined);
    return out;
}
