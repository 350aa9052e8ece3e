/*
 * MySQL's time functions beyond the first table: the TIME-valued TIMEDIFF,
 * SEC_TO_TIME, MAKETIME, ADDTIME/SUBTIME, TIME_FORMAT, TIME_TO_SEC and CURTIME;
 * CONVERT_TZ; UNIX_TIMESTAMP and FROM_UNIXTIME under a session zone; the day
 * and month names and TO_SECONDS. A MySQL TIME is a signed duration from
 * -838:59:59 to 838:59:59 (values beyond are clamped there), printed
 * '[-]HH:MM:SS[.ffffff]' with as many hour digits as it needs.
 *
 * PostgreSQL's `time` holds 00:00 .. 24:00 only, so a TIME is computed there
 * as a number of seconds, clamped, and returned as an `interval` of that many
 * microseconds: PostgreSQL prints such an interval (no day or month part)
 * exactly as MySQL prints the TIME ('-01:00:00', '838:59:59'), and the
 * PostgreSQL connector declares interval columns TIME. SQLite sources and the
 * final stage call C functions Mimir registers on its own SQLite connections
 * (proxy/backend/sqlite_functions.c), which compute on exact microseconds and
 * return MySQL's text. MySQL and MariaDB compute them natively.
 *
 * A wall clock read in a named zone follows MySQL's rules where daylight
 * saving skips it (the instant the gap begins) or repeats it (the earlier
 * instant): MySQL/MariaDB apply them in CONVERT_TZ, the planner in C for
 * constants (planner/time_zone.c), and PostgreSQL, whose AT TIME ZONE chooses
 * otherwise, gets them spelled out (pg_mysql_instant).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/functions_internal.h"
#include "planner/time_values.h"
#include "planner/time_zone.h"

/* MySQL's largest TIME, in seconds: 838:59:59. */
#define TIME_MAX_SECONDS "3020399"

static bool is_call(const expr *e, const char *name)
{
    return e->kind == EX_FUNC && strcasecmp(e->text, name) == 0;
}

static bool is_time_add(const expr *e)
{
    return (is_call(e, "addtime") || is_call(e, "subtime")) && e->nargs == 2;
}

/* A string literal that reads as a TIME ('01:30:00', '-838:59:59.5'): its microseconds. */
static bool time_literal_us(const expr *e, int64_t *us)
{
    bool is_datetime;
    int digits;
    return e->kind == EX_LITERAL && e->lit == LIT_STRING && !memchr(e->text, 0, e->text_len) &&
           tv_read(e->text, us, &is_datetime, &digits) && !is_datetime;
}

/* Is e MySQL's TIME: ADDTIME/SUBTIME of a TIME, or the TIME-valued functions? */
static bool time_valued(const expr *e)
{
    int64_t us;
    if (is_time_add(e))
        return time_valued(e->args[0]) || time_literal_us(e->args[0], &us);
    return (is_call(e, "timediff") && e->nargs == 2) ||
           (is_call(e, "sec_to_time") && e->nargs == 1) ||
           (is_call(e, "maketime") && e->nargs == 3);
}

bool sb_time_valued(const expr *e)
{
    return time_valued(e);
}

value_type function_value_type(const expr *e)
{
    return time_valued(e) || is_call(e, "curtime") || is_call(e, "current_time") ? VT_TIME
                                                                                 : VT_NULL;
}

static bool pg_seconds(print_ctx *pc, const expr *e);

/* seconds(x) + seconds(t), or - for SUBTIME, on PostgreSQL. */
static bool pg_time_sum(print_ctx *pc)
{
    sb_str(pc->b, "(");
    if (!pg_seconds(pc, pc->call->args[0]))
        return false;
    sb_str(pc->b, is_call(pc->call, "subtime") ? " - " : " + ");
    if (!pg_seconds(pc, pc->call->args[1]))
        return false;
    sb_str(pc->b, ")");
    return true;
}

/* ADDTIME(t, d) / SUBTIME of a TIME t on PostgreSQL: the sum's seconds, clamped. */
static bool pg_time_add_seconds(print_ctx *pc)
{
    const char *max = TIME_MAX_SECONDS ".999999";
    sb_str(pc->b, "(CASE WHEN ");
    if (!pg_time_sum(pc))
        return false;
    buf_printf(&pc->b->out, " > %s THEN %s WHEN ", max, max);
    if (!pg_time_sum(pc))
        return false;
    buf_printf(&pc->b->out, " < -%s THEN -%s ELSE ", max, max);
    if (!pg_time_sum(pc))
        return false;
    sb_str(pc->b, " END)");
    return true;
}

/* Argument i of the call as seconds (PostgreSQL), for the printers below. */
static bool pg_arg_seconds(print_ctx *pc, size_t i)
{
    return pg_seconds(pc, pc->call->args[i]);
}

/*
 * A number of seconds, clamped to MySQL's TIME range: 838:59:59, or
 * 838:59:59.999999 for a difference of DATETIMEs (which have microseconds on
 * PostgreSQL, as a DATETIME(6)). NULL stays NULL, which PostgreSQL's
 * GREATEST/LEAST would skip.
 */
static bool pg_clamped(print_ctx *pc, const char *seconds, bool micro)
{
    const char *max = micro ? TIME_MAX_SECONDS ".999999" : TIME_MAX_SECONDS;
    sb_str(pc->b, "(CASE WHEN ");
    if (!fn_expand(pc, seconds))
        return false;
    buf_printf(&pc->b->out, " > %s THEN %s WHEN ", max, max);
    if (!fn_expand(pc, seconds))
        return false;
    buf_printf(&pc->b->out, " < -%s THEN -%s ELSE ", max, max);
    if (!fn_expand(pc, seconds))
        return false;
    sb_str(pc->b, " END)");
    return true;
}

/* MAKETIME(h, m, s): NULL unless 0 <= m <= 59 and 0 <= s < 60; the sign is h's. */
static bool pg_maketime_seconds(print_ctx *pc)
{
    if (!fn_expand(pc, "(CASE WHEN $2 < 0 OR $2 > 59 OR $3 < 0 OR $3 >= 60 THEN NULL ELSE "))
        return false;
    if (!pg_clamped(pc,
                    "(CASE WHEN $1 < 0 THEN -1 ELSE 1 END) * (ABS(CAST($1 AS NUMERIC)) * 3600 + "
                    "CAST($2 AS NUMERIC) * 60 + CAST($3 AS NUMERIC))",
                    false))
        return false;
    sb_str(pc->b, " END)");
    return true;
}

/*
 * The seconds of e on PostgreSQL: of a TIME this family computes, its clamped
 * seconds; of anything else (a DATETIME or DATE), its time of day, as MySQL
 * reads a DATETIME where it wants a TIME.
 */
static bool pg_seconds(print_ctx *pc, const expr *e)
{
    print_ctx sub = *pc;
    sub.call = e;
    if (is_call(e, "timediff") && e->nargs == 2)
        return pg_clamped(
            &sub, "EXTRACT(EPOCH FROM (CAST($1 AS TIMESTAMP) - CAST($2 AS TIMESTAMP)))", true);
    if (is_call(e, "sec_to_time") && e->nargs == 1)
        return pg_clamped(&sub, "CAST($1 AS NUMERIC)", false);
    if (is_call(e, "maketime") && e->nargs == 3)
        return pg_maketime_seconds(&sub);
    if (is_time_add(e) && time_valued(e))
        return pg_time_add_seconds(&sub);
    int64_t us;
    if (time_literal_us(e, &us)) { /* '01:30:00': its seconds, read by the planner */
        sb_param(pc->b, PARAM_NUMBER,
                 arena_printf(pc->b->a, "%s%lld.%06lld", us < 0 ? "-" : "",
                              (long long)(llabs(us) / TV_US_PER_S),
                              (long long)(llabs(us) % TV_US_PER_S)));
        return true;
    }
    sb_str(pc->b, "EXTRACT(EPOCH FROM CAST(CAST(");
    if (!fn_print(pc, e))
        return false;
    sb_str(pc->b, " AS TIMESTAMP) AS TIME))");
    return true;
}

/* The call itself as a TIME: an interval of its seconds, to the microsecond. */
static bool pg_time_value(print_ctx *pc)
{
    sb_str(pc->b, "(CAST(ROUND(");
    if (!pg_seconds(pc, pc->call))
        return false;
    sb_str(pc->b, " * 1000000) AS DOUBLE PRECISION) * INTERVAL '1 microsecond')");
    return true;
}

static bool print_time_valued(print_ctx *pc)
{
    static const struct {
        const char *name, *sqlite, *mysql;
    } map[] = {{"timediff", "mimir_timediff($1, $2)", "TIMEDIFF($1, $2)"},
               {"sec_to_time", "mimir_sec_to_time($1)", "SEC_TO_TIME($1)"},
               {"maketime", "mimir_maketime($1, $2, $3)", "MAKETIME($1, $2, $3)"}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcasecmp(pc->call->text, map[i].name) != 0)
            continue;
        if (pc->b->dialect == DIALECT_POSTGRES)
            return pg_time_value(pc);
        return fn_expand(pc, pc->b->dialect == DIALECT_SQLITE ? map[i].sqlite : map[i].mysql);
    }
    return fn_unsupported(pc, NULL);
}

/*
 * TIME_TO_SEC(t): the seconds of a TIME (a call of this family, on PostgreSQL its
 * seconds before they become an interval), or of a DATETIME's time of day.
 */
static bool print_time_to_sec(print_ctx *pc)
{
    switch (pc->b->dialect) {
    case DIALECT_POSTGRES:
        if (sb_time_valued(pc->call->args[0])) {
            sb_str(pc->b, "trim_scale(");
            if (!pg_arg_seconds(pc, 0))
                return false;
            sb_str(pc->b, ")");
            return true;
        }
        return fn_expand(pc, "trim_scale(EXTRACT(EPOCH FROM CAST($1 AS TIME)))");
    case DIALECT_SQLITE:
        /* A registered C function reads the microseconds from the text (SQLite's own
         * functions round to milliseconds) and always returns a REAL: the column is a
         * DOUBLE whatever the first rows hold, never a BIGINT a later 3723.5 breaks. */
        return fn_expand(pc, "mimir_time_to_sec($1)");
    case DIALECT_MYSQL:
        break;
    }
    return fn_expand(pc, "TIME_TO_SEC($1)");
}

/*
 * ADDTIME(x, t) / SUBTIME(x, t): x plus or minus the TIME t, which must be a TIME
 * literal ('01:30:00') or one of the TIME functions. The result is a TIME when x
 * is one, else a DATETIME (x a DATETIME or DATE).
 */
static bool print_time_add(print_ctx *pc)
{
    int64_t us;
    const expr *t = pc->call->args[1];
    if (!time_valued(t) && !time_literal_us(t, &us))
        return fn_unsupported(pc, "the time to add must be a TIME literal such as '01:30:00' "
                                  "or a TIME function");
    bool sub = is_call(pc->call, "subtime");
    switch (pc->b->dialect) {
    case DIALECT_MYSQL:
        return fn_expand(pc, sub ? "SUBTIME($1, $2)" : "ADDTIME($1, $2)");
    case DIALECT_SQLITE:
        return fn_expand(pc, sub ? "mimir_addtime($1, $2, -1)" : "mimir_addtime($1, $2, 1)");
    case DIALECT_POSTGRES:
        break;
    }
    if (time_valued(pc->call))
        return pg_time_value(pc);
    if (!fn_expand(pc, "(CAST($1 AS TIMESTAMP) "))
        return false;
    sb_str(pc->b, sub ? "- " : "+ ");
    sb_str(pc->b, "CAST(ROUND(");
    if (!pg_arg_seconds(pc, 1))
        return false;
    sb_str(pc->b, " * 1000000) AS DOUBLE PRECISION) * INTERVAL '1 microsecond')");
    return true;
}

/* ---- TIME_FORMAT ------------------------------------------------------------------- */

/* MySQL's time format codes in PostgreSQL's to_char of an interval. */
static const struct {
    char code;
    const char *pg;
} time_codes[] = {{'H', "HH24"},
                  {'k', "FMHH24"},
                  {'h', "HH12"},
                  {'I', "HH12"},
                  {'l', "FMHH12"},
                  {'i', "MI"},
                  {'s', "SS"},
                  {'S', "SS"},
                  {'f', "US"},
                  {'p', "AM"},
                  {'r', "HH12:MI:SS AM"},
                  {'T', "HH24:MI:SS"},
                  {'%', "%"},
                  {0, NULL}};

/* The to_char pattern of a MySQL time format; false (with *bad) on a date code. */
static bool pg_time_pattern(buf *out, const char *fmt, char *bad)
{
    bool quoted = false;
    for (const char *f = fmt; *f; f++) {
        if (*f == '%' && f[1]) {
            f++;
            size_t i = 0;
            while (time_codes[i].code && time_codes[i].code != *f)
                i++;
            if (!time_codes[i].code) {
                *bad = *f;
                return false;
            }
            if (quoted)
                buf_append_byte(out, '"');
            quoted = false;
            buf_append_str(out, time_codes[i].pg);
            continue;
        }
        if (!quoted) /* literal text is quoted so to_char does not read it as a pattern */
            buf_append_byte(out, '"');
        quoted = true;
        if (*f == '"' || *f == '\\')
            buf_append_byte(out, '\\');
        buf_append_byte(out, (uint8_t)*f);
    }
    if (quoted)
        buf_append_byte(out, '"');
    return true;
}

/*
 * TIME_FORMAT(t, format): the hour, minute, second and fraction codes (%H and
 * %k may pass 23, the 12-hour codes take the hour modulo 12); a negative TIME
 * starts with '-'. Date codes (MySQL gives NULL for them) are refused.
 */
static bool print_time_format(print_ctx *pc)
{
    const expr *fmt = fn_string_arg(pc, 1, "format");
    if (!fmt)
        return false;
    buf pattern;
    buf_init(&pattern);
    char bad = 0;
    bool ok = pg_time_pattern(&pattern, fmt->text, &bad);
    char *text = arena_strdup(pc->b->a, buf_cstr(&pattern));
    buf_free(&pattern);
    if (!ok) {
        sql_error_set(pc->err, ER_NOT_SUPPORTED_YET, "42000",
                      "TIME_FORMAT(): the format code '%%%c' is not a time code (MySQL answers "
                      "NULL for it): use DATE_FORMAT",
                      bad);
        return false;
    }
    if (pc->b->dialect == DIALECT_MYSQL)
        return fn_expand(pc, "TIME_FORMAT($1, $2)");
    if (pc->b->dialect == DIALECT_SQLITE)
        return fn_expand(pc, "mimir_time_format($1, $2)");
    sb_str(pc->b, "(CASE WHEN ");
    if (!pg_arg_seconds(pc, 0))
        return false;
    sb_str(pc->b, " < 0 THEN '-' ELSE '' END || to_char(CAST(ROUND(ABS(");
    if (!pg_arg_seconds(pc, 0))
        return false;
    sb_str(pc->b, ") * 1000000) AS DOUBLE PRECISION) * INTERVAL '1 microsecond', ");
    sb_param(pc->b, PARAM_TEXT, text);
    sb_str(pc->b, "))");
    return true;
}

/* ---- CONVERT_TZ ---------------------------------------------------------------------- */

static bool is_string_literal(const expr *e)
{
    return e->kind == EX_LITERAL && e->lit == LIT_STRING && !memchr(e->text, 0, e->text_len);
}

bool convert_tz_constant(const expr *e, char *out, size_t size)
{
    return e->kind == EX_FUNC && strcasecmp(e->text, "convert_tz") == 0 && e->nargs == 3 &&
           is_string_literal(e->args[0]) && is_string_literal(e->args[1]) &&
           is_string_literal(e->args[2]) &&
           time_zone_convert_text(e->args[0]->text, e->args[1]->text, e->args[2]->text, out, size);
}

/* A typed DATETIME constant (CONVERT_TZ of a literal), or NULL. */
static bool print_datetime_constant(print_ctx *pc, const char *text)
{
    sql_builder *b = pc->b;
    if (!text) {
        sb_str(b, b->dialect == DIALECT_POSTGRES ? "CAST(NULL AS TIMESTAMP)" : "NULL");
        return true;
    }
    if (b->dialect != DIALECT_SQLITE)
        sb_str(b, "CAST(");
    sb_param(b, PARAM_TEXT, arena_strdup(b->a, text));
    if (b->dialect != DIALECT_SQLITE)
        sb_str(b, b->dialect == DIALECT_POSTGRES ? " AS TIMESTAMP)" : " AS DATETIME)");
    return true;
}

/* A zone argument of CONVERT_TZ on PostgreSQL: an interval for offsets, else the name. */
static void pg_zone(print_ctx *pc, const time_zone *z)
{
    char offset[8];
    if (z->kind == TZ_NAMED) {
        sb_param(pc->b, PARAM_TEXT, arena_strdup(pc->b->a, z->text));
        return;
    }
    sb_str(pc->b, "CAST(");
    sb_param(pc->b, PARAM_TEXT, arena_strdup(pc->b->a, time_zone_offset_text(z, offset)));
    sb_str(pc->b, " AS INTERVAL)");
}

/*
 * PostgreSQL: dt's wall clock read in `from` is an instant (timestamp AT TIME ZONE),
 * shown in `to` (timestamptz AT TIME ZONE); outside MySQL's TIMESTAMP range dt is
 * returned as it is, as MySQL does.
 */
/* (CAST(dt AS TIMESTAMP) AT TIME ZONE from): the instant of dt's wall clock in `from`. */
static bool pg_instant(print_ctx *pc, const time_zone *from)
{
    sb_str(pc->b, "(CAST(");
    if (!fn_print(pc, pc->call->args[0]))
        return false;
    sb_str(pc->b, " AS TIMESTAMP) AT TIME ZONE ");
    pg_zone(pc, from);
    sb_str(pc->b, ")");
    return true;
}

/* The offset of zone z at instant t (SQL text), in seconds: EXTRACT of the wall clock's
 * distance from UTC's. */
static void pg_offset(print_ctx *pc, const char *t, const time_zone *z)
{
    buf_printf(&pc->b->out, "EXTRACT(EPOCH FROM ((%s AT TIME ZONE ", t);
    pg_zone(pc, z);
    buf_printf(&pc->b->out, ") - (%s AT TIME ZONE 'UTC')))", t);
}

/*
 * MySQL's instant of dt's wall clock in a named zone, on PostgreSQL, whose own
 * AT TIME ZONE reads a wall clock that daylight saving skips or repeats
 * otherwise: with the offsets a day before and after (lo, hi), the candidate
 * dt - hi is the earlier instant of a repeated wall clock (MySQL's choice),
 * dt - lo the only one elsewhere, and a skipped wall clock is the instant its
 * gap begins (the first whole minute from dt - hi on with offset hi).
 */
static bool pg_mysql_instant(print_ctx *pc, const time_zone *from)
{
    sb_str(pc->b, "(SELECT CASE WHEN ");
    pg_offset(pc, "mimir_chi", from);
    sb_str(pc->b, " = mimir_hi THEN mimir_chi WHEN ");
    pg_offset(pc, "mimir_clo", from);
    sb_str(pc->b,
           " = mimir_lo THEN mimir_clo ELSE (SELECT min(g) FROM generate_series("
           "date_trunc('minute', mimir_chi), mimir_clo, INTERVAL '1 minute') AS s(g) WHERE ");
    pg_offset(pc, "g", from);
    sb_str(pc->b, " = mimir_hi) END FROM (SELECT mimir_u - mimir_hi * INTERVAL '1 second' AS "
                  "mimir_chi, mimir_u - mimir_lo * INTERVAL '1 second' AS mimir_clo, mimir_hi, "
                  "mimir_lo FROM (SELECT mimir_u, GREATEST(");
    for (int i = 0; i < 2; i++) {
        if (i)
            sb_str(pc->b, ") AS mimir_hi, LEAST(");
        pg_offset(pc, "(mimir_u - INTERVAL '1 day')", from);
        sb_str(pc->b, ", ");
        pg_offset(pc, "(mimir_u + INTERVAL '1 day')", from);
    }
    sb_str(pc->b, ") AS mimir_lo FROM (SELECT CAST(");
    if (!fn_print(pc, pc->call->args[0]))
        return false;
    sb_str(pc->b, " AS TIMESTAMP) AT TIME ZONE 'UTC' AS mimir_u) AS mimir_tz1) AS mimir_tz2) AS "
                  "mimir_tz3)");
    return true;
}

static bool pg_convert_tz(print_ctx *pc, const time_zone *from, const time_zone *to)
{
    if (from->kind == TZ_NAMED) {
        /* (SELECT CASE WHEN i in MySQL's TIMESTAMP range THEN i AT TIME ZONE to ELSE dt END) */
        sb_str(pc->b, "(SELECT CASE WHEN mimir_i >= TIMESTAMPTZ '1970-01-01 00:00:01+00' AND "
                      "mimir_i < TIMESTAMPTZ '2038-01-19 03:14:08+00' THEN mimir_i AT TIME ZONE ");
        pg_zone(pc, to);
        sb_str(pc->b, " ELSE CAST(");
        if (!fn_print(pc, pc->call->args[0]))
            return false;
        sb_str(pc->b, " AS TIMESTAMP) END FROM (SELECT ");
        if (!pg_mysql_instant(pc, from))
            return false;
        sb_str(pc->b, " AS mimir_i) AS mimir_tz4)");
        return true;
    }
    sb_str(pc->b, "(CASE WHEN ");
    if (!pg_instant(pc, from))
        return false;
    sb_str(pc->b, " >= TIMESTAMPTZ '1970-01-01 00:00:01+00' AND ");
    if (!pg_instant(pc, from))
        return false;
    sb_str(pc->b, " < TIMESTAMPTZ '2038-01-19 03:14:08+00' THEN (");
    if (!pg_instant(pc, from))
        return false;
    sb_str(pc->b, " AT TIME ZONE ");
    pg_zone(pc, to);
    sb_str(pc->b, ") ELSE CAST(");
    if (!fn_print(pc, pc->call->args[0]))
        return false;
    sb_str(pc->b, " AS TIMESTAMP) END)");
    return true;
}

/* MySQL and MariaDB: their own CONVERT_TZ; a named zone needs the server's tz tables,
 * which the connector checks (UTC is written '+00:00', which needs none). */
static void mysql_zone(print_ctx *pc, const time_zone *z)
{
    char offset[8];
    if (z->kind == TZ_NAMED && !pc->b->named_zone)
        pc->b->named_zone = arena_strdup(pc->b->a, z->text);
    sb_param(
        pc->b, PARAM_TEXT,
        arena_strdup(pc->b->a, z->kind == TZ_NAMED ? z->text : time_zone_offset_text(z, offset)));
}

/* SQLite: the zone as Mimir's registered functions read it (proxy/backend/
 * sqlite_time_functions.h): a name of the tz database, or an offset. */
static void sqlite_zone(print_ctx *pc, const time_zone *z)
{
    char offset[8];
    sb_param(
        pc->b, PARAM_TEXT,
        arena_strdup(pc->b->a, z->kind == TZ_NAMED ? z->text : time_zone_offset_text(z, offset)));
}

/*
 * FROM_UNIXTIME(n) in a session zone other than UTC: the wall clock of instant n
 * there, which is one value however the zone's clocks jump (the other way, a
 * wall clock to an instant, is not). PostgreSQL: the instant AT TIME ZONE;
 * MySQL/MariaDB (sessions in UTC): CONVERT_TZ from '+00:00'; SQLite:
 * mimir_tz_local, which reads the tz database.
 */
bool fn_print_from_unixtime_zoned(print_ctx *pc)
{
    const time_zone *z = pc->b->tz;
    switch (pc->b->dialect) {
    case DIALECT_POSTGRES:
        if (!fn_expand(pc, "(CASE WHEN $1 >= 0 THEN (TIMESTAMPTZ '1970-01-01 00:00:00+00' + $1 * "
                           "INTERVAL '1 second') AT TIME ZONE "))
            return false;
        pg_zone(pc, z);
        sb_str(pc->b, " END)");
        return true;
    case DIALECT_MYSQL:
        if (!fn_expand(pc, "CONVERT_TZ(FROM_UNIXTIME($1), '+00:00', "))
            return false;
        mysql_zone(pc, z);
        sb_str(pc->b, ")");
        return true;
    case DIALECT_SQLITE:
        break;
    }
    if (!fn_expand(pc, "(CASE WHEN $1 >= 0 THEN mimir_tz_local(datetime($1, 'unixepoch'), "))
        return false;
    sqlite_zone(pc, z);
    sb_str(pc->b, ") END)");
    return true;
}

/*
 * UNIX_TIMESTAMP(x) of a wall clock x (a DATE, a DATETIME) in a session zone
 * other than UTC: the instant x names there, by MySQL's rules for the wall
 * clocks a daylight-saving change skips (the start of the gap) or repeats (the
 * earlier instant). MySQL/MariaDB: CONVERT_TZ to UTC, their own rules;
 * PostgreSQL: those rules spelled out (pg_mysql_instant); SQLite: mimir_tz_utc,
 * which applies the same rules (planner/tz_database.h). An offset zone skips and
 * repeats nothing.
 */
bool fn_print_unix_timestamp_zoned(print_ctx *pc)
{
    const time_zone *z = pc->b->tz;
    switch (pc->b->dialect) {
    case DIALECT_MYSQL:
        sb_str(pc->b, "UNIX_TIMESTAMP(CONVERT_TZ(");
        if (!fn_print(pc, pc->call->args[0]))
            return false;
        sb_str(pc->b, ", ");
        mysql_zone(pc, z);
        sb_str(pc->b, ", '+00:00'))");
        return true;
    case DIALECT_POSTGRES:
        sb_str(pc->b, "trim_scale(EXTRACT(EPOCH FROM ");
        if (z->kind == TZ_NAMED) {
            if (!pg_mysql_instant(pc, z))
                return false;
        } else {
            if (!fn_expand(pc, "(CAST($1 AS TIMESTAMP) AT TIME ZONE "))
                return false;
            pg_zone(pc, z);
            sb_str(pc->b, ")");
        }
        sb_str(pc->b, "))");
        return true;
    case DIALECT_SQLITE:
        break;
    }
    if (!fn_expand(pc, "mimir_epoch(mimir_tz_utc($1, "))
        return false;
    sqlite_zone(pc, z);
    sb_str(pc->b, "))");
    return true;
}

/*
 * CONVERT_TZ(dt, from, to): the zones are literals (or @@time_zone, which the
 * planner has made one) of the forms SET time_zone takes; an unknown zone gives
 * NULL, as in MySQL. A literal dt is converted by the planner itself.
 */
static bool print_convert_tz(print_ctx *pc)
{
    const expr *from_arg = fn_string_arg(pc, 1, "source time zone");
    const expr *to_arg = from_arg ? fn_string_arg(pc, 2, "target time zone") : NULL;
    if (!to_arg)
        return false;
    char text[TV_TEXT_SIZE];
    if (is_string_literal(pc->call->args[0]))
        return print_datetime_constant(
            pc, convert_tz_constant(pc->call, text, sizeof(text)) ? text : NULL);
    time_zone from, to;
    if (!time_zone_parse(from_arg->text, &from) || !time_zone_parse(to_arg->text, &to))
        return print_datetime_constant(pc, NULL);
    switch (pc->b->dialect) {
    case DIALECT_POSTGRES:
        return pg_convert_tz(pc, &from, &to);
    case DIALECT_MYSQL:
        sb_str(pc->b, "CONVERT_TZ(");
        if (!fn_print(pc, pc->call->args[0]))
            return false;
        sb_str(pc->b, ", ");
        mysql_zone(pc, &from);
        sb_str(pc->b, ", ");
        mysql_zone(pc, &to);
        sb_str(pc->b, ")");
        return true;
    case DIALECT_SQLITE:
        break;
    }
    if (from.kind == TZ_NAMED || to.kind == TZ_NAMED) {
        /* Mimir's own CONVERT_TZ over the tz database (proxy/backend/sqlite_time_functions.h) */
        sb_str(pc->b, "mimir_convert_tz_zones(");
        if (!fn_print(pc, pc->call->args[0]))
            return false;
        sb_str(pc->b, ", ");
        sqlite_zone(pc, &from);
        sb_str(pc->b, ", ");
        sqlite_zone(pc, &to);
        sb_str(pc->b, ")");
        return true;
    }
    sb_str(pc->b, "mimir_convert_tz(");
    if (!fn_print(pc, pc->call->args[0]))
        return false;
    snprintf(text, sizeof(text), ", %d, %d)", from.offset_minutes, to.offset_minutes);
    sb_str(pc->b, text);
    return true;
}

const function_map time_functions[] = {
    {"timediff", 2, 2, T(NULL, NULL, NULL), print_time_valued},
    {"sec_to_time", 1, 1, T(NULL, NULL, NULL), print_time_valued},
    {"maketime", 3, 3, T(NULL, NULL, NULL), print_time_valued},
    {"time_format", 2, 2, T(NULL, NULL, NULL), print_time_format},
    {"convert_tz", 3, 3, T(NULL, NULL, NULL), print_convert_tz},
    {"time_to_sec", 1, 1, T(NULL, NULL, NULL), print_time_to_sec},
    {"addtime", 2, 2, T(NULL, NULL, NULL), print_time_add},
    {"subtime", 2, 2, T(NULL, NULL, NULL), print_time_add},
    /* The session's clock: in a zone other than UTC a parameter the planner reads, as NOW(). */
    {"curtime", 0, 1, T("CAST(LOCALTIME(0) AS TIME)", "time('now')", "CURTIME()"), NULL},
    {"current_time", 0, 1, T("CAST(LOCALTIME(0) AS TIME)", "time('now')", "CURTIME()"), NULL},
    /* English names, as MySQL's default lc_time_names (en_US). */
    {"dayname", 1, 1,
     T("to_char(CAST($1 AS TIMESTAMP), 'FMDay')",
       "(CASE CAST(strftime('%w', date($1)) AS INTEGER) WHEN 0 THEN 'Sunday' WHEN 1 THEN 'Monday' "
       "WHEN 2 "
       "THEN 'Tuesday' WHEN 3 THEN 'Wednesday' WHEN 4 THEN 'Thursday' WHEN 5 THEN 'Friday' WHEN 6 "
       "THEN 'Saturday' END)",
       "DAYNAME($1)"),
     NULL},
    {"monthname", 1, 1,
     T("to_char(CAST($1 AS TIMESTAMP), 'FMMonth')",
       "(CASE CAST(strftime('%m', date($1)) AS INTEGER) WHEN 1 THEN 'January' WHEN 2 THEN "
       "'February' "
       "WHEN 3 THEN 'March' WHEN 4 THEN 'April' WHEN 5 THEN 'May' WHEN 6 THEN 'June' WHEN 7 THEN "
       "'July' WHEN 8 THEN 'August' WHEN 9 THEN 'September' WHEN 10 THEN 'October' WHEN 11 THEN "
       "'November' WHEN 12 THEN 'December' END)",
       "MONTHNAME($1)"),
     NULL},
    /* Seconds since year 0: TO_DAYS(d) * 86400 plus the time of day. */
    {"to_seconds", 1, 1,
     T("((CAST(CAST($1 AS TIMESTAMP) AS DATE) - DATE '0001-01-01' + 366) * CAST(86400 AS BIGINT) "
       "+ CAST(FLOOR(EXTRACT(EPOCH FROM CAST(CAST($1 AS TIMESTAMP) AS TIME))) AS BIGINT))",
       "((CAST(julianday(date($1)) - julianday('0001-01-01') AS INTEGER) + 366) * 86400 + "
       "CAST(strftime('%H', $1) AS INTEGER) * 3600 + CAST(strftime('%M', $1) AS INTEGER) * 60 + "
       "CAST(strftime('%S', $1) AS INTEGER))",
       "TO_SECONDS($1)"),
     NULL},
    {NULL, 0, 0, {NULL, NULL, NULL}, NULL},
};
