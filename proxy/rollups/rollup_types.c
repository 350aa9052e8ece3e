/* The types rollup builds plan with: see rollup_types.h. */
#include "proxy/rollups/rollup_types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/arena.h"
#include "planner/type_probe.h"
#include "proxy/rollups/rollup_db.h"

/* The probe's name of a source's time column (planner/type_probe.h). */
#define TIME_COLUMN "ts"

discovered_types *rollup_types_copy(const discovered_types *from, const source *s)
{
    discovered_types *out = discovered_types_new();
    const column_type *t = from ? discovered_types_get(from, s->name, TIME_COLUMN) : NULL;
    if (t)
        discovered_types_set(out, s->name, TIME_COLUMN, t);
    return out;
}

bool rollup_types_known(const discovered_types *t, const source *s)
{
    return t && discovered_types_get(t, s->name, TIME_COLUMN);
}

bool rollup_types_learn(const catalog *cat, const source *s, discovered_types *into, char *err,
                        size_t errlen)
{
    if (!s->conn) {
        snprintf(err, errlen, "source '%s' has no connection (the secrets were not loaded)",
                 s->name);
        return false;
    }
    arena a;
    arena_init(&a);
    plan p;
    sql_error e;
    memset(&e, 0, sizeof e);
    memset(&p, 0, sizeof p);
    char why[1024] = "";
    result_column *cols = NULL;
    size_t ncols = 0;
    blocking_db *db = NULL;
    bool ok = type_probe_plan(&a, cat, s, TIME_COLUMN, &p, &e);
    if (!ok)
        snprintf(why, sizeof why, "%s", e.message);
    else if (!(db = rollup_db_connect_source(s->conn, why, sizeof why)))
        ok = false;
    else
        ok = blocking_db_describe(db, &p.queries[0], &cols, &ncols, why, sizeof why);
    if (ok &&
        (type_probe_record(cat, s, &p, cols, ncols, into) == 0 || !rollup_types_known(into, s))) {
        snprintf(why, sizeof why, "its database does not say (a column of NULLs only?)");
        ok = false;
    }
    if (!ok)
        snprintf(err, errlen, "the type of source '%s''s time column could not be learnt: %s",
                 s->name, why);
    free(cols);
    blocking_db_close(db);
    arena_free(&a);
    return ok;
}
