/*
 * Building a user's restricted catalog (see catalog_view.h). The view is a
 * shallow copy: struct values copied from the base catalog, pointing at its
 * strings, so building one is cheap; a filtered source gets its own SQL and
 * a fresh scan of that SQL's shape (the planner splices dimensions and time
 * bounds by those offsets), and the filter as each of its rollups can apply it.
 */
#include "semantic/catalog_view.h"

#include <stdlib.h>
#include <string.h>

#include "semantic/rollup_filter.h"
#include "semantic/util.h"
#include "wire/xalloc.h"

/* The catalog handed out, and what the view owns beyond its arrays. */
typedef struct view {
    catalog cat;  /* first: a view is freed from its catalog pointer */
    char **owned; /* the filtered SQL of its sources */
    size_t n_owned;
} view;

bool grants_source_visible(const grants *g, const source *s)
{
    return g->all_sources || grants_lists(g->sources, g->n_sources, s->name);
}

bool grants_metric_visible(const catalog *base, const catalog *view, const grants *g,
                           const metric *m)
{
    if (!g->all_metrics && !grants_lists(g->metrics, g->n_metrics, m->name))
        return false;
    if (!m->derived)
        return catalog_source(view, m->source_name) != NULL;
    /*
     * A derived metric is computed from its base metrics: it is visible only
     * when every one of them is, else its values would reveal a hidden metric
     * (and its plan would need metrics the view does not hold).
     */
    size_t cap = base->n_metrics ? base->n_metrics : 1;
    const metric **bases = xcalloc(cap, sizeof(*bases));
    size_t n = catalog_metric_bases(base, m, bases, cap);
    bool visible = n > 0;
    for (size_t i = 0; visible && i < n; i++)
        visible = !bases[i]->derived && grants_metric_visible(base, view, g, bases[i]);
    free(bases);
    return visible;
}

static view *view_new(const catalog *base)
{
    view *v = xcalloc(1, sizeof(*v));
    v->cat.configs_dir = base->configs_dir;
    v->cat.secrets_dir = base->secrets_dir;
    v->cat.cal = base->cal; /* borrowed, like the names: every user has the same calendar */
    v->cat.sources = xcalloc(base->n_sources + 1, sizeof(source));
    v->cat.metrics = xcalloc(base->n_metrics + 1, sizeof(metric));
    v->cat.dimensions = xcalloc(base->n_dimensions + 1, sizeof(dimension));
    v->cat.connections = xcalloc(base->n_connections + 1, sizeof(connection));
    return v;
}

/*
 * The filter on s as each of its rollups reads it (NULL where one cannot): worked
 * out once per view, from the base catalog's definitions and s's own SQL (the one
 * whose FROM tables the filter names).
 */
static rollup_filter **rollup_filters_of(const catalog *base, const source *s, const char *filter)
{
    if (s->n_rollups == 0)
        return NULL;
    rollup_filter **v = xcalloc(s->n_rollups, sizeof(*v));
    for (size_t i = 0; i < s->n_rollups; i++)
        v[i] = rollup_filter_map(base, s, &s->rollups[i], filter);
    return v;
}

/*
 * Adds s (with its row filter, if any) to the view. A filter that does not
 * splice into the SQL leaves the source out (fail closed); grants_check has
 * reported it.
 */
static bool add_source(view *v, const catalog *base, const source *s, const grants *g)
{
    source copy = *s;
    const row_filter *f = grants_row_filter(g, s->name);
    if (f) {
        const char *why;
        char *sql = grants_filtered_sql(s, f->sql, &why);
        if (!sql)
            return false;
        sem_strv_push(&v->owned, &v->n_owned, sql);
        copy.sql = sql;
        copy.row_filtered = true;
        copy.rollup_filters = rollup_filters_of(base, s, f->sql);
        sql_shape_scan(sql, &copy.shape);
    }
    v->cat.sources[v->cat.n_sources++] = copy;
    return true;
}

/* The visible source a dimension definition is available on, or NULL (hidden). */
static const source *dimension_home(const catalog *view_cat, const dimension *d)
{
    const source *s = catalog_source(view_cat, d->source_name);
    if (s)
        return s;
    for (size_t i = 0; i < view_cat->n_sources; i++) {
        const source *o = &view_cat->sources[i];
        if (sem_strv_find(o->dimension_names, o->n_dimension_names, d->name) >= 0)
            return o;
    }
    return NULL;
}

static void add_connections(view *v, const catalog *base)
{
    for (size_t i = 0; i < base->n_connections; i++) {
        const connection *c = &base->connections[i];
        bool used = false;
        for (size_t k = 0; k < v->cat.n_sources && !used; k++)
            used = v->cat.sources[k].conn == c ||
                   sem_name_eq(v->cat.sources[k].connection_name, c->name);
        if (used)
            v->cat.connections[v->cat.n_connections++] = *c;
    }
}

catalog *catalog_view_build(const catalog *base, const grants *g)
{
    view *v = view_new(base);
    for (size_t i = 0; i < base->n_sources; i++)
        if (grants_source_visible(g, &base->sources[i]))
            add_source(v, base, &base->sources[i], g);
    for (size_t i = 0; i < base->n_metrics; i++) {
        const metric *m = &base->metrics[i];
        if (grants_metric_visible(base, &v->cat, g, m))
            v->cat.metrics[v->cat.n_metrics++] = *m;
    }
    for (size_t i = 0; i < base->n_dimensions; i++) {
        const dimension *d = &base->dimensions[i];
        const source *home = dimension_home(&v->cat, d);
        if (!home)
            continue;
        dimension copy = *d;
        copy.source_name = home->name; /* never the name of a hidden source */
        v->cat.dimensions[v->cat.n_dimensions++] = copy;
    }
    add_connections(v, base);
    return &v->cat;
}

catalog *catalog_view_empty(const catalog *base)
{
    return &view_new(base)->cat;
}

void catalog_view_free(catalog *c)
{
    if (!c)
        return;
    view *v = (view *)c;
    sem_strv_free(v->owned, v->n_owned);
    for (size_t i = 0; i < c->n_sources; i++) {
        const source *s = &c->sources[i];
        for (size_t k = 0; s->rollup_filters && k < s->n_rollups; k++)
            rollup_filter_free(s->rollup_filters[k]);
        free(s->rollup_filters);
    }
    free(c->sources);
    free(c->metrics);
    free(c->dimensions);
    free(c->connections);
    free(v);
}
