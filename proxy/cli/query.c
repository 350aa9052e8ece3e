/*
 * `mimir query -m METRIC... [-d DIM...] [-g GRAIN] [--start-date D]
 * [--end-date D] [-f FILTER] [-o ORDER] [--limit N] [--dry-run]
 * [--format F] [--host HOST[:PORT]]`.
 *
 * The options become one SELECT on mimir.metrics (planner/query_text.c),
 * which goes through the same planner as any client's query. Without --host
 * it runs inside this process (local_exec.h), with the server's own pools,
 * execution and combine and no socket; with --host, on a running server. --dry-run prints what
 * would run: the SQL of each atomic query with its parameters, and the combine's SQL, from the
 * planner's EXPLAIN.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <mysql.h>

#include "planner/info_schema.h"
#include "planner/planner.h"
#include "planner/query_text.h"
#include "planner/time_zone.h"
#include "proxy/cli/cli.h"
#include "proxy/cli/local_exec.h"
#include "proxy/cli/output.h"
#include "proxy/cli/remote.h"
#include "proxy/cli/remote_http.h"
#include "semantic/util.h"
#include "wire/xalloc.h"

static const char cmd[] = "query";

static void usage(FILE *out)
{
    fprintf(out, "usage: mimir query -m METRIC... [-d DIMENSION...] [-g GRANULARITY]\n"
                 "                   [--start-date YYYY-MM-DD] [--end-date YYYY-MM-DD]\n"
                 "                   [-f FILTER...] [-o ORDER...] [--limit N] [--dry-run]\n"
                 "                   [--format table|csv|json]\n"
                 "                   [--configs DIR] [--secrets DIR | --no-secrets]\n"
                 "                   [--host HOST[:PORT] [--user NAME]]\n"
                 "\n"
                 "Runs an inquiry: metrics by dimensions, over a time range. Without --host it\n"
                 "runs here, on the semantic layer in DIR, with the server's planner and\n"
                 "executors; with --host, on a running Mimir server (password from\n"
                 "$MIMIR_PASSWORD).\n"
                 "\n"
                 "  -m, --metric M        a metric (repeat, or separate with commas)\n"
                 "  -d, --dimension D     a dimension to group by (repeat, or commas)\n"
                 "  -g, --granularity G   TIME (ts), SECOND (ts_second), MINUTE (ts_minute),\n"
                 "                        HOUR (ts_hour), DAY or DATE (ds), WEEK (week, from\n"
                 "                        Monday, or Sunday by calendar.yaml), MONTH\n"
                 "                        (year_month), QUARTER (quarter), YEAR (year), and\n"
                 "                        with calendar.yaml's fiscal_year_start_month\n"
                 "                        FISCAL_YEAR, FISCAL_QUARTER\n"
                 "      --start-date D    first day, inclusive\n"
                 "      --end-date D      last day, inclusive\n"
                 "  -f, --filter F        a condition in MySQL syntax, e.g. \"dim = 'Action'\"\n"
                 "                        (repeat: conditions are ANDed)\n"
                 "  -o, --order O         an ORDER BY item, e.g. \"movies_rented DESC\" (repeat)\n"
                 "      --limit N         at most N rows\n"
                 "      --dry-run         print the SQL each database would run, and the\n"
                 "                        combine's, without running anything\n"
                 "      --format F        table (default), csv or json\n"
                 "      --configs DIR     the project (default: $MIMIR_CONFIGS, else .)\n"
                 "      --secrets DIR     its secrets (default: $MIMIR_SECRETS, else DIR/secrets)\n"
                 "      --no-secrets      with --dry-run: plan without secrets (PostgreSQL SQL)\n"
                 "      --host H[:P]      query the Mimir server at H (port P, default 3306)\n"
                 "      --host URL        http://HOST:PORT or https://...: through the server's\n"
                 "                        HTTP API (docs/http.md)\n"
                 "      --user NAME       user for --host (default: mimir)\n"
                 "      --cacert FILE     with an https:// --host: verify the server with the CA\n"
                 "                        certificates in FILE (default: the system's)\n"
                 "\n"
                 "Exit status: 0 ok, 1 the query failed, 2 wrong command line.\n");
}

typedef struct query_options {
    cli_project project;
    const char **metrics, **dimensions, **filters, **order;
    size_t nmetrics, ndimensions, nfilters, norder;
    const char *granularity, *start_date, *end_date, *host, *user, *cacert;
    long long limit;
    bool dry_run;
    out_format format;
} query_options;

static void push(const char ***v, size_t *n, const char *s)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = s;
}

/* -m a,b,c: names never hold commas, so a list may be written in one option. */
static void push_names(const char ***v, size_t *n, char *arg)
{
    char *save = NULL;
    bool any = false;
    for (char *name = strtok_r(arg, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        while (*name == ' ')
            name++;
        size_t len = strlen(name);
        while (len > 0 && name[len - 1] == ' ')
            name[--len] = '\0';
        push(v, n, name);
        any = true;
    }
    if (!any)
        push(v, n, "");
}

static void options_free(query_options *o)
{
    free(o->metrics);
    free(o->dimensions);
    free(o->filters);
    free(o->order);
    cli_project_free(&o->project);
}

enum {
    OPT_START = 256,
    OPT_END,
    OPT_LIMIT,
    OPT_DRY_RUN,
    OPT_FORMAT,
    OPT_CONFIGS,
    OPT_SECRETS,
    OPT_NO_SECRETS,
    OPT_HOST,
    OPT_USER,
    OPT_CACERT,
    OPT_HELP
};

/* CLI_OK when the options are usable, else the status to exit with. */
static int parse_options(int argc, char **argv, query_options *o)
{
    static const struct option opts[] = {{"metric", required_argument, NULL, 'm'},
                                         {"dimension", required_argument, NULL, 'd'},
                                         {"granularity", required_argument, NULL, 'g'},
                                         {"filter", required_argument, NULL, 'f'},
                                         {"order", required_argument, NULL, 'o'},
                                         {"start-date", required_argument, NULL, OPT_START},
                                         {"end-date", required_argument, NULL, OPT_END},
                                         {"limit", required_argument, NULL, OPT_LIMIT},
                                         {"dry-run", no_argument, NULL, OPT_DRY_RUN},
                                         {"format", required_argument, NULL, OPT_FORMAT},
                                         {"configs", required_argument, NULL, OPT_CONFIGS},
                                         {"secrets", required_argument, NULL, OPT_SECRETS},
                                         {"no-secrets", no_argument, NULL, OPT_NO_SECRETS},
                                         {"host", required_argument, NULL, OPT_HOST},
                                         {"user", required_argument, NULL, OPT_USER},
                                         {"cacert", required_argument, NULL, OPT_CACERT},
                                         {"help", no_argument, NULL, OPT_HELP},
                                         {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "m:d:g:f:o:", opts, NULL)) != -1) {
        switch (opt) {
        case 'm':
            push_names(&o->metrics, &o->nmetrics, optarg);
            break;
        case 'd':
            push_names(&o->dimensions, &o->ndimensions, optarg);
            break;
        case 'g':
            o->granularity = optarg;
            break;
        case 'f':
            push(&o->filters, &o->nfilters, optarg);
            break;
        case 'o':
            push(&o->order, &o->norder, optarg);
            break;
        case OPT_START:
            o->start_date = optarg;
            break;
        case OPT_END:
            o->end_date = optarg;
            break;
        case OPT_LIMIT: {
            char *end;
            errno = 0;
            o->limit = strtoll(optarg, &end, 10);
            if (errno || *end || end == optarg || o->limit < 0)
                return cli_usage_error(cmd, "--limit: '%s' is not a number of rows", optarg);
            break;
        }
        case OPT_DRY_RUN:
            o->dry_run = true;
            break;
        case OPT_FORMAT:
            if (!out_format_parse(optarg, &o->format))
                return cli_usage_error(cmd, "--format: '%s' is not table, csv or json", optarg);
            break;
        case OPT_CONFIGS:
            o->project.configs = optarg;
            break;
        case OPT_SECRETS:
            o->project.secrets_option = optarg;
            break;
        case OPT_NO_SECRETS:
            o->project.no_secrets = true;
            break;
        case OPT_HOST:
            o->host = optarg;
            break;
        case OPT_USER:
            o->user = optarg;
            break;
        case OPT_CACERT:
            o->cacert = optarg;
            break;
        case OPT_HELP:
            usage(stdout);
            return -1;
        default:
            return cli_usage_error(cmd, "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (o->project.no_secrets && o->project.secrets_option)
        return cli_usage_error(cmd, "--secrets and --no-secrets exclude each other");
    if (o->project.no_secrets && !o->dry_run && !o->host)
        return cli_usage_error(cmd, "--no-secrets only plans (with --dry-run): running a "
                                    "query needs the secrets");
    if (o->host && (o->project.configs || o->project.secrets_option || o->project.no_secrets))
        return cli_usage_error(cmd, "with --host, the server's semantic layer answers: "
                                    "--configs and --secrets do not apply");
    if (o->user && !o->host)
        return cli_usage_error(cmd, "--user applies to --host");
    if (o->cacert && !(o->host && strncasecmp(o->host, "https://", 8) == 0))
        return cli_usage_error(cmd, "--cacert applies to an https:// --host");
    return CLI_OK;
}

/* ---- --dry-run ---- */

/* EXPLAIN's columns: step, source, connection, dialect, sql, parameters. */
enum { EXPLAIN_COLS = 6 };

static void print_plan_sql(const char *sql, const char *const *rows, size_t nrows)
{
    printf("-- the inquiry, as a query on mimir.metrics:\n%s;\n", sql);
    for (size_t r = 0; r < nrows; r++) {
        const char *const *v = rows + r * EXPLAIN_COLS;
        putchar('\n');
        if (v[1])
            printf("-- step %s: source %s, on connection %s (%s)\n", v[0], v[1],
                   v[2] ? v[2] : "(no secrets)", v[3] ? v[3] : "?");
        else
            printf("-- step %s: %s, over the results of the steps above (%s)\n", v[0],
                   v[2] ? v[2] : "combine", v[3] ? v[3] : "?");
        printf("-- parameters: %s\n%s;\n", v[5] ? v[5] : "[]", v[4] ? v[4] : "");
    }
}

static void print_plan(const query_options *o, const char *sql, const char *const *rows,
                       size_t nrows)
{
    if (o->format == OUT_TABLE) {
        print_plan_sql(sql, rows, nrows);
        return;
    }
    static const char *const names[EXPLAIN_COLS] = {"step",    "source", "connection",
                                                    "dialect", "sql",    "parameters"};
    static const bool numeric[EXPLAIN_COLS] = {true};
    out_writer w;
    out_begin(&w, o->format, stdout, EXPLAIN_COLS, names, numeric);
    for (size_t r = 0; r < nrows; r++)
        out_row(&w, rows + r * EXPLAIN_COLS, NULL);
    out_end(&w);
}

/* What EXPLAIN answered: the plan printed, or the error; the command's status. */
typedef struct explained {
    const query_options *o;
    const char *sql;
    int status;
} explained;

static void print_explained(void *ctx, const action *act)
{
    explained *e = ctx;
    if (act->kind == ACTION_ROWS && act->rows.ncols == EXPLAIN_COLS)
        print_plan(e->o, e->sql, act->rows.values, act->rows.nrows);
    else if (act->kind == ACTION_ERROR)
        e->status = cli_fail(cmd, "ERROR %u (%s): %s", act->error.code, act->error.sqlstate,
                             act->error.message);
    else
        e->status = cli_fail(cmd, "the planner did not return a plan");
}

/*
 * With the secrets, the plan is made as the run would make it: the sources' types learnt
 * and the rollups found built (local_exec_plan). Without, only from the YAML: no type
 * is known, so no rollup is read.
 */
static int dry_run_local(const query_options *o, const char *sql)
{
    catalog *c = cli_load_catalog(cmd, &o->project, !o->project.no_secrets);
    if (!c)
        return CLI_FINDING;
    arena a;
    arena_init(&a);
    char *explain = arena_printf(&a, "EXPLAIN %s", sql);
    explained e = {.o = o, .sql = sql, .status = CLI_OK};
    if (!o->project.no_secrets) {
        if (!local_exec_plan(c, o->project.configs, o->project.secrets, explain, cmd,
                             print_explained, &e))
            e.status = CLI_FINDING;
        arena_free(&a);
        return e.status;
    }
    char err[1024];
    info_schema *is = info_schema_build(c, err, sizeof err);
    if (!is) {
        arena_free(&a);
        catalog_free(c);
        return cli_fail(cmd, "cannot build information_schema: %s", err);
    }
    session_info s = {.cat = c,
                      .info_schema = is,
                      .db = MIMIR_DATABASE,
                      .user = "mimir",
                      .client_host = "localhost",
                      .autocommit = true};
    /* The session's zone as a server opens one: the calendar's, else UTC. */
    if (!c->cal.time_zone || !time_zone_parse(c->cal.time_zone, &s.tz))
        time_zone_default(&s.tz);
    action act;
    memset(&act, 0, sizeof(act));
    planner_plan(&a, &s, explain, strlen(explain), &act);
    print_explained(&e, &act);
    arena_free(&a);
    info_schema_free(is);
    catalog_free(c);
    return e.status;
}

static int dry_run_remote(const query_options *o, remote *r, const char *sql)
{
    size_t ncols, nrows;
    char **rows;
    char *explain = xmalloc(strlen(sql) + sizeof "EXPLAIN ");
    sprintf(explain, "EXPLAIN %s", sql);
    bool ok = remote_fetch(r, explain, &ncols, &rows, &nrows, cmd);
    free(explain);
    if (!ok)
        return CLI_FINDING;
    int status = CLI_OK;
    if (ncols == EXPLAIN_COLS)
        print_plan(o, sql, (const char *const *)rows, nrows);
    else
        status = cli_fail(cmd, "the server's EXPLAIN has %zu columns, not %d", ncols, EXPLAIN_COLS);
    remote_rows_free(rows, ncols * nrows);
    return status;
}

/* ---- running ---- */

static int run_remote(const query_options *o, const char *sql)
{
    remote_target t = {.user = o->user ? o->user : "mimir", .password = getenv("MIMIR_PASSWORD")};
    char err[512];
    if (!remote_target_parse(o->host, &t, err, sizeof err))
        return cli_usage_error(cmd, "%s", err);
    remote *r = remote_connect(&t, cmd);
    if (!r)
        return CLI_FINDING;
    int status;
    if (o->dry_run)
        status = dry_run_remote(o, r, sql);
    else
        status = remote_print(r, sql, o->format, cmd) ? CLI_OK : CLI_FINDING;
    remote_close(r);
    return status;
}

/* ---- over the HTTP API ---- */

static json_t *names_json(const char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* The prototype's inquiry, as POST /v1/query takes it. */
static char *inquiry_json(const query_options *o)
{
    json_t *q = json_object();
    json_object_set_new(q, "metrics", names_json(o->metrics, o->nmetrics));
    json_object_set_new(q, "dimensions", names_json(o->dimensions, o->ndimensions));
    json_object_set_new(q, "filters", names_json(o->filters, o->nfilters));
    json_object_set_new(q, "order_by", names_json(o->order, o->norder));
    if (o->granularity)
        json_object_set_new(q, "granularity", json_string(o->granularity));
    if (o->start_date)
        json_object_set_new(q, "start_date", json_string(o->start_date));
    if (o->end_date)
        json_object_set_new(q, "end_date", json_string(o->end_date));
    if (o->limit >= 0)
        json_object_set_new(q, "limit", json_integer(o->limit));
    char *text = json_dumps(q, JSON_COMPACT);
    json_decref(q);
    return text;
}

static int run_remote_http(const query_options *o, const char *sql)
{
    char *base = xstrdup(o->host);
    size_t len = strlen(base);
    while (len && base[len - 1] == '/')
        base[--len] = '\0';
    remote_http_target t = {.base_url = base,
                            .user = o->user ? o->user : "mimir",
                            .password = getenv("MIMIR_PASSWORD"),
                            .cacert = o->cacert};
    char *body = inquiry_json(o);
    remote_http_result r;
    int status = CLI_FINDING;
    if (remote_http_post(&t, o->dry_run ? "/v1/explain" : "/v1/query", body, &r, cmd)) {
        status = CLI_OK;
        if (o->dry_run && r.ncols != EXPLAIN_COLS) {
            status = cli_fail(cmd, "the server's EXPLAIN has %zu columns, not %d", r.ncols,
                              EXPLAIN_COLS);
        } else if (o->dry_run) {
            print_plan(o, sql, (const char *const *)r.cells, r.nrows);
        } else {
            out_writer w;
            out_begin(&w, o->format, stdout, r.ncols, (const char *const *)r.names, r.numeric);
            for (size_t i = 0; i < r.nrows; i++)
                out_row(&w, (const char *const *)r.cells + i * r.ncols, NULL);
            out_end(&w);
        }
        remote_http_result_free(&r);
    }
    free(body);
    free(base);
    return status;
}

static int run_local(const query_options *o, const char *sql)
{
    catalog *c = cli_load_catalog(cmd, &o->project, true);
    if (!c)
        return CLI_FINDING;
    return local_exec_print(c, o->project.configs, o->project.secrets, sql, o->format, cmd)
               ? CLI_OK
               : CLI_FINDING;
}

int cli_query(int argc, char **argv)
{
    query_options o = {.limit = -1, .format = OUT_TABLE};
    int status = parse_options(argc, argv, &o);
    if (status != CLI_OK) {
        options_free(&o);
        return status < 0 ? CLI_OK : status;
    }
    if (!o.host)
        cli_project_resolve(&o.project);
    query_request r = {.metrics = o.metrics,
                       .nmetrics = o.nmetrics,
                       .dimensions = o.dimensions,
                       .ndimensions = o.ndimensions,
                       .granularity = o.granularity,
                       .start_date = o.start_date,
                       .end_date = o.end_date,
                       .filters = o.filters,
                       .nfilters = o.nfilters,
                       .order = o.order,
                       .norder = o.norder,
                       .limit = o.limit};
    arena a;
    arena_init(&a);
    char err[1024];
    const char *sql = query_request_sql(&a, &r, err, sizeof err);
    if (!sql)
        status = cli_usage_error(cmd, "%s", err);
    else if (mysql_library_init(0, NULL, NULL) != 0)
        status = cli_fail(cmd, "cannot initialise libmariadb");
    else if (o.host && remote_http_url(o.host))
        status = run_remote_http(&o, sql);
    else if (o.host)
        status = run_remote(&o, sql);
    else if (o.dry_run)
        status = dry_run_local(&o, sql);
    else
        status = run_local(&o, sql);
    mysql_library_end();
    arena_free(&a);
    options_free(&o);
    return status;
}
