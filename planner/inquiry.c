/*
 * SELECT ... FROM mimir.metrics -> inquiry. Every name the client wrote is
 * looked up in the semantic layer here; from this point on only catalog names
 * (never the client's text) are used to build backend SQL.
 */
#include "planner/inquiry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const grain_names[] = {
    [GRAIN_TIME] = "ts", [GRAIN_DATE] = "ds", [GRAIN_MONTH] = "year_month", [GRAIN_YEAR] = "year"};

bool time_grain_of(const char *name, time_grain *g, const char **canonical)
{
    for (int i = GRAIN_TIME; i <= GRAIN_YEAR; i++) {
        if (strcasecmp(name, grain_names[i]) == 0) {
            *g = (time_grain)i;
            *canonical = grain_names[i];
            return true;
        }
    }
    return false;
}

const char *canonical_dimension(const catalog *cat, const char *name)
{
    for (size_t i = 0; i < cat->n_dimensions; i++)
        if (strcasecmp(cat->dimensions[i].name, name) == 0)
            return cat->dimensions[i].name;
    for (size_t i = 0; i < cat->n_sources; i++)
        for (size_t j = 0; j < cat->sources[i].n_local_columns; j++)
            if (strcasecmp(cat->sources[i].local_columns[j], name) == 0)
                return cat->sources[i].local_columns[j];
    return NULL;
}

const metric *canonical_metric(const catalog *cat, const char *name)
{
    for (size_t i = 0; i < cat->n_metrics; i++)
        if (strcasecmp(cat->metrics[i].name, name) == 0)
            return &cat->metrics[i];
    return NULL;
}

/* "a, b, c" of every dimension name, for error messages. */
static const char *known_dimensions(arena *a, const catalog *cat)
{
    buf b;
    buf_init(&b);
    buf_append_str(&b, "ts, ds, year_month, year");
    for (size_t i = 0; i < cat->n_dimensions; i++)
        buf_printf(&b, ", %s", cat->dimensions[i].name);
    for (size_t i = 0; i < cat->n_sources; i++) {
        const source *s = &cat->sources[i];
        for (size_t j = 0; j < s->n_local_columns; j++) {
            /* canonical_dimension returns the first spelling: list each name once. */
            const char *c = s->local_columns[j];
            time_grain g;
            const char *grain;
            if (canonical_dimension(cat, c) == c && !time_grain_of(c, &g, &grain))
                buf_printf(&b, ", %s", c);
        }
    }
    const char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

static const char *known_metrics(arena *a, const catalog *cat)
{
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < cat->n_metrics; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", cat->metrics[i].name);
    const char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

typedef struct resolver {
    arena *a;
    const catalog *cat;
    const select_stmt *s;
    inquiry *q;
    ptr_vec dims, metrics, columns, filter_dims;
    sql_error *err;
} resolver;

static const char *column_text(arena *a, const expr *col)
{
    if (col->nparts == 1)
        return col->parts[0];
    if (col->nparts == 2)
        return arena_printf(a, "%s.%s", col->parts[0], col->parts[1]);
    return arena_printf(a, "%s.%s.%s", col->parts[0], col->parts[1], col->parts[2]);
}

/* A qualified column must name the table in FROM (by name or alias). */
static bool qualifier_ok(const resolver *r, const expr *col)
{
    if (col->nparts == 1)
        return true;
    const table_ref *t = &r->s->from[0];
    const char *table = col->parts[col->nparts - 2];
    if (col->nparts == 3 && strcasecmp(col->parts[0], "mimir") != 0)
        return false;
    if (t->alias)
        return strcasecmp(table, t->alias) == 0 && col->nparts == 2;
    return strcasecmp(table, t->name) == 0;
}

/* Resolves a dimension or time grain name; NULL (err unset) when it is neither. */
static bool lookup_dim(const resolver *r, const char *name, inquiry_dim *out)
{
    time_grain g;
    const char *canon;
    if (time_grain_of(name, &g, &canon)) {
        *out = (inquiry_dim){.name = canon, .is_grain = true, .grain = g};
        return true;
    }
    canon = canonical_dimension(r->cat, name);
    if (!canon)
        return false;
    *out = (inquiry_dim){.name = canon};
    return true;
}

static bool unknown_column(resolver *r, const expr *col, const char *clause)
{
    const char *name = column_text(r->a, col);
    const metric *m = col->nparts ? canonical_metric(r->cat, col->parts[col->nparts - 1]) : NULL;
    if (m && qualifier_ok(r, col)) {
        sql_error_set(r->err, ER_BAD_FIELD, "42S22",
                      "Unknown column '%s' in '%s': '%s' is a metric; write AGG(%s)", name, clause,
                      m->name, m->name);
        return false;
    }
    sql_error_set(r->err, ER_BAD_FIELD, "42S22",
                  "Unknown column '%s' in '%s': not a dimension of mimir.metrics "
                  "(dimensions: %s; metrics, as AGG(name): %s)",
                  name, clause, known_dimensions(r->a, r->cat), known_metrics(r->a, r->cat));
    return false;
}

static size_t add_dim(resolver *r, ptr_vec *v, const inquiry_dim *d)
{
    for (size_t i = 0; i < v->len; i++)
        if (strcmp(((inquiry_dim *)v->items[i])->name, d->name) == 0)
            return i;
    inquiry_dim *copy = arena_alloc(r->a, sizeof(*copy));
    *copy = *d;
    ptr_vec_push(r->a, v, copy);
    return v->len - 1;
}

static size_t add_metric(resolver *r, const metric *m)
{
    for (size_t i = 0; i < r->metrics.len; i++)
        if (r->metrics.items[i] == m)
            return i;
    ptr_vec_push(r->a, &r->metrics, (void *)m);
    return r->metrics.len - 1;
}

/* AGG(m), MEASURE(m), and the aggregates BI tools wrap around a measure. */
static bool is_measure_call(const expr *e)
{
    if (e->kind != EX_FUNC || e->nargs != 1 || e->distinct)
        return false;
    static const char *const names[] = {"agg", "measure", "sum", "min", "max", "avg", NULL};
    for (const char *const *n = names; *n; n++)
        if (strcasecmp(e->text, *n) == 0)
            return true;
    return false;
}

/* Resolves AGG(name) to the metric; false with err set when it is not one. */
static const metric *resolve_measure(resolver *r, const expr *call)
{
    const expr *arg = call->args[0];
    if (arg->kind != EX_COLUMN || !qualifier_ok(r, arg)) {
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support %s() over an expression: "
                      "write %s(metric_name)",
                      call->text, call->text);
        return NULL;
    }
    const char *name = arg->parts[arg->nparts - 1];
    const metric *m = canonical_metric(r->cat, name);
    if (!m) {
        sql_error_set(r->err, ER_BAD_FIELD, "42S22",
                      "Unknown column '%s' in 'field list': no metric named '%s' "
                      "(metrics: %s)",
                      column_text(r->a, arg), name, known_metrics(r->a, r->cat));
        return NULL;
    }
    return m;
}

static bool resolve_select_item(resolver *r, const select_item *it)
{
    const expr *e = it->e;
    inquiry_column *col = arena_alloc(r->a, sizeof(*col));
    if (is_measure_call(e)) {
        const metric *m = resolve_measure(r, e);
        if (!m)
            return false;
        col->is_metric = true;
        col->index = add_metric(r, m);
        /* An unaliased AGG(m) is named m, not "AGG(m)". */
        col->name = it->alias ? it->alias : m->name;
    } else if (e->kind == EX_COLUMN) {
        inquiry_dim d;
        if (!qualifier_ok(r, e) || !lookup_dim(r, e->parts[e->nparts - 1], &d))
            return unknown_column(r, e, "field list");
        col->index = add_dim(r, &r->dims, &d);
        col->name = it->alias ? it->alias : e->parts[e->nparts - 1];
    } else if (e->kind == EX_FUNC && e->nargs == 1 && e->args[0]->kind == EX_COLUMN &&
               canonical_metric(r->cat, e->args[0]->parts[e->args[0]->nparts - 1])) {
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                      "%s%s(%s) is not supported: a metric is already aggregated at the query's "
                      "grain; use AGG(%s)",
                      e->text, e->distinct ? " DISTINCT" : "", column_text(r->a, e->args[0]),
                      column_text(r->a, e->args[0]));
        return false;
    } else if (e->kind == EX_STAR) {
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support SELECT * on mimir.metrics: "
                      "name the dimensions and AGG(metric) columns you want");
        return false;
    } else {
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support the select item '%s': select "
                      "dimensions and AGG(metric)",
                      it->text);
        return false;
    }
    ptr_vec_push(r->a, &r->columns, col);
    return true;
}

/* Finds the select-list column an ORDER BY / GROUP BY item refers to. */
static bool find_column(resolver *r, const expr *e, const char *clause, size_t *out)
{
    size_t n = r->columns.len;
    if (e->kind == EX_LITERAL && e->lit == LIT_INT) {
        long v = strtol(e->text, NULL, 10);
        if (v < 1 || (size_t)v > n) {
            sql_error_set(r->err, ER_BAD_FIELD, "42S22", "Unknown column '%s' in '%s'", e->text,
                          clause);
            return false;
        }
        *out = (size_t)v - 1;
        return true;
    }
    if (e->kind == EX_COLUMN && qualifier_ok(r, e)) {
        const char *name = e->parts[e->nparts - 1];
        for (size_t i = 0; i < n; i++) {
            if (strcasecmp(((inquiry_column *)r->columns.items[i])->name, name) == 0) {
                *out = i;
                return true;
            }
        }
        inquiry_dim d;
        if (lookup_dim(r, name, &d)) {
            for (size_t i = 0; i < n; i++) {
                inquiry_column *c = r->columns.items[i];
                if (!c->is_metric &&
                    strcmp(((inquiry_dim *)r->dims.items[c->index])->name, d.name) == 0) {
                    *out = i;
                    return true;
                }
            }
            sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                          "'%s' in '%s' must also be selected", name, clause);
            return false;
        }
        return unknown_column(r, e, clause);
    }
    if (is_measure_call(e)) {
        const metric *m = resolve_measure(r, e);
        if (!m)
            return false;
        for (size_t i = 0; i < n; i++) {
            inquiry_column *c = r->columns.items[i];
            if (c->is_metric && r->metrics.items[c->index] == m) {
                *out = i;
                return true;
            }
        }
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000", "'%s' in '%s' must also be selected",
                      m->name, clause);
        return false;
    }
    sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                  "This version of Mimir doesn't yet support this expression in '%s'", clause);
    return false;
}

static bool resolve_filter(resolver *r, const expr *e)
{
    if (!e)
        return true;
    if (e->kind == EX_COLUMN) {
        inquiry_dim d;
        if (!qualifier_ok(r, e) || !lookup_dim(r, e->parts[e->nparts - 1], &d)) {
            const metric *m = canonical_metric(r->cat, e->parts[e->nparts - 1]);
            if (m) {
                sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                              "This version of Mimir doesn't yet support filtering on the "
                              "metric '%s' in WHERE",
                              m->name);
                return false;
            }
            return unknown_column(r, e, "where clause");
        }
        add_dim(r, &r->filter_dims, &d);
        return true;
    }
    if (e->kind == EX_FUNC && is_measure_call(e)) {
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support conditions on metrics");
        return false;
    }
    if (e->kind == EX_VARIABLE || e->kind == EX_PARAM || e->kind == EX_STAR) {
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support variables or parameters in "
                      "filters");
        return false;
    }
    if (!resolve_filter(r, e->left) || !resolve_filter(r, e->right))
        return false;
    for (size_t i = 0; i < e->nargs; i++)
        if (!resolve_filter(r, e->args[i]))
            return false;
    return true;
}

static bool resolve_group_by(resolver *r)
{
    for (size_t i = 0; i < r->s->ngroup_by; i++) {
        size_t col;
        if (!find_column(r, r->s->group_by[i], "group statement", &col))
            return false;
        if (((inquiry_column *)r->columns.items[col])->is_metric) {
            sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                          "Can't group on '%s': it is a metric",
                          ((inquiry_column *)r->columns.items[col])->name);
            return false;
        }
    }
    return true;
}

static bool resolve_order_by(resolver *r)
{
    r->q->norder = r->s->norder_by;
    r->q->order = arena_alloc(r->a, (r->s->norder_by + 1) * sizeof(inquiry_order));
    for (size_t i = 0; i < r->s->norder_by; i++) {
        if (!find_column(r, r->s->order_by[i].e, "order clause", &r->q->order[i].column))
            return false;
        r->q->order[i].desc = r->s->order_by[i].desc;
    }
    return true;
}

static void *vec_to_array(arena *a, ptr_vec *v, size_t elem, size_t *n)
{
    *n = v->len;
    char *out = arena_alloc(a, (v->len + 1) * elem);
    for (size_t i = 0; i < v->len; i++)
        memcpy(out + i * elem, v->items[i], elem);
    return out;
}

bool inquiry_from_select(arena *a, const catalog *cat, const select_stmt *s, inquiry *out,
                         sql_error *err)
{
    memset(out, 0, sizeof(*out));
    resolver r = {.a = a, .cat = cat, .s = s, .q = out, .err = err};
    for (size_t i = 0; i < s->nitems; i++)
        if (!resolve_select_item(&r, &s->items[i]))
            return false;
    if (s->having) {
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support HAVING");
        return false;
    }
    if (!resolve_filter(&r, s->where) || !resolve_group_by(&r) || !resolve_order_by(&r))
        return false;
    out->where = s->where;
    out->columns = vec_to_array(a, &r.columns, sizeof(inquiry_column), &out->ncolumns);
    out->dims = vec_to_array(a, &r.dims, sizeof(inquiry_dim), &out->ndims);
    out->filter_dims = vec_to_array(a, &r.filter_dims, sizeof(inquiry_dim), &out->nfilter_dims);
    out->nmetrics = r.metrics.len;
    out->metrics = arena_alloc(a, (r.metrics.len + 1) * sizeof(metric *));
    for (size_t i = 0; i < r.metrics.len; i++)
        out->metrics[i] = r.metrics.items[i];
    out->has_limit = s->has_limit;
    out->limit = s->limit;
    out->offset = s->offset;
    return true;
}
