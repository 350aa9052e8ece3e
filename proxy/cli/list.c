/*
 * `mimir list sources|metrics|dimensions`: what the semantic layer defines,
 * one row per definition, as a table (or CSV/JSON for scripts). Dimensions
 * are every name a query may group by: the definitions and the output columns
 * of the sources' SQL, each with the sources it is available on.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/inquiry.h"
#include "proxy/cli/cli.h"
#include "proxy/cli/output.h"
#include "semantic/util.h"
#include "wire/buf.h"
#include "wire/xalloc.h"

static const char cmd[] = "list";

static void usage(FILE *out)
{
    fprintf(out, "usage: mimir list sources|metrics|dimensions [--configs DIR] [--format F]\n"
                 "\n"
                 "Lists the definitions of the semantic layer in DIR (default: $MIMIR_CONFIGS,\n"
                 "else the current directory). Secrets are not read.\n"
                 "\n"
                 "  --format F   table (default), csv or json\n");
}

static const char *text(const char *s)
{
    return s ? s : "";
}

static void list_sources(const catalog *c, out_writer *w, out_format f)
{
    static const char *const names[] = {"name", "connection", "time_col", "description"};
    out_begin(w, f, stdout, 4, names, NULL);
    for (size_t i = 0; i < c->n_sources; i++) {
        const source *s = &c->sources[i];
        const char *row[] = {s->name, s->connection_name, s->time_col, text(s->description)};
        out_row(w, row, NULL);
    }
}

static void list_metrics(const catalog *c, out_writer *w, out_format f)
{
    static const char *const names[] = {"name", "source", "description"};
    out_begin(w, f, stdout, 3, names, NULL);
    for (size_t i = 0; i < c->n_metrics; i++) {
        const metric *m = &c->metrics[i];
        /* A derived metric has no source of its own: it combines other metrics. */
        const char *computed = m->time_kind == TIME_METRIC_OFFSET       ? "(offset)"
                               : m->time_kind == TIME_METRIC_CUMULATIVE ? "(cumulative)"
                                                                        : "(derived)";
        const char *row[] = {m->name, m->derived ? computed : m->source_name, text(m->description)};
        out_row(w, row, NULL);
    }
}

/* "rentals, payments": the sources a dimension can be grouped by on. */
static char *sources_of(const catalog *c, const char *dim)
{
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < c->n_sources; i++)
        if (catalog_dim_on_source(c, &c->sources[i], dim, NULL) != DIM_NOT_ON_SOURCE)
            buf_printf(&b, "%s%s", b.len ? ", " : "", c->sources[i].name);
    char *out = xstrdup(buf_cstr(&b));
    buf_free(&b);
    return out;
}

static bool listed(char **seen, size_t n, const char *name)
{
    return sem_strv_find(seen, n, name) >= 0;
}

static void list_dimensions(const catalog *c, out_writer *w, out_format f)
{
    static const char *const names[] = {"name", "sources", "description"};
    out_begin(w, f, stdout, 3, names, NULL);
    char **seen = NULL;
    size_t nseen = 0;
    for (size_t i = 0; i < c->n_dimensions; i++) {
        const dimension *d = &c->dimensions[i];
        char *sources = sources_of(c, d->name);
        const char *row[] = {d->name, sources, text(d->description)};
        out_row(w, row, NULL);
        free(sources);
        sem_strv_push(&seen, &nseen, xstrdup(d->name));
    }
    for (size_t i = 0; i < c->n_sources; i++) {
        const source *s = &c->sources[i];
        for (size_t j = 0; j < s->n_local_columns; j++) {
            const char *col = s->local_columns[j];
            time_grain g;
            const char *canonical;
            if (listed(seen, nseen, col) || sem_name_eq(col, s->time_col_alias) ||
                catalog_time_grain_of(c, col, &g, &canonical))
                continue;
            char *sources = sources_of(c, col);
            const char *row[] = {col, sources, "(a column of the source's sql)"};
            out_row(w, row, NULL);
            free(sources);
            sem_strv_push(&seen, &nseen, xstrdup(col));
        }
    }
    sem_strv_free(seen, nseen);
}

int cli_list(int argc, char **argv)
{
    cli_project p = {.no_secrets = true};
    out_format format = OUT_TABLE;
    int parsed = cli_parse_catalog_options(cmd, usage, argc, argv, &p, &format);
    if (parsed >= 0)
        return parsed;
    if (optind == argc)
        return cli_usage_error(cmd, "what should be listed: sources, metrics or dimensions?");
    if (optind < argc - 1)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
    const char *what = argv[optind];
    void (*lister)(const catalog *, out_writer *, out_format) = NULL;
    if (strcmp(what, "sources") == 0 || strcmp(what, "source") == 0)
        lister = list_sources;
    else if (strcmp(what, "metrics") == 0 || strcmp(what, "metric") == 0)
        lister = list_metrics;
    else if (strcmp(what, "dimensions") == 0 || strcmp(what, "dimension") == 0)
        lister = list_dimensions;
    else
        return cli_usage_error(cmd, "'%s': list sources, metrics or dimensions", what);
    cli_project_resolve(&p);
    catalog *c = cli_load_catalog(cmd, &p, false);
    if (!c) {
        cli_project_free(&p);
        return CLI_FINDING;
    }
    out_writer w;
    lister(c, &w, format);
    out_end(&w);
    catalog_free(c);
    cli_project_free(&p);
    return CLI_OK;
}
