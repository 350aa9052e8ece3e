/*
 * Grants for `mimir validate` (see validate_grants.h).
 */
#include "proxy/cli/validate_grants.h"

#include <stdio.h>
#include <stdlib.h>

#include "proxy/cli/check.h"
#include "proxy/config/server_config.h"
#include "semantic/grants.h"
#include "semantic/util.h"
#include "wire/xalloc.h"

/* The filtered SQL as the planner embeds it: up to its end, without a trailing comment. */
static char *embedded_sql(const source *s, const char *filter)
{
    const char *why;
    char *sql = grants_filtered_sql(s, filter, &why);
    if (!sql)
        return NULL; /* grants_check reported it */
    source_sql_shape sh;
    sql_shape_scan(sql, &sh);
    char *cut = xstrndup(sql, sh.sql_end);
    free(sql);
    return cut;
}

static void check_filter(const grants *g, const char *user, const row_filter *f, const catalog *cat,
                         char ***problems, size_t *n)
{
    const source *s = catalog_source(cat, f->source);
    if (!s || !s->conn)
        return;
    char *sql = embedded_sql(s, f->sql);
    if (!sql)
        return;
    char err[1024], text[2048];
    check_conn *cc = check_connect(s->conn, err, sizeof err);
    /* A connection that fails is reported once, with the sources, by the layer's checks. */
    if (cc && !check_query(cc, sql, NULL, 0, err, sizeof err)) {
        snprintf(text, sizeof text,
                 "%s:%d: user '%s': the row filter of source '%s': the database says: %s", g->file,
                 f->line, user, f->source, err);
        sem_strv_push(problems, n, xstrdup(text));
    }
    if (cc)
        check_close(cc);
    free(sql);
}

size_t validate_grants(const char *server_config, const catalog *cat, bool with_databases,
                       char ***problems, size_t *n_problems)
{
    size_t before = *n_problems;
    server_file f;
    char err[2048];
    if (!server_file_load(server_config, &f, err, sizeof err)) {
        sem_strv_push(problems, n_problems, xstrdup(err));
        return 1;
    }
    for (size_t i = 0; i < f.nusers; i++) {
        const grants *g = f.users[i].grants;
        if (!g)
            continue;
        grants_check(g, f.users[i].name, cat, problems, n_problems);
        for (size_t k = 0; with_databases && k < g->n_row_filters; k++)
            check_filter(g, f.users[i].name, &g->row_filters[k], cat, problems, n_problems);
    }
    server_file_free(&f);
    return *n_problems - before;
}
