/*
 * `mimir describe NAME [metric|dimension|source]`: everything the semantic
 * layer says about one definition: description, source, SQL, type, required
 * dimensions, where it is defined. Without a kind, every definition of that
 * name is shown (a source and a dimension may share one).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/inquiry.h"
#include "planner/mimir_tables.h"
#include "proxy/cli/cli.h"
#include "proxy/cli/output.h"
#include "semantic/time_metrics.h"
#include "semantic/util.h"
#include "wire/buf.h"
#include "wire/xalloc.h"

static const char cmd[] = "describe";

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mimir describe NAME [metric|dimension|source] [--configs DIR] [--format F]\n"
            "\n"
            "Shows a definition of the semantic layer in DIR (default: $MIMIR_CONFIGS, else\n"
            "the current directory): its description, source, SQL, type, required\n"
            "dimensions and, for a metric, how it aggregates (sum, count, min, max, avg,\n"
            "count_distinct, custom, derived). Secrets are not read.\n"
            "\n"
            "  --format F   table (default: one field per line), csv or json\n");
}

/* One definition as (field, value) pairs, in the order they are shown. */
typedef struct fields {
    char **names, **values;
    size_t n;
} fields;

static void field(fields *f, const char *name, const char *value)
{
    f->names = xrealloc(f->names, (f->n + 1) * sizeof *f->names);
    f->values = xrealloc(f->values, (f->n + 1) * sizeof *f->values);
    f->names[f->n] = xstrdup(name);
    f->values[f->n] = value ? xstrdup(value) : NULL;
    f->n++;
}

static void field_origin(fields *f, const origin *at)
{
    char where[1024];
    snprintf(where, sizeof where, "%s:%d:%d", at->file, at->line, at->column);
    field(f, "defined_at", where);
}

static void fields_free(fields *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->names[i]);
        free(f->values[i]);
    }
    free(f->names);
    free(f->values);
    memset(f, 0, sizeof *f);
}

/* The column of mimir.metrics that presents name: its type as clients see it. */
static const char *column_type_of(arena *a, const catalog *c, const char *name)
{
    mimir_table *tables;
    size_t n = mimir_tables(a, c, &tables);
    /* tables[0] is mimir.metrics, which holds every dimension and metric. */
    for (size_t i = 0; n > 0 && i < tables[0].ncols; i++)
        if (sem_name_eq(tables[0].cols[i].name, name))
            return tables[0].cols[i].type.text;
    return NULL;
}

static void type_field(fields *f, arena *a, const catalog *c, const char *name,
                       const char *declared)
{
    const char *type = column_type_of(a, c, name);
    char text[128];
    snprintf(text, sizeof text, "%s (%s)", type ? type : "?",
             declared ? "declared"
                      : "not declared: the server reports the database's type once known");
    field(f, "type", text);
}

/* Joins the sources a dimension is available on into b. */
static void sources_of(buf *b, const catalog *c, const char *dim)
{
    for (size_t i = 0; i < c->n_sources; i++)
        if (catalog_dim_on_source(c, &c->sources[i], dim, NULL) != DIM_NOT_ON_SOURCE)
            buf_printf(b, "%s%s", b->len ? ", " : "", c->sources[i].name);
}

/* How the metric aggregates, and what that means for computing it from finer groups. */
static void aggregation_field(fields *f, const metric *m)
{
    char text[256];
    snprintf(text, sizeof text, "%s (%s)", aggregation_name(m->aggregation),
             aggregation_meaning(m->aggregation));
    field(f, "aggregation", text);
}

/* A derived metric: its expression and the metrics it is computed from. */
static void describe_derived_metric(fields *f, const metric *m)
{
    field(f, "kind", "metric");
    field(f, "name", m->name);
    field(f, "description", m->description);
    field(f, "type", "derived (computed after the combine; DOUBLE)");
    field(f, "sql", m->expr);
    aggregation_field(f, m);
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < m->n_depends_on; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", m->depends_on[i]);
    field(f, "derived_from", buf_cstr(&b));
    buf_free(&b);
    field_origin(f, &m->at);
}

/* type: offset / type: cumulative: the base metric and the period keys. */
static void describe_time_metric(fields *f, const metric *m)
{
    char span[64], text[128];
    field(f, "kind", "metric");
    field(f, "name", m->name);
    field(f, "description", m->description);
    snprintf(text, sizeof text, "%s (computed from its base metric over other periods)",
             time_metric_kind_name(m->time_kind));
    field(f, "type", text);
    field(f, "metric", m->base_metric);
    if (m->offset.n)
        field(f, "offset", time_span_text(m->offset, span, sizeof span));
    if (m->window.n)
        field(f, "window", time_span_text(m->window, span, sizeof span));
    if (m->grain_to_date != CAL_PERIOD_NONE)
        field(f, "grain_to_date", calendar_period_name(m->grain_to_date));
    field_origin(f, &m->at);
}

/* The keys any metric may have: non_additive_time/per, fill_nulls_with, join_to_calendar. */
static void describe_time_keys(fields *f, const metric *m)
{
    if (m->non_additive != NON_ADDITIVE_NONE)
        field(f, "non_additive_time", non_additive_name(m->non_additive));
    if (m->n_non_additive_per) {
        buf b;
        buf_init(&b);
        for (size_t i = 0; i < m->n_non_additive_per; i++)
            buf_printf(&b, "%s%s", i ? ", " : "", m->non_additive_per[i]);
        field(f, "non_additive_per", buf_cstr(&b));
        buf_free(&b);
    }
    if (m->fill_nulls_with)
        field(f, "fill_nulls_with", m->fill_nulls_with);
    if (m->join_to_calendar)
        field(f, "join_to_calendar", "true");
}

static void describe_metric(fields *f, arena *a, const catalog *c, const metric *m)
{
    if (m->time_kind != TIME_METRIC_NONE) {
        describe_time_metric(f, m);
        describe_time_keys(f, m);
        return;
    }
    if (m->derived) {
        describe_derived_metric(f, m);
        return;
    }
    field(f, "kind", "metric");
    field(f, "name", m->name);
    field(f, "description", m->description);
    field(f, "source", m->source_name);
    field(f, "sql", m->expr);
    type_field(f, a, c, m->name, m->type);
    aggregation_field(f, m);
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < m->n_required_dimensions; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", m->required_dimensions[i]);
    field(f, "required_dimensions", buf_cstr(&b));
    buf_free(&b);
    describe_time_keys(f, m);
    field_origin(f, &m->at);
}

static void describe_dimension(fields *f, arena *a, const catalog *c, const dimension *d)
{
    field(f, "kind", "dimension");
    field(f, "name", d->name);
    field(f, "description", d->description);
    field(f, "source", d->source_name);
    buf b;
    buf_init(&b);
    sources_of(&b, c, d->name);
    field(f, "available_on", buf_cstr(&b));
    buf_free(&b);
    field(f, "sql", d->expr);
    type_field(f, a, c, d->name, d->type);
    field_origin(f, &d->at);
}

/* A dimension that is an output column of sources' SQL, not a definition. */
static void describe_column(fields *f, arena *a, const catalog *c, const char *name)
{
    field(f, "kind", "dimension");
    field(f, "name", name);
    field(f, "description", "a column of the sql of the sources below");
    buf b;
    buf_init(&b);
    sources_of(&b, c, name);
    field(f, "available_on", buf_cstr(&b));
    buf_free(&b);
    type_field(f, a, c, name, NULL);
}

static void describe_source(fields *f, const catalog *c, const source *s)
{
    field(f, "kind", "source");
    field(f, "name", s->name);
    field(f, "description", s->description);
    field(f, "connection", s->connection_name);
    field(f, "time_col", s->time_col);
    field(f, "time_col_alias", s->time_col_alias);
    if (s->cache_ttl_s > 0) { /* only when set: sources are not cached by default */
        char ttl[32];
        snprintf(ttl, sizeof ttl, "%u", s->cache_ttl_s);
        field(f, "cache_ttl", ttl);
    }
    field(f, "sql", s->sql);
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < s->n_local_columns; i++)
        if (!sem_name_eq(s->local_columns[i], s->time_col_alias))
            buf_printf(&b, "%s%s", b.len ? ", " : "", s->local_columns[i]);
    for (size_t i = 0; i < c->n_dimensions; i++)
        if (catalog_dim_on_source(c, s, c->dimensions[i].name, NULL) == DIM_SPLICED)
            buf_printf(&b, "%s%s", b.len ? ", " : "", c->dimensions[i].name);
    field(f, "dimensions", buf_cstr(&b));
    buf_reset(&b);
    for (size_t i = 0; i < c->n_metrics; i++)
        if (!c->metrics[i].derived && sem_name_eq(c->metrics[i].source_name, s->name))
            buf_printf(&b, "%s%s", b.len ? ", " : "", c->metrics[i].name);
    field(f, "metrics", buf_cstr(&b));
    if (s->n_rollups > 0) { /* only when declared (docs/rollups.md) */
        buf_reset(&b);
        for (size_t i = 0; i < s->n_rollups; i++)
            buf_printf(&b, "%s%s (%s)", i ? ", " : "", s->rollups[i].name, s->rollups[i].grain);
        field(f, "rollups", buf_cstr(&b));
    }
    buf_free(&b);
    field_origin(f, &s->at);
}

/* ---- output ---- */

/* "sql:" and the like, with multi-line values indented under their field. */
static void print_text(const fields *f)
{
    size_t width = 0;
    for (size_t i = 0; i < f->n; i++)
        if (strlen(f->names[i]) > width)
            width = strlen(f->names[i]);
    for (size_t i = 0; i < f->n; i++) {
        const char *v = f->values[i] ? f->values[i] : "";
        printf("%s:%*s ", f->names[i], (int)(width - strlen(f->names[i])), "");
        for (const char *c = v; *c; c++) {
            putchar(*c);
            if (*c == '\n' && c[1])
                printf("%*s", (int)width + 2, "");
        }
        putchar('\n');
    }
}

/* An array with one object per definition: null for an absent value. */
static void print_json(const fields *f, bool first)
{
    fputs(first ? "[\n  {" : ",\n  {", stdout);
    for (size_t i = 0; i < f->n; i++) {
        fputs(i ? ", " : "", stdout);
        out_json_string(stdout, f->names[i], strlen(f->names[i]));
        fputs(": ", stdout);
        if (f->values[i])
            out_json_string(stdout, f->values[i], strlen(f->values[i]));
        else
            fputs("null", stdout);
    }
    fputc('}', stdout);
}

/* ---- the command ---- */

static bool kind_wanted(const char *kind, const char *want)
{
    return !kind || strcmp(kind, want) == 0;
}

/* Fills found[] with one fields per definition called name. */
static size_t find(const catalog *c, arena *a, const char *name, const char *kind, fields *found)
{
    size_t n = 0;
    const metric *m = catalog_metric(c, name);
    if (m && kind_wanted(kind, "metric"))
        describe_metric(&found[n++], a, c, m);
    const dimension *d = catalog_dimension(c, name);
    if (kind_wanted(kind, "dimension")) {
        if (d)
            describe_dimension(&found[n++], a, c, d);
        else if (catalog_is_dimension(c, name))
            describe_column(&found[n++], a, c, name);
    }
    const source *s = catalog_source(c, name);
    if (s && kind_wanted(kind, "source"))
        describe_source(&found[n++], c, s);
    return n;
}

int cli_describe(int argc, char **argv)
{
    cli_project p = {.no_secrets = true};
    out_format format = OUT_TABLE;
    int parsed = cli_parse_catalog_options(cmd, usage, argc, argv, &p, &format);
    if (parsed >= 0)
        return parsed;
    if (optind == argc)
        return cli_usage_error(cmd, "which definition? give its name");
    if (argc - optind > 2)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 2]);
    const char *name = argv[optind];
    const char *kind = argc - optind == 2 ? argv[optind + 1] : NULL;
    if (kind && strcmp(kind, "metric") != 0 && strcmp(kind, "dimension") != 0 &&
        strcmp(kind, "source") != 0)
        return cli_usage_error(cmd, "'%s': the kind is metric, dimension or source", kind);
    cli_project_resolve(&p);
    catalog *c = cli_load_catalog(cmd, &p, false);
    if (!c) {
        cli_project_free(&p);
        return CLI_FINDING;
    }
    arena a;
    arena_init(&a);
    fields found[3] = {0};
    size_t n = find(c, &a, name, kind, found);
    int status = CLI_OK;
    if (n == 0)
        status = cli_fail(cmd, "no %s named '%s' in %s (see 'mimir list')",
                          kind ? kind : "metric, dimension or source", name, p.configs);
    static const char *const csv_names[] = {"field", "value"};
    out_writer csv;
    if (format == OUT_CSV && n > 0)
        out_begin(&csv, OUT_CSV, stdout, 2, csv_names, NULL);
    for (size_t i = 0; i < n; i++) {
        if (format == OUT_TABLE) {
            if (i)
                putchar('\n');
            print_text(&found[i]);
        } else if (format == OUT_JSON) {
            print_json(&found[i], i == 0);
        } else {
            for (size_t k = 0; k < found[i].n; k++) {
                const char *row[] = {found[i].names[k], found[i].values[k]};
                out_row(&csv, row, NULL);
            }
        }
        fields_free(&found[i]);
    }
    if (format == OUT_CSV && n > 0)
        out_end(&csv);
    if (format == OUT_JSON && n > 0)
        fputs("\n]\n", stdout);
    arena_free(&a);
    catalog_free(c);
    cli_project_free(&p);
    return status;
}
