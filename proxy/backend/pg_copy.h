/*
 * Large PostgreSQL results through `COPY (query) TO STDOUT` instead of libpq's
 * single-row mode: the text pieces of that path, kept apart from the connector
 * (proxy/backend/pg_backend.c) so that they are tested without a server.
 *
 * Single-row mode costs a PGresult per row (allocated, its column descriptions
 * copied, freed): most of Mimir's own work per streamed row. COPY sends the
 * same values, printed by the same output functions, as lines of text that
 * PQgetCopyData hands over one malloc'd line at a time. COPY takes no
 * parameters, so the atomic query's $n become literals escaped by the server's
 * own rules (PQescapeLiteral), and it sends no column descriptions, so the
 * connector asks for them first (PQsendDescribePrepared of the same text).
 */
#ifndef MIMIR_PROXY_BACKEND_PG_COPY_H
#define MIMIR_PROXY_BACKEND_PG_COPY_H

#include <stdbool.h>
#include <stddef.h>

/* A query whose result had at least this many rows goes through COPY next time. */
#define PG_COPY_MIN_ROWS 10000

/*
 * "COPY (\n<sql>\n) TO STDOUT" with each $n of sql (outside strings, quoted
 * identifiers, comments and dollar quotes) replaced by literals[n - 1], which
 * the caller escaped already ("NULL" for SQL NULL). NULL (nothing to free)
 * when the text holds anything this rewrite does not vouch for: a ';', a $n
 * out of range or glued to a name, an unterminated quote or comment. The
 * caller then runs the query as before. Free the result with free().
 */
char *pg_copy_statement(const char *sql, const char *const *literals, size_t nliterals);

/*
 * One line of COPY's text format (tab-separated, "\n" at the end, "\N" for
 * NULL, backslash escapes), decoded in place: values[i] points into line
 * (NULL for SQL NULL), lengths[i] its length. false when the line does not
 * hold exactly ncols fields.
 */
bool pg_copy_split(char *line, size_t len, size_t ncols, const char **values, size_t *lengths);

/*
 * Which query texts had large results. Remembered by a hash of the text in a
 * small table (a newer text may take an older one's slot: it then runs once
 * more in single-row mode). A text whose COPY PostgreSQL refused is
 * remembered as such, so that it is not tried again while it keeps its slot.
 * Used on the event loop only.
 */
bool pg_copy_memo_has(const char *sql); /* large, and its COPY not refused */
void pg_copy_memo_add(const char *sql); /* large (no effect on a refused text) */
void pg_copy_memo_refuse(const char *sql);

#endif
