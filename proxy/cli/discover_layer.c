/*
 * `mimir discover`: from the neutral catalog to a starter semantic layer.
 *
 * A fact table is one with a time column (a date or timestamp that is not
 * an audit column such as last_update) and at least one foreign key. Each
 * becomes a source: the fact table LEFT JOINed, breadth first, to what its
 * foreign keys reach, and what theirs reach, up to JOIN_DEPTH steps. Only
 * many-to-one steps are taken: a foreign key whose referenced columns are the
 * referenced table's primary key or one of its unique keys, followed from the
 * referencing side, so every row of the fact table meets at most one row of
 * each joined table, and LEFT JOIN keeps the rows whose key is NULL or
 * dangling: the source has exactly the fact table's rows. A table already on
 * the path to a node is not joined again (no cycles); the same table reached
 * by two paths is joined twice, under names that say the path
 * (inventory_store, staff_store).
 *
 * Dimensions: the text and boolean columns of the joined tables and their
 * numeric columns with few distinct values; the fact table's own boolean
 * columns and text columns with few distinct values. Key columns are ids,
 * not dimensions, and columns named like secrets (password, token) are left
 * out. Metrics: the count of the fact table's primary key and the sum of each
 * of its numeric columns that is not a key (nor named like one: id, *_id). A dimension two sources
 * would define alike (the same alias and column) is defined once and listed by the other source.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proxy/cli/discover.h"
#include "wire/xalloc.h"

enum { JOIN_DEPTH = 3, MAX_JOINS = 24, LOW_CARDINALITY = 50 };

typedef struct join_node {
    const disc_table *t;
    char *alias;
    int parent;        /* -1 for the fact table */
    const disc_fk *fk; /* from the parent's table to t */
    int depth;
} join_node;

typedef struct src_build {
    const disc_catalog *c;
    const char *connection;
    const disc_table *fact;
    const disc_column *time;
    const char *count_col; /* NULL: COUNT(*) */
    join_node nodes[MAX_JOINS + 1];
    size_t n;
    disc_layer *layer;
    disc_source *src;
} src_build;

/* A name Mimir can use unquoted: lower case letters, digits and '_'. */
static char *layer_name(const char *s)
{
    char *out = xmalloc(strlen(s) + 3);
    size_t k = 0;
    if (isdigit((unsigned char)*s) || !*s) {
        out[k++] = 't';
        out[k++] = '_';
    }
    for (; *s; s++)
        out[k++] = isalnum((unsigned char)*s) ? (char)tolower((unsigned char)*s) : '_';
    out[k] = '\0';
    return out;
}

static char *q(const src_build *b, const char *ident)
{
    return disc_quote(b->c->kind, ident);
}

/* "alias"."col" in the backend's dialect. */
static char *qualified(const src_build *b, const char *alias, const char *col)
{
    char *a = q(b, alias), *c = q(b, col);
    char *out = xasprintf("%s.%s", a, c);
    free(a);
    free(c);
    return out;
}

/* The table as FROM names it: schema-qualified where there are schemas. */
static char *table_ref(const src_build *b, const disc_table *t)
{
    if (!b->c->schema)
        return q(b, t->name);
    return qualified(b, b->c->schema, t->name);
}

static bool is_fk_column(const disc_table *t, const char *col)
{
    for (size_t i = 0; i < t->nfks; i++)
        if (disc_names_has(&t->fks[i].cols, col))
            return true;
    return false;
}

static bool is_key_column(const disc_table *t, const char *col)
{
    return disc_names_has(&t->pk, col) || is_fk_column(t, col);
}

static bool looks_secret(const char *name)
{
    static const char *const words[] = {"password", "passwd", "secret", "token", "salt", NULL};
    for (const char *const *w = words; *w; w++)
        if (strcasestr(name, *w))
            return true;
    return false;
}

static bool low_cardinality(const disc_table *t, const disc_column *col)
{
    return col->distinct >= 1 && col->distinct <= LOW_CARDINALITY && col->distinct * 10 < t->rows;
}

/* The fact table's time column: the best named, NOT NULL first; NULL when none. */
static const disc_column *time_column(const disc_table *t)
{
    const disc_column *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < t->ncols; i++) {
        const disc_column *col = &t->cols[i];
        int name = disc_time_name_score(t->name, col->name);
        int score = name * 2 + (col->not_null ? 1 : 0);
        if (col->kind == DCOL_TIME && name > 0 && score > best_score) {
            best = col;
            best_score = score;
        }
    }
    return best;
}

/* True when following fk reaches at most one row: its columns are a key of ref. */
static bool many_to_one(const disc_fk *fk, const disc_table *ref)
{
    if (disc_names_same(&fk->ref_cols, &ref->pk))
        return true;
    for (size_t i = 0; i < ref->nuniques; i++)
        if (disc_names_same(&fk->ref_cols, &ref->uniques[i]))
            return true;
    return false;
}

static bool on_path(const src_build *b, int node, const disc_table *t)
{
    for (; node >= 0; node = b->nodes[node].parent)
        if (b->nodes[node].t == t)
            return true;
    return false;
}

/* How a step is called: the referenced table, or its column without _id when
 * the table has several foreign keys to it (film.language, film.original_language). */
static char *step_name(const disc_table *from, const disc_fk *fk)
{
    size_t same = 0;
    for (size_t i = 0; i < from->nfks; i++)
        same += strcmp(from->fks[i].ref_table, fk->ref_table) == 0;
    if (same < 2 || fk->cols.n != 1)
        return layer_name(fk->ref_table);
    char *name = layer_name(fk->cols.v[0]);
    size_t n = strlen(name);
    if (n > 3 && strcmp(name + n - 3, "_id") == 0)
        name[n - 3] = '\0';
    return name;
}

static bool alias_taken(const src_build *b, const char *alias)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->nodes[i].alias, alias) == 0)
            return true;
    return false;
}

static void add_join(src_build *b, int parent, const disc_fk *fk, const disc_table *ref)
{
    const join_node *p = &b->nodes[parent];
    char *step = step_name(p->t, fk);
    char *alias = p->parent < 0 ? xstrdup(step) : xasprintf("%s_%s", p->alias, step);
    for (int k = 2; alias_taken(b, alias); k++) {
        free(alias);
        alias =
            p->parent < 0 ? xasprintf("%s_%d", step, k) : xasprintf("%s_%s_%d", p->alias, step, k);
    }
    free(step);
    b->nodes[b->n++] =
        (join_node){.t = ref, .alias = alias, .parent = parent, .fk = fk, .depth = p->depth + 1};
}

/* The joins, breadth first from the fact table. */
static void build_joins(src_build *b)
{
    b->nodes[0] = (join_node){.t = b->fact, .alias = layer_name(b->fact->name), .parent = -1};
    b->n = 1;
    for (size_t i = 0; i < b->n; i++) {
        const join_node *node = &b->nodes[i];
        if (node->depth >= JOIN_DEPTH)
            continue;
        for (size_t k = 0; k < node->t->nfks && b->n <= MAX_JOINS; k++) {
            const disc_fk *fk = &node->t->fks[k];
            const disc_table *ref = disc_table_find(b->c, fk->ref_table);
            if (ref && fk->cols.n == fk->ref_cols.n && many_to_one(fk, ref) &&
                !on_path(b, (int)i, ref))
                add_join(b, (int)i, fk, ref);
        }
    }
}

/* "rental.customer_id -> customer.customer_id, then ...": how node i is reached. */
static void write_path(FILE *f, const src_build *b, int i)
{
    const join_node *n = &b->nodes[i];
    if (n->parent < 0)
        return;
    const join_node *p = &b->nodes[n->parent];
    if (p->parent >= 0) {
        write_path(f, b, n->parent);
        fputs(", then ", f);
    }
    for (size_t k = 0; k < n->fk->cols.n; k++)
        fprintf(f, "%s%s.%s", k ? ", " : "", p->t->name, n->fk->cols.v[k]);
    fputs(" -> ", f);
    for (size_t k = 0; k < n->fk->ref_cols.n; k++)
        fprintf(f, "%s%s.%s", k ? ", " : "", n->t->name, n->fk->ref_cols.v[k]);
}

/* The ON condition of node i's join: alias.ref_col = parent.col AND ... */
static void write_on(FILE *f, const src_build *b, int i)
{
    const join_node *n = &b->nodes[i], *p = &b->nodes[n->parent];
    for (size_t k = 0; k < n->fk->cols.n; k++) {
        char *left = qualified(b, n->alias, n->fk->ref_cols.v[k]);
        char *right = qualified(b, p->alias, n->fk->cols.v[k]);
        fprintf(f, "%s%s = %s", k ? " AND " : "", left, right);
        free(left);
        free(right);
    }
}

/* An id by its name (id, *_id) though no key says so: counted, never summed. */
static bool named_like_id(const char *name)
{
    size_t n = strlen(name);
    return strcasecmp(name, "id") == 0 || (n > 3 && strcasecmp(name + n - 3, "_id") == 0);
}

/* A numeric column of the fact table that is summed. */
static bool is_measure(const src_build *b, const disc_column *col)
{
    return col->kind == DCOL_NUMBER && !is_key_column(b->fact, col->name) &&
           !named_like_id(col->name) && col != b->time && !looks_secret(col->name);
}

/* An output column of the fact table: "alias"."col" AS "col". */
static void write_output(FILE *f, const src_build *b, const char *col, const char *as, bool *first)
{
    char *expr = qualified(b, b->nodes[0].alias, col), *name = q(b, as);
    fprintf(f, "%s\n    %s AS %s", *first ? "" : ",", expr, name);
    *first = false;
    free(expr);
    free(name);
}

/* The output: the counted key, the time column, the single-column foreign keys, the measures. */
static void write_select_list(FILE *f, const src_build *b)
{
    bool first = true;
    fputs("SELECT", f);
    if (b->count_col)
        write_output(f, b, b->count_col, b->count_col, &first);
    write_output(f, b, b->time->name, b->src->time_alias, &first);
    for (size_t i = 0; i < b->fact->nfks; i++) {
        const disc_fk *fk = &b->fact->fks[i];
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            seen = seen || disc_names_same(&b->fact->fks[k].cols, &fk->cols);
        if (fk->cols.n == 1 && !seen && strcmp(fk->cols.v[0], b->time->name) != 0 &&
            (!b->count_col || strcmp(fk->cols.v[0], b->count_col) != 0))
            write_output(f, b, fk->cols.v[0], fk->cols.v[0], &first);
    }
    for (size_t i = 0; i < b->fact->ncols; i++)
        if (is_measure(b, &b->fact->cols[i]))
            write_output(f, b, b->fact->cols[i].name, b->fact->cols[i].name, &first);
}

static char *source_sql(const src_build *b)
{
    char *sql = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&sql, &len);
    write_select_list(f, b);
    char *from = table_ref(b, b->fact), *alias = q(b, b->nodes[0].alias);
    fprintf(f, "\nFROM %s AS %s", from, alias);
    free(from);
    free(alias);
    for (size_t i = 1; i < b->n; i++) {
        from = table_ref(b, b->nodes[i].t);
        alias = q(b, b->nodes[i].alias);
        fprintf(f, "\nLEFT JOIN %s AS %s ON ", from, alias);
        write_on(f, b, (int)i);
        free(from);
        free(alias);
    }
    fputc('\n', f);
    fclose(f);
    return sql;
}

/* The time column's output name: ts, unless another output column has it. */
static char *time_alias(const src_build *b)
{
    bool taken = b->count_col && strcasecmp(b->count_col, "ts") == 0;
    for (size_t i = 0; i < b->fact->ncols; i++) {
        const disc_column *col = &b->fact->cols[i];
        if (col != b->time && strcasecmp(col->name, "ts") == 0 &&
            (is_measure(b, col) || is_fk_column(b->fact, col->name)))
            taken = true;
    }
    return taken ? xasprintf("%s_ts", b->time->name) : xstrdup("ts");
}

/* The primary key column COUNT counts: the first that is not the time column. */
static const char *count_column(const disc_table *t, const disc_column *time)
{
    for (size_t i = 0; i < t->pk.n; i++)
        if (strcmp(t->pk.v[i], time->name) != 0)
            return t->pk.v[i];
    return NULL;
}

/* Why col of node i is a dimension, or NULL when it is not one. */
static const char *dimension_reason(const src_build *b, int i, const disc_column *col)
{
    const disc_table *t = b->nodes[i].t;
    if (is_key_column(t, col->name) || looks_secret(col->name) || col == b->time)
        return NULL;
    if (col->kind == DCOL_BOOL)
        return "a boolean column";
    if (i > 0 && col->kind == DCOL_TEXT)
        return "a text column of a joined table";
    if (col->kind != DCOL_TEXT && (i == 0 || col->kind != DCOL_NUMBER))
        return NULL;
    if (!low_cardinality(t, col))
        return NULL;
    return col->kind == DCOL_TEXT ? "a text column with few distinct values"
                                  : "a numeric column with few distinct values";
}

static const disc_def *find_dim(const disc_layer *l, const char *name, size_t *owner)
{
    for (size_t s = 0; s < l->nsources; s++)
        for (size_t k = 0; k < l->sources[s].ndims; k++)
            if (strcmp(l->sources[s].dims[k].name, name) == 0) {
                *owner = s;
                return &l->sources[s].dims[k];
            }
    return NULL;
}

static char *dim_description(const src_build *b, int i, const disc_column *col, const char *why)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    fprintf(f, "%s.%s (%s), %s", b->nodes[i].t->name, col->name, col->type, why);
    if (col->distinct >= 0 && strstr(why, "few"))
        fprintf(f, " (%lld distinct values in %lld rows, counted by mimir discover)", col->distinct,
                b->nodes[i].t->rows);
    if (i == 0)
        fprintf(f, "; a column of the fact table %s.", b->fact->name);
    else {
        fputs("; reached many-to-one by ", f);
        write_path(f, b, i);
        fputs(" (LEFT JOIN).", f);
    }
    fclose(f);
    return text;
}

/* Adds the dimension for col of node i, or lists the same one another source defines. */
static void add_dimension(src_build *b, int i, const disc_column *col, const char *why)
{
    char *col_name = layer_name(col->name);
    char *name = xasprintf("dim_%s_%s", b->nodes[i].alias, col_name);
    char *sql = qualified(b, b->nodes[i].alias, col->name);
    size_t owner = 0;
    const disc_def *same = find_dim(b->layer, name, &owner);
    for (int k = 2; same && strcmp(same->sql, sql) != 0; k++) {
        free(name);
        name = xasprintf("dim_%s_%s_%s_%d", b->src->name, b->nodes[i].alias, col_name, k);
        same = find_dim(b->layer, name, &owner);
    }
    free(col_name);
    if (same) {
        if (&b->layer->sources[owner] != b->src && !disc_names_has(&b->src->shared_dims, name))
            disc_names_push(&b->src->shared_dims, name);
        free(name);
        free(sql);
        return;
    }
    disc_source *s = b->src;
    s->dims = xreallocarray(s->dims, s->ndims + 1, sizeof *s->dims);
    s->dims[s->ndims++] =
        (disc_def){.name = name, .sql = sql, .description = dim_description(b, i, col, why)};
}

static void add_dimensions(src_build *b)
{
    for (size_t i = 0; i < b->n; i++)
        for (size_t k = 0; k < b->nodes[i].t->ncols; k++) {
            const disc_column *col = &b->nodes[i].t->cols[k];
            const char *why = dimension_reason(b, (int)i, col);
            if (why)
                add_dimension(b, (int)i, col, why);
        }
}

static void add_metric(disc_source *s, char *name, char *sql, char *description)
{
    s->metrics = xreallocarray(s->metrics, s->nmetrics + 1, sizeof *s->metrics);
    s->metrics[s->nmetrics++] = (disc_def){.name = name, .sql = sql, .description = description};
}

static void add_metrics(src_build *b)
{
    disc_source *s = b->src;
    char *counted = b->count_col ? q(b, b->count_col) : xstrdup("*");
    add_metric(s, xasprintf("%s_count", s->name), xasprintf("COUNT(%s)", counted),
               b->count_col ? xasprintf("Number of %s rows: COUNT of its primary key column %s.",
                                        b->fact->name, b->count_col)
                            : xasprintf("Number of %s rows: COUNT(*) (the table has no primary "
                                        "key column other than its time column).",
                                        b->fact->name));
    free(counted);
    for (size_t i = 0; i < b->fact->ncols; i++) {
        const disc_column *col = &b->fact->cols[i];
        if (!is_measure(b, col))
            continue;
        char *col_name = layer_name(col->name), *quoted = q(b, col->name);
        add_metric(s, xasprintf("%s_%s_sum", s->name, col_name), xasprintf("SUM(%s)", quoted),
                   xasprintf("Sum of %s.%s (%s): a numeric column of the fact table that is "
                             "not a key or named like an id.",
                             b->fact->name, col->name, col->type));
        free(col_name);
        free(quoted);
    }
}

static char *source_description(const src_build *b)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    fprintf(f, "One row per row of the table %s (%lld rows when discovered), with time column %s",
            b->fact->name, b->fact->rows, b->time->name);
    if (b->n > 1) {
        fputs(", LEFT JOINed many-to-one (so no row is lost or repeated) to", f);
        for (size_t i = 1; i < b->n; i++)
            fprintf(f, "%s %s AS %s", i > 1 ? "," : "", b->nodes[i].t->name, b->nodes[i].alias);
    }
    fprintf(f, ". Written by mimir discover from the catalog of connection %s.", b->connection);
    fclose(f);
    return text;
}

/* The table's name as a layer name, made unique ("Order" and "order" both facts). */
static char *source_name(const disc_layer *l, const char *table)
{
    char *base = layer_name(table), *name = xstrdup(base);
    for (int k = 2;; k++) {
        bool taken = false;
        for (size_t i = 0; i < l->nsources && !taken; i++)
            taken = strcmp(l->sources[i].name, name) == 0;
        if (!taken)
            break;
        free(name);
        name = xasprintf("%s_%d", base, k);
    }
    free(base);
    return name;
}

static void build_source(src_build *b)
{
    disc_layer *l = b->layer;
    l->sources = xreallocarray(l->sources, l->nsources + 1, sizeof *l->sources);
    char *name = source_name(l, b->fact->name);
    b->src = &l->sources[l->nsources++];
    *b->src = (disc_source){.name = name};
    b->count_col = count_column(b->fact, b->time);
    build_joins(b);
    b->src->time_alias = time_alias(b);
    b->src->time_col = qualified(b, b->nodes[0].alias, b->time->name);
    b->src->sql = source_sql(b);
    b->src->description = source_description(b);
    add_dimensions(b);
    add_metrics(b);
    for (size_t i = 0; i < b->n; i++)
        free(b->nodes[i].alias);
}

bool discover_layer_build(const disc_catalog *c, const char *connection_name, disc_layer *out,
                          char *err, size_t errlen)
{
    *out = (disc_layer){0};
    for (size_t i = 0; i < c->ntables; i++) {
        const disc_table *t = &c->tables[i];
        const disc_column *time = time_column(t);
        if (!t->nfks || !time)
            continue;
        src_build b = {
            .c = c, .connection = connection_name, .fact = t, .time = time, .layer = out};
        build_source(&b);
    }
    if (out->nsources)
        return true;
    snprintf(err, errlen,
             "no fact table found among the %zu tables: a fact table has a date or timestamp "
             "column (other than an audit column such as last_update) and a foreign key",
             c->ntables);
    return false;
}

static void defs_free(disc_def *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(d[i].name);
        free(d[i].sql);
        free(d[i].description);
    }
    free(d);
}

void discover_layer_free(disc_layer *l)
{
    for (size_t i = 0; i < l->nsources; i++) {
        disc_source *s = &l->sources[i];
        free(s->name);
        free(s->description);
        free(s->time_col);
        free(s->time_alias);
        free(s->sql);
        for (size_t k = 0; k < s->shared_dims.n; k++)
            free(s->shared_dims.v[k]);
        free(s->shared_dims.v);
        defs_free(s->dims, s->ndims);
        defs_free(s->metrics, s->nmetrics);
    }
    free(l->sources);
    *l = (disc_layer){0};
}
