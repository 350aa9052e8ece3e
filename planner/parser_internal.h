/*
 * The parser's state and token helpers, shared by the files that parse one
 * family of statements each (parser.c: SELECT, SET, USE; parse_show.c: SHOW,
 * DESCRIBE). Not for use outside planner/.
 */
#ifndef MIMIR_PLANNER_PARSER_INTERNAL_H
#define MIMIR_PLANNER_PARSER_INTERNAL_H

#include "planner/lexer.h"
#include "planner/parser.h"

typedef struct parser {
    arena *a;
    const char *sql;
    size_t sql_len;
    token_list toks;
    size_t i;
    int depth;
    int noperators; /* operators chained iteratively so far (PARSER_MAX_OPERATORS) */
    parse_error *err;
    bool failed;
    ptr_vec params; /* EX_PARAM nodes, for statement.params */
    /* The SELECT being parsed is the statement's own (not a subquery, not EXPLAIN's):
     * only there may UNION follow (see select_stmt.union_next). */
    bool union_allowed;
    /* The OVER clauses read so far that name a window, resolved when their SELECT
     * ends (planner/parse_window.c). */
    ptr_vec windows;
    /* WITH's common table expressions defined so far (planner/parse_with.c). */
    ptr_vec ctes;
} parser;

token *ps_cur(parser *p);
token *ps_ahead(parser *p, size_t n);
void ps_next(parser *p);
size_t ps_prev_end(parser *p); /* where the previous token ended in the text */
bool ps_is_reserved(const token *t);

/* Failing records the first error only and returns false. */
bool ps_fail_at(parser *p, const token *t, bool unsupported, const char *detail);
bool ps_fail(parser *p, const char *detail);
bool ps_unsupported(parser *p, const char *what);

bool ps_accept_word(parser *p, const char *w);
bool ps_accept_op(parser *p, const char *op);
bool ps_expect_word(parser *p, const char *w);
bool ps_expect_op(parser *p, const char *op);
const char *ps_ident(parser *p);
bool ps_int64(parser *p, int64_t *out);

expr *ps_new_expr(parser *p, expr_kind kind, const token *at);
expr *ps_expr(parser *p);
bool ps_expr_list(parser *p, ptr_vec *out);
select_stmt *ps_select(parser *p);
bool ps_skip_to_end(parser *p);

/* Window functions (planner/parse_window.c). */
bool ps_order_list(parser *p, order_item **out, size_t *n);
bool ps_at_over(parser *p);                       /* OVER ( or OVER name is current */
bool ps_over(parser *p, expr *f);                 /* reads OVER ... into f->over */
bool ps_window_clause(parser *p, select_stmt *s); /* after WINDOW */
/* Resolves the OVER clauses read since p->windows.len was `from` against s's WINDOW. */
bool ps_resolve_windows(parser *p, const select_stmt *s, size_t from);

/* WITH name AS (SELECT ...), ... (planner/parse_with.c); WITH is current, and a SELECT
 * is current after it. ps_cte: the statement a CTE's name stands for, or NULL. */
bool ps_with(parser *p);
select_stmt *ps_cte(parser *p, const char *name);

/* SHOW ... and DESCRIBE/DESC t (planner/parse_show.c); the first token is current. */
bool ps_show(parser *p, statement *out);

#endif
