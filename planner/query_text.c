/*
 * query_request_sql: the SELECT a `mimir query` command line stands for. See
 * query_text.h.
 */
#include "planner/query_text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "planner/inquiry.h"
#include "planner/parser_internal.h"
#include "wire/buf.h"

static bool fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

/* `name`, with backquotes doubled: any metric or dimension name can be asked for. */
static void append_ident(buf *b, const char *name)
{
    buf_append_byte(b, '`');
    for (const char *c = name; *c; c++) {
        if (*c == '`')
            buf_append_byte(b, '`');
        buf_append_byte(b, (uint8_t)*c);
    }
    buf_append_byte(b, '`');
}

const char *query_quoted_name(arena *a, const char *name)
{
    buf b;
    buf_init(&b);
    append_ident(&b, name);
    const char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
}

/* The granularities (the prototype's TIME, DATE, MONTH and YEAR, and those
 * added since) and the time grain columns they select. */
static const char *const prototype_grains[][2] = {{"TIME", "ts"},          {"SECOND", "ts_second"},
                                                  {"MINUTE", "ts_minute"}, {"HOUR", "ts_hour"},
                                                  {"DATE", "ds"},          {"DAY", "ds"},
                                                  {"WEEK", "week"},        {"MONTH", "year_month"},
                                                  {"QUARTER", "quarter"},  {"YEAR", "year"}};

static const char *grain_column(const char *granularity)
{
    for (size_t i = 0; i < sizeof prototype_grains / sizeof *prototype_grains; i++)
        if (strcasecmp(granularity, prototype_grains[i][0]) == 0)
            return prototype_grains[i][1];
    time_grain g;
    const char *canonical;
    return time_grain_of(granularity, &g, &canonical) ? canonical : NULL;
}

/* YYYY-MM-DD with a month and day that can exist. */
static bool is_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/*
 * Parses text as exactly one expression with the planner's own parser. When
 * allow_direction is set, a trailing ASC or DESC is accepted too (ORDER BY).
 */
static bool one_expression(arena *a, const char *option, const char *text, bool allow_direction,
                           char *err, size_t errlen)
{
    parse_error pe;
    memset(&pe, 0, sizeof pe);
    parser p = {.a = a, .sql = text, .sql_len = strlen(text), .err = &pe};
    lex_sql(a, text, p.sql_len, &p.toks);
    if (ps_cur(&p)->kind == TK_EOF)
        return fail(err, errlen, "%s: empty", option);
    bool ok = ps_cur(&p)->kind != TK_ERROR && ps_expr(&p) != NULL;
    if (ok && allow_direction && !ps_accept_word(&p, "asc"))
        ps_accept_word(&p, "desc");
    if (ok && ps_cur(&p)->kind != TK_EOF)
        ok = ps_fail(&p, NULL);
    if (ok)
        return true;
    if (ps_cur(&p)->kind == TK_ERROR)
        return fail(err, errlen, "%s '%s': %s", option, text, ps_cur(&p)->text);
    const char *near = pe.near ? pe.near : "";
    if (*near == '\0')
        return fail(err, errlen, "%s '%s' is not %s: it ends too early", option, text,
                    allow_direction ? "an expression with an optional ASC or DESC"
                                    : "one condition");
    return fail(err, errlen, "%s '%s' is not %s: syntax error near '%.80s'%s%s", option, text,
                allow_direction ? "an expression with an optional ASC or DESC" : "one condition",
                near, pe.detail ? ": " : "", pe.detail ? pe.detail : "");
}

/* How the request's parts are named to whoever sent it: options, or JSON fields. */
enum { L_METRIC, L_DIMENSION, L_GRAIN, L_START, L_END, L_FILTER, L_ORDER };
static const char *label(const query_request *r, int part)
{
    static const char *const options[] = {"-m",         "-d", "-g", "--start-date",
                                          "--end-date", "-f", "-o"};
    static const char *const fields[] = {"metrics",  "dimensions", "granularity", "start_date",
                                         "end_date", "filters",    "order_by"};
    return r->json_names ? fields[part] : options[part];
}

static bool check_request(arena *a, const query_request *r, char *err, size_t errlen)
{
    if (r->nmetrics == 0)
        return fail(err, errlen, "ask for at least one metric %s",
                    r->json_names ? "in 'metrics'" : "with -m METRIC");
    for (size_t i = 0; i < r->nmetrics; i++)
        if (!*r->metrics[i])
            return fail(err, errlen, "%s: empty metric name", label(r, L_METRIC));
    for (size_t i = 0; i < r->ndimensions; i++)
        if (!*r->dimensions[i])
            return fail(err, errlen, "%s: empty dimension name", label(r, L_DIMENSION));
    if (r->granularity && !grain_column(r->granularity))
        return fail(err, errlen,
                    "%s: unknown granularity '%s' (TIME, SECOND, MINUTE, HOUR, DAY or DATE, "
                    "WEEK, MONTH, QUARTER or YEAR, or a time grain column such as ts, ds, "
                    "week, year_month or year)",
                    label(r, L_GRAIN), r->granularity);
    if (r->start_date && !is_date(r->start_date))
        return fail(err, errlen, "%s: '%s' is not a date (YYYY-MM-DD)", label(r, L_START),
                    r->start_date);
    if (r->end_date && !is_date(r->end_date))
        return fail(err, errlen, "%s: '%s' is not a date (YYYY-MM-DD)", label(r, L_END),
                    r->end_date);
    if (r->start_date && r->end_date && strcmp(r->start_date, r->end_date) > 0)
        return fail(err, errlen, "%s %s is after %s %s", label(r, L_START), r->start_date,
                    label(r, L_END), r->end_date);
    for (size_t i = 0; i < r->nfilters; i++)
        if (!one_expression(a, label(r, L_FILTER), r->filters[i], false, err, errlen))
            return false;
    for (size_t i = 0; i < r->norder; i++)
        if (!one_expression(a, label(r, L_ORDER), r->order[i], true, err, errlen))
            return false;
    return true;
}

/* The grouping columns: the dimensions, then the time grain. */
static size_t append_groups(buf *b, const query_request *r, const char *grain)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ndimensions; i++) {
        buf_append_str(b, n++ ? ", " : "");
        append_ident(b, r->dimensions[i]);
    }
    if (grain) {
        buf_append_str(b, n++ ? ", " : "");
        append_ident(b, grain);
    }
    return n;
}

/*
 * A filter or order item as written, checked to be one expression. A line
 * comment in it ("x = 1 -- why") must end before the text that follows it
 * in the statement, so such text ends with a newline.
 */
static void append_item(buf *b, const char *text)
{
    buf_append_str(b, text);
    if (strstr(text, "--") || strchr(text, '#'))
        buf_append_byte(b, '\n');
}

static void append_where(buf *b, const query_request *r)
{
    const char *sep = " WHERE ";
    if (r->start_date) {
        buf_printf(b, "%s`ds` >= '%s'", sep, r->start_date);
        sep = " AND ";
    }
    if (r->end_date) {
        buf_printf(b, "%s`ds` <= '%s'", sep, r->end_date);
        sep = " AND ";
    }
    for (size_t i = 0; i < r->nfilters; i++) {
        buf_printf(b, "%s(", sep);
        append_item(b, r->filters[i]);
        buf_append_byte(b, ')');
        sep = " AND ";
    }
}

const char *query_request_sql(arena *a, const query_request *r, char *err, size_t errlen)
{
    if (!check_request(a, r, err, errlen))
        return NULL;
    const char *grain = r->granularity ? grain_column(r->granularity) : NULL;
    buf b;
    buf_init(&b);
    buf_append_str(&b, "SELECT ");
    size_t ngroups = append_groups(&b, r, grain);
    for (size_t i = 0; i < r->nmetrics; i++) {
        /* Aliased: the prototype's output names a metric's column by the metric. */
        buf_append_str(&b, i || ngroups ? ", AGG(" : "AGG(");
        append_ident(&b, r->metrics[i]);
        buf_append_str(&b, ") AS ");
        append_ident(&b, r->metrics[i]);
    }
    buf_append_str(&b, " FROM mimir.metrics");
    append_where(&b, r);
    if (ngroups) {
        buf_append_str(&b, " GROUP BY ");
        append_groups(&b, r, grain);
    }
    /* Without -o, rows come in the order of the groups: the same every run. */
    if (r->norder) {
        buf_append_str(&b, " ORDER BY ");
        for (size_t i = 0; i < r->norder; i++) {
            buf_append_str(&b, i ? ", " : "");
            append_item(&b, r->order[i]);
        }
    } else if (ngroups) {
        buf_append_str(&b, " ORDER BY ");
        append_groups(&b, r, grain);
    }
    if (r->limit >= 0)
        buf_printf(&b, " LIMIT %lld", r->limit);
    const char *sql = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return sql;
}
