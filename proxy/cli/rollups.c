/*
 * `mimir rollups list|status|build NAME`: the rollups of the semantic layer
 * (docs/rollups.md). list shows the definitions (no database is read);
 * status reads each rollup's row of the state table in its storage database;
 * build builds or refreshes one rollup now, in the foreground, printing its
 * progress, under the same database lock a server takes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proxy/cli/cli.h"
#include "proxy/cli/output.h"
#include "proxy/rollups/rollup_build.h"
#include "proxy/rollups/rollup_types.h"
#include "wire/buf.h"
#include "wire/xalloc.h"

static const char cmd[] = "rollups";

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mimir rollups list [--configs DIR] [--format F]\n"
            "       mimir rollups status [--configs DIR] [--secrets DIR] [--format F]\n"
            "       mimir rollups build NAME [--full] [--configs DIR] [--secrets DIR]\n"
            "\n"
            "list    the rollups the sources declare (no database is read)\n"
            "status  each rollup's state, read from the state table in its storage database:\n"
            "        built or not, rows, last refresh (UTC), watermark, and whether it is stale\n"
            "        (its definition changed, or its last refresh is older than refresh_every)\n"
            "build   builds NAME now (a full build the first time or when its definition\n"
            "        changed, else a refresh of its update_window; --full: a full build)\n"
            "\n"
            "  --format F   table (default), csv or json\n");
}

typedef struct opts {
    cli_project p;
    out_format format;
    bool full;
} opts;

static int parse(int argc, char **argv, opts *o)
{
    static const struct option longopts[] = {
        {"configs", required_argument, NULL, 'c'}, {"secrets", required_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},  {"full", no_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'H'},          {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            o->p.configs = optarg;
            break;
        case 's':
            o->p.secrets_option = optarg;
            break;
        case 'f':
            if (!out_format_parse(optarg, &o->format))
                return cli_usage_error(cmd, "--format: '%s' is not table, csv or json", optarg);
            break;
        case 'F':
            o->full = true;
            break;
        case 'H':
            usage(stdout);
            return CLI_OK;
        default:
            return cli_usage_error(cmd, "unknown option");
        }
    }
    return -1;
}

static char *join(char **v, size_t n)
{
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", v[i]);
    char *out = xstrdup(buf_cstr(&b));
    buf_free(&b);
    return out;
}

static int list(const catalog *c, out_format f)
{
    static const char *const names[] = {
        "name",    "source", "grain", "dimensions", "metrics", "refresh_every_s", "update_window_s",
        "storage", "lambda"};
    out_writer w;
    out_begin(&w, f, stdout, 9, names, NULL);
    for (size_t i = 0; i < c->n_sources; i++)
        for (size_t j = 0; j < c->sources[i].n_rollups; j++) {
            const source *s = &c->sources[i];
            const rollup *r = &s->rollups[j];
            char every[32], window[32];
            snprintf(every, sizeof every, "%ld", r->refresh_every_s);
            snprintf(window, sizeof window, "%ld", r->update_window_s);
            char *dims = join(r->dimensions, r->n_dimensions);
            char *metrics = join(r->metrics, r->n_metrics);
            const char *row[] = {r->name,
                                 s->name,
                                 r->grain,
                                 dims,
                                 metrics,
                                 every,
                                 window,
                                 r->storage ? r->storage : s->connection_name,
                                 r->lambda ? "true" : "false"};
            out_row(&w, row, NULL);
            free(dims);
            free(metrics);
        }
    out_end(&w);
    return CLI_OK;
}

/* Stale: not built, its definition changed, or its last refresh is older than
 * refresh_every allows (twice, for a refresh that is running). */
static const char *staleness(const rollup *r, const rollup_state *st, const char *hash)
{
    if (!st->found || !st->watermark[0])
        return "yes (not built)";
    if (strcmp(st->definition_hash, hash) != 0)
        return "yes (definition changed)";
    struct tm tm = {0};
    if (!strptime(st->last_refresh_at, "%Y-%m-%d %H:%M:%S", &tm))
        return "unknown";
    if (time(NULL) - timegm(&tm) > 2 * r->refresh_every_s)
        return "yes (refresh overdue)";
    return "no";
}

/*
 * What a build of a rollup of s plans with: in a calendar zone other than UTC, the
 * type of s's time column, asked of its database (no server discovered it); NULL
 * with the reason in err when it cannot be learnt.
 */
static discovered_types *build_types(const catalog *c, const source *s, char *err, size_t errlen)
{
    discovered_types *t = discovered_types_new();
    if (rollup_zone_needs_types(c) && !rollup_types_learn(c, s, t, err, errlen)) {
        discovered_types_free(t);
        return NULL;
    }
    return t;
}

static void status_row(const catalog *c, const source *s, const rollup *r, out_writer *w,
                       int *status)
{
    rollup_state st;
    char err[1024], hash[32] = "", rows[32] = "";
    bool ok = rollup_state_read(c, s, r, &st, err, sizeof err);
    discovered_types *types = ok ? build_types(c, s, err, sizeof err) : NULL;
    if (ok && (!types || !rollup_definition_hash(c, s, r, types, hash, err, sizeof err)))
        ok = false;
    discovered_types_free(types);
    if (!ok) {
        const char *row[] = {r->name, "unknown", "", "", "", "", err};
        out_row(w, row, NULL);
        *status = CLI_FINDING;
        return;
    }
    if (st.found)
        snprintf(rows, sizeof rows, "%lld", st.rows);
    const char *row[] = {r->name,
                         st.found && st.watermark[0] ? "yes" : "no",
                         rows,
                         st.last_refresh_at,
                         st.watermark,
                         staleness(r, &st, hash),
                         st.found && strcmp(st.status, "failed") == 0 ? st.error : ""};
    out_row(w, row, NULL);
}

static int status(const catalog *c, out_format f)
{
    static const char *const names[] = {"name",      "built", "rows", "last_refresh_utc",
                                        "watermark", "stale", "error"};
    out_writer w;
    out_begin(&w, f, stdout, 7, names, NULL);
    int rc = CLI_OK;
    for (size_t i = 0; i < c->n_sources; i++)
        for (size_t j = 0; j < c->sources[i].n_rollups; j++)
            status_row(c, &c->sources[i], &c->sources[i].rollups[j], &w, &rc);
    out_end(&w);
    return rc;
}

static void print_progress(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
    fflush(stdout);
}

static int build(const catalog *c, const char *name, bool full)
{
    const source *s;
    const rollup *r = catalog_rollup(c, name, &s);
    if (!r)
        return cli_fail(cmd, "no rollup named '%s' (mimir rollups list shows them)", name);
    char err[1024];
    discovered_types *types = build_types(c, s, err, sizeof err);
    if (!types)
        return cli_fail(cmd, "rollup %s: %s; it cannot be built in the calendar's time zone '%s'",
                        r->name, err, rollup_zone_text(c));
    rollup_result res;
    rollup_build(c, s, r, types, full ? ROLLUP_BUILD_FULL : ROLLUP_BUILD_AUTO, time(NULL),
                 print_progress, NULL, &res);
    discovered_types_free(types);
    if (res.outcome == ROLLUP_BUSY)
        return cli_fail(cmd, "rollup %s: another server is building it now", r->name);
    if (res.outcome == ROLLUP_FAILED)
        return cli_fail(cmd, "rollup %s: %s", r->name, res.error);
    printf("rollup %s: %s %lld rows in %.3f s (watermark %s)\n", r->name,
           res.full ? "built" : "refreshed", res.rows, res.seconds, res.watermark);
    return CLI_OK;
}

int cli_rollups(int argc, char **argv)
{
    opts o = {.format = OUT_TABLE};
    int parsed = parse(argc, argv, &o);
    if (parsed >= 0)
        return parsed;
    if (optind == argc)
        return cli_usage_error(cmd, "what should be done: list, status or build NAME?");
    const char *what = argv[optind];
    bool is_build = strcmp(what, "build") == 0;
    if (strcmp(what, "list") != 0 && strcmp(what, "status") != 0 && !is_build)
        return cli_usage_error(cmd, "'%s': list, status or build NAME", what);
    if (is_build && optind + 1 >= argc)
        return cli_usage_error(cmd, "build: which rollup? (mimir rollups build NAME)");
    if (optind + (is_build ? 2 : 1) < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + (is_build ? 2 : 1)]);
    bool list_only = strcmp(what, "list") == 0;
    o.p.no_secrets = list_only;
    cli_project_resolve(&o.p);
    catalog *c = cli_load_catalog(cmd, &o.p, !list_only);
    int rc = CLI_FINDING;
    if (c)
        rc = list_only  ? list(c, o.format)
             : is_build ? build(c, argv[optind + 1], o.full)
                        : status(c, o.format);
    catalog_free(c);
    cli_project_free(&o.p);
    return rc;
}
