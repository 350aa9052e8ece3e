/* Placeholder until the catalog work lands: every SHOW and information_schema read is 1235. */
#include "planner/show.h"

#include "planner/sql_error.h"

void plan_show(arena *a, const session_info *s, const show_stmt *show, action *out)
{
    (void)a;
    (void)s;
    out->kind = ACTION_ERROR;
    sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                  "This version of Mimir doesn't yet support 'SHOW %s'", show->what);
}

void plan_information_schema(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    (void)a;
    (void)s;
    (void)sel;
    out->kind = ACTION_ERROR;
    sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                  "This version of Mimir doesn't yet support reading information_schema");
}
