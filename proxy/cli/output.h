/*
 * Printing results on the command line: a table for people (columns sized to
 * their values, numbers right-aligned, as the mariadb client prints them),
 * CSV (RFC 4180, with a header) and JSON (an array of objects, numbers as
 * numbers and NULL as null) for scripts. CSV and JSON stream row by row; the
 * table keeps the rows until the end to size its columns.
 */
#ifndef MIMIR_PROXY_CLI_OUTPUT_H
#define MIMIR_PROXY_CLI_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum { OUT_TABLE, OUT_CSV, OUT_JSON } out_format;

/* "table", "csv" or "json". */
bool out_format_parse(const char *name, out_format *out);

typedef struct out_writer {
    out_format format;
    FILE *f;
    size_t ncols;
    char **names;
    bool *numeric; /* right-aligned in a table, bare in JSON */
    size_t nrows;
    /* OUT_TABLE: every cell (NULL for SQL NULL), row-major, until out_end. */
    char **cells;
    size_t cap_cells;
} out_writer;

/* numeric may be NULL (no numeric column). */
void out_begin(out_writer *w, out_format format, FILE *f, size_t ncols, const char *const *names,
               const bool *numeric);
/* values[i] NULL is SQL NULL; lengths may be NULL for NUL-terminated values. */
void out_row(out_writer *w, const char *const *values, const size_t *lengths);
/* Prints what is held back, and frees the writer. */
void out_end(out_writer *w);

/* Frees the writer without printing what it holds back (the result failed midway). */
void out_abort(out_writer *w);

/* A JSON string literal of v[0, len). */
void out_json_string(FILE *f, const char *v, size_t len);

#endif
