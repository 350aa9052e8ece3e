/*
 * arrow_encode: drives proxy/http/arrow_stream.c from a table description on
 * stdin and writes the Arrow IPC stream to stdout, for
 * tests/integration/test_arrow_stream.py (which reads the stream back with
 * apache-arrow, tests/clients/node/read_arrow.mjs).
 *
 * Input, one directive per line, fields separated by tabs; names and values
 * are hex-encoded bytes (so any byte, tab or newline passes), "N" is SQL NULL:
 *
 *   tz    <hex zone name>          timestamp time zone (default: none)
 *   col   <hex name> <type> <flags> <length> <decimals> <charset>
 *   row   <value> <value> ...      one value per column
 *   batch                          write a RecordBatch of the rows so far
 *
 * The Schema message is written before the first row or batch; at the end of
 * input, pending rows become a last batch and the end marker follows. A row
 * the encoder refuses ends the program: its message on stderr, exit status 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/http/arrow_stream.h"
#include "wire/xalloc.h"

#define MAX_COLS 256

typedef struct tool {
    wire_column cols[MAX_COLS];
    size_t ncols;
    char *tz;
    arrow_stream *s;
    buf out;
} tool;

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes hex text in place; returns its byte length (exits on bad input). */
static size_t unhex(char *s)
{
    size_t n = strlen(s);
    if (n % 2 != 0) {
        fprintf(stderr, "arrow_encode: odd hex length: %s\n", s);
        exit(1);
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            fprintf(stderr, "arrow_encode: not hex: %s\n", s);
            exit(1);
        }
        s[i] = (char)(hi * 16 + lo);
    }
    s[n / 2] = '\0';
    return n / 2;
}

static void flush_out(tool *t)
{
    fwrite(t->out.data, 1, t->out.len, stdout);
    buf_reset(&t->out);
}

static void ensure_stream(tool *t)
{
    if (t->s)
        return;
    t->s = arrow_stream_new(t->cols, t->ncols, t->tz);
    arrow_stream_write_schema(t->s, &t->out);
}

static void add_col(tool *t, char **f, size_t nf)
{
    if (nf != 7 || t->ncols == MAX_COLS || t->s) {
        fprintf(stderr, "arrow_encode: bad col line\n");
        exit(1);
    }
    wire_column *c = &t->cols[t->ncols++];
    memset(c, 0, sizeof(*c));
    unhex(f[1]);
    c->name = xstrdup(f[1]);
    c->type = (uint8_t)atoi(f[2]);
    c->flags = (uint16_t)atoi(f[3]);
    c->length = (uint32_t)strtoul(f[4], NULL, 10);
    c->decimals = (uint8_t)atoi(f[5]);
    c->charset = (uint16_t)atoi(f[6]);
}

static void add_row(tool *t, char **f, size_t nf)
{
    const char *values[MAX_COLS];
    size_t lengths[MAX_COLS];
    ensure_stream(t);
    if (nf != t->ncols + 1) {
        fprintf(stderr, "arrow_encode: row of %zu values, %zu columns\n", nf - 1, t->ncols);
        exit(1);
    }
    for (size_t i = 0; i < t->ncols; i++) {
        values[i] = strcmp(f[i + 1], "N") == 0 ? NULL : f[i + 1];
        lengths[i] = values[i] ? unhex(f[i + 1]) : 0;
    }
    char err[512];
    if (!arrow_stream_add_row(t->s, values, lengths, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
}

/* Splits line at tabs (in place) into at most max fields. */
static size_t split(char *line, char **f, size_t max)
{
    size_t n = 0;
    line[strcspn(line, "\n")] = '\0';
    for (char *p = line; n < max;) {
        f[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

int main(void)
{
    static tool t;
    buf_init(&t.out);
    char *line = NULL;
    size_t cap = 0;
    static char *f[MAX_COLS + 2];
    while (getline(&line, &cap, stdin) > 0) {
        size_t nf = split(line, f, MAX_COLS + 2);
        if (strcmp(f[0], "tz") == 0 && nf == 2) {
            unhex(f[1]);
            t.tz = xstrdup(f[1]);
        } else if (strcmp(f[0], "col") == 0) {
            add_col(&t, f, nf);
        } else if (strcmp(f[0], "row") == 0) {
            add_row(&t, f, nf);
        } else if (strcmp(f[0], "batch") == 0) {
            ensure_stream(&t);
            arrow_stream_write_batch(t.s, &t.out);
            flush_out(&t);
        } else if (f[0][0] != '\0') {
            fprintf(stderr, "arrow_encode: unknown directive %s\n", f[0]);
            return 1;
        }
    }
    ensure_stream(&t);
    if (arrow_stream_batch_rows(t.s) > 0)
        arrow_stream_write_batch(t.s, &t.out);
    arrow_stream_write_end(t.s, &t.out);
    flush_out(&t);
    arrow_stream_free(t.s);
    buf_free(&t.out);
    free(line);
    free(t.tz);
    for (size_t i = 0; i < t.ncols; i++)
        free((char *)t.cols[i].name);
    return 0;
}
