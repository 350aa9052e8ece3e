/*
 * What the sections of the server configuration file share: errors that
 * name FILE:LINE, strict keys, scalars, booleans and paths relative to the
 * file. See config_section.h.
 */
#include "proxy/config/config_section.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wire/xalloc.h"

bool config_fail(const char *file, const ynode *at, char *err, size_t errlen, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s:%d: %s", file, at ? at->line : 0, msg);
    return false;
}

bool config_known_keys(const char *file, const ynode *map, const char *section,
                       const char *const *allowed, char *err, size_t errlen)
{
    if (map->kind != YNODE_MAPPING)
        return config_fail(file, map, err, errlen, "'%s' must be a mapping, not a %s", section,
                           ynode_kind_name(map));
    char list[128];
    const ynode *k = ymap_unknown_key(map, allowed, list, sizeof list);
    if (k) {
        const char *name = ynode_text(k);
        return config_fail(file, k, err, errlen, "unknown key '%s' in '%s' (expected one of: %s)",
                           name ? name : "?", section, list);
    }
    return true;
}

/* A scalar value of key, NULL when absent or null; false (err) when not a scalar. */
bool config_scalar(const char *file, const ynode *map, const char *key, const char **out, char *err,
                   size_t errlen)
{
    const ynode *v = ymap_get(map, key);
    *out = NULL;
    if (ynode_is_null(v))
        return true;
    *out = ynode_text(v);
    if (!*out)
        return config_fail(file, v, err, errlen, "'%s' must be a string, not a %s", key,
                           ynode_kind_name(v));
    return true;
}

/* -1 absent, 0 false, 1 true; -2 on error. */
int config_boolean(const char *file, const ynode *map, const char *key, char *err, size_t errlen)
{
    const char *t;
    if (!config_scalar(file, map, key, &t, err, errlen))
        return -2;
    if (!t)
        return -1;
    if (!strcasecmp(t, "true") || !strcasecmp(t, "yes") || !strcasecmp(t, "on"))
        return 1;
    if (!strcasecmp(t, "false") || !strcasecmp(t, "no") || !strcasecmp(t, "off"))
        return 0;
    config_fail(file, ymap_get(map, key), err, errlen, "'%s' must be true or false, not '%s'", key,
                t);
    return -2;
}

/* A path relative to the configuration file's directory. */
char *config_relative_path(const char *file, const char *path)
{
    const char *slash = strrchr(file, '/');
    int dir = path[0] == '/' || !slash ? 0 : (int)(slash - file) + 1;
    return xasprintf("%.*s%s", dir, file, path);
}

bool config_port(const char *file, const ynode *map, const char *key, int *out, char *err,
                 size_t errlen)
{
    const char *port;
    if (!config_scalar(file, map, key, &port, err, errlen))
        return false;
    if (!port)
        return true;
    char *end;
    errno = 0;
    long p = strtol(port, &end, 10);
    if (errno || *end || end == port || p < 1 || p > 65535)
        return config_fail(file, ymap_get(map, key), err, errlen,
                           "'%s' must be a number from 1 to 65535, not '%s'", key, port);
    *out = (int)p;
    return true;
}

/* More than any machine Mimir runs on; the check keeps the arithmetic in range. */
#define CONFIG_MAX_SIZE (1ll << 50)

/* "1048576", "512KiB", "64 MiB", "1GiB"; false when it is none of these. */
static bool parse_size(const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || v < 0 || text[0] == '-' || text[0] == '+')
        return false;
    while (*end == ' ')
        end++;
    static const struct {
        const char *suffix;
        int shift;
    } units[] = {{"", 0}, {"B", 0}, {"KiB", 10}, {"MiB", 20}, {"GiB", 30}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(end, units[i].suffix) != 0)
            continue;
        if (v > (CONFIG_MAX_SIZE >> units[i].shift))
            return false;
        *out = (int64_t)v << units[i].shift;
        return true;
    }
    return false;
}

bool config_size(const char *file, const ynode *map, const char *key, int64_t *out, char *err,
                 size_t errlen)
{
    const ynode *v = ymap_get(map, key);
    if (ynode_is_null(v))
        return true;
    const char *text = ynode_text(v);
    if (!text || !parse_size(text, out))
        return config_fail(file, v, err, errlen,
                           "'%s' must be a size: a whole number of bytes, or one followed by "
                           "KiB, MiB or GiB (e.g. 64MiB)",
                           key);
    return true;
}
