#include "planner/probe.h"

#include <string.h>
#include <strings.h>

#include "planner/info_schema.h"
#include "planner/inquiry.h"
#include "planner/mimir_tables.h"

/* A condition made of literals only that is false: 1 = 0, 0, FALSE, 1 <> 1, ... */
static bool constant_false(const expr *e)
{
    if (!e)
        return false;
    if (e->kind == EX_LITERAL)
        return !e->subquery_value &&
               (e->lit == LIT_FALSE || (e->lit == LIT_INT && strcmp(e->text, "0") == 0));
    if (e->kind != EX_BINARY)
        return false;
    if (e->op == OP_AND)
        return constant_false(e->left) || constant_false(e->right);
    if (e->op == OP_OR)
        return constant_false(e->left) && constant_false(e->right);
    const expr *l = e->left, *r = e->right;
    if (l->kind != EX_LITERAL || r->kind != EX_LITERAL || l->lit != r->lit || l->subquery_value ||
        r->subquery_value || (l->lit != LIT_INT && l->lit != LIT_STRING))
        return false;
    bool equal = l->text_len == r->text_len && memcmp(l->text, r->text, l->text_len) == 0;
    return e->op == OP_EQ ? !equal : e->op == OP_NE ? equal : false;
}

bool select_is_probe(const select_stmt *sel)
{
    return (sel->has_limit && sel->limit == 0) || constant_false(sel->where);
}

static const mimir_column *table_column(const mimir_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcasecmp(t->cols[i].name, name) == 0)
            return &t->cols[i];
    return NULL;
}

static bool has_star(const select_stmt *sel)
{
    for (size_t i = 0; i < sel->nitems; i++)
        if (sel->items[i].e->kind == EX_STAR)
            return true;
    return false;
}

/* The type a column of the inquiry would have, as information_schema reports it. */
static void inquiry_column_type(const inquiry *q, const inquiry_column *c, const mimir_table *t,
                                result_column *out)
{
    const mimir_column *mc = NULL;
    if (c->kind == COL_METRIC)
        mc = table_column(t, q->metrics[c->index].m->name);
    else if (c->kind == COL_DIM && c->e->kind == EX_COLUMN)
        mc = table_column(t, c->e->parts[c->e->nparts - 1]);
    if (mc) {
        info_schema_result_column(&mc->type, c->name, out);
        return;
    }
    out->name = c->name;
    out->type = c->kind == COL_DIM ? VT_TEXT : VT_DOUBLE;
    out->decimals = -1;
}

void plan_probe(arena *a, const session_info *s, const select_stmt *sel, const source *table,
                action *out)
{
    /* The tables information_schema describes, so a probe reports the same types
     * (discovered from the backends, when they were). */
    const mimir_table *tables;
    size_t ntables;
    if (s->info_schema) {
        ntables = info_schema_mimir_tables(s->info_schema, &tables);
    } else {
        mimir_table *built;
        ntables = mimir_tables(a, s->cat, &built);
        tables = built;
    }
    const char *want = table ? table->name : MIMIR_METRICS_TABLE;
    const mimir_table *t = NULL;
    for (size_t i = 0; i < ntables && !t; i++)
        if (strcmp(tables[i].name, want) == 0)
            t = &tables[i];
    if (!t) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_NO_SUCH_TABLE, "42S02", "Table 'mimir.%s' doesn't exist",
                      want);
        return;
    }
    const_result *r = &out->rows;
    if (has_star(sel)) {
        /* SELECT * ... LIMIT 0: every column of the table, in its order. */
        if (sel->nitems != 1) {
            out->kind = ACTION_ERROR;
            sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                          "'*' must be the only select item");
            return;
        }
        r->ncols = t->ncols;
        r->cols = arena_alloc(a, (t->ncols + 1) * sizeof(result_column));
        for (size_t i = 0; i < t->ncols; i++)
            info_schema_result_column(&t->cols[i].type, t->cols[i].name, &r->cols[i]);
    } else {
        /* Named columns: checked exactly as the real query would be. */
        inquiry q;
        if (!inquiry_from_select(a, s->cat, sel, table, &q, &out->error)) {
            out->kind = ACTION_ERROR;
            return;
        }
        r->ncols = q.ncolumns;
        r->cols = arena_alloc(a, (q.ncolumns + 1) * sizeof(result_column));
        for (size_t i = 0; i < q.ncolumns; i++)
            inquiry_column_type(&q, &q.columns[i], t, &r->cols[i]);
    }
    r->nrows = 0;
    r->values = NULL;
    out->kind = ACTION_ROWS;
}
