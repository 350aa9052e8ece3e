/*
 * The result cache (see result_cache.h): a hash table of entries by digest
 * plus a doubly linked LRU list, both hand-written because they are a few
 * dozen lines and Debian's C libraries offer nothing smaller to depend on
 * (hsearch(3) cannot delete, GLib would be a new dependency for one table).
 *
 * Rows are stored back to back: per value a 4-byte length (CACHE_NULL for
 * NULL) then the bytes and a NUL, so a value handed out is a C string too.
 */
#include "proxy/cache/result_cache.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wire/buf.h"
#include "wire/mimir_assert.h"
#include "wire/xalloc.h"

#define CACHE_NULL UINT32_MAX
/* What an entry costs besides its rows and columns (struct, allocator). */
#define ENTRY_OVERHEAD 128
#define MIN_BUCKETS    64

struct cache_entry {
    cache_key key;
    uint64_t expires_ms;
    uint64_t bytes; /* counted against max_bytes */
    unsigned refs;  /* the table's (while stored) plus each holder's */
    bool stored;
    cache_entry *chain;         /* next in its hash bucket */
    cache_entry *newer, *older; /* LRU list: head is the most recently used */
    size_t ncols;
    result_column *cols;
    size_t nrows;
    uint8_t *data;
    size_t len;
};

struct cache_fill {
    result_cache *c; /* NULL once the cache is gone */
    cache_fill *prev, *next;
    cache_key key;
    uint64_t ttl_ms;
    uint64_t epoch; /* the cache's at begin: a clear since then means do not store */
    bool abandoned;
    size_t ncols;
    result_column *cols;
    size_t nrows;
    buf data;
    uint64_t counted; /* bytes counted in c->fill_bytes */
};

struct result_cache {
    uint64_t max_bytes, max_entry_bytes;
    cache_clock_fn clock;
    cache_entry **buckets;
    size_t nbuckets; /* a power of two */
    cache_entry *newest, *oldest;
    uint64_t epoch;
    cache_fill *fills;
    result_cache_stats stats;
};

uint64_t cache_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

result_cache *result_cache_new(uint64_t max_bytes, uint64_t max_entry_bytes, cache_clock_fn clock)
{
    result_cache *c = xcalloc(1, sizeof(*c));
    c->max_bytes = max_bytes;
    c->max_entry_bytes = max_entry_bytes < max_bytes ? max_entry_bytes : max_bytes;
    c->clock = clock ? clock : cache_monotonic_ms;
    c->nbuckets = MIN_BUCKETS;
    c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
    return c;
}

/* ---- Entries ---------------------------------------------------------------- */

static size_t bucket_of(const result_cache *c, const cache_key *key)
{
    uint64_t h;
    memcpy(&h, key->digest, sizeof(h)); /* a SHA-256 prefix is already well spread */
    return (size_t)(h & (c->nbuckets - 1));
}

static void entry_unref(cache_entry *e)
{
    MIMIR_ASSERT(e->refs > 0);
    if (--e->refs > 0)
        return;
    free(e->cols);
    free(e->data);
    free(e);
}

void cache_entry_release(cache_entry *e)
{
    if (e)
        entry_unref(e);
}

static void lru_unlink(result_cache *c, cache_entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void lru_push_newest(result_cache *c, cache_entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest)
        c->newest->newer = e;
    c->newest = e;
    if (!c->oldest)
        c->oldest = e;
}

/* Takes e out of the table and the LRU list; holders keep it readable. */
static void entry_remove(result_cache *c, cache_entry *e)
{
    MIMIR_ASSERT(e->stored && c->stats.entries > 0 && c->stats.bytes >= e->bytes);
    for (cache_entry **link = &c->buckets[bucket_of(c, &e->key)]; *link; link = &(*link)->chain) {
        if (*link == e) {
            *link = e->chain;
            break;
        }
    }
    lru_unlink(c, e);
    e->stored = false;
    c->stats.bytes -= e->bytes;
    c->stats.entries--;
    entry_unref(e);
}

static cache_entry *entry_find(const result_cache *c, const cache_key *key)
{
    for (cache_entry *e = c->buckets[bucket_of(c, key)]; e; e = e->chain)
        if (memcmp(e->key.digest, key->digest, CACHE_KEY_LEN) == 0)
            return e;
    return NULL;
}

static void grow_buckets(result_cache *c)
{
    size_t n = c->nbuckets * 2;
    cache_entry **old = c->buckets;
    size_t old_n = c->nbuckets;
    c->buckets = xcalloc(n, sizeof(*c->buckets));
    c->nbuckets = n;
    for (size_t i = 0; i < old_n; i++) {
        while (old[i]) {
            cache_entry *e = old[i];
            old[i] = e->chain;
            size_t b = bucket_of(c, &e->key);
            e->chain = c->buckets[b];
            c->buckets[b] = e;
        }
    }
    free(old);
}

static void evict_to(result_cache *c, uint64_t budget)
{
    while (c->oldest && c->stats.bytes > budget) {
        c->stats.evictions++;
        entry_remove(c, c->oldest);
    }
}

void result_cache_clear(result_cache *c)
{
    while (c->oldest)
        entry_remove(c, c->oldest);
    c->epoch++;
}

void result_cache_set_limits(result_cache *c, uint64_t max_bytes, uint64_t max_entry_bytes)
{
    c->max_bytes = max_bytes;
    c->max_entry_bytes = max_entry_bytes < max_bytes ? max_entry_bytes : max_bytes;
    evict_to(c, max_bytes);
}

void result_cache_expire(result_cache *c)
{
    uint64_t now = c->clock();
    for (cache_entry *e = c->oldest; e;) {
        cache_entry *newer = e->newer;
        if (now >= e->expires_ms) {
            c->stats.expired++;
            entry_remove(c, e);
        }
        e = newer;
    }
}

cache_entry *result_cache_lookup(result_cache *c, const cache_key *key)
{
    cache_entry *e = entry_find(c, key);
    if (e && c->clock() >= e->expires_ms) {
        c->stats.expired++;
        entry_remove(c, e);
        e = NULL;
    }
    if (!e) {
        c->stats.misses++;
        return NULL;
    }
    c->stats.hits++;
    lru_unlink(c, e);
    lru_push_newest(c, e);
    e->refs++;
    return e;
}

size_t cache_entry_ncols(const cache_entry *e)
{
    return e->ncols;
}

const result_column *cache_entry_cols(const cache_entry *e)
{
    return e->cols;
}

size_t cache_entry_nrows(const cache_entry *e)
{
    return e->nrows;
}

size_t cache_entry_end(const cache_entry *e)
{
    return e->len;
}

size_t cache_entry_row(const cache_entry *e, size_t offset, const char **values, size_t *lengths)
{
    for (size_t i = 0; i < e->ncols; i++) {
        uint32_t n;
        memcpy(&n, e->data + offset, sizeof(n));
        offset += sizeof(n);
        if (n == CACHE_NULL) {
            values[i] = NULL;
            lengths[i] = 0;
            continue;
        }
        values[i] = (const char *)e->data + offset;
        lengths[i] = n;
        offset += (size_t)n + 1;
    }
    return offset;
}

/* ---- Fills --------------------------------------------------------------------- */

static uint64_t fill_size(const cache_fill *f)
{
    return ENTRY_OVERHEAD + f->ncols * sizeof(result_column) + f->data.cap;
}

/* Keeps c->fill_bytes equal to the sum of the open fills' sizes. */
static void fill_recount(cache_fill *f)
{
    uint64_t now = f->abandoned ? 0 : fill_size(f);
    if (f->c)
        f->c->stats.fill_bytes = f->c->stats.fill_bytes - f->counted + now;
    f->counted = now;
}

static void fill_abandon(cache_fill *f)
{
    if (f->abandoned)
        return;
    f->abandoned = true;
    if (f->c)
        f->c->stats.refused++;
    free(f->cols);
    f->cols = NULL;
    buf_free(&f->data);
    fill_recount(f);
}

static void fill_unlink(cache_fill *f)
{
    result_cache *c = f->c;
    if (!c)
        return;
    if (f->prev)
        f->prev->next = f->next;
    else
        c->fills = f->next;
    if (f->next)
        f->next->prev = f->prev;
}

static void fill_free(cache_fill *f)
{
    f->abandoned = true;
    fill_recount(f);
    fill_unlink(f);
    free(f->cols);
    buf_free(&f->data);
    free(f);
}

/* What the fill will cost once stored (its buffer shrunk to what it holds). */
static uint64_t fill_stored_size(const cache_fill *f)
{
    return ENTRY_OVERHEAD + f->ncols * sizeof(result_column) + f->data.len;
}

/* Room for this fill: within the entry bound, and open fills (their allocations, which
 * grow by doubling) within max_bytes together. */
static bool fill_fits(const cache_fill *f)
{
    const result_cache *c = f->c;
    return c && fill_stored_size(f) <= c->max_entry_bytes &&
           c->stats.fill_bytes - f->counted + fill_size(f) <= c->max_bytes;
}

cache_fill *cache_fill_begin(result_cache *c, const cache_key *key, uint64_t ttl_ms)
{
    cache_fill *f = xcalloc(1, sizeof(*f));
    f->c = c;
    f->key = *key;
    f->ttl_ms = ttl_ms;
    f->epoch = c->epoch;
    buf_init(&f->data);
    f->next = c->fills;
    if (c->fills)
        c->fills->prev = f;
    c->fills = f;
    if (!fill_fits(f))
        fill_abandon(f);
    else
        fill_recount(f);
    return f;
}

void cache_fill_columns(cache_fill *f, const result_column *cols, size_t ncols)
{
    if (f->abandoned)
        return;
    f->ncols = ncols;
    f->cols = xcalloc(ncols, sizeof(*f->cols));
    memcpy(f->cols, cols, ncols * sizeof(*cols));
    for (size_t i = 0; i < ncols; i++)
        f->cols[i].name = NULL; /* the caller's; the plan names the columns */
    if (!fill_fits(f))
        fill_abandon(f);
    else
        fill_recount(f);
}

bool cache_fill_row(cache_fill *f, const char *const *values, const size_t *lengths)
{
    if (f->abandoned || !f->cols)
        return false;
    size_t need = 0;
    for (size_t i = 0; i < f->ncols; i++)
        need += sizeof(uint32_t) + (values[i] ? lengths[i] + 1 : 0);
    /* Check before growing: an oversized row must not be copied first. */
    if (f->c == NULL || fill_stored_size(f) + need > f->c->max_entry_bytes) {
        fill_abandon(f);
        return false;
    }
    for (size_t i = 0; i < f->ncols; i++) {
        if (!values[i]) {
            uint32_t n = CACHE_NULL;
            buf_append(&f->data, &n, sizeof(n));
            continue;
        }
        if (lengths[i] >= CACHE_NULL) {
            fill_abandon(f);
            return false;
        }
        uint32_t n = (uint32_t)lengths[i];
        buf_append(&f->data, &n, sizeof(n));
        buf_append(&f->data, values[i], lengths[i]);
        buf_append_byte(&f->data, 0);
    }
    f->nrows++;
    if (!fill_fits(f)) {
        fill_abandon(f);
        return false;
    }
    fill_recount(f);
    return true;
}

bool cache_fill_abandoned(const cache_fill *f)
{
    return f->abandoned;
}

void cache_fill_abort(cache_fill *f)
{
    if (f)
        fill_free(f);
}

/* The fill's rows become a stored entry (its buffers move over). */
static cache_entry *entry_from_fill(cache_fill *f, uint64_t now)
{
    cache_entry *e = xcalloc(1, sizeof(*e));
    e->key = f->key;
    e->expires_ms = now + f->ttl_ms;
    e->refs = 1;
    e->stored = true;
    e->ncols = f->ncols;
    e->cols = f->cols;
    e->nrows = f->nrows;
    e->len = f->data.len;
    /* Shrink to what is used: the cache counts what it keeps. */
    e->data = e->len ? xrealloc(f->data.data, e->len) : NULL;
    if (!e->len)
        free(f->data.data);
    f->cols = NULL;
    f->data.data = NULL;
    f->data.len = f->data.cap = 0;
    e->bytes = ENTRY_OVERHEAD + e->ncols * sizeof(result_column) + e->len;
    return e;
}

void cache_fill_commit(cache_fill *f)
{
    result_cache *c = f->c;
    if (!c || f->abandoned || !f->cols || f->epoch != c->epoch) {
        fill_free(f);
        return;
    }
    if (fill_stored_size(f) > c->max_entry_bytes) {
        c->stats.refused++;
        fill_free(f);
        return;
    }
    cache_entry *e = entry_from_fill(f, c->clock());
    fill_free(f);
    cache_entry *old = entry_find(c, &e->key);
    if (old)
        entry_remove(c, old); /* two misses of the same query: the later answer wins */
    evict_to(c, c->max_bytes - e->bytes);
    size_t b = bucket_of(c, &e->key);
    e->chain = c->buckets[b];
    c->buckets[b] = e;
    lru_push_newest(c, e);
    c->stats.bytes += e->bytes;
    c->stats.entries++;
    c->stats.inserts++;
    if (c->stats.entries > c->nbuckets)
        grow_buckets(c);
}

void result_cache_free(result_cache *c)
{
    if (!c)
        return;
    while (c->fills) {
        cache_fill *f = c->fills;
        fill_abandon(f);
        fill_unlink(f);
        f->c = NULL; /* its owner still frees it */
    }
    while (c->oldest)
        entry_remove(c, c->oldest);
    free(c->buckets);
    free(c);
}

void result_cache_get_stats(const result_cache *c, result_cache_stats *out)
{
    if (c)
        *out = c->stats;
    else
        memset(out, 0, sizeof(*out));
}

void cache_stats(const result_cache *c, uint64_t *hits, uint64_t *misses, uint64_t *bytes,
                 uint64_t *entries)
{
    result_cache_stats s;
    result_cache_get_stats(c, &s);
    *hits = s.hits;
    *misses = s.misses;
    *bytes = s.bytes;
    *entries = s.entries;
}
