/*
 * String functions beyond the first table of planner/functions.c. Where
 * SQLite has no expression for one (REVERSE, SUBSTRING_INDEX), the SQLite
 * dialect calls a C function Mimir registers on its own SQLite connections,
 * the sources' and the final stage's (proxy/backend/sqlite_functions.c).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/functions_internal.h"

/* MID(s, pos, len) is SUBSTRING(s, pos, len). */
static bool print_mid(print_ctx *pc)
{
    expr call = *pc->call;
    call.text = "substring";
    return sb_function(pc->b, &call, pc->resolve, pc->ctx, pc->err);
}

/* POSITION(sub IN s) is LOCATE(sub, s). */
static bool print_position(print_ctx *pc)
{
    expr call = *pc->call;
    call.text = "locate";
    return sb_function(pc->b, &call, pc->resolve, pc->ctx, pc->err);
}

/* PostgreSQL's to_char pattern of FORMAT(x, d): 66 integer digits in groups of three. */
static char *format_pattern(arena *a, int decimals)
{
    buf p;
    buf_init(&p);
    buf_append_str(&p, "FM");
    for (int i = 0; i < 21; i++)
        buf_append_str(&p, "999,");
    buf_append_str(&p, "990");
    if (decimals > 0)
        buf_append_byte(&p, '.');
    for (int i = 0; i < decimals; i++)
        buf_append_byte(&p, '0');
    char *text = arena_strdup(a, buf_cstr(&p));
    buf_free(&p);
    return text;
}

/*
 * FORMAT(x, d[, locale]): x rounded to d decimals (half away from zero), with
 * ',' between thousands and '.' before the decimals, as MySQL's default locale
 * en_US writes it. d is an integer literal (0 .. 30); other locales are refused.
 */
static bool print_format(print_ctx *pc)
{
    const expr *d = pc->call->args[1];
    if (d->kind != EX_LITERAL || d->lit != LIT_INT || strlen(d->text) > 2)
        return fn_unsupported(pc, "the number of decimals must be an integer literal");
    int decimals = atoi(d->text);
    if (decimals > 30)
        decimals = 30; /* MySQL's maximum */
    if (pc->call->nargs == 3) {
        const expr *locale = fn_string_arg(pc, 2, "locale");
        if (!locale)
            return false;
        if (strcasecmp(locale->text, "en_US") != 0)
            return fn_unsupported(pc, "only the locale 'en_US' is supported");
    }
    switch (pc->b->dialect) {
    case DIALECT_MYSQL:
        return fn_expand(pc, pc->call->nargs == 3 ? "FORMAT($1, $2, $3)" : "FORMAT($1, $2)");
    case DIALECT_SQLITE:
        sb_str(pc->b, "mimir_format(");
        if (!fn_print(pc, pc->call->args[0]))
            return false;
        buf_printf(&pc->b->out, ", %d)", decimals);
        return true;
    case DIALECT_POSTGRES:
        break;
    }
    sb_str(pc->b, "to_char(ROUND(CAST(");
    if (!fn_print(pc, pc->call->args[0]))
        return false;
    buf_printf(&pc->b->out, " AS NUMERIC), %d), ", decimals);
    sb_param(pc->b, PARAM_TEXT, format_pattern(pc->b->a, decimals));
    sb_str(pc->b, ")");
    return true;
}

/*
 * SHA2(s, bits): the SHA-2 digest of s's bytes in hex for 224, 256 (or 0), 384
 * and 512 bits, NULL for any other length, as MySQL. bits is an integer literal.
 */
static bool print_sha2(print_ctx *pc)
{
    const expr *bits = pc->call->args[1];
    if (bits->kind != EX_LITERAL || bits->lit != LIT_INT || strlen(bits->text) > 3)
        return fn_unsupported(pc, "the number of bits must be an integer literal");
    int n = atoi(bits->text);
    n = n == 0 ? 256 : n;
    if (n != 224 && n != 256 && n != 384 && n != 512) {
        sb_str(pc->b, "NULL");
        return true;
    }
    switch (pc->b->dialect) {
    case DIALECT_MYSQL:
        return fn_expand(pc, "SHA2($1, $2)");
    case DIALECT_SQLITE:
        sb_str(pc->b, "mimir_sha2(");
        if (!fn_print(pc, pc->call->args[0]))
            return false;
        buf_printf(&pc->b->out, ", %d)", n);
        return true;
    case DIALECT_POSTGRES:
        break;
    }
    buf_printf(&pc->b->out, "encode(sha%d(convert_to(CAST(", n);
    if (!fn_print(pc, pc->call->args[0]))
        return false;
    sb_str(pc->b, " AS TEXT), 'UTF8')), 'hex')");
    return true;
}

const function_map string_functions[] = {
    {"format", 2, 3, T(NULL, NULL, NULL), print_format},
    {"position", 2, 2, T(NULL, NULL, NULL), print_position},
    {"reverse", 1, 1, T("REVERSE(CAST($1 AS TEXT))", "mimir_reverse($1)", "REVERSE($1)"), NULL},
    {"mid", 3, 3, T(NULL, NULL, NULL), print_mid},
    /* SUBSTRING_INDEX(s, delim, n): s before the n-th delim (n > 0), after the n-th from
     * the end (n < 0); case-sensitive on every backend, as in MySQL. */
    {"substring_index", 3, 3,
     T("(CASE WHEN $3 IS NULL THEN NULL WHEN CAST($2 AS TEXT) = '' OR $3 = 0 THEN (CASE WHEN "
       "CAST($1 AS TEXT) IS NULL THEN "
       "NULL ELSE '' END) WHEN $3 > 0 THEN array_to_string((string_to_array(CAST($1 AS TEXT), "
       "CAST($2 AS TEXT)))[1:$3], CAST($2 AS TEXT)) ELSE "
       "array_to_string((string_to_array(CAST($1 AS TEXT), CAST($2 AS TEXT)))[GREATEST(cardinality("
       "string_to_array(CAST($1 AS TEXT), CAST($2 AS TEXT))) + $3 + 1, 1):], CAST($2 AS TEXT)) "
       "END)",
       "mimir_substring_index($1, $2, $3)", "SUBSTRING_INDEX($1, $2, $3)"),
     NULL},
    /* SPACE(n): '' for n below 1. */
    {"space", 1, 1,
     T("REPEAT(' ', CAST(CASE WHEN $1 > 2147483647 THEN 2147483647 WHEN $1 < 0 THEN 0 ELSE $1 "
       "END AS INTEGER))",
       "(CASE WHEN $1 IS NULL THEN NULL WHEN $1 < 1 THEN '' ELSE printf('%*s', $1, '') END)",
       "SPACE($1)"),
     NULL},
    /* ASCII(s): the first byte of s's UTF-8 (0 for ''), not its code point. */
    {"ascii", 1, 1,
     T("(CASE WHEN CAST($1 AS TEXT) = '' THEN 0 ELSE get_byte(convert_to(CAST($1 AS TEXT), "
       "'UTF8'), 0) END)",
       "(CASE WHEN $1 IS NULL THEN NULL WHEN CAST($1 AS TEXT) = '' THEN 0 WHEN unicode($1) < 128 "
       "THEN unicode($1) WHEN unicode($1) < 2048 THEN 192 + unicode($1) / 64 WHEN unicode($1) < "
       "65536 THEN 224 + unicode($1) / 4096 ELSE 240 + unicode($1) / 262144 END)",
       "ASCII($1)"),
     NULL},
    /* STRCMP(a, b): -1, 0 or 1, comparing as the backend's collation does. */
    {"strcmp", 2, 2,
     T("(CASE WHEN CAST($1 AS TEXT) < CAST($2 AS TEXT) THEN -1 WHEN CAST($1 AS TEXT) > CAST($2 AS "
       "TEXT) THEN 1 WHEN CAST($1 AS TEXT) = CAST($2 AS TEXT) THEN 0 END)",
       "(CASE WHEN CAST($1 AS TEXT) < CAST($2 AS TEXT) THEN -1 WHEN CAST($1 AS TEXT) > CAST($2 AS "
       "TEXT) THEN 1 WHEN CAST($1 AS TEXT) = CAST($2 AS TEXT) THEN 0 END)",
       "STRCMP($1, $2)"),
     NULL},
    /* FIND_IN_SET(s, list): s's position among list's comma-separated items, 0 when absent. */
    {"find_in_set", 2, 2,
     T("(CASE WHEN CAST($1 AS TEXT) IS NULL OR CAST($2 AS TEXT) IS NULL THEN NULL ELSE "
       "COALESCE(array_position(string_to_array(CAST($2 AS TEXT), ','), CAST($1 AS TEXT)), 0) "
       "END)",
       "mimir_find_in_set($1, $2)", "FIND_IN_SET($1, $2)"),
     NULL},
    {"md5", 1, 1, T("md5(CAST($1 AS TEXT))", "mimir_md5($1)", "MD5($1)"), NULL},
    /* SHA1 needs pgcrypto on PostgreSQL, which Mimir does not assume; CRC32 has no
     * PostgreSQL function. */
    {"sha1", 1, 1, T(NULL, "mimir_sha1($1)", "SHA1($1)"), NULL},
    {"sha", 1, 1, T(NULL, "mimir_sha1($1)", "SHA1($1)"), NULL},
    {"sha2", 2, 2, T(NULL, NULL, NULL), print_sha2},
    {"crc32", 1, 1, T(NULL, "mimir_crc32($1)", "CRC32($1)"), NULL},
    {"bit_length", 1, 1,
     T("BIT_LENGTH(CAST($1 AS TEXT))", "(LENGTH(CAST($1 AS BLOB)) * 8)", "BIT_LENGTH($1)"), NULL},
    /* ORD(s): the first character's UTF-8 bytes as one number (ASCII's for one byte). */
    {"ord", 1, 1,
     T("(CASE WHEN CAST($1 AS TEXT) IS NULL THEN NULL ELSE COALESCE((SELECT CAST(SUM(get_byte(b, "
       "i) * power(256::numeric, length(b) - 1 - i)) AS BIGINT) FROM (SELECT "
       "convert_to(substr(CAST($1 AS TEXT), 1, 1), 'UTF8') AS b) AS mimir_ord, "
       "generate_series(0, length(b) - 1) AS i), 0) END)",
       "mimir_ord($1)", "ORD($1)"),
     NULL},
    {NULL, 0, 0, {NULL, NULL, NULL}, NULL},
};
