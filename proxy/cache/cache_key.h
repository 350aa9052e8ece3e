/*
 * The result cache's key for a plan: what decides a result's bytes, not how
 * the client wrote its statement. Two statements that plan to the same atomic
 * queries (connection, dialect, SQL text, parameter values and types), the
 * same final SQL and parameters, and the same output columns (names, origin,
 * position) share an entry: whitespace, keyword case and equivalent spellings
 * do; a different alias (another column name), filter or literal does not.
 *
 * The session's grant fingerprint is part of the key, so that users whose
 * grants differ never share an entry even if their plans were ever equal.
 *
 * The key is the SHA-256 (OpenSSL) of the fields, each written with its
 * length, so no two different plans have the same bytes; entries compare
 * digests only: a SHA-256 collision is not a practical concern.
 */
#ifndef MIMIR_PROXY_CACHE_CACHE_KEY_H
#define MIMIR_PROXY_CACHE_CACHE_KEY_H

#include "planner/plan.h"
#include "proxy/cache/result_cache.h"

void cache_key_of_plan(const plan *p, const char *grants_fingerprint, cache_key *out);

#endif
