#include "planner/lexer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wire/mimir_assert.h"

typedef struct lexer {
    arena *a;
    const char *sql;
    size_t len;
    size_t pos;
    int line;
    bool in_exec_comment; /* inside an executable comment: its closing marker is whitespace */
    ptr_vec toks;
} lexer;

static bool is_ident_start(unsigned char c)
{
    /* Bytes >= 0x80 are UTF-8 letters in identifiers, as in MySQL. */
    return isalpha(c) || c == '_' || c == '$' || c >= 0x80;
}

static bool is_ident_char(unsigned char c)
{
    return is_ident_start(c) || isdigit(c);
}

static void advance(lexer *lx, size_t n)
{
    for (size_t i = 0; i < n && lx->pos < lx->len; i++, lx->pos++)
        if (lx->sql[lx->pos] == '\n')
            lx->line++;
}

static char peek(const lexer *lx, size_t ahead)
{
    size_t p = lx->pos + ahead;
    return p < lx->len ? lx->sql[p] : '\0';
}

static token *emit(lexer *lx, token_kind kind, const char *text, size_t len, size_t offset,
                   int line)
{
    token *t = arena_alloc(lx->a, sizeof(*t));
    t->kind = kind;
    t->text = arena_strndup(lx->a, text, len);
    t->len = len;
    t->offset = offset;
    t->end = lx->pos;
    t->line = line;
    t->hint = NULL;
    ptr_vec_push(lx->a, &lx->toks, t);
    return t;
}

static void emit_error(lexer *lx, const char *msg, size_t offset, int line)
{
    emit(lx, TK_ERROR, msg, strlen(msg), offset, line);
}

/* An optimizer hint's body (from..to), kept on the token before it; several hint
 * comments in a row are read as one. */
static void keep_hint(lexer *lx, size_t from, size_t to)
{
    token *prev = lx->toks.items[lx->toks.len - 1];
    const char *body = arena_strndup(lx->a, lx->sql + from, to - from);
    prev->hint = prev->hint ? arena_printf(lx->a, "%s %s", prev->hint, body) : body;
}

/* Skips whitespace and comments. Returns false after emitting an error. */
static bool skip_blank(lexer *lx)
{
    for (;;) {
        char c = peek(lx, 0);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            advance(lx, 1);
        } else if (c == '#' || (c == '-' && peek(lx, 1) == '-' &&
                                (peek(lx, 2) == '\0' || isspace((unsigned char)peek(lx, 2)) ||
                                 iscntrl((unsigned char)peek(lx, 2))))) {
            while (lx->pos < lx->len && lx->sql[lx->pos] != '\n')
                advance(lx, 1);
        } else if (c == '/' && peek(lx, 1) == '*' && peek(lx, 2) == '!') {
            /* Executable comment: skip the marker and an optional version number. */
            advance(lx, 3);
            while (isdigit((unsigned char)peek(lx, 0)))
                advance(lx, 1);
            lx->in_exec_comment = true;
        } else if (c == '/' && peek(lx, 1) == '*') {
            size_t start = lx->pos;
            int line = lx->line;
            advance(lx, 2);
            while (lx->pos < lx->len && !(peek(lx, 0) == '*' && peek(lx, 1) == '/'))
                advance(lx, 1);
            if (lx->pos >= lx->len) {
                emit_error(lx, "unterminated comment", start, line);
                return false;
            }
            if (lx->sql[start + 2] == '+' && lx->toks.len > 0)
                keep_hint(lx, start + 3, lx->pos);
            advance(lx, 2);
        } else if (c == '*' && peek(lx, 1) == '/' && lx->in_exec_comment) {
            lx->in_exec_comment = false;
            advance(lx, 2);
        } else {
            return true;
        }
    }
}

static char decode_escape(char c)
{
    switch (c) {
    case '0':
        return '\0';
    case 'b':
        return '\b';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    case 'Z':
        return '\032';
    default:
        return c;
    }
}

/*
 * A quoted token: 'string', "string" or `identifier`. A doubled quote stands
 * for one; in strings a backslash escape does too.
 */
static void lex_quoted(lexer *lx, token_kind kind)
{
    char quote = peek(lx, 0);
    bool escapes = kind == TK_STRING;
    size_t start = lx->pos;
    int line = lx->line;
    /* The decoded text is never longer than the quoted text: find where that
     * ends first, so that a statement of many strings does not allocate the
     * rest of the statement for each one (quadratic memory, found with a
     * 100,000-value IN list). */
    size_t end = start + 1;
    while (end < lx->len) {
        char c = lx->sql[end];
        bool pair =
            end + 1 < lx->len && (c == quote ? lx->sql[end + 1] == quote : escapes && c == '\\');
        if (c == quote && !pair)
            break;
        end += pair ? 2 : 1;
    }
    char *out = arena_alloc(lx->a, end - start + 1);
    size_t n = 0;
    advance(lx, 1);
    for (;;) {
        if (lx->pos >= lx->len) {
            emit_error(lx, escapes ? "unterminated string" : "unterminated quoted identifier",
                       start, line);
            return;
        }
        char c = peek(lx, 0);
        if (c == quote) {
            if (peek(lx, 1) == quote) {
                out[n++] = quote;
                advance(lx, 2);
                continue;
            }
            advance(lx, 1);
            break;
        }
        if (escapes && c == '\\' && lx->pos + 1 < lx->len) {
            char e = peek(lx, 1);
            /* \% and \_ keep their backslash so LIKE patterns stay literal. */
            if (e == '%' || e == '_')
                out[n++] = '\\';
            out[n++] = decode_escape(e);
            advance(lx, 2);
            continue;
        }
        out[n++] = c;
        advance(lx, 1);
    }
    /* Names travel as C strings: `a\0b` would silently become `a`. */
    if (kind == TK_QIDENT && memchr(out, '\0', n)) {
        emit_error(lx, "NUL byte in a quoted identifier", start, line);
        return;
    }
    MIMIR_ASSERT(n <= end - start); /* what the allocation above relies on */
    token *t = emit(lx, kind, "", 0, start, line);
    t->text = out;
    t->len = n;
    out[n] = '\0';
}

static int hex_value(char c)
{
    return isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10);
}

/*
 * The bytes of a hexadecimal (base 16) or bit-value (base 2) literal from its
 * digits, right-aligned as MySQL reads them: 0x123 is 0x0123, b'101' is 0x05.
 */
static void emit_bytes_literal(lexer *lx, token_kind kind, const char *digits, size_t n,
                               size_t start, int line)
{
    unsigned per_byte = kind == TK_HEX ? 2 : 8;
    size_t nbytes = (n + per_byte - 1) / per_byte;
    char *out = arena_alloc(lx->a, nbytes + 1);
    size_t skip = nbytes * per_byte - n; /* leading zero digits the first byte lacks */
    for (size_t i = 0; i < nbytes; i++) {
        unsigned v = 0;
        for (unsigned d = 0; d < per_byte; d++) {
            size_t at = i * per_byte + d;
            unsigned digit = at < skip ? 0 : (unsigned)hex_value(digits[at - skip]);
            v = v * (kind == TK_HEX ? 16 : 2) + digit;
        }
        out[i] = (char)v;
    }
    out[nbytes] = '\0';
    token *t = emit(lx, kind, "", 0, start, line);
    t->text = out;
    t->len = nbytes;
}

static bool is_bit_digit(char c)
{
    return c == '0' || c == '1';
}

/*
 * X'4A61' and b'0101': the quoted digits. MySQL wants an even number of hex
 * digits between the quotes (unlike 0x...), and nothing but digits.
 */
static void lex_quoted_bytes(lexer *lx, token_kind kind)
{
    size_t start = lx->pos;
    int line = lx->line;
    advance(lx, 2);
    size_t digits = lx->pos;
    while (kind == TK_HEX ? isxdigit((unsigned char)peek(lx, 0)) : is_bit_digit(peek(lx, 0)))
        advance(lx, 1);
    size_t n = lx->pos - digits;
    if (peek(lx, 0) != '\'' || (kind == TK_HEX && n % 2 != 0)) {
        emit_error(lx,
                   kind == TK_HEX ? "a hexadecimal literal X'...' takes an even number of "
                                    "hexadecimal digits"
                                  : "a bit-value literal b'...' takes only the digits 0 and 1",
                   start, line);
        return;
    }
    advance(lx, 1);
    emit_bytes_literal(lx, kind, lx->sql + digits, n, start, line);
}

/* 0x4A61 and 0b101 (a lower-case x or b only, as in MySQL: 0X41 is a name). */
static bool lex_prefixed_bytes(lexer *lx)
{
    char p = peek(lx, 1);
    if (peek(lx, 0) != '0' || (p != 'x' && p != 'b'))
        return false;
    token_kind kind = p == 'x' ? TK_HEX : TK_BIT;
    size_t n = 0;
    while (kind == TK_HEX ? isxdigit((unsigned char)peek(lx, 2 + n))
                          : is_bit_digit(peek(lx, 2 + n)))
        n++;
    if (n == 0 || is_ident_char((unsigned char)peek(lx, 2 + n)))
        return false; /* 0x, 0xg1, 0b12: names in MySQL */
    size_t start = lx->pos;
    int line = lx->line;
    advance(lx, 2 + n);
    emit_bytes_literal(lx, kind, lx->sql + start + 2, n, start, line);
    return true;
}

static void lex_number(lexer *lx)
{
    size_t start = lx->pos;
    int line = lx->line;
    token_kind kind = TK_INTEGER;
    if (lex_prefixed_bytes(lx))
        return;
    while (isdigit((unsigned char)peek(lx, 0)))
        advance(lx, 1);
    if (peek(lx, 0) == '.') {
        kind = TK_NUMBER;
        advance(lx, 1);
        while (isdigit((unsigned char)peek(lx, 0)))
            advance(lx, 1);
    }
    char e = peek(lx, 0);
    if ((e == 'e' || e == 'E') &&
        (isdigit((unsigned char)peek(lx, 1)) ||
         ((peek(lx, 1) == '+' || peek(lx, 1) == '-') && isdigit((unsigned char)peek(lx, 2))))) {
        kind = TK_NUMBER;
        advance(lx, 2);
        while (isdigit((unsigned char)peek(lx, 0)))
            advance(lx, 1);
    }
    /* 123abc is an identifier in MySQL; we only need to not split it oddly. */
    if (is_ident_char((unsigned char)peek(lx, 0)) && kind == TK_INTEGER) {
        while (is_ident_char((unsigned char)peek(lx, 0)))
            advance(lx, 1);
        kind = TK_IDENT;
    }
    emit(lx, kind, lx->sql + start, lx->pos - start, start, line);
}

static void lex_variable(lexer *lx)
{
    size_t start = lx->pos;
    int line = lx->line;
    bool sys = peek(lx, 1) == '@';
    advance(lx, sys ? 2 : 1);
    if (peek(lx, 0) == '`' || peek(lx, 0) == '\'' || peek(lx, 0) == '"') {
        /* @`name` / @'name': reuse the quoted lexers and retag. */
        size_t before = lx->toks.len;
        lex_quoted(lx, peek(lx, 0) == '`' ? TK_QIDENT : TK_STRING);
        if (lx->toks.len > before) {
            token *t = lx->toks.items[lx->toks.len - 1];
            if (t->kind != TK_ERROR) {
                t->kind = sys ? TK_SYSVAR : TK_USERVAR;
                t->offset = start;
            }
        }
        return;
    }
    size_t name = lx->pos;
    while (is_ident_char((unsigned char)peek(lx, 0)) || peek(lx, 0) == '.')
        advance(lx, 1);
    emit(lx, sys ? TK_SYSVAR : TK_USERVAR, lx->sql + name, lx->pos - name, start, line);
}

static const char *const multi_char_ops[] = {"<=>", "<=", ">=", "<>", "!=", "||",
                                             "&&",  ":=", "<<", ">>", NULL};

static void lex_operator(lexer *lx)
{
    size_t start = lx->pos;
    int line = lx->line;
    for (const char *const *op = multi_char_ops; *op; op++) {
        size_t n = strlen(*op);
        if (lx->len - lx->pos >= n && memcmp(lx->sql + lx->pos, *op, n) == 0) {
            advance(lx, n);
            emit(lx, TK_OP, *op, n, start, line);
            return;
        }
    }
    advance(lx, 1);
    emit(lx, TK_OP, lx->sql + start, 1, start, line);
}

void lex_sql(arena *a, const char *sql, size_t len, token_list *out)
{
    lexer lx = {.a = a, .sql = sql, .len = len, .line = 1};
    for (;;) {
        if (!skip_blank(&lx))
            break;
        if (lx.pos >= lx.len) {
            emit(&lx, TK_EOF, "", 0, lx.pos, lx.line);
            break;
        }
        if (lx.toks.len >= LEXER_MAX_TOKENS) {
            emit_error(&lx,
                       arena_printf(a, "statement too long: more than %d tokens", LEXER_MAX_TOKENS),
                       lx.pos, lx.line);
            break;
        }
        unsigned char c = (unsigned char)lx.sql[lx.pos];
        size_t before = lx.toks.len;
        if (c == '\'' || c == '"') {
            lex_quoted(&lx, TK_STRING);
        } else if (c == '`') {
            lex_quoted(&lx, TK_QIDENT);
        } else if (isdigit(c) || (c == '.' && isdigit((unsigned char)peek(&lx, 1)))) {
            lex_number(&lx);
        } else if ((c == 'x' || c == 'X') && peek(&lx, 1) == '\'') {
            lex_quoted_bytes(&lx, TK_HEX);
        } else if ((c == 'b' || c == 'B') && peek(&lx, 1) == '\'') {
            lex_quoted_bytes(&lx, TK_BIT);
        } else if ((c == 'n' || c == 'N') && peek(&lx, 1) == '\'') {
            /* N'...': a national (utf8) string, which is every string here. */
            size_t start = lx.pos;
            advance(&lx, 1);
            lex_quoted(&lx, TK_STRING);
            if (lx.toks.len > before)
                ((token *)lx.toks.items[lx.toks.len - 1])->offset = start;
        } else if (is_ident_start(c)) {
            size_t start = lx.pos;
            int line = lx.line;
            while (is_ident_char((unsigned char)peek(&lx, 0)))
                advance(&lx, 1);
            emit(&lx, TK_IDENT, lx.sql + start, lx.pos - start, start, line);
        } else if (c == '@') {
            lex_variable(&lx);
        } else if (c == '?') {
            advance(&lx, 1);
            emit(&lx, TK_PARAM, "?", 1, lx.pos - 1, lx.line);
        } else if (c == '\0') {
            emit_error(&lx, "unexpected NUL byte", lx.pos, lx.line);
        } else {
            lex_operator(&lx);
        }
        if (lx.toks.len > before && ((token *)lx.toks.items[lx.toks.len - 1])->kind == TK_ERROR)
            break;
    }
    out->len = lx.toks.len;
    out->items = arena_alloc(a, lx.toks.len * sizeof(token));
    for (size_t i = 0; i < lx.toks.len; i++)
        out->items[i] = *(token *)lx.toks.items[i];
}

/*
 * The parser tries keyword after keyword (about 20 tests for a short
 * SELECT), and most differ in the first letter: compare that before calling
 * strcasecmp. OR-ing 0x20 folds ASCII case; for any two bytes strcasecmp
 * takes as equal it gives equal results, so no match is lost.
 */
bool token_is_word(const token *t, const char *word)
{
    return t->kind == TK_IDENT &&
           ((unsigned char)t->text[0] | 0x20) == ((unsigned char)word[0] | 0x20) &&
           strcasecmp(t->text, word) == 0;
}

bool token_is_op(const token *t, const char *op)
{
    return t->kind == TK_OP && strcmp(t->text, op) == 0;
}
