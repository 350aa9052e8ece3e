/* The neutral catalog `mimir discover` reads databases into: see discover.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proxy/cli/discover.h"
#include "wire/xalloc.h"

disc_table *disc_table_find(const disc_catalog *c, const char *name)
{
    for (size_t i = 0; i < c->ntables; i++)
        if (strcmp(c->tables[i].name, name) == 0)
            return &c->tables[i];
    return NULL;
}

disc_table *disc_table_add(disc_catalog *c, const char *name)
{
    disc_table *t = disc_table_find(c, name);
    if (t)
        return t;
    c->tables = xreallocarray(c->tables, c->ntables + 1, sizeof *c->tables);
    t = &c->tables[c->ntables++];
    *t = (disc_table){.name = xstrdup(name), .rows = -1};
    return t;
}

disc_column *disc_column_find(const disc_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return &t->cols[i];
    return NULL;
}

disc_column *disc_column_add(disc_table *t, const char *name, const char *type, dcol_kind kind,
                             bool not_null)
{
    t->cols = xreallocarray(t->cols, t->ncols + 1, sizeof *t->cols);
    disc_column *col = &t->cols[t->ncols++];
    *col = (disc_column){.name = xstrdup(name),
                         .type = xstrdup(type ? type : ""),
                         .kind = kind,
                         .not_null = not_null,
                         .distinct = -1};
    return col;
}

disc_fk *disc_fk_add(disc_table *t, const char *ref_table)
{
    t->fks = xreallocarray(t->fks, t->nfks + 1, sizeof *t->fks);
    disc_fk *fk = &t->fks[t->nfks++];
    *fk = (disc_fk){.ref_table = xstrdup(ref_table)};
    return fk;
}

disc_names *disc_unique_add(disc_table *t)
{
    t->uniques = xreallocarray(t->uniques, t->nuniques + 1, sizeof *t->uniques);
    disc_names *u = &t->uniques[t->nuniques++];
    *u = (disc_names){0};
    return u;
}

void disc_names_push(disc_names *n, const char *s)
{
    n->v = xreallocarray(n->v, n->n + 1, sizeof *n->v);
    n->v[n->n++] = xstrdup(s);
}

bool disc_names_has(const disc_names *n, const char *s)
{
    for (size_t i = 0; i < n->n; i++)
        if (strcmp(n->v[i], s) == 0)
            return true;
    return false;
}

/* The same set of names (a key's columns, in any order). */
bool disc_names_same(const disc_names *a, const disc_names *b)
{
    if (a->n != b->n || a->n == 0)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (!disc_names_has(b, a->v[i]))
            return false;
    return true;
}

static void names_free(disc_names *n)
{
    for (size_t i = 0; i < n->n; i++)
        free(n->v[i]);
    free(n->v);
}

static void table_free(disc_table *t)
{
    free(t->name);
    for (size_t i = 0; i < t->ncols; i++) {
        free(t->cols[i].name);
        free(t->cols[i].type);
    }
    free(t->cols);
    names_free(&t->pk);
    for (size_t i = 0; i < t->nuniques; i++)
        names_free(&t->uniques[i]);
    free(t->uniques);
    for (size_t i = 0; i < t->nfks; i++) {
        names_free(&t->fks[i].cols);
        names_free(&t->fks[i].ref_cols);
        free(t->fks[i].ref_table);
    }
    free(t->fks);
}

void disc_catalog_free(disc_catalog *c)
{
    for (size_t i = 0; i < c->ntables; i++)
        table_free(&c->tables[i]);
    free(c->tables);
    free(c->schema);
    *c = (disc_catalog){0};
}

static dcol_kind kind_of_letter(const char *s)
{
    switch (s ? *s : 'O') {
    case 'B':
        return DCOL_BOOL;
    case 'N':
        return DCOL_NUMBER;
    case 'T':
        return DCOL_TEXT;
    case 'D':
        return DCOL_TIME;
    default:
        return DCOL_OTHER;
    }
}

void disc_columns_from_rows(disc_catalog *c, const disc_rows *r)
{
    for (size_t i = 0; i < r->nrows; i++) {
        const char *table = disc_cell(r, i, 0), *col = disc_cell(r, i, 1);
        const char *nn = disc_cell(r, i, 3);
        if (!table || !col)
            continue;
        bool not_null =
            nn && (strcmp(nn, "1") == 0 || strcmp(nn, "t") == 0 || strcmp(nn, "YES") == 0);
        disc_column_add(disc_table_add(c, table), col, disc_cell(r, i, 2),
                        kind_of_letter(disc_cell(r, i, 4)), not_null);
    }
}

/* The key a key row adds its column to: a new one when the constraint changes. */
static void key_row(disc_catalog *c, const disc_rows *r, size_t i, bool new_key)
{
    disc_table *t = disc_table_find(c, disc_cell(r, i, 0));
    const char *kind = disc_cell(r, i, 2), *col = disc_cell(r, i, 3);
    const char *ref = disc_cell(r, i, 4), *ref_col = disc_cell(r, i, 5);
    if (!t || !kind || !col)
        return;
    if (*kind == 'p') {
        if (new_key && t->pk.n)
            return; /* one primary key */
        disc_names_push(&t->pk, col);
    } else if (*kind == 'u') {
        disc_names_push(new_key || !t->nuniques ? disc_unique_add(t) : &t->uniques[t->nuniques - 1],
                        col);
    } else if (ref && disc_table_find(c, ref)) {
        disc_fk *fk = new_key || !t->nfks ? disc_fk_add(t, ref) : &t->fks[t->nfks - 1];
        disc_names_push(&fk->cols, col);
        if (ref_col)
            disc_names_push(&fk->ref_cols, ref_col);
    }
}

void disc_keys_from_rows(disc_catalog *c, const disc_rows *r)
{
    for (size_t i = 0; i < r->nrows; i++) {
        bool new_key = i == 0;
        for (size_t k = 0; k < 2 && !new_key; k++) {
            const char *a = disc_cell(r, i, k), *b = disc_cell(r, i - 1, k);
            new_key = !a || !b || strcmp(a, b) != 0;
        }
        key_row(c, r, i, new_key);
    }
    /* A foreign key naming no columns refers to its table's primary key (SQLite). */
    for (size_t i = 0; i < c->ntables; i++)
        for (size_t k = 0; k < c->tables[i].nfks; k++) {
            disc_fk *fk = &c->tables[i].fks[k];
            const disc_table *ref = disc_table_find(c, fk->ref_table);
            if (fk->ref_cols.n == 0 && ref)
                for (size_t j = 0; j < ref->pk.n; j++)
                    disc_names_push(&fk->ref_cols, ref->pk.v[j]);
        }
}

static bool name_is(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcasecmp(name, *list) == 0)
            return true;
    return false;
}

static bool name_ends(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    return n > k && strcasecmp(name + n - k, suffix) == 0;
}

/* table_suffix: the table's name (or its singular, without a trailing 's') then suffix. */
static bool table_named(const char *table, const char *col, const char *suffix)
{
    size_t t = strlen(table), k = strlen(suffix);
    for (int singular = 0; singular < 2; singular++) {
        size_t len = t - (size_t)singular;
        if (singular && (t < 2 || (table[t - 1] != 's' && table[t - 1] != 'S')))
            break;
        if (strlen(col) == len + k && strncasecmp(col, table, len) == 0 &&
            strcasecmp(col + len, suffix) == 0)
            return true;
    }
    return false;
}

int disc_time_name_score(const char *table, const char *col)
{
    static const char *const audit[] = {
        "last_update", "last_updated", "updated",       "updated_at", "updated_on", "modified",
        "modified_at", "modified_on",  "last_modified", "deleted_at", "synced_at",  NULL};
    static const char *const event[] = {"ts",         "timestamp",  "created",     "created_at",
                                        "created_on", "event_time", "occurred_at", "date",
                                        "time",       NULL};
    static const char *const suffixes[] = {"_at", "_date",     "_time",      "_ts",
                                           "_on", "_datetime", "_timestamp", NULL};
    if (name_is(col, audit))
        return 0;
    for (const char *const *s = suffixes; *s; s++)
        if (table_named(table, col, *s))
            return 4;
    if (name_is(col, event))
        return 3;
    for (const char *const *s = suffixes; *s; s++)
        if (name_ends(col, *s))
            return 2;
    return 1;
}
