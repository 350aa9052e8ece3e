/*
 * The discovered types: a flat list of (source, column, type), searched
 * linearly. A semantic layer has tens of sources and hundreds of columns, and
 * the list is read only when information_schema is rebuilt.
 */
#include "planner/discovered_types.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wire/xalloc.h"

typedef struct discovered_column {
    char *source;
    char *column;
    column_type type;
} discovered_column;

struct discovered_types {
    discovered_column *cols;
    size_t len, cap;
};

discovered_types *discovered_types_new(void)
{
    return xcalloc(1, sizeof(discovered_types));
}

static void free_column(discovered_column *c)
{
    free(c->source);
    free(c->column);
}

void discovered_types_free(discovered_types *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->len; i++)
        free_column(&d->cols[i]);
    free(d->cols);
    free(d);
}

static discovered_column *find(const discovered_types *d, const char *source, const char *column)
{
    for (size_t i = 0; i < d->len; i++)
        if (strcasecmp(d->cols[i].source, source) == 0 &&
            strcasecmp(d->cols[i].column, column) == 0)
            return &d->cols[i];
    return NULL;
}

void discovered_types_set(discovered_types *d, const char *source, const char *column,
                          const column_type *t)
{
    discovered_column *c = find(d, source, column);
    if (c) {
        c->type = *t;
        return;
    }
    if (d->len == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 32;
        d->cols = xreallocarray(d->cols, d->cap, sizeof(*d->cols));
    }
    c = &d->cols[d->len++];
    c->source = xstrdup(source);
    c->column = xstrdup(column);
    c->type = *t;
}

void discovered_types_forget(discovered_types *d, const char *source)
{
    size_t kept = 0;
    for (size_t i = 0; i < d->len; i++) {
        if (strcasecmp(d->cols[i].source, source) == 0)
            free_column(&d->cols[i]);
        else
            d->cols[kept++] = d->cols[i];
    }
    d->len = kept;
}

const column_type *discovered_types_get(const discovered_types *d, const char *source,
                                        const char *column)
{
    const discovered_column *c = d ? find(d, source, column) : NULL;
    return c ? &c->type : NULL;
}

bool discovered_types_merged(const discovered_types *d, const char *column, column_type *out)
{
    bool found = false;
    for (size_t i = 0; d && i < d->len; i++) {
        if (strcasecmp(d->cols[i].column, column) != 0)
            continue;
        if (found)
            column_type_union(out, &d->cols[i].type, out);
        else
            *out = d->cols[i].type;
        found = true;
    }
    return found;
}

size_t discovered_types_ncolumns(const discovered_types *d)
{
    return d->len;
}

/* ---- Types of result columns ----------------------------------------------------- */

/* Our own type texts: one that does not parse is a bug here. */
static void make_type(column_type *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void make_type(column_type *out, const char *fmt, ...)
{
    char text[64], why[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (!column_type_parse(text, out, why, sizeof(why)))
        abort();
}

#define MYSQL_MAX_PRECISION 65
#define MYSQL_MAX_SCALE     30
#define MYSQL_MAX_VARCHAR   65535
#define MYSQL_MAX_FSP       6

/* numeric(p,s) as MySQL can hold it: DECIMAL(p,s) within MySQL's limits. */
static void decimal_type(unsigned precision, int scale, column_type *out)
{
    unsigned s = scale < 0                           ? 0
                 : (unsigned)scale > MYSQL_MAX_SCALE ? MYSQL_MAX_SCALE
                                                     : (unsigned)scale;
    unsigned p = precision > MYSQL_MAX_PRECISION ? MYSQL_MAX_PRECISION : precision;
    if (p < s)
        p = s;
    if (p == 0)
        p = 1;
    make_type(out, "decimal(%u,%u)", p, s);
}

static void timed_type(const char *name, int fsp, column_type *out)
{
    if (fsp > 0)
        make_type(out, "%s(%d)", name, fsp > MYSQL_MAX_FSP ? MYSQL_MAX_FSP : fsp);
    else
        make_type(out, "%s", name);
}

bool column_type_of_result(const result_column *rc, int decimal_scale, column_type *out)
{
    switch (rc->type) {
    case VT_NULL:
        return false;
    case VT_BOOL:
        make_type(out, "tinyint(1)");
        return true;
    case VT_INT16:
        make_type(out, "smallint");
        return true;
    case VT_INT32:
        make_type(out, "int");
        return true;
    case VT_INT64:
        make_type(out, "bigint");
        return true;
    case VT_DECIMAL:
        if (rc->length > 0)
            decimal_type(rc->length, rc->decimals, out);
        else
            decimal_type(MYSQL_MAX_PRECISION, decimal_scale >= 0 ? decimal_scale : 2, out);
        return true;
    case VT_FLOAT:
        make_type(out, "float");
        return true;
    case VT_DOUBLE:
        make_type(out, "double");
        return true;
    case VT_BLOB:
        make_type(out, "blob");
        return true;
    case VT_DATE:
        make_type(out, "date");
        return true;
    case VT_TIME:
        timed_type("time", rc->decimals, out);
        return true;
    case VT_DATETIME:
        /* Without a declared precision a timestamp holds microseconds, and
         * its results are described so (proxy/exec/columns.c): DATETIME(6). */
        timed_type("datetime", rc->decimals < 0 ? MYSQL_MAX_FSP : rc->decimals, out);
        out->instant = rc->instant;
        return true;
    case VT_TEXT:
        break;
    }
    if (rc->length > MYSQL_MAX_VARCHAR)
        make_type(out, "longtext");
    else
        make_type(out, "varchar(%u)", rc->length > 0 ? rc->length : 255);
    return true;
}

/* ---- Union ------------------------------------------------------------------------ */

/* 1..5 for TINYINT..BIGINT (TINYINT(1), a boolean, is a TINYINT); 0 for other kinds. */
static int integer_rank(const column_type *t)
{
    switch (t->kind) {
    case CT_TINYINT:
        return 1;
    case CT_SMALLINT:
        return 2;
    case CT_MEDIUMINT:
        return 3;
    case CT_INT:
        return 4;
    case CT_BIGINT:
        return 5;
    default:
        return 0;
    }
}

/* Digits left of the point an exact numeric type holds. */
static unsigned integer_digits(const column_type *t)
{
    static const unsigned digits[] = {0, 3, 5, 8, 10, 19};
    int rank = integer_rank(t);
    if (rank)
        return digits[rank] + (rank == 5 && t->is_unsigned);
    return t->length - t->scale;
}

static bool is_exact(const column_type *t)
{
    return integer_rank(t) || t->kind == CT_DECIMAL;
}

static bool is_numeric(const column_type *t)
{
    return is_exact(t) || t->kind == CT_FLOAT || t->kind == CT_DOUBLE;
}

static bool is_temporal(const column_type *t)
{
    return t->kind == CT_DATE || t->kind == CT_DATETIME || t->kind == CT_TIMESTAMP;
}

static bool is_string(const column_type *t)
{
    return t->kind == CT_CHAR || t->kind == CT_VARCHAR || t->kind == CT_TEXT;
}

static void union_of_strings(const column_type *a, const column_type *b, column_type *out)
{
    if (a->kind == CT_TEXT || b->kind == CT_TEXT) {
        /* The longer TEXT (a VARCHAR is never longer than TEXT's 65535). */
        const column_type *text = a->kind != CT_TEXT                             ? b
                                  : b->kind != CT_TEXT || a->length >= b->length ? a
                                                                                 : b;
        *out = *text;
        return;
    }
    unsigned len = a->length > b->length ? a->length : b->length;
    if (a->kind == CT_CHAR && b->kind == CT_CHAR && a->length == b->length)
        *out = *a;
    else
        make_type(out, "varchar(%u)", len ? len : 1);
}

void column_type_union(const column_type *a, const column_type *b, column_type *out)
{
    if (strcmp(a->text, b->text) == 0) {
        *out = *a;
        return;
    }
    int ra = integer_rank(a), rb = integer_rank(b);
    if (ra && rb) {
        const column_type *wider = ra > rb ? a : rb > ra ? b : a->is_unsigned ? b : a;
        /* A signed and an unsigned of the same width: the next width holds both. */
        if (ra == rb && a->is_unsigned != b->is_unsigned && ra < 5) {
            static const char *const next[] = {"", "smallint", "mediumint", "int", "bigint"};
            make_type(out, "%s", next[ra]);
        } else if (wider->kind == CT_TINYINT) {
            make_type(out, "tinyint%s", wider->is_unsigned ? " unsigned" : "");
        } else {
            *out = *wider;
        }
        return;
    }
    if (is_exact(a) && is_exact(b)) {
        unsigned ia = integer_digits(a), ib = integer_digits(b);
        unsigned scale = a->scale > b->scale ? a->scale : b->scale; /* integers: 0 */
        unsigned digits = (ia > ib ? ia : ib) + scale;
        decimal_type(digits, (int)scale, out);
        return;
    }
    if (is_numeric(a) && is_numeric(b)) {
        make_type(out, a->kind == CT_FLOAT && b->kind == CT_FLOAT ? "float" : "double");
        return;
    }
    if (is_temporal(a) && is_temporal(b)) {
        unsigned fsp = a->scale > b->scale ? a->scale : b->scale;
        bool instant = a->instant && b->instant;
        timed_type(a->kind == CT_TIMESTAMP && b->kind == CT_TIMESTAMP ? "timestamp" : "datetime",
                   (int)fsp, out);
        out->instant = instant;
        return;
    }
    if (is_string(a) && is_string(b)) {
        union_of_strings(a, b, out);
        return;
    }
    make_type(out, "varchar(255)");
}
