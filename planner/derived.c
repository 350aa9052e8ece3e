#include "planner/derived.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "planner/sql_builder.h"

typedef struct derived_ctx {
    arena *a;
    const table_ref *t;
    const plan *inner;
} derived_ctx;

/* Columns of the outer query are the inner query's columns, by name. */
static const char *inner_column(void *ctx, const expr *col, sql_error *err)
{
    derived_ctx *d = ctx;
    const char *name = col->parts[col->nparts - 1];
    /* t.col names the derived table by its alias; nothing else may qualify a column. */
    if (col->nparts > 2 || (col->nparts == 2 && strcasecmp(col->parts[0], d->t->alias) != 0))
        goto unknown;
    for (size_t i = 0; i < d->inner->ncols; i++) {
        if (strcasecmp(d->inner->cols[i].name, name) == 0) {
            sql_builder b;
            sb_init(&b, d->a, DIALECT_SQLITE);
            sb_ident(&b, d->inner->cols[i].name);
            query_param *unused;
            size_t n;
            return sb_finish(&b, &unused, &n);
        }
    }
unknown:
    sql_error_set(err, ER_BAD_FIELD, "42S22", "Unknown column '%s' in derived table '%s'", name,
                  d->t->alias);
    return NULL;
}

/* GROUP BY / ORDER BY 2 is a position, not a value: printed as the number itself. */
static bool print_key(sql_builder *b, const expr *e, derived_ctx *d, sql_error *err)
{
    if (e->kind == EX_LITERAL && e->lit == LIT_INT) {
        for (const char *c = e->text; *c; c++)
            if (!isdigit((unsigned char)*c))
                return sb_expr(b, e, inner_column, d, err);
        sb_str(b, e->text);
        return true;
    }
    return sb_expr(b, e, inner_column, d, err);
}

static void fail(action *out, sql_error *err)
{
    out->kind = ACTION_ERROR;
    out->error = *err;
}

void plan_derived(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    const table_ref *t = &sel->from[0];
    if (sel->nfrom > 1) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support joins");
        return;
    }
    action inner;
    plan_select(a, s, t->subquery, &inner);
    if (inner.kind == ACTION_ERROR) {
        *out = inner;
        return;
    }
    if (inner.kind != ACTION_QUERY) {
        out->kind = ACTION_ERROR;
        sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                      "a derived table must query a mimir table");
        return;
    }
    plan *p = inner.plan;
    derived_ctx d = {.a = a, .t = t, .inner = p};
    sql_builder b;
    sb_init(&b, a, DIALECT_SQLITE);
    b.allow_aggregates = true;
    /* The inner query's parameters come first: its text is copied in before the outer's. */
    for (size_t i = 0; i < p->nfinal_params; i++)
        ptr_vec_push(a, &b.params, &p->final_params[i]);
    sql_error err;
    ptr_vec names = {0};
    sb_str(&b, sel->distinct ? "SELECT DISTINCT " : "SELECT ");
    for (size_t i = 0; i < sel->nitems; i++) {
        const select_item *it = &sel->items[i];
        if (it->e->kind == EX_STAR) {
            for (size_t k = 0; k < p->ncols; k++) {
                sb_str(&b, names.len ? ", " : "");
                sb_ident(&b, p->cols[k].name);
                ptr_vec_push(a, &names, (void *)p->cols[k].name);
            }
            continue;
        }
        sb_str(&b, names.len ? ", " : "");
        if (!sb_expr(&b, it->e, inner_column, &d, &err))
            goto failed;
        const char *name = it->alias                 ? it->alias
                           : it->e->kind == EX_COLUMN ? it->e->parts[it->e->nparts - 1]
                                                      : it->text;
        sb_str(&b, " AS ");
        sb_ident(&b, name);
        ptr_vec_push(a, &names, (void *)name);
    }
    sb_str(&b, " FROM (");
    sb_str(&b, p->final_sql ? p->final_sql : "SELECT * FROM \"s0\"");
    sb_str(&b, ") AS ");
    sb_ident(&b, t->alias);
    if (sel->where) {
        sb_str(&b, " WHERE ");
        if (!sb_expr(&b, sel->where, inner_column, &d, &err))
            goto failed;
    }
    for (size_t i = 0; i < sel->ngroup_by; i++) {
        sb_str(&b, i ? ", " : " GROUP BY ");
        if (!print_key(&b, sel->group_by[i], &d, &err))
            goto failed;
    }
    if (sel->having) {
        sb_str(&b, " HAVING ");
        if (!sb_expr(&b, sel->having, inner_column, &d, &err))
            goto failed;
    }
    for (size_t i = 0; i < sel->norder_by; i++) {
        sb_str(&b, i ? ", " : " ORDER BY ");
        if (!print_key(&b, sel->order_by[i].e, &d, &err))
            goto failed;
        if (sel->order_by[i].desc)
            sb_str(&b, " DESC");
    }
    if (sel->has_limit)
        buf_printf(&b.out, " LIMIT %lld OFFSET %lld", (long long)sel->limit,
                   (long long)sel->offset);

    plan *outer = arena_alloc(a, sizeof(*outer));
    *outer = *p;
    outer->final_sql = sb_finish(&b, &outer->final_params, &outer->nfinal_params);
    outer->ncols = names.len;
    outer->cols = arena_alloc(a, (names.len + 1) * sizeof(plan_column));
    for (size_t i = 0; i < names.len; i++) {
        outer->cols[i].name = names.items[i];
        outer->cols[i].org_name = names.items[i];
        outer->cols[i].computed = true;
    }
    out->kind = ACTION_QUERY;
    out->plan = outer;
    return;
failed:
    sb_discard(&b);
    fail(out, &err);
}
