/* A user's row filter applied to a rollup's rows: see rollup_filter.h. */
#include "semantic/rollup_filter.h"

#include <stdlib.h>
#include <string.h>

#include "semantic/sql_scan.h"
#include "semantic/util.h"
#include "wire/xalloc.h"

/* The expression dimension dim of s is inside s's SQL (malloc'd), or NULL. */
static char *dimension_expr(const catalog *cat, const source *s, const char *dim)
{
    const dimension *def;
    dim_availability on = catalog_dim_on_source(cat, s, dim, &def);
    if (on == DIM_SPLICED)
        return xstrdup(def->expr);
    if (on != DIM_LOCAL)
        return NULL;
    char **exprs, **names;
    size_t n = sql_select_items(s->sql, s->shape.select_list_begin, s->shape.select_list_end,
                                &exprs, &names);
    char *e = NULL;
    for (size_t i = 0; i < n && !e; i++)
        if (names[i] && sem_name_eq(names[i], dim))
            e = xstrdup(exprs[i]);
    sem_strv_free(exprs, n);
    sem_strv_free(names, n);
    return e;
}

/*
 * Does the filter's ref name the column that parts (a dimension's plain reference)
 * names? The same parts do. A bare name and a qualified one with the same last part
 * do too: the WHERE and the select list read the same FROM tables, where a bare c
 * resolves among their columns, so when t.c exists c is t.c (or ambiguous: an
 * error, no rows) - unless a USING or NATURAL join merged two columns c into one
 * (merged). A qualifier the filter adds must be a name in the source's FROM clause
 * (a table it reads), not one that makes the filter fail on the source.
 */
static bool same_column(const sql_column_ref *ref, char **parts, size_t n, const source *s,
                        bool merged)
{
    if (ref->nparts == n) {
        for (size_t i = 0; i < n; i++)
            if (!sql_ident_same(ref->parts[i], parts[i]))
                return false;
        return true;
    }
    if (merged || (ref->nparts != 1 && n != 1) ||
        !sql_ident_same(ref->parts[ref->nparts - 1], parts[n - 1]))
        return false;
    /* The FROM clause: from the end of the select list to the WHERE (or where one
     * would go). */
    char *from = xstrndup(s->sql + s->shape.select_list_end,
                          s->shape.where_begin - s->shape.select_list_end);
    bool named = true;
    for (size_t i = 0; named && i + 1 < ref->nparts; i++) {
        char *missing = sql_first_name_missing(ref->parts[i], from);
        named = !missing;
        free(missing);
    }
    free(from);
    return named;
}

/* The dimension of r whose column ref names, or NULL. */
static const char *dimension_of(const catalog *cat, const source *s, const rollup *r,
                                const sql_column_ref *ref, bool merged)
{
    for (size_t i = 0; i < r->n_dimensions; i++) {
        char *e = dimension_expr(cat, s, r->dimensions[i]);
        char **parts;
        size_t n;
        bool plain = e && sql_plain_ref_parts(e, &parts, &n);
        free(e);
        if (!plain)
            continue;
        bool same = same_column(ref, parts, n, s, merged);
        sem_strv_free(parts, n);
        if (same)
            return r->dimensions[i];
    }
    return NULL;
}

/* Does a condition ANDed into s's WHERE only remove rows of s and of r's groups? */
static bool filter_only_removes_rows(const catalog *cat, const source *s, const rollup *r)
{
    const source_sql_shape *sh = &s->shape;
    char *head = xstrndup(s->sql, sh->select_list_begin);
    bool distinct = sql_has_word(head, "DISTINCT");
    free(head);
    if (distinct || sh->where_end != sh->sql_end ||
        !sql_row_wise(s->sql, sh->select_list_begin, sh->select_list_end))
        return false;
    for (size_t i = 0; i < r->n_dimensions; i++) {
        const dimension *def;
        if (catalog_dim_on_source(cat, s, r->dimensions[i], &def) == DIM_SPLICED &&
            !sql_row_wise(def->expr, 0, strlen(def->expr)))
            return false;
    }
    return true;
}

rollup_filter *rollup_filter_map(const catalog *cat, const source *s, const rollup *r,
                                 const char *filter)
{
    sql_column_ref *refs;
    size_t n;
    if (!filter_only_removes_rows(cat, s, r) || !sql_filter_column_refs(filter, &refs, &n))
        return NULL;
    bool merged = sql_has_word(s->sql, "USING") || sql_has_word(s->sql, "NATURAL");
    rollup_filter *f = xcalloc(1, sizeof(*f));
    f->sql = xstrdup(filter);
    f->refs = xcalloc(n + 1, sizeof(*f->refs));
    for (size_t i = 0; i < n; i++) {
        const char *dim = dimension_of(cat, s, r, &refs[i], merged);
        if (!dim) { /* a column the rollup does not hold: it cannot apply the filter */
            rollup_filter_free(f);
            f = NULL;
            break;
        }
        f->refs[f->n_refs++] =
            (rollup_filter_ref){.begin = refs[i].begin, .end = refs[i].end, .dimension = dim};
    }
    sql_column_refs_free(refs, n);
    return f;
}

void rollup_filter_free(rollup_filter *f)
{
    if (!f)
        return;
    free(f->sql);
    free(f->refs);
    free(f);
}
