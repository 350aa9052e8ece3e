#include "proxy/backend/row_batch.h"
#include "wire/xalloc.h"

#include <stdlib.h>
#include <string.h>

void row_batch_init(row_batch *b)
{
    memset(b, 0, sizeof(*b));
    buf_init(&b->data);
}

void row_batch_free(row_batch *b)
{
    free(b->lengths);
    free(b->error);
    free(b->first_types);
    buf_free(&b->data);
    memset(b, 0, sizeof(*b));
}

/*
 * An INTEGER value as SQLite's own text of it (sqlite3_column_text: plain decimal, a
 * '-' when negative), written straight into the batch: asking SQLite for the text
 * converts the value in place and allocates for it, on every row.
 */
static size_t append_integer(buf *out, sqlite3_int64 v)
{
    char text[24], *p = text + sizeof(text);
    /* Through unsigned arithmetic, so that the smallest int64 has its digits too. */
    sqlite3_uint64 u = v < 0 ? 0 - (sqlite3_uint64)v : (sqlite3_uint64)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    size_t n = (size_t)(text + sizeof(text) - p);
    buf_append(out, p, n);
    return n;
}

void row_batch_step(row_batch *b, sqlite3 *db, sqlite3_stmt *st, size_t max_rows, size_t max_bytes)
{
    b->ncols = (size_t)sqlite3_column_count(st);
    b->nrows = 0;
    b->first = false;
    buf_reset(&b->data);
    free(b->error);
    b->error = NULL;
    if (b->cap < max_rows * b->ncols) {
        b->cap = max_rows * b->ncols;
        free(b->lengths);
        b->lengths = xmalloc((b->cap + 1) * sizeof(size_t));
    }
    while (b->nrows < max_rows && b->data.len < max_bytes) {
        b->rc = sqlite3_step(st);
        if (b->rc != SQLITE_ROW)
            break;
        if (!b->first_types) {
            /* The very first row of the statement tells the types of computed columns. */
            b->first = true;
            b->first_types = xcalloc(b->ncols + 1, sizeof(int));
            for (size_t k = 0; k < b->ncols; k++)
                b->first_types[k] = sqlite3_column_type(st, (int)k);
        }
        size_t *len = &b->lengths[b->nrows * b->ncols];
        for (size_t k = 0; k < b->ncols; k++) {
            int type = sqlite3_column_type(st, (int)k);
            if (type == SQLITE_NULL) {
                len[k] = ROW_BATCH_NULL;
                continue;
            }
            if (type == SQLITE_INTEGER) {
                len[k] = append_integer(&b->data, sqlite3_column_int64(st, (int)k));
                continue;
            }
            const void *v = sqlite3_column_text(st, (int)k);
            len[k] = (size_t)sqlite3_column_bytes(st, (int)k);
            buf_append(&b->data, v, len[k]);
        }
        b->nrows++;
    }
    if (b->rc != SQLITE_ROW && b->rc != SQLITE_DONE) {
        b->error = xstrdup(sqlite3_errmsg(db));
    }
}

size_t row_batch_row(const row_batch *b, size_t i, size_t offset, const char **values,
                     size_t *lengths)
{
    for (size_t k = 0; k < b->ncols; k++) {
        size_t n = b->lengths[i * b->ncols + k];
        if (n == ROW_BATCH_NULL) {
            values[k] = NULL;
            lengths[k] = 0;
            continue;
        }
        values[k] = (const char *)b->data.data + offset;
        lengths[k] = n;
        offset += n;
    }
    return offset;
}
