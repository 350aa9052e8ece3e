#include "proxy/backend/pg_copy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/buf.h"

/* ---- The COPY statement ------------------------------------------------------ */

/* PostgreSQL's identifier characters: a $ after one is part of the name (a$1). */
static bool ident_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '$' || ch >= 0x80;
}

static bool ident_start(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch >= 0x80;
}

/* Past a quoted string or identifier starting at s[i] (the quote); 0 if unterminated.
 * backslash: an E'' string, where \x escapes the next character. */
static size_t skip_quoted(const char *s, size_t i, char quote, bool backslash)
{
    for (i++; s[i]; i++) {
        if (backslash && s[i] == '\\' && s[i + 1]) {
            i++;
        } else if (s[i] == quote) {
            if (s[i + 1] != quote)
                return i + 1;
            i++; /* '' or "": the quote itself */
        }
    }
    return 0;
}

/* Past a comment starting at s[i]: a line comment, or a block comment nested as
 * PostgreSQL nests them. */
static size_t skip_comment(const char *s, size_t i)
{
    if (s[i] == '-') {
        while (s[i] && s[i] != '\n')
            i++;
        return i;
    }
    int depth = 0;
    while (s[i]) {
        if (s[i] == '/' && s[i + 1] == '*') {
            depth++;
            i += 2;
        } else if (s[i] == '*' && s[i + 1] == '/') {
            i += 2;
            if (--depth == 0)
                return i;
        } else {
            i++;
        }
    }
    return 0;
}

/* Past a dollar-quoted string ($$...$$, $tag$...$tag$) at s[i]; 0 if s[i] starts none
 * or it is unterminated. */
static size_t skip_dollar_quote(const char *s, size_t i)
{
    size_t t = i + 1;
    if (s[t] != '$') {
        if (!ident_start((unsigned char)s[t]))
            return 0;
        while (s[t] && s[t] != '$' && ident_char((unsigned char)s[t]))
            t++;
        if (s[t] != '$')
            return 0;
    }
    size_t taglen = t + 1 - i;
    for (const char *p = s + t + 1; *p; p++) {
        if (*p == '$' && strncmp(p, s + i, taglen) == 0)
            return (size_t)(p - s) + taglen;
    }
    return 0;
}

/* $n at s[i] (not after a name): appends its literal; the index past it, or 0. */
static size_t put_param(buf *out, const char *s, size_t i, const char *const *literals, size_t n)
{
    size_t j = i + 1;
    unsigned long k = 0;
    while (s[j] >= '0' && s[j] <= '9' && k <= n)
        k = k * 10 + (unsigned long)(s[j++] - '0');
    if (k == 0 || k > n || ident_char((unsigned char)s[j]))
        return 0;
    buf_append_str(out, literals[k - 1] ? literals[k - 1] : "NULL");
    return j;
}

char *pg_copy_statement(const char *sql, const char *const *literals, size_t nliterals)
{
    buf out;
    buf_init(&out);
    buf_append_str(&out, "COPY (\n");
    size_t i = 0, copied = 0;
    while (sql[i]) {
        unsigned char ch = (unsigned char)sql[i];
        bool after_name = i > 0 && ident_char((unsigned char)sql[i - 1]);
        size_t next = i + 1;
        if (ch == '\'') {
            /* E'...' takes backslash escapes; standard strings do not. */
            bool e = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                     !(i > 1 && ident_char((unsigned char)sql[i - 2]));
            next = skip_quoted(sql, i, '\'', e);
        } else if (ch == '"') {
            next = skip_quoted(sql, i, '"', false);
        } else if ((ch == '-' && sql[i + 1] == '-') || (ch == '/' && sql[i + 1] == '*')) {
            next = skip_comment(sql, i);
        } else if (ch == ';') {
            next = 0;
        } else if (ch == '$' && !after_name) {
            if (sql[i + 1] >= '0' && sql[i + 1] <= '9') {
                buf_append(&out, sql + copied, i - copied);
                next = put_param(&out, sql, i, literals, nliterals);
                copied = next;
            } else {
                next = skip_dollar_quote(sql, i);
            }
        }
        if (next == 0) {
            buf_free(&out);
            return NULL;
        }
        i = next;
    }
    buf_append(&out, sql + copied, i - copied);
    /* On its own line: a trailing "-- comment" cannot swallow the parenthesis. */
    buf_append_str(&out, "\n) TO STDOUT");
    return buf_detach(&out);
}

/* ---- Rows -------------------------------------------------------------------- */

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decodes the escapes of one field in place; its new length. */
static size_t unescape(char *f, size_t len)
{
    char *w = memchr(f, '\\', len);
    if (!w)
        return len;
    const char *r = w, *end = f + len;
    while (r < end) {
        if (*r != '\\' || r + 1 == end) {
            *w++ = *r++;
            continue;
        }
        char ch = r[1];
        r += 2;
        switch (ch) {
        case 'b':
            *w++ = '\b';
            break;
        case 'f':
            *w++ = '\f';
            break;
        case 'n':
            *w++ = '\n';
            break;
        case 'r':
            *w++ = '\r';
            break;
        case 't':
            *w++ = '\t';
            break;
        case 'v':
            *w++ = '\v';
            break;
        case 'x':
            if (r < end && hex_value(*r) >= 0) {
                int v = hex_value(*r++);
                if (r < end && hex_value(*r) >= 0)
                    v = v * 16 + hex_value(*r++);
                *w++ = (char)v;
            } else {
                *w++ = 'x';
            }
            break;
        default:
            if (ch >= '0' && ch <= '7') {
                int v = ch - '0';
                for (int k = 0; k < 2 && r < end && *r >= '0' && *r <= '7'; k++)
                    v = v * 8 + (*r++ - '0');
                *w++ = (char)v;
            } else {
                *w++ = ch; /* \\ and any other escaped character: itself */
            }
        }
    }
    return (size_t)(w - f);
}

/* One field of a line: NULL for "\N", else its text, decoded when it has escapes. */
static void put_field(char *f, size_t n, bool escaped, const char **value, size_t *length)
{
    if (n == 2 && f[0] == '\\' && f[1] == 'N') {
        *value = NULL;
        *length = 0;
        return;
    }
    *value = f;
    *length = escaped ? unescape(f, n) : n;
}

/*
 * One pass over the line: fields are short (a number, a name, a date), so a byte loop
 * costs less than a memchr call per field for the tab and another for a backslash.
 */
bool pg_copy_split(char *line, size_t len, size_t ncols, const char **values, size_t *lengths)
{
    if (len && line[len - 1] == '\n')
        len--;
    char *start = line, *end = line + len;
    size_t i = 0;
    bool escaped = false;
    for (char *p = line;; p++) {
        if (p == end || *p == '\t') {
            /* A tab inside a value is always escaped (\t): a raw one ends the field. */
            if (i == ncols)
                return false;
            put_field(start, (size_t)(p - start), escaped, &values[i], &lengths[i]);
            i++;
            if (p == end)
                break;
            start = p + 1;
            escaped = false;
        } else if (*p == '\\') {
            escaped = true;
            if (p + 1 < end)
                p++; /* the escaped character, whatever it is, is not a separator */
        }
    }
    return i == ncols;
}

/* ---- Which texts had large results ---------------------------------------------- */

enum { MEMO_SLOTS = 512 };
/* Loop-only, like the pools: a hash of each text seen with a large result (0: free), and
 * whether PostgreSQL refused its COPY (then it stays in single-row mode). */
static uint64_t memo[MEMO_SLOTS];
static bool refused[MEMO_SLOTS];

static uint64_t text_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h ? h : 1;
}

bool pg_copy_memo_has(const char *sql)
{
    uint64_t h = text_hash(sql);
    return memo[h % MEMO_SLOTS] == h && !refused[h % MEMO_SLOTS];
}

void pg_copy_memo_add(const char *sql)
{
    uint64_t h = text_hash(sql);
    if (memo[h % MEMO_SLOTS] == h)
        return; /* known already: large, or refused */
    memo[h % MEMO_SLOTS] = h;
    refused[h % MEMO_SLOTS] = false;
}

void pg_copy_memo_refuse(const char *sql)
{
    uint64_t h = text_hash(sql);
    memo[h % MEMO_SLOTS] = h;
    refused[h % MEMO_SLOTS] = true;
}
