/*
 * Building and refreshing one rollup (docs/rollups.md): blocking, for a worker
 * thread or the command line. A full build the first time and whenever the
 * definition hash changed; otherwise a refresh of the periods from
 * min(old watermark, now - update_window) up to the new watermark. Under a
 * database lock (pg_try_advisory_lock, GET_LOCK, SQLite's write lock on the
 * rollups file): when another server holds it, the outcome is ROLLUP_BUSY and
 * nothing is done. Atomic: a full build fills NAME__new and swaps it in; a
 * refresh deletes and re-inserts its periods in one transaction.
 */
#ifndef MIMIR_PROXY_ROLLUPS_ROLLUP_BUILD_H
#define MIMIR_PROXY_ROLLUPS_ROLLUP_BUILD_H

#include <stdbool.h>
#include <time.h>

#include "planner/rollup_plan.h"
#include "semantic/catalog.h"

/* ROLLUP_FRESH: ROLLUP_BUILD_IF_DUE found it built with this definition and refreshed
 * less than refresh_every ago (by this server or another): nothing was done. */
typedef enum { ROLLUP_DONE, ROLLUP_FRESH, ROLLUP_BUSY, ROLLUP_FAILED } rollup_outcome;

typedef enum {
    ROLLUP_BUILD_AUTO,   /* full when not built or the definition changed, else a refresh */
    ROLLUP_BUILD_FULL,   /* full whatever the state says */
    ROLLUP_BUILD_IF_DUE, /* AUTO, unless the state is fresh (ROLLUP_FRESH) */
} rollup_build_mode;

typedef struct rollup_result {
    rollup_outcome outcome;
    bool full;      /* a full build (else a refresh of its update window) */
    long long rows; /* rows in the rollup after it (ROLLUP_FRESH: as the state says) */
    double seconds;
    char watermark[ROLLUP_TIME_LEN];
    char refreshed_at[ROLLUP_TIME_LEN]; /* DONE, FRESH: its last build or refresh, UTC */
    long due_in_s;                      /* ROLLUP_FRESH: seconds until its next refresh is due */
    char error[600];
} rollup_result;

/* Progress lines ("rollup NAME: ..."), from the thread that builds. */
typedef void (*rollup_progress_fn)(void *ctx, const char *line);

/* Builds or refreshes r (of source s) as of now, as mode says. types: what is known of
 * s's columns (the server's discovered types, or rollup_types_learn's), of which the
 * plan reads the time column's (planner/rollup_plan.h); read only while it runs. */
void rollup_build(const catalog *cat, const source *s, const rollup *r,
                  const discovered_types *types, rollup_build_mode mode, time_t now,
                  rollup_progress_fn progress, void *ctx, rollup_result *out);

/* A rollup's row of the state table. */
typedef struct rollup_state {
    bool found;
    char definition_hash[32];
    char last_refresh_at[ROLLUP_TIME_LEN]; /* UTC */
    char watermark[ROLLUP_TIME_LEN];       /* the rollup zone's wall clock */
    long long rows;
    char status[16];
    char error[600];
} rollup_state;

/* Reads r's state from its storage. False with err set when the database cannot be
 * read (a storage without a state table has no state: found false). */
bool rollup_state_read(const catalog *cat, const source *s, const rollup *r, rollup_state *st,
                       char *err, size_t errlen);

/* r's definition hash as the state table holds it (16 hex digits); false with err
 * set when the rollup's query does not plan. */
bool rollup_definition_hash(const catalog *cat, const source *s, const rollup *r,
                            const discovered_types *types, char out[32], char *err, size_t errlen);

#endif
