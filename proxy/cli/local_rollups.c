#include "proxy/cli/local_rollups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/rollup_plan.h"
#include "proxy/rollups/rollup_build.h"
#include "proxy/rollups/rollup_types.h"
#include "wire/xalloc.h"

/* Was r built with the definition in force? Its hash plans r's query with the types of
 * s's time column, which a calendar zone needs and the command may have to ask for. */
static bool same_definition(const catalog *cat, const source *s, const rollup *r,
                            const discovered_types *types, const rollup_state *st)
{
    char hash[32], err[1024];
    discovered_types *own = NULL;
    if (!rollup_types_known(types, s) && rollup_zone_needs_types(cat)) {
        own = discovered_types_new();
        if (!rollup_types_learn(cat, s, own, err, sizeof err)) {
            discovered_types_free(own);
            return false;
        }
        types = own;
    }
    bool same = rollup_definition_hash(cat, s, r, types, hash, err, sizeof err) &&
                strcmp(hash, st->definition_hash) == 0;
    discovered_types_free(own);
    return same;
}

rollup_ready *local_rollups_ready(const catalog *cat, const discovered_types *types, size_t *n)
{
    size_t count = 0;
    for (size_t i = 0; i < cat->n_sources; i++)
        count += cat->sources[i].n_rollups;
    rollup_ready *out = xcalloc(count + 1, sizeof *out);
    *n = 0;
    for (size_t i = 0; i < cat->n_sources; i++) {
        const source *s = &cat->sources[i];
        for (size_t j = 0; j < s->n_rollups; j++) {
            const rollup *r = &s->rollups[j];
            rollup_state st;
            char err[1024];
            if (!rollup_state_read(cat, s, r, &st, err, sizeof err) || !st.found ||
                !st.watermark[0] || !same_definition(cat, s, r, types, &st))
                continue;
            rollup_ready *ready = &out[(*n)++];
            ready->name = r->name;
            snprintf(ready->watermark, sizeof ready->watermark, "%s", st.watermark);
            snprintf(ready->refreshed_at, sizeof ready->refreshed_at, "%s", st.last_refresh_at);
            ready->rows = st.rows;
        }
    }
    return out;
}
