#include "planner/catalog_sql.h"

#include <string.h>
#include <strings.h>

#include "planner/info_schema.h"
#include "planner/info_schema_functions.h"
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

/* Prints the arguments of a call of one of info_schema_functions.h's functions. */
static bool print_arguments(sql_builder *b, expr *const *args, size_t n, sql_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_str(b, ", ");
        if (!sb_expr(b, args[i], b->resolve, b->resolve_ctx, err))
            return false;
    }
    return true;
}

/*
 * @name := value and @name: the statement's user variables, held by the
 * information_schema connection's functions. SQLite evaluates a row's select
 * items left to right, so a later item reads what an earlier one assigned,
 * as in MySQL. The name travels as a parameter, like every client literal.
 */
static bool print_user_variable(sql_builder *b, const expr *e, sql_error *err)
{
    buf_printf(&b->out, "%s(", e->kind == EX_ASSIGN ? IS_FN_SET_VARIABLE : IS_FN_GET_VARIABLE);
    sb_param(b, PARAM_TEXT, e->text);
    if (e->kind == EX_ASSIGN) {
        sb_str(b, ", ");
        if (!sb_expr(b, e->left, b->resolve, b->resolve_ctx, err))
            return false;
    }
    sb_str(b, ")");
    return true;
}

/* x [NOT] LIKE p with BINARY on either side: SQLite's LIKE always ignores ASCII case. */
static bool print_like_binary(sql_builder *b, const expr *e, sql_error *err)
{
    expr *args[3] = {e->left, e->right, e->nargs ? e->args[0] : NULL};
    const expr *escape = args[2];
    if (escape && escape->kind == EX_LITERAL && escape->lit == LIT_STRING && escape->text_len > 1) {
        sql_error_set(err, ER_WRONG_ARGUMENTS, "HY000", "Incorrect arguments to ESCAPE");
        return false;
    }
    buf_printf(&b->out, "(%s%s(", e->negated ? "NOT " : "", IS_FN_LIKE_BINARY);
    if (!print_arguments(b, args, e->nargs ? 3 : 2, err))
        return false;
    sb_str(b, "))");
    return true;
}

/* Forms only the information_schema connection runs; *handled when e is one. */
static bool catalog_only_form(sql_builder *b, const expr *e, bool *handled, sql_error *err)
{
    *handled = true;
    if (e->kind == EX_ASSIGN || (e->kind == EX_VARIABLE && !e->system))
        return print_user_variable(b, e, err);
    if (e->kind == EX_LIKE && (sb_is_binary_cast(e->left) || sb_is_binary_cast(e->right)))
        return print_like_binary(b, e, err);
    if (e->kind == EX_FUNC && !strcasecmp(e->text, "char") && e->nargs && !e->distinct) {
        buf_printf(&b->out, "%s(", IS_FN_CHAR);
        if (!print_arguments(b, e->args, e->nargs, err))
            return false;
        sb_str(b, ")");
        return true;
    }
    *handled = false;
    return true;
}

bool catalog_session_value(void *session, sql_builder *b, const expr *e, bool *handled,
                           sql_error *err)
{
    const session_info *s = session;
    bool ok = catalog_only_form(b, e, handled, err);
    if (!ok || *handled)
        return ok;
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
    value_type type;
    const char *v = server_variable(s, e->text, &type);
    v = v ? arena_strdup(b->a, v) : NULL; /* its buffer is reused by the next */
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
