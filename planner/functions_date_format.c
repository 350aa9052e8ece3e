/*
 * DATE_FORMAT codes that neither PostgreSQL's to_char nor SQLite's strftime
 * has: the week numbers %U %u %V %v and week years %X %x of MySQL's WEEK
 * modes 0-3 (computed as WEEK() and YEARWEEK() are, planner/functions.c),
 * %w (day of the week, 0 = Sunday) on PostgreSQL and %D (1st, 2nd, 3rd,
 * 4th ...) on SQLite. A format holding one prints as a concatenation: runs of
 * ordinary codes and text through to_char/strftime, these as expressions.
 */
#include <string.h>

#include "planner/functions_internal.h"

static bool computed_code(char c, sql_dialect d)
{
    switch (c) {
    case 'U':
    case 'u':
    case 'V':
    case 'v':
    case 'X':
    case 'x':
        return true;
    case 'w':
        return d == DIALECT_POSTGRES;
    case 'D':
        return d == DIALECT_SQLITE;
    default:
        return false;
    }
}

bool fn_date_format_has_computed(const char *fmt, sql_dialect d)
{
    for (const char *f = fmt; *f; f++) {
        if (*f != '%' || !f[1])
            continue;
        f++;
        if (computed_code(*f, d))
            return true;
    }
    return false;
}

/* A run of ordinary codes and text: to_char(d, pattern) or strftime(pattern, d). */
static bool print_run(print_ctx *pc, const char *run)
{
    char bad = 0;
    char *translated = fn_translate_format(pc->b->a, run, pc->b->dialect, &bad);
    if (!translated) {
        sql_error_set(pc->err, ER_NOT_SUPPORTED_YET, "42000",
                      "DATE_FORMAT(): the format code '%%%c' has no %s equivalent yet", bad,
                      fn_dialect_name(pc->b->dialect));
        return false;
    }
    if (pc->b->dialect == DIALECT_POSTGRES) {
        if (!fn_expand(pc, "to_char(CAST($1 AS TIMESTAMP), "))
            return false;
        sb_param(pc->b, PARAM_TEXT, translated);
        sb_str(pc->b, ")");
        return true;
    }
    sb_str(pc->b, "strftime(");
    sb_param(pc->b, PARAM_TEXT, translated);
    return fn_expand(pc, ", $1)");
}

/* WEEK(d, mode) or YEARWEEK(d, mode), printed by their own translations. */
static bool print_week_call(print_ctx *pc, const char *name, const char *mode)
{
    expr lit = {0};
    lit.kind = EX_LITERAL;
    lit.lit = LIT_INT;
    lit.text = mode;
    lit.text_len = 1;
    expr *args[2] = {pc->call->args[0], &lit};
    expr call = *pc->call;
    call.text = name;
    call.args = args;
    call.nargs = 2;
    return sb_function(pc->b, &call, pc->resolve, pc->ctx, pc->err);
}

/* %U %u %V %v: the week (modes 0, 1, 2, 3) in two digits; %X %x: the year of the week
 * (modes 2, 3) in four. */
static bool print_week_code(print_ctx *pc, char code)
{
    bool year = code == 'X' || code == 'x';
    const char *mode = code == 'U'                  ? "0"
                       : code == 'u'                ? "1"
                       : code == 'V' || code == 'X' ? "2"
                                                    : "3";
    bool pg = pc->b->dialect == DIALECT_POSTGRES;
    if (year)
        sb_str(pc->b, pg ? "lpad(CAST((" : "printf('%04d', (");
    else
        sb_str(pc->b, pg ? "lpad(CAST(" : "printf('%02d', ");
    if (!print_week_call(pc, year ? "yearweek" : "week", mode))
        return false;
    if (year)
        sb_str(pc->b, pg ? ") / 100 AS TEXT), 4, '0')" : ") / 100)");
    else
        sb_str(pc->b, pg ? " AS TEXT), 2, '0')" : ")");
    return true;
}

static bool print_computed(print_ctx *pc, char code)
{
    if (code == 'w') /* PostgreSQL: 0 = Sunday, as EXTRACT(DOW) */
        return fn_expand(pc,
                         "CAST(CAST(EXTRACT(DOW FROM CAST($1 AS TIMESTAMP)) AS INTEGER) AS TEXT)");
    if (code == 'D') /* SQLite: the day and its English suffix (11th, 12th, 13th) */
        return fn_expand(
            pc, "(CAST(CAST(strftime('%d', $1) AS INTEGER) AS TEXT) || CASE WHEN "
                "CAST(strftime('%d', $1) AS INTEGER) IN (11, 12, 13) THEN 'th' WHEN "
                "CAST(strftime('%d', $1) AS INTEGER) % 10 = 1 THEN 'st' WHEN CAST(strftime('%d', "
                "$1) AS INTEGER) % 10 = 2 THEN 'nd' WHEN CAST(strftime('%d', $1) AS INTEGER) % 10 "
                "= 3 THEN 'rd' ELSE 'th' END)");
    return print_week_code(pc, code);
}

bool fn_print_date_format_pieces(print_ctx *pc, const char *fmt)
{
    buf run;
    buf_init(&run);
    bool ok = true, first = true;
    sb_str(pc->b, "(");
    for (const char *f = fmt; ok && *f; f++) {
        bool computed = *f == '%' && f[1] && computed_code(f[1], pc->b->dialect);
        if (!computed) {
            if (*f == '%' && f[1])
                buf_append_byte(&run, (uint8_t)*f++);
            buf_append_byte(&run, (uint8_t)*f);
            continue;
        }
        if (run.len) {
            if (!first)
                sb_str(pc->b, " || ");
            ok = print_run(pc, buf_cstr(&run));
            run.len = 0;
            first = false;
        }
        if (!first)
            sb_str(pc->b, " || ");
        ok = ok && print_computed(pc, *++f);
        first = false;
    }
    if (ok && run.len) {
        sb_str(pc->b, " || ");
        ok = print_run(pc, buf_cstr(&run));
    }
    buf_free(&run);
    sb_str(pc->b, ")");
    return ok;
}
