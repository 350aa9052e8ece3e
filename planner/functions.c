#include "planner/functions.h"

#include "planner/inquiry.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "planner/functions_internal.h"
#include "planner/time_zone.h"

bool fn_expand(print_ctx *pc, const char *tmpl)
{
    for (const char *t = tmpl; *t; t++) {
        if (*t != '$') {
            buf_append_byte(&pc->b->out, (uint8_t)*t);
            continue;
        }
        t++;
        if (*t == '*') {
            for (size_t i = 0; i < pc->call->nargs; i++) {
                if (i)
                    sb_str(pc->b, ", ");
                if (!sb_expr(pc->b, pc->call->args[i], pc->resolve, pc->ctx, pc->err))
                    return false;
            }
        } else {
            size_t i = (size_t)(*t - '1');
            if (!sb_expr(pc->b, pc->call->args[i], pc->resolve, pc->ctx, pc->err))
                return false;
        }
    }
    return true;
}

bool fn_print(print_ctx *pc, const expr *e)
{
    return sb_expr(pc->b, e, pc->resolve, pc->ctx, pc->err);
}

bool fn_unsupported(print_ctx *pc, const char *why)
{
    sql_error_set(pc->err, ER_NOT_SUPPORTED_YET, "42000",
                  "This version of Mimir doesn't yet support %s()%s%s", pc->call->text,
                  why ? ": " : "", why ? why : "");
    return false;
}

const char *fn_dialect_name(sql_dialect d)
{
    return d == DIALECT_POSTGRES ? "PostgreSQL" : d == DIALECT_SQLITE ? "SQLite" : "MySQL";
}

/* ---- Arguments that must be fixed words ----------------------------------- */

const expr *fn_string_arg(print_ctx *pc, size_t i, const char *what)
{
    const expr *a = pc->call->args[i];
    if (a->kind != EX_LITERAL || a->lit != LIT_STRING) {
        sql_error_set(pc->err, ER_WRONG_ARGUMENTS, "HY000", "%s(): the %s must be a string literal",
                      pc->call->text, what);
        return NULL;
    }
    return a;
}

/* A unit keyword (parsed from a fixed list, or a plain identifier argument). */
static const char *unit_arg(print_ctx *pc, const expr *a)
{
    static const char *const units[] = {"MICROSECOND", "SECOND", "MINUTE",  "HOUR", "DAY",
                                        "WEEK",        "MONTH",  "QUARTER", "YEAR", NULL};
    const char *text = a->kind == EX_COLUMN && a->nparts == 1 ? a->parts[0]
                       : a->kind == EX_LITERAL                ? a->text
                                                              : NULL;
    for (const char *const *u = units; text && *u; u++)
        if (strcasecmp(text, *u) == 0)
            return *u;
    sql_error_set(pc->err, ER_WRONG_ARGUMENTS, "HY000", "%s(): unknown time unit", pc->call->text);
    return NULL;
}

/* ---- DATE_FORMAT ------------------------------------------------------------ */

/* MySQL format codes in PostgreSQL's to_char and SQLite's strftime. */
typedef struct format_code {
    char code;
    const char *pg;
    const char *sqlite;
} format_code;

static const format_code format_codes[] = {
    {'Y', "YYYY", "%Y"},
    {'y', "YY", NULL},
    {'m', "MM", "%m"},
    {'c', "FMMM", NULL},
    {'d', "DD", "%d"},
    {'e', "FMDD", NULL},
    {'H', "HH24", "%H"},
    {'k', "FMHH24", NULL},
    {'h', "HH12", NULL},
    {'I', "HH12", NULL},
    {'i', "MI", "%M"},
    {'s', "SS", "%S"},
    {'S', "SS", "%S"},
    {'f', "US", NULL},
    {'p', "AM", NULL},
    {'M', "FMMonth", NULL},
    {'b', "Mon", NULL},
    {'W', "FMDay", NULL},
    {'a', "Dy", NULL},
    {'j', "DDD", "%j"},
    {'T', "HH24:MI:SS", "%H:%M:%S"},
    {'%', "%", "%%"},
    /* %D is PostgreSQL's ordinal day; %w is SQLite's day of week; the other dialect, and
     * the week codes %U %u %V %v %X %x, compute them (planner/functions_date_format.c). */
    {'D', "FMDDth", NULL},
    {'w', NULL, "%w"},
    {'l', "FMHH12", NULL},
    {'r', "HH12:MI:SS AM", NULL},
    {0, NULL, NULL}};

/* Translates a MySQL date format into the dialect's; NULL when a code has no equivalent. */
char *fn_translate_format(arena *a, const char *fmt, sql_dialect d, char *bad)
{
    buf out;
    buf_init(&out);
    bool pg_quoted = false; /* inside a "..." literal run of a to_char pattern */
    for (const char *f = fmt; *f; f++) {
        if (*f == '%' && f[1]) {
            f++;
            const format_code *c = format_codes;
            while (c->code && c->code != *f)
                c++;
            const char *rep = !c->code ? NULL : d == DIALECT_POSTGRES ? c->pg : c->sqlite;
            if (!rep) {
                *bad = *f;
                buf_free(&out);
                return NULL;
            }
            if (pg_quoted) {
                buf_append_byte(&out, '"');
                pg_quoted = false;
            }
            buf_append_str(&out, rep);
            continue;
        }
        if (d == DIALECT_POSTGRES) {
            /* Literal text is quoted so to_char does not read it as a pattern. */
            if (!pg_quoted) {
                buf_append_byte(&out, '"');
                pg_quoted = true;
            }
            if (*f == '"' || *f == '\\')
                buf_append_byte(&out, '\\');
            buf_append_byte(&out, (uint8_t)*f);
        } else {
            if (*f == '%')
                buf_append_byte(&out, '%');
            buf_append_byte(&out, (uint8_t)*f);
        }
    }
    if (pg_quoted)
        buf_append_byte(&out, '"');
    char *s = arena_strdup(a, buf_cstr(&out));
    buf_free(&out);
    return s;
}

static bool print_date_format(print_ctx *pc)
{
    const expr *fmt = fn_string_arg(pc, 1, "format");
    if (!fmt)
        return false;
    if (pc->b->dialect == DIALECT_MYSQL)
        return fn_expand(pc, "DATE_FORMAT($1, $2)");
    bool computed = fn_date_format_has_computed(fmt->text, pc->b->dialect);
    char bad = 0;
    char *translated = fn_translate_format(pc->b->a, fmt->text, pc->b->dialect, &bad);
    /* SQLite: a format beyond strftime's codes (%M %W %f %U %X %w ...) is Mimir's own
     * DATE_FORMAT, registered on every SQLite database it opens
     * (proxy/backend/sqlite_time_functions.h), exact to the microsecond. */
    if ((computed || !translated) && pc->b->dialect == DIALECT_SQLITE)
        return fn_expand(pc, "mimir_date_format($1, $2)");
    if (computed)
        return fn_print_date_format_pieces(pc, fmt->text);
    if (!translated) {
        sql_error_set(pc->err, ER_NOT_SUPPORTED_YET, "42000",
                      "DATE_FORMAT(): the format code '%%%c' has no %s equivalent yet", bad,
                      fn_dialect_name(pc->b->dialect));
        return false;
    }
    if (pc->b->dialect == DIALECT_POSTGRES) {
        sb_str(pc->b, "to_char(CAST(");
        if (!sb_expr(pc->b, pc->call->args[0], pc->resolve, pc->ctx, pc->err))
            return false;
        sb_str(pc->b, " AS TIMESTAMP), ");
    } else {
        sb_str(pc->b, "strftime(");
    }
    sb_param(pc->b, PARAM_TEXT, translated);
    if (pc->b->dialect == DIALECT_SQLITE) {
        sb_str(pc->b, ", ");
        if (!sb_expr(pc->b, pc->call->args[0], pc->resolve, pc->ctx, pc->err))
            return false;
    }
    sb_str(pc->b, ")");
    return true;
}

/* ---- Date arithmetic ---------------------------------------------------------- */

/* SQLite date modifiers per unit, and how many of them one unit is. */
static bool sqlite_unit(const char *unit, const char **modifier, int *factor)
{
    static const struct {
        const char *unit, *modifier;
        int factor;
    } map[] = {{"SECOND", "seconds", 1}, {"MINUTE", "minutes", 1}, {"HOUR", "hours", 1},
               {"DAY", "days", 1},       {"WEEK", "days", 7},      {"MONTH", "months", 1},
               {"QUARTER", "months", 3}, {"YEAR", "years", 1},     {NULL, NULL, 0}};
    for (size_t i = 0; map[i].unit; i++) {
        if (strcmp(map[i].unit, unit) == 0) {
            *modifier = map[i].modifier;
            *factor = map[i].factor;
            return true;
        }
    }
    return false;
}

static bool sb_date_add_postgres(sql_builder *b, const expr *date, const expr *interval,
                                 bool subtract, sb_column_resolver resolve, void *ctx,
                                 sql_error *err)
{
    const char *unit = interval->text;
    sb_str(b, "(CAST(");
    if (!sb_expr(b, date, resolve, ctx, err))
        return false;
    sb_str(b, subtract ? " AS TIMESTAMP) - (" : " AS TIMESTAMP) + (");
    if (!sb_expr(b, interval->left, resolve, ctx, err))
        return false;
    if (strcmp(unit, "QUARTER") == 0)
        sb_str(b, ") * INTERVAL '3 months')");
    else
        buf_printf(&b->out, ") * INTERVAL '1 %s')", unit);
    return true;
}

static bool whole_days(const char *unit)
{
    return strcmp(unit, "DAY") == 0 || strcmp(unit, "WEEK") == 0 || strcmp(unit, "MONTH") == 0 ||
           strcmp(unit, "QUARTER") == 0 || strcmp(unit, "YEAR") == 0;
}

/*
 * Is e a DATE by MySQL's type rules, whatever the backend: the day, week, month,
 * quarter and fiscal grains, a function that returns a DATE, CAST(... AS DATE), or
 * such a DATE plus or minus whole days, months or years (which MySQL keeps a
 * DATE)? Other columns are not known here: they print as the backend's value.
 */
static bool is_date_valued(const expr *e)
{
    static const char *const date_functions[] = {"makedate", "from_days",    "last_day", "date",
                                                 "curdate",  "current_date", "utc_date", NULL};
    time_grain g;
    const char *canon;
    if (e->kind == EX_COLUMN)
        return time_grain_of(e->parts[e->nparts - 1], &g, &canon) &&
               (g == GRAIN_DATE || g == GRAIN_MONTH || g == GRAIN_WEEK || g == GRAIN_QUARTER ||
                g == GRAIN_FISCAL_YEAR || g == GRAIN_FISCAL_QUARTER);
    if (e->kind == EX_BINARY && (e->op == OP_ADD || e->op == OP_SUB) &&
        e->right->kind == EX_INTERVAL)
        return whole_days(e->right->text) && is_date_valued(e->left);
    if (e->kind != EX_FUNC)
        return false;
    for (const char *const *f = date_functions; *f; f++)
        if (strcasecmp(e->text, *f) == 0)
            return true;
    int decimals;
    if (strcasecmp(e->text, "str_to_date") == 0 && e->nargs == 2 &&
        e->args[1]->kind == EX_LITERAL && e->args[1]->lit == LIT_STRING &&
        str_to_date_type(e->args[1]->text, &decimals) == VT_DATE)
        return true;
    if ((strcasecmp(e->text, "cast") == 0 || strcasecmp(e->text, "convert") == 0) &&
        e->nargs == 2 && e->args[1]->text && strcasecmp(e->args[1]->text, "date") == 0)
        return true;
    bool add = strcasecmp(e->text, "date_add") == 0 || strcasecmp(e->text, "date_sub") == 0 ||
               strcasecmp(e->text, "adddate") == 0 || strcasecmp(e->text, "subdate") == 0;
    return add && e->nargs == 2 && sb_date_add_keeps_date(e->args[0], e->args[1]);
}

bool sb_is_temporal(const expr *e)
{
    static const char *const datetime_functions[] = {
        "timestamp",  "now",      "current_timestamp", "localtimestamp",
        "localtime",  "sysdate",  "utc_timestamp",     "timestampadd",
        "convert_tz", "date_add", "date_sub",          "adddate",
        "subdate",    NULL};
    time_grain g;
    const char *canon;
    if (is_date_valued(e))
        return true;
    if (e->kind == EX_COLUMN)
        return time_grain_of(e->parts[e->nparts - 1], &g, &canon) && g != GRAIN_YEAR;
    if (e->kind == EX_BINARY && (e->op == OP_ADD || e->op == OP_SUB) &&
        e->right->kind == EX_INTERVAL)
        return sb_is_temporal(e->left);
    if (e->kind != EX_FUNC)
        return false;
    int decimals;
    if (strcasecmp(e->text, "str_to_date") == 0)
        return e->nargs == 2 && e->args[1]->kind == EX_LITERAL && e->args[1]->lit == LIT_STRING &&
               str_to_date_type(e->args[1]->text, &decimals) != VT_TIME;
    if (strcasecmp(e->text, "from_unixtime") == 0)
        return e->nargs == 1; /* with a format it is a string */
    if ((strcasecmp(e->text, "cast") == 0 || strcasecmp(e->text, "convert") == 0) &&
        e->nargs == 2 && e->args[1]->text)
        return strcasecmp(e->args[1]->text, "datetime") == 0 ||
               strcasecmp(e->args[1]->text, "timestamp") == 0;
    for (const char *const *f = datetime_functions; *f; f++)
        if (strcasecmp(e->text, *f) == 0)
            return true;
    return false;
}

bool sb_date_add_keeps_date(const expr *date, const expr *interval)
{
    if (interval->kind != EX_INTERVAL) /* ADDDATE(d, n): days */
        return is_date_valued(date);
    return whole_days(interval->text) && is_date_valued(date);
}

bool sb_date_add(sql_builder *b, const expr *date, const expr *interval, bool subtract,
                 sb_column_resolver resolve, void *ctx, sql_error *err)
{
    const char *unit = interval->text;
    /* MySQL: a DATE plus whole days, months or years is a DATE, not a DATETIME. */
    bool keeps_date = sb_date_add_keeps_date(date, interval);
    switch (b->dialect) {
    case DIALECT_POSTGRES:
        if (keeps_date) {
            sb_str(b, "CAST(");
            if (!sb_date_add_postgres(b, date, interval, subtract, resolve, ctx, err))
                return false;
            sb_str(b, " AS DATE)");
            return true;
        }
        return sb_date_add_postgres(b, date, interval, subtract, resolve, ctx, err);
    case DIALECT_SQLITE: {
        const char *modifier;
        int factor;
        if (!sqlite_unit(unit, &modifier, &factor)) {
            sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                          "date arithmetic in %s on SQLite is not supported", unit);
            return false;
        }
        /* strftime(...%f) first: SQLite's modifiers work on a julian day rounded to
         * milliseconds, so 23:59:59.9999 would move to the next day. */
        sb_str(b, keeps_date ? "date(strftime('%Y-%m-%d %H:%M:%f', "
                             : "datetime(strftime('%Y-%m-%d %H:%M:%f', ");
        /* A string is read as MySQL reads a DATETIME ('2022-4-01' too), which SQLite's
         * ISO-only functions do not (mimir_datetime: proxy/backend/sqlite_functions.h). */
        bool text = !sb_is_temporal(date);
        sb_str(b, text ? "mimir_datetime(" : "");
        if (!sb_expr(b, date, resolve, ctx, err))
            return false;
        sb_str(b, text ? ")" : "");
        buf_printf(&b->out, "), printf('%%+d %s', %s(", modifier, subtract ? "-" : "");
        if (!sb_expr(b, interval->left, resolve, ctx, err))
            return false;
        buf_printf(&b->out, ") * %d))", factor);
        return true;
    }
    case DIALECT_MYSQL:
        sb_str(b, subtract ? "DATE_SUB(" : "DATE_ADD(");
        if (!sb_expr(b, date, resolve, ctx, err))
            return false;
        sb_str(b, ", INTERVAL (");
        if (!sb_expr(b, interval->left, resolve, ctx, err))
            return false;
        buf_printf(&b->out, ") %s)", unit);
        return true;
    }
    return false;
}

/* DATE_ADD(d, INTERVAL ...), DATE_SUB, ADDDATE(d, INTERVAL ... | days), SUBDATE. */
static bool print_date_add(print_ctx *pc)
{
    bool subtract =
        strcasecmp(pc->call->text, "date_sub") == 0 || strcasecmp(pc->call->text, "subdate") == 0;
    const expr *iv = pc->call->args[1];
    if (iv->kind != EX_INTERVAL) {
        /* ADDDATE(d, n) adds days. */
        expr *days = arena_alloc(pc->b->a, sizeof(*days));
        days->kind = EX_INTERVAL;
        days->left = (expr *)iv;
        days->text = "DAY";
        iv = days;
    }
    return sb_date_add(pc->b, pc->call->args[0], iv, subtract, pc->resolve, pc->ctx, pc->err);
}

/* TIMESTAMPADD(unit, n, d). */
static bool print_timestampadd(print_ctx *pc)
{
    const char *unit = unit_arg(pc, pc->call->args[0]);
    if (!unit)
        return false;
    expr *iv = arena_alloc(pc->b->a, sizeof(*iv));
    iv->kind = EX_INTERVAL;
    iv->left = pc->call->args[1];
    iv->text = unit;
    return sb_date_add(pc->b, pc->call->args[2], iv, false, pc->resolve, pc->ctx, pc->err);
}

/* TIMESTAMPDIFF(unit, a, b): whole units from a to b, truncated toward zero. */
static bool print_timestampdiff(print_ctx *pc)
{
    const char *unit = unit_arg(pc, pc->call->args[0]);
    if (!unit)
        return false;
    static const struct {
        const char *unit;
        int seconds;
    } fixed[] = {{"SECOND", 1},  {"MINUTE", 60},   {"HOUR", 3600},
                 {"DAY", 86400}, {"WEEK", 604800}, {NULL, 0}};
    int seconds = 0;
    for (size_t i = 0; fixed[i].unit; i++)
        if (strcmp(fixed[i].unit, unit) == 0)
            seconds = fixed[i].seconds;
    sql_dialect d = pc->b->dialect;
    if (d == DIALECT_MYSQL) {
        buf_printf(&pc->b->out, "TIMESTAMPDIFF(%s, ", unit);
        return fn_expand(pc, "$2, $3)");
    }
    if (seconds && d == DIALECT_POSTGRES) {
        buf_printf(&pc->b->out, "CAST(TRUNC(EXTRACT(EPOCH FROM (CAST(");
        if (!fn_expand(pc, "$3 AS TIMESTAMP) - CAST($2 AS TIMESTAMP)))"))
            return false;
        buf_printf(&pc->b->out, " / %d) AS BIGINT)", seconds);
        return true;
    }
    if (seconds && d == DIALECT_SQLITE) {
        /* Whole epoch seconds, not julianday(): its floating point loses single seconds.
         * SQLite's integer division truncates toward zero, as MySQL does here. */
        if (!fn_expand(pc, "((CAST(strftime('%s', $3) AS INTEGER) - "
                           "CAST(strftime('%s', $2) AS INTEGER))"))
            return false;
        buf_printf(&pc->b->out, " / %d)", seconds);
        return true;
    }
    if (d == DIALECT_POSTGRES) {
        int months = strcmp(unit, "YEAR") == 0 ? 12 : strcmp(unit, "QUARTER") == 0 ? 3 : 1;
        if (strcmp(unit, "MICROSECOND") == 0)
            return fn_unsupported(pc, "MICROSECOND");
        sb_str(pc->b, "CAST(TRUNC((EXTRACT(YEAR FROM age(CAST(");
        if (!fn_expand(pc, "$3 AS TIMESTAMP), CAST($2 AS TIMESTAMP))) * 12 + EXTRACT(MONTH FROM "
                           "age(CAST($3 AS TIMESTAMP), CAST($2 AS TIMESTAMP))))"))
            return false;
        buf_printf(&pc->b->out, " / %d) AS BIGINT)", months);
        return true;
    }
    return fn_unsupported(pc, "this unit is not available on SQLite sources");
}

/* EXTRACT(unit FROM d) and YEAR(d), MONTH(d), ...: one integer part of a date. */
static bool print_date_part(print_ctx *pc, const char *unit, const expr *arg)
{
    static const struct {
        const char *unit, *strftime;
    } sqlite_parts[] = {{"YEAR", "%Y"},   {"MONTH", "%m"},  {"DAY", "%d"}, {"HOUR", "%H"},
                        {"MINUTE", "%M"}, {"SECOND", "%S"}, {NULL, NULL}};
    sql_builder *b = pc->b;
    if (b->dialect == DIALECT_POSTGRES) {
        /* PostgreSQL's SECOND has the fraction (48.86) and its MICROSECONDS the seconds
         * too; MySQL's SECOND truncates (48) and MICROSECOND is the fraction alone. A
         * cast to INTEGER would round 48.86 to 49. */
        bool micro = strcmp(unit, "MICROSECOND") == 0;
        bool floor = micro || strcmp(unit, "SECOND") == 0;
        buf_printf(&b->out, "%sCAST(%sEXTRACT(%s FROM CAST(", micro ? "(" : "",
                   floor ? "FLOOR(" : "", micro ? "MICROSECONDS" : unit);
        if (!sb_expr(b, arg, pc->resolve, pc->ctx, pc->err))
            return false;
        sb_str(b, floor ? " AS TIMESTAMP))) AS INTEGER)" : " AS TIMESTAMP)) AS INTEGER)");
        if (micro)
            sb_str(b, " % 1000000)");
        return true;
    }
    if (b->dialect == DIALECT_MYSQL) {
        buf_printf(&b->out, "EXTRACT(%s FROM ", unit);
        if (!sb_expr(b, arg, pc->resolve, pc->ctx, pc->err))
            return false;
        sb_str(b, ")");
        return true;
    }
    if (strcmp(unit, "MICROSECOND") == 0) {
        /* SQLite's own functions keep milliseconds: the digits are read from the text. */
        print_ctx sub = *pc;
        expr one = *pc->call;
        expr *args[1] = {(expr *)arg};
        one.args = args;
        one.nargs = 1;
        sub.call = &one;
        return fn_expand(&sub,
                         "(CASE WHEN $1 IS NULL THEN NULL WHEN substr($1, 20, 1) = '.' THEN "
                         "CAST(substr(substr($1, 21) || '000000', 1, 6) AS INTEGER) ELSE 0 END)");
    }
    if (strcmp(unit, "QUARTER") == 0) {
        sb_str(b, "((CAST(strftime('%m', ");
        if (!sb_expr(b, arg, pc->resolve, pc->ctx, pc->err))
            return false;
        sb_str(b, ") AS INTEGER) + 2) / 3)");
        return true;
    }
    for (size_t i = 0; sqlite_parts[i].unit; i++) {
        if (strcmp(sqlite_parts[i].unit, unit) == 0) {
            buf_printf(&b->out, "CAST(strftime('%s', ", sqlite_parts[i].strftime);
            if (!sb_expr(b, arg, pc->resolve, pc->ctx, pc->err))
                return false;
            sb_str(b, ") AS INTEGER)");
            return true;
        }
    }
    return fn_unsupported(pc, "this part is not available on SQLite sources");
}

static bool print_week(print_ctx *pc);

static bool print_extract(print_ctx *pc)
{
    const char *unit = unit_arg(pc, pc->call->args[0]);
    if (unit && strcmp(unit, "WEEK") == 0) {
        /* MySQL's EXTRACT(WEEK ...) is WEEK(d) in mode 0, not PostgreSQL's ISO week. */
        expr week = *pc->call;
        week.args = pc->call->args + 1;
        week.nargs = 1;
        print_ctx sub = *pc;
        sub.call = &week;
        return print_week(&sub);
    }
    return unit && print_date_part(pc, unit, pc->call->args[1]);
}

/* YEAR(d), QUARTER(d), MONTH(d), DAY(d), HOUR(d), MINUTE(d), SECOND(d). */
static bool print_part_function(print_ctx *pc)
{
    const char *name = pc->call->text;
    const char *unit = strcasecmp(name, "dayofmonth") == 0 ? "DAY" : NULL;
    static const char *const units[] = {"YEAR",   "QUARTER", "MONTH",       "DAY", "HOUR",
                                        "MINUTE", "SECOND",  "MICROSECOND", NULL};
    for (const char *const *u = units; !unit && *u; u++)
        if (strcasecmp(name, *u) == 0)
            unit = *u;
    return print_date_part(pc, unit, pc->call->args[0]);
}

/*
 * WEEK(d[, mode]), YEARWEEK(d[, mode]), WEEKOFYEAR(d): MySQL's calc_week in
 * closed form. The mode says which day starts a week (bit 1: Monday) and
 * which week is week 1: the first with that starting day in the year, or the
 * first with more than 3 days in it (ISO's rule). Take the week holding d, its
 * first day s and its anchor a (s itself, or s + 3 for the more-than-3-days
 * rule): the anchor's year owns the week, and its number is
 * (day of year of a - 1) DIV 7 + 1. In the modes numbered 0-53 a week owned by
 * the year before is 0, and a week owned by the next year keeps counting in
 * d's year (53), which is (a - January 1 of d's year) DIV 7 + 1.
 */
typedef struct week_mode {
    bool monday_first, range_1_53, four_days;
} week_mode;

static week_mode week_mode_of(int mode)
{
    int m = mode & 7;
    if (!(m & 1))
        m ^= 4; /* MySQL's week_mode(): bit 4 flips for Sunday-first modes */
    return (week_mode){(m & 1) != 0, (m & 2) != 0, (m & 4) == 0};
}

/* The anchor date a of d's week: d moved back to the week's first day, plus 3 or 0 days. */
static bool print_week_anchor(print_ctx *pc, const expr *d, week_mode w)
{
    print_ctx sub = *pc;
    expr one = *pc->call;
    expr *args[1] = {(expr *)d};
    one.args = args;
    one.nargs = 1;
    sub.call = &one;
    if (pc->b->dialect == DIALECT_POSTGRES) {
        if (!fn_expand(&sub, "(CAST(CAST($1 AS TIMESTAMP) AS DATE) - "))
            return false;
        if (!fn_expand(&sub,
                       w.monday_first
                           ? "(CAST(EXTRACT(ISODOW FROM CAST($1 AS TIMESTAMP)) AS INTEGER) - 1)"
                           : "CAST(EXTRACT(DOW FROM CAST($1 AS TIMESTAMP)) AS INTEGER)"))
            return false;
        sb_str(pc->b, w.four_days ? " + 3)" : ")");
        return true;
    }
    if (!fn_expand(&sub,
                   w.monday_first
                       ? "date(date($1), printf('%+d days', - ((CAST(strftime('%w', date($1)) "
                         "AS INTEGER) + 6) % 7)"
                       : "date(date($1), printf('%+d days', - CAST(strftime('%w', date($1)) "
                         "AS INTEGER)"))
        return false;
    sb_str(pc->b, w.four_days ? " + 3))" : "))");
    return true;
}

/* The week number in the anchor's own year: (day of year of a - 1) DIV 7 + 1. */
static bool print_week_of_anchor(print_ctx *pc, const expr *d, week_mode w)
{
    bool pg = pc->b->dialect == DIALECT_POSTGRES;
    sb_str(pc->b, pg ? "((CAST(EXTRACT(DOY FROM " : "((CAST(strftime('%j', ");
    if (!print_week_anchor(pc, d, w))
        return false;
    sb_str(pc->b, pg ? ") AS INTEGER) - 1) / 7 + 1)" : ") AS INTEGER) - 1) / 7 + 1)");
    return true;
}

/* Days from January 1 of d's year to a (negative when a is in the year before). */
static bool print_anchor_days(print_ctx *pc, const expr *d, week_mode w)
{
    expr one = *pc->call;
    expr *args[1] = {(expr *)d};
    one.args = args;
    one.nargs = 1;
    print_ctx sub = *pc;
    sub.call = &one;
    if (pc->b->dialect == DIALECT_POSTGRES) {
        sb_str(pc->b, "(");
        if (!print_week_anchor(pc, d, w))
            return false;
        return fn_expand(&sub, " - CAST(date_trunc('year', CAST($1 AS TIMESTAMP)) AS DATE))");
    }
    sb_str(pc->b, "CAST(julianday(");
    if (!print_week_anchor(pc, d, w))
        return false;
    return fn_expand(&sub, ") - julianday(date(date($1), 'start of year')) AS INTEGER)");
}

static bool week_mode_arg(print_ctx *pc, size_t i, int *mode)
{
    *mode = 0;
    if (pc->call->nargs <= i)
        return true;
    const expr *m = pc->call->args[i];
    if (m->kind != EX_LITERAL || m->lit != LIT_INT || strlen(m->text) != 1 || m->text[0] < '0' ||
        m->text[0] > '7')
        return fn_unsupported(pc, "the mode must be an integer literal from 0 to 7");
    *mode = m->text[0] - '0';
    return true;
}

static bool print_week_number(print_ctx *pc, const expr *d, int mode)
{
    week_mode w = week_mode_of(mode);
    if (pc->b->dialect == DIALECT_MYSQL) {
        sb_str(pc->b, "WEEK(");
        if (!sb_expr(pc->b, d, pc->resolve, pc->ctx, pc->err))
            return false;
        buf_printf(&pc->b->out, ", %d)", mode);
        return true;
    }
    if (w.range_1_53)
        return print_week_of_anchor(pc, d, w);
    sb_str(pc->b, "(CASE WHEN ");
    if (!print_anchor_days(pc, d, w))
        return false;
    sb_str(pc->b, " < 0 THEN 0 ELSE ");
    if (!print_anchor_days(pc, d, w))
        return false;
    sb_str(pc->b, " / 7 + 1 END)");
    return true;
}

/* WEEK(d[, mode]): the mode spelled out, since the backend's default_week_format may differ. */
static bool print_week(print_ctx *pc)
{
    int mode;
    return week_mode_arg(pc, 1, &mode) && print_week_number(pc, pc->call->args[0], mode);
}

/* WEEKOFYEAR(d) is WEEK(d, 3). */
static bool print_weekofyear(print_ctx *pc)
{
    return print_week_number(pc, pc->call->args[0], 3);
}

/* YEARWEEK(d[, mode]): the owning year * 100 + the week, always in the 1-53 range. */
static bool print_yearweek(print_ctx *pc)
{
    int mode;
    if (!week_mode_arg(pc, 1, &mode))
        return false;
    const expr *d = pc->call->args[0];
    if (pc->b->dialect == DIALECT_MYSQL) {
        sb_str(pc->b, "YEARWEEK(");
        if (!sb_expr(pc->b, d, pc->resolve, pc->ctx, pc->err))
            return false;
        buf_printf(&pc->b->out, ", %d)", mode);
        return true;
    }
    week_mode w = week_mode_of(mode);
    w.range_1_53 = true;
    bool pg = pc->b->dialect == DIALECT_POSTGRES;
    sb_str(pc->b, pg ? "(CAST(EXTRACT(YEAR FROM " : "(CAST(strftime('%Y', ");
    if (!print_week_anchor(pc, d, w))
        return false;
    sb_str(pc->b, ") AS INTEGER) * 100 + ");
    if (!print_week_of_anchor(pc, d, w))
        return false;
    sb_str(pc->b, ")");
    return true;
}

/*
 * BINARY x / CAST(x AS BINARY): what matters is that comparisons become
 * case-sensitive. In SQLite that is the BINARY collation (an explicit COLLATE
 * wins over a column's NOCASE on either side of a comparison); a real cast to
 * BLOB would make 'a' = BINARY 'a' false, since SQLite never finds text equal
 * to a blob.
 */
static bool print_binary_cast(print_ctx *pc)
{
    switch (pc->b->dialect) {
    case DIALECT_SQLITE:
        return fn_expand(pc, "($1 COLLATE BINARY)");
    case DIALECT_MYSQL:
        return fn_expand(pc, "CAST($1 AS BINARY)");
    case DIALECT_POSTGRES:
        break;
    }
    sql_error_set(pc->err, ER_NOT_SUPPORTED_YET, "42000",
                  "This version of Mimir doesn't yet support CAST to 'BINARY' (BINARY x) on %s "
                  "sources",
                  fn_dialect_name(pc->b->dialect));
    return false;
}

/* CAST(x AS type) / CONVERT(x, type): the type from a fixed list, never the client's text. */
/*
 * CAST(x AS SIGNED) on SQLite: MySQL rounds a number to the nearest integer
 * (CAST(2.5 AS SIGNED) is 3, half away from zero, as SQLite's ROUND), where
 * SQLite's CAST truncates it; a string keeps its integer prefix in both.
 */
static bool print_sqlite_cast_integer(print_ctx *pc)
{
    const expr *x = pc->call->args[0];
    if (x->kind == EX_LITERAL && (x->lit == LIT_STRING || x->lit == LIT_INT))
        return fn_expand(pc, "CAST($1 AS INTEGER)"); /* nothing to round */
    return fn_expand(pc,
                     "CAST(CASE WHEN typeof($1) = 'real' THEN ROUND($1) ELSE $1 END AS INTEGER)");
}

static bool print_cast(print_ctx *pc)
{
    const char *type = pc->call->args[1]->text;
    if (sb_is_binary_cast(pc->call))
        return print_binary_cast(pc);
    static const struct {
        const char *prefix;
        const char *pg, *sqlite, *mysql;
    } types[] = {
        {"SIGNED", "BIGINT", "INTEGER", "SIGNED"},
        {"UNSIGNED", "BIGINT", "INTEGER", "UNSIGNED"},
        {"INTEGER", "BIGINT", "INTEGER", "SIGNED"},
        {"INT", "BIGINT", "INTEGER", "SIGNED"},
        {"DECIMAL", "NUMERIC", "NUMERIC", "DECIMAL"},
        {"NUMERIC", "NUMERIC", "NUMERIC", "DECIMAL"},
        {"DOUBLE", "DOUBLE PRECISION", "REAL", "DOUBLE"},
        {"FLOAT", "DOUBLE PRECISION", "REAL", "FLOAT"},
        {"REAL", "DOUBLE PRECISION", "REAL", "DOUBLE"},
        {"CHAR", "TEXT", "TEXT", "CHAR"},
        {"VARCHAR", "TEXT", "TEXT", "CHAR"},
        {"DATETIME", "TIMESTAMP", NULL, "DATETIME"},
        {"TIMESTAMP", "TIMESTAMP", NULL, "DATETIME"},
        {"DATE", "DATE", NULL, "DATE"},
        {"TIME", "TIME", NULL, "TIME"},
        {NULL, NULL, NULL, NULL},
    };
    for (size_t i = 0; types[i].prefix; i++) {
        size_t n = strlen(types[i].prefix);
        if (strncasecmp(type, types[i].prefix, n) != 0 || isalpha((unsigned char)type[n]))
            continue;
        /* DECIMAL(p,s): keep only digits and a comma from the parenthesised part. */
        char precision[32] = "";
        const char *open = strchr(type, '(');
        if (open &&
            (strcmp(types[i].prefix, "DECIMAL") == 0 || strcmp(types[i].prefix, "NUMERIC") == 0)) {
            size_t k = 0;
            precision[k++] = '(';
            for (const char *c = open + 1; *c && *c != ')' && k < sizeof(precision) - 2; c++)
                if (isdigit((unsigned char)*c) || *c == ',')
                    precision[k++] = *c;
            precision[k++] = ')';
            precision[k] = '\0';
        }
        sql_dialect d = pc->b->dialect;
        const char *target = d == DIALECT_POSTGRES ? types[i].pg
                             : d == DIALECT_SQLITE ? types[i].sqlite
                                                   : types[i].mysql;
        if (!target) { /* SQLite has no date types: normalise the text instead */
            const char *fn = strcmp(types[i].prefix, "DATE") == 0   ? "date"
                             : strcmp(types[i].prefix, "TIME") == 0 ? "time"
                                                                    : "datetime";
            buf_printf(&pc->b->out, "%s(", fn);
            if (!sb_expr(pc->b, pc->call->args[0], pc->resolve, pc->ctx, pc->err))
                return false;
            sb_str(pc->b, ")");
            return true;
        }
        if (d == DIALECT_SQLITE && strcmp(target, "INTEGER") == 0)
            return print_sqlite_cast_integer(pc);
        sb_str(pc->b, "CAST(");
        if (!sb_expr(pc->b, pc->call->args[0], pc->resolve, pc->ctx, pc->err))
            return false;
        buf_printf(&pc->b->out, " AS %s%s)", target, d == DIALECT_SQLITE ? "" : precision);
        return true;
    }
    sql_error_set(pc->err, ER_NOT_SUPPORTED_YET, "42000",
                  "This version of Mimir doesn't yet support CAST to '%s'", type);
    return false;
}

/* CONCAT(a, b, ...): NULL if any argument is NULL, as in MySQL. */
static bool print_concat(print_ctx *pc)
{
    if (pc->b->dialect == DIALECT_MYSQL)
        return fn_expand(pc, "CONCAT($*)");
    sb_str(pc->b, "(");
    for (size_t i = 0; i < pc->call->nargs; i++) {
        sb_str(pc->b, i ? " || CAST(" : "CAST(");
        if (!sb_expr(pc->b, pc->call->args[i], pc->resolve, pc->ctx, pc->err))
            return false;
        sb_str(pc->b, " AS TEXT)");
    }
    sb_str(pc->b, ")");
    return true;
}

/*
 * SUBSTRING(s, pos[, len]) as MySQL reads it: a negative pos counts from the
 * end, pos 0 or beyond either end gives '', a length below 1 gives ''.
 * PostgreSQL has substring(text, int, int) only (a BIGINT position fails
 * there) and reads pos <= 0 and negative lengths its own way; SQLite's substr
 * reads pos 0 and negative lengths its own way.
 */
static bool print_substring(print_ctx *pc)
{
    bool len = pc->call->nargs == 3;
    if (pc->b->dialect == DIALECT_MYSQL)
        return fn_expand(pc, len ? "SUBSTRING($1, $2, $3)" : "SUBSTRING($1, $2)");
    if (pc->b->dialect == DIALECT_SQLITE)
        return fn_expand(
            pc, len ? "(CASE WHEN $1 IS NULL OR $2 IS NULL OR $3 IS NULL THEN NULL "
                      "WHEN $2 = 0 OR $3 < 1 OR -($2) > LENGTH($1) THEN '' "
                      "ELSE SUBSTR($1, $2, $3) END)"
                    : "(CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL "
                      "WHEN $2 = 0 OR -($2) > LENGTH($1) THEN '' ELSE SUBSTR($1, $2) END)");
    return fn_expand(
        pc, len ? "(CASE WHEN CAST($1 AS TEXT) IS NULL OR $2 IS NULL OR $3 IS NULL "
                  "THEN NULL WHEN $2 = 0 OR $3 < 1 OR -($2) > CHAR_LENGTH(CAST($1 AS TEXT)) "
                  "THEN '' ELSE SUBSTRING(CAST($1 AS TEXT) FROM CAST(CASE WHEN $2 < 0 "
                  "THEN CHAR_LENGTH(CAST($1 AS TEXT)) + 1 + $2 ELSE $2 END AS INTEGER) "
                  "FOR CAST(LEAST($3, 2147483647) AS INTEGER)) END)"
                : "(CASE WHEN CAST($1 AS TEXT) IS NULL OR $2 IS NULL THEN NULL "
                  "WHEN $2 = 0 OR -($2) > CHAR_LENGTH(CAST($1 AS TEXT)) THEN '' "
                  "ELSE SUBSTRING(CAST($1 AS TEXT) FROM CAST(CASE WHEN $2 < 0 "
                  "THEN CHAR_LENGTH(CAST($1 AS TEXT)) + 1 + $2 ELSE $2 END AS "
                  "INTEGER)) END)");
}

/*
 * A format of week codes: %X (the year of a Sunday-first week), %V (its week,
 * 1-53, week 1 being the first with a Sunday: WEEK mode 2), %W or %a (the day
 * name), and literal text; Metabase's week is STR_TO_DATE(CONCAT(YEARWEEK(ts),
 * ' Sunday'), '%X%V %W'). Translated into a PostgreSQL regular expression whose
 * groups are read back: the date is the first Sunday of the year, plus the
 * weeks, plus the day. *slots gets each group's code in order.
 */
static char *week_format_regex(arena *a, const char *fmt, char slots[3])
{
    buf re;
    buf_init(&re);
    buf_append_str(&re, "^");
    int n = 0;
    bool ok = true;
    for (const char *f = fmt; *f && ok; f++) {
        if (*f == '%' && f[1]) {
            f++;
            const char *group = *f == 'X'   ? "([0-9]{4})"
                                : *f == 'V' ? "([0-9]{1,2})"
                                : *f == 'W' ? "([A-Za-z]+)"
                                : *f == 'a' ? "([A-Za-z]{3})"
                                            : NULL;
            char code = *f == 'a' ? 'W' : *f;
            for (int i = 0; i < n; i++)
                ok = ok && slots[i] != code;
            if (!group || n == 3 || !ok) {
                ok = false;
                break;
            }
            slots[n++] = code;
            buf_append_str(&re, group);
        } else {
            if (!isalnum((unsigned char)*f))
                buf_append_byte(&re, '\\');
            buf_append_byte(&re, (uint8_t)*f);
        }
    }
    char *out = ok && n == 3 ? arena_strdup(a, buf_cstr(&re)) : NULL;
    buf_free(&re);
    return out;
}

static bool print_week_group(print_ctx *pc, const char *re, const char slots[3], char code)
{
    int i = 0;
    while (slots[i] != code)
        i++;
    sb_str(pc->b, "(regexp_match(CAST(");
    if (!sb_expr(pc->b, pc->call->args[0], pc->resolve, pc->ctx, pc->err))
        return false;
    sb_str(pc->b, " AS TEXT), ");
    sb_param(pc->b, PARAM_TEXT, re);
    buf_printf(&pc->b->out, "))[%d]", i + 1);
    return true;
}

static bool print_str_to_week_date(print_ctx *pc, const char *re, const char slots[3])
{
    /* January 1 of %X, the days to its first Sunday, the weeks, the day of the week. */
    const char *parts[] = {"(make_date(CAST(",
                           " AS INTEGER), 1, 1) + (7 - CAST(EXTRACT(DOW FROM "
                           "make_date(CAST(",
                           " AS INTEGER), 1, 1)) AS INTEGER)) % 7 + (CAST(",
                           " AS INTEGER) - 1) * 7 + array_position(ARRAY['sun', 'mon', 'tue', "
                           "'wed', 'thu', 'fri', 'sat'], lower(left(",
                           ", 3))) - 1)"};
    const char codes[] = {'X', 'X', 'V', 'W'};
    for (int i = 0; i < 4; i++) {
        sb_str(pc->b, parts[i]);
        if (!print_week_group(pc, re, slots, codes[i]))
            return false;
    }
    sb_str(pc->b, parts[4]);
    return true;
}

value_type str_to_date_type(const char *fmt, int *decimals)
{
    bool has_date = false, has_time = false;
    *decimals = 0;
    for (const char *f = fmt; *f; f++) {
        if (*f != '%' || !f[1])
            continue;
        f++;
        if (strchr("abcDdejMmUuVvWwXxYy", *f))
            has_date = true;
        else if (strchr("fHhIiklprSsT", *f))
            has_time = true;
        if (*f == 'f')
            *decimals = 6;
    }
    if (has_date && !has_time) {
        *decimals = -1;
        return VT_DATE;
    }
    return has_time && !has_date ? VT_TIME : VT_DATETIME;
}

/* STR_TO_DATE's value printed with its MySQL type: CAST(x AS DATE | TIME), or x. */
static bool print_str_to_date_as(print_ctx *pc, value_type type, int decimals,
                                 bool (*print)(print_ctx *pc))
{
    if (type == VT_DATETIME)
        return print(pc);
    sb_str(pc->b, "CAST(");
    if (!print(pc))
        return false;
    if (type == VT_DATE)
        sb_str(pc->b, " AS DATE)");
    else if (pc->b->dialect == DIALECT_POSTGRES)
        buf_printf(&pc->b->out, " AS TIME(%d))", decimals);
    else
        buf_printf(&pc->b->out, decimals ? " AS TIME(%d))" : " AS TIME)", decimals);
    return true;
}

static bool print_mysql_str_to_date(print_ctx *pc)
{
    return fn_expand(pc, "STR_TO_DATE($1, $2)");
}

static bool print_postgres_to_timestamp(print_ctx *pc)
{
    char bad = 0;
    const char *fmt = pc->call->args[1]->text;
    char *translated = fn_translate_format(pc->b->a, fmt, DIALECT_POSTGRES, &bad);
    if (!translated) {
        sql_error_set(pc->err, ER_NOT_SUPPORTED_YET, "42000",
                      "STR_TO_DATE(): the format code '%%%c' is not supported yet", bad);
        return false;
    }
    sb_str(pc->b, "CAST(to_timestamp(");
    if (!sb_expr(pc->b, pc->call->args[0], pc->resolve, pc->ctx, pc->err))
        return false;
    sb_str(pc->b, ", ");
    sb_param(pc->b, PARAM_TEXT, translated);
    sb_str(pc->b, ") AS TIMESTAMP)");
    return true;
}

/*
 * STR_TO_DATE(s, format) has MySQL's type on every dialect: a DATE when the
 * format has date parts only ('%Y-%m-%d'), a TIME when it has time parts only,
 * a DATETIME otherwise. MariaDB receives the format as a parameter and cannot
 * tell, so the type is cast there too.
 */
static bool print_str_to_date(print_ctx *pc)
{
    const expr *fmt = fn_string_arg(pc, 1, "format");
    if (!fmt)
        return false;
    int decimals;
    value_type type = str_to_date_type(fmt->text, &decimals);
    if (pc->b->dialect == DIALECT_MYSQL)
        return print_str_to_date_as(pc, type, decimals, print_mysql_str_to_date);
    /* SQLite: MySQL's own reading, every format code, in a registered C function
     * (planner/str_to_date.h). */
    if (pc->b->dialect == DIALECT_SQLITE)
        return fn_expand(pc, "mimir_str_to_date($1, $2)");
    char slots[3];
    char *week_re = week_format_regex(pc->b->a, fmt->text, slots);
    if (week_re)
        return print_str_to_week_date(pc, week_re, slots);
    return print_str_to_date_as(pc, type, decimals, print_postgres_to_timestamp);
}

/*
 * MySQL's GREATEST and LEAST are NULL when any argument is NULL. SQLite's
 * many-argument MAX/MIN agree; PostgreSQL's GREATEST/LEAST skip NULLs, so the
 * NULL case is spelled out there (each argument is printed twice: the backend
 * evaluates deterministic expressions, and literals are parameters anyway).
 */
static bool print_greatest_least(print_ctx *pc)
{
    bool greatest = strcasecmp(pc->call->text, "greatest") == 0;
    if (pc->b->dialect == DIALECT_SQLITE)
        return fn_expand(pc, greatest ? "MAX($*)" : "MIN($*)");
    if (pc->b->dialect == DIALECT_MYSQL)
        return fn_expand(pc, greatest ? "GREATEST($*)" : "LEAST($*)");
    sb_str(pc->b, "(CASE WHEN ");
    for (size_t i = 0; i < pc->call->nargs; i++) {
        if (i)
            sb_str(pc->b, " OR ");
        if (!sb_expr(pc->b, pc->call->args[i], pc->resolve, pc->ctx, pc->err))
            return false;
        sb_str(pc->b, " IS NULL");
    }
    sb_str(pc->b, greatest ? " THEN NULL ELSE GREATEST(" : " THEN NULL ELSE LEAST(");
    return fn_expand(pc, "$*) END)");
}

/* Index by dialect: [DIALECT_POSTGRES], [DIALECT_MYSQL], [DIALECT_SQLITE]. */
/*
 * NOW(), CURDATE() and their synonyms read the session's clock. In a zone
 * other than UTC the backends' own clocks (their sessions run in UTC) would be
 * off by the zone's offset: the planner reads the clock itself, in the
 * session's zone, and sends it as a parameter, one value for the whole
 * statement as in MySQL.
 */
static bool is_session_clock(const char *name)
{
    static const char *const names[] = {
        "now",     "current_timestamp", "localtimestamp", "localtime",    "sysdate",
        "curdate", "current_date",      "curtime",        "current_time", NULL};
    for (const char *const *n = names; *n; n++)
        if (strcmp(*n, name) == 0)
            return true;
    return false;
}

static bool print_session_clock(print_ctx *pc, const char *name)
{
    bool date = strcmp(name, "curdate") == 0 || strcmp(name, "current_date") == 0;
    bool clock = strcmp(name, "curtime") == 0 || strcmp(name, "current_time") == 0;
    /* The statement's clock (one value for every source and phase of it). */
    time_t now = (time_t)(time_zone_clock(pc->b->clock_us) / 1000000);
    struct tm tm;
    time_zone_local(pc->b->tz, now, &tm);
    char text[32];
    strftime(text, sizeof(text), date ? "%Y-%m-%d" : clock ? "%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
    sql_builder *b = pc->b;
    if (b->dialect == DIALECT_SQLITE) {
        sb_param(b, PARAM_TEXT, arena_strdup(b->a, text));
        return true;
    }
    sb_str(b, "CAST(");
    sb_param(b, PARAM_TEXT, arena_strdup(b->a, text));
    sb_str(b, date                             ? " AS DATE)"
              : clock                          ? " AS TIME)"
              : b->dialect == DIALECT_POSTGRES ? " AS TIMESTAMP)"
                                               : " AS DATETIME)");
    return true;
}

bool from_unixtime_text(const time_zone *tz, const expr *n, char out[32])
{
    if (n->kind != EX_LITERAL || n->lit != LIT_INT || strlen(n->text) > 11)
        return false;
    long long v = strtoll(n->text, NULL, 10);
    if (v < 0 || v > 32536771199LL) /* MySQL's range; outside it the answer is NULL */
        return false;
    time_zone utc;
    time_zone_default(&utc);
    struct tm tm;
    time_zone_local(tz ? tz : &utc, (time_t)v, &tm);
    strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
    return true;
}

/* UNIX_TIMESTAMP([d]): seconds since 1970 (with the fraction d has, as MySQL). */
static bool print_unix_timestamp(print_ctx *pc)
{
    sql_dialect d = pc->b->dialect;
    if (pc->call->nargs == 0)
        return fn_expand(pc, d == DIALECT_POSTGRES
                                 ? "CAST(FLOOR(EXTRACT(EPOCH FROM now())) AS BIGINT)"
                             : d == DIALECT_SQLITE ? "CAST(strftime('%s', 'now') AS INTEGER)"
                                                   : "UNIX_TIMESTAMP()");
    if (pc->b->tz && pc->b->tz->kind != TZ_UTC)
        return fn_print_unix_timestamp_zoned(pc);
    if (d == DIALECT_MYSQL)
        return fn_expand(pc, "UNIX_TIMESTAMP($1)");
    if (d == DIALECT_POSTGRES)
        return fn_expand(pc, "trim_scale(EXTRACT(EPOCH FROM CAST($1 AS TIMESTAMP)))");
    /* SQLite's times have milliseconds at most, and '%s' of 23:59:59.9999 rounds up to the
     * next second (its julian day is rounded): the time is cut to milliseconds first. */
    return fn_expand(pc,
                     "(CASE WHEN strftime('%f', $1) LIKE '%.000' THEN CAST(strftime('%s', "
                     "strftime('%Y-%m-%d %H:%M:%f', $1)) AS INTEGER) ELSE CAST(strftime('%s', "
                     "strftime('%Y-%m-%d %H:%M:%f', $1)) AS INTEGER) + ROUND(strftime('%f', $1) - "
                     "CAST(strftime('%S', $1) AS INTEGER), 3) END)");
}

/*
 * FROM_UNIXTIME(integer literal) is folded here, in the session's zone: the
 * planner knows the zone's rules, which the backends (their sessions in UTC)
 * and SQLite do not. The value is printed as a typed DATETIME, like NOW().
 */
static bool print_from_unixtime_constant(print_ctx *pc, bool *handled)
{
    const expr *n = pc->call->args[0];
    char text[32];
    *handled = pc->call->nargs == 1 && from_unixtime_text(pc->b->tz, n, text);
    if (!*handled)
        return true;
    sql_builder *b = pc->b;
    if (b->dialect == DIALECT_SQLITE) {
        sb_param(b, PARAM_TEXT, arena_strdup(b->a, text));
        return true;
    }
    sb_str(b, "CAST(");
    sb_param(b, PARAM_TEXT, arena_strdup(b->a, text));
    sb_str(b, b->dialect == DIALECT_POSTGRES ? " AS TIMESTAMP)" : " AS DATETIME)");
    return true;
}

/* FROM_UNIXTIME(n[, format]): NULL before 1970, as MySQL; the wall clock of instant n in
 * the session's zone (the format's DATE_FORMAT applies to that wall clock). */
static bool print_from_unixtime(print_ctx *pc)
{
    bool handled;
    if (!print_from_unixtime_constant(pc, &handled) || handled)
        return handled;
    if (pc->call->nargs == 1 && pc->b->tz && pc->b->tz->kind != TZ_UTC)
        return fn_print_from_unixtime_zoned(pc);
    if (pc->call->nargs == 2) { /* DATE_FORMAT(FROM_UNIXTIME(n), format) */
        expr inner = *pc->call;
        inner.nargs = 1;
        expr outer = *pc->call;
        expr *args[2] = {&inner, pc->call->args[1]};
        outer.text = "date_format";
        outer.args = args;
        print_ctx sub = *pc;
        sub.call = &outer;
        return print_date_format(&sub);
    }
    sql_dialect d = pc->b->dialect;
    return fn_expand(pc, d == DIALECT_POSTGRES ? "(CASE WHEN $1 >= 0 THEN TIMESTAMP '1970-01-01 "
                                                 "00:00:00' + $1 * INTERVAL '1 second' END)"
                         : d == DIALECT_SQLITE
                             ? "(CASE WHEN $1 >= 0 THEN datetime($1, 'unixepoch') END)"
                             : "FROM_UNIXTIME($1)");
}

/* MOD(a, b) is a % b, whose printer knows each dialect. */
static bool print_mod(print_ctx *pc)
{
    expr op = {0};
    op.kind = EX_BINARY;
    op.op = OP_MOD;
    op.left = pc->call->args[0];
    op.right = pc->call->args[1];
    return sb_expr(pc->b, &op, pc->resolve, pc->ctx, pc->err);
}

/* LOG(x), LOG(b, x), LOG2(x), LOG10(x): NULL where the logarithm is undefined, as MySQL. */
static bool print_log(print_ctx *pc)
{
    const char *name = pc->call->text;
    sql_dialect d = pc->b->dialect;
    if (d == DIALECT_MYSQL)
        return fn_expand(pc, strcasecmp(name, "log2") == 0    ? "LOG2($1)"
                             : strcasecmp(name, "log10") == 0 ? "LOG10($1)"
                             : pc->call->nargs == 2           ? "LOG($1, $2)"
                                                              : "LN($1)");
    const char *ln = d == DIALECT_POSTGRES ? "LN(CAST($%c AS DOUBLE PRECISION))" : "ln($%c)";
    buf t;
    buf_init(&t);
    if (pc->call->nargs == 2) {
        buf_printf(&t, "(CASE WHEN $1 > 0 AND $1 <> 1 AND $2 > 0 THEN ");
        buf_printf(&t, ln, '2');
        buf_printf(&t, " / ");
        buf_printf(&t, ln, '1');
    } else {
        double base = strcasecmp(name, "log2") == 0 ? 2 : strcasecmp(name, "log10") == 0 ? 10 : 0;
        buf_printf(&t, "(CASE WHEN $1 > 0 THEN ");
        buf_printf(&t, ln, '1');
        if (base > 0)
            buf_printf(&t, d == DIALECT_POSTGRES ? " / LN(%g)" : " / ln(%g)", base);
    }
    buf_printf(&t, " END)");
    bool ok = fn_expand(pc, buf_cstr(&t));
    buf_free(&t);
    return ok;
}

/* CONCAT_WS(sep, a, ...): NULL arguments are skipped, a NULL separator gives NULL. */
static bool print_concat_ws(print_ctx *pc)
{
    if (pc->b->dialect != DIALECT_SQLITE)
        return fn_expand(pc, "CONCAT_WS($*)");
    /* substr(sep || a || sep || b ..., length(sep) + 1), each part dropped when NULL. */
    if (!fn_expand(pc, "(CASE WHEN $1 IS NULL THEN NULL ELSE substr("))
        return false;
    for (size_t i = 1; i < pc->call->nargs; i++) {
        sb_str(pc->b, i > 1 ? " || COALESCE(" : "COALESCE(");
        if (!fn_expand(pc, "$1 || CAST("))
            return false;
        if (!sb_expr(pc->b, pc->call->args[i], pc->resolve, pc->ctx, pc->err))
            return false;
        sb_str(pc->b, " AS TEXT), '')");
    }
    return fn_expand(pc, ", length($1) + 1) END)");
}

/* ELT(n, a, b, ...): the n-th string, NULL when there is none. */
static bool print_elt(print_ctx *pc)
{
    if (pc->b->dialect == DIALECT_MYSQL)
        return fn_expand(pc, "ELT($*)");
    if (!fn_expand(pc, "(CASE $1"))
        return false;
    for (size_t i = 1; i < pc->call->nargs; i++) {
        buf_printf(&pc->b->out, " WHEN %zu THEN ", i);
        if (!sb_expr(pc->b, pc->call->args[i], pc->resolve, pc->ctx, pc->err))
            return false;
    }
    sb_str(pc->b, " END)");
    return true;
}

/*
 * LPAD(s, n, pad) / RPAD: s cut or padded to n characters; NULL for a negative n,
 * and for an empty pad that would have to pad, as MySQL.
 */
static bool print_pad(print_ctx *pc)
{
    bool left = strcasecmp(pc->call->text, "lpad") == 0;
    sql_dialect d = pc->b->dialect;
    if (d == DIALECT_MYSQL)
        return fn_expand(pc, left ? "LPAD($1, $2, $3)" : "RPAD($1, $2, $3)");
    if (d == DIALECT_POSTGRES)
        return fn_expand(pc, left ? "(CASE WHEN $2 < 0 OR ($3 = '' AND $2 > CHAR_LENGTH(CAST($1 AS "
                                    "TEXT))) THEN NULL ELSE LPAD(CAST($1 AS TEXT), CAST($2 AS "
                                    "INTEGER), CAST($3 AS TEXT)) END)"
                                  : "(CASE WHEN $2 < 0 OR ($3 = '' AND $2 > CHAR_LENGTH(CAST($1 AS "
                                    "TEXT))) THEN NULL ELSE RPAD(CAST($1 AS TEXT), CAST($2 AS "
                                    "INTEGER), CAST($3 AS TEXT)) END)");
    return fn_expand(pc, left ? "(CASE WHEN $2 < 0 OR ($3 = '' AND $2 > length($1)) THEN NULL "
                                "WHEN $2 <= length($1) THEN substr($1, 1, $2) ELSE "
                                "substr(replace(printf('%.*c', $2, 'x'), 'x', $3), 1, $2 - "
                                "length($1)) || $1 END)"
                              : "(CASE WHEN $2 < 0 OR ($3 = '' AND $2 > length($1)) THEN NULL "
                                "WHEN $2 <= length($1) THEN substr($1, 1, $2) ELSE $1 || "
                                "substr(replace(printf('%.*c', $2, 'x'), 'x', $3), 1, $2 - "
                                "length($1)) END)");
}

/*
 * LOCATE(sub, s[, pos]): the position of sub in s from pos on, 0 when it is not
 * there or pos is outside 1 .. length (as MariaDB answers).
 */
static bool print_locate(print_ctx *pc)
{
    sql_dialect d = pc->b->dialect;
    if (pc->call->nargs == 2)
        return fn_expand(pc, d == DIALECT_POSTGRES ? "STRPOS($2, $1)"
                             : d == DIALECT_SQLITE ? "INSTR($2, $1)"
                                                   : "LOCATE($1, $2)");
    if (d == DIALECT_MYSQL)
        return fn_expand(pc, "LOCATE($1, $2, $3)");
    if (d == DIALECT_SQLITE)
        return fn_expand(pc,
                         "(CASE WHEN $1 IS NULL OR $2 IS NULL OR $3 IS NULL THEN NULL WHEN $3 < 1 "
                         "OR $3 > LENGTH($2) OR INSTR(SUBSTR($2, $3), $1) = 0 THEN 0 ELSE "
                         "INSTR(SUBSTR($2, $3), $1) + $3 - 1 END)");
    return fn_expand(pc, "(CASE WHEN CAST($1 AS TEXT) IS NULL OR CAST($2 AS TEXT) IS NULL OR $3 IS "
                         "NULL THEN NULL WHEN $3 < 1 OR $3 > CHAR_LENGTH(CAST($2 AS TEXT)) OR "
                         "STRPOS(SUBSTRING(CAST($2 AS TEXT) "
                         "FROM CAST($3 AS INTEGER)), CAST($1 AS TEXT)) = 0 THEN 0 ELSE "
                         "STRPOS(SUBSTRING(CAST($2 AS TEXT) FROM CAST($3 AS INTEGER)), CAST($1 AS "
                         "TEXT)) + $3 - 1 END)");
}

/* FIELD(s, a, b, ...): the position of s among a, b, ... compared with '=', 0 when none. */
static bool print_field(print_ctx *pc)
{
    if (pc->b->dialect == DIALECT_MYSQL)
        return fn_expand(pc, "FIELD($*)");
    sb_str(pc->b, "(CASE");
    for (size_t i = 1; i < pc->call->nargs; i++) {
        expr eq = {0};
        eq.kind = EX_BINARY;
        eq.op = OP_EQ;
        eq.left = pc->call->args[0];
        eq.right = pc->call->args[i];
        sb_str(pc->b, " WHEN ");
        if (!sb_expr(pc->b, &eq, pc->resolve, pc->ctx, pc->err))
            return false;
        buf_printf(&pc->b->out, " THEN %zu", i);
    }
    sb_str(pc->b, " ELSE 0 END)");
    return true;
}

/*
 * PERIOD_ADD(P, N) and PERIOD_DIFF(P1, P2) on periods YYMM or YYYYMM (two-digit
 * years 00-69 are 20xx): in months since year 0, where integer arithmetic is
 * the same on every backend.
 */
#define PERIOD_MONTHS(a)                                                                           \
    "((CASE WHEN " a " < 10000 THEN (CASE WHEN " a " / 100 < 70 THEN " a " / 100 + 2000 ELSE " a   \
    " / 100 + 1900 END) ELSE " a " / 100 END) * 12 + " a " % 100 - 1)"

static bool print_round(print_ctx *pc);
static bool print_if(print_ctx *pc);

static const function_map functions[] = {
    {"ifnull", 2, 2, T("COALESCE($1, $2)", "IFNULL($1, $2)", "IFNULL($1, $2)"), NULL},
    {"coalesce", 1, -1, SAME("COALESCE($*)"), NULL},
    {"nullif", 2, 2, SAME("NULLIF($1, $2)"), NULL},
    {"isnull", 1, 1, SAME("($1 IS NULL)"), NULL},
    {"if", 3, 3,
     T(NULL, "(CASE WHEN $1 THEN $2 ELSE $3 END)", "(CASE WHEN $1 THEN $2 ELSE $3 END)"), print_if},
    /* Two arguments at least: MAX(x) alone would be SQLite's aggregate. */
    {"greatest", 2, -1, T(NULL, NULL, NULL), print_greatest_least},
    {"least", 2, -1, T(NULL, NULL, NULL), print_greatest_least},
    {"concat", 1, -1, T(NULL, NULL, NULL), print_concat},
    {"substring", 2, 3, T(NULL, NULL, NULL), print_substring},
    {"substr", 2, 3, T(NULL, NULL, NULL), print_substring},
    {"lower", 1, 1, SAME("LOWER($1)"), NULL},
    {"lcase", 1, 1, SAME("LOWER($1)"), NULL},
    {"upper", 1, 1, SAME("UPPER($1)"), NULL},
    {"ucase", 1, 1, SAME("UPPER($1)"), NULL},
    {"trim", 1, 1, SAME("TRIM($1)"), NULL},
    {"ltrim", 1, 1, SAME("LTRIM($1)"), NULL},
    {"rtrim", 1, 1, SAME("RTRIM($1)"), NULL},
    {"length", 1, 1, T("OCTET_LENGTH($1)", "LENGTH(CAST($1 AS BLOB))", "LENGTH($1)"), NULL},
    {"char_length", 1, 1, T("CHAR_LENGTH($1)", "LENGTH($1)", "CHAR_LENGTH($1)"), NULL},
    /* LOCATE(substr, str): Connector/J's DatabaseMetaData.getColumns uses it. */
    {"locate", 2, 3, T(NULL, NULL, NULL), print_locate},
    {"instr", 2, 2,
     T("STRPOS(CAST($1 AS TEXT), CAST($2 AS TEXT))", "INSTR($1, $2)", "INSTR($1, $2)"), NULL},
    {"concat_ws", 2, -1, T(NULL, NULL, NULL), print_concat_ws},
    /* LEFT/RIGHT with a negative count are '' in MySQL, all but |n| in PostgreSQL. */
    {"left", 2, 2,
     T("LEFT(CAST($1 AS TEXT), CAST(CASE WHEN $2 < 0 THEN 0 WHEN $2 > 2147483647 THEN 2147483647 "
       "ELSE $2 END "
       "AS INTEGER))",
       "SUBSTR($1, 1, MAX($2, 0))", "LEFT($1, $2)"),
     NULL},
    {"right", 2, 2,
     T("RIGHT(CAST($1 AS TEXT), CAST(CASE WHEN $2 < 0 THEN 0 WHEN $2 > 2147483647 THEN 2147483647 "
       "ELSE $2 END "
       "AS INTEGER))",
       "(CASE WHEN $2 < 1 THEN (CASE WHEN $1 IS NULL THEN NULL ELSE '' END) ELSE SUBSTR($1, "
       "-($2)) END)",
       "RIGHT($1, $2)"),
     NULL},
    {"lpad", 3, 3, T(NULL, NULL, NULL), print_pad},
    {"rpad", 3, 3, T(NULL, NULL, NULL), print_pad},
    {"replace", 3, 3,
     T("REPLACE(CAST($1 AS TEXT), CAST($2 AS TEXT), CAST($3 AS TEXT))", "REPLACE($1, $2, $3)",
       "REPLACE($1, $2, $3)"),
     NULL},
    {"repeat", 2, 2,
     T("REPEAT(CAST($1 AS TEXT), CAST(CASE WHEN $2 > 2147483647 THEN 2147483647 ELSE $2 END AS "
       "INTEGER))",
       "(CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL WHEN $2 < 1 THEN '' ELSE "
       "REPLACE(printf('%.*c', $2, 'x'), 'x', $1) END)",
       "REPEAT($1, $2)"),
     NULL},
    /* QUOTE(s): s in single quotes with \, ', NUL and Ctrl+Z escaped by a backslash;
     * NULL gives the word NULL. PostgreSQL's text holds no NUL. */
    {"quote", 1, 1,
     T("(CASE WHEN $1 IS NULL THEN 'NULL' ELSE '''' || REPLACE(REPLACE(REPLACE(CAST($1 AS TEXT), "
       "'\\', '\\\\'), '''', '\\'''), chr(26), '\\Z') || '''' END)",
       "(CASE WHEN $1 IS NULL THEN 'NULL' ELSE '''' || REPLACE(REPLACE(REPLACE(REPLACE($1, '\\', "
       "'\\\\'), '''', '\\'''), char(0), '\\0'), char(26), '\\Z') || '''' END)",
       "QUOTE($1)"),
     NULL},
    {"elt", 2, -1, T(NULL, NULL, NULL), print_elt},
    {"field", 2, -1, T(NULL, NULL, NULL), print_field},
    /* CHAR(n, ...): MySQL's bytes; information_schema queries run it (catalog_sql.c). */
    {"char", 1, -1, T(NULL, NULL, "CHAR($*)"), NULL},
    {"round", 1, 2, T(NULL, NULL, NULL), print_round},
    {"truncate", 2, 2,
     T("TRUNC(CAST($1 AS NUMERIC), CAST($2 AS INTEGER))",
       "(CAST($1 * power(10, $2) AS INTEGER) / power(10, $2))", "TRUNCATE($1, $2)"),
     NULL},
    {"floor", 1, 1, SAME("FLOOR($1)"), NULL},
    {"mod", 2, 2, T(NULL, NULL, NULL), print_mod},
    {"pow", 2, 2,
     T("POWER(CAST($1 AS DOUBLE PRECISION), CAST($2 AS DOUBLE PRECISION))", "pow($1, $2)",
       "POW($1, $2)"),
     NULL},
    {"power", 2, 2,
     T("POWER(CAST($1 AS DOUBLE PRECISION), CAST($2 AS DOUBLE PRECISION))", "pow($1, $2)",
       "POW($1, $2)"),
     NULL},
    /* NULL outside the domain, as MySQL (PostgreSQL raises an error there). */
    {"sqrt", 1, 1,
     T("(CASE WHEN $1 >= 0 THEN SQRT(CAST($1 AS DOUBLE PRECISION)) END)",
       "(CASE WHEN $1 >= 0 THEN sqrt($1) END)", "SQRT($1)"),
     NULL},
    {"ln", 1, 1, T(NULL, NULL, NULL), print_log},
    {"log", 1, 2, T(NULL, NULL, NULL), print_log},
    {"log2", 1, 1, T(NULL, NULL, NULL), print_log},
    {"log10", 1, 1, T(NULL, NULL, NULL), print_log},
    {"period_add", 2, 2,
     T("(CASE WHEN $1 = 0 THEN 0 ELSE (" PERIOD_MONTHS("$1") " + $2) / 12 * 100 + (" PERIOD_MONTHS(
           "$1") " + $2) % 12 + 1 END)",
       "(CASE WHEN $1 = 0 THEN 0 ELSE (" PERIOD_MONTHS("$1") " + $2) / 12 * 100 + (" PERIOD_MONTHS(
           "$1") " + $2) % 12 + 1 END)",
       "PERIOD_ADD($1, $2)"),
     NULL},
    {"period_diff", 2, 2,
     T("(" PERIOD_MONTHS("$1") " - " PERIOD_MONTHS("$2") ")",
       "(" PERIOD_MONTHS("$1") " - " PERIOD_MONTHS("$2") ")", "PERIOD_DIFF($1, $2)"),
     NULL},
    {"sign", 1, 1, T("CAST(SIGN($1) AS INTEGER)", "sign($1)", "SIGN($1)"), NULL},
    {"ceil", 1, 1, T("CEIL($1)", "ceil($1)", "CEIL($1)"), NULL},
    {"ceiling", 1, 1, T("CEIL($1)", "ceil($1)", "CEIL($1)"), NULL},
    {"abs", 1, 1, SAME("ABS($1)"), NULL},
    {"date", 1, 1, T("CAST(CAST($1 AS TIMESTAMP) AS DATE)", "date($1)", "DATE($1)"), NULL},
    {"timestamp", 1, 1, T("CAST($1 AS TIMESTAMP)", "datetime($1)", "TIMESTAMP($1)"), NULL},
    {"year", 1, 1, T(NULL, NULL, NULL), print_part_function},
    {"quarter", 1, 1, T(NULL, NULL, NULL), print_part_function},
    {"month", 1, 1, T(NULL, NULL, NULL), print_part_function},
    {"day", 1, 1, T(NULL, NULL, NULL), print_part_function},
    {"dayofmonth", 1, 1, T(NULL, NULL, NULL), print_part_function},
    {"hour", 1, 1, T(NULL, NULL, NULL), print_part_function},
    {"minute", 1, 1, T(NULL, NULL, NULL), print_part_function},
    {"second", 1, 1, T(NULL, NULL, NULL), print_part_function},
    {"microsecond", 1, 1, T(NULL, NULL, NULL), print_part_function},
    {"week", 1, 2, T(NULL, NULL, NULL), print_week},
    {"weekofyear", 1, 1, T(NULL, NULL, NULL), print_weekofyear},
    {"yearweek", 1, 2, T(NULL, NULL, NULL), print_yearweek},
    {"weekday", 1, 1,
     T("(CAST(EXTRACT(ISODOW FROM CAST($1 AS TIMESTAMP)) AS INTEGER) - 1)",
       "((CAST(strftime('%w', date($1)) AS INTEGER) + 6) % 7)", "WEEKDAY($1)"),
     NULL},
    {"dayofyear", 1, 1,
     T("CAST(EXTRACT(DOY FROM CAST($1 AS TIMESTAMP)) AS INTEGER)",
       "CAST(strftime('%j', $1) AS INTEGER)", "DAYOFYEAR($1)"),
     NULL},
    /* Days since year 0 of the proleptic Gregorian calendar: 0001-01-01 is day 366. */
    {"to_days", 1, 1,
     T("(CAST(CAST($1 AS TIMESTAMP) AS DATE) - DATE '0001-01-01' + 366)",
       "(CAST(julianday(date($1)) - julianday('0001-01-01') AS INTEGER) + 366)", "TO_DAYS($1)"),
     NULL},
    {"from_days", 1, 1,
     T("(DATE '0001-01-01' + (CAST($1 AS INTEGER) - 366))",
       "date('0001-01-01', printf('%+d days', $1 - 366))", "FROM_DAYS($1)"),
     NULL},
    {"last_day", 1, 1,
     T("CAST(date_trunc('month', CAST($1 AS TIMESTAMP)) + INTERVAL '1 month' - INTERVAL '1 day' "
       "AS DATE)",
       "date(date($1), 'start of month', '+1 month', '-1 day')", "LAST_DAY($1)"),
     NULL},
    /* MAKEDATE(year, day of year): NULL for a day below 1; years 0-69 are 2000-2069 and
     * 70-99 are 1970-1999, as MySQL reads two-digit years. */
    {"makedate", 2, 2,
     T("(CASE WHEN $2 > 0 AND $1 >= 0 AND $1 <= 9999 THEN make_date(CAST(CASE WHEN $1 < 70 THEN "
       "$1 + 2000 WHEN $1 < 100 THEN $1 + 1900 ELSE $1 END AS INTEGER), 1, 1) + (CAST($2 AS "
       "INTEGER) - 1) END)",
       "(CASE WHEN $2 > 0 AND $1 >= 0 AND $1 <= 9999 THEN date(printf('%04d-01-01', CASE WHEN $1 "
       "< 70 THEN $1 + 2000 WHEN $1 < 100 THEN $1 + 1900 ELSE $1 END), printf('%+d days', $2 - "
       "1)) END)",
       "MAKEDATE($1, $2)"),
     NULL},
    {"unix_timestamp", 0, 1, T(NULL, NULL, NULL), print_unix_timestamp},
    {"from_unixtime", 1, 2, T(NULL, NULL, NULL), print_from_unixtime},
    {"dayofweek", 1, 1,
     T("CAST(EXTRACT(DOW FROM CAST($1 AS TIMESTAMP)) + 1 AS INTEGER)",
       "(CAST(strftime('%w', date($1)) AS INTEGER) + 1)", "DAYOFWEEK($1)"),
     NULL},
    {"extract", 2, 2, T(NULL, NULL, NULL), print_extract},
    {"date_format", 2, 2, T(NULL, NULL, NULL), print_date_format},
    {"str_to_date", 2, 2, T(NULL, NULL, NULL), print_str_to_date},
    {"date_add", 2, 2, T(NULL, NULL, NULL), print_date_add},
    {"date_sub", 2, 2, T(NULL, NULL, NULL), print_date_add},
    {"adddate", 2, 2, T(NULL, NULL, NULL), print_date_add},
    {"subdate", 2, 2, T(NULL, NULL, NULL), print_date_add},
    {"timestampadd", 3, 3, T(NULL, NULL, NULL), print_timestampadd},
    {"timestampdiff", 3, 3, T(NULL, NULL, NULL), print_timestampdiff},
    {"datediff", 2, 2,
     T("(CAST(CAST($1 AS TIMESTAMP) AS DATE) - CAST(CAST($2 AS TIMESTAMP) AS DATE))",
       "CAST(julianday(date($1)) - julianday(date($2)) AS INTEGER)", "DATEDIFF($1, $2)"),
     NULL},
    {"cast", 2, 2, T(NULL, NULL, NULL), print_cast},
    {"convert", 2, 2, T(NULL, NULL, NULL), print_cast},
    {"now", 0, 1, T("CAST(LOCALTIMESTAMP(0) AS TIMESTAMP)", "datetime('now')", "NOW()"), NULL},
    {"current_timestamp", 0, 1,
     T("CAST(LOCALTIMESTAMP(0) AS TIMESTAMP)", "datetime('now')", "NOW()"), NULL},
    {"localtimestamp", 0, 1, T("CAST(LOCALTIMESTAMP(0) AS TIMESTAMP)", "datetime('now')", "NOW()"),
     NULL},
    {"sysdate", 0, 1, T("CAST(LOCALTIMESTAMP(0) AS TIMESTAMP)", "datetime('now')", "NOW()"), NULL},
    {"utc_timestamp", 0, 1,
     T("CAST(LOCALTIMESTAMP(0) AS TIMESTAMP)", "datetime('now')", "UTC_TIMESTAMP()"), NULL},
    {"curdate", 0, 0, T("CURRENT_DATE", "date('now')", "CURDATE()"), NULL},
    {"current_date", 0, 0, T("CURRENT_DATE", "date('now')", "CURDATE()"), NULL},
    {"utc_date", 0, 0, T("CURRENT_DATE", "date('now')", "UTC_DATE()"), NULL},
    {NULL, 0, 0, {NULL, NULL, NULL}, NULL},
};

/* The families' tables, in the order of the docs table. */
static const function_map *const tables_in_order[] = {functions, time_functions, string_functions,
                                                      math_functions, NULL};

/* The i-th row over all the tables, NULL past the end. */
static const function_map *function_row(size_t i)
{
    for (const function_map *const *t = tables_in_order; *t; t++) {
        for (const function_map *f = *t; f->name; f++)
            if (i-- == 0)
                return f;
    }
    return NULL;
}

static const function_map *function_named(const char *name)
{
    for (const function_map *const *t = tables_in_order; *t; t++) {
        for (const function_map *f = *t; f->name; f++)
            if (strcasecmp(f->name, name) == 0)
                return f;
    }
    return NULL;
}

const char *function_table_name(size_t i)
{
    const function_map *f = function_row(i);
    return f ? f->name : NULL;
}

bool function_table_translated(size_t i, sql_dialect d)
{
    const function_map *f = function_row(i);
    return f && (f->tmpl[d] || f->special);
}

static const char *const aggregates[] = {"sum", "count",  "min",      "max",
                                         "avg", "agg",    "measure",  "group_concat",
                                         "std", "stddev", "variance", NULL};

bool function_is_aggregate(const char *name)
{
    for (const char *const *a = aggregates; *a; a++)
        if (strcasecmp(name, *a) == 0)
            return true;
    return false;
}

bool expr_has_aggregate(const expr *e)
{
    if (!e)
        return false;
    if (e->kind == EX_FUNC && function_is_aggregate(e->text))
        return true;
    if (expr_has_aggregate(e->left) || expr_has_aggregate(e->right))
        return true;
    for (size_t i = 0; i < e->nargs; i++)
        if (expr_has_aggregate(e->args[i]))
            return true;
    return false;
}

/* Is e a truth value in PostgreSQL (a comparison, a predicate, AND/OR/NOT, TRUE/FALSE)? */
static bool is_truth_value(const expr *e)
{
    switch (e->kind) {
    case EX_IN:
    case EX_BETWEEN:
    case EX_LIKE:
    case EX_IS:
    case EX_EXISTS:
        return true;
    case EX_LITERAL:
        return e->lit == LIT_TRUE || e->lit == LIT_FALSE;
    case EX_UNARY:
        return e->op == OP_NOT;
    case EX_BINARY:
        return e->op == OP_EQ || e->op == OP_NE || e->op == OP_NULL_SAFE_EQ || e->op == OP_LT ||
               e->op == OP_LE || e->op == OP_GT || e->op == OP_GE || e->op == OP_AND ||
               e->op == OP_OR || e->op == OP_XOR;
    default:
        return false;
    }
}

/*
 * IF(c, a, b). MySQL's condition is true when it is a number other than 0
 * (a string is read as a number); PostgreSQL wants a boolean, so any other
 * condition is compared with 0 there (a string that is not a number is then
 * PostgreSQL's error, never a different answer).
 */
static bool print_if(print_ctx *pc)
{
    if (pc->b->dialect != DIALECT_POSTGRES)
        return fn_expand(pc, "(CASE WHEN $1 THEN $2 ELSE $3 END)");
    if (is_truth_value(pc->call->args[0]))
        return fn_expand(pc, "(CASE WHEN $1 THEN $2 ELSE $3 END)");
    return fn_expand(pc, "(CASE WHEN CAST($1 AS DOUBLE PRECISION) <> 0 THEN $2 ELSE $3 END)");
}

static bool print_round(print_ctx *pc)
{
    if (pc->b->dialect == DIALECT_POSTGRES)
        return fn_expand(pc, pc->call->nargs == 1 ? "ROUND(CAST($1 AS NUMERIC))"
                                                  : "ROUND(CAST($1 AS NUMERIC), $2)");
    return fn_expand(pc, pc->call->nargs == 1 ? "ROUND($1)" : "ROUND($1, $2)");
}

/* Aggregates SQLite computes the way MySQL does, for SQL over a result Mimir holds. */
static bool sqlite_aggregate(const char *name)
{
    static const char *const names[] = {"sum", "count", "min", "max", "avg", "group_concat", NULL};
    for (const char *const *n = names; *n; n++)
        if (strcasecmp(name, *n) == 0)
            return true;
    return false;
}

static bool print_aggregate(print_ctx *pc)
{
    const expr *call = pc->call;
    char name[16];
    size_t i = 0;
    for (; call->text[i] && i < sizeof(name) - 1; i++)
        name[i] = (char)toupper((unsigned char)call->text[i]);
    name[i] = '\0';
    buf_printf(&pc->b->out, "%s(%s", name, call->distinct ? "DISTINCT " : "");
    if (call->nargs == 1 && call->args[0]->kind == EX_STAR && strcmp(name, "COUNT") == 0) {
        sb_str(pc->b, "*)");
        return true;
    }
    if (!fn_expand(pc, "$*)"))
        return false;
    return true;
}

bool clock_precision_refused(const char *name, const char *digits, sql_error *err)
{
    sql_error_set(err, ER_TOO_BIG_PRECISION, "42000",
                  "Too-big precision %s specified for '%s'. Maximum is 6.", digits, name);
    return false;
}

/* NOW(7) and the like: MySQL refuses more than six fractional digits of a clock. */
static bool clock_precision_too_big(const expr *call)
{
    static const char *const names[] = {
        "now",     "current_timestamp", "localtime",     "localtimestamp", "sysdate",
        "curtime", "current_time",      "utc_timestamp", "utc_time",       NULL};
    const expr *fsp = call->nargs == 1 ? call->args[0] : NULL;
    if (!fsp || fsp->kind != EX_LITERAL || fsp->lit != LIT_INT || strlen(fsp->text) > 18 ||
        strtoll(fsp->text, NULL, 10) <= 6)
        return false;
    for (const char *const *n = names; *n; n++)
        if (strcasecmp(*n, call->text) == 0)
            return true;
    return false;
}

bool sb_function(sql_builder *b, const expr *call, sb_column_resolver resolve, void *ctx,
                 sql_error *err)
{
    if (clock_precision_too_big(call))
        return clock_precision_refused(call->text, call->args[0]->text, err);
    print_ctx pc = {b, call, resolve, ctx, err};
    const function_map *f = function_named(call->text);
    if (f) {
        if ((int)call->nargs < f->min_args ||
            (f->max_args >= 0 && (int)call->nargs > f->max_args)) {
            sql_error_set(err, ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT, "42000",
                          "Incorrect parameter count in the call to native function '%s'",
                          call->text);
            return false;
        }
        if (call->distinct) {
            sql_error_set(err, ER_PARSE, "42000",
                          "DISTINCT is only allowed in aggregates, not in %s()", call->text);
            return false;
        }
        if (b->tz && b->tz->kind != TZ_UTC && is_session_clock(f->name))
            return print_session_clock(&pc, f->name);
        if (f->special)
            return f->special(&pc);
        const char *tmpl = f->tmpl[b->dialect];
        if (!tmpl)
            return fn_unsupported(&pc, NULL);
        return fn_expand(&pc, tmpl);
    }
    if (b->allow_aggregates && sqlite_aggregate(call->text))
        return print_aggregate(&pc);
    if (function_is_aggregate(call->text)) {
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "%s() is not allowed here: aggregates apply to metrics, written AGG(metric)",
                      call->text);
        return false;
    }
    sql_error_set(err, ER_SP_DOES_NOT_EXIST, "42000",
                  "FUNCTION %s does not exist in Mimir (no mapping to the backend's SQL)",
                  call->text);
    return false;
}
