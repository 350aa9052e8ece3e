/*
 * The `cache:` section of the server configuration file (server_config.h):
 * the bounds of the result cache (proxy/cache/result_cache.h).
 *
 *   cache:
 *     max_bytes: 64MiB        # all cached results together; 0 turns the cache off
 *     max_entry_bytes: 8MiB   # one result; larger ones are not cached
 *
 * Sizes are a whole number of bytes, or one followed by KiB, MiB or GiB.
 * Which queries are cached is decided by the semantic layer: a source's
 * `cache_ttl`.
 */
#ifndef MIMIR_PROXY_CONFIG_CACHE_CONFIG_H
#define MIMIR_PROXY_CONFIG_CACHE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "semantic/yaml_doc.h"

#define CACHE_DEFAULT_MAX_BYTES       (64ull << 20)
#define CACHE_DEFAULT_MAX_ENTRY_BYTES (8ull << 20)

typedef struct cache_settings {
    int64_t max_bytes;       /* -1 when the file does not set it */
    int64_t max_entry_bytes; /* -1 when the file does not set it */
} cache_settings;

void cache_settings_unset(cache_settings *s);
/* Reads the section at map; on failure "FILE:LINE: message" in err. */
bool cache_settings_load(const char *file, const ynode *map, cache_settings *out, char *err,
                         size_t errlen);

#endif
