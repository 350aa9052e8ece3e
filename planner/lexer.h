/*
 * Lexer for the MySQL dialect that clients send (ANSI_QUOTES off: "..." is a
 * string, `...` an identifier). Comments are skipped, except that the body of
 * an executable comment (slash-star-bang, optionally with a version number) is read
 * as SQL, as MySQL itself does, and an optimizer hint comment (slash-star-plus) is
 * kept on the token before it (token.hint).
 */
#ifndef MIMIR_PLANNER_LEXER_H
#define MIMIR_PLANNER_LEXER_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/arena.h"

typedef enum {
    TK_EOF,
    TK_IDENT,   /* bare word: keyword or identifier; text as written */
    TK_QIDENT,  /* `quoted identifier`, text unquoted */
    TK_STRING,  /* 'string', "string" or N'string', text with escapes decoded */
    TK_HEX,     /* X'4A61' or 0x4A61: text is the bytes (a binary string, a number in
                 * a numeric context) */
    TK_BIT,     /* b'101' or 0b101: text is the bytes, right-aligned ('\x05') */
    TK_INTEGER, /* 123 (text as written) */
    TK_NUMBER,  /* 1.5, .5, 1e3 */
    TK_SYSVAR,  /* @@name, @@session.name; text without the @@ */
    TK_USERVAR, /* @name; text without the @ */
    TK_PARAM,   /* ? */
    TK_OP,      /* punctuation and operators; text as written */
    TK_ERROR,   /* unterminated string/comment/identifier; text is the message */
} token_kind;

typedef struct token {
    token_kind kind;
    const char *text; /* NUL-terminated, in the arena */
    size_t len;       /* length of text (strings may hold NUL bytes) */
    size_t offset;    /* byte offset of the token in the statement */
    size_t end;       /* byte offset just past the token as written */
    int line;         /* 1-based line of the token */
    /* The body of an optimizer hint comment (slash-star-plus ... star-slash) right after
     * this token, NULL when none: MySQL reads hints only after SELECT and the like. */
    const char *hint;
} token;

/*
 * Most tokens one statement may have. Tokens are kept in memory all at once
 * (about 100 bytes each, and the tree built from them more), so without a
 * bound a 64 MiB statement of "1,1,1,..." would take tens of GiB. Real
 * statements, even with IN lists at the parser's limit, stay far below.
 */
#define LEXER_MAX_TOKENS 500000

/* Tokenizes the whole statement; the last token is TK_EOF (or TK_ERROR). */
typedef struct token_list {
    token *items;
    size_t len;
} token_list;

void lex_sql(arena *a, const char *sql, size_t len, token_list *out);

/* Case-insensitive match of a bare word. */
bool token_is_word(const token *t, const char *word);
bool token_is_op(const token *t, const char *op);

#endif
