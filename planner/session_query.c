#include "planner/session_query.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "planner/functions.h"
#include "planner/periods.h"
#include "planner/sql_builder.h"
#include "planner/time_values.h"
#include "wire/utf8.h"

typedef struct variable {
    const char *name;
    const char *value; /* NULL: computed from the session below */
    value_type type;
} variable;

/* The variables drivers read on connect, with the values of a UTF-8 MySQL 8.0. */
static const variable variables[] = {
    {"version_comment", "Mimir metrics store (MySQL protocol)", VT_TEXT},
    {"innodb_version", "8.0.34", VT_TEXT},
    {"version", MIMIR_SERVER_VERSION, VT_TEXT},
    {"version_compile_os", "Linux", VT_TEXT},
    {"version_compile_machine", "x86_64", VT_TEXT},
    {"max_allowed_packet", "67108864", VT_INT64},
    {"net_buffer_length", "16384", VT_INT64},
    {"auto_increment_increment", "1", VT_INT64},
    {"character_set_client", "utf8mb4", VT_TEXT},
    {"character_set_connection", "utf8mb4", VT_TEXT},
    {"character_set_results", "utf8mb4", VT_TEXT},
    {"character_set_server", "utf8mb4", VT_TEXT},
    {"character_set_database", "utf8mb4", VT_TEXT},
    {"character_set_system", "utf8mb3", VT_TEXT},
    {"collation_connection", "utf8mb4_general_ci", VT_TEXT},
    {"collation_server", "utf8mb4_general_ci", VT_TEXT},
    {"collation_database", "utf8mb4_general_ci", VT_TEXT},
    {"init_connect", "", VT_TEXT},
    {"interactive_timeout", "28800", VT_INT64},
    {"wait_timeout", "28800", VT_INT64},
    {"net_write_timeout", "60", VT_INT64},
    {"net_read_timeout", "30", VT_INT64},
    {"license", "Apache-2.0", VT_TEXT},
    {"lower_case_table_names", "0", VT_INT64},
    {"performance_schema", "0", VT_INT64},
    {"query_cache_size", "0", VT_INT64},
    {"query_cache_type", "OFF", VT_TEXT},
    {"sql_mode", "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION", VT_TEXT},
    {"system_time_zone", "UTC", VT_TEXT},
    {"time_zone", NULL, VT_TEXT},
    {"transaction_isolation", "REPEATABLE-READ", VT_TEXT},
    {"tx_isolation", "REPEATABLE-READ", VT_TEXT},
    {"transaction_read_only", "1", VT_INT64},
    {"tx_read_only", "1", VT_INT64},
    {"read_only", "1", VT_INT64},
    {"sql_select_limit", NULL, VT_INT64},
    {"max_execution_time", NULL, VT_INT64},
    {"mimir_rollups", NULL, VT_INT64}, /* SET mimir_rollups = OFF: never answer from a rollup */
    {"protocol_version", "10", VT_INT64},
    {"have_ssl", "DISABLED", VT_TEXT},
    {"autocommit", NULL, VT_INT64},
    {"hostname", "localhost", VT_TEXT},
    {"port", "3306", VT_INT64},
    {"default_storage_engine", "Mimir", VT_TEXT},
    {"default_tmp_storage_engine", "Mimir", VT_TEXT},
    {"storage_engine", "Mimir", VT_TEXT},
    {"last_insert_id", "0", VT_INT64},
    {"identity", "0", VT_INT64},
    {"warning_count", NULL, VT_INT64},
    {"error_count", NULL, VT_INT64},
    /* The rest of what drivers, BI tools and dump programs read. */
    {"character_set_filesystem", "binary", VT_TEXT},
    {"character_sets_dir", "/usr/share/mysql/charsets/", VT_TEXT},
    {"default_week_format", "0", VT_INT64},
    {"div_precision_increment", "4", VT_INT64},
    {"explicit_defaults_for_timestamp", "1", VT_INT64},
    {"foreign_key_checks", "1", VT_INT64},
    {"group_concat_max_len", "1024", VT_INT64},
    {"gtid_mode", "OFF", VT_TEXT},
    {"have_query_cache", "NO", VT_TEXT},
    {"information_schema_stats_expiry", "86400", VT_INT64},
    {"init_command", "", VT_TEXT},
    {"local_infile", "0", VT_INT64},
    {"log_bin", "0", VT_INT64},
    {"long_query_time", "10.000000", VT_DECIMAL},
    {"lower_case_file_system", "0", VT_INT64},
    {"max_connections", "151", VT_INT64},
    {"max_join_size", "18446744073709551615", VT_INT64},
    {"max_sort_length", "1024", VT_INT64},
    {"net_retry_count", "10", VT_INT64},
    {"offline_mode", "0", VT_INT64},
    {"old_passwords", "0", VT_INT64},
    {"query_cache_limit", "1048576", VT_INT64},
    {"query_cache_min_res_unit", "4096", VT_INT64},
    {"query_cache_wlock_invalidate", "0", VT_INT64},
    {"server_id", "1", VT_INT64},
    {"session_track_schema", "1", VT_INT64},
    {"session_track_state_change", "0", VT_INT64},
    {"session_track_system_variables",
     "time_zone,autocommit,character_set_client,"
     "character_set_results,character_set_connection",
     VT_TEXT},
    {"session_track_transaction_info", "OFF", VT_TEXT},
    {"skip_name_resolve", "1", VT_INT64},
    {"skip_networking", "0", VT_INT64},
    {"sql_auto_is_null", "0", VT_INT64},
    {"sql_big_selects", "1", VT_INT64},
    {"sql_notes", "1", VT_INT64},
    {"sql_quote_show_create", "1", VT_INT64},
    {"sql_safe_updates", "0", VT_INT64},
    {"sql_warnings", "0", VT_INT64},
    {"super_read_only", "0", VT_INT64},
    {"thread_handling", "one-thread", VT_TEXT},
    {"time_format", "%H:%i:%s", VT_TEXT},
    {"date_format", "%Y-%m-%d", VT_TEXT},
    {"datetime_format", "%Y-%m-%d %H:%i:%s", VT_TEXT},
    {"unique_checks", "1", VT_INT64},
    {"updatable_views_with_limit", "YES", VT_TEXT},
    {"version_compile_zlib", "", VT_TEXT},
    {NULL, NULL, VT_NULL},
};

/* The value's text may be in a buffer the next call reuses: copy it to keep it. */
const char *server_variable(const session_info *s, const char *name, value_type *type)
{
    for (const variable *v = variables; v->name; v++) {
        if (strcasecmp(v->name, name) != 0)
            continue;
        *type = v->type;
        if (v->value)
            return v->value;
        if (strcmp(v->name, "autocommit") == 0)
            return s->autocommit ? "1" : "0";
        if (strcmp(v->name, "mimir_rollups") == 0)
            return s->rollups_off ? "0" : "1";
        if (strcmp(v->name, "time_zone") == 0)
            return s->tz.text[0] ? s->tz.text : "+00:00";
        static char text[24];
        if (strcmp(v->name, "max_execution_time") == 0) {
            snprintf(text, sizeof(text), "%llu", (unsigned long long)s->max_execution_time_ms);
            return text;
        }
        if (strcmp(v->name, "warning_count") == 0 || strcmp(v->name, "error_count") == 0) {
            size_t n = 0;
            for (size_t i = 0; i < s->ndiagnostics; i++)
                n += v->name[0] == 'w' || strcmp(s->diagnostics[i].level, "Error") == 0;
            snprintf(text, sizeof(text), "%zu", n);
            return text;
        }
        if (strcmp(v->name, "sql_select_limit") == 0) {
            snprintf(text, sizeof(text), "%llu",
                     s->select_limited ? (unsigned long long)s->sql_select_limit : UINT64_MAX);
            return text;
        }
    }
    return NULL;
}

/* Booleans: @@name reads 0 or 1, SHOW VARIABLES prints OFF or ON. */
static const char *const on_off_variables[] = {"performance_schema",
                                               "mimir_rollups",
                                               "transaction_read_only",
                                               "tx_read_only",
                                               "read_only",
                                               "autocommit",
                                               "explicit_defaults_for_timestamp",
                                               "foreign_key_checks",
                                               "local_infile",
                                               "log_bin",
                                               "lower_case_file_system",
                                               "offline_mode",
                                               "query_cache_wlock_invalidate",
                                               "session_track_schema",
                                               "session_track_state_change",
                                               "skip_name_resolve",
                                               "skip_networking",
                                               "sql_auto_is_null",
                                               "sql_big_selects",
                                               "sql_notes",
                                               "sql_quote_show_create",
                                               "sql_safe_updates",
                                               "sql_warnings",
                                               "super_read_only",
                                               "unique_checks",
                                               NULL};

static bool is_on_off(const char *name)
{
    for (const char *const *v = on_off_variables; *v; v++)
        if (strcmp(*v, name) == 0)
            return true;
    return false;
}

bool server_variable_at(const session_info *s, size_t i, const char **name, const char **value)
{
    static const size_t count = sizeof(variables) / sizeof(variables[0]) - 1;
    if (i >= count)
        return false;
    const variable *v = &variables[i];
    value_type type;
    const char *text = server_variable(s, v->name, &type);
    if (!text)
        text = "";
    *name = v->name;
    *value = is_on_off(v->name) ? (strcmp(text, "0") == 0 ? "OFF" : "ON") : text;
    return true;
}

typedef struct value {
    const char *text; /* NULL is SQL NULL */
    value_type type;
    size_t len; /* VT_BLOB: bytes in text, which may hold NUL bytes */
} value;

static bool eval(arena *a, const session_info *s, const expr *e, value *out, sql_error *err);

/* Arguments evaluated; false (error set) on a wrong count; *null when one is NULL. */
static bool eval_args(arena *a, const session_info *s, const expr *e, size_t n, value *args,
                      bool *null, sql_error *err)
{
    if (e->nargs != n) {
        sql_error_set(err, ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT, "42000",
                      "Incorrect parameter count in the call to native function '%s'", e->text);
        return false;
    }
    *null = false;
    for (size_t i = 0; i < n; i++) {
        if (!eval(a, s, e->args[i], &args[i], err))
            return false;
        *null |= args[i].text == NULL;
    }
    return true;
}

/*
 * CONVERT_TZ, TIMEDIFF and TIME_FORMAT of constants (Metabase's probe of the
 * server's zone: time_format(timediff(now(), convert_tz(now(), @@GLOBAL.time_zone,
 * '+00:00')), '%H:%i')), computed as MySQL does (planner/time_values.h); NULL
 * where MySQL answers NULL (an unknown zone, a date code in TIME_FORMAT).
 */
static bool eval_time_function(arena *a, const session_info *s, const expr *e, value *out,
                               sql_error *err)
{
    bool convert = !strcasecmp(e->text, "convert_tz"), diff = !strcasecmp(e->text, "timediff");
    value args[3];
    bool null;
    if (!eval_args(a, s, e, convert ? 3 : 2, args, &null, err))
        return false;
    out->type = convert ? VT_DATETIME : diff ? VT_TIME : VT_TEXT;
    out->text = NULL;
    char text[512];
    int64_t x, y;
    bool x_dt, y_dt;
    int x_digits, y_digits;
    if (null) {
        return true;
    } else if (convert) {
        if (time_zone_convert_text(args[0].text, args[1].text, args[2].text, text, sizeof(text)))
            out->text = arena_strdup(a, text);
    } else if (diff) {
        if (tv_read(args[0].text, &x, &x_dt, &x_digits) &&
            tv_read(args[1].text, &y, &y_dt, &y_digits) && x_dt == y_dt) {
            int digits = x_digits > y_digits ? x_digits : y_digits;
            tv_time_text(tv_clamp_time(x - y, digits > 0), digits, text);
            out->text = arena_strdup(a, text);
        }
    } else if (tv_read_time_part(args[0].text, &x) &&
               tv_time_format(tv_clamp_time(x, true), args[1].text, text, sizeof(text))) {
        out->text = arena_strdup(a, text);
    }
    return true;
}

/* ---- Dates and times of constants ------------------------------------------------
 *
 * The statement's clock (NOW(), CURDATE(), ... read once per statement in the
 * session's zone: session_info.clock_us), DATE_ADD and its synonyms, `± INTERVAL
 * n unit`, DATE(), TIMESTAMP() and casts to DATE or DATETIME, computed as MySQL
 * does on wall-clock microseconds (planner/time_values.h, planner/periods.h). The
 * same evaluator answers SELECT without FROM and folds the time bounds of a
 * metrics query written with the clock (session_fold_time).
 */

static bool unsupported_without_from(sql_error *err);

static bool name_in(const char *name, const char *const *names)
{
    for (const char *const *n = names; *n; n++)
        if (!strcasecmp(name, *n))
            return true;
    return false;
}

static bool clock_function(const char *f)
{
    static const char *const names[] = {
        "now",     "current_timestamp", "localtimestamp", "localtime", "utc_timestamp", "sysdate",
        "curdate", "current_date",      "utc_date",       "curtime",   "current_time",  "utc_time",
        NULL};
    return name_in(f, names);
}

static bool date_add_function(const char *f)
{
    static const char *const names[] = {"date_add", "date_sub", "adddate", "subdate", NULL};
    return name_in(f, names);
}

/* The DATETIME range MySQL's date arithmetic stays in (else its answer is NULL). */
#define DATETIME_MIN_US (INT64_C(-62167219200) * TV_US_PER_S)              /* 0000-01-01 */
#define DATETIME_MAX_US (INT64_C(253402300800) * TV_US_PER_S - INT64_C(1)) /* 9999-12-31 */
#define US_PER_DAY      (INT64_C(86400) * TV_US_PER_S)

/* A DATE's or DATETIME's value: microseconds since 1970, whether it is a DATE (no time
 * part), and its fraction digits. False for NULL or text MySQL would not read. */
static bool temporal_of(const value *v, int64_t *us, bool *is_date, int *digits)
{
    bool is_datetime;
    if (!v->text || v->type == VT_BLOB || !tv_read(v->text, us, &is_datetime, digits) ||
        !is_datetime)
        return false;
    *is_date = v->type == VT_DATE || (v->type != VT_DATETIME && strlen(v->text) == 10);
    return true;
}

/* us as a DATE ('YYYY-MM-DD') or a DATETIME with `digits` fraction digits; NULL when
 * outside MySQL's range. type VT_TEXT stays (a string argument gives a string). */
static void temporal_value(arena *a, int64_t us, bool is_date, int digits, value_type type,
                           value *out)
{
    out->type = type == VT_TEXT ? VT_TEXT : is_date ? VT_DATE : VT_DATETIME;
    out->text = NULL;
    if (us < DATETIME_MIN_US || us > DATETIME_MAX_US)
        return;
    char text[TV_TEXT_SIZE];
    tv_datetime_text(us, is_date ? 0 : digits, text);
    if (is_date)
        text[10] = 0;
    out->text = arena_strdup(a, text);
}

/* NOW([fsp]) and the other readings of the statement's clock, in the session's zone
 * (UTC_...: in UTC). SYSDATE() reads the same clock here: without FROM there is one row. */
static bool eval_clock(arena *a, const session_info *s, const expr *e, value *out, sql_error *err)
{
    const char *f = e->text;
    int fsp = 0;
    if (e->nargs > 1)
        return unsupported_without_from(err);
    if (e->nargs == 1) {
        value v;
        if (!eval(a, s, e->args[0], &v, err))
            return false;
        if (v.type != VT_INT64 || !v.text || strtoll(v.text, NULL, 10) < 0)
            return unsupported_without_from(err);
        if (strtoll(v.text, NULL, 10) > 6)
            return clock_precision_refused(f, v.text, err);
        fsp = (int)strtoll(v.text, NULL, 10);
    }
    int64_t clock = time_zone_clock(s->clock_us);
    int64_t wall = strncasecmp(f, "utc_", 4) == 0 ? clock : time_zone_wall_us(&s->tz, clock);
    int64_t unit = 1;
    for (int i = fsp; i < 6; i++)
        unit *= 10;
    int64_t us = wall - (wall % unit + unit) % unit; /* fsp digits, truncated as MySQL */
    bool date_only = strcasestr(f, "date") != NULL;
    bool time_only =
        !strcasecmp(f, "curtime") || !strcasecmp(f, "current_time") || !strcasecmp(f, "utc_time");
    if (time_only) {
        int64_t day = us - (us / US_PER_DAY - (us % US_PER_DAY < 0)) * US_PER_DAY;
        char text[TV_TEXT_SIZE];
        tv_time_text(day, fsp, text);
        out->text = arena_strdup(a, text);
        out->type = VT_TIME;
        return true;
    }
    temporal_value(a, us, date_only, fsp, date_only ? VT_DATE : VT_DATETIME, out);
    return true;
}

/* INTERVAL n unit's n: an integer (MySQL rounds other amounts: not folded here). */
static bool interval_amount(arena *a, const session_info *s, const expr *iv, int64_t *n, bool *null,
                            sql_error *err)
{
    value v;
    if (!eval(a, s, iv->left, &v, err))
        return false;
    *null = !v.text;
    if (*null)
        return true;
    if (v.type != VT_INT64)
        return unsupported_without_from(err);
    *n = strtoll(v.text, NULL, 10);
    return true;
}

/* d + n units as MySQL's DATE_ADD: a DATE stays one when the unit is days or longer;
 * months keep the day or take the month's last. NULL outside MySQL's range. */
static void date_add_value(arena *a, const value *d, int64_t n, const char *unit, value *out)
{
    int64_t us;
    bool is_date;
    int digits;
    out->type = d->type == VT_TEXT ? VT_TEXT : VT_DATETIME;
    out->text = NULL;
    if (!temporal_of(d, &us, &is_date, &digits))
        return;
    static const struct {
        const char *unit;
        int64_t us;
    } fixed[] = {{"MICROSECOND", 1},           {"SECOND", TV_US_PER_S},
                 {"MINUTE", 60 * TV_US_PER_S}, {"HOUR", 3600 * TV_US_PER_S},
                 {"DAY", US_PER_DAY},          {"WEEK", 7 * US_PER_DAY}};
    static const struct {
        const char *unit;
        time_unit u;
    } calendar[] = {
        {"MONTH", TIME_UNIT_MONTH}, {"QUARTER", TIME_UNIT_QUARTER}, {"YEAR", TIME_UNIT_YEAR}};
    const int64_t span = DATETIME_MAX_US - DATETIME_MIN_US;
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        if (strcasecmp(unit, fixed[i].unit) != 0)
            continue;
        if (n > span / fixed[i].us || n < -(span / fixed[i].us))
            return;
        bool days = fixed[i].us >= US_PER_DAY;
        if (fixed[i].us == 1 && digits < 6)
            digits = 6;
        temporal_value(a, us + n * fixed[i].us, is_date && days, digits, d->type, out);
        return;
    }
    for (size_t i = 0; i < sizeof(calendar) / sizeof(calendar[0]); i++) {
        if (strcasecmp(unit, calendar[i].unit) != 0)
            continue;
        if (n > 120000 || n < -120000)
            return;
        temporal_value(a, period_date_add(us, n, calendar[i].u), is_date, digits, d->type, out);
        return;
    }
}

/* DATE_ADD(d, INTERVAL n unit), d + INTERVAL n unit, INTERVAL n unit + d, d - INTERVAL. */
static bool eval_date_add(arena *a, const session_info *s, const expr *d, const expr *iv,
                          bool subtract, value *out, sql_error *err)
{
    value v;
    int64_t n = 0;
    bool null;
    if (!eval(a, s, d, &v, err))
        return false;
    if (iv->kind != EX_INTERVAL) { /* ADDDATE(d, n): days */
        expr *days = arena_alloc(a, sizeof(*days));
        *days = (expr){.kind = EX_INTERVAL, .left = (expr *)iv, .text = "DAY", .text_len = 3};
        iv = days;
    }
    if (!interval_amount(a, s, iv, &n, &null, err))
        return false;
    out->type = VT_DATETIME;
    out->text = NULL;
    if (null || !v.text)
        return true;
    if (strcasecmp(iv->text, "MICROSECOND") != 0 && strcasecmp(iv->text, "SECOND") != 0 &&
        strcasecmp(iv->text, "MINUTE") != 0 && strcasecmp(iv->text, "HOUR") != 0 &&
        strcasecmp(iv->text, "DAY") != 0 && strcasecmp(iv->text, "WEEK") != 0 &&
        strcasecmp(iv->text, "MONTH") != 0 && strcasecmp(iv->text, "QUARTER") != 0 &&
        strcasecmp(iv->text, "YEAR") != 0)
        return unsupported_without_from(err);
    if (n == INT64_MIN)
        return true;
    date_add_value(a, &v, subtract ? -n : n, iv->text, out);
    return true;
}

/* DATE(x), TIMESTAMP(x), CAST(x AS DATE), CAST(x AS DATETIME[(n)]): x read as MySQL
 * reads a DATETIME; NULL when it is not one. digits < 0: x's own. */
static bool eval_temporal_cast(arena *a, const session_info *s, const expr *x, bool to_date,
                               int digits, value *out, sql_error *err)
{
    value v;
    if (!eval(a, s, x, &v, err))
        return false;
    int64_t us;
    bool is_date;
    int own;
    out->type = to_date ? VT_DATE : VT_DATETIME;
    out->text = NULL;
    if (!temporal_of(&v, &us, &is_date, &own))
        return true;
    if (to_date) {
        us -= (us % US_PER_DAY + US_PER_DAY) % US_PER_DAY;
    } else if (digits >= 0 && digits < own) {
        int64_t unit = 1;
        for (int i = digits; i < 6; i++)
            unit *= 10;
        us = (us + unit / 2) - ((us + unit / 2) % unit + unit) % unit; /* rounded, as MySQL */
    }
    temporal_value(a, us, to_date, digits >= 0 ? digits : own, out->type, out);
    return true;
}

static bool eval_date_function(arena *a, const session_info *s, const expr *e, value *out,
                               sql_error *err)
{
    const char *f = e->text;
    if (date_add_function(f)) {
        if (e->nargs != 2) {
            sql_error_set(err, ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT, "42000",
                          "Incorrect parameter count in the call to native function '%s'", f);
            return false;
        }
        if (e->args[1]->kind != EX_INTERVAL &&
            (!strcasecmp(f, "date_add") || !strcasecmp(f, "date_sub")))
            return unsupported_without_from(err);
        bool subtract = !strcasecmp(f, "date_sub") || !strcasecmp(f, "subdate");
        return eval_date_add(a, s, e->args[0], e->args[1], subtract, out, err);
    }
    if (e->nargs != 1) {
        sql_error_set(err, ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT, "42000",
                      "Incorrect parameter count in the call to native function '%s'", f);
        return false;
    }
    return eval_temporal_cast(a, s, e->args[0], !strcasecmp(f, "date"), -1, out, err);
}

/* CAST(x AS DATE), CAST(x AS DATETIME[(n)]): *to_date and *digits; false for other types. */
static bool temporal_cast_type(const char *type, bool *to_date, int *digits)
{
    *digits = 0;
    if (!strcasecmp(type, "date")) {
        *to_date = true;
        return true;
    }
    *to_date = false;
    if (strncasecmp(type, "datetime", 8) != 0)
        return false;
    const char *p = type + 8;
    if (!*p)
        return true;
    if (p[0] != '(' || p[1] < '0' || p[1] > '6' || p[2] != ')' || p[3])
        return false;
    *digits = p[1] - '0';
    return true;
}

static bool eval_function(arena *a, const session_info *s, const expr *e, value *out,
                          sql_error *err)
{
    const char *f = e->text;
    if (!strcasecmp(f, "convert_tz") || !strcasecmp(f, "timediff") || !strcasecmp(f, "time_format"))
        return eval_time_function(a, s, e, out, err);
    out->type = VT_TEXT;
    if (!strcasecmp(f, "database") || !strcasecmp(f, "schema")) {
        out->text = s->db;
    } else if (!strcasecmp(f, "version")) {
        out->text = MIMIR_SERVER_VERSION;
    } else if (!strcasecmp(f, "user") || !strcasecmp(f, "session_user") ||
               !strcasecmp(f, "system_user") || !strcasecmp(f, "current_user")) {
        out->text = arena_printf(a, "%s@%s", s->user ? s->user : "",
                                 s->client_host ? s->client_host : "localhost");
    } else if (!strcasecmp(f, "connection_id")) {
        out->text = arena_printf(a, "%u", s->connection_id);
        out->type = VT_INT64;
    } else if (!strcasecmp(f, "last_insert_id") || !strcasecmp(f, "row_count") ||
               !strcasecmp(f, "found_rows")) {
        out->text = "0";
        out->type = VT_INT64;
    } else if (clock_function(f)) {
        return eval_clock(a, s, e, out, err);
    } else if (date_add_function(f) || !strcasecmp(f, "date") ||
               (!strcasecmp(f, "timestamp") && e->nargs == 1)) {
        return eval_date_function(a, s, e, out, err);
    } else if (!strcasecmp(f, "coalesce") || !strcasecmp(f, "ifnull")) {
        out->text = NULL;
        for (size_t i = 0; i < e->nargs; i++) {
            value v;
            if (!eval(a, s, e->args[i], &v, err))
                return false;
            if (v.text) {
                *out = v;
                break;
            }
        }
    } else {
        sql_error_set(err, ER_SP_DOES_NOT_EXIST, "42000", "FUNCTION %s does not exist", f);
        return false;
    }
    return true;
}

static bool unsupported_without_from(sql_error *err)
{
    sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                  "This version of Mimir doesn't yet support this expression without FROM");
    return false;
}

/*
 * An operand of integer arithmetic without FROM: an integer literal, TRUE or
 * FALSE, or a hexadecimal or bit-value literal of at most 8 bytes, which MySQL
 * reads as an unsigned number here (0x41 + 0 is 65). False for anything else
 * (decimals, strings, NULL, longer literals), which the caller refuses.
 */
static bool integer_operand(const expr *e, __int128 *out)
{
    if (e->kind == EX_UNARY && e->op == OP_NEG && integer_operand(e->left, out)) {
        *out = -*out;
        return true;
    }
    __int128 l, r;
    if (e->kind == EX_BINARY && (e->op == OP_ADD || e->op == OP_SUB || e->op == OP_MUL) &&
        integer_operand(e->left, &l) && integer_operand(e->right, &r)) {
        /* 2 * 3 - 1: each step stays within BIGINT, or the caller refuses the result */
        *out = e->op == OP_ADD ? l + r : e->op == OP_SUB ? l - r : l * r;
        return *out >= INT64_MIN && *out <= UINT64_MAX;
    }
    if (e->kind != EX_LITERAL)
        return false;
    if (e->lit == LIT_TRUE || e->lit == LIT_FALSE) {
        *out = e->lit == LIT_TRUE;
        return true;
    }
    if (e->lit == LIT_STRING && e->hybrid && e->text_len <= 8) {
        *out = 0;
        for (size_t i = 0; i < e->text_len; i++)
            *out = *out * 256 + (unsigned char)e->text[i];
        return true;
    }
    if (e->lit != LIT_INT || strlen(e->text) > 20)
        return false;
    *out = 0;
    for (const char *c = e->text; *c; c++)
        *out = *out * 10 + (*c - '0');
    return true;
}

/* a + b, a - b, a * b over integers, in 64 bits as MySQL computes them (BIGINT). */
static bool eval_integer_arithmetic(arena *a, const expr *e, value *out, sql_error *err)
{
    __int128 v;
    if (!integer_operand(e, &v))
        return unsupported_without_from(err);
    if (v < INT64_MIN || v > INT64_MAX) {
        /* MySQL widens to BIGINT UNSIGNED or fails with 1690; Mimir keeps to BIGINT. */
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support integer results outside "
                      "BIGINT's range without FROM");
        return false;
    }
    out->text = arena_printf(a, "%lld", (long long)v);
    out->type = VT_INT64;
    return true;
}

/* A literal: binary strings (X'4A61', _binary'x') are VARBINARY, other strings text. */
static bool eval_literal(const expr *e, value *out)
{
    out->text = e->text;
    out->len = e->text_len;
    out->type = e->lit == LIT_INT      ? VT_INT64
                : e->lit == LIT_NUMBER ? VT_DECIMAL
                : e->lit == LIT_NULL   ? VT_NULL
                : e->lit == LIT_STRING ? (e->binary ? VT_BLOB : VT_TEXT)
                                       : VT_INT64;
    if (e->lit == LIT_NULL)
        out->text = NULL;
    else if (e->lit == LIT_TRUE)
        out->text = "1";
    else if (e->lit == LIT_FALSE)
        out->text = "0";
    return true;
}

/*
 * e COLLATE name: the value unchanged. MySQL checks that the collation
 * belongs to the string's character set: utf8mb4's (or its older names') for
 * strings, binary for binary strings.
 */
static bool eval_collate(arena *a, const session_info *s, const expr *e, value *out, sql_error *err)
{
    if (!eval(a, s, e->args[0], out, err))
        return false;
    const char *name = e->args[1]->text;
    bool utf8 = strncmp(name, "utf8mb4_", 8) == 0 || strncmp(name, "utf8mb3_", 8) == 0 ||
                strncmp(name, "utf8_", 5) == 0;
    bool ok = out->type == VT_BLOB ? strcmp(name, "binary") == 0
                                   : out->type == VT_TEXT && (utf8 || strcmp(name, "binary") == 0);
    if (!ok) {
        sql_error_set(err, ER_COLLATION_CHARSET_MISMATCH, "42000",
                      "COLLATION '%s' is not valid for CHARACTER SET '%s'", name,
                      out->type == VT_BLOB ? "binary" : "utf8mb4");
        return false;
    }
    if (strcmp(name, "binary") == 0 && out->type == VT_TEXT) {
        out->type = VT_BLOB; /* 'a' COLLATE binary is a binary string */
        out->len = out->text ? strlen(out->text) : 0;
    }
    return true;
}

/*
 * The length of a CHAR cast's type text: CHAR, CHAR(n), and either with
 * CHARACTER SET (or CHARSET) utf8mb4, utf8mb3 or utf8, which change nothing
 * (statements and results are UTF-8). *max is n, or -1 without one. False for
 * any other type or character set.
 */
static bool char_cast_type(const char *type, long *max)
{
    const char *p = type;
    if (strncasecmp(p, "char", 4) != 0)
        return false;
    p += 4;
    *max = -1;
    if (*p == '(') {
        char *end;
        errno = 0;
        *max = strtol(p + 1, &end, 10);
        if (end == p + 1 || *end != ')' || *max < 0 || errno)
            return false;
        p = end + 1;
    }
    while (*p == ' ')
        p++;
    if (!*p)
        return true;
    if (strncasecmp(p, "character set ", 14) == 0)
        p += 14;
    else if (strncasecmp(p, "charset ", 8) == 0)
        p += 8;
    else
        return false;
    while (*p == ' ')
        p++;
    return !strcasecmp(p, "utf8mb4") || !strcasecmp(p, "utf8mb3") || !strcasecmp(p, "utf8");
}

/*
 * CAST(x AS CHAR[(n)] [CHARACTER SET utf8...]) and CONVERT(x, CHAR...): x as a
 * string, cut to its first n characters as MySQL does (SQLAlchemy's
 * first-connect checks). Other target types are not evaluated here.
 */
static bool eval_cast(arena *a, const session_info *s, const expr *e, value *out, sql_error *err)
{
    long max;
    bool to_date;
    int digits;
    if (e->nargs == 2 && temporal_cast_type(e->args[1]->text, &to_date, &digits))
        return eval_temporal_cast(a, s, e->args[0], to_date, digits, out, err);
    if (e->nargs != 2 || !char_cast_type(e->args[1]->text, &max))
        return unsupported_without_from(err);
    if (!eval(a, s, e->args[0], out, err))
        return false;
    if (out->type == VT_BLOB && utf8_valid_prefix((const uint8_t *)out->text, out->len) != out->len)
        return unsupported_without_from(err);
    if (!out->text) {
        out->type = VT_TEXT;
        return true;
    }
    size_t len = out->type == VT_BLOB ? out->len : strlen(out->text);
    size_t at = 0;
    for (long chars = 0; at < len && (max < 0 || chars < max); chars++)
        do /* past one UTF-8 character: its lead byte and continuation bytes */
            at++;
        while (at < len && ((unsigned char)out->text[at] & 0xC0) == 0x80);
    out->text = arena_strndup(a, out->text, at);
    out->len = 0;
    out->type = VT_TEXT;
    return true;
}

static bool eval(arena *a, const session_info *s, const expr *e, value *out, sql_error *err)
{
    out->len = 0;
    switch (e->kind) {
    case EX_LITERAL:
        return eval_literal(e, out);
    case EX_BINARY:
        if ((e->op == OP_ADD || e->op == OP_SUB) && e->right->kind == EX_INTERVAL)
            return eval_date_add(a, s, e->left, e->right, e->op == OP_SUB, out, err);
        if (e->op == OP_ADD && e->left->kind == EX_INTERVAL)
            return eval_date_add(a, s, e->right, e->left, false, out, err);
        return eval_integer_arithmetic(a, e, out, err);
    case EX_VARIABLE:
        if (!e->system) {
            out->text = NULL; /* user variables are never set in Mimir */
            out->type = VT_NULL;
            return true;
        }
        out->text = server_variable(s, e->text, &out->type);
        if (out->text) /* its buffer is reused by the next variable */
            out->text = arena_strdup(a, out->text);
        if (!out->text) {
            sql_error_set(err, ER_UNKNOWN_SYSTEM_VAR, "HY000", "Unknown system variable '%s'",
                          e->text);
            return false;
        }
        return true;
    case EX_FUNC:
        if (strcmp(e->text, "COLLATE") == 0 && e->nargs == 2)
            return eval_collate(a, s, e, out, err);
        if (!strcasecmp(e->text, "cast") || !strcasecmp(e->text, "convert"))
            return eval_cast(a, s, e, out, err);
        return eval_function(a, s, e, out, err);
    case EX_UNARY:
        if (e->op == OP_NEG && e->left->kind == EX_LITERAL &&
            (e->left->lit == LIT_INT || e->left->lit == LIT_NUMBER)) {
            out->text = arena_printf(a, "-%s", e->left->text);
            out->type = e->left->lit == LIT_INT ? VT_INT64 : VT_DECIMAL;
            return true;
        }
        break;
    case EX_COLUMN:
        sql_error_set(err, ER_BAD_FIELD, "42S22", "Unknown column '%s' in 'field list'",
                      e->parts[e->nparts - 1]);
        return false;
    case EX_ASSIGN:
        sql_error_set(err, ER_NOT_SUPPORTED_YET, "42000", "%s", SB_ASSIGN_UNSUPPORTED);
        return false;
    default:
        break;
    }
    return unsupported_without_from(err);
}

/* Is e constant within the statement: literals, the statement's clock and the date
 * functions of it session_fold_time names (not SYSDATE, which moves as rows are read)? */
static bool constant_in_statement(const expr *e)
{
    static const char *const functions[] = {
        "now",     "current_timestamp", "localtimestamp", "localtime",
        "curdate", "current_date",      "utc_timestamp",  "utc_date",
        "date",    "timestamp",         "date_add",       "date_sub",
        "adddate", "subdate",           "convert_tz",     NULL};
    switch (e->kind) {
    case EX_LITERAL:
        return e->lit == LIT_STRING || e->lit == LIT_INT || e->lit == LIT_NUMBER;
    case EX_UNARY:
        return e->op == OP_NEG && constant_in_statement(e->left);
    case EX_INTERVAL:
        return constant_in_statement(e->left);
    case EX_BINARY:
        return (e->op == OP_ADD || e->op == OP_SUB || e->op == OP_MUL) &&
               constant_in_statement(e->left) && constant_in_statement(e->right);
    case EX_FUNC:
        if (e->distinct || e->over)
            return false;
        if (!strcasecmp(e->text, "cast") || !strcasecmp(e->text, "convert")) {
            bool to_date;
            int digits;
            return e->nargs == 2 && temporal_cast_type(e->args[1]->text, &to_date, &digits) &&
                   constant_in_statement(e->args[0]);
        }
        if (!name_in(e->text, functions))
            return false;
        for (size_t i = 0; i < e->nargs; i++)
            if (!constant_in_statement(e->args[i]))
                return false;
        return true;
    default:
        return false;
    }
}

bool session_fold_time(arena *a, const session_info *s, const expr *e, const char **text)
{
    if (!constant_in_statement(e))
        return false;
    value v;
    sql_error err = {0};
    int64_t us;
    bool is_date;
    int digits;
    if (!eval(a, s, e, &v, &err) || !temporal_of(&v, &us, &is_date, &digits))
        return false;
    *text = v.text;
    return true;
}

/* SELECT @@warning_count, @@error_count: they read the diagnostics area and, as in MySQL,
 * leave it to the statement before. */
static bool reads_diagnostics_only(const select_stmt *sel)
{
    for (size_t i = 0; i < sel->nitems; i++) {
        const expr *e = sel->items[i].e;
        if (e->kind != EX_VARIABLE || !e->system ||
            (strcasecmp(e->text, "warning_count") != 0 && strcasecmp(e->text, "error_count") != 0))
            return false;
    }
    return sel->nitems > 0;
}

void session_select(arena *a, const session_info *s, const select_stmt *sel, action *out)
{
    out->keeps_diagnostics = reads_diagnostics_only(sel);
    const_result *r = &out->rows;
    r->ncols = sel->nitems;
    r->cols = arena_alloc(a, (sel->nitems + 1) * sizeof(result_column));
    const char **row = arena_alloc(a, (sel->nitems + 1) * sizeof(char *));
    size_t *lengths = arena_alloc(a, (sel->nitems + 1) * sizeof(size_t));
    for (size_t i = 0; i < sel->nitems; i++) {
        value v;
        if (sel->items[i].e->kind == EX_STAR) {
            sql_error_set(&out->error, ER_NO_TABLE_USED, "HY000", "No tables used");
            out->kind = ACTION_ERROR;
            return;
        }
        if (!eval(a, s, sel->items[i].e, &v, &out->error)) {
            out->kind = ACTION_ERROR;
            return;
        }
        r->cols[i].name = sel->items[i].alias ? sel->items[i].alias : sel->items[i].text;
        r->cols[i].type = v.type;
        if (v.type == VT_BLOB)
            r->cols[i].length = (unsigned)v.len;
        lengths[i] = v.type == VT_BLOB ? v.len : v.text ? strlen(v.text) : 0;
        r->cols[i].decimals = v.type == VT_DECIMAL && v.text && strchr(v.text, '.')
                                  ? (int)strlen(strchr(v.text, '.') + 1)
                                  : 0;
        row[i] = v.text;
    }
    if (sel->where) {
        sql_error_set(&out->error, ER_NOT_SUPPORTED_YET, "42000",
                      "This version of Mimir doesn't yet support WHERE without FROM");
        out->kind = ACTION_ERROR;
        return;
    }
    r->values = row;
    r->lengths = lengths;
    r->nrows = sel->has_limit && (sel->limit == 0 || sel->offset > 0) ? 0 : 1;
    out->kind = ACTION_ROWS;
}

static bool truthy(const value *v)
{
    return v->text && strcmp(v->text, "0") != 0 && strcasecmp(v->text, "off") != 0 &&
           strcasecmp(v->text, "false") != 0;
}

/* The value of SET name = expr as text; a bare word (SET x = ON) is its own text. */
static bool set_value(arena *a, const session_info *s, const expr *e, value *v, action *out)
{
    if (e->kind == EX_COLUMN && e->nparts == 1) {
        v->text = e->parts[0];
        return true;
    }
    if (!eval(a, s, e, v, &out->error)) {
        out->kind = ACTION_ERROR;
        return false;
    }
    return true;
}

static bool wrong_value(const char *name, const char *text, action *out)
{
    sql_error_set(&out->error, ER_WRONG_VALUE_FOR_VAR, "42000",
                  "Variable '%s' can't be set to the value of '%s'", name, text ? text : "NULL");
    out->kind = ACTION_ERROR;
    return false;
}

/* SET time_zone: SYSTEM, '+hh:mm' or a named zone (error 1298 otherwise); DEFAULT. */
static bool set_time_zone(arena *a, const session_info *s, const expr *e, action *out)
{
    if (!e) {
        out->time_zone_default = true;
        out->set_time_zone = NULL;
        return true;
    }
    value v;
    if (!set_value(a, s, e, &v, out))
        return false;
    if (!v.text)
        return wrong_value("time_zone", NULL, out);
    time_zone *tz = arena_alloc(a, sizeof(*tz));
    if (!time_zone_parse(v.text, tz)) {
        sql_error_set(&out->error, ER_UNKNOWN_TIME_ZONE, "HY000",
                      "Unknown or incorrect time zone: '%s'", v.text);
        out->kind = ACTION_ERROR;
        return false;
    }
    out->set_time_zone = tz;
    out->time_zone_default = false;
    return true;
}

/* SET sql_select_limit: a whole number (its maximum and DEFAULT: no limit). */
static bool set_select_limit(arena *a, const session_info *s, const expr *e, action *out)
{
    out->set_select_limit = true;
    out->select_limit = UINT64_MAX;
    if (!e)
        return true;
    value v;
    if (!set_value(a, s, e, &v, out))
        return false;
    char *end;
    errno = 0;
    unsigned long long n = v.text && v.type == VT_INT64 ? strtoull(v.text, &end, 10) : 0;
    if (v.text && v.type != VT_INT64) {
        sql_error_set(&out->error, ER_WRONG_TYPE_FOR_VAR, "42000",
                      "Incorrect argument type to variable 'sql_select_limit'");
        out->kind = ACTION_ERROR;
        return false;
    }
    if (!v.text || v.text[0] == '-' || *end || errno)
        return wrong_value("sql_select_limit", v.text, out);
    out->select_limit = n;
    return true;
}

/* SET mimir_rollups = ON|OFF (1|0, TRUE|FALSE; DEFAULT: ON), as MySQL's booleans. */
static bool set_rollups(arena *a, const session_info *s, const expr *e, action *out)
{
    out->set_rollups = 1;
    if (!e)
        return true;
    value v;
    if (!set_value(a, s, e, &v, out))
        return false;
    static const char *const on[] = {"on", "1", "true"}, *const off[] = {"off", "0", "false"};
    for (size_t i = 0; v.text && i < 3; i++) {
        if (strcasecmp(v.text, on[i]) == 0 || strcasecmp(v.text, off[i]) == 0) {
            out->set_rollups = strcasecmp(v.text, on[i]) == 0;
            return true;
        }
    }
    return wrong_value("mimir_rollups", v.text, out);
}

void session_set(arena *a, const session_info *s, const statement *st, action *out)
{
    out->kind = ACTION_OK;
    for (size_t i = 0; i < st->nsets; i++) {
        const set_assignment *set = &st->sets[i];
        if (set->system && strcmp(set->name, "time_zone") == 0) {
            if (!set_time_zone(a, s, set->value, out))
                return;
            continue;
        }
        if (set->system && strcmp(set->name, "sql_select_limit") == 0) {
            if (!set_select_limit(a, s, set->value, out))
                return;
            continue;
        }
        if (set->system && strcmp(set->name, "mimir_rollups") == 0) {
            if (!set_rollups(a, s, set->value, out))
                return;
            continue;
        }
        bool autocommit = strcmp(set->name, "autocommit") == 0;
        bool timeout = strcmp(set->name, "max_execution_time") == 0;
        if ((!autocommit && !timeout) || (!set->value && autocommit))
            continue; /* other settings do not change what Mimir computes */
        if (timeout && !set->value) {
            out->set_max_execution_time = 0; /* SET max_execution_time = DEFAULT */
            continue;
        }
        value v;
        const expr *e = set->value;
        if (e->kind == EX_COLUMN && e->nparts == 1) {
            v.text = e->parts[0]; /* SET autocommit = ON */
        } else if (!eval(a, s, e, &v, &out->error)) {
            out->kind = ACTION_ERROR;
            return;
        }
        if (autocommit) {
            out->set_autocommit = truthy(&v) ? 1 : 0;
            continue;
        }
        char *end;
        long long ms = v.text ? strtoll(v.text, &end, 10) : -1;
        if (!v.text || *end || ms < 0) {
            sql_error_set(&out->error, ER_WRONG_ARGUMENTS, "42000",
                          "Variable 'max_execution_time' can't be set to the value of '%s'",
                          v.text ? v.text : "NULL");
            out->kind = ACTION_ERROR;
            return;
        }
        out->set_max_execution_time = ms;
    }
}
