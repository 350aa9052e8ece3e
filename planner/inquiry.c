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

#include "planner/derived_metrics.h"
#include "planner/time_metrics.h"
#include "planner/functions.h"

static const char *const grain_names[GRAIN_COUNT] = {[GRAIN_TIME] = "ts",
                                                     [GRAIN_DATE] = "ds",
                                                     [GRAIN_MONTH] = "year_month",
                                                     [GRAIN_YEAR] = "year",
                                                     [GRAIN_SECOND] = "ts_second",
                                                     [GRAIN_MINUTE] = "ts_minute",
                                                     [GRAIN_HOUR] = "ts_hour",
                                                     [GRAIN_WEEK] = "week",
                                                     [GRAIN_QUARTER] = "quarter",
                                                     [GRAIN_FISCAL_YEAR] = "fiscal_year",
                                                     [GRAIN_FISCAL_QUARTER] = "fiscal_quarter"};

const char *time_grain_name(time_grain g)
{
    return grain_names[g];
}

bool time_grain_of(const char *name, time_grain *g, const char **canonical)
{
    for (int i = 0; i < GRAIN_COUNT; i++) {
        if (strcasecmp(name, grain_names[i]) == 0) {
            *g = (time_grain)i;
            *canonical = grain_names[i];
            return true;
        }
    }
    return false;
}

bool time_grain_available(const catalog *cat, time_grain g)
{
    if (g == GRAIN_FISCAL_YEAR || g == GRAIN_FISCAL_QUARTER)
        return cat && cat->cal.fiscal_year_start_month >= 1;
    return true;
}

bool catalog_time_grain_of(const catalog *cat, const char *name, time_grain *g,
                           const char **canonical)
{
    return time_grain_of(name, g, canonical) && time_grain_available(cat, *g);
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

const metric *measure_of(const catalog *cat, const expr *e)
{
    if (e->kind != EX_FUNC || e->nargs != 1 || e->distinct)
        return NULL;
    static const char *const names[] = {"agg", "measure", "sum", "min", "max", "avg", NULL};
    bool measure = false;
    for (const char *const *n = names; *n; n++)
        if (strcasecmp(e->text, *n) == 0)
            measure = true;
    const expr *arg = e->args[0];
    if (!measure || arg->kind != EX_COLUMN)
        return NULL;
    return canonical_metric(cat, arg->parts[arg->nparts - 1]);
}

/* ---- Normalised text ------------------------------------------------------ */

static void norm_into(buf *b, const catalog *cat, const expr *e)
{
    switch (e->kind) {
    case EX_LITERAL:
        buf_printf(b, "lit%d%s:%zu:", (int)e->lit, e->binary ? "b" : "", e->text_len);
        if (e->text)
            buf_append(b, e->text, e->text_len);
        return;
    case EX_COLUMN: {
        const char *name = e->parts[e->nparts - 1];
        time_grain g;
        const char *canon;
        if (catalog_time_grain_of(cat, name, &g, &canon))
            buf_printf(b, "col:%s", canon);
        else if ((canon = canonical_dimension(cat, name)))
            buf_printf(b, "col:%s", canon);
        else if (canonical_metric(cat, name))
            buf_printf(b, "metric:%s", canonical_metric(cat, name)->name);
        else
            buf_printf(b, "col?:%s", name);
        return;
    }
    case EX_FUNC: {
        const metric *m = measure_of(cat, e);
        if (m) {
            buf_printf(b, "metric:%s", m->name);
            return;
        }
        buf_append_str(b, "fn:");
        for (const char *c = e->text; *c; c++)
            buf_append_byte(b, (uint8_t)((*c >= 'A' && *c <= 'Z') ? *c - 'A' + 'a' : *c));
        break;
    }
    default:
        buf_printf(b, "k%d/o%d/n%d/", (int)e->kind, (int)e->op, (int)e->negated);
        if (e->text)
            buf_append_str(b, e->text);
        break;
    }
    buf_append_str(b, e->distinct ? "(distinct " : "(");
    if (e->left)
        norm_into(b, cat, e->left);
    buf_append_str(b, ";");
    if (e->right)
        norm_into(b, cat, e->right);
    for (size_t i = 0; i < e->nargs; i++) {
        buf_append_str(b, ",");
        norm_into(b, cat, e->args[i]);
    }
    buf_append_str(b, ")");
}

const char *expr_norm(arena *a, const catalog *cat, const expr *e)
{
    buf b;
    buf_init(&b);
    norm_into(&b, cat, e);
    const char *out = arena_strndup(a, (const char *)b.data, b.len);
    buf_free(&b);
    return out;
}

/* ---- Messages ------------------------------------------------------------- */

/* "a, b, c" of every dimension name, for error messages. */
/*
 * The names an error lists as what exists, in at most NAMES_BUDGET bytes and then
 * "and N more": MySQL's error messages hold 512 bytes (clients cut the rest), and a
 * large layer's names would not fit; SHOW COLUMNS lists them all.
 */
#define NAMES_BUDGET 180

typedef struct name_list {
    buf b;
    size_t more;
} name_list;

static void list_name(name_list *l, const char *name)
{
    if (l->more || l->b.len + strlen(name) + 2 > NAMES_BUDGET) {
        l->more++;
        return;
    }
    buf_printf(&l->b, "%s%s", l->b.len ? ", " : "", name);
}

static const char *list_done(arena *a, name_list *l)
{
    if (l->more)
        buf_printf(&l->b, " and %zu more", l->more);
    const char *out = arena_strdup(a, buf_cstr(&l->b));
    buf_free(&l->b);
    return out;
}

static const char *known_dimensions(arena *a, const catalog *cat)
{
    name_list l = {0};
    buf_init(&l.b);
    for (int g = 0; g < GRAIN_COUNT; g++)
        if (time_grain_available(cat, (time_grain)g))
            list_name(&l, grain_names[g]);
    for (size_t i = 0; i < cat->n_dimensions; i++)
        list_name(&l, cat->dimensions[i].name);
    for (size_t i = 0; i < cat->n_sources; i++) {
        const source *s = &cat->sources[i];
        for (size_t j = 0; j < s->n_local_columns; j++) {
            /* canonical_dimension returns the first spelling: list each name once. */
            const char *c = s->local_columns[j];
            time_grain g;
            const char *grain;
            if (canonical_dimension(cat, c) == c && !catalog_time_grain_of(cat, c, &g, &grain))
                list_name(&l, c);
        }
    }
    return list_done(a, &l);
}

static const char *known_metrics(arena *a, const catalog *cat)
{
    name_list l = {0};
    buf_init(&l.b);
    for (size_t i = 0; i < cat->n_metrics; i++)
        list_name(&l, cat->metrics[i].name);
    return list_done(a, &l);
}

/* ---- Resolution ------------------------------------------------------------ */

typedef struct resolver {
    arena *a;
    const catalog *cat;
    const select_stmt *s;
    const source *table; /* FROM mimir.<source>, or NULL */
    inquiry *q;
    ptr_vec dims, metrics, columns, filters, having, order;
    bool aliases_ok;   /* HAVING and ORDER BY may name select-list aliases */
    int derived_depth; /* derived metrics being expanded, one inside the other */
    int derived_count; /* derived metrics expanded so far */
    /* The time metric being expanded: the metrics met meanwhile are computed over its
     * periods (inquiry_metric.tm); NULL: none. */
    const metric *tm;
    sql_error *err;
} resolver;

static bool is_alias(const resolver *r, const char *name)
{
    for (size_t i = 0; i < r->columns.len; i++)
        if (strcasecmp(((inquiry_column *)r->columns.items[i])->name, name) == 0)
            return true;
    return false;
}

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

/* Is name a dimension of the table queried (any source for mimir.metrics)? */
static bool is_dimension(const resolver *r, const char *name)
{
    time_grain g;
    const char *canon;
    if (catalog_time_grain_of(r->cat, name, &g, &canon))
        return true;
    canon = canonical_dimension(r->cat, name);
    if (!canon)
        return false;
    if (!r->table)
        return true;
    const dimension *def;
    return catalog_dim_on_source(r->cat, r->table, canon, &def) != DIM_NOT_ON_SOURCE;
}

/* A metric of the table queried: any for mimir.metrics; for mimir.<source>, the
 * source's own (derived metrics, which may span sources, are only in metrics). */
static bool metric_on_table(const resolver *r, const metric *m)
{
    return !r->table || (!m->derived && strcmp(m->source_name, r->table->name) == 0);
}

static const metric *table_metric(const resolver *r, const char *name)
{
    const metric *m = canonical_metric(r->cat, name);
    return m && metric_on_table(r, m) ? m : NULL;
}

static bool unknown_column(resolver *r, const expr *col, const char *clause)
{
    const char *name = column_text(r->a, col);
    const metric *m = table_metric(r, col->parts[col->nparts - 1]);
    if (m && qualifier_ok(r, col)) {
        sql_error_set(r->err, ER_BAD_FIELD, "42S22",
                      "Unknown column '%s' in '%s': '%s' is a metric; write AGG(%s)", name, clause,
                      m->name, m->name);
        return false;
    }
    sql_error_set(r->err, ER_BAD_FIELD, "42S22",
                  "Unknown column '%s' in '%s': not a dimension of %s.%s "
                  "(dimensions: %s; metrics, as AGG(name): %s)",
                  name, clause, "mimir", r->table ? r->table->name : "metrics",
                  known_dimensions(r->a, r->cat), known_metrics(r->a, r->cat));
    return false;
}

static size_t add_metric(resolver *r, const metric *m)
{
    for (size_t i = 0; i < r->metrics.len; i++) {
        const inquiry_metric *im = r->metrics.items[i];
        if (im->m == m && im->tm == r->tm)
            return i;
    }
    inquiry_metric *im = arena_alloc(r->a, sizeof(*im));
    im->m = m;
    im->tm = r->tm;
    im->key = arena_printf(r->a, "m%zu", r->metrics.len);
    ptr_vec_push(r->a, &r->metrics, im);
    return r->metrics.len - 1;
}

static size_t find_dim(resolver *r, const char *norm)
{
    for (size_t i = 0; i < r->dims.len; i++)
        if (strcmp(((inquiry_dim *)r->dims.items[i])->norm, norm) == 0)
            return i;
    return (size_t)-1;
}

static size_t add_dim(resolver *r, const expr *e, bool hidden)
{
    const char *norm = expr_norm(r->a, r->cat, e);
    size_t i = find_dim(r, norm);
    if (i != (size_t)-1) {
        if (!hidden)
            ((inquiry_dim *)r->dims.items[i])->hidden = false;
        return i;
    }
    inquiry_dim *d = arena_alloc(r->a, sizeof(*d));
    d->key = arena_printf(r->a, "d%zu", r->dims.len);
    d->norm = norm;
    d->e = e;
    d->hidden = hidden;
    ptr_vec_push(r->a, &r->dims, d);
    return r->dims.len - 1;
}

typedef enum {
    CTX_DIMENSION, /* grouping expressions and WHERE filters: dimensions only */
    CTX_FINAL,     /* select expressions, HAVING, ORDER BY: metrics and dimensions */
} expr_context;

static bool check_expr(resolver *r, const expr *e, expr_context ctx, const char *clause,
                       bool *has_metric);

/*
 * A derived metric stands for its expression, computed after the combine: its
 * names are checked (and its base metrics collected) as if the client had
 * written the expression. Names in it are metrics, never select-list aliases.
 */
static bool check_derived(resolver *r, const metric *m, const char *clause, bool *has_metric)
{
    if (r->derived_depth >= DERIVED_MAX_DEPTH || ++r->derived_count > DERIVED_MAX_EXPANSIONS) {
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                      "too many derived metrics to expand: more than %d in one query, or more "
                      "than %d nested (at '%s')",
                      DERIVED_MAX_EXPANSIONS, DERIVED_MAX_DEPTH, m->name);
        return false;
    }
    const expr *e = derived_metric_expr(r->a, m, r->err);
    if (!e)
        return false;
    bool aliases_ok = r->aliases_ok;
    r->aliases_ok = false;
    r->derived_depth++;
    bool ok = check_expr(r, e, CTX_FINAL, clause, has_metric);
    r->derived_depth--;
    r->aliases_ok = aliases_ok;
    *has_metric = true;
    return ok;
}

/*
 * A time metric (type: offset or cumulative) stands for its base metric
 * computed over other periods: the base's metrics (itself, or those its
 * derived expression reaches) are collected with the time metric attached,
 * so that each gets an atomic query over the shifted or widened time
 * (planner/time_metrics.h). One time metric over another is refused.
 */
static bool check_time_metric(resolver *r, const metric *m, const char *clause, bool *has_metric)
{
    const metric *direct = catalog_metric(r->cat, m->base_metric);
    const metric *base = time_metric_base(r->cat, m); /* through an offset of a cumulative */
    if (r->tm || (direct && !base)) {
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support time metric '%s' over time "
                      "metric '%s'",
                      r->tm ? r->tm->name : m->name, r->tm ? m->name : direct->name);
        return false;
    }
    if (!base) {
        sql_error_set(r->err, ER_UNKNOWN_ERROR, "HY000", "metric '%s' names unknown metric '%s'",
                      m->name, m->base_metric);
        return false;
    }
    r->tm = m;
    bool ok = true;
    if (base->derived)
        ok = check_derived(r, base, clause, has_metric);
    else
        add_metric(r, base);
    r->tm = NULL;
    *has_metric = true;
    return ok;
}

/* A metric named in the final context: a time metric, a derived one, or a base metric. */
static bool check_metric(resolver *r, const metric *m, const char *clause, bool *has_metric)
{
    if (m->time_kind != TIME_METRIC_NONE)
        return check_time_metric(r, m, clause, has_metric);
    if (m->derived)
        return check_derived(r, m, clause, has_metric);
    add_metric(r, m);
    *has_metric = true;
    return true;
}

/* COUNT(*) or COUNT(<constant>): the number of rows, which Mimir does not hold. */
static bool counts_rows(const expr *e)
{
    if (strcasecmp(e->text, "count") != 0 || e->nargs != 1 || e->distinct)
        return false;
    const expr *arg = e->args[0];
    return arg->kind == EX_STAR || (arg->kind == EX_LITERAL && arg->lit != LIT_NULL && arg->text);
}

/*
 * Checks every name in e: columns must be dimensions (or, in the final
 * context, metrics by bare name); AGG(...) must name metrics (collected);
 * other aggregates are refused. Sets *has_metric when e computes on metrics.
 */
static bool check_expr(resolver *r, const expr *e, expr_context ctx, const char *clause,
                       bool *has_metric)
{
    if (!e)
        return true;
    switch (e->kind) {
    case EX_COLUMN: {
        const char *name = e->parts[e->nparts - 1];
        if (qualifier_ok(r, e) && is_dimension(r, name))
            return true;
        if (r->aliases_ok && e->nparts == 1 && is_alias(r, name))
            return true;
        const metric *m = table_metric(r, name);
        if (m && ctx == CTX_FINAL && qualifier_ok(r, e))
            return check_metric(r, m, clause, has_metric);
        return unknown_column(r, e, clause);
    }
    case EX_FUNC: {
        if (function_is_aggregate(e->text)) {
            const metric *m = measure_of(r->cat, e);
            if (m && !metric_on_table(r, m))
                m = NULL;
            if (!m) {
                const expr *arg = e->nargs == 1 ? e->args[0] : NULL;
                const char *argname =
                    arg && arg->kind == EX_COLUMN ? arg->parts[arg->nparts - 1] : NULL;
                if (argname && table_metric(r, argname))
                    sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                                  "%s%s(%s) is not supported: a metric is already aggregated at "
                                  "the query's grain; use AGG(%s)",
                                  e->text, e->distinct ? "(DISTINCT" : "", argname, argname);
                else if (argname &&
                         (!strcasecmp(e->text, "agg") || !strcasecmp(e->text, "measure")))
                    sql_error_set(r->err, ER_BAD_FIELD, "42S22",
                                  "Unknown column '%s' in '%s': no metric named '%s' (metrics: %s)",
                                  column_text(r->a, arg), clause, argname,
                                  known_metrics(r->a, r->cat));
                else if (counts_rows(e))
                    sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                                  "Row-level reads are not supported: COUNT(%s) counts rows, and "
                                  "mimir.%s holds metrics, not rows. Count with a metric defined "
                                  "as COUNT(column) in the semantic layer, read as AGG(metric) "
                                  "(metrics: %s)",
                                  arg->kind == EX_STAR ? "*" : arg->text,
                                  r->table ? r->table->name : "metrics",
                                  known_metrics(r->a, r->cat));
                else
                    sql_error_set(
                        r->err, ER_NOT_SUPPORTED_YET, "42000",
                        "Row-level reads are not supported: %s() over '%s' reads the "
                        "rows of each group, and mimir.%s holds metrics, not rows "
                        "(COUNT(DISTINCT d), MIN(d) and MAX(d) of a dimension are "
                        "answered). Define it as a metric in the semantic layer and "
                        "read it as AGG(metric) (metrics: %s)",
                        e->text,
                        arg && arg->kind == EX_COLUMN ? column_text(r->a, arg) : "an expression",
                        r->table ? r->table->name : "metrics", known_metrics(r->a, r->cat));
                return false;
            }
            if (ctx != CTX_FINAL) {
                sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                              "AGG(%s) is not allowed in '%s'", m->name, clause);
                return false;
            }
            return check_metric(r, m, clause, has_metric);
        }
        break;
    }
    case EX_ASSIGN:
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000", "%s", SB_ASSIGN_UNSUPPORTED);
        return false;
    case EX_VARIABLE:
    case EX_PARAM:
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support variables or parameters in "
                      "'%s'",
                      clause);
        return false;
    case EX_STAR:
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000", "'*' is not allowed in '%s'", clause);
        return false;
    default:
        break;
    }
    if (!check_expr(r, e->left, ctx, clause, has_metric) ||
        !check_expr(r, e->right, ctx, clause, has_metric))
        return false;
    for (size_t i = 0; i < e->nargs; i++)
        if (!check_expr(r, e->args[i], ctx, clause, has_metric))
            return false;
    return true;
}

static bool has_columns(const expr *e)
{
    if (!e)
        return false;
    if (e->kind == EX_COLUMN)
        return true;
    if (has_columns(e->left) || has_columns(e->right))
        return true;
    for (size_t i = 0; i < e->nargs; i++)
        if (has_columns(e->args[i]))
            return true;
    return false;
}

static const char *item_name(const resolver *r, const select_item *it)
{
    (void)r;
    if (it->alias)
        return it->alias;
    /* As MySQL names it: an unaliased AGG(m) or SUM(m) is "AGG(m)", as written. */
    if (it->e->kind == EX_COLUMN)
        return it->e->parts[it->e->nparts - 1];
    return it->text;
}

static bool resolve_select_item(resolver *r, const select_item *it)
{
    const expr *e = it->e;
    inquiry_column *col = arena_alloc(r->a, sizeof(*col));
    col->name = item_name(r, it);
    col->e = e;
    if (e->kind == EX_STAR) {
        sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support SELECT * on mimir tables "
                      "except with LIMIT 0: name the dimensions and AGG(metric) columns you want");
        return false;
    }
    bool has_metric = false;
    if (!check_expr(r, e, CTX_FINAL, "field list", &has_metric))
        return false;
    const metric *m = measure_of(r->cat, e);
    if (m && !m->derived) {
        col->kind = COL_METRIC;
        col->index = add_metric(r, m);
    } else if (has_metric || !has_columns(e)) {
        col->kind = COL_EXPR; /* over metrics, or a constant: computed after the combine */
    } else {
        col->kind = COL_DIM;
        col->index = add_dim(r, e, false);
    }
    ptr_vec_push(r->a, &r->columns, col);
    return true;
}

static inquiry_column *column_at(resolver *r, size_t i)
{
    return r->columns.items[i];
}

/* An ordinal or a select-list alias: the column it names, or -1. */
static long column_reference(resolver *r, const expr *e, const char *clause, bool *failed)
{
    *failed = false;
    if (e->kind == EX_LITERAL && e->lit == LIT_INT) {
        long v = strtol(e->text, NULL, 10);
        if (v < 1 || (size_t)v > r->columns.len) {
            sql_error_set(r->err, ER_BAD_FIELD, "42S22", "Unknown column '%s' in '%s'", e->text,
                          clause);
            *failed = true;
            return -1;
        }
        return v - 1;
    }
    if (e->kind == EX_COLUMN && e->nparts == 1) {
        for (size_t i = 0; i < r->columns.len; i++)
            if (strcasecmp(column_at(r, i)->name, e->parts[0]) == 0 &&
                !(column_at(r, i)->kind == COL_DIM && is_dimension(r, e->parts[0]) &&
                  column_at(r, i)->e->kind != EX_COLUMN))
                return (long)i;
    }
    return -1;
}

static bool resolve_group_by(resolver *r)
{
    for (size_t i = 0; i < r->s->ngroup_by; i++) {
        const expr *e = r->s->group_by[i];
        bool failed;
        long c = column_reference(r, e, "group statement", &failed);
        if (failed)
            return false;
        if (c >= 0) {
            inquiry_column *col = column_at(r, (size_t)c);
            if (col->kind != COL_DIM) {
                sql_error_set(r->err, ER_NOT_SUPPORTED_YET, "42000",
                              "Can't group on '%s': it is computed from metrics", col->name);
                return false;
            }
            continue;
        }
        bool has_metric = false;
        if (!check_expr(r, e, CTX_DIMENSION, "group statement", &has_metric))
            return false;
        add_dim(r, e, true); /* already selected: found by its text; else a hidden key */
    }
    return true;
}

static bool contains_metric_name(const resolver *r, const expr *e)
{
    if (!e)
        return false;
    if (e->kind == EX_COLUMN && !is_dimension(r, e->parts[e->nparts - 1]) &&
        table_metric(r, e->parts[e->nparts - 1]))
        return true;
    if (e->kind == EX_FUNC && function_is_aggregate(e->text))
        return true;
    if (contains_metric_name(r, e->left) || contains_metric_name(r, e->right))
        return true;
    for (size_t i = 0; i < e->nargs; i++)
        if (contains_metric_name(r, e->args[i]))
            return true;
    return false;
}

static void collect_conjuncts(arena *a, const expr *e, ptr_vec *out)
{
    if (e->kind == EX_BINARY && e->op == OP_AND) {
        collect_conjuncts(a, e->left, out);
        collect_conjuncts(a, e->right, out);
    } else {
        ptr_vec_push(a, out, (void *)e);
    }
}

/* WHERE: conditions on dimensions go to the sources; conditions on metrics act as HAVING. */
static bool resolve_where(resolver *r)
{
    if (!r->s->where)
        return true;
    ptr_vec conj = {0};
    collect_conjuncts(r->a, r->s->where, &conj);
    for (size_t i = 0; i < conj.len; i++) {
        const expr *c = conj.items[i];
        bool has_metric = false;
        if (contains_metric_name(r, c)) {
            if (!check_expr(r, c, CTX_FINAL, "where clause", &has_metric))
                return false;
            ptr_vec_push(r->a, &r->having, (void *)c);
        } else {
            if (!check_expr(r, c, CTX_DIMENSION, "where clause", &has_metric))
                return false;
            ptr_vec_push(r->a, &r->filters, (void *)c);
        }
    }
    return true;
}

/* Columns a final-stage expression names must be grouped keys. */
static bool check_grouped(resolver *r, const expr *e, const char *clause)
{
    if (!e)
        return true;
    if (measure_of(r->cat, e))
        return true;
    if (find_dim(r, expr_norm(r->a, r->cat, e)) != (size_t)-1)
        return true;
    if (e->kind == EX_COLUMN) {
        const char *name = e->parts[e->nparts - 1];
        if (!is_dimension(r, name))
            return true; /* a metric by bare name, or an alias (checked by its user) */
        sql_error_set(r->err, 1055, "42000",
                      "'%s' in '%s' isn't in GROUP BY: select or group by it", name, clause);
        return false;
    }
    if (!check_grouped(r, e->left, clause) || !check_grouped(r, e->right, clause))
        return false;
    for (size_t i = 0; i < e->nargs; i++)
        if (!check_grouped(r, e->args[i], clause))
            return false;
    return true;
}

static bool resolve_having(resolver *r)
{
    if (!r->s->having)
        return true;
    ptr_vec conj = {0};
    collect_conjuncts(r->a, r->s->having, &conj);
    for (size_t i = 0; i < conj.len; i++) {
        const expr *c = conj.items[i];
        bool has_metric = false;
        if (!check_expr(r, c, CTX_FINAL, "having clause", &has_metric) ||
            !check_grouped(r, c, "having clause"))
            return false;
        ptr_vec_push(r->a, &r->having, (void *)c);
    }
    return true;
}

static bool resolve_order_by(resolver *r)
{
    for (size_t i = 0; i < r->s->norder_by; i++) {
        const order_item *item = &r->s->order_by[i];
        inquiry_order *o = arena_alloc(r->a, sizeof(*o));
        o->desc = item->desc;
        o->e = item->e;
        bool failed;
        long c = column_reference(r, item->e, "order clause", &failed);
        if (failed)
            return false;
        if (c < 0) {
            /* The same expression as a selected column sorts by that column. */
            const char *norm = expr_norm(r->a, r->cat, item->e);
            for (size_t k = 0; k < r->columns.len && c < 0; k++)
                if (strcmp(expr_norm(r->a, r->cat, column_at(r, k)->e), norm) == 0)
                    c = (long)k;
        }
        if (c >= 0) {
            o->by_column = true;
            o->column = (size_t)c;
        } else {
            bool has_metric = false;
            if (!check_expr(r, item->e, CTX_FINAL, "order clause", &has_metric) ||
                !check_grouped(r, item->e, "order clause"))
                return false;
        }
        ptr_vec_push(r->a, &r->order, o);
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

static bool needs_final_stage(const inquiry *q)
{
    if (q->nhaving)
        return true;
    for (size_t i = 0; i < q->ncolumns; i++)
        if (q->columns[i].kind == COL_EXPR)
            return true;
    for (size_t i = 0; i < q->ndims; i++)
        if (q->dims[i].hidden)
            return true; /* and DISTINCT then applies there, over the selected columns */
    for (size_t i = 0; i < q->norder; i++)
        if (!q->order[i].by_column)
            return true;
    return false;
}

bool inquiry_from_select(arena *a, const catalog *cat, const select_stmt *s, const source *table,
                         inquiry *out, sql_error *err)
{
    memset(out, 0, sizeof(*out));
    resolver r = {.a = a, .cat = cat, .s = s, .table = table, .q = out, .err = err};
    for (size_t i = 0; i < s->nitems; i++)
        if (!resolve_select_item(&r, &s->items[i]))
            return false;
    if (!resolve_group_by(&r) || !resolve_where(&r))
        return false;
    for (size_t i = 0; i < r.columns.len; i++) {
        inquiry_column *c = column_at(&r, i);
        if (c->kind == COL_EXPR && !check_grouped(&r, c->e, "field list"))
            return false;
    }
    r.aliases_ok = true;
    if (!resolve_having(&r) || !resolve_order_by(&r))
        return false;
    for (size_t i = 0; i < r.having.len; i++)
        if (!check_grouped(&r, r.having.items[i], "where clause"))
            return false;
    out->only_source = table;
    out->columns = vec_to_array(a, &r.columns, sizeof(inquiry_column), &out->ncolumns);
    out->dims = vec_to_array(a, &r.dims, sizeof(inquiry_dim), &out->ndims);
    out->metrics = vec_to_array(a, &r.metrics, sizeof(inquiry_metric), &out->nmetrics);
    out->order = vec_to_array(a, &r.order, sizeof(inquiry_order), &out->norder);
    out->nfilters = r.filters.len;
    out->filters = (const expr **)r.filters.items;
    out->nhaving = r.having.len;
    out->having = (const expr **)r.having.items;
    out->has_limit = s->has_limit;
    out->limit = s->limit;
    out->offset = s->offset;
    out->distinct = s->distinct;
    out->needs_final = needs_final_stage(out);
    return true;
}

/* ---- Row-level reads ---------------------------------------------------------
 *
 * mimir.metrics holds metrics, not rows: a statement that MySQL would answer
 * row by row has no exact answer here, and answering it at some grain would be
 * a different answer. Such statements are refused (issue 13 §1, docs/sql.md
 * "Row-level reads"); COUNT(*) and SELECT * are refused where they are read
 * (check_expr, resolve_select_item).
 */

typedef struct aggregate_use {
    bool mimir; /* AGG() or MEASURE(): Mimir's own syntax */
    bool mysql; /* SUM, MIN, MAX, AVG, ... as MySQL spells an aggregate */
} aggregate_use;

static void find_aggregates(const expr *e, aggregate_use *use)
{
    if (!e)
        return;
    if (e->kind == EX_FUNC && function_is_aggregate(e->text)) {
        bool own = !strcasecmp(e->text, "agg") || !strcasecmp(e->text, "measure");
        use->mimir |= own;
        use->mysql |= !own;
        return;
    }
    find_aggregates(e->left, use);
    find_aggregates(e->right, use);
    for (size_t i = 0; i < e->nargs; i++)
        find_aggregates(e->args[i], use);
}

/* The first column of e outside an aggregate (a dimension or a metric by name), or NULL. */
static const expr *free_column(const expr *e)
{
    if (!e || (e->kind == EX_FUNC && function_is_aggregate(e->text)))
        return NULL;
    if (e->kind == EX_COLUMN)
        return e;
    const expr *c = free_column(e->left);
    if (!c)
        c = free_column(e->right);
    for (size_t i = 0; !c && i < e->nargs; i++)
        c = free_column(e->args[i]);
    return c;
}

static const char *table_name(const inquiry *q)
{
    return q->only_source ? q->only_source->name : "metrics";
}

/*
 * MySQL 8 (ONLY_FULL_GROUP_BY, its default) refuses SUM(m) beside a bare
 * column without GROUP BY with 1140; Mimir's AGG()/MEASURE() group by the
 * selected dimensions instead (its documented syntax, which MySQL has no
 * answer for). A statement written with MySQL's aggregates gets MySQL's answer.
 */
static bool check_mixed_aggregates(const select_stmt *s, const inquiry *q, sql_error *err)
{
    for (size_t i = 0; i < s->nitems; i++) {
        const expr *c = free_column(s->items[i].e);
        if (!c)
            continue;
        sql_error_set(err, ER_MIX_OF_GROUP_FUNC_AND_FIELDS, "42000",
                      "In aggregated query without GROUP BY, expression #%zu of SELECT list "
                      "contains nonaggregated column 'mimir.%s.%s'; this is incompatible with "
                      "sql_mode=only_full_group_by",
                      i + 1, table_name(q), c->parts[c->nparts - 1]);
        return false;
    }
    return true;
}

bool inquiry_check_row_level(const select_stmt *s, const inquiry *q, sql_error *err)
{
    if (s->ngroup_by || (s->has_limit && s->limit == 0))
        return true; /* grouped; or no rows at all, the same answer as MySQL's */
    aggregate_use use = {false, false};
    for (size_t i = 0; i < s->nitems; i++)
        find_aggregates(s->items[i].e, &use);
    for (size_t i = 0; i < s->norder_by; i++)
        find_aggregates(s->order_by[i].e, &use);
    find_aggregates(s->having, &use);
    if (use.mysql)
        return check_mixed_aggregates(s, q, err);
    if (use.mimir)
        return true;
    if (q->nmetrics) {
        const char *m = q->metrics[0].m->name;
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "Row-level reads are not supported: '%s' is a metric named without an "
                      "aggregate or GROUP BY, which asks for one value per row of mimir.%s; Mimir "
                      "holds metrics, not rows. Write AGG(%s) (or SUM(%s)) and GROUP BY the "
                      "dimensions you select",
                      m, table_name(q), m, m);
        return false;
    }
    if (q->ndims && !s->distinct) {
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "Row-level reads are not supported: dimensions selected without GROUP BY, "
                      "DISTINCT or an aggregate ask for every row of mimir.%s, duplicates "
                      "included; write SELECT DISTINCT ... or GROUP BY the selected dimensions "
                      "for their distinct values",
                      table_name(q));
        return false;
    }
    return true;
}
