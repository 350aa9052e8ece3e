/*
 * The type probe of a source, built as the AST of
 *
 *   SELECT ts, <local columns>, <spliced dimensions>, AGG(<metric>), ...
 *   FROM mimir.<source> LIMIT 0
 *
 * (from catalog names, never from text a client sent) and planned by the
 * inquiry and the split like any query on mimir.<source>: one atomic query,
 * streaming, whose columns are the select list in order.
 */
#include "planner/type_probe.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "planner/inquiry.h"

static expr *column_ref(arena *a, const char *name)
{
    expr *e = arena_alloc(a, sizeof(*e));
    e->kind = EX_COLUMN;
    e->parts[0] = name;
    e->nparts = 1;
    return e;
}

static expr *agg_of(arena *a, const char *metric_name)
{
    expr *e = arena_alloc(a, sizeof(*e));
    e->kind = EX_FUNC;
    e->text = "AGG";
    e->text_len = 3;
    e->nargs = 1;
    e->args = arena_alloc(a, sizeof(expr *));
    e->args[0] = column_ref(a, metric_name);
    return e;
}

static bool listed(const ptr_vec *names, const char *name)
{
    for (size_t i = 0; i < names->len; i++)
        if (strcasecmp(names->items[i], name) == 0)
            return true;
    return false;
}

/* ts, then the source's own columns, then the definitions spliced into it: each once. */
static void probe_dimensions(arena *a, const catalog *cat, const source *src, ptr_vec *out)
{
    ptr_vec_push(a, out, (void *)"ts");
    for (size_t i = 0; i < src->n_local_columns; i++) {
        const char *c = src->local_columns[i];
        time_grain g;
        const char *grain;
        if (!catalog_time_grain_of(cat, c, &g, &grain) && !listed(out, c))
            ptr_vec_push(a, out, (void *)c);
    }
    for (size_t i = 0; i < cat->n_dimensions; i++) {
        const dimension *d = &cat->dimensions[i];
        if (catalog_dim_on_source(cat, src, d->name, NULL) == DIM_SPLICED && !listed(out, d->name))
            ptr_vec_push(a, out, d->name);
    }
}

/* The dimensions, then the metrics of src that are not also dimension names. */
static void probe_columns(arena *a, const catalog *cat, const source *src, ptr_vec *dims,
                          ptr_vec *metrics)
{
    probe_dimensions(a, cat, src, dims);
    for (size_t i = 0; i < cat->n_metrics; i++)
        if (!cat->metrics[i].derived && strcasecmp(cat->metrics[i].source_name, src->name) == 0 &&
            !listed(dims, cat->metrics[i].name))
            ptr_vec_push(a, metrics, cat->metrics[i].name);
}

size_t type_probe_columns(arena *a, const catalog *cat, const source *src, const char ***names)
{
    ptr_vec dims = {0}, metrics = {0};
    probe_columns(a, cat, src, &dims, &metrics);
    for (size_t i = 0; i < metrics.len; i++)
        ptr_vec_push(a, &dims, metrics.items[i]);
    *names = (const char **)dims.items;
    return dims.len;
}

/* Keeps only the one of dims or metrics named column (case-insensitively). */
static bool keep_only(ptr_vec *dims, ptr_vec *metrics, const char *column)
{
    ptr_vec *lists[] = {dims, metrics};
    bool found = false;
    for (size_t l = 0; l < 2; l++) {
        size_t kept = 0;
        for (size_t i = 0; i < lists[l]->len; i++)
            if (!found && strcasecmp(lists[l]->items[i], column) == 0) {
                lists[l]->items[kept++] = lists[l]->items[i];
                found = true;
            }
        lists[l]->len = kept;
    }
    return found;
}

bool type_probe_plan(arena *a, const catalog *cat, const source *src, const char *column, plan *out,
                     sql_error *err)
{
    ptr_vec dims = {0}, metrics = {0};
    probe_columns(a, cat, src, &dims, &metrics);
    if (column && !keep_only(&dims, &metrics, column)) {
        sql_error_set(err, ER_BAD_FIELD, "42S22", "'%s' is not a column of source '%s'", column,
                      src->name);
        return false;
    }

    select_stmt *sel = arena_alloc(a, sizeof(*sel));
    sel->nitems = dims.len + metrics.len;
    sel->items = arena_alloc(a, (sel->nitems + 1) * sizeof(select_item));
    for (size_t i = 0; i < sel->nitems; i++) {
        select_item *it = &sel->items[i];
        bool is_metric = i >= dims.len;
        const char *name = is_metric ? metrics.items[i - dims.len] : dims.items[i];
        it->e = is_metric ? agg_of(a, name) : column_ref(a, name);
        it->text = name;
    }
    sel->nfrom = 1;
    sel->from = arena_alloc(a, sizeof(table_ref));
    sel->from[0].db = "mimir";
    sel->from[0].name = src->name;
    sel->from[0].join = JOIN_FIRST;
    sel->has_limit = true;
    sel->limit = 0;

    inquiry q;
    if (!inquiry_from_select(a, cat, sel, src, &q, err))
        return false;
    q.type_probe = true;
    if (!inquiry_split(a, cat, &q, out, err))
        return false;
    if (out->nqueries != 1 || out->final_sql) {
        /* One source, nothing computed after it: anything else is a planner change. */
        sql_error_set(err, ER_UNKNOWN_ERROR, "HY000",
                      "the type probe of source '%s' did not plan as one query", src->name);
        return false;
    }
    return true;
}

/* ---- Recording ------------------------------------------------------------------- */

static const char *skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* One identifier, plain or quoted ("x", `x`); its text in out. NULL when none is there. */
static const char *read_identifier(const char *p, char *out, size_t n)
{
    size_t len = 0;
    if (*p == '"' || *p == '`') {
        char quote = *p++;
        while (*p && *p != quote) {
            if (len + 1 < n)
                out[len++] = *p;
            p++;
        }
        if (*p != quote)
            return NULL;
        p++;
    } else {
        while (isalnum((unsigned char)*p) || *p == '_' || *p == '$') {
            if (len + 1 < n)
                out[len++] = *p;
            p++;
        }
    }
    out[len] = '\0';
    return len ? p : NULL;
}

bool type_probe_aggregated_column(const char *expr, char *column, size_t n)
{
    static const char *const keep_scale[] = {"sum", "min", "max", NULL};
    char word[64];
    const char *p = read_identifier(skip_space(expr), word, sizeof(word));
    bool known = false;
    for (const char *const *f = keep_scale; *f && p; f++)
        known = known || strcasecmp(word, *f) == 0;
    if (!known)
        return false;
    p = skip_space(p);
    if (*p++ != '(')
        return false;
    for (;;) {
        p = read_identifier(skip_space(p), column, n);
        if (!p)
            return false;
        p = skip_space(p);
        if (*p != '.')
            break;
        p++;
    }
    return *p == ')' && *skip_space(p + 1) == '\0';
}

/* The scale a metric of NUMERIC type without a precision takes; -1 when unknown. */
static int metric_scale(const source *src, const metric *m, const discovered_types *types)
{
    char column[128];
    if (!type_probe_aggregated_column(m->expr, column, sizeof(column)))
        return -1;
    const column_type *t = discovered_types_get(types, src->name, column);
    return t && t->kind == CT_DECIMAL ? (int)t->scale : -1;
}

size_t type_probe_record(const catalog *cat, const source *src, const plan *p,
                         const result_column *cols, size_t ncols, discovered_types *types)
{
    if (ncols != p->ncols)
        return 0;
    size_t n = 0;
    column_type t;
    /* Dimensions first: a metric's scale may come from one of them. */
    for (size_t i = 0; i < ncols; i++) {
        if (!p->cols[i].is_metric && column_type_of_result(&cols[i], -1, &t)) {
            discovered_types_set(types, src->name, p->cols[i].org_name, &t);
            n++;
        }
    }
    for (size_t i = 0; i < ncols; i++) {
        if (!p->cols[i].is_metric)
            continue;
        const metric *m = catalog_metric(cat, p->cols[i].org_name);
        int scale = m ? metric_scale(src, m, types) : -1;
        result_column c = cols[i];
        /* SQLite tells nothing of an aggregate without rows; SUM, MIN or MAX of a
         * column it declares DECIMAL(p,s) is a DECIMAL of scale s all the same
         * (planner/layer_types.h: layer_type_of_sqlite_metric). */
        if (c.type == VT_NULL && scale >= 0 && p->nqueries == 1 &&
            p->queries[0].dialect == DIALECT_SQLITE)
            c = (result_column){.type = VT_DECIMAL, .decimals = scale};
        if (column_type_of_result(&c, scale, &t)) {
            discovered_types_set(types, src->name, p->cols[i].org_name, &t);
            n++;
        }
    }
    return n;
}
