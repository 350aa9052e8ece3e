#include "proxy/cache/cache_policy.h"

const char *cache_outcome_name(cache_outcome o)
{
    switch (o) {
    case CACHE_BYPASS:
        return "bypass";
    case CACHE_MISS:
        return "miss";
    case CACHE_HIT:
        return "hit";
    case CACHE_OFF:
    default:
        return "off";
    }
}

cache_outcome cache_policy_for(const result_cache *c, const plan *p, uint64_t *ttl_ms)
{
    *ttl_ms = 0;
    if (!c || p->nqueries == 0)
        return CACHE_OFF;
    unsigned ttl = 0;
    for (size_t i = 0; i < p->nqueries; i++) {
        unsigned t = p->queries[i].src ? p->queries[i].src->cache_ttl_s : 0;
        if (t == 0)
            return CACHE_OFF;
        if (ttl == 0 || t < ttl)
            ttl = t;
    }
    if (p->no_cache || p->nondeterministic)
        return CACHE_BYPASS;
    *ttl_ms = (uint64_t)ttl * 1000u;
    return CACHE_MISS;
}
