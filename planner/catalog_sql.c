#include "planner/catalog_sql.h"

#include <string.h>
#include <strings.h>

#include "planner/info_schema.h"
#include "planner/session_query.h"

/* Session functions whose value the planner knows; anything else goes to sb_function. */
static const char *session_function(const session_info *s, arena *a, const expr *e,
                                    param_kind *kind, bool *known)
{
    const char *f = e->text;
    *known = true;
    *kind = PARAM_TEXT;
    if (e->nargs == 0 && (!strcasecmp(f, "database") || !strcasecmp(f, "schema")))
        return s->db;
    if (e->nargs == 0 && (!strcasecmp(f, "user") || !strcasecmp(f, "session_user") ||
                          !strcasecmp(f, "system_user") || !strcasecmp(f, "current_user")))
        return arena_printf(a, "%s@%s", s->user ? s->user : "",
                            s->client_host ? s->client_host : "localhost");
    if (e->nargs == 0 && !strcasecmp(f, "version"))
        return MIMIR_SERVER_VERSION;
    *kind = PARAM_INT;
    if (e->nargs == 0 && !strcasecmp(f, "connection_id"))
        return arena_printf(a, "%u", s->connection_id);
    if (e->nargs == 0 && (!strcasecmp(f, "last_insert_id") || !strcasecmp(f, "found_rows") ||
                          !strcasecmp(f, "row_count")))
        return "0";
    *known = false;
    return NULL;
}

static void print_value(sql_builder *b, param_kind kind, const char *value)
{
    if (value)
        sb_param(b, kind, value);
    else
        sb_str(b, "NULL");
}

bool catalog_session_value(void *session, sql_builder *b, const expr *e, bool *handled,
                           sql_error *err)
{
    const session_info *s = session;
    *handled = false;
    if (e->kind == EX_FUNC) {
        param_kind kind;
        const char *v = session_function(s, b->a, e, &kind, handled);
        if (*handled)
            print_value(b, kind, v);
        return true;
    }
    if (e->kind != EX_VARIABLE)
        return true;
    *handled = true;
    if (!e->system) {
        sb_str(b, "NULL"); /* user variables are never set in Mimir */
        return true;
    }
    value_type type;
    const char *v = server_variable(s, e->text, &type);
    if (!v) {
        sql_error_set(err, ER_UNKNOWN_SYSTEM_VAR, "HY000", "Unknown system variable '%s'", e->text);
        return false;
    }
    print_value(b, type == VT_INT64 ? PARAM_INT : PARAM_TEXT, v);
    return true;
}

void catalog_builder_init(sql_builder *b, arena *a, const session_info *s)
{
    sb_init(b, a, DIALECT_SQLITE);
    b->subst = catalog_session_value;
    b->subst_ctx = (void *)s;
    b->allow_aggregates = true;
}

bool catalog_available(const session_info *s, action *out)
{
    if (s->info_schema)
        return true;
    out->kind = ACTION_ERROR;
    sql_error_set(&out->error, ER_UNKNOWN_ERROR, "HY000",
                  "information_schema is not available in this session");
    return false;
}

void catalog_run(arena *a, const session_info *s, sql_builder *b, const char *const *names,
                 action *out)
{
    query_param *params;
    size_t nparams;
    const char *sql = sb_finish(b, &params, &nparams);
    if (!info_schema_run(s->info_schema, a, sql, params, nparams, &out->rows, &out->error)) {
        out->kind = ACTION_ERROR;
        return;
    }
    if (names)
        for (size_t i = 0; i < out->rows.ncols; i++)
            out->rows.cols[i].name = names[i];
    out->kind = ACTION_ROWS;
}
