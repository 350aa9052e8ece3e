/*
 * `mimir validate`: every problem of a project in one pass, each as
 * "FILE:LINE:COLUMN: message", for people and for CI.
 *
 * First the semantic layer itself (semantic/loader.c collects every problem
 * instead of stopping at the first): YAML syntax, missing keys, unknown
 * source_name, duplicates, metric SQL that is not one aggregate expression,
 * dimensions that are not on their source, source SQL that does not scan,
 * time_col not in the source SQL, secrets (unsupported connection_class or
 * flavour, missing files, unset environment variables). Then, with secrets,
 * the databases: every source, every dimension spliced into each source it is
 * available on, and every metric, planned as the server would plan them and
 * run with LIMIT 0, so the database's own errors (unknown tables, columns,
 * functions) point at the definition to fix.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "planner/derived_metrics.h"
#include "planner/info_schema.h"
#include "planner/planner.h"
#include "planner/query_text.h"
#include "planner/rollup_plan.h"
#include "proxy/cli/check.h"
#include "proxy/cli/cli.h"
#include "proxy/cli/validate_grants.h"
#include "proxy/rollups/rollup_types.h"
#include "semantic/util.h"
#include "wire/xalloc.h"

static const char cmd[] = "validate";

static void usage(FILE *out)
{
    fprintf(out, "usage: mimir validate [--configs DIR] [--secrets DIR | --no-secrets]\n"
                 "                      [--server-config FILE]\n"
                 "\n"
                 "Checks the semantic layer in DIR and prints every problem as\n"
                 "FILE:LINE:COLUMN: message. With secrets (the default), also connects to every\n"
                 "database and runs each source, dimension and metric with LIMIT 0, so that the\n"
                 "database's own errors point at the definition to fix.\n"
                 "\n"
                 "  --configs DIR   the project: sources/, metrics/, dimensions/ (default:\n"
                 "                  $MIMIR_CONFIGS, else the current directory)\n"
                 "  --secrets DIR   one <connection_name>.json per connection (default:\n"
                 "                  $MIMIR_SECRETS, else DIR/secrets)\n"
                 "  --no-secrets    check the definitions only: no secrets, no databases\n"
                 "  --server-config FILE  also check the users' grants in FILE against the\n"
                 "                  layer (and, with databases, run each row filter)\n"
                 "\n"
                 "Exit status: 0 valid, 1 problems found, 2 wrong command line.\n");
}

typedef struct validation {
    catalog *cat;
    char **problems;
    size_t n_problems;
    size_t offline_problems; /* found before the databases were asked */
    info_schema *is;
} validation;

static void add_problem(validation *v, const origin *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_problem(validation *v, const origin *at, const char *fmt, ...)
{
    char msg[2048], text[2600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sem_errf_at(text, sizeof text, at->file, at->line, at->column, "%s", msg);
    sem_strv_push(&v->problems, &v->n_problems, xstrdup(text));
}

/* ---- the databases ---- */

/*
 * Plans sql (a query on mimir tables) as the server would and returns its one
 * atomic query, or NULL: a plan that does not come out of a definition that
 * loaded cleanly is reported, unless earlier problems explain it.
 */
static const atomic_query *plan_one(validation *v, arena *a, const char *sql, const origin *at,
                                    const char *what)
{
    session_info s = {.cat = v->cat,
                      .info_schema = v->is,
                      .db = MIMIR_DATABASE,
                      .user = "mimir",
                      .client_host = "localhost",
                      .autocommit = true};
    action act;
    memset(&act, 0, sizeof(act));
    planner_plan(a, &s, sql, strlen(sql), &act);
    if (act.kind == ACTION_QUERY && act.plan->nqueries == 1)
        return &act.plan->queries[0];
    if (v->offline_problems == 0)
        add_problem(v, at, "%s: cannot be planned: %s", what,
                    act.kind == ACTION_ERROR ? act.error.message : "not a single query");
    return NULL;
}

static bool run_check(validation *v, check_conn *cc, const atomic_query *q, const origin *at,
                      const char *what)
{
    char err[1024];
    if (check_query(cc, q->sql, q->params, q->nparams, err, sizeof err))
        return true;
    add_problem(v, at, "%s: the database says: %s", what, err);
    return false;
}

/* Each rollup's build query, planned as a server plans it, with LIMIT 0. */
static void check_rollups(validation *v, check_conn *cc, const source *src)
{
    for (size_t i = 0; i < src->n_rollups; i++) {
        const rollup *r = &src->rollups[i];
        arena a;
        arena_init(&a);
        rollup_sql q;
        sql_error e;
        memset(&e, 0, sizeof e);
        char err[1024];
        discovered_types *types = discovered_types_new();
        if (rollup_zone_needs_types(v->cat) &&
            !rollup_types_learn(v->cat, src, types, err, sizeof err)) {
            add_problem(v, &r->at, "source '%s': rollup '%s': %s", src->name, r->name, err);
        } else if (!rollup_plan(&a, v->cat, src, r, types, NULL, NULL, &q, &e)) {
            if (v->offline_problems == 0)
                add_problem(v, &r->at, "source '%s': rollup '%s': cannot be planned: %s", src->name,
                            r->name, e.message);
        } else if (!check_query(cc, q.sql, q.params, q.nparams, err, sizeof err)) {
            add_problem(v, &r->at, "source '%s': rollup '%s': the database says: %s", src->name,
                        r->name, err);
        }
        discovered_types_free(types);
        arena_free(&a);
    }
}

/* The raw source, then each dimension spliced into it, then its metrics and rollups. */
static void check_source(validation *v, check_conn *cc, const source *src)
{
    char what[512], err[1024];
    snprintf(what, sizeof what, "source '%s' (connection '%s')", src->name, src->connection_name);
    /* The SQL as the planner embeds it: up to its end, without a trailing comment. */
    char *sql = xstrndup(src->sql, src->shape.sql_end);
    bool ok = check_query(cc, sql, NULL, 0, err, sizeof err);
    free(sql);
    if (!ok) {
        add_problem(v, &src->at, "%s: the database says: %s", what, err);
        return; /* everything else on it would fail the same way */
    }
    for (size_t i = 0; i < v->cat->n_dimensions; i++) {
        const dimension *d = &v->cat->dimensions[i];
        if (catalog_dim_on_source(v->cat, src, d->name, NULL) != DIM_SPLICED)
            continue;
        arena a;
        arena_init(&a);
        snprintf(what, sizeof what, "dimension '%s' on source '%s'", d->name, src->name);
        char *q = arena_printf(&a, "SELECT %s FROM mimir.%s GROUP BY 1",
                               query_quoted_name(&a, d->name), query_quoted_name(&a, src->name));
        const atomic_query *aq = plan_one(v, &a, q, &d->at, what);
        if (aq)
            run_check(v, cc, aq, &d->at, what);
        arena_free(&a);
    }
    for (size_t i = 0; i < v->cat->n_metrics; i++) {
        const metric *m = &v->cat->metrics[i];
        if (m->derived || !sem_name_eq(m->source_name, src->name))
            continue;
        arena a;
        arena_init(&a);
        snprintf(what, sizeof what, "metric '%s'", m->name);
        char *q =
            arena_printf(&a, "SELECT AGG(%s) FROM mimir.metrics", query_quoted_name(&a, m->name));
        const atomic_query *aq = plan_one(v, &a, q, &m->at, what);
        if (aq)
            run_check(v, cc, aq, &m->at, what);
        arena_free(&a);
    }
    check_rollups(v, cc, src);
}

static void check_connection(validation *v, const connection *conn)
{
    const source *first = NULL;
    char others[512] = "";
    for (size_t i = 0; i < v->cat->n_sources; i++) {
        const source *s = &v->cat->sources[i];
        if (s->conn != conn)
            continue;
        if (!first)
            first = s;
        else if (strlen(others) + strlen(s->name) + 3 < sizeof others)
            snprintf(others + strlen(others), sizeof others - strlen(others), "%s%s",
                     *others ? ", " : "", s->name);
    }
    if (!first)
        return;
    char err[1024];
    check_conn *cc = check_connect(conn, err, sizeof err);
    if (!cc) {
        add_problem(v, &first->at, "source '%s': cannot connect to '%s' (%s)%s%s%s: %s",
                    first->name, conn->name, conn->file, *others ? " (also used by " : "", others,
                    *others ? ")" : "", err);
        return;
    }
    for (size_t i = 0; i < v->cat->n_sources; i++) {
        const source *s = &v->cat->sources[i];
        if (s->conn == conn)
            check_source(v, cc, s);
    }
    check_close(cc);
}

static void check_databases(validation *v)
{
    char err[1024];
    v->is = info_schema_build(v->cat, err, sizeof err);
    if (!v->is) {
        origin at = {.file = v->cat->configs_dir};
        add_problem(v, &at, "cannot build the catalog's information_schema: %s", err);
        return;
    }
    for (size_t i = 0; i < v->cat->n_connections; i++)
        check_connection(v, &v->cat->connections[i]);
    info_schema_free(v->is);
    v->is = NULL;
}

void cli_validate_databases(catalog *cat, char ***problems, size_t *n_problems)
{
    validation v = {.cat = cat,
                    .problems = *problems,
                    .n_problems = *n_problems,
                    .offline_problems = *n_problems};
    check_databases(&v);
    *problems = v.problems;
    *n_problems = v.n_problems;
}

/* ---- the command ---- */

int cli_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"configs", required_argument, NULL, 'c'}, {"secrets", required_argument, NULL, 's'},
        {"no-secrets", no_argument, NULL, 'n'},    {"server-config", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'H'},          {NULL, 0, NULL, 0}};
    cli_project p = {0};
    const char *server_config = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            p.configs = optarg;
            break;
        case 's':
            p.secrets_option = optarg;
            break;
        case 'n':
            p.no_secrets = true;
            break;
        case 'f':
            server_config = optarg;
            break;
        case 'H':
            usage(stdout);
            return CLI_OK;
        default:
            return cli_usage_error(cmd, "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (p.no_secrets && p.secrets_option)
        return cli_usage_error(cmd, "--secrets and --no-secrets exclude each other");
    cli_project_resolve(&p);

    validation v = {0};
    /* A project without secrets/ is most likely checked where the databases are
     * not reachable: say how to check it, rather than just that it is missing. */
    struct stat st;
    bool no_default_secrets = p.secrets && p.secrets_defaulted && stat(p.secrets, &st) != 0;
    v.cat = catalog_validate(p.configs, no_default_secrets ? NULL : p.secrets, &v.problems,
                             &v.n_problems);
    if (no_default_secrets && stat(p.configs, &st) == 0) {
        origin at = {.file = p.secrets};
        add_problem(&v, &at,
                    "no secrets directory: give --secrets DIR, or --no-secrets to check the "
                    "definitions without connecting to the databases");
    }
    /* Derived metrics' expressions, parsed as the planner will parse them. */
    derived_metrics_check(v.cat, &v.problems, &v.n_problems);
    v.offline_problems = v.n_problems;
    bool databases = p.secrets && !no_default_secrets && v.cat->n_connections > 0;
    if (databases)
        cli_validate_databases(v.cat, &v.problems, &v.n_problems);
    if (server_config)
        validate_grants(server_config, v.cat, databases && v.n_problems == 0, &v.problems,
                        &v.n_problems);

    for (size_t i = 0; i < v.n_problems; i++)
        printf("%s\n", v.problems[i]);
    int status = CLI_OK;
    if (v.n_problems == 0) {
        printf("%zu source%s, %zu metric%s, %zu dimension%s: valid\n", v.cat->n_sources,
               v.cat->n_sources == 1 ? "" : "s", v.cat->n_metrics, v.cat->n_metrics == 1 ? "" : "s",
               v.cat->n_dimensions, v.cat->n_dimensions == 1 ? "" : "s");
    } else {
        fflush(stdout);
        fprintf(stderr, "mimir validate: %zu problem%s in %s\n", v.n_problems,
                v.n_problems == 1 ? "" : "s", p.configs);
        status = CLI_FINDING;
    }
    sem_strv_free(v.problems, v.n_problems);
    catalog_free(v.cat);
    cli_project_free(&p);
    return status;
}
