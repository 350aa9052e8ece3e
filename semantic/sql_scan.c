/*
 * A top-level scanner for SELECT statements written in a backend's dialect
 * (PostgreSQL, MySQL, SQLite). It is not a parser: it tokenises just enough
 * to know, for every byte, whether it is inside a string, a quoted
 * identifier, a comment or parentheses, and then finds the clause keywords
 * and commas at the top level. That is all the planner needs to splice
 * dimension expressions into a source's select list and filters into its
 * WHERE clause without understanding the backend's whole grammar.
 *
 * Quoting rules: '...' strings with '' escapes (E'...' also takes backslash
 * escapes), "..." and `...` identifiers with doubled-quote escapes,
 * PostgreSQL $tag$...$tag$ strings, -- line and slash-star block comments.
 */
#include "semantic/sql_scan.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "semantic/util.h"
#include "wire/xalloc.h"

typedef enum {
    TK_WORD,   /* unquoted identifier or keyword */
    TK_QIDENT, /* "..." or `...` */
    TK_STRING, /* '...', E'...', $tag$...$tag$ */
    TK_NUMBER, /* also $1-style parameters: operands that are never names */
    TK_LPAREN,
    TK_RPAREN,
    TK_COMMA,
    TK_SEMI,
    TK_DOT,
    TK_OP, /* any other punctuation, one byte per token */
} tk_kind;

typedef struct token {
    tk_kind kind;
    size_t begin, end; /* byte offsets into the SQL */
    int depth;         /* parenthesis depth; a paren has the depth outside it */
} token;

typedef struct tokens {
    token *v;
    size_t n, cap;
    bool unterminated; /* a quote or comment runs to the end */
    bool unbalanced;   /* parentheses do not pair up */
} tokens;

/* ---- lexing ---- */

static bool is_word_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c >= 0x80;
}

static bool is_word_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* Past the closing quote q of a quoted run that starts at i (on the opening
 * quote); doubled quotes are escapes. Returns end when unterminated. */
static size_t skip_quoted(const char *s, size_t i, size_t end, char q, bool backslash,
                          bool *unterminated)
{
    for (size_t j = i + 1; j < end; j++) {
        if (backslash && s[j] == '\\' && j + 1 < end) {
            j++;
        } else if (s[j] == q) {
            if (j + 1 < end && s[j + 1] == q)
                j++;
            else
                return j + 1;
        }
    }
    *unterminated = true;
    return end;
}

/* A PostgreSQL dollar-quoted string at i, or 0 when s[i] does not open one. */
static size_t skip_dollar_quoted(const char *s, size_t i, size_t end, bool *unterminated)
{
    size_t j = i + 1;
    if (j < end && is_word_start((unsigned char)s[j]))
        while (j < end && is_word_char((unsigned char)s[j]) && s[j] != '$')
            j++;
    if (j >= end || s[j] != '$')
        return 0;
    size_t taglen = j + 1 - i; /* "$tag$" */
    for (size_t k = j + 1; k + taglen <= end; k++)
        if (s[k] == '$' && memcmp(s + k, s + i, taglen) == 0)
            return k + taglen;
    *unterminated = true;
    return end;
}

/* Past whitespace and comments from i. */
static size_t skip_blank(const char *s, size_t i, size_t end, bool *unterminated)
{
    while (i < end) {
        if (isspace((unsigned char)s[i])) {
            i++;
        } else if (s[i] == '-' && i + 1 < end && s[i + 1] == '-') {
            while (i < end && s[i] != '\n')
                i++;
        } else if (s[i] == '/' && i + 1 < end && s[i + 1] == '*') {
            const char *close = NULL;
            for (size_t j = i + 2; j + 1 < end; j++)
                if (s[j] == '*' && s[j + 1] == '/') {
                    close = s + j;
                    break;
                }
            if (!close) {
                *unterminated = true;
                return end;
            }
            i = (size_t)(close - s) + 2;
        } else {
            break;
        }
    }
    return i;
}

static size_t lex_word(const char *s, size_t i, size_t end, tk_kind *kind, bool *unterminated)
{
    size_t j = i + 1;
    while (j < end && is_word_char((unsigned char)s[j]))
        j++;
    /* E'...', N'...', B'...', X'...': a one-letter prefix glued to a string. */
    if (j == i + 1 && j < end && s[j] == '\'' && strchr("EeNnBbXx", s[i])) {
        *kind = TK_STRING;
        return skip_quoted(s, j, end, '\'', s[i] == 'E' || s[i] == 'e', unterminated);
    }
    *kind = TK_WORD;
    return j;
}

static size_t lex_number(const char *s, size_t i, size_t end)
{
    size_t j = i + 1;
    while (j < end) {
        unsigned char c = (unsigned char)s[j];
        if (isalnum(c) || c == '_' || c == '.')
            j++;
        else if ((c == '+' || c == '-') && (s[j - 1] == 'e' || s[j - 1] == 'E') && j + 1 < end &&
                 isdigit((unsigned char)s[j + 1]))
            j++;
        else
            break;
    }
    return j;
}

/* Reads one token at i (after blanks); returns its end. */
static size_t lex_one(const char *s, size_t i, size_t end, tk_kind *kind, bool *unterminated)
{
    unsigned char c = (unsigned char)s[i];
    if (is_word_start(c))
        return lex_word(s, i, end, kind, unterminated);
    if (isdigit(c)) {
        *kind = TK_NUMBER;
        return lex_number(s, i, end);
    }
    switch (c) {
    case '\'':
        *kind = TK_STRING;
        return skip_quoted(s, i, end, '\'', false, unterminated);
    case '"':
    case '`':
        *kind = TK_QIDENT;
        return skip_quoted(s, i, end, (char)c, false, unterminated);
    case '$': {
        size_t j = skip_dollar_quoted(s, i, end, unterminated);
        if (j) {
            *kind = TK_STRING;
            return j;
        }
        *kind = TK_NUMBER; /* $1: a parameter */
        for (j = i + 1; j < end && isdigit((unsigned char)s[j]);)
            j++;
        return j;
    }
    case '(':
        *kind = TK_LPAREN;
        return i + 1;
    case ')':
        *kind = TK_RPAREN;
        return i + 1;
    case ',':
        *kind = TK_COMMA;
        return i + 1;
    case ';':
        *kind = TK_SEMI;
        return i + 1;
    case '.':
        *kind = TK_DOT;
        return i + 1;
    default:
        *kind = TK_OP;
        return i + 1;
    }
}

static void tokens_push(tokens *t, tk_kind kind, size_t begin, size_t end, int depth)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = xrealloc(t->v, t->cap * sizeof *t->v);
    }
    t->v[t->n++] = (token){.kind = kind, .begin = begin, .end = end, .depth = depth};
}

/* Tokenises s[begin, end). */
static void lex(const char *s, size_t begin, size_t end, tokens *t)
{
    memset(t, 0, sizeof *t);
    int depth = 0;
    size_t i = begin;
    for (;;) {
        i = skip_blank(s, i, end, &t->unterminated);
        if (i >= end)
            break;
        tk_kind kind;
        size_t j = lex_one(s, i, end, &kind, &t->unterminated);
        if (kind == TK_RPAREN && --depth < 0) {
            t->unbalanced = true;
            depth = 0;
        }
        tokens_push(t, kind, i, j, depth);
        if (kind == TK_LPAREN)
            depth++;
        i = j;
    }
    if (depth != 0)
        t->unbalanced = true;
}

/* ---- token predicates ---- */

static bool kw(const char *s, const token *t, const char *word)
{
    size_t n = strlen(word);
    return t->kind == TK_WORD && t->end - t->begin == n && strncasecmp(s + t->begin, word, n) == 0;
}

static bool kw_any(const char *s, const token *t, const char *const *words)
{
    for (; *words; words++)
        if (kw(s, t, *words))
            return true;
    return false;
}

/*
 * Words that cannot be a bare alias ("expr alias"), because they are part of
 * an expression's syntax. Not every SQL keyword: type names and function-like
 * words are fine as aliases in practice, and being too eager here would turn
 * "a::int b" into something other than an alias.
 */
static const char *const syntax_words[] = {
    "ALL",     "AND",     "ANY",     "AS",       "ASC",       "AT",        "BETWEEN",   "BY",
    "CASE",    "COLLATE", "DESC",    "DISTINCT", "DIV",       "ELSE",      "END",       "ESCAPE",
    "EXCEPT",  "EXISTS",  "FALSE",   "FETCH",    "FILTER",    "FOR",       "FROM",      "GLOB",
    "GROUP",   "HAVING",  "ILIKE",   "IN",       "INTERSECT", "INTERVAL",  "INTO",      "IS",
    "ISNULL",  "LIKE",    "LIMIT",   "MATCH",    "MOD",       "NOT",       "NOTNULL",   "NULL",
    "OFFSET",  "ON",      "OR",      "ORDER",    "OVER",      "PARTITION", "PRECISION", "REGEXP",
    "RLIKE",   "SELECT",  "SIMILAR", "SOME",     "THEN",      "TO",        "TRUE",      "UNION",
    "UNKNOWN", "USING",   "VARYING", "WHEN",     "WHERE",     "WINDOW",    "WITH",      "WITHIN",
    "XOR",     "ZONE",    NULL,
};

/* Syntax words after which an operand has just ended ("CASE ... END x"). */
static const char *const operand_words[] = {"END", "NULL", "TRUE", "FALSE", "UNKNOWN", NULL};

static bool is_syntax_word(const char *s, const token *t)
{
    return kw_any(s, t, syntax_words);
}

static bool can_be_bare_alias(const char *s, const token *t)
{
    return t->kind == TK_QIDENT || (t->kind == TK_WORD && !is_syntax_word(s, t));
}

static bool ends_operand(const char *s, const token *t)
{
    switch (t->kind) {
    case TK_WORD:
        return !is_syntax_word(s, t) || kw_any(s, t, operand_words);
    case TK_QIDENT:
    case TK_STRING:
    case TK_NUMBER:
    case TK_RPAREN:
        return true;
    case TK_OP:
        return s[t->begin] == ']';
    default:
        return false;
    }
}

/* ---- clauses ---- */

enum {
    CL_FROM = 1,  /* FROM (but not IS [NOT] DISTINCT FROM) */
    CL_INTO = 2,  /* SELECT ... INTO */
    CL_WHERE = 4, /* WHERE */
    CL_TAIL = 8,  /* GROUP BY, HAVING, WINDOW, ORDER BY, LIMIT, ... */
    CL_SETOP = 16 /* UNION, INTERSECT, EXCEPT */
};

static bool is_clause(const char *s, const token *v, size_t i, size_t n, int mask)
{
    const token *t = &v[i];
    if (t->kind != TK_WORD || t->depth != 0)
        return false;
    if ((mask & CL_FROM) && kw(s, t, "FROM")) {
        /* "a IS DISTINCT FROM b" and "IS NOT DISTINCT FROM" are operators. */
        bool distinct_op = i >= 2 && kw(s, &v[i - 1], "DISTINCT") &&
                           (kw(s, &v[i - 2], "IS") || kw(s, &v[i - 2], "NOT"));
        return !distinct_op;
    }
    if ((mask & CL_INTO) && kw(s, t, "INTO"))
        return true;
    if ((mask & CL_WHERE) && kw(s, t, "WHERE"))
        return true;
    if (mask & CL_TAIL) {
        static const char *const tail[] = {"HAVING", "WINDOW",  "LIMIT", "OFFSET",
                                           "FETCH",  "QUALIFY", NULL};
        if (kw_any(s, t, tail))
            return true;
        /* GROUP and ORDER need BY: "WITHIN GROUP (ORDER BY x)" is not a clause. */
        if ((kw(s, t, "GROUP") || kw(s, t, "ORDER")) && i + 1 < n && kw(s, &v[i + 1], "BY"))
            return true;
        if (kw(s, t, "FOR") && i + 1 < n &&
            (kw(s, &v[i + 1], "UPDATE") || kw(s, &v[i + 1], "SHARE") || kw(s, &v[i + 1], "NO") ||
             kw(s, &v[i + 1], "KEY")))
            return true;
    }
    if (mask & CL_SETOP) {
        static const char *const setops[] = {"UNION", "INTERSECT", "EXCEPT", NULL};
        return kw_any(s, t, setops);
    }
    return false;
}

/* Index of the first top-level clause in mask at or after i, or n. */
static size_t find_clause(const char *s, const token *v, size_t i, size_t n, int mask)
{
    for (; i < n; i++)
        if (is_clause(s, v, i, n, mask))
            return i;
    return n;
}

/* Index of the ')' that closes the '(' at i, or n. */
static size_t matching_paren(const token *v, size_t i, size_t n)
{
    for (size_t j = i + 1; j < n; j++)
        if (v[j].kind == TK_RPAREN && v[j].depth == v[i].depth)
            return j;
    return n;
}

static bool fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return false;
}

/* Token count without trailing ';'s; false (with why) on malformed input. */
static bool statement_tokens(const tokens *t, size_t *n_out, const char **why)
{
    if (t->unterminated)
        return fail(why, "has an unterminated quote or comment");
    if (t->unbalanced)
        return fail(why, "has unbalanced parentheses");
    size_t n = t->n;
    while (n > 0 && t->v[n - 1].kind == TK_SEMI)
        n--;
    if (n == 0)
        return fail(why, "is empty");
    for (size_t i = 0; i < n; i++)
        if (t->v[i].kind == TK_SEMI)
            return fail(why, "holds more than one statement");
    *n_out = n;
    return true;
}

/* Index of the SELECT keyword of the statement, skipping a WITH clause. */
static bool find_select(const char *s, const token *v, size_t n, size_t *sel, const char **why)
{
    size_t i = 0;
    if (kw(s, &v[0], "WITH")) {
        /* CTE bodies are parenthesised: the first top-level SELECT is the main one. */
        for (i = 1; i < n && !(v[i].depth == 0 && kw(s, &v[i], "SELECT")); i++)
            ;
    }
    if (i >= n || !kw(s, &v[i], "SELECT"))
        return fail(why, "is not a SELECT");
    if (find_clause(s, v, i + 1, n, CL_SETOP) < n)
        return fail(why, "combines SELECTs with UNION, INTERSECT or EXCEPT at its top level; "
                         "select from them in a subquery instead");
    *sel = i;
    return true;
}

/* Index of the first select item (after SELECT [DISTINCT [ON (...)] | ALL]). */
static size_t skip_select_modifiers(const char *s, const token *v, size_t i, size_t n,
                                    size_t *begin)
{
    *begin = v[i].end;
    i++;
    if (i < n && kw(s, &v[i], "DISTINCT")) {
        *begin = v[i].end;
        i++;
        if (i + 1 < n && kw(s, &v[i], "ON") && v[i + 1].kind == TK_LPAREN) {
            size_t close = matching_paren(v, i + 1, n);
            if (close < n) {
                *begin = v[close].end;
                i = close + 1;
            }
        }
    } else if (i < n && kw(s, &v[i], "ALL")) {
        *begin = v[i].end;
        i++;
    }
    return i;
}

static bool shape_from_tokens(const char *s, const tokens *t, source_sql_shape *sh,
                              const char **why)
{
    size_t n, sel;
    if (!statement_tokens(t, &n, why) || !find_select(s, t->v, n, &sel, why))
        return false;
    const token *v = t->v;
    sh->sql_end = v[n - 1].end;
    size_t first = skip_select_modifiers(s, v, sel, n, &sh->select_list_begin);
    size_t c = find_clause(s, v, first, n, CL_FROM | CL_INTO | CL_WHERE | CL_TAIL);
    if (c == first)
        return fail(why, "has an empty select list");
    /* The end of the list's last token, not the FROM keyword: text spliced
     * there cannot land inside a comment that ends the list. */
    sh->select_list_end = v[c - 1].end;

    size_t k = c;
    if (k < n && (kw(s, &v[k], "FROM") || kw(s, &v[k], "INTO")))
        k = find_clause(s, v, k + 1, n, CL_WHERE | CL_TAIL);
    if (k < n && kw(s, &v[k], "WHERE")) {
        size_t w = find_clause(s, v, k + 1, n, CL_TAIL);
        if (w == k + 1)
            return fail(why, "has an empty WHERE clause");
        sh->has_where = true;
        sh->where_begin = v[k].end;
        sh->where_end = v[w - 1].end;
    } else {
        /* No WHERE: both point where one would go, after the FROM clause. */
        sh->where_begin = sh->where_end = v[k - 1].end;
    }
    return true;
}

bool sql_shape_scan_why(const char *sql, source_sql_shape *shape, const char **why)
{
    memset(shape, 0, sizeof *shape);
    tokens t;
    lex(sql, 0, strlen(sql), &t);
    bool ok = shape_from_tokens(sql, &t, shape, why);
    free(t.v);
    if (!ok)
        memset(shape, 0, sizeof *shape);
    return ok;
}

bool sql_shape_scan(const char *sql, source_sql_shape *shape)
{
    return sql_shape_scan_why(sql, shape, NULL);
}

/* ---- select items ---- */

/* The name a quoted identifier or string stands for: quotes removed and
 * doubled quotes collapsed. Other tokens are returned as written. */
static char *token_name(const char *s, const token *t)
{
    char q = s[t->begin];
    size_t len = t->end - t->begin;
    bool quoted = (t->kind == TK_QIDENT || (t->kind == TK_STRING && q == '\'')) && len >= 2 &&
                  s[t->end - 1] == q;
    if (!quoted)
        return xstrndup(s + t->begin, len);
    char *out = xmalloc(len);
    size_t o = 0;
    for (size_t i = t->begin + 1; i + 1 < t->end; i++) {
        out[o++] = s[i];
        if (s[i] == q && s[i + 1] == q)
            i++;
    }
    out[o] = '\0';
    return out;
}

/* ident ( . ident )*: a column reference, possibly qualified. */
static bool is_plain_ref(const char *s, const token *v, size_t a, size_t b)
{
    if (a >= b || (b - a) % 2 == 0)
        return false;
    for (size_t i = a; i < b; i++) {
        bool want_ident = (i - a) % 2 == 0;
        if (want_ident && !can_be_bare_alias(s, &v[i]))
            return false;
        if (!want_ident && v[i].kind != TK_DOT)
            return false;
    }
    return true;
}

/* Splits item tokens v[a, b) into expression text and output name. */
static void parse_item(const char *s, const token *v, size_t a, size_t b, char **expr, char **name)
{
    *name = NULL;
    if (a == b) {
        *expr = xstrdup("");
        return;
    }
    size_t m = b - a, last = b - 1;
    const token *alias = NULL;
    if (m >= 3 && kw(s, &v[b - 2], "AS") &&
        (v[b - 1].kind == TK_WORD || v[b - 1].kind == TK_QIDENT || v[b - 1].kind == TK_STRING)) {
        alias = &v[b - 1];
        last = b - 3;
    } else if (m >= 2 && can_be_bare_alias(s, &v[b - 1]) && ends_operand(s, &v[b - 2]) &&
               !(m >= 3 && kw(s, &v[b - 3], "INTERVAL"))) {
        /* "INTERVAL 1 DAY" ends in a unit, not an alias. */
        alias = &v[b - 1];
        last = b - 2;
    }
    *expr = xstrndup(s + v[a].begin, v[last].end - v[a].begin);
    if (alias)
        *name = token_name(s, alias);
    else if (is_plain_ref(s, v, a, b))
        *name = token_name(s, &v[b - 1]);
}

size_t sql_select_items(const char *sql, size_t begin, size_t end, char ***exprs, char ***names)
{
    *exprs = NULL;
    *names = NULL;
    size_t len = strlen(sql);
    if (end > len)
        end = len;
    if (begin >= end)
        return 0;
    tokens t;
    lex(sql, begin, end, &t);
    size_t count = 0;
    if (t.n > 0) {
        size_t a = 0;
        for (size_t i = 0; i <= t.n; i++) {
            if (i < t.n && !(t.v[i].kind == TK_COMMA && t.v[i].depth == 0))
                continue;
            *exprs = xrealloc(*exprs, (count + 1) * sizeof **exprs);
            *names = xrealloc(*names, (count + 1) * sizeof **names);
            parse_item(sql, t.v, a, i, &(*exprs)[count], &(*names)[count]);
            count++;
            a = i + 1;
        }
    }
    free(t.v);
    return count;
}

/* ---- definitions ---- */

/* Range of the select list of a definition written as a SELECT. */
static bool definition_select_range(const char *sql, const tokens *t, size_t *begin, size_t *end,
                                    const char **why)
{
    source_sql_shape sh = {0};
    if (!shape_from_tokens(sql, t, &sh, why))
        return false;
    if (sh.has_where)
        return fail(why, "has a WHERE clause, which a definition cannot use (only its select "
                         "list counts): filter inside the expression, e.g. "
                         "SUM(CASE WHEN ... THEN x END)");
    if (sh.where_end != sh.sql_end)
        return fail(why, "has GROUP BY, HAVING, ORDER BY or LIMIT, which a definition cannot "
                         "use (only its select list counts)");
    *begin = sh.select_list_begin;
    *end = sh.select_list_end;
    return true;
}

/* Range of a definition written as a bare expression. */
static bool definition_bare_range(const char *sql, const tokens *t, size_t *begin, size_t *end,
                                  const char **why)
{
    size_t n;
    if (!statement_tokens(t, &n, why))
        return false;
    if (find_clause(sql, t->v, 0, n, CL_FROM | CL_WHERE | CL_TAIL | CL_SETOP) < n)
        return fail(why, "has a FROM, WHERE or other clause but does not start with SELECT");
    *begin = t->v[0].begin;
    *end = t->v[n - 1].end;
    return true;
}

char *sql_definition_expr_why(const char *sql, const char **why)
{
    tokens t;
    lex(sql, 0, strlen(sql), &t);
    size_t begin = 0, end = 0;
    bool is_select = t.n > 0 && (kw(sql, &t.v[0], "SELECT") || kw(sql, &t.v[0], "WITH"));
    bool ok = is_select ? definition_select_range(sql, &t, &begin, &end, why)
                        : definition_bare_range(sql, &t, &begin, &end, why);
    free(t.v);
    if (!ok)
        return NULL;
    char **exprs, **names;
    size_t n = sql_select_items(sql, begin, end, &exprs, &names);
    char *result = NULL;
    if (n != 1)
        fail(why, "is not exactly one expression (it has several comma-separated items)");
    else if (exprs[0][0] == '\0')
        fail(why, "is empty");
    else
        result = xstrdup(exprs[0]);
    sem_strv_free(exprs, n);
    sem_strv_free(names, n);
    return result;
}

char *sql_definition_expr(const char *sql)
{
    return sql_definition_expr_why(sql, NULL);
}

char *sql_plain_column_name(const char *sql)
{
    tokens t;
    lex(sql, 0, strlen(sql), &t);
    size_t n = t.n;
    while (n > 0 && t.v[n - 1].kind == TK_SEMI)
        n--;
    char *name = NULL;
    if (!t.unterminated && is_plain_ref(sql, t.v, 0, n))
        name = token_name(sql, &t.v[n - 1]);
    free(t.v);
    return name;
}

/* ---- metric expressions ---- */

/* Aggregate functions of PostgreSQL, MySQL/MariaDB and SQLite. */
static const char *const aggregate_functions[] = {
    "ANY_VALUE",
    "APPROX_COUNT_DISTINCT",
    "ARRAY_AGG",
    "AVG",
    "BIT_AND",
    "BIT_OR",
    "BIT_XOR",
    "BOOL_AND",
    "BOOL_OR",
    "CORR",
    "COUNT",
    "COUNT_BIG",
    "COVAR_POP",
    "COVAR_SAMP",
    "EVERY",
    "GROUP_CONCAT",
    "JSON_AGG",
    "JSON_ARRAYAGG",
    "JSON_OBJECTAGG",
    "JSON_OBJECT_AGG",
    "JSONB_AGG",
    "JSONB_OBJECT_AGG",
    "LISTAGG",
    "MAX",
    "MEDIAN",
    "MIN",
    "MODE",
    "PERCENTILE_CONT",
    "PERCENTILE_DISC",
    "REGR_AVGX",
    "REGR_AVGY",
    "REGR_COUNT",
    "REGR_INTERCEPT",
    "REGR_R2",
    "REGR_SLOPE",
    "REGR_SXX",
    "REGR_SXY",
    "REGR_SYY",
    "STD",
    "STDDEV",
    "STDDEV_POP",
    "STDDEV_SAMP",
    "STRING_AGG",
    "SUM",
    "TOTAL",
    "VAR_POP",
    "VAR_SAMP",
    "VARIANCE",
    "XMLAGG",
    NULL,
};

/* Words that stand for a value on their own, never for a column. */
static const char *const value_words[] = {
    "NULL",
    "TRUE",
    "FALSE",
    "UNKNOWN",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "LOCALTIME",
    "LOCALTIMESTAMP",
    "CURRENT_USER",
    "SESSION_USER",
    "USER",
    NULL,
};

/* Words after which an operand starts: a word there is a value or a column. */
static const char *const operand_start_words[] = {
    "AND",  "OR",    "NOT",     "XOR", "WHEN", "THEN", "ELSE",  "CASE",   "IN",
    "LIKE", "ILIKE", "BETWEEN", "IS",  "DIV",  "MOD",  "RLIKE", "REGEXP", NULL,
};

static bool starts_operand_after(const char *s, const token *v, size_t i)
{
    if (i == 0)
        return true;
    const token *p = &v[i - 1];
    switch (p->kind) {
    case TK_LPAREN:
    case TK_COMMA:
        return true;
    case TK_OP:
        /* "x::type": the word after "::" is a type name. */
        return s[p->begin] != ':';
    case TK_WORD:
        return kw_any(s, p, operand_start_words);
    default:
        return false;
    }
}

/* Index just past an aggregate call starting at the word v[i] (followed by
 * "("), including FILTER (...), WITHIN GROUP (...) and OVER (...). */
static size_t aggregate_call_end(const char *s, const token *v, size_t i, size_t n)
{
    size_t j = matching_paren(v, i + 1, n) + 1;
    for (;;) {
        if (j + 1 < n && (kw(s, &v[j], "FILTER") || kw(s, &v[j], "OVER")) &&
            v[j + 1].kind == TK_LPAREN)
            j = matching_paren(v, j + 1, n) + 1;
        else if (j + 2 < n && kw(s, &v[j], "WITHIN") && kw(s, &v[j + 1], "GROUP") &&
                 v[j + 2].kind == TK_LPAREN)
            j = matching_paren(v, j + 2, n) + 1;
        else
            return j > n ? n : j;
    }
}

static bool is_aggregate_call(const char *s, const token *v, size_t i, size_t n)
{
    return v[i].kind == TK_WORD && i + 1 < n && v[i + 1].kind == TK_LPAREN &&
           kw_any(s, &v[i], aggregate_functions);
}

/* A column reference at v[i], outside any aggregate call. */
static bool is_column_outside(const char *s, const token *v, size_t i, size_t n)
{
    const token *t = &v[i];
    if (t->kind != TK_WORD && t->kind != TK_QIDENT)
        return false;
    if (!starts_operand_after(s, v, i))
        return false;
    if (i + 1 < n && (v[i + 1].kind == TK_LPAREN || v[i + 1].kind == TK_STRING))
        return false; /* a function call, or a typed literal (DATE '2024-01-01') */
    if (t->kind == TK_WORD && (kw_any(s, t, value_words) || is_syntax_word(s, t)))
        return false;
    return true;
}

bool sql_aggregate_check(const char *expr, const char **why, char **offending)
{
    if (offending)
        *offending = NULL;
    tokens t;
    lex(expr, 0, strlen(expr), &t);
    size_t n = t.n, aggregates = 0;
    for (size_t i = 0; i < n; i++)
        if (is_aggregate_call(expr, t.v, i, n))
            aggregates++;
    bool ok = aggregates > 0 || fail(why, "is not an aggregate");
    for (size_t i = 0; i < n && ok;) {
        const token *culprit = NULL;
        if (is_aggregate_call(expr, t.v, i, n)) {
            size_t end = aggregate_call_end(expr, t.v, i, n);
            for (size_t j = i + 2; j < end && !culprit; j++)
                if (is_aggregate_call(expr, t.v, j, n)) {
                    ok = fail(why, "nests an aggregate inside another");
                    culprit = &t.v[j];
                }
            i = end;
        } else if (is_column_outside(expr, t.v, i, n)) {
            ok = fail(why, "names a column outside an aggregate");
            culprit = &t.v[i];
        } else {
            i++;
        }
        if (culprit && offending)
            *offending = xstrndup(expr + culprit->begin, culprit->end - culprit->begin);
    }
    free(t.v);
    return ok;
}

/* Whether the name token want (of a) occurs among the name tokens of sql. */
static bool name_occurs(const char *a, const token *want, const char *sql, const tokens *in)
{
    size_t wl = want->end - want->begin;
    for (size_t i = 0; i < in->n; i++) {
        const token *t = &in->v[i];
        if (t->kind != want->kind || t->end - t->begin != wl)
            continue;
        if (want->kind == TK_WORD ? strncasecmp(sql + t->begin, a + want->begin, wl) == 0
                                  : memcmp(sql + t->begin, a + want->begin, wl) == 0)
            return true;
    }
    return false;
}

char *sql_first_name_missing(const char *expr, const char *sql)
{
    tokens te, ts;
    lex(expr, 0, strlen(expr), &te);
    lex(sql, 0, strlen(sql), &ts);
    char *missing = NULL;
    for (size_t i = 0; i < te.n && !missing; i++) {
        const token *t = &te.v[i];
        /* Function names and type names ("x::date", "CAST(x AS date)") are not
         * names of the source's tables or columns. */
        const token *prev = i > 0 ? &te.v[i - 1] : NULL;
        bool type_name =
            prev && ((prev->kind == TK_OP && expr[prev->begin] == ':') || kw(expr, prev, "AS"));
        bool name = !type_name &&
                    (t->kind == TK_QIDENT || (t->kind == TK_WORD && !is_syntax_word(expr, t) &&
                                              !kw_any(expr, t, value_words) &&
                                              !(i + 1 < te.n && te.v[i + 1].kind == TK_LPAREN)));
        if (name && !name_occurs(expr, t, sql, &ts))
            missing = token_name(expr, t);
    }
    free(te.v);
    free(ts.v);
    return missing;
}

/* ---- row filters ---- */

/*
 * A parameter placeholder: $1 (PostgreSQL), ? and ?1 (MySQL, SQLite), :name and
 * @name (SQLite's named parameters; "::" is PostgreSQL's cast). Queries bind
 * the client's literals to parameters, so a placeholder in a filter would let
 * a client's value into it.
 */
static bool is_placeholder(const char *s, const tokens *t, size_t i)
{
    const token *k = &t->v[i];
    const token *next = i + 1 < t->n ? &t->v[i + 1] : NULL;
    bool glued = next && next->begin == k->end;
    if (k->kind == TK_NUMBER && s[k->begin] == '$')
        return true;
    if (k->kind != TK_OP)
        return false;
    char c = s[k->begin];
    if (c == '?')
        return true;
    bool after_colon = i > 0 && t->v[i - 1].kind == TK_OP && s[t->v[i - 1].begin] == ':' &&
                       t->v[i - 1].end == k->begin;
    return (c == ':' || c == '@') && glued && next->kind == TK_WORD && !after_colon;
}

/* True when s[a, b) holds anything but whitespace: a comment between tokens. */
static bool has_text_between(const char *s, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (!isspace((unsigned char)s[i]))
            return true;
    return false;
}

bool sql_row_filter_check(const char *expr, const char **why)
{
    tokens t;
    size_t len = strlen(expr);
    lex(expr, 0, len, &t);
    bool ok = false;
    if (t.unterminated)
        fail(why, "has an unterminated quote or comment");
    else if (t.unbalanced)
        fail(why, "has unbalanced parentheses");
    else if (t.n == 0)
        fail(why, "is empty");
    else
        ok = true;
    size_t prev = 0;
    for (size_t i = 0; ok && i < t.n; i++) {
        const token *k = &t.v[i];
        /* Comments are skipped by the lexer: whatever it skipped that is not
         * blank was one. A comment could swallow what follows the filter. */
        if (has_text_between(expr, prev, k->begin))
            ok = fail(why, "holds a comment");
        else if (k->kind == TK_SEMI)
            ok = fail(why, "holds a ';'");
        else if (k->kind == TK_OP && expr[k->begin] == '#')
            ok = fail(why, "holds '#' (a comment in MySQL)");
        else if (is_placeholder(expr, &t, i))
            ok = fail(why, "holds a parameter placeholder ($1, ?, :name or @name)");
        else if (is_clause(expr, t.v, i, t.n, CL_FROM | CL_INTO | CL_WHERE | CL_TAIL | CL_SETOP) ||
                 (k->depth == 0 && k->kind == TK_WORD && kw(expr, k, "SELECT")))
            ok = fail(why, "is not a single boolean expression (it holds a clause keyword at its "
                           "top level; a subquery must be in parentheses)");
        prev = k->end;
    }
    if (ok && has_text_between(expr, prev, len))
        ok = fail(why, "holds a comment");
    free(t.v);
    return ok;
}

bool sql_expression_names(const char *expr, char ***names, size_t **offsets, size_t *n,
                          const char **why)
{
    *names = NULL;
    *offsets = NULL;
    *n = 0;
    tokens t;
    lex(expr, 0, strlen(expr), &t);
    bool ok = true;
    if (t.unterminated)
        ok = fail(why, "has an unterminated quote or comment");
    else if (t.unbalanced)
        ok = fail(why, "has unbalanced parentheses");
    else if (t.n == 0)
        ok = fail(why, "is empty");
    for (size_t i = 0; i < t.n && ok; i++) {
        const token *tk = &t.v[i];
        const token *prev = i > 0 ? &t.v[i - 1] : NULL;
        /* Type names ("x::float", "CAST(x AS DOUBLE)") and the parts after a dot
         * are not names of their own; a word before "(" is a function. */
        bool type_name =
            prev && ((prev->kind == TK_OP && expr[prev->begin] == ':') || kw(expr, prev, "AS"));
        bool after_dot = prev && prev->kind == TK_DOT;
        bool name =
            !type_name && !after_dot &&
            (tk->kind == TK_QIDENT ||
             (tk->kind == TK_WORD && !is_syntax_word(expr, tk) && !kw_any(expr, tk, value_words) &&
              !(i + 1 < t.n && (t.v[i + 1].kind == TK_LPAREN || t.v[i + 1].kind == TK_STRING))));
        if (!name)
            continue;
        char *text = token_name(expr, tk);
        bool seen = false;
        for (size_t k = 0; k < *n && !seen; k++)
            seen = sem_name_eq((*names)[k], text);
        if (seen) {
            free(text);
            continue;
        }
        *names = xrealloc(*names, (*n + 1) * sizeof **names);
        *offsets = xrealloc(*offsets, (*n + 1) * sizeof **offsets);
        (*names)[*n] = text;
        (*offsets)[*n] = tk->begin;
        (*n)++;
    }
    free(t.v);
    return ok;
}

/* ---- row filters over a rollup's columns ---- */

/* Words that are never a column of a filter here: SQL keywords, and words a
 * backend reads as a value or a type ("a keyword used as a column" is refused). */
static const char *const not_columns[] = {
    "BINARY", "CAST", "CURRENT", "DATE", "DAY",       "DEFAULT", "HOUR", "KEY", "MINUTE",
    "MONTH",  "ROW",  "SECOND",  "TIME", "TIMESTAMP", "VALUES",  "YEAR", NULL,
};

typedef struct filter_reader {
    const char *s;
    const token *v;
    size_t n, i;
    sql_column_ref *refs;
    size_t nrefs;
} filter_reader;

static const token *fr_peek(const filter_reader *r)
{
    return r->i < r->n ? &r->v[r->i] : NULL;
}

static bool fr_op(filter_reader *r, char c)
{
    const token *t = fr_peek(r);
    if (!t || t->kind != TK_OP || r->s[t->begin] != c)
        return false;
    r->i++;
    return true;
}

static bool fr_kind(filter_reader *r, tk_kind kind)
{
    const token *t = fr_peek(r);
    if (!t || t->kind != kind)
        return false;
    r->i++;
    return true;
}

static bool fr_kw(filter_reader *r, const char *word)
{
    const token *t = fr_peek(r);
    if (!t || !kw(r->s, t, word))
        return false;
    r->i++;
    return true;
}

static bool fr_ident(const filter_reader *r, const token *t)
{
    return t && (t->kind == TK_QIDENT ||
                 (t->kind == TK_WORD && !is_syntax_word(r->s, t) && !kw_any(r->s, t, value_words) &&
                  !kw_any(r->s, t, not_columns)));
}

/* ident (. ident)*, recorded as a column reference. */
static bool fr_ref(filter_reader *r)
{
    size_t a = r->i;
    if (!fr_ident(r, fr_peek(r)))
        return false;
    r->i++;
    while (fr_peek(r) && fr_peek(r)->kind == TK_DOT) {
        r->i++;
        if (!fr_ident(r, fr_peek(r)))
            return false;
        r->i++;
    }
    sql_column_ref ref = {.begin = r->v[a].begin, .end = r->v[r->i - 1].end};
    for (size_t k = a; k < r->i; k += 2)
        sem_strv_push(&ref.parts, &ref.nparts,
                      xstrndup(r->s + r->v[k].begin, r->v[k].end - r->v[k].begin));
    r->refs = xrealloc(r->refs, (r->nrefs + 1) * sizeof *r->refs);
    r->refs[r->nrefs++] = ref;
    return true;
}

/* A string, or a number (possibly negative); never a $1 parameter. */
static bool fr_literal(filter_reader *r)
{
    if (fr_kind(r, TK_STRING))
        return true;
    fr_op(r, '-');
    const token *t = fr_peek(r);
    return t && t->kind == TK_NUMBER && r->s[t->begin] != '$' && fr_kind(r, TK_NUMBER);
}

/* ref = literal | literal = ref | ref IN (literal, ...) | ref IS [NOT] NULL */
static bool fr_predicate(filter_reader *r)
{
    if (!fr_ident(r, fr_peek(r)))
        return fr_literal(r) && fr_op(r, '=') && fr_ref(r);
    if (!fr_ref(r))
        return false;
    if (fr_op(r, '='))
        return fr_literal(r);
    if (fr_kw(r, "IS")) {
        fr_kw(r, "NOT");
        return fr_kw(r, "NULL");
    }
    if (!fr_kw(r, "IN") || !fr_kind(r, TK_LPAREN))
        return false;
    do {
        if (!fr_literal(r))
            return false;
    } while (fr_kind(r, TK_COMMA));
    return fr_kind(r, TK_RPAREN);
}

static bool fr_or(filter_reader *r);

static bool fr_primary(filter_reader *r)
{
    if (!fr_kind(r, TK_LPAREN))
        return fr_predicate(r);
    return fr_or(r) && fr_kind(r, TK_RPAREN);
}

static bool fr_and(filter_reader *r)
{
    do {
        if (!fr_primary(r))
            return false;
    } while (fr_kw(r, "AND"));
    return true;
}

static bool fr_or(filter_reader *r)
{
    do {
        if (!fr_and(r))
            return false;
    } while (fr_kw(r, "OR"));
    return true;
}

void sql_column_refs_free(sql_column_ref *refs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sem_strv_free(refs[i].parts, refs[i].nparts);
    free(refs);
}

bool sql_filter_column_refs(const char *filter, sql_column_ref **refs, size_t *n)
{
    tokens t;
    lex(filter, 0, strlen(filter), &t);
    filter_reader r = {.s = filter, .v = t.v, .n = t.n};
    bool ok = !t.unterminated && !t.unbalanced && t.n > 0 && fr_or(&r) && r.i == r.n;
    free(t.v);
    if (!ok) {
        sql_column_refs_free(r.refs, r.nrefs);
        r.refs = NULL, r.nrefs = 0;
    }
    *refs = r.refs;
    *n = r.nrefs;
    return ok;
}

bool sql_plain_ref_parts(const char *expr, char ***parts, size_t *n)
{
    *parts = NULL;
    *n = 0;
    tokens t;
    lex(expr, 0, strlen(expr), &t);
    filter_reader r = {.s = expr, .v = t.v, .n = t.n};
    bool ok = !t.unterminated && t.n > 0 && fr_ref(&r) && r.i == r.n;
    free(t.v);
    if (ok) {
        *parts = r.refs[0].parts;
        *n = r.refs[0].nparts;
        r.refs[0].parts = NULL; /* now the caller's */
        r.refs[0].nparts = 0;
    }
    sql_column_refs_free(r.refs, r.nrefs);
    return ok;
}

bool sql_ident_same(const char *a, const char *b)
{
    bool quoted = a[0] == '"' || a[0] == '`' || b[0] == '"' || b[0] == '`';
    return quoted ? strcmp(a, b) == 0 : strcasecmp(a, b) == 0;
}

bool sql_has_word(const char *sql, const char *word)
{
    tokens t;
    lex(sql, 0, strlen(sql), &t);
    bool found = false;
    for (size_t i = 0; i < t.n && !found; i++)
        found = kw(sql, &t.v[i], word);
    free(t.v);
    return found;
}

bool sql_row_wise(const char *sql, size_t begin, size_t end)
{
    tokens t;
    lex(sql, begin, end, &t);
    bool ok = !t.unterminated && !t.unbalanced;
    for (size_t i = 0; i < t.n && ok; i++)
        ok = !kw(sql, &t.v[i], "OVER") && !is_aggregate_call(sql, t.v, i, t.n);
    free(t.v);
    return ok;
}
