/* Tables, CSV and JSON on the command line: see output.h. */
#include "proxy/cli/output.h"

#include <stdlib.h>
#include <string.h>

#include "wire/xalloc.h"

bool out_format_parse(const char *name, out_format *out)
{
    static const struct {
        const char *name;
        out_format format;
    } formats[] = {{"table", OUT_TABLE}, {"csv", OUT_CSV}, {"json", OUT_JSON}};
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        if (strcmp(name, formats[i].name) == 0) {
            *out = formats[i].format;
            return true;
        }
    return false;
}

/* ---- CSV ---- */

static void csv_field(FILE *f, const char *v, size_t len)
{
    bool quote = false;
    for (size_t i = 0; i < len && !quote; i++)
        quote = v[i] == ',' || v[i] == '"' || v[i] == '\n' || v[i] == '\r';
    if (!quote) {
        fwrite(v, 1, len, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        if (v[i] == '"')
            fputc('"', f);
        fputc(v[i], f);
    }
    fputc('"', f);
}

static void csv_line(FILE *f, size_t n, const char *const *v, const size_t *lengths)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        if (v[i]) /* NULL is an empty field */
            csv_field(f, v[i], lengths ? lengths[i] : strlen(v[i]));
    }
    fputs("\r\n", f);
}

/* ---- JSON ---- */

void out_json_string(FILE *f, const char *v, size_t len)
{
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\r')
            fputs("\\r", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* What a numeric column holds is a JSON number, unless it is NaN or infinite. */
static bool json_number_ok(const char *v, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789+-.eE", v[i]))
            return false;
    return true;
}

static void json_row(out_writer *w, const char *const *v, const size_t *lengths)
{
    fputs(w->nrows ? ",\n  {" : "\n  {", w->f);
    for (size_t i = 0; i < w->ncols; i++) {
        if (i)
            fputs(", ", w->f);
        out_json_string(w->f, w->names[i], strlen(w->names[i]));
        fputs(": ", w->f);
        size_t len = v[i] ? (lengths ? lengths[i] : strlen(v[i])) : 0;
        if (!v[i])
            fputs("null", w->f);
        else if (w->numeric[i] && json_number_ok(v[i], len))
            fwrite(v[i], 1, len, w->f);
        else
            out_json_string(w->f, v[i], len);
    }
    fputc('}', w->f);
}

/* ---- tables ---- */

/* Display width: code points, which is right for the scripts people put in names. */
static size_t text_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static void table_rule(FILE *f, const size_t *widths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fputc('+', f);
        for (size_t k = 0; k < widths[i] + 2; k++)
            fputc('-', f);
    }
    fputs("+\n", f);
}

static void table_cell(FILE *f, const char *v, size_t width, bool right)
{
    const char *text = v ? v : "NULL";
    size_t pad = width - text_width(text);
    fputs("| ", f);
    if (right)
        for (size_t k = 0; k < pad; k++)
            fputc(' ', f);
    fputs(text, f);
    if (!right)
        for (size_t k = 0; k < pad; k++)
            fputc(' ', f);
    fputc(' ', f);
}

static void table_print(out_writer *w)
{
    size_t *widths = xcalloc(w->ncols, sizeof *widths);
    for (size_t i = 0; i < w->ncols; i++)
        widths[i] = text_width(w->names[i]);
    for (size_t r = 0; r < w->nrows; r++)
        for (size_t i = 0; i < w->ncols; i++) {
            const char *v = w->cells[r * w->ncols + i];
            size_t width = text_width(v ? v : "NULL");
            if (width > widths[i])
                widths[i] = width;
        }
    table_rule(w->f, widths, w->ncols);
    for (size_t i = 0; i < w->ncols; i++)
        table_cell(w->f, w->names[i], widths[i], false);
    fputs("|\n", w->f);
    table_rule(w->f, widths, w->ncols);
    for (size_t r = 0; r < w->nrows; r++) {
        for (size_t i = 0; i < w->ncols; i++)
            table_cell(w->f, w->cells[r * w->ncols + i], widths[i], w->numeric[i]);
        fputs("|\n", w->f);
    }
    if (w->nrows)
        table_rule(w->f, widths, w->ncols);
    fprintf(w->f, "%zu row%s\n", w->nrows, w->nrows == 1 ? "" : "s");
    free(widths);
}

static void table_keep(out_writer *w, const char *const *v, const size_t *lengths)
{
    size_t need = (w->nrows + 1) * w->ncols;
    if (need > w->cap_cells) {
        w->cap_cells = need * 2;
        w->cells = xreallocarray(w->cells, w->cap_cells, sizeof *w->cells);
    }
    for (size_t i = 0; i < w->ncols; i++) {
        char *cell = NULL;
        if (v[i]) {
            cell = xstrndup(v[i], lengths ? lengths[i] : strlen(v[i]));
            /* One line per row: line breaks inside a value would break the grid. */
            for (char *c = cell; *c; c++)
                if (*c == '\n' || *c == '\r' || *c == '\t')
                    *c = ' ';
        }
        w->cells[w->nrows * w->ncols + i] = cell;
    }
}

/* ---- the writer ---- */

void out_begin(out_writer *w, out_format format, FILE *f, size_t ncols, const char *const *names,
               const bool *numeric)
{
    memset(w, 0, sizeof *w);
    w->format = format;
    w->f = f;
    w->ncols = ncols;
    w->names = xcalloc(ncols, sizeof *w->names);
    w->numeric = xcalloc(ncols, sizeof *w->numeric);
    for (size_t i = 0; i < ncols; i++) {
        w->names[i] = xstrdup(names[i]);
        w->numeric[i] = numeric && numeric[i];
    }
    if (format == OUT_CSV)
        csv_line(f, ncols, names, NULL);
    else if (format == OUT_JSON)
        fputc('[', f);
}

void out_row(out_writer *w, const char *const *values, const size_t *lengths)
{
    switch (w->format) {
    case OUT_CSV:
        csv_line(w->f, w->ncols, values, lengths);
        break;
    case OUT_JSON:
        json_row(w, values, lengths);
        break;
    case OUT_TABLE:
        table_keep(w, values, lengths);
        break;
    }
    w->nrows++;
}

void out_end(out_writer *w)
{
    if (w->format == OUT_TABLE)
        table_print(w);
    else if (w->format == OUT_JSON)
        fputs(w->nrows ? "\n]\n" : "]\n", w->f);
    out_abort(w);
}

void out_abort(out_writer *w)
{
    for (size_t i = 0; i < w->nrows * w->ncols && w->cells; i++)
        free(w->cells[i]);
    free(w->cells);
    for (size_t i = 0; i < w->ncols; i++)
        free(w->names[i]);
    free(w->names);
    free(w->numeric);
    memset(w, 0, sizeof *w);
}
