#include "planner/derived_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/parser_internal.h"
#include "semantic/util.h"
#include "wire/xalloc.h"

const expr *derived_metric_expr(arena *a, const metric *m, sql_error *err)
{
    if (m->time_kind != TIME_METRIC_NONE || !m->expr) {
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support time metric '%s' here", m->name);
        return NULL;
    }
    parse_error pe;
    memset(&pe, 0, sizeof pe);
    parser p = {.a = a, .sql = m->expr, .sql_len = strlen(m->expr), .err = &pe};
    lex_sql(a, m->expr, p.sql_len, &p.toks);
    const expr *e = ps_cur(&p)->kind == TK_ERROR ? NULL : ps_expr(&p);
    if (e && ps_cur(&p)->kind == TK_EOF)
        return e;
    const char *near = ps_cur(&p)->kind == TK_ERROR ? ps_cur(&p)->text
                       : pe.near && *pe.near        ? pe.near
                       : ps_cur(&p)->kind == TK_EOF ? "the end"
                                                    : m->expr + ps_cur(&p)->offset;
    sql_error_set(err, ER_PARSE, "42000",
                  "derived metric '%s': sql '%s' is not an expression: syntax error near "
                  "'%.80s'%s%s",
                  m->name, m->expr, near, pe.detail ? ": " : "", pe.detail ? pe.detail : "");
    return NULL;
}

size_t derived_metrics_check(const catalog *c, char ***problems, size_t *n_problems)
{
    size_t found = 0;
    for (size_t i = 0; i < c->n_metrics; i++) {
        const metric *m = &c->metrics[i];
        if (!m->derived || m->time_kind != TIME_METRIC_NONE)
            continue; /* a time metric has no expression: its base was checked at load */
        arena a;
        arena_init(&a);
        sql_error err;
        if (!derived_metric_expr(&a, m, &err)) {
            char text[1400];
            sem_errf_at(text, sizeof text, m->at.file, m->at.line, m->at.column, "%s", err.message);
            sem_strv_push(problems, n_problems, xstrdup(text));
            found++;
        }
        arena_free(&a);
    }
    return found;
}

bool derived_metrics_valid(const catalog *c, char *err, size_t errlen)
{
    char **problems = NULL;
    size_t n = 0;
    if (derived_metrics_check(c, &problems, &n) == 0)
        return true;
    snprintf(err, errlen, "%s", problems[0]);
    sem_strv_free(problems, n);
    return false;
}
