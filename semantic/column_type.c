/*
 * MySQL column type names: a small table of names and synonyms, each with the
 * kind it means, whether it takes a length (and a scale), and the defaults
 * MySQL applies when none is written (DECIMAL is DECIMAL(10,0)).
 */
#include "semantic/column_type.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum {
    ARGS_NONE,     /* DATE, JSON, TEXT: no (n) */
    ARGS_WIDTH,    /* INT(11): a display width MySQL 8.0 ignores (kept for TINYINT(1)) */
    ARGS_LENGTH,   /* VARCHAR(n), CHAR(n), BINARY(n) */
    ARGS_DECIMAL,  /* DECIMAL(p[,s]) */
    ARGS_FSP,      /* DATETIME(fsp), TIME(fsp), TIMESTAMP(fsp) */
    ARGS_FLOATING, /* FLOAT(p), DOUBLE(m,d): accepted, not kept */
} args_kind;

typedef struct type_name {
    const char *name; /* as written, lower-case; two-word names have one space */
    column_type_kind kind;
    const char *data_type;
    args_kind args;
    unsigned default_length; /* when no (n) is written; 0: (n) is required for ARGS_LENGTH */
} type_name;

static const type_name type_names[] = {
    {"tinyint", CT_TINYINT, "tinyint", ARGS_WIDTH, 0},
    {"bool", CT_TINYINT, "tinyint", ARGS_NONE, 1},
    {"boolean", CT_TINYINT, "tinyint", ARGS_NONE, 1},
    {"smallint", CT_SMALLINT, "smallint", ARGS_WIDTH, 0},
    {"mediumint", CT_MEDIUMINT, "mediumint", ARGS_WIDTH, 0},
    {"int", CT_INT, "int", ARGS_WIDTH, 0},
    {"integer", CT_INT, "int", ARGS_WIDTH, 0},
    {"bigint", CT_BIGINT, "bigint", ARGS_WIDTH, 0},
    {"decimal", CT_DECIMAL, "decimal", ARGS_DECIMAL, 10},
    {"numeric", CT_DECIMAL, "decimal", ARGS_DECIMAL, 10},
    {"dec", CT_DECIMAL, "decimal", ARGS_DECIMAL, 10},
    {"fixed", CT_DECIMAL, "decimal", ARGS_DECIMAL, 10},
    {"float", CT_FLOAT, "float", ARGS_FLOATING, 0},
    {"double", CT_DOUBLE, "double", ARGS_FLOATING, 0},
    {"double precision", CT_DOUBLE, "double", ARGS_FLOATING, 0},
    {"real", CT_DOUBLE, "double", ARGS_FLOATING, 0},
    {"char", CT_CHAR, "char", ARGS_LENGTH, 1},
    {"character", CT_CHAR, "char", ARGS_LENGTH, 1},
    {"varchar", CT_VARCHAR, "varchar", ARGS_LENGTH, 0},
    {"character varying", CT_VARCHAR, "varchar", ARGS_LENGTH, 0},
    {"tinytext", CT_TEXT, "tinytext", ARGS_NONE, 255},
    {"text", CT_TEXT, "text", ARGS_NONE, 65535},
    {"mediumtext", CT_TEXT, "mediumtext", ARGS_NONE, 16777215},
    {"longtext", CT_TEXT, "longtext", ARGS_NONE, 4294967295u},
    {"binary", CT_BINARY, "binary", ARGS_LENGTH, 1},
    {"varbinary", CT_VARBINARY, "varbinary", ARGS_LENGTH, 0},
    {"tinyblob", CT_BLOB, "tinyblob", ARGS_NONE, 255},
    {"blob", CT_BLOB, "blob", ARGS_NONE, 65535},
    {"mediumblob", CT_BLOB, "mediumblob", ARGS_NONE, 16777215},
    {"longblob", CT_BLOB, "longblob", ARGS_NONE, 4294967295u},
    {"date", CT_DATE, "date", ARGS_NONE, 0},
    {"time", CT_TIME, "time", ARGS_FSP, 0},
    {"datetime", CT_DATETIME, "datetime", ARGS_FSP, 0},
    {"timestamp", CT_TIMESTAMP, "timestamp", ARGS_FSP, 0},
    {"year", CT_YEAR, "year", ARGS_NONE, 0},
    {"json", CT_JSON, "json", ARGS_NONE, 0},
    {NULL, 0, NULL, 0, 0},
};

/* The longest run of letters at *p, lower-cased into word (empty when none). */
static const char *read_word(const char *p, char *word, size_t n)
{
    size_t len = 0;
    while (isalpha((unsigned char)*p)) {
        if (len + 1 < n)
            word[len++] = (char)tolower((unsigned char)*p);
        p++;
    }
    word[len] = '\0';
    return p;
}

static const char *skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

static const type_name *find_type(const char *name)
{
    for (const type_name *t = type_names; t->name; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

/* "(n)" or "(n,m)"; *count is how many numbers were read (0 when there is no '('). */
static bool read_args(const char **pp, unsigned long args[2], int *count)
{
    const char *p = skip_space(*pp);
    *count = 0;
    if (*p != '(')
        return true;
    p++;
    for (;;) {
        p = skip_space(p);
        if (!isdigit((unsigned char)*p) || *count == 2)
            return false;
        char *end;
        args[(*count)++] = strtoul(p, &end, 10);
        p = skip_space(end);
        if (*p == ')')
            break;
        if (*p != ',')
            return false;
        p++;
    }
    *pp = p + 1;
    return true;
}

static bool fail(char *why, size_t n, const char *msg)
{
    snprintf(why, n, "%s", msg);
    return false;
}

static bool apply_args(const type_name *t, const unsigned long args[2], int count, column_type *out,
                       char *why, size_t whylen)
{
    switch (t->args) {
    case ARGS_NONE:
        if (count)
            return fail(why, whylen, "takes no length");
        out->length = t->default_length;
        return true;
    case ARGS_WIDTH:
        if (count > 1)
            return fail(why, whylen, "takes at most a display width");
        out->length = count ? (unsigned)args[0] : 0;
        return true;
    case ARGS_LENGTH:
        if (count > 1)
            return fail(why, whylen, "takes one length");
        if (!count && !t->default_length)
            return fail(why, whylen, "needs a length, as in VARCHAR(64)");
        out->length = count ? (unsigned)args[0] : t->default_length;
        if (out->length > 65535 || (count && args[0] > 65535))
            return fail(why, whylen, "length is over 65535");
        if (out->length == 0 && t->kind != CT_CHAR && t->kind != CT_BINARY)
            return fail(why, whylen, "length must be at least 1");
        return true;
    case ARGS_DECIMAL:
        out->length = count ? (unsigned)args[0] : t->default_length;
        out->scale = count > 1 ? (unsigned)args[1] : 0;
        if (count && (args[0] < 1 || args[0] > 65))
            return fail(why, whylen, "precision must be between 1 and 65");
        if (count > 1 && (args[1] > 30 || args[1] > args[0]))
            return fail(why, whylen, "scale must be at most 30 and at most the precision");
        return true;
    case ARGS_FSP:
        if (count > 1 || (count && args[0] > 6))
            return fail(why, whylen, "fractional seconds must be between 0 and 6");
        out->scale = count ? (unsigned)args[0] : 0;
        return true;
    case ARGS_FLOATING:
        return true;
    }
    return true;
}

/* COLUMN_TYPE as MySQL 8.0 prints it: no display widths except TINYINT(1). */
static void format_text(column_type *out)
{
    const char *base = out->data_type;
    switch (out->kind) {
    case CT_TINYINT:
        if (out->length == 1)
            snprintf(out->text, sizeof(out->text), "tinyint(1)");
        else
            snprintf(out->text, sizeof(out->text), "tinyint");
        break;
    case CT_DECIMAL:
        snprintf(out->text, sizeof(out->text), "decimal(%u,%u)", out->length, out->scale);
        break;
    case CT_CHAR:
    case CT_VARCHAR:
    case CT_BINARY:
    case CT_VARBINARY:
        snprintf(out->text, sizeof(out->text), "%s(%u)", base, out->length);
        break;
    case CT_TIME:
    case CT_DATETIME:
    case CT_TIMESTAMP:
        if (out->scale)
            snprintf(out->text, sizeof(out->text), "%s(%u)", base, out->scale);
        else
            snprintf(out->text, sizeof(out->text), "%s", base);
        break;
    default:
        snprintf(out->text, sizeof(out->text), "%s", base);
        break;
    }
    if (out->is_unsigned) {
        size_t n = strlen(out->text);
        snprintf(out->text + n, sizeof(out->text) - n, " unsigned");
    }
}

static bool is_numeric(column_type_kind k)
{
    return k <= CT_DOUBLE;
}

bool column_type_parse(const char *text, column_type *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof(*out));
    char word[32], name[32];
    const char *p = read_word(skip_space(text), word, sizeof(word));
    snprintf(name, sizeof(name), "%s", word);
    const type_name *t = find_type(name);
    /* Two-word names: DOUBLE PRECISION, CHARACTER VARYING. */
    const char *after_second = read_word(skip_space(p), word, sizeof(word));
    if (word[0] && strcmp(word, "unsigned") != 0 && strcmp(word, "signed") != 0) {
        char two[72];
        snprintf(two, sizeof(two), "%s %s", name, word);
        const type_name *t2 = find_type(two);
        if (t2) {
            t = t2;
            p = after_second;
        }
    }
    if (!t)
        return fail(why, whylen, "is not a MySQL column type");
    out->kind = t->kind;
    out->data_type = t->data_type;
    unsigned long args[2] = {0, 0};
    int count = 0;
    if (!read_args(&p, args, &count))
        return fail(why, whylen, "has a malformed length, e.g. DECIMAL(12,2)");
    if (!apply_args(t, args, count, out, why, whylen))
        return false;
    for (;;) {
        p = read_word(skip_space(p), word, sizeof(word));
        if (!word[0])
            break;
        if (strcmp(word, "unsigned") == 0 && is_numeric(t->kind))
            out->is_unsigned = true;
        else if (!(strcmp(word, "signed") == 0 && is_numeric(t->kind)))
            return fail(why, whylen, "has an unexpected word after the type");
    }
    if (*skip_space(p) != '\0')
        return fail(why, whylen, "has unexpected characters after the type");
    format_text(out);
    return true;
}
