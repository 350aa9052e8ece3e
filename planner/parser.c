#include "planner/parser.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/lexer.h"

typedef struct parser {
    arena *a;
    const char *sql;
    size_t sql_len;
    token_list toks;
    size_t i;
    int depth;
    parse_error *err;
    bool failed;
} parser;

/* Words that end an expression or a select item; they never name a column
 * and are never taken as an implicit alias. */
static const char *const reserved_words[] = {
    "select",  "from",   "where",         "group",   "by",
    "having",  "order",  "limit",         "offset",  "and",
    "or",      "xor",    "not",           "as",      "on",
    "in",      "is",     "like",          "between", "case",
    "when",    "then",   "else",          "end",     "join",
    "inner",   "left",   "right",         "cross",   "outer",
    "natural", "union",  "asc",           "desc",    "distinct",
    "using",   "into",   "for",           "lock",    "with",
    "div",     "mod",    "regexp",        "rlike",   "escape",
    "null",    "true",   "false",         "exists",  "interval",
    "all",     "window", "straight_join", NULL};

static bool is_reserved(const token *t)
{
    if (t->kind != TK_IDENT)
        return false;
    for (const char *const *w = reserved_words; *w; w++)
        if (strcasecmp(t->text, *w) == 0)
            return true;
    return false;
}

static token *cur(parser *p)
{
    return &p->toks.items[p->i];
}

static token *ahead(parser *p, size_t n)
{
    size_t j = p->i + n;
    return j < p->toks.len ? &p->toks.items[j] : &p->toks.items[p->toks.len - 1];
}

static void next(parser *p)
{
    if (p->i + 1 < p->toks.len)
        p->i++;
}

static bool fail_at(parser *p, const token *t, bool unsupported, const char *detail)
{
    if (p->failed)
        return false;
    p->failed = true;
    p->err->unsupported = unsupported;
    p->err->pos = t->offset;
    p->err->line = t->line;
    p->err->near = arena_strndup(p->a, p->sql + t->offset, p->sql_len - t->offset);
    p->err->detail = detail;
    if (t->kind == TK_ERROR)
        p->err->detail = t->text;
    return false;
}

static bool fail(parser *p, const char *detail)
{
    return fail_at(p, cur(p), false, detail);
}

static bool unsupported(parser *p, const char *what)
{
    return fail_at(p, cur(p), true, what);
}

static bool accept_word(parser *p, const char *w)
{
    if (token_is_word(cur(p), w)) {
        next(p);
        return true;
    }
    return false;
}

static bool accept_op(parser *p, const char *op)
{
    if (token_is_op(cur(p), op)) {
        next(p);
        return true;
    }
    return false;
}

static bool expect_word(parser *p, const char *w)
{
    if (accept_word(p, w))
        return true;
    return fail(p, arena_printf(p->a, "expected %s", w));
}

static bool expect_op(parser *p, const char *op)
{
    if (accept_op(p, op))
        return true;
    return fail(p, arena_printf(p->a, "expected '%s'", op));
}

/* An identifier: a bare non-reserved word or a `quoted` one. */
static const char *parse_ident(parser *p)
{
    token *t = cur(p);
    if (t->kind == TK_QIDENT || (t->kind == TK_IDENT && !is_reserved(t))) {
        next(p);
        return t->text;
    }
    fail(p, "expected an identifier");
    return NULL;
}

static expr *new_expr(parser *p, expr_kind kind, const token *at)
{
    expr *e = arena_alloc(p->a, sizeof(*e));
    e->kind = kind;
    e->pos = at->offset;
    return e;
}

/* Where the previous token ended in the statement text, to record spans. */
static size_t prev_end(parser *p)
{
    return p->i == 0 ? 0 : p->toks.items[p->i - 1].end;
}

static expr *parse_expr(parser *p);

static bool parse_expr_list(parser *p, ptr_vec *out)
{
    do {
        expr *e = parse_expr(p);
        if (!e)
            return false;
        ptr_vec_push(p->a, out, e);
    } while (accept_op(p, ","));
    return true;
}

static void set_args(expr *e, ptr_vec *v)
{
    e->args = (expr **)v->items;
    e->nargs = v->len;
}

/* CAST(expr AS type[(n[,m])]) keeps the type as a string literal in args[1]. */
static expr *parse_cast_type(parser *p)
{
    token *start = cur(p);
    if (start->kind != TK_IDENT)
        return fail(p, "expected a type name"), NULL;
    next(p);
    while (cur(p)->kind == TK_IDENT && !is_reserved(cur(p)) && !token_is_op(cur(p), ")"))
        next(p); /* SIGNED INTEGER, UNSIGNED, CHAR CHARACTER SET x ... */
    if (accept_op(p, "(")) {
        while (!token_is_op(cur(p), ")") && cur(p)->kind != TK_EOF)
            next(p);
        if (!expect_op(p, ")"))
            return NULL;
    }
    expr *t = new_expr(p, EX_LITERAL, start);
    t->lit = LIT_STRING;
    t->text = arena_strndup(p->a, p->sql + start->offset, prev_end(p) - start->offset);
    t->text_len = strlen(t->text);
    return t;
}

static expr *parse_function(parser *p, token *name)
{
    expr *f = new_expr(p, EX_FUNC, name);
    f->text = name->text;
    next(p); /* name */
    next(p); /* ( */
    ptr_vec args = {0};
    if (token_is_word(name, "cast") || token_is_word(name, "convert")) {
        expr *e = parse_expr(p);
        if (!e)
            return NULL;
        ptr_vec_push(p->a, &args, e);
        if (accept_word(p, "as") || accept_op(p, ",")) {
            expr *t = parse_cast_type(p);
            if (!t)
                return NULL;
            ptr_vec_push(p->a, &args, t);
        } else if (token_is_word(cur(p), "using")) {
            return unsupported(p, "CONVERT ... USING"), NULL;
        } else {
            return fail(p, "expected AS"), NULL;
        }
    } else if (token_is_op(cur(p), "*")) {
        ptr_vec_push(p->a, &args, new_expr(p, EX_STAR, cur(p)));
        next(p);
    } else if (!token_is_op(cur(p), ")")) {
        if (accept_word(p, "distinct"))
            f->distinct = true;
        else
            accept_word(p, "all");
        if (!parse_expr_list(p, &args))
            return NULL;
    }
    if (!expect_op(p, ")"))
        return NULL;
    set_args(f, &args);
    f->end = prev_end(p);
    return f;
}

static expr *parse_case(parser *p, token *start)
{
    expr *c = new_expr(p, EX_CASE, start);
    next(p);
    if (!token_is_word(cur(p), "when")) {
        c->left = parse_expr(p);
        if (!c->left)
            return NULL;
    }
    ptr_vec arms = {0};
    while (accept_word(p, "when")) {
        expr *w = parse_expr(p);
        if (!w || !expect_word(p, "then"))
            return NULL;
        expr *t = parse_expr(p);
        if (!t)
            return NULL;
        ptr_vec_push(p->a, &arms, w);
        ptr_vec_push(p->a, &arms, t);
    }
    if (arms.len == 0)
        return fail(p, "expected WHEN"), NULL;
    if (accept_word(p, "else")) {
        c->right = parse_expr(p);
        if (!c->right)
            return NULL;
    }
    if (!expect_word(p, "end"))
        return NULL;
    set_args(c, &arms);
    return c;
}

static expr *literal(parser *p, token *t, literal_kind kind)
{
    expr *e = new_expr(p, EX_LITERAL, t);
    e->lit = kind;
    e->text = t->text;
    e->text_len = t->len;
    next(p);
    return e;
}

/* Niladic functions MySQL accepts without parentheses. */
static const char *const bare_functions[] = {
    "current_date",   "current_time", "current_timestamp", "current_user",  "localtime",
    "localtimestamp", "utc_date",     "utc_time",          "utc_timestamp", NULL};

static expr *parse_column_or_function(parser *p)
{
    token *t = cur(p);
    if (t->kind == TK_IDENT && token_is_op(ahead(p, 1), "("))
        return parse_function(p, t);
    if (t->kind == TK_IDENT) {
        for (const char *const *f = bare_functions; *f; f++) {
            if (strcasecmp(t->text, *f) == 0) {
                expr *e = new_expr(p, EX_FUNC, t);
                e->text = t->text;
                next(p);
                return e;
            }
        }
    }
    expr *col = new_expr(p, EX_COLUMN, t);
    const char *part = parse_ident(p);
    if (!part)
        return NULL;
    col->parts[col->nparts++] = part;
    while (token_is_op(cur(p), ".")) {
        next(p);
        if (token_is_op(cur(p), "*")) {
            col->kind = EX_STAR;
            next(p);
            break;
        }
        if (col->nparts == 3)
            return fail(p, "too many name qualifiers"), NULL;
        /* After a dot any word is an identifier, reserved or not. */
        token *q = cur(p);
        if (q->kind != TK_IDENT && q->kind != TK_QIDENT)
            return fail(p, "expected an identifier"), NULL;
        col->parts[col->nparts++] = q->text;
        next(p);
    }
    return col;
}

static expr *parse_primary(parser *p)
{
    token *t = cur(p);
    switch (t->kind) {
    case TK_STRING: {
        expr *e = literal(p, t, LIT_STRING);
        /* 'a' 'b' is one string in MySQL. */
        while (cur(p)->kind == TK_STRING) {
            token *s = cur(p);
            char *joined = arena_alloc(p->a, e->text_len + s->len + 1);
            memcpy(joined, e->text, e->text_len);
            memcpy(joined + e->text_len, s->text, s->len);
            e->text = joined;
            e->text_len += s->len;
            next(p);
        }
        return e;
    }
    case TK_INTEGER:
        return literal(p, t, LIT_INT);
    case TK_NUMBER:
        return literal(p, t, LIT_NUMBER);
    case TK_PARAM: {
        next(p);
        return new_expr(p, EX_PARAM, t);
    }
    case TK_SYSVAR:
    case TK_USERVAR: {
        expr *e = new_expr(p, EX_VARIABLE, t);
        e->system = t->kind == TK_SYSVAR;
        e->scope = "";
        const char *name = t->text;
        const char *dot = e->system ? strchr(name, '.') : NULL;
        if (dot) {
            e->scope = arena_strndup(p->a, name, (size_t)(dot - name));
            name = dot + 1;
        }
        e->text = name;
        e->text_len = strlen(name);
        next(p);
        return e;
    }
    case TK_OP:
        if (token_is_op(t, "(")) {
            next(p);
            if (token_is_word(cur(p), "select"))
                return unsupported(p, "subqueries"), NULL;
            expr *e = parse_expr(p);
            if (!e)
                return NULL;
            if (token_is_op(cur(p), ","))
                return unsupported(p, "row constructors"), NULL;
            if (!expect_op(p, ")"))
                return NULL;
            return e;
        }
        if (token_is_op(t, "*")) {
            next(p);
            return new_expr(p, EX_STAR, t);
        }
        return fail(p, "expected an expression"), NULL;
    case TK_IDENT:
        if (token_is_word(t, "null"))
            return literal(p, t, LIT_NULL);
        if (token_is_word(t, "true"))
            return literal(p, t, LIT_TRUE);
        if (token_is_word(t, "false"))
            return literal(p, t, LIT_FALSE);
        if (token_is_word(t, "case"))
            return parse_case(p, t);
        if (token_is_word(t, "exists"))
            return unsupported(p, "EXISTS subqueries"), NULL;
        if (token_is_word(t, "interval"))
            return unsupported(p, "INTERVAL expressions"), NULL;
        if ((token_is_word(t, "date") || token_is_word(t, "time") ||
             token_is_word(t, "timestamp")) &&
            ahead(p, 1)->kind == TK_STRING) {
            next(p); /* a typed literal: DATE '2022-01-01' is that string */
            return literal(p, cur(p), LIT_STRING);
        }
        if (is_reserved(t))
            return fail(p, "expected an expression"), NULL;
        return parse_column_or_function(p);
    case TK_QIDENT:
        return parse_column_or_function(p);
    case TK_EOF:
        return fail(p, "unexpected end of statement"), NULL;
    case TK_ERROR:
        return fail(p, NULL), NULL;
    }
    return fail(p, "expected an expression"), NULL;
}

static expr *make_binary(parser *p, token *at, expr_op op, expr *l, expr *r)
{
    expr *e = new_expr(p, EX_BINARY, at);
    e->op = op;
    e->left = l;
    e->right = r;
    e->pos = l->pos;
    return e;
}

static expr *parse_unary(parser *p)
{
    token *t = cur(p);
    expr_op op;
    if (token_is_op(t, "-"))
        op = OP_NEG;
    else if (token_is_op(t, "+"))
        op = OP_PLUS;
    else if (token_is_op(t, "~"))
        op = OP_BIT_NOT;
    else if (token_is_op(t, "!"))
        op = OP_NOT;
    else
        return parse_primary(p);
    if (++p->depth > PARSER_MAX_DEPTH)
        return fail(p, "expression nested too deeply"), NULL;
    next(p);
    expr *operand = parse_unary(p);
    p->depth--;
    if (!operand)
        return NULL;
    expr *e = new_expr(p, EX_UNARY, t);
    e->op = op;
    e->left = operand;
    return e;
}

/* One level of left-associative binary operators. */
typedef struct binop {
    const char *text; /* operator or word */
    bool word;
    expr_op op;
} binop;

static const binop ops_xor[] = {{"^", false, OP_BIT_XOR}, {NULL, 0, 0}};
static const binop ops_mul[] = {{"*", false, OP_MUL},  {"/", false, OP_DIV},
                                {"%", false, OP_MOD},  {"div", true, OP_INT_DIV},
                                {"mod", true, OP_MOD}, {NULL, 0, 0}};
static const binop ops_add[] = {{"+", false, OP_ADD}, {"-", false, OP_SUB}, {NULL, 0, 0}};
static const binop ops_shift[] = {{"<<", false, OP_SHL}, {">>", false, OP_SHR}, {NULL, 0, 0}};
static const binop ops_bitand[] = {{"&", false, OP_BIT_AND}, {NULL, 0, 0}};
static const binop ops_bitor[] = {{"|", false, OP_BIT_OR}, {NULL, 0, 0}};

static const binop *const levels[] = {ops_bitor, ops_bitand, ops_shift, ops_add,
                                      ops_mul,   ops_xor,    NULL};

static const binop *match_binop(parser *p, const binop *ops)
{
    for (const binop *o = ops; o->text; o++)
        if (o->word ? token_is_word(cur(p), o->text) : token_is_op(cur(p), o->text))
            return o;
    return NULL;
}

static expr *parse_level(parser *p, int level)
{
    if (!levels[level])
        return parse_unary(p);
    expr *left = parse_level(p, level + 1);
    const binop *o;
    while (left && (o = match_binop(p, levels[level]))) {
        token *at = cur(p);
        next(p);
        expr *right = parse_level(p, level + 1);
        if (!right)
            return NULL;
        left = make_binary(p, at, o->op, left, right);
    }
    return left;
}

static const binop ops_cmp[] = {{"=", false, OP_EQ},  {"<=>", false, OP_NULL_SAFE_EQ},
                                {"<>", false, OP_NE}, {"!=", false, OP_NE},
                                {"<=", false, OP_LE}, {">=", false, OP_GE},
                                {"<", false, OP_LT},  {">", false, OP_GT},
                                {NULL, 0, 0}};

/* Comparison level: =, <>, <, IS, [NOT] IN/BETWEEN/LIKE. */
static expr *parse_predicate(parser *p)
{
    expr *left = parse_level(p, 0);
    for (;;) {
        if (!left)
            return NULL;
        token *at = cur(p);
        const binop *o = match_binop(p, ops_cmp);
        if (o) {
            next(p);
            if (token_is_word(cur(p), "any") || token_is_word(cur(p), "all") ||
                token_is_word(cur(p), "some"))
                return unsupported(p, "subqueries"), NULL;
            expr *right = parse_level(p, 0);
            if (!right)
                return NULL;
            left = make_binary(p, at, o->op, left, right);
            continue;
        }
        if (token_is_word(at, "is")) {
            next(p);
            expr *e = new_expr(p, EX_IS, at);
            e->pos = left->pos;
            e->left = left;
            e->negated = accept_word(p, "not");
            if (accept_word(p, "null"))
                e->lit = LIT_NULL;
            else if (accept_word(p, "true"))
                e->lit = LIT_TRUE;
            else if (accept_word(p, "false"))
                e->lit = LIT_FALSE;
            else
                return fail(p, "expected NULL, TRUE or FALSE"), NULL;
            left = e;
            continue;
        }
        bool negated = false;
        size_t save = p->i;
        if (token_is_word(at, "not")) {
            negated = true;
            next(p);
        }
        token *kw = cur(p);
        if (token_is_word(kw, "in")) {
            next(p);
            if (!expect_op(p, "("))
                return NULL;
            if (token_is_word(cur(p), "select"))
                return unsupported(p, "subqueries"), NULL;
            ptr_vec items = {0};
            if (!parse_expr_list(p, &items) || !expect_op(p, ")"))
                return NULL;
            expr *e = new_expr(p, EX_IN, kw);
            e->pos = left->pos;
            e->left = left;
            e->negated = negated;
            set_args(e, &items);
            left = e;
        } else if (token_is_word(kw, "between")) {
            next(p);
            expr *lo = parse_level(p, 0);
            if (!lo || !expect_word(p, "and"))
                return NULL;
            expr *hi = parse_level(p, 0);
            if (!hi)
                return NULL;
            expr *e = new_expr(p, EX_BETWEEN, kw);
            e->pos = left->pos;
            e->left = left;
            e->negated = negated;
            e->args = arena_alloc(p->a, 2 * sizeof(expr *));
            e->args[0] = lo;
            e->args[1] = hi;
            e->nargs = 2;
            left = e;
        } else if (token_is_word(kw, "like")) {
            next(p);
            expr *pattern = parse_level(p, 0);
            if (!pattern)
                return NULL;
            expr *e = new_expr(p, EX_LIKE, kw);
            e->pos = left->pos;
            e->left = left;
            e->right = pattern;
            e->negated = negated;
            if (accept_word(p, "escape")) {
                expr *esc = parse_primary(p);
                if (!esc)
                    return NULL;
                e->args = arena_alloc(p->a, sizeof(expr *));
                e->args[0] = esc;
                e->nargs = 1;
            }
            left = e;
        } else if (token_is_word(kw, "regexp") || token_is_word(kw, "rlike")) {
            return unsupported(p, "REGEXP"), NULL;
        } else {
            p->i = save;
            return left;
        }
    }
}

static expr *parse_not(parser *p)
{
    token *t = cur(p);
    if (!token_is_word(t, "not"))
        return parse_predicate(p);
    if (++p->depth > PARSER_MAX_DEPTH)
        return fail(p, "expression nested too deeply"), NULL;
    next(p);
    expr *operand = parse_not(p);
    p->depth--;
    if (!operand)
        return NULL;
    expr *e = new_expr(p, EX_UNARY, t);
    e->op = OP_NOT;
    e->left = operand;
    return e;
}

static expr *parse_and(parser *p)
{
    expr *left = parse_not(p);
    while (left && (token_is_word(cur(p), "and") || token_is_op(cur(p), "&&"))) {
        token *at = cur(p);
        next(p);
        expr *right = parse_not(p);
        if (!right)
            return NULL;
        left = make_binary(p, at, OP_AND, left, right);
    }
    return left;
}

static expr *parse_xor(parser *p)
{
    expr *left = parse_and(p);
    while (left && token_is_word(cur(p), "xor")) {
        token *at = cur(p);
        next(p);
        expr *right = parse_and(p);
        if (!right)
            return NULL;
        left = make_binary(p, at, OP_XOR, left, right);
    }
    return left;
}

static expr *parse_expr(parser *p)
{
    if (++p->depth > PARSER_MAX_DEPTH)
        return fail(p, "expression nested too deeply"), NULL;
    size_t start = cur(p)->offset;
    expr *left = parse_xor(p);
    while (left && (token_is_word(cur(p), "or") || token_is_op(cur(p), "||"))) {
        token *at = cur(p);
        next(p);
        expr *right = parse_xor(p);
        if (!right) {
            left = NULL;
            break;
        }
        left = make_binary(p, at, OP_OR, left, right);
    }
    p->depth--;
    if (left) {
        left->pos = start < left->pos ? start : left->pos;
        left->end = prev_end(p);
    }
    return left;
}

/* ---- SELECT ------------------------------------------------------------ */

static bool parse_select_items(parser *p, select_stmt *s)
{
    ptr_vec items = {0};
    do {
        select_item *it = arena_alloc(p->a, sizeof(*it));
        size_t start = cur(p)->offset;
        it->e = parse_expr(p);
        if (!it->e)
            return false;
        it->text = arena_strndup(p->a, p->sql + start, prev_end(p) - start);
        if (accept_word(p, "as")) {
            token *t = cur(p);
            if (t->kind == TK_STRING || t->kind == TK_QIDENT || t->kind == TK_IDENT) {
                it->alias = t->text;
                next(p);
            } else {
                return fail(p, "expected an alias");
            }
        } else if (cur(p)->kind == TK_QIDENT || cur(p)->kind == TK_STRING ||
                   (cur(p)->kind == TK_IDENT && !is_reserved(cur(p)))) {
            it->alias = cur(p)->text;
            next(p);
        }
        ptr_vec_push(p->a, &items, it);
    } while (accept_op(p, ","));
    s->nitems = items.len;
    s->items = arena_alloc(p->a, items.len * sizeof(select_item));
    for (size_t i = 0; i < items.len; i++)
        s->items[i] = *(select_item *)items.items[i];
    return true;
}

static bool parse_from(parser *p, select_stmt *s)
{
    ptr_vec refs = {0};
    do {
        if (token_is_op(cur(p), "("))
            return unsupported(p, "derived tables");
        table_ref *r = arena_alloc(p->a, sizeof(*r));
        r->pos = cur(p)->offset;
        const char *first = parse_ident(p);
        if (!first)
            return false;
        if (accept_op(p, ".")) {
            token *t = cur(p);
            if (t->kind != TK_IDENT && t->kind != TK_QIDENT)
                return fail(p, "expected a table name");
            r->db = first;
            r->name = t->text;
            next(p);
        } else {
            r->name = first;
        }
        if (accept_word(p, "as")) {
            if (!(r->alias = parse_ident(p)))
                return false;
        } else if (cur(p)->kind == TK_QIDENT ||
                   (cur(p)->kind == TK_IDENT && !is_reserved(cur(p)))) {
            r->alias = cur(p)->text;
            next(p);
        }
        ptr_vec_push(p->a, &refs, r);
    } while (accept_op(p, ","));
    token *t = cur(p);
    if (token_is_word(t, "join") || token_is_word(t, "inner") || token_is_word(t, "left") ||
        token_is_word(t, "right") || token_is_word(t, "cross") || token_is_word(t, "natural") ||
        token_is_word(t, "straight_join"))
        return unsupported(p, "joins");
    s->nfrom = refs.len;
    s->from = arena_alloc(p->a, refs.len * sizeof(table_ref));
    for (size_t i = 0; i < refs.len; i++)
        s->from[i] = *(table_ref *)refs.items[i];
    return true;
}

static bool parse_int64(parser *p, int64_t *out)
{
    token *t = cur(p);
    if (t->kind != TK_INTEGER)
        return fail(p, "expected a number");
    errno = 0;
    char *end;
    long long v = strtoll(t->text, &end, 0);
    if (errno || *end || v < 0)
        return fail(p, "number out of range");
    *out = v;
    next(p);
    return true;
}

static bool parse_limit(parser *p, select_stmt *s)
{
    int64_t first;
    if (!parse_int64(p, &first))
        return false;
    s->has_limit = true;
    if (accept_op(p, ",")) {
        s->offset = first;
        return parse_int64(p, &s->limit);
    }
    s->limit = first;
    if (accept_word(p, "offset"))
        return parse_int64(p, &s->offset);
    return true;
}

static bool parse_order_by(parser *p, select_stmt *s)
{
    ptr_vec items = {0};
    do {
        order_item *o = arena_alloc(p->a, sizeof(*o));
        if (!(o->e = parse_expr(p)))
            return false;
        if (accept_word(p, "desc"))
            o->desc = true;
        else
            accept_word(p, "asc");
        ptr_vec_push(p->a, &items, o);
    } while (accept_op(p, ","));
    s->norder_by = items.len;
    s->order_by = arena_alloc(p->a, items.len * sizeof(order_item));
    for (size_t i = 0; i < items.len; i++)
        s->order_by[i] = *(order_item *)items.items[i];
    return true;
}

/* Modifiers MySQL allows after SELECT that change nothing for a read-only store. */
static const char *const select_modifiers[] = {
    "sql_no_cache",   "sql_cache",         "sql_calc_found_rows",
    "high_priority",  "straight_join",     "sql_small_result",
    "sql_big_result", "sql_buffer_result", NULL};

static select_stmt *parse_select(parser *p)
{
    select_stmt *s = arena_alloc(p->a, sizeof(*s));
    next(p); /* SELECT */
    for (;;) {
        if (accept_word(p, "distinct") || accept_word(p, "distinctrow")) {
            s->distinct = true;
            continue;
        }
        if (accept_word(p, "all"))
            continue;
        bool modifier = false;
        for (const char *const *m = select_modifiers; *m; m++)
            if (accept_word(p, *m))
                modifier = true;
        if (!modifier)
            break;
    }
    if (!parse_select_items(p, s))
        return NULL;
    if (accept_word(p, "from") && !parse_from(p, s))
        return NULL;
    if (accept_word(p, "where") && !(s->where = parse_expr(p)))
        return NULL;
    if (accept_word(p, "group")) {
        ptr_vec items = {0};
        if (!expect_word(p, "by") || !parse_expr_list(p, &items))
            return NULL;
        s->group_by = (expr **)items.items;
        s->ngroup_by = items.len;
        if (token_is_word(cur(p), "with"))
            return unsupported(p, "WITH ROLLUP"), NULL;
    }
    if (accept_word(p, "having") && !(s->having = parse_expr(p)))
        return NULL;
    if (accept_word(p, "order")) {
        if (!expect_word(p, "by") || !parse_order_by(p, s))
            return NULL;
    }
    if (accept_word(p, "limit") && !parse_limit(p, s))
        return NULL;
    if (token_is_word(cur(p), "union"))
        return unsupported(p, "UNION"), NULL;
    if (token_is_word(cur(p), "for") || token_is_word(cur(p), "lock"))
        return unsupported(p, "locking reads"), NULL;
    if (token_is_word(cur(p), "into"))
        return unsupported(p, "SELECT ... INTO"), NULL;
    return s;
}

/* ---- Other statements ---------------------------------------------------- */

static bool parse_set(parser *p, statement *st)
{
    next(p); /* SET */
    ptr_vec sets = {0};
    do {
        set_assignment *a = arena_alloc(p->a, sizeof(*a));
        size_t start = cur(p)->offset;
        token *t = cur(p);
        if (token_is_word(t, "names") ||
            (token_is_word(t, "character") && token_is_word(ahead(p, 1), "set")) ||
            token_is_word(t, "charset")) {
            a->name = token_is_word(t, "names") ? "names" : "character_set";
            next(p);
            if (a->name[0] == 'c' && token_is_word(t, "character"))
                next(p);
            token *v = cur(p);
            if (v->kind != TK_IDENT && v->kind != TK_STRING && v->kind != TK_QIDENT)
                return fail(p, "expected a character set name");
            next(p);
            if (accept_word(p, "collate")) {
                if (cur(p)->kind == TK_EOF)
                    return fail(p, "expected a collation name");
                next(p);
            }
        } else if (token_is_word(t, "transaction") ||
                   ((token_is_word(t, "session") || token_is_word(t, "global")) &&
                    token_is_word(ahead(p, 1), "transaction"))) {
            a->name = "transaction";
            while (cur(p)->kind != TK_EOF && !token_is_op(cur(p), ";"))
                next(p);
        } else {
            bool sys = false;
            if (t->kind == TK_SYSVAR) {
                sys = true;
                const char *dot = strchr(t->text, '.');
                a->name = dot ? dot + 1 : t->text;
                next(p);
            } else if (t->kind == TK_USERVAR) {
                a->name = t->text;
                next(p);
            } else {
                if (accept_word(p, "session") || accept_word(p, "global") ||
                    accept_word(p, "local") || accept_word(p, "persist"))
                    accept_op(p, ".");
                sys = true;
                if (!(a->name = parse_ident(p)))
                    return false;
            }
            a->system = sys;
            if (!accept_op(p, "=") && !expect_op(p, ":="))
                return false;
            if (accept_word(p, "default"))
                a->value = NULL;
            else if (!(a->value = parse_expr(p)))
                return false;
        }
        a->text = arena_strndup(p->a, p->sql + start, prev_end(p) - start);
        char *lower = arena_strdup(p->a, a->name);
        for (char *c = lower; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        a->name = lower;
        ptr_vec_push(p->a, &sets, a);
    } while (accept_op(p, ","));
    st->nsets = sets.len;
    st->sets = arena_alloc(p->a, sets.len * sizeof(set_assignment));
    for (size_t i = 0; i < sets.len; i++)
        st->sets[i] = *(set_assignment *)sets.items[i];
    return true;
}

static bool skip_to_end(parser *p)
{
    while (cur(p)->kind != TK_EOF && cur(p)->kind != TK_ERROR && !token_is_op(cur(p), ";"))
        next(p);
    return cur(p)->kind != TK_ERROR || fail(p, NULL);
}

static bool parse_transaction(parser *p, statement *st)
{
    st->kind = STMT_TRANSACTION;
    return skip_to_end(p);
}

/* First words of MySQL statements Mimir recognises but does not run (1235, not 1064). */
static const char *const statement_keywords[] = {
    "alter",    "analyze",   "call",     "check",     "checksum", "create",   "deallocate",
    "delete",   "describe",  "desc",     "do",        "drop",     "execute",  "explain",
    "flush",    "grant",     "handler",  "help",      "install",  "insert",   "kill",
    "load",     "lock",      "optimize", "prepare",   "purge",    "rename",   "repair",
    "replace",  "reset",     "revoke",   "savepoint", "show",     "shutdown", "table",
    "truncate", "uninstall", "unlock",   "update",    "values",   "with",     "xa",
    "release",  "signal",    "resignal", "get",       "cache",    "change",   "clone",
    "import",   "restart",   NULL};

static bool is_statement_keyword(const token *t)
{
    if (t->kind != TK_IDENT)
        return false;
    for (const char *const *w = statement_keywords; *w; w++)
        if (strcasecmp(t->text, *w) == 0)
            return true;
    return false;
}

static char *upper_word(arena *a, const char *w)
{
    char *u = arena_strdup(a, w);
    for (char *c = u; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    return u;
}

bool parse_statement(arena *a, const char *sql, size_t len, statement *out, parse_error *err)
{
    parser p = {.a = a, .sql = sql, .sql_len = len, .err = err};
    memset(out, 0, sizeof(*out));
    memset(err, 0, sizeof(*err));
    lex_sql(a, sql, len, &p.toks);

    token *t = cur(&p);
    if (t->kind == TK_ERROR)
        return fail(&p, NULL);
    if (t->kind == TK_EOF || (token_is_op(t, ";") && ahead(&p, 1)->kind == TK_EOF)) {
        out->kind = STMT_EMPTY;
        return true;
    }
    bool ok;
    if (token_is_word(t, "select")) {
        out->kind = STMT_SELECT;
        ok = (out->select = parse_select(&p)) != NULL;
    } else if (token_is_word(t, "use")) {
        out->kind = STMT_USE;
        next(&p);
        ok = (out->name = parse_ident(&p)) != NULL;
    } else if (token_is_word(t, "set")) {
        out->kind = STMT_SET;
        ok = parse_set(&p, out);
    } else if (token_is_word(t, "begin") || token_is_word(t, "commit") ||
               token_is_word(t, "rollback") ||
               (token_is_word(t, "start") && token_is_word(ahead(&p, 1), "transaction"))) {
        ok = parse_transaction(&p, out);
    } else if (is_statement_keyword(t)) {
        out->kind = STMT_UNSUPPORTED;
        token *second = ahead(&p, 1);
        out->name = second->kind == TK_IDENT ? arena_printf(a, "%s %s", upper_word(a, t->text),
                                                            upper_word(a, second->text))
                                             : upper_word(a, t->text);
        ok = skip_to_end(&p);
        return ok;
    } else {
        return fail(&p, NULL);
    }
    if (!ok)
        return false;
    accept_op(&p, ";");
    if (cur(&p)->kind != TK_EOF)
        return fail(&p, cur(&p)->kind == TK_ERROR ? NULL : "unexpected input after the statement");
    return true;
}
