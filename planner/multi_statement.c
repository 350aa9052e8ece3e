#include "planner/multi_statement.h"

#include <stdlib.h>

#include "planner/arena.h"
#include "planner/lexer.h"
#include "wire/mimir_assert.h"
#include "wire/xalloc.h"

size_t multi_statement_split(const char *sql, size_t len, stmt_span **out)
{
    arena a;
    arena_init(&a);
    token_list toks;
    lex_sql(&a, sql, len, &toks);
    /* At most one span per ';' plus the last one. */
    size_t cap = 1;
    for (size_t i = 0; i < toks.len; i++)
        cap += token_is_op(&toks.items[i], ";");
    stmt_span *spans = xcalloc(cap, sizeof(*spans));
    size_t n = 0, start = 0;
    bool has_tokens = false;
    for (size_t i = 0; i < toks.len; i++) {
        const token *t = &toks.items[i];
        if (t->kind == TK_ERROR) {
            spans[n++] = (stmt_span){start, len - start};
            has_tokens = false;
            start = len;
            break;
        }
        if (t->kind == TK_EOF)
            break;
        if (token_is_op(t, ";")) {
            spans[n++] = (stmt_span){start, t->offset - start};
            start = t->end;
            has_tokens = false;
            continue;
        }
        has_tokens = true;
    }
    /* The text after the last ';' is a statement only if it has a token; a
     * text without any ';' is always one (possibly empty) statement. */
    if (has_tokens || n == 0)
        spans[n++] = (stmt_span){start, len - start};
    MIMIR_ASSERT(n <= cap);
    arena_free(&a);
    *out = spans;
    return n;
}
