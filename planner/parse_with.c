/*
 * WITH name [(columns)] AS (SELECT ...) [, ...] SELECT ...: common table
 * expressions, not recursive. Each later reference to a name (a table of FROM
 * written without a database) reads as the derived table it names, so
 * everything after the parser (views, grouped derived tables, semi-join
 * filters, scalar subqueries, EXPLAIN) sees nothing new. A CTE may name the
 * ones defined before it; the names hold for the whole statement.
 */
#include <string.h>
#include <strings.h>

#include "planner/parser_internal.h"

typedef struct cte {
    const char *name;
    select_stmt *sel;
} cte;

/* (a, b, ...) after a CTE's name: its columns' names, given to the select items. */
static bool parse_column_names(parser *p, ptr_vec *names)
{
    if (!ps_accept_op(p, "("))
        return true;
    do {
        const char *name = ps_ident(p);
        if (!name)
            return false;
        ptr_vec_push(p->a, names, (void *)name);
    } while (ps_accept_op(p, ","));
    return ps_expect_op(p, ")");
}

/* The select with its items named by the column list (of a UNION, its first member's). */
static select_stmt *named_columns(parser *p, select_stmt *sel, const ptr_vec *names,
                                  const token *at)
{
    if (!names->len)
        return sel;
    if (names->len != sel->nitems || sel->items[0].e->kind == EX_STAR) {
        ps_fail_at(p, at, false,
                   "In definition of view, derived table or common table expression, SELECT "
                   "list and column names list have different column counts");
        return NULL;
    }
    select_stmt *copy = arena_alloc(p->a, sizeof(*copy));
    *copy = *sel;
    copy->items = arena_alloc(p->a, sel->nitems * sizeof(select_item));
    for (size_t i = 0; i < sel->nitems; i++) {
        copy->items[i] = sel->items[i];
        copy->items[i].alias = names->items[i];
    }
    return copy;
}

static bool parse_one_cte(parser *p)
{
    token *at = ps_cur(p);
    const char *name = ps_ident(p);
    if (!name)
        return false;
    for (size_t i = 0; i < p->ctes.len; i++)
        if (strcasecmp(((cte *)p->ctes.items[i])->name, name) == 0)
            return ps_fail_at(p, at, false,
                              arena_printf(p->a, "Not unique table/alias: '%s'", name));
    ptr_vec names = {0};
    if (!parse_column_names(p, &names) || !ps_expect_word(p, "as") || !ps_expect_op(p, "("))
        return false;
    if (!token_is_word(ps_cur(p), "select"))
        return ps_fail(p, "expected SELECT");
    if (++p->depth > PARSER_MAX_DEPTH)
        return ps_fail(p, "expression nested too deeply");
    p->union_allowed = true; /* a CTE may be a UNION, as a derived table may */
    select_stmt *sel = ps_select(p);
    if (!sel || !ps_expect_op(p, ")"))
        return false;
    p->depth--;
    cte *c = arena_alloc(p->a, sizeof(*c));
    c->name = name;
    if (!(c->sel = named_columns(p, sel, &names, at)))
        return false;
    ptr_vec_push(p->a, &p->ctes, c); /* visible from the next CTE on, not in its own body */
    return true;
}

bool ps_with(parser *p)
{
    ps_next(p); /* WITH */
    if (token_is_word(ps_cur(p), "recursive"))
        return ps_unsupported(p, "WITH RECURSIVE");
    do {
        if (!parse_one_cte(p))
            return false;
    } while (ps_accept_op(p, ","));
    if (!token_is_word(ps_cur(p), "select"))
        return ps_fail(p, "expected SELECT");
    return true;
}

select_stmt *ps_cte(parser *p, const char *name)
{
    for (size_t i = p->ctes.len; i-- > 0;)
        if (strcasecmp(((cte *)p->ctes.items[i])->name, name) == 0)
            return ((cte *)p->ctes.items[i])->sel;
    return NULL;
}
