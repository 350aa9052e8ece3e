/*
 * Which results the result cache (proxy/cache/result_cache.h) may answer and keep.
 * A metrics query is cached only when every source it reads has a cache_ttl
 * (the entry lives for the smallest of them), the statement does not say
 * SQL_NO_CACHE, and its answer cannot change by itself (no NOW(), RAND(),
 * variables, ...). Statements answered without a backend (session variables,
 * SHOW, information_schema, probes) never reach the cache at all.
 */
#ifndef MIMIR_PROXY_CACHE_CACHE_POLICY_H
#define MIMIR_PROXY_CACHE_CACHE_POLICY_H

#include <stdint.h>

#include "planner/plan.h"
#include "proxy/cache/result_cache.h"

/* What the cache did for one execution: for the query log and /metrics. */
typedef enum {
    CACHE_OFF,    /* no cache, or a source without cache_ttl */
    CACHE_BYPASS, /* SQL_NO_CACHE, or an answer that changes by itself */
    CACHE_MISS,   /* looked up, not found: run, and stored if it completes */
    CACHE_HIT,    /* answered from the cache */
} cache_outcome;

/* "off", "bypass", "miss", "hit". */
const char *cache_outcome_name(cache_outcome o);

/* CACHE_OFF, CACHE_BYPASS, or CACHE_MISS (look it up) with the entry's TTL in *ttl_ms. */
cache_outcome cache_policy_for(const result_cache *c, const plan *p, uint64_t *ttl_ms);

#endif
