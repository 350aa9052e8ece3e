/*
 * The result cache: finished results of metrics queries, kept in memory for a
 * while so that a dashboard asking the same question again is answered
 * without touching the warehouse.
 *
 * An entry is found by a cache_key (a SHA-256 digest of the normalised plan,
 * proxy/cache/cache_key.h) and holds the result as the text protocol would send it:
 * the columns' types and the rows' values as text (NULL kept apart). Both the
 * text protocol and prepared statements (binary rows, encoded from the same
 * text by wire/binary.c) are served from it.
 *
 * Memory is bounded: every entry counts its bytes, the least recently used
 * entries are evicted when the total would pass max_bytes, a result larger
 * than max_entry_bytes is never kept (its recording is abandoned as soon as
 * it grows past the bound), and results being recorded count against
 * max_bytes too. Entries expire after their TTL (checked on lookup and by
 * result_cache_expire). This module knows nothing of sockets or plans: it is
 * a data structure, used only from the event loop (not thread-safe).
 */
#ifndef MIMIR_PROXY_CACHE_RESULT_CACHE_H
#define MIMIR_PROXY_CACHE_RESULT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "planner/value_type.h"

#define CACHE_KEY_LEN 32

typedef struct cache_key {
    uint8_t digest[CACHE_KEY_LEN]; /* SHA-256 */
} cache_key;

typedef struct result_cache result_cache;
typedef struct cache_entry cache_entry; /* a stored result; immutable once stored */
typedef struct cache_fill cache_fill;   /* a result being recorded as it is sent */

/* Milliseconds on a monotonic clock; injectable for tests. */
typedef uint64_t (*cache_clock_fn)(void);
uint64_t cache_monotonic_ms(void);

/* clock NULL: cache_monotonic_ms. max_entry_bytes is capped at max_bytes. */
result_cache *result_cache_new(uint64_t max_bytes, uint64_t max_entry_bytes, cache_clock_fn clock);
/* Entries being served stay valid until released; fills still open are abandoned. */
void result_cache_free(result_cache *c);
/* Drops every entry (a reload); results being recorded now are not stored either. */
void result_cache_clear(result_cache *c);
/* New bounds; entries evicted to fit. */
void result_cache_set_limits(result_cache *c, uint64_t max_bytes, uint64_t max_entry_bytes);
/* Drops expired entries (called now and then, so that they do not sit in memory). */
void result_cache_expire(result_cache *c);

/*
 * The live entry for key, held for the caller until cache_entry_release (it
 * may be evicted meanwhile: it stays readable). NULL on a miss (an expired
 * entry is dropped and is a miss). Counts a hit or a miss.
 */
cache_entry *result_cache_lookup(result_cache *c, const cache_key *key);
void cache_entry_release(cache_entry *e);

size_t cache_entry_ncols(const cache_entry *e);
/* Column types (names are NULL: the plan names the columns). */
const result_column *cache_entry_cols(const cache_entry *e);
size_t cache_entry_nrows(const cache_entry *e);
/*
 * The values of the row at offset (0 for the first row; then what the
 * previous call returned), into values/lengths (ncols each; NULL values are
 * NULL with length 0). Returns the offset of the next row; when it equals
 * cache_entry_end the rows are done.
 */
size_t cache_entry_row(const cache_entry *e, size_t offset, const char **values, size_t *lengths);
size_t cache_entry_end(const cache_entry *e);

/*
 * Recording a result while it is sent. cache_fill_begin never fails (it
 * returns a fill that may already be abandoned when the cache has no room);
 * cache_fill_row returns false once the fill is abandoned (too large): its
 * memory is freed at once and the caller may stop teeing. cache_fill_commit
 * stores the result (unless abandoned, or the cache was cleared since the
 * fill began) and frees the fill; cache_fill_abort frees it without storing.
 */
cache_fill *cache_fill_begin(result_cache *c, const cache_key *key, uint64_t ttl_ms);
void cache_fill_columns(cache_fill *f, const result_column *cols, size_t ncols);
bool cache_fill_row(cache_fill *f, const char *const *values, const size_t *lengths);
bool cache_fill_abandoned(const cache_fill *f);
void cache_fill_commit(cache_fill *f);
void cache_fill_abort(cache_fill *f);

typedef struct result_cache_stats {
    uint64_t hits, misses;
    uint64_t inserts;   /* results stored */
    uint64_t evictions; /* entries dropped to make room */
    uint64_t expired;   /* entries dropped at the end of their TTL */
    uint64_t refused;   /* results not stored: larger than max_entry_bytes or no room */
    uint64_t bytes;     /* held by stored entries */
    uint64_t entries;
    uint64_t fill_bytes; /* held by results being recorded */
} result_cache_stats;

void result_cache_get_stats(const result_cache *c, result_cache_stats *out);
/* The short form for /metrics and the query log (c NULL: all zero). */
void cache_stats(const result_cache *c, uint64_t *hits, uint64_t *misses, uint64_t *bytes,
                 uint64_t *entries);

#endif
