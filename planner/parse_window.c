/*
 * Window functions' syntax: f(...) OVER (...) or OVER w, and the WINDOW
 * clause of a SELECT. Named windows are resolved here, when the SELECT ends,
 * so that everything after the parser sees complete specifications.
 */
#include <string.h>
#include <strings.h>

#include "planner/parser_internal.h"

/* Is the current token OVER starting a window (not an alias named over)? */
bool ps_at_over(parser *p)
{
    if (!token_is_word(ps_cur(p), "over"))
        return false;
    const token *next = ps_ahead(p, 1);
    return token_is_op(next, "(") || next->kind == TK_QIDENT ||
           (next->kind == TK_IDENT && !ps_is_reserved(next));
}

/* UNBOUNDED PRECEDING | UNBOUNDED FOLLOWING | CURRENT ROW | expr PRECEDING | expr FOLLOWING */
static bool parse_frame_bound(parser *p, frame_bound *b)
{
    if (ps_accept_word(p, "unbounded")) {
        if (ps_accept_word(p, "preceding"))
            b->kind = FRAME_UNBOUNDED_PRECEDING;
        else if (ps_accept_word(p, "following"))
            b->kind = FRAME_UNBOUNDED_FOLLOWING;
        else
            return ps_fail(p, "expected PRECEDING or FOLLOWING");
        return true;
    }
    if (ps_accept_word(p, "current")) {
        b->kind = FRAME_CURRENT_ROW;
        return ps_expect_word(p, "row");
    }
    if (!(b->offset = ps_expr(p)))
        return false;
    if (ps_accept_word(p, "preceding"))
        b->kind = FRAME_PRECEDING;
    else if (ps_accept_word(p, "following"))
        b->kind = FRAME_FOLLOWING;
    else
        return ps_fail(p, "expected PRECEDING or FOLLOWING");
    return true;
}

static bool parse_frame(parser *p, window_spec *w)
{
    if (ps_accept_word(p, "rows"))
        w->frame_unit = "ROWS";
    else if (ps_accept_word(p, "range"))
        w->frame_unit = "RANGE";
    else if (token_is_word(ps_cur(p), "groups"))
        return ps_unsupported(p, "GROUPS frames of window functions");
    else
        return true;
    if (!ps_accept_word(p, "between"))
        return parse_frame_bound(p, &w->start);
    return parse_frame_bound(p, &w->start) && ps_expect_word(p, "and") &&
           parse_frame_bound(p, &w->end);
}

/* ( [name] [PARTITION BY e, ...] [ORDER BY e [ASC|DESC], ...] [frame] ) */
static window_spec *parse_window_spec(parser *p)
{
    window_spec *w = arena_alloc(p->a, sizeof(*w));
    w->pos = ps_cur(p)->offset;
    if (!ps_expect_op(p, "("))
        return NULL;
    const token *t = ps_cur(p);
    if ((t->kind == TK_IDENT || t->kind == TK_QIDENT) && !token_is_word(t, "partition") &&
        !token_is_word(t, "order") && !token_is_word(t, "rows") && !token_is_word(t, "range") &&
        !token_is_word(t, "groups") && !(w->name = ps_ident(p)))
        return NULL;
    if (ps_accept_word(p, "partition")) {
        ptr_vec keys = {0};
        if (!ps_expect_word(p, "by") || !ps_expr_list(p, &keys))
            return NULL;
        w->partition = (expr **)keys.items;
        w->npartition = keys.len;
    }
    if (ps_accept_word(p, "order") &&
        (!ps_expect_word(p, "by") || !ps_order_list(p, &w->order, &w->norder)))
        return NULL;
    if (!parse_frame(p, w) || !ps_expect_op(p, ")"))
        return NULL;
    return w;
}

bool ps_over(parser *p, expr *f)
{
    ps_next(p); /* OVER */
    if (token_is_op(ps_cur(p), "(")) {
        f->over = parse_window_spec(p);
    } else {
        f->over = arena_alloc(p->a, sizeof(window_spec));
        f->over->pos = ps_cur(p)->offset;
        f->over->name = ps_ident(p);
        if (!f->over->name)
            return false;
    }
    if (!f->over)
        return false;
    ptr_vec_push(p->a, &p->windows, f->over);
    return true;
}

static const window_spec *find_window(const select_stmt *s, const char *name)
{
    for (size_t i = 0; i < s->nwindows; i++)
        if (strcasecmp(s->windows[i]->name, name) == 0)
            return s->windows[i]->spec;
    return NULL;
}

/*
 * w names a window: it takes that window's partitioning, ordering and frame,
 * and may add an ORDER BY or a frame the named one lacks, as in MySQL.
 */
static bool resolve_one(parser *p, const select_stmt *s, window_spec *w)
{
    const window_spec *base = find_window(s, w->name);
    const char *detail = NULL;
    if (!base)
        detail = arena_printf(p->a, "window '%s' is not defined", w->name);
    else if (w->npartition)
        detail = "a window that names another cannot have its own PARTITION BY";
    else if (w->norder && base->norder)
        detail = "a window that names another ordered window cannot have its own ORDER BY";
    else if (base->frame_unit)
        detail = "a window with a frame cannot be named by another window";
    if (detail) {
        const token *at = ps_cur(p);
        for (size_t i = 0; i < p->toks.len; i++)
            if (p->toks.items[i].offset == w->pos)
                at = &p->toks.items[i];
        return ps_fail_at(p, at, false, detail);
    }
    w->partition = base->partition;
    w->npartition = base->npartition;
    if (!w->norder) {
        w->order = base->order;
        w->norder = base->norder;
    }
    w->name = NULL;
    return true;
}

/* WINDOW name AS (spec), ...: each definition may name one defined before it. */
bool ps_window_clause(parser *p, select_stmt *s)
{
    ptr_vec defs = {0};
    do {
        const char *name = ps_ident(p);
        if (!name || !ps_expect_word(p, "as"))
            return false;
        window_spec *w = parse_window_spec(p);
        if (!w || (w->name && !resolve_one(p, s, w)))
            return false;
        if (find_window(s, name))
            return ps_fail(p, arena_printf(p->a, "window '%s' is defined twice", name));
        named_window *nw = arena_alloc(p->a, sizeof(*nw));
        nw->name = name;
        nw->spec = w;
        ptr_vec_push(p->a, &defs, nw);
        s->windows = (named_window **)defs.items;
        s->nwindows = defs.len;
    } while (ps_accept_op(p, ","));
    return true;
}

bool ps_resolve_windows(parser *p, const select_stmt *s, size_t from)
{
    for (size_t i = from; i < p->windows.len; i++) {
        window_spec *w = p->windows.items[i];
        if (w->name && !resolve_one(p, s, w))
            return false;
    }
    p->windows.len = from;
    return true;
}
