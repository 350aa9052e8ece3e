#include "proxy/config/cache_config.h"

#include "proxy/config/config_section.h"

void cache_settings_unset(cache_settings *s)
{
    s->max_bytes = -1;
    s->max_entry_bytes = -1;
}

bool cache_settings_load(const char *file, const ynode *map, cache_settings *out, char *err,
                         size_t errlen)
{
    cache_settings_unset(out);
    static const char *const keys[] = {"max_bytes", "max_entry_bytes", NULL};
    return config_known_keys(file, map, "cache", keys, err, errlen) &&
           config_size(file, map, "max_bytes", &out->max_bytes, err, errlen) &&
           config_size(file, map, "max_entry_bytes", &out->max_entry_bytes, err, errlen);
}
