/*
 * Grants of one user (see grants.h): parsing the 'grants' mapping of the
 * server configuration, checking its names against a catalog, and splicing
 * a row filter into a source's SQL. Strict like the rest of the server
 * configuration: an unknown key or a malformed filter is an error at FILE:LINE.
 */
#include "semantic/grants.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantic/sql_scan.h"
#include "semantic/util.h"
#include "wire/xalloc.h"

typedef struct grants_loader {
    const char *file, *user;
    char *err;
    size_t errlen;
} grants_loader;

static bool fail(grants_loader *l, const ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail(grants_loader *l, const ynode *at, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(l->err, l->errlen, "%s:%d: user '%s': %s", l->file, at->line, l->user, msg);
    return false;
}

/* A list of names ("[a, b]" or a block sequence), duplicates refused. */
static bool load_names(grants_loader *l, const ynode *seq, const char *key, grant_name **out,
                       size_t *n)
{
    if (seq->kind != YNODE_SEQUENCE)
        return fail(l, seq, "grants '%s' must be a list of names, not %s", key,
                    ynode_kind_name(seq));
    *out = xcalloc(seq->n_items + 1, sizeof(**out));
    for (size_t i = 0; i < seq->n_items; i++) {
        const char *name = ynode_text(seq->items[i]);
        if (!name || !name[0])
            return fail(l, seq->items[i], "grants '%s' must list names, not %s", key,
                        ynode_kind_name(seq->items[i]));
        if (grants_lists(*out, *n, name))
            return fail(l, seq->items[i], "grants '%s' lists '%s' twice", key, name);
        (*out)[*n] = (grant_name){.name = xstrdup(name), .line = seq->items[i]->line};
        (*n)++;
    }
    return true;
}

static bool load_row_filters(grants_loader *l, const ynode *map, grants *g)
{
    if (map->kind != YNODE_MAPPING)
        return fail(l, map, "grants 'row_filters' must map source names to SQL conditions, not %s",
                    ynode_kind_name(map));
    g->row_filters = xcalloc(ymap_size(map) + 1, sizeof(*g->row_filters));
    for (size_t i = 0; i < ymap_size(map); i++) {
        const ynode *k = ymap_key(map, i), *v = ymap_value(map, i);
        const char *source = ynode_text(k), *sql = ynode_text(v);
        if (!source || !source[0])
            return fail(l, k, "grants 'row_filters' keys must be source names");
        if (grants_row_filter(g, source))
            return fail(l, k, "grants 'row_filters' has two filters for source '%s'", source);
        if (!sql)
            return fail(l, v, "the row filter of source '%s' must be a SQL condition, not %s",
                        source, ynode_kind_name(v));
        const char *why = NULL;
        if (!sql_row_filter_check(sql, &why))
            return fail(l, v, "the row filter of source '%s' %s", source, why);
        g->row_filters[g->n_row_filters++] =
            (row_filter){.source = xstrdup(source), .sql = xstrdup(sql), .line = v->line};
    }
    return true;
}

/* Appends "<length>:<text>" so that no two lists of names print alike. */
static void fp_append(char **fp, size_t *len, const char *text)
{
    size_t n = strlen(text);
    char head[32];
    int h = snprintf(head, sizeof head, "%zu:", n);
    *fp = xrealloc(*fp, *len + (size_t)h + n + 1);
    memcpy(*fp + *len, head, (size_t)h);
    memcpy(*fp + *len + h, text, n + 1);
    *len += (size_t)h + n;
}

/*
 * Everything that decides what the user sees, as one string: the result cache
 * keys answers with it (row filters also end up in the plan's SQL, hidden
 * metrics fail planning; this keeps two users apart even so).
 */
static char *fingerprint_of(const grants *g)
{
    char *fp = xstrdup("");
    size_t len = 0;
    fp_append(&fp, &len, g->all_sources ? "sources:*" : "sources:");
    for (size_t i = 0; i < g->n_sources; i++)
        fp_append(&fp, &len, g->sources[i].name);
    fp_append(&fp, &len, g->all_metrics ? "metrics:*" : "metrics:");
    for (size_t i = 0; i < g->n_metrics; i++)
        fp_append(&fp, &len, g->metrics[i].name);
    fp_append(&fp, &len, "row_filters:");
    for (size_t i = 0; i < g->n_row_filters; i++) {
        fp_append(&fp, &len, g->row_filters[i].source);
        fp_append(&fp, &len, g->row_filters[i].sql);
    }
    return fp;
}

grants *grants_load(const char *file, const char *user, const ynode *map, char *err, size_t errlen)
{
    grants_loader l = {.file = file, .user = user, .err = err, .errlen = errlen};
    if (map->kind != YNODE_MAPPING) {
        fail(&l, map, "'grants' must be a mapping (sources, metrics, row_filters), not %s",
             ynode_kind_name(map));
        return NULL;
    }
    static const char *const keys[] = {"sources", "metrics", "row_filters", NULL};
    char list[128];
    const ynode *unknown = ymap_unknown_key(map, keys, list, sizeof list);
    if (unknown) {
        const char *name = ynode_text(unknown);
        fail(&l, unknown, "unknown key '%s' in grants (expected one of: %s)", name ? name : "?",
             list);
        return NULL;
    }
    grants *g = xcalloc(1, sizeof(*g));
    g->file = xstrdup(file);
    const ynode *sources = ymap_get(map, "sources"), *metrics = ymap_get(map, "metrics"),
                *filters = ymap_get(map, "row_filters");
    g->all_sources = ynode_is_null(sources);
    g->all_metrics = ynode_is_null(metrics);
    bool ok = (g->all_sources || load_names(&l, sources, "sources", &g->sources, &g->n_sources)) &&
              (g->all_metrics || load_names(&l, metrics, "metrics", &g->metrics, &g->n_metrics)) &&
              (ynode_is_null(filters) || load_row_filters(&l, filters, g));
    if (!ok) {
        grants_free(g);
        return NULL;
    }
    g->fingerprint = fingerprint_of(g);
    return g;
}

void grants_free(grants *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n_sources; i++)
        free(g->sources[i].name);
    for (size_t i = 0; i < g->n_metrics; i++)
        free(g->metrics[i].name);
    for (size_t i = 0; i < g->n_row_filters; i++) {
        free(g->row_filters[i].source);
        free(g->row_filters[i].sql);
    }
    free(g->sources);
    free(g->metrics);
    free(g->row_filters);
    free(g->fingerprint);
    free(g->file);
    free(g);
}

bool grants_lists(const grant_name *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (sem_name_eq(v[i].name, name))
            return true;
    return false;
}

const row_filter *grants_row_filter(const grants *g, const char *source)
{
    for (size_t i = 0; i < g->n_row_filters; i++)
        if (sem_name_eq(g->row_filters[i].source, source))
            return &g->row_filters[i];
    return NULL;
}

char *grants_filtered_sql(const source *s, const char *filter, const char **why)
{
    const source_sql_shape *sh = &s->shape;
    const char *sql = s->sql;
    /* What follows the WHERE condition (GROUP BY ..., a comment) starts with a blank,
     * since the condition ends at its last token; add one only when it does not. */
    const char *rest = sql + sh->where_end;
    const char *gap = rest[0] && !isspace((unsigned char)rest[0]) ? " " : "";
    size_t n = strlen(sql) + strlen(filter) + 32;
    char *out = xmalloc(n);
    if (sh->has_where) {
        size_t cond = sh->where_begin;
        while (cond < sh->where_end && isspace((unsigned char)sql[cond]))
            cond++;
        snprintf(out, n, "%.*s (%s) AND (%.*s)%s%s", (int)sh->where_begin, sql, filter,
                 (int)(sh->where_end - cond), sql + cond, gap, rest);
    } else {
        snprintf(out, n, "%.*s WHERE (%s)%s%s", (int)sh->where_begin, sql, filter, gap, rest);
    }
    source_sql_shape check;
    if (!sql_shape_scan_why(out, &check, why)) {
        free(out);
        return NULL;
    }
    return out;
}

static void add_problem(char ***problems, size_t *n, const grants *g, int line, const char *user,
                        const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void add_problem(char ***problems, size_t *n, const grants *g, int line, const char *user,
                        const char *fmt, ...)
{
    char msg[512], full[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "%s:%d: user '%s': %s", g->file, line, user, msg);
    sem_strv_push(problems, n, xstrdup(full));
}

/*
 * A derived metric is visible only with all its base metrics (see
 * grants_metric_visible): granting it alone would silently grant nothing.
 */
static void check_derived_grant(const grants *g, const char *user, const catalog *cat,
                                const metric *m, int line, char ***problems, size_t *n_problems)
{
    size_t cap = cat->n_metrics ? cat->n_metrics : 1;
    const metric **bases = xcalloc(cap, sizeof(*bases));
    size_t n = catalog_metric_bases(cat, m, bases, cap);
    for (size_t i = 0; i < n; i++) {
        const metric *b = bases[i];
        if (!g->all_metrics && !grants_lists(g->metrics, g->n_metrics, b->name))
            add_problem(problems, n_problems, g, line, user,
                        "grants derived metric '%s', but not its base metric '%s' (add it to "
                        "'metrics')",
                        m->name, b->name);
        else if (!g->all_sources && b->source_name &&
                 !grants_lists(g->sources, g->n_sources, b->source_name))
            add_problem(problems, n_problems, g, line, user,
                        "grants derived metric '%s', but not the source '%s' of its base metric "
                        "'%s' (add it to 'sources')",
                        m->name, b->source_name, b->name);
    }
    free(bases);
}

size_t grants_check(const grants *g, const char *user, const catalog *cat, char ***problems,
                    size_t *n_problems)
{
    size_t before = *n_problems;
    for (size_t i = 0; i < g->n_sources; i++)
        if (!catalog_source(cat, g->sources[i].name))
            add_problem(problems, n_problems, g, g->sources[i].line, user,
                        "grants name unknown source '%s'", g->sources[i].name);
    for (size_t i = 0; i < g->n_metrics; i++) {
        const metric *m = catalog_metric(cat, g->metrics[i].name);
        if (!m)
            add_problem(problems, n_problems, g, g->metrics[i].line, user,
                        "grants name unknown metric '%s'", g->metrics[i].name);
        else if (m->derived)
            check_derived_grant(g, user, cat, m, g->metrics[i].line, problems, n_problems);
        else if (!g->all_sources && !grants_lists(g->sources, g->n_sources, m->source_name))
            add_problem(problems, n_problems, g, g->metrics[i].line, user,
                        "grants metric '%s', but not its source '%s' (add it to 'sources')",
                        m->name, m->source_name);
    }
    for (size_t i = 0; i < g->n_row_filters; i++) {
        const row_filter *f = &g->row_filters[i];
        const source *s = catalog_source(cat, f->source);
        const char *why = NULL;
        char *sql = s ? grants_filtered_sql(s, f->sql, &why) : NULL;
        if (!s)
            add_problem(problems, n_problems, g, f->line, user,
                        "row filter for unknown source '%s'", f->source);
        else if (!sql)
            add_problem(problems, n_problems, g, f->line, user,
                        "the row filter of source '%s' cannot be added to its SQL: the result %s",
                        f->source, why);
        free(sql);
    }
    return *n_problems - before;
}
