#include "proxy/config/cache_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More than any machine Mimir runs on; the check keeps the arithmetic in range. */
#define CACHE_MAX_SETTING (1ll << 50)

void cache_settings_unset(cache_settings *s)
{
    s->max_bytes = -1;
    s->max_entry_bytes = -1;
}

static bool fail(const char *file, const ynode *at, char *err, size_t errlen, const char *msg)
{
    snprintf(err, errlen, "%s:%d: %s", file, at ? at->line : 0, msg);
    return false;
}

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
        if (v > (CACHE_MAX_SETTING >> units[i].shift))
            return false;
        *out = (int64_t)v << units[i].shift;
        return true;
    }
    return false;
}

static bool load_size(const char *file, const ynode *map, const char *key, int64_t *out, char *err,
                      size_t errlen)
{
    const ynode *v = ymap_get(map, key);
    if (ynode_is_null(v))
        return true;
    const char *text = ynode_text(v);
    char msg[256];
    if (!text || !parse_size(text, out)) {
        snprintf(msg, sizeof msg,
                 "'%s' must be a size: a whole number of bytes, or one followed by KiB, MiB or "
                 "GiB (e.g. 64MiB)",
                 key);
        return fail(file, v, err, errlen, msg);
    }
    return true;
}

bool cache_settings_load(const char *file, const ynode *map, cache_settings *out, char *err,
                         size_t errlen)
{
    cache_settings_unset(out);
    if (map->kind != YNODE_MAPPING)
        return fail(file, map, err, errlen, "'cache' must be a mapping");
    static const char *const keys[] = {"max_bytes", "max_entry_bytes", NULL};
    char list[64], msg[256];
    const ynode *k = ymap_unknown_key(map, keys, list, sizeof list);
    if (k) {
        const char *name = ynode_text(k);
        snprintf(msg, sizeof msg, "unknown key '%s' in 'cache' (expected one of: %s)",
                 name ? name : "?", list);
        return fail(file, k, err, errlen, msg);
    }
    return load_size(file, map, "max_bytes", &out->max_bytes, err, errlen) &&
           load_size(file, map, "max_entry_bytes", &out->max_entry_bytes, err, errlen);
}
