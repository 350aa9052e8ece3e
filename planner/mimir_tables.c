#include "planner/mimir_tables.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "planner/inquiry.h"

typedef struct table_builder {
    arena *a;
    ptr_vec cols;                  /* mimir_column * */
    const discovered_types *types; /* NULL: declared types and defaults only */
    const char *source;            /* the source of a source's table; NULL for metrics */
} table_builder;

static void parse_type(const char *text, column_type *out)
{
    char why[96];
    /* Declared types were checked when the catalog loaded; the defaults are ours. */
    if (!column_type_parse(text, out, why, sizeof(why)))
        column_type_parse("varchar(255)", out, why, sizeof(why));
}

/*
 * A declared type wins; then what the backend said about the column: on the
 * table's source (on its own source, for a metric), or for mimir.metrics the
 * union over every source that has the column; then the default.
 */
static column_type_origin resolve_type(const table_builder *b, const char *declared,
                                       const char *name, const char *source, const char *fallback,
                                       column_type *out)
{
    if (declared) {
        parse_type(declared, out);
        return TYPE_DECLARED;
    }
    if (b->types) {
        const char *of = source ? source : b->source;
        const column_type *t = of ? discovered_types_get(b->types, of, name) : NULL;
        if (t) {
            *out = *t;
            return TYPE_DISCOVERED;
        }
        if (!of && discovered_types_merged(b->types, name, out))
            return TYPE_DISCOVERED;
    }
    parse_type(fallback, out);
    return TYPE_DEFAULT;
}

static bool has_column(const table_builder *b, const char *name)
{
    for (size_t i = 0; i < b->cols.len; i++)
        if (strcasecmp(((const mimir_column *)b->cols.items[i])->name, name) == 0)
            return true;
    return false;
}

static mimir_column *new_column(table_builder *b, const char *name, const char *comment,
                                mimir_column_role role)
{
    if (has_column(b, name))
        return NULL;
    mimir_column *c = arena_alloc(b->a, sizeof(*c));
    c->name = name;
    c->comment = comment ? comment : "";
    c->role = role;
    ptr_vec_push(b->a, &b->cols, c);
    return c;
}

/* A column whose type is fixed by Mimir (the grains computed from ts). */
static void add_fixed_column(table_builder *b, const char *name, const char *type,
                             const char *comment)
{
    mimir_column *c = new_column(b, name, comment, MCOL_GRAIN);
    if (c) {
        parse_type(type, &c->type);
        c->type_origin = TYPE_FIXED;
    }
}

/* A column typed by its declaration, else by discovery on source (NULL: the table's
 * source, or every source for mimir.metrics), else by fallback. */
static void add_column(table_builder *b, const char *name, const char *declared, const char *source,
                       const char *fallback, const char *comment, mimir_column_role role)
{
    mimir_column *c = new_column(b, name, comment, role);
    if (c)
        c->type_origin = resolve_type(b, declared, name, source, fallback, &c->type);
}

static void add_grains(table_builder *b, const catalog *cat)
{
    bool sunday = cat->cal.week_start == WEEK_START_SUNDAY;
    /* ts is the source's time column: DATETIME, or DATE when the backend says so. */
    add_column(b, "ts", NULL, NULL, "datetime", "Time of the row: the source's time column",
               MCOL_GRAIN);
    add_fixed_column(b, "ds", "date", "Day of ts");
    add_fixed_column(b, "year_month", "date", "First day of the month of ts");
    add_fixed_column(b, "year", "int", "Year of ts");
    add_fixed_column(b, "ts_second", "datetime", "ts truncated to the second (UTC)");
    add_fixed_column(b, "ts_minute", "datetime", "ts truncated to the minute (UTC)");
    add_fixed_column(b, "ts_hour", "datetime", "ts truncated to the hour (UTC)");
    add_fixed_column(b, "week", "date",
                     sunday ? "Sunday of the week of ts" : "Monday of the ISO week of ts");
    add_fixed_column(b, "quarter", "date", "First day of the quarter of ts");
    if (time_grain_available(cat, GRAIN_FISCAL_YEAR))
        add_fixed_column(b, "fiscal_year", "date", "First day of the fiscal year of ts");
    if (time_grain_available(cat, GRAIN_FISCAL_QUARTER))
        add_fixed_column(b, "fiscal_quarter", "date", "First day of the fiscal quarter of ts");
}

/* True when expr starts with the aggregate call fn( (case-insensitively). */
static bool starts_with_call(const char *expr, const char *fn)
{
    while (isspace((unsigned char)*expr))
        expr++;
    size_t n = strlen(fn);
    if (strncasecmp(expr, fn, n) != 0)
        return false;
    expr += n;
    while (isspace((unsigned char)*expr))
        expr++;
    return *expr == '(';
}

/* The best guess for an undeclared metric: counts are integers, averages are
 * approximate, anything else (SUM of amounts, mostly) exact with cents. */
static const char *default_metric_type(const metric *m)
{
    if (starts_with_call(m->expr, "count"))
        return "bigint";
    if (starts_with_call(m->expr, "avg"))
        return "double";
    return "decimal(65,2)";
}

/* The metric whose type a time metric has: its base's, through time metrics over time
 * metrics (refused when queried, typed all the same). */
static const metric *typed_as(const catalog *cat, const metric *m)
{
    for (int depth = 0; m && m->time_kind != TIME_METRIC_NONE && depth < CATALOG_DERIVED_MAX_DEPTH;
         depth++)
        m = catalog_metric(cat, m->base_metric);
    return m && m->time_kind == TIME_METRIC_NONE ? m : NULL;
}

static void add_metric(table_builder *b, const catalog *cat, const metric *m)
{
    const metric *base = typed_as(cat, m);
    if (base && base != m && !base->derived) { /* an offset or cumulative: its base's type */
        mimir_column *c = new_column(b, m->name, m->description, MCOL_METRIC);
        if (c)
            c->type_origin = resolve_type(b, base->type, base->name, base->source_name,
                                          default_metric_type(base), &c->type);
        return;
    }
    if (m->derived) { /* computed after the combine: always a DOUBLE */
        mimir_column *c = new_column(b, m->name, m->description, MCOL_METRIC);
        if (c) {
            parse_type("double", &c->type);
            c->type_origin = TYPE_FIXED;
        }
        return;
    }
    add_column(b, m->name, m->type, m->source_name, default_metric_type(m), m->description,
               MCOL_METRIC);
}

static bool is_grain(const catalog *cat, const char *name)
{
    time_grain g;
    const char *canonical;
    return catalog_time_grain_of(cat, name, &g, &canonical);
}

/* "Column of source orders" / "Column of sources orders, visits". */
static const char *local_column_comment(arena *a, const catalog *cat, const char *name)
{
    buf text;
    buf_init(&text);
    size_t n = 0;
    for (size_t i = 0; i < cat->n_sources; i++) {
        const source *s = &cat->sources[i];
        for (size_t j = 0; j < s->n_local_columns; j++) {
            if (strcasecmp(s->local_columns[j], name) == 0) {
                buf_printf(&text, "%s%s", n++ ? ", " : "", s->name);
                break;
            }
        }
    }
    const char *out = arena_printf(a, "Column of source%s %s", n > 1 ? "s" : "", buf_cstr(&text));
    buf_free(&text);
    return out;
}

static void finish(table_builder *b, mimir_table *t, const char *name, const char *comment)
{
    t->name = name;
    t->comment = comment ? comment : "";
    t->ncols = b->cols.len;
    t->cols = arena_alloc(b->a, (b->cols.len + 1) * sizeof(mimir_column));
    for (size_t i = 0; i < b->cols.len; i++)
        t->cols[i] = *(mimir_column *)b->cols.items[i];
}

static void build_metrics_table(arena *a, const catalog *cat, const discovered_types *types,
                                mimir_table *t)
{
    table_builder b = {.a = a, .types = types};
    add_grains(&b, cat);
    for (size_t i = 0; i < cat->n_dimensions; i++) {
        const dimension *d = &cat->dimensions[i];
        add_column(&b, d->name, d->type, NULL, "varchar(255)", d->description, MCOL_DIMENSION);
    }
    for (size_t i = 0; i < cat->n_sources; i++) {
        const source *s = &cat->sources[i];
        for (size_t j = 0; j < s->n_local_columns; j++) {
            const char *c = s->local_columns[j];
            if (!is_grain(cat, c) && !has_column(&b, c))
                add_column(&b, c, NULL, NULL, "varchar(255)", local_column_comment(a, cat, c),
                           MCOL_DIMENSION);
        }
    }
    for (size_t i = 0; i < cat->n_metrics; i++)
        add_metric(&b, cat, &cat->metrics[i]);
    finish(&b, t, MIMIR_METRICS_TABLE,
           "Every metric and dimension of the semantic layer: select dimensions and AGG(metric)");
}

static void build_source_table(arena *a, const catalog *cat, const discovered_types *types,
                               const source *s, mimir_table *t)
{
    table_builder b = {.a = a, .types = types, .source = s->name};
    add_grains(&b, cat);
    for (size_t j = 0; j < s->n_local_columns; j++) {
        const char *c = s->local_columns[j];
        if (!is_grain(cat, c))
            add_column(&b, c, NULL, NULL, "varchar(255)",
                       arena_printf(a, "Column of source %s", s->name), MCOL_DIMENSION);
    }
    for (size_t i = 0; i < cat->n_dimensions; i++) {
        const dimension *d = &cat->dimensions[i];
        if (catalog_dim_on_source(cat, s, d->name, NULL) == DIM_SPLICED)
            add_column(&b, d->name, d->type, NULL, "varchar(255)", d->description, MCOL_DIMENSION);
    }
    for (size_t i = 0; i < cat->n_metrics; i++)
        if (!cat->metrics[i].derived && strcasecmp(cat->metrics[i].source_name, s->name) == 0)
            add_metric(&b, cat, &cat->metrics[i]);
    finish(&b, t, s->name, s->description);
}

size_t mimir_tables_typed(arena *a, const catalog *cat, const discovered_types *types,
                          mimir_table **out)
{
    mimir_table *tables = arena_alloc(a, (cat->n_sources + 1) * sizeof(*tables));
    size_t n = 0;
    build_metrics_table(a, cat, types, &tables[n++]);
    for (size_t i = 0; i < cat->n_sources; i++)
        if (strcasecmp(cat->sources[i].name, MIMIR_METRICS_TABLE) != 0)
            build_source_table(a, cat, types, &cat->sources[i], &tables[n++]);
    *out = tables;
    return n;
}

size_t mimir_tables(arena *a, const catalog *cat, mimir_table **out)
{
    return mimir_tables_typed(a, cat, NULL, out);
}
