/*
 * Sessions' views of the semantic layer (see access.h).
 */
#include "proxy/server_access.h"

#include <stdlib.h>
#include <string.h>

#include "planner/info_schema.h"
#include "proxy/log.h"
#include "proxy/rollups/rollup_sched.h"
#include "proxy/server.h"
#include "proxy/type_discovery.h"
#include "semantic/catalog_view.h"
#include "semantic/grants.h"
#include "wire/xalloc.h"

typedef struct access_view {
    const grants *key; /* NULL: the empty view of a user no longer configured */
    catalog *cat;
    info_schema *is; /* NULL until needed (again, after new column types) */
    struct access_view *next;
} access_view;

/* The configured user of that name; NULL when users are configured and it is not one. */
static const server_user *current_user(const char *user, bool *known)
{
    *known = srv.nusers == 0;
    for (size_t i = 0; user && i < srv.nusers; i++)
        if (strcmp(srv.users[i].name, user) == 0) {
            *known = true;
            return &srv.users[i];
        }
    return NULL;
}

static access_view *find_or_build_view(const grants *key)
{
    catalog_gen *gen = srv.gen;
    for (access_view *v = gen->views; v; v = v->next)
        if (v->key == key)
            return v;
    access_view *v = xcalloc(1, sizeof(*v));
    v->key = key;
    v->cat = key ? catalog_view_build(gen->cat, key) : catalog_view_empty(gen->cat);
    v->next = gen->views;
    gen->views = v;
    return v;
}

/* The view's information_schema; built (with the column types learnt so far) when missing. */
static info_schema *view_info_schema(access_view *v)
{
    if (v->is)
        return v->is;
    char err[1024];
    v->is = info_schema_build_typed(v->cat, type_discovery_types(), err, sizeof(err));
    if (!v->is) {
        /* Out of memory in SQLite, in practice: the empty view's schema is no fallback
         * either, so stop rather than show more than the user may see. */
        log_error("cannot build a restricted information_schema: %s", err);
        abort();
    }
    return v->is;
}

void access_session_catalog(const char *user, const catalog **cat, info_schema **is)
{
    bool known;
    const server_user *u = current_user(user, &known);
    if (known && (!u || !u->grants)) {
        *cat = srv.cat;
        *is = srv.info_schema;
        return;
    }
    access_view *v = find_or_build_view(u ? u->grants : NULL);
    *cat = v->cat;
    *is = view_info_schema(v);
}

bool access_restricted(const char *user)
{
    bool known;
    const server_user *u = current_user(user, &known);
    return !known || (u && u->grants);
}

const char *access_grants_fingerprint(const char *user)
{
    bool known;
    const server_user *u = current_user(user, &known);
    if (!known)
        return "(no such user)"; /* sees the empty view */
    return u && u->grants ? u->grants->fingerprint : "";
}

bool access_check_grants(const server_user *users, size_t n, const catalog *cat, bool strict)
{
    char **problems = NULL;
    size_t n_problems = 0;
    for (size_t i = 0; i < n; i++)
        if (users[i].grants)
            grants_check(users[i].grants, users[i].name, cat, &problems, &n_problems);
    for (size_t i = 0; i < n_problems; i++) {
        if (strict)
            log_error("%s", problems[i]);
        else
            log_warn("%s (ignored: the user does not see it)", problems[i]);
        free(problems[i]);
    }
    free(problems);
    return !strict || n_problems == 0;
}

void access_views_free(access_view *views)
{
    while (views) {
        access_view *v = views;
        views = v->next;
        info_schema_free(v->is);
        catalog_view_free(v->cat);
        free(v);
    }
}

void access_views_retype(void)
{
    for (access_view *v = srv.gen ? srv.gen->views : NULL; v; v = v->next) {
        server_retire_info_schema(v->is); /* a running statement may still plan with it */
        v->is = NULL;
    }
}

time_zone access_default_time_zone(void)
{
    time_zone tz;
    /* The calendar's zone was checked when the catalog loaded; a zone file that
     * vanished since (or one planner/tz_database.c cannot read) falls back. */
    if (srv.cat && srv.cat->cal.time_zone && time_zone_parse(srv.cat->cal.time_zone, &tz))
        return tz;
    return srv.cfg.default_time_zone;
}

session_info access_session_info(const char *user, const char *client_host)
{
    session_info s = {.user = user,
                      .client_host = client_host,
                      .max_semijoin_values = srv.cfg.max_semijoin_values,
                      .tz = access_default_time_zone(),
                      .types = type_discovery_types()};
    access_session_catalog(user, &s.cat, &s.info_schema);
    s.rollups = rollup_sched_ready(&s.nrollups);
    return s;
}
