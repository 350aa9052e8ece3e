#include "planner/parser.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/lexer.h"
#include "planner/parser_internal.h"
#include "wire/utf8.h"

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
    "all",     "window", "straight_join", "collate", NULL};

bool ps_is_reserved(const token *t)
{
    if (t->kind != TK_IDENT)
        return false;
    for (const char *const *w = reserved_words; *w; w++)
        if (strcasecmp(t->text, *w) == 0)
            return true;
    return false;
}

token *ps_cur(parser *p)
{
    return &p->toks.items[p->i];
}

token *ps_ahead(parser *p, size_t n)
{
    size_t j = p->i + n;
    return j < p->toks.len ? &p->toks.items[j] : &p->toks.items[p->toks.len - 1];
}

void ps_next(parser *p)
{
    if (p->i + 1 < p->toks.len)
        p->i++;
}

bool ps_fail_at(parser *p, const token *t, bool unsupported, const char *detail)
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

bool ps_fail(parser *p, const char *detail)
{
    return ps_fail_at(p, ps_cur(p), false, detail);
}

bool ps_unsupported(parser *p, const char *what)
{
    return ps_fail_at(p, ps_cur(p), true, what);
}

bool ps_accept_word(parser *p, const char *w)
{
    if (token_is_word(ps_cur(p), w)) {
        ps_next(p);
        return true;
    }
    return false;
}

bool ps_accept_op(parser *p, const char *op)
{
    if (token_is_op(ps_cur(p), op)) {
        ps_next(p);
        return true;
    }
    return false;
}

bool ps_expect_word(parser *p, const char *w)
{
    if (ps_accept_word(p, w))
        return true;
    return ps_fail(p, arena_printf(p->a, "expected %s", w));
}

bool ps_expect_op(parser *p, const char *op)
{
    if (ps_accept_op(p, op))
        return true;
    return ps_fail(p, arena_printf(p->a, "expected '%s'", op));
}

/* An identifier: a bare non-reserved word or a `quoted` one. */
const char *ps_ident(parser *p)
{
    token *t = ps_cur(p);
    if (t->kind == TK_QIDENT || (t->kind == TK_IDENT && !ps_is_reserved(t))) {
        ps_next(p);
        return t->text;
    }
    ps_fail(p, "expected an identifier");
    return NULL;
}

expr *ps_new_expr(parser *p, expr_kind kind, const token *at)
{
    expr *e = arena_alloc(p->a, sizeof(*e));
    e->kind = kind;
    e->pos = at->offset;
    return e;
}

/* Where the previous token ended in the statement text, to record spans. */
size_t ps_prev_end(parser *p)
{
    return p->i == 0 ? 0 : p->toks.items[p->i - 1].end;
}

bool ps_expr_list(parser *p, ptr_vec *out)
{
    do {
        expr *e = ps_expr(p);
        if (!e)
            return false;
        ptr_vec_push(p->a, out, e);
    } while (ps_accept_op(p, ","));
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
    token *start = ps_cur(p);
    if (start->kind != TK_IDENT)
        return ps_fail(p, "expected a type name"), NULL;
    ps_next(p);
    while (ps_cur(p)->kind == TK_IDENT && !ps_is_reserved(ps_cur(p)) &&
           !token_is_op(ps_cur(p), ")"))
        ps_next(p); /* SIGNED INTEGER, UNSIGNED, CHAR CHARACTER SET x ... */
    if (ps_accept_op(p, "(")) {
        /* The token list ends at EOF or at a lexer error: ps_next stops there. */
        while (!token_is_op(ps_cur(p), ")") && ps_cur(p)->kind != TK_EOF &&
               ps_cur(p)->kind != TK_ERROR)
            ps_next(p);
        if (!ps_expect_op(p, ")"))
            return NULL;
    }
    expr *t = ps_new_expr(p, EX_LITERAL, start);
    t->lit = LIT_STRING;
    t->text = arena_strndup(p->a, p->sql + start->offset, ps_prev_end(p) - start->offset);
    t->text_len = strlen(t->text);
    return t;
}

/* Units of INTERVAL and EXTRACT that every dialect can express. */
static const char *const time_units[] = {"MICROSECOND", "SECOND", "MINUTE",  "HOUR", "DAY",
                                         "WEEK",        "MONTH",  "QUARTER", "YEAR", NULL};

static bool is_time_unit(const token *t)
{
    for (const char *const *u = time_units; t->kind == TK_IDENT && *u; u++)
        if (strcasecmp(t->text, *u) == 0)
            return true;
    return false;
}

static const char *parse_time_unit(parser *p)
{
    token *t = ps_cur(p);
    if (t->kind == TK_IDENT) {
        for (const char *const *u = time_units; *u; u++) {
            if (strcasecmp(t->text, *u) == 0) {
                ps_next(p);
                return *u;
            }
        }
    }
    ps_fail(p, "expected a time unit (SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR)");
    return NULL;
}

/*
 * CHAR(n, ... USING charset): CHAR's bytes are taken as they are, which is
 * right for the character sets whose bytes Mimir sends unchanged.
 */
static bool parse_char_using(parser *p)
{
    static const char *const as_is[] = {"utf8mb4", "utf8mb3", "utf8", "binary", NULL};
    token *cs = ps_cur(p);
    if (cs->kind != TK_IDENT && cs->kind != TK_QIDENT && cs->kind != TK_STRING)
        return ps_fail(p, "expected a character set name");
    for (const char *const *c = as_is; *c; c++) {
        if (strcasecmp(cs->text, *c) == 0) {
            ps_next(p);
            return true;
        }
    }
    return ps_unsupported(p, "CHAR(... USING a character set other than utf8mb4 or binary)");
}

static expr *parse_level(parser *p, int level);

static expr *parse_function(parser *p, token *name)
{
    expr *f = ps_new_expr(p, EX_FUNC, name);
    f->text = name->text;
    ps_next(p); /* name */
    ps_next(p); /* ( */
    ptr_vec args = {0};
    if (token_is_word(name, "extract")) {
        /* EXTRACT(unit FROM e): the unit becomes a string literal in args[0]. */
        token *at = ps_cur(p);
        const char *unit = parse_time_unit(p);
        if (!unit || !ps_expect_word(p, "from"))
            return NULL;
        expr *u = ps_new_expr(p, EX_LITERAL, at);
        u->lit = LIT_STRING;
        u->text = unit;
        u->text_len = strlen(unit);
        ptr_vec_push(p->a, &args, u);
        expr *e = ps_expr(p);
        if (!e)
            return NULL;
        ptr_vec_push(p->a, &args, e);
    } else if ((token_is_word(name, "timestampdiff") || token_is_word(name, "timestampadd")) &&
               is_time_unit(ps_cur(p)) && token_is_op(ps_ahead(p, 1), ",")) {
        /* TIMESTAMPDIFF(unit, a, b), TIMESTAMPADD(unit, n, d): the unit is a keyword, not a
         * column; it becomes a string literal in args[0], as for EXTRACT. (Anything else
         * there is left to the function's printer, which names the unit it does not know.) */
        token *at = ps_cur(p);
        const char *unit = parse_time_unit(p);
        ps_next(p); /* , */
        expr *u = ps_new_expr(p, EX_LITERAL, at);
        u->lit = LIT_STRING;
        u->text = unit;
        u->text_len = strlen(unit);
        ptr_vec_push(p->a, &args, u);
        if (!ps_expr_list(p, &args))
            return NULL;
    } else if (token_is_word(name, "position") && !token_is_op(ps_cur(p), ")")) {
        /* POSITION(substr IN str): the operand stops before IN, which is not a predicate here. */
        expr *sub = parse_level(p, 0);
        if (!sub || !ps_expect_word(p, "in"))
            return NULL;
        expr *str = ps_expr(p);
        if (!str)
            return NULL;
        ptr_vec_push(p->a, &args, sub);
        ptr_vec_push(p->a, &args, str);
    } else if (token_is_word(name, "cast") || token_is_word(name, "convert")) {
        expr *e = ps_expr(p);
        if (!e)
            return NULL;
        ptr_vec_push(p->a, &args, e);
        if (ps_accept_word(p, "as") || ps_accept_op(p, ",")) {
            expr *t = parse_cast_type(p);
            if (!t)
                return NULL;
            ptr_vec_push(p->a, &args, t);
        } else if (token_is_word(ps_cur(p), "using")) {
            return ps_unsupported(p, "CONVERT ... USING"), NULL;
        } else {
            return ps_fail(p, "expected AS"), NULL;
        }
    } else if (token_is_op(ps_cur(p), "*")) {
        ptr_vec_push(p->a, &args, ps_new_expr(p, EX_STAR, ps_cur(p)));
        ps_next(p);
    } else if (!token_is_op(ps_cur(p), ")")) {
        if (ps_accept_word(p, "distinct"))
            f->distinct = true;
        else
            ps_accept_word(p, "all");
        if (!ps_expr_list(p, &args))
            return NULL;
        if (token_is_word(name, "char") && ps_accept_word(p, "using") && !parse_char_using(p))
            return NULL;
    }
    if (!ps_expect_op(p, ")"))
        return NULL;
    set_args(f, &args);
    if (ps_at_over(p) && !ps_over(p, f))
        return NULL;
    f->end = ps_prev_end(p);
    return f;
}

static expr *parse_case(parser *p, token *start)
{
    expr *c = ps_new_expr(p, EX_CASE, start);
    ps_next(p);
    if (!token_is_word(ps_cur(p), "when")) {
        c->left = ps_expr(p);
        if (!c->left)
            return NULL;
    }
    ptr_vec arms = {0};
    while (ps_accept_word(p, "when")) {
        expr *w = ps_expr(p);
        if (!w || !ps_expect_word(p, "then"))
            return NULL;
        expr *t = ps_expr(p);
        if (!t)
            return NULL;
        ptr_vec_push(p->a, &arms, w);
        ptr_vec_push(p->a, &arms, t);
    }
    if (arms.len == 0)
        return ps_fail(p, "expected WHEN"), NULL;
    if (ps_accept_word(p, "else")) {
        c->right = ps_expr(p);
        if (!c->right)
            return NULL;
    }
    if (!ps_expect_word(p, "end"))
        return NULL;
    set_args(c, &arms);
    return c;
}

static expr *literal(parser *p, token *t, literal_kind kind)
{
    expr *e = ps_new_expr(p, EX_LITERAL, t);
    e->lit = kind;
    e->text = t->text;
    e->text_len = t->len;
    ps_next(p);
    return e;
}

/* Niladic functions MySQL accepts without parentheses. */
static const char *const bare_functions[] = {
    "current_date",   "current_time", "current_timestamp", "current_user",  "localtime",
    "localtimestamp", "utc_date",     "utc_time",          "utc_timestamp", NULL};

static expr *parse_column_or_function(parser *p)
{
    token *t = ps_cur(p);
    if (t->kind == TK_IDENT && token_is_op(ps_ahead(p, 1), "("))
        return parse_function(p, t);
    if (t->kind == TK_IDENT) {
        for (const char *const *f = bare_functions; *f; f++) {
            if (strcasecmp(t->text, *f) == 0) {
                expr *e = ps_new_expr(p, EX_FUNC, t);
                e->text = t->text;
                ps_next(p);
                return e;
            }
        }
    }
    expr *col = ps_new_expr(p, EX_COLUMN, t);
    const char *part = ps_ident(p);
    if (!part)
        return NULL;
    col->parts[col->nparts++] = part;
    while (token_is_op(ps_cur(p), ".")) {
        ps_next(p);
        if (token_is_op(ps_cur(p), "*")) {
            col->kind = EX_STAR;
            ps_next(p);
            break;
        }
        if (col->nparts == 3)
            return ps_fail(p, "too many name qualifiers"), NULL;
        /* After a dot any word is an identifier, reserved or not. */
        token *q = ps_cur(p);
        if (q->kind != TK_IDENT && q->kind != TK_QIDENT)
            return ps_fail(p, "expected an identifier"), NULL;
        col->parts[col->nparts++] = q->text;
        ps_next(p);
    }
    return col;
}

/* SELECT ...) after its '(' (current: SELECT), as kind (EX_SUBQUERY, EX_EXISTS, EX_IN). */
static expr *parse_subquery(parser *p, expr_kind kind, token *start)
{
    expr *e = ps_new_expr(p, kind, start);
    if (!(e->subquery = ps_select(p)) || !ps_expect_op(p, ")"))
        return NULL;
    e->end = ps_prev_end(p);
    return e;
}

/* INTERVAL n unit, as in DATE_ADD(d, INTERVAL 1 DAY) or d + INTERVAL 1 DAY. */
static expr *parse_interval(parser *p, token *start)
{
    ps_next(p);
    expr *e = ps_new_expr(p, EX_INTERVAL, start);
    if (!(e->left = ps_expr(p)))
        return NULL;
    if (!(e->text = parse_time_unit(p)))
        return NULL;
    e->text_len = strlen(e->text);
    e->end = ps_prev_end(p);
    return e;
}

/* X'4A61', 0x4A61, b'101', 0b101: binary strings that are numbers in a numeric context. */
static expr *parse_bytes_literal(parser *p, token *t)
{
    expr *e = literal(p, t, LIT_STRING);
    e->binary = true;
    e->hybrid = true;
    return e;
}

/* 'a' 'b' is one string in MySQL. */
static expr *parse_string(parser *p, token *t)
{
    expr *e = literal(p, t, LIT_STRING);
    while (ps_cur(p)->kind == TK_STRING) {
        token *s = ps_cur(p);
        char *joined = arena_alloc(p->a, e->text_len + s->len + 1);
        memcpy(joined, e->text, e->text_len);
        memcpy(joined + e->text_len, s->text, s->len);
        e->text = joined;
        e->text_len += s->len;
        ps_next(p);
    }
    return e;
}

/* A ? of a prepared statement: numbered in the order they appear. */
static expr *parse_param(parser *p, token *t)
{
    ps_next(p);
    expr *e = ps_new_expr(p, EX_PARAM, t);
    ptr_vec_push(p->a, &p->params, e);
    return e;
}

/* @@[scope.]name, @name, or @name := expr. */
static expr *parse_variable(parser *p, token *t)
{
    expr *e = ps_new_expr(p, EX_VARIABLE, t);
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
    ps_next(p);
    if (!e->system && ps_accept_op(p, ":=")) {
        /* @name := expr assigns and yields the value; as in MySQL the value is a
         * whole expression (@a := 1 OR 0 assigns 1 OR 0). */
        e->kind = EX_ASSIGN;
        if (!(e->left = ps_expr(p)))
            return NULL;
        e->end = ps_prev_end(p);
    }
    return e;
}

/* An operator where an expression starts: ( expr ), ( SELECT ... ) or *. */
/*
 * {fn CONVERT(x, SQL_BIGINT)}: ODBC's CONVERT names ODBC's SQL types; an ODBC
 * driver passes the escape on, so the server reads them as the MySQL cast
 * types they stand for. NULL for a type that has none.
 */
static const char *odbc_cast_type(const char *odbc)
{
    static const char *const map[][2] = {
        {"SQL_BIGINT", "SIGNED"},      {"SQL_INTEGER", "SIGNED"},
        {"SQL_SMALLINT", "SIGNED"},    {"SQL_TINYINT", "SIGNED"},
        {"SQL_CHAR", "CHAR"},          {"SQL_VARCHAR", "CHAR"},
        {"SQL_LONGVARCHAR", "CHAR"},   {"SQL_WCHAR", "CHAR"},
        {"SQL_WVARCHAR", "CHAR"},      {"SQL_WLONGVARCHAR", "CHAR"},
        {"SQL_DATE", "DATE"},          {"SQL_TYPE_DATE", "DATE"},
        {"SQL_TIME", "TIME"},          {"SQL_TYPE_TIME", "TIME"},
        {"SQL_TIMESTAMP", "DATETIME"}, {"SQL_TYPE_TIMESTAMP", "DATETIME"},
        {"SQL_DECIMAL", "DECIMAL"},    {"SQL_NUMERIC", "DECIMAL"},
        {"SQL_DOUBLE", "DOUBLE"},      {"SQL_FLOAT", "DOUBLE"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcasecmp(odbc, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

/*
 * An ODBC escape, as MySQL's grammar reads it ('{' ident expr '}'): {d '...'},
 * {t '...'} and {ts '...'} are typed literals (read here as DATE '...' is:
 * the string, which the context types), and any other word, {fn ...} among
 * them, leaves the expression as it is, except for ODBC's CONVERT.
 */
static expr *parse_odbc_escape(parser *p)
{
    ps_next(p); /* { */
    token *kind = ps_cur(p);
    if (kind->kind != TK_IDENT)
        return ps_fail(p, "expected d, t, ts or fn after '{'"), NULL;
    ps_next(p);
    expr *e = ps_expr(p);
    if (!e || !ps_expect_op(p, "}"))
        return NULL;
    if (token_is_word(kind, "fn") && e->kind == EX_FUNC && strcasecmp(e->text, "convert") == 0 &&
        e->nargs == 2 && strncasecmp(e->args[1]->text, "SQL_", 4) == 0) {
        const char *type = odbc_cast_type(e->args[1]->text);
        if (!type)
            return ps_fail_at(p, kind, false,
                              arena_printf(p->a, "an ODBC type MySQL has no cast for: %s",
                                           e->args[1]->text)),
                   NULL;
        e->args[1]->text = type;
        e->args[1]->text_len = strlen(type);
    }
    return e;
}

static expr *parse_operator_primary(parser *p, token *t)
{
    if (token_is_op(t, "{"))
        return parse_odbc_escape(p);
    if (token_is_op(t, "(")) {
        ps_next(p);
        if (token_is_word(ps_cur(p), "select"))
            return parse_subquery(p, EX_SUBQUERY, t);
        expr *e = ps_expr(p);
        if (!e)
            return NULL;
        if (token_is_op(ps_cur(p), ","))
            return ps_unsupported(p, "row constructors"), NULL;
        if (!ps_expect_op(p, ")"))
            return NULL;
        return e;
    }
    if (token_is_op(t, "*")) {
        ps_next(p);
        return ps_new_expr(p, EX_STAR, t);
    }
    return ps_fail(p, "expected an expression"), NULL;
}

static expr *parse_exists(parser *p, token *t)
{
    ps_next(p);
    if (!ps_expect_op(p, "("))
        return NULL;
    if (!token_is_word(ps_cur(p), "select"))
        return ps_fail(p, "expected SELECT"), NULL;
    return parse_subquery(p, EX_EXISTS, t);
}

/* MySQL's character sets: after an underscore, a name of one introduces a string. */
static const char *const charsets[] = {
    "armscii8", "ascii",   "big5",    "binary", "cp1250", "cp1251",  "cp1256",   "cp1257",
    "cp850",    "cp852",   "cp866",   "cp932",  "dec8",   "eucjpms", "euckr",    "gb18030",
    "gb2312",   "gbk",     "geostd8", "greek",  "hebrew", "hp8",     "keybcs2",  "koi8r",
    "koi8u",    "latin1",  "latin2",  "latin5", "latin7", "macce",   "macroman", "sjis",
    "swe7",     "tis620",  "ucs2",    "ujis",   "utf16",  "utf16le", "utf32",    "utf8",
    "utf8mb3",  "utf8mb4", NULL};

static bool is_introducer(const token *t, const token *next)
{
    if (t->kind != TK_IDENT || t->text[0] != '_' ||
        (next->kind != TK_STRING && next->kind != TK_HEX && next->kind != TK_BIT))
        return false;
    for (const char *const *c = charsets; *c; c++)
        if (strcasecmp(t->text + 1, *c) == 0)
            return true;
    return false;
}

/*
 * _charset'...' (or _charset X'...'): the string in that character set. The
 * statement is UTF-8, so _utf8mb4 (and its older names) changes nothing, and
 * _binary makes a binary string, compared byte by byte. Other character sets
 * would re-read the bytes (_latin1'é' is two characters): refused.
 */
static expr *parse_introducer(parser *p, token *t)
{
    bool binary = strcasecmp(t->text, "_binary") == 0;
    if (!binary && strcasecmp(t->text, "_utf8mb4") != 0 && strcasecmp(t->text, "_utf8mb3") != 0 &&
        strcasecmp(t->text, "_utf8") != 0)
        return ps_unsupported(p, arena_printf(p->a,
                                              "the character set introducer %s (statements are "
                                              "utf8mb4: write _utf8mb4'...' or _binary'...')",
                                              t->text)),
               NULL;
    ps_next(p);
    token *lit = ps_cur(p);
    expr *e = lit->kind == TK_STRING ? parse_string(p, lit) : literal(p, lit, LIT_STRING);
    e->pos = t->offset;
    e->binary = binary;
    if (!binary && utf8_valid_prefix((const uint8_t *)e->text, e->text_len) != e->text_len)
        return ps_fail_at(p, lit, false,
                          arena_printf(p->a, "Invalid %s character string", t->text + 1)),
               NULL;
    return e;
}

/* A word: a keyword that starts an expression, or a column or function name. */
static expr *parse_word_primary(parser *p, token *t)
{
    if (token_is_word(t, "null"))
        return literal(p, t, LIT_NULL);
    if (token_is_word(t, "true"))
        return literal(p, t, LIT_TRUE);
    if (token_is_word(t, "false"))
        return literal(p, t, LIT_FALSE);
    if (token_is_word(t, "case"))
        return parse_case(p, t);
    if (token_is_word(t, "exists"))
        return parse_exists(p, t);
    if (token_is_word(t, "interval"))
        return parse_interval(p, t);
    if ((token_is_word(t, "date") || token_is_word(t, "time") || token_is_word(t, "timestamp")) &&
        ps_ahead(p, 1)->kind == TK_STRING) {
        ps_next(p); /* a typed literal: DATE '2022-01-01' is that string */
        return literal(p, ps_cur(p), LIT_STRING);
    }
    if (is_introducer(t, ps_ahead(p, 1)))
        return parse_introducer(p, t);
    /* Reserved words that are also functions when a '(' follows: MOD(a, b), LEFT(s, n). */
    if ((token_is_word(t, "mod") || token_is_word(t, "left") || token_is_word(t, "right")) &&
        token_is_op(ps_ahead(p, 1), "("))
        return parse_column_or_function(p);
    if (ps_is_reserved(t))
        return ps_fail(p, "expected an expression"), NULL;
    return parse_column_or_function(p);
}

static expr *parse_primary(parser *p)
{
    token *t = ps_cur(p);
    switch (t->kind) {
    case TK_STRING:
        return parse_string(p, t);
    case TK_HEX:
    case TK_BIT:
        return parse_bytes_literal(p, t);
    case TK_INTEGER:
        return literal(p, t, LIT_INT);
    case TK_NUMBER:
        return literal(p, t, LIT_NUMBER);
    case TK_PARAM:
        return parse_param(p, t);
    case TK_SYSVAR:
    case TK_USERVAR:
        return parse_variable(p, t);
    case TK_OP:
        return parse_operator_primary(p, t);
    case TK_IDENT:
        return parse_word_primary(p, t);
    case TK_QIDENT:
        return parse_column_or_function(p);
    case TK_EOF:
        return ps_fail(p, "unexpected end of statement"), NULL;
    case TK_ERROR:
        return ps_fail(p, NULL), NULL;
    }
    return ps_fail(p, "expected an expression"), NULL;
}

/*
 * An operator that joins its left operand iteratively (a OR b OR c, a = b = c,
 * a IS NULL IS NULL): such chains grow the tree without nesting the parser, so
 * they are counted, to keep every recursive walk of the tree within the C stack.
 */
static expr *chained(parser *p, expr *e)
{
    if (++p->noperators > PARSER_MAX_OPERATORS)
        return ps_fail(p, "too many operators in one statement"), NULL;
    return e;
}

static expr *make_binary(parser *p, token *at, expr_op op, expr *l, expr *r)
{
    expr *e = ps_new_expr(p, EX_BINARY, at);
    e->op = op;
    e->left = l;
    e->right = r;
    e->pos = l->pos;
    return chained(p, e);
}

static expr *parse_unary(parser *p);

/* Whether t can start the operand of a prefix operator (BINARY x, not a column named binary). */
static bool starts_operand(const token *t)
{
    if (t->kind == TK_EOF || t->kind == TK_ERROR)
        return false;
    if (t->kind != TK_OP)
        return true;
    return token_is_op(t, "(") || token_is_op(t, "-") || token_is_op(t, "+") ||
           token_is_op(t, "~") || token_is_op(t, "!");
}

/* The operand after a prefix operator (-, +, ~, !, BINARY): one level deeper. */
static expr *parse_prefixed_operand(parser *p)
{
    if (++p->depth > PARSER_MAX_DEPTH)
        return ps_fail(p, "expression nested too deeply"), NULL;
    ps_next(p);
    expr *operand = parse_unary(p);
    p->depth--;
    return operand;
}

/*
 * BINARY x is MySQL's shorthand for CAST(x AS BINARY): comparisons with it
 * are case-sensitive. It binds tighter than any other operator.
 */
static expr *parse_binary_cast(parser *p, token *t)
{
    expr *operand = parse_prefixed_operand(p);
    if (!operand)
        return NULL;
    expr *cast = ps_new_expr(p, EX_FUNC, t);
    cast->text = "CAST";
    cast->args = arena_alloc(p->a, 2 * sizeof(expr *));
    cast->args[0] = operand;
    cast->args[1] = ps_new_expr(p, EX_LITERAL, t);
    cast->args[1]->lit = LIT_STRING;
    cast->args[1]->text = "BINARY";
    cast->args[1]->text_len = strlen("BINARY");
    cast->nargs = 2;
    cast->end = ps_prev_end(p);
    return cast;
}

/*
 * e COLLATE name, kept as the call COLLATE(e, 'name') with the name lower-cased.
 * Which collations Mimir can honour is the printers' business.
 */
static expr *parse_collate(parser *p, expr *operand)
{
    while (operand && token_is_word(ps_cur(p), "collate")) {
        token *at = ps_cur(p);
        ps_next(p);
        token *name = ps_cur(p);
        if (name->kind != TK_IDENT && name->kind != TK_QIDENT && name->kind != TK_STRING)
            return ps_fail(p, "expected a collation name"), NULL;
        ps_next(p);
        expr *c = ps_new_expr(p, EX_FUNC, at);
        c->text = "COLLATE";
        c->pos = operand->pos;
        c->args = arena_alloc(p->a, 2 * sizeof(expr *));
        c->args[0] = operand;
        c->args[1] = ps_new_expr(p, EX_LITERAL, name);
        c->args[1]->lit = LIT_STRING;
        char *lower = arena_strdup(p->a, name->text);
        for (char *ch = lower; *ch; ch++)
            *ch = (char)tolower((unsigned char)*ch);
        c->args[1]->text = lower;
        c->args[1]->text_len = strlen(lower);
        c->nargs = 2;
        c->end = ps_prev_end(p);
        operand = chained(p, c);
    }
    return operand;
}

static expr *parse_unary(parser *p)
{
    token *t = ps_cur(p);
    if (token_is_word(t, "binary") && starts_operand(ps_ahead(p, 1)))
        return parse_binary_cast(p, t);
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
        return parse_collate(p, parse_primary(p));
    expr *operand = parse_prefixed_operand(p);
    if (!operand)
        return NULL;
    expr *e = ps_new_expr(p, EX_UNARY, t);
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
        if (o->word ? token_is_word(ps_cur(p), o->text) : token_is_op(ps_cur(p), o->text))
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
        token *at = ps_cur(p);
        ps_next(p);
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

/* e becomes the predicate "left [NOT] ...": it starts where left does. */
static expr *predicate_of(parser *p, expr *e, expr *left, bool negated)
{
    e->pos = left->pos;
    e->left = left;
    e->negated = negated;
    return chained(p, e);
}

/* left op right; at is the operator. ANY, ALL and SOME take subqueries. */
static expr *parse_comparison(parser *p, expr *left, token *at, const binop *o)
{
    ps_next(p);
    if (token_is_word(ps_cur(p), "any") || token_is_word(ps_cur(p), "all") ||
        token_is_word(ps_cur(p), "some"))
        return ps_unsupported(p, "subqueries"), NULL;
    expr *right = parse_level(p, 0);
    if (!right)
        return NULL;
    return make_binary(p, at, o->op, left, right);
}

/* left IS [NOT] NULL | TRUE | FALSE; at is the IS. */
static expr *parse_is(parser *p, expr *left, token *at)
{
    ps_next(p);
    bool negated = ps_accept_word(p, "not");
    literal_kind lit;
    if (ps_accept_word(p, "null"))
        lit = LIT_NULL;
    else if (ps_accept_word(p, "true"))
        lit = LIT_TRUE;
    else if (ps_accept_word(p, "false"))
        lit = LIT_FALSE;
    else
        return ps_fail(p, "expected NULL, TRUE or FALSE"), NULL;
    expr *e = ps_new_expr(p, EX_IS, at);
    e->lit = lit;
    return predicate_of(p, e, left, negated);
}

/* left [NOT] IN (SELECT ...) or IN (value, ...); kw is the IN. */
static expr *parse_in(parser *p, expr *left, token *kw, bool negated)
{
    ps_next(p);
    if (!ps_expect_op(p, "("))
        return NULL;
    if (token_is_word(ps_cur(p), "select")) {
        expr *e = parse_subquery(p, EX_IN, kw);
        return e ? predicate_of(p, e, left, negated) : NULL;
    }
    ptr_vec items = {0};
    if (!ps_expr_list(p, &items) || !ps_expect_op(p, ")"))
        return NULL;
    /* Each value becomes a backend parameter: PostgreSQL takes at most 65535. */
    if (items.len > PARSER_MAX_IN_LIST)
        return ps_fail_at(p, kw, true,
                          "IN lists of more than 10000 values (use a dimension "
                          "filter that selects fewer values)"),
               NULL;
    expr *e = ps_new_expr(p, EX_IN, kw);
    set_args(e, &items);
    return predicate_of(p, e, left, negated);
}

/* left [NOT] BETWEEN lo AND hi; kw is the BETWEEN. */
static expr *parse_between(parser *p, expr *left, token *kw, bool negated)
{
    ps_next(p);
    expr *lo = parse_level(p, 0);
    if (!lo || !ps_expect_word(p, "and"))
        return NULL;
    expr *hi = parse_level(p, 0);
    if (!hi)
        return NULL;
    expr *e = ps_new_expr(p, EX_BETWEEN, kw);
    e->args = arena_alloc(p->a, 2 * sizeof(expr *));
    e->args[0] = lo;
    e->args[1] = hi;
    e->nargs = 2;
    return predicate_of(p, e, left, negated);
}

/* left [NOT] LIKE pattern [ESCAPE c]; kw is the LIKE. */
static expr *parse_like(parser *p, expr *left, token *kw, bool negated)
{
    ps_next(p);
    expr *pattern = parse_level(p, 0);
    if (!pattern)
        return NULL;
    expr *e = ps_new_expr(p, EX_LIKE, kw);
    e->right = pattern;
    if (ps_accept_word(p, "escape")) {
        expr *esc = parse_primary(p);
        if (!esc)
            return NULL;
        e->args = arena_alloc(p->a, sizeof(expr *));
        e->args[0] = esc;
        e->nargs = 1;
    }
    return predicate_of(p, e, left, negated);
}

/* Comparison level: =, <>, <, IS, [NOT] IN/BETWEEN/LIKE. */
static expr *parse_predicate(parser *p)
{
    expr *left = parse_level(p, 0);
    while (left) {
        token *at = ps_cur(p);
        const binop *o = match_binop(p, ops_cmp);
        if (o) {
            left = parse_comparison(p, left, at, o);
            continue;
        }
        if (token_is_word(at, "is")) {
            left = parse_is(p, left, at);
            continue;
        }
        bool negated = false;
        size_t save = p->i;
        if (token_is_word(at, "not")) {
            negated = true;
            ps_next(p);
        }
        token *kw = ps_cur(p);
        if (token_is_word(kw, "in"))
            left = parse_in(p, left, kw, negated);
        else if (token_is_word(kw, "between"))
            left = parse_between(p, left, kw, negated);
        else if (token_is_word(kw, "like"))
            left = parse_like(p, left, kw, negated);
        else if (token_is_word(kw, "regexp") || token_is_word(kw, "rlike"))
            return ps_unsupported(p, "REGEXP"), NULL;
        else {
            p->i = save; /* no predicate follows: give back a NOT */
            return left;
        }
    }
    return NULL;
}

static expr *parse_not(parser *p)
{
    token *t = ps_cur(p);
    if (!token_is_word(t, "not"))
        return parse_predicate(p);
    if (++p->depth > PARSER_MAX_DEPTH)
        return ps_fail(p, "expression nested too deeply"), NULL;
    ps_next(p);
    expr *operand = parse_not(p);
    p->depth--;
    if (!operand)
        return NULL;
    expr *e = ps_new_expr(p, EX_UNARY, t);
    e->op = OP_NOT;
    e->left = operand;
    return e;
}

static expr *parse_and(parser *p)
{
    expr *left = parse_not(p);
    while (left && (token_is_word(ps_cur(p), "and") || token_is_op(ps_cur(p), "&&"))) {
        token *at = ps_cur(p);
        ps_next(p);
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
    while (left && token_is_word(ps_cur(p), "xor")) {
        token *at = ps_cur(p);
        ps_next(p);
        expr *right = parse_and(p);
        if (!right)
            return NULL;
        left = make_binary(p, at, OP_XOR, left, right);
    }
    return left;
}

expr *ps_expr(parser *p)
{
    if (++p->depth > PARSER_MAX_DEPTH)
        return ps_fail(p, "expression nested too deeply"), NULL;
    size_t start = ps_cur(p)->offset;
    expr *left = parse_xor(p);
    while (left && (token_is_word(ps_cur(p), "or") || token_is_op(ps_cur(p), "||"))) {
        token *at = ps_cur(p);
        ps_next(p);
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
        left->end = ps_prev_end(p);
    }
    return left;
}

/* ---- SELECT ------------------------------------------------------------ */

/*
 * MySQL's name for an unaliased item: a string literal ('abc', N'abc',
 * _binary'abc', 'a' 'b') is named by its value, anything else by its text as
 * the client wrote it (SUM(revenue), 1 + 1, X'4A61'). Columns are named later,
 * by the column they resolve to.
 */
static const char *default_label(parser *p, size_t first, const expr *e, size_t start)
{
    const token *t = &p->toks.items[first];
    bool quoted = t->kind == TK_STRING ||
                  (t->kind == TK_IDENT && t->text[0] == '_' && first + 1 < p->toks.len &&
                   p->toks.items[first + 1].kind == TK_STRING);
    if (e->kind == EX_LITERAL && e->lit == LIT_STRING && quoted && !memchr(e->text, 0, e->text_len))
        return e->text;
    return arena_strndup(p->a, p->sql + start, ps_prev_end(p) - start);
}

static bool parse_select_items(parser *p, select_stmt *s)
{
    ptr_vec items = {0};
    do {
        select_item *it = arena_alloc(p->a, sizeof(*it));
        size_t start = ps_cur(p)->offset;
        size_t first = p->i;
        it->e = ps_expr(p);
        if (!it->e)
            return false;
        it->text = default_label(p, first, it->e, start);
        if (ps_accept_word(p, "as")) {
            token *t = ps_cur(p);
            if (t->kind == TK_STRING || t->kind == TK_QIDENT || t->kind == TK_IDENT) {
                it->alias = t->text;
                ps_next(p);
            } else {
                return ps_fail(p, "expected an alias");
            }
        } else if (ps_cur(p)->kind == TK_QIDENT || ps_cur(p)->kind == TK_STRING ||
                   (ps_cur(p)->kind == TK_IDENT && !ps_is_reserved(ps_cur(p)))) {
            it->alias = ps_cur(p)->text;
            ps_next(p);
        }
        ptr_vec_push(p->a, &items, it);
        if (items.len > PARSER_MAX_COLUMNS)
            return ps_unsupported(p, "select lists of more than 4096 columns");
    } while (ps_accept_op(p, ","));
    s->nitems = items.len;
    s->items = arena_alloc(p->a, items.len * sizeof(select_item));
    for (size_t i = 0; i < items.len; i++)
        s->items[i] = *(select_item *)items.items[i];
    return true;
}

/* One table of FROM: [db.]name [[AS] alias] or (SELECT ...) [AS] alias. */
static table_ref *parse_table_ref(parser *p)
{
    if (token_is_op(ps_cur(p), "(") && token_is_word(ps_ahead(p, 1), "select")) {
        /* A derived table: (SELECT ...) AS alias, as Tableau wraps custom SQL. */
        table_ref *r = arena_alloc(p->a, sizeof(*r));
        r->pos = ps_cur(p)->offset;
        /* Derived tables nest statements, not expressions: they count as nesting too. */
        if (++p->depth > PARSER_MAX_DEPTH)
            return ps_fail(p, "expression nested too deeply"), NULL;
        ps_next(p);
        p->union_allowed = true; /* a derived table may be a UNION (planner/set_operation.h) */
        if (!(r->subquery = ps_select(p)) || !ps_expect_op(p, ")"))
            return NULL;
        p->depth--;
        ps_accept_word(p, "as");
        token *alias = ps_cur(p);
        if (alias->kind != TK_QIDENT && (alias->kind != TK_IDENT || ps_is_reserved(alias)))
            return ps_fail(p, "every derived table needs an alias"), NULL;
        r->alias = ps_ident(p);
        return r;
    }
    if (token_is_op(ps_cur(p), "("))
        return ps_unsupported(p, "derived tables other than (SELECT ...) alias"), NULL;
    table_ref *r = arena_alloc(p->a, sizeof(*r));
    r->pos = ps_cur(p)->offset;
    const char *first = ps_ident(p);
    if (!first)
        return NULL;
    if (ps_accept_op(p, ".")) {
        token *t = ps_cur(p);
        if (t->kind != TK_IDENT && t->kind != TK_QIDENT)
            return ps_fail(p, "expected a table name"), NULL;
        r->db = first;
        r->name = t->text;
        ps_next(p);
    } else {
        r->name = first;
    }
    if (ps_accept_word(p, "as")) {
        if (!(r->alias = ps_ident(p)))
            return NULL;
    } else if (ps_cur(p)->kind == TK_QIDENT ||
               (ps_cur(p)->kind == TK_IDENT && !ps_is_reserved(ps_cur(p)))) {
        r->alias = ps_cur(p)->text;
        ps_next(p);
    }
    /* A CTE's name: the derived table it stands for, named as written. */
    if (!r->db && (r->subquery = ps_cte(p, r->name))) {
        r->alias = r->alias ? r->alias : r->name;
        r->name = NULL;
    }
    return r;
}

/* [INNER | CROSS] JOIN, LEFT [OUTER] JOIN, RIGHT [OUTER] JOIN, STRAIGHT_JOIN; false when none. */
static bool accept_join(parser *p, join_kind *kind)
{
    if (ps_accept_word(p, "join") || ps_accept_word(p, "straight_join")) {
        *kind = JOIN_INNER;
        return true;
    }
    token *t = ps_cur(p);
    if (token_is_word(t, "inner") || token_is_word(t, "cross")) {
        ps_next(p);
        *kind = token_is_word(t, "inner") ? JOIN_INNER : JOIN_CROSS;
        return ps_expect_word(p, "join");
    }
    if (token_is_word(t, "left") || token_is_word(t, "right")) {
        ps_next(p);
        *kind = token_is_word(t, "left") ? JOIN_LEFT : JOIN_RIGHT;
        ps_accept_word(p, "outer");
        return ps_expect_word(p, "join");
    }
    return false;
}

/* table_ref {, table_ref | join table_ref [ON expr]}: the AST keeps how each joins. */
static bool parse_from(parser *p, select_stmt *s)
{
    ptr_vec refs = {0};
    table_ref *r = parse_table_ref(p);
    if (!r)
        return false;
    r->join = JOIN_FIRST;
    ptr_vec_push(p->a, &refs, r);
    for (;;) {
        join_kind kind = JOIN_COMMA;
        if (token_is_word(ps_cur(p), "natural"))
            return ps_unsupported(p, "NATURAL JOIN");
        if (!ps_accept_op(p, ",") && !accept_join(p, &kind)) {
            if (p->failed)
                return false;
            break;
        }
        if (p->failed || !(r = parse_table_ref(p)))
            return false;
        r->join = kind;
        if (kind != JOIN_COMMA && ps_accept_word(p, "on") && !(r->on = ps_expr(p)))
            return false;
        if ((kind == JOIN_LEFT || kind == JOIN_RIGHT) && !r->on)
            return token_is_word(ps_cur(p), "using") ? ps_unsupported(p, "JOIN ... USING")
                                                     : ps_fail(p, "expected ON");
        if (token_is_word(ps_cur(p), "using"))
            return ps_unsupported(p, "JOIN ... USING");
        ptr_vec_push(p->a, &refs, r);
    }
    s->nfrom = refs.len;
    s->from = arena_alloc(p->a, refs.len * sizeof(table_ref));
    for (size_t i = 0; i < refs.len; i++)
        s->from[i] = *(table_ref *)refs.items[i];
    return true;
}

bool ps_int64(parser *p, int64_t *out)
{
    token *t = ps_cur(p);
    if (t->kind != TK_INTEGER)
        return ps_fail(p, "expected a number");
    /* Decimal only, as in MySQL: LIMIT 010 is 10, and 0x10 is not a row count. */
    if (t->text[strspn(t->text, "0123456789")] != '\0')
        return ps_fail(p, "expected a number");
    errno = 0;
    char *end;
    long long v = strtoll(t->text, &end, 10);
    if (errno || *end || v < 0)
        return ps_fail(p, "number out of range");
    *out = v;
    ps_next(p);
    return true;
}

static bool parse_limit(parser *p, select_stmt *s)
{
    int64_t first;
    if (!ps_int64(p, &first))
        return false;
    s->has_limit = true;
    if (ps_accept_op(p, ",")) {
        s->offset = first;
        return ps_int64(p, &s->limit);
    }
    s->limit = first;
    if (ps_accept_word(p, "offset"))
        return ps_int64(p, &s->offset);
    return true;
}

bool ps_order_list(parser *p, order_item **out, size_t *n)
{
    ptr_vec items = {0};
    do {
        order_item *o = arena_alloc(p->a, sizeof(*o));
        if (!(o->e = ps_expr(p)))
            return false;
        if (ps_accept_word(p, "desc"))
            o->desc = true;
        else
            ps_accept_word(p, "asc");
        ptr_vec_push(p->a, &items, o);
    } while (ps_accept_op(p, ","));
    *n = items.len;
    *out = arena_alloc(p->a, items.len * sizeof(order_item));
    for (size_t i = 0; i < items.len; i++)
        (*out)[i] = *(order_item *)items.items[i];
    return true;
}

/* Modifiers MySQL allows after SELECT that change nothing for a read-only store
 * (SQL_NO_CACHE, which bypasses the result cache, is read apart). */
static const char *const select_modifiers[] = {
    "sql_cache",        "sql_calc_found_rows", "high_priority",     "straight_join",
    "sql_small_result", "sql_big_result",      "sql_buffer_result", NULL};

/* UNION [ALL | DISTINCT] SELECT ... after the statement's SELECT s (top: s is one). */
static bool parse_union(parser *p, select_stmt *s, bool top)
{
    if (!top)
        return ps_unsupported(p, "UNION in a subquery other than a derived table");
    if (s->norder_by || s->has_limit)
        return ps_fail(p, "ORDER BY and LIMIT before UNION need parentheses around the SELECT");
    ps_next(p); /* UNION */
    if (ps_accept_word(p, "all"))
        s->union_all = true;
    else
        ps_accept_word(p, "distinct");
    if (!token_is_word(ps_cur(p), "select"))
        return ps_fail(p, "expected SELECT");
    p->union_allowed = true;
    return (s->union_next = ps_select(p)) != NULL;
}

/*
 * Does an optimizer hint comment's body name hint `name` (NO_ROLLUP() in
 * "NO_ROLLUP() MAX_EXECUTION_TIME(10)")? Hints Mimir does not know are ignored,
 * as MySQL ignores them (with a warning).
 */
static bool hint_says(const char *hint, const char *name)
{
    size_t n = strlen(name);
    for (const char *c = hint; c && *c; c++) {
        bool starts = c == hint || !(isalnum((unsigned char)c[-1]) || c[-1] == '_');
        if (!starts || strncasecmp(c, name, n) != 0)
            continue;
        const char *after = c + n;
        while (*after == ' ' || *after == '\t' || *after == '\n' || *after == '\r')
            after++;
        if (*after == '(')
            return true;
    }
    return false;
}

select_stmt *ps_select(parser *p)
{
    bool top = p->union_allowed;
    p->union_allowed = false; /* its subqueries are not the statement's */
    select_stmt *s = arena_alloc(p->a, sizeof(*s));
    size_t windows_from = p->windows.len; /* OVER w of this SELECT, not of its subqueries */
    s->no_rollup = hint_says(ps_cur(p)->hint, "no_rollup");
    ps_next(p); /* SELECT */
    for (;;) {
        if (ps_accept_word(p, "distinct") || ps_accept_word(p, "distinctrow")) {
            s->distinct = true;
            continue;
        }
        if (ps_accept_word(p, "all"))
            continue;
        if (ps_accept_word(p, "sql_no_cache")) {
            s->no_cache = true;
            continue;
        }
        bool modifier = false;
        for (const char *const *m = select_modifiers; *m; m++)
            if (ps_accept_word(p, *m))
                modifier = true;
        if (!modifier)
            break;
    }
    if (!parse_select_items(p, s))
        return NULL;
    if (ps_accept_word(p, "from") && !parse_from(p, s))
        return NULL;
    if (ps_accept_word(p, "where") && !(s->where = ps_expr(p)))
        return NULL;
    if (ps_accept_word(p, "group")) {
        ptr_vec items = {0};
        if (!ps_expect_word(p, "by") || !ps_expr_list(p, &items))
            return NULL;
        s->group_by = (expr **)items.items;
        s->ngroup_by = items.len;
        if (token_is_word(ps_cur(p), "with"))
            return ps_unsupported(p, "WITH ROLLUP"), NULL;
    }
    if (ps_accept_word(p, "having") && !(s->having = ps_expr(p)))
        return NULL;
    if (ps_accept_word(p, "window") && !ps_window_clause(p, s))
        return NULL;
    if (ps_accept_word(p, "order")) {
        if (!ps_expect_word(p, "by") || !ps_order_list(p, &s->order_by, &s->norder_by))
            return NULL;
    }
    if (ps_accept_word(p, "limit") && !parse_limit(p, s))
        return NULL;
    if (!ps_resolve_windows(p, s, windows_from))
        return NULL;
    if (token_is_word(ps_cur(p), "union") && !parse_union(p, s, top))
        return NULL;
    if (token_is_word(ps_cur(p), "for") || token_is_word(ps_cur(p), "lock"))
        return ps_unsupported(p, "locking reads"), NULL;
    if (token_is_word(ps_cur(p), "into"))
        return ps_unsupported(p, "SELECT ... INTO"), NULL;
    return s;
}

/* ---- Other statements ---------------------------------------------------- */

static bool parse_set(parser *p, statement *st)
{
    ps_next(p); /* SET */
    ptr_vec sets = {0};
    do {
        set_assignment *a = arena_alloc(p->a, sizeof(*a));
        size_t start = ps_cur(p)->offset;
        token *t = ps_cur(p);
        if (token_is_word(t, "names") ||
            (token_is_word(t, "character") && token_is_word(ps_ahead(p, 1), "set")) ||
            token_is_word(t, "charset")) {
            a->name = token_is_word(t, "names") ? "names" : "character_set";
            ps_next(p);
            if (a->name[0] == 'c' && token_is_word(t, "character"))
                ps_next(p);
            token *v = ps_cur(p);
            if (v->kind != TK_IDENT && v->kind != TK_STRING && v->kind != TK_QIDENT)
                return ps_fail(p, "expected a character set name");
            ps_next(p);
            if (ps_accept_word(p, "collate")) {
                if (ps_cur(p)->kind == TK_EOF)
                    return ps_fail(p, "expected a collation name");
                ps_next(p);
            }
        } else if (token_is_word(t, "transaction") ||
                   ((token_is_word(t, "session") || token_is_word(t, "global")) &&
                    token_is_word(ps_ahead(p, 1), "transaction"))) {
            a->name = "transaction";
            if (!ps_skip_to_end(p)) /* a lexer error ends the list: report it */
                return false;
        } else {
            bool sys = false;
            if (t->kind == TK_SYSVAR) {
                sys = true;
                const char *dot = strchr(t->text, '.');
                a->name = dot ? dot + 1 : t->text;
                ps_next(p);
            } else if (t->kind == TK_USERVAR) {
                a->name = t->text;
                ps_next(p);
            } else {
                if (ps_accept_word(p, "session") || ps_accept_word(p, "global") ||
                    ps_accept_word(p, "local") || ps_accept_word(p, "persist"))
                    ps_accept_op(p, ".");
                sys = true;
                if (!(a->name = ps_ident(p)))
                    return false;
            }
            a->system = sys;
            if (!ps_accept_op(p, "=") && !ps_expect_op(p, ":="))
                return false;
            if (ps_accept_word(p, "default")) {
                a->value = NULL;
            } else if (sys && token_is_word(ps_cur(p), "on")) {
                /* ON is reserved, yet a system variable's value, taken as a bare
                 * word: MariaDB Connector/ODBC sends SET session_track_schema= ON. */
                a->value = ps_new_expr(p, EX_COLUMN, ps_cur(p));
                a->value->parts[a->value->nparts++] = ps_cur(p)->text;
                ps_next(p);
            } else if (!(a->value = ps_expr(p)))
                return false;
        }
        a->text = arena_strndup(p->a, p->sql + start, ps_prev_end(p) - start);
        char *lower = arena_strdup(p->a, a->name);
        for (char *c = lower; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        a->name = lower;
        ptr_vec_push(p->a, &sets, a);
    } while (ps_accept_op(p, ","));
    st->nsets = sets.len;
    st->sets = arena_alloc(p->a, sets.len * sizeof(set_assignment));
    for (size_t i = 0; i < sets.len; i++)
        st->sets[i] = *(set_assignment *)sets.items[i];
    return true;
}

bool ps_skip_to_end(parser *p)
{
    while (ps_cur(p)->kind != TK_EOF && ps_cur(p)->kind != TK_ERROR && !token_is_op(ps_cur(p), ";"))
        ps_next(p);
    return ps_cur(p)->kind != TK_ERROR || ps_fail(p, NULL);
}

static bool parse_transaction(parser *p, statement *st)
{
    st->kind = STMT_TRANSACTION;
    return ps_skip_to_end(p);
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

    token *t = ps_cur(&p);
    if (t->kind == TK_ERROR)
        return ps_fail(&p, NULL);
    if (t->kind == TK_EOF || (token_is_op(t, ";") && ps_ahead(&p, 1)->kind == TK_EOF)) {
        out->kind = STMT_EMPTY;
        return true;
    }
    bool ok;
    if (token_is_word(t, "with")) {
        out->kind = STMT_SELECT;
        ok = ps_with(&p);
        p.union_allowed = true;
        ok = ok && (out->select = ps_select(&p)) != NULL;
    } else if (token_is_word(t, "select")) {
        out->kind = STMT_SELECT;
        p.union_allowed = true;
        ok = (out->select = ps_select(&p)) != NULL;
    } else if ((token_is_word(t, "explain") || token_is_word(t, "describe") ||
                token_is_word(t, "desc")) &&
               (token_is_word(ps_ahead(&p, 1), "select") ||
                token_is_word(ps_ahead(&p, 1), "with") ||
                token_is_word(ps_ahead(&p, 1), "format"))) {
        /* EXPLAIN [FORMAT = name] SELECT ...: the plan Mimir would run. */
        ps_next(&p);
        if (ps_accept_word(&p, "format")) {
            if (!ps_expect_op(&p, "=") || !ps_ident(&p))
                return false;
        }
        if (token_is_word(ps_cur(&p), "with") && !ps_with(&p))
            return false;
        if (!token_is_word(ps_cur(&p), "select"))
            return ps_fail(&p, "expected SELECT");
        out->kind = STMT_EXPLAIN;
        p.union_allowed = true;
        ok = (out->select = ps_select(&p)) != NULL;
    } else if (token_is_word(t, "kill")) {
        /* KILL [QUERY | CONNECTION] id: the proxy finds the session. */
        ps_next(&p);
        if (ps_accept_word(&p, "query"))
            out->kill_query_only = true;
        else
            ps_accept_word(&p, "connection");
        out->kind = STMT_KILL;
        ok = ps_int64(&p, &out->kill_id);
    } else if (token_is_word(t, "show") ||
               ((token_is_word(t, "describe") || token_is_word(t, "desc")) &&
                !token_is_word(ps_ahead(&p, 1), "select"))) {
        out->kind = STMT_SHOW;
        ok = ps_show(&p, out);
    } else if (token_is_word(t, "use")) {
        out->kind = STMT_USE;
        ps_next(&p);
        ok = (out->name = ps_ident(&p)) != NULL;
    } else if (token_is_word(t, "set")) {
        out->kind = STMT_SET;
        ok = parse_set(&p, out);
    } else if (token_is_word(t, "begin") || token_is_word(t, "commit") ||
               token_is_word(t, "rollback") ||
               (token_is_word(t, "start") && token_is_word(ps_ahead(&p, 1), "transaction"))) {
        ok = parse_transaction(&p, out);
    } else if (is_statement_keyword(t)) {
        out->kind = STMT_UNSUPPORTED;
        token *second = ps_ahead(&p, 1);
        out->name = second->kind == TK_IDENT ? arena_printf(a, "%s %s", upper_word(a, t->text),
                                                            upper_word(a, second->text))
                                             : upper_word(a, t->text);
        ok = ps_skip_to_end(&p);
        return ok;
    } else {
        return ps_fail(&p, NULL);
    }
    if (!ok)
        return false;
    ps_accept_op(&p, ";");
    if (ps_cur(&p)->kind != TK_EOF)
        return ps_fail(&p, ps_cur(&p)->kind == TK_ERROR ? NULL
                                                        : "unexpected input after the statement");
    out->params = (expr **)p.params.items;
    out->nparams = p.params.len;
    return true;
}
