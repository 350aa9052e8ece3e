/*
 * calendar.yaml (or calendar.yml) at the root of a project: the canonical
 * calendar every grain is computed on.
 *
 *   week_start: monday | sunday    the `week` grain's first day (default monday, ISO)
 *   fiscal_year_start_month: 1..12 adds the grains fiscal_year and fiscal_quarter
 *   time_zone: Europe/Amsterdam    the zone of sessions that set none (SYSTEM,
 *                                  '+hh:mm' or a name of the tz database)
 *
 * The keys are a closed set: a typo must not silently leave weeks on Monday.
 * Like the rest of the loader, every problem is collected (for `mimir
 * validate`) as "FILE:LINE:COLUMN: message"; a calendar with a problem is
 * not used (catalog_load fails on the first problem anyway).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "semantic/catalog_internal.h"
#include "semantic/util.h"
#include "semantic/yaml_doc.h"
#include "semantic/zone_text.h"
#include "wire/xalloc.h"

typedef struct cal_reader {
    const char *file;
    char ***problems;
    size_t *n_problems;
} cal_reader;

static bool cal_problem(cal_reader *r, const ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool cal_problem(cal_reader *r, const ynode *at, const char *fmt, ...)
{
    char msg[768], text[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sem_errf_at(text, sizeof text, r->file, at ? at->line : 0, at ? at->column : 0, "%s", msg);
    sem_strv_push(r->problems, r->n_problems, xstrdup(text));
    return false;
}

/* The scalar text of a value, or NULL with a problem (a mapping or list where a word goes). */
static const char *scalar_value(cal_reader *r, const char *key, const ynode *v)
{
    const char *text = ynode_text(v);
    if (!text)
        cal_problem(r, v, "%s must be a single value, not %s", key, ynode_kind_name(v));
    return text;
}

static bool read_week_start(cal_reader *r, const ynode *v, calendar *cal)
{
    const char *text = scalar_value(r, "week_start", v);
    if (!text)
        return false;
    if (strcasecmp(text, "monday") == 0)
        cal->week_start = WEEK_START_MONDAY;
    else if (strcasecmp(text, "sunday") == 0)
        cal->week_start = WEEK_START_SUNDAY;
    else
        return cal_problem(r, v,
                           "week_start must be monday (ISO weeks, the default) or sunday, not "
                           "'%s'",
                           text);
    return true;
}

static bool read_fiscal_start(cal_reader *r, const ynode *v, calendar *cal)
{
    const char *text = scalar_value(r, "fiscal_year_start_month", v);
    if (!text)
        return false;
    size_t n = strlen(text);
    bool digits = n >= 1 && n <= 2 && text[0] >= '0' && text[0] <= '9' &&
                  (n == 1 || (text[1] >= '0' && text[1] <= '9'));
    int month = digits ? atoi(text) : 0;
    if (month < 1 || month > 12)
        return cal_problem(r, v,
                           "fiscal_year_start_month must be the number of the month the fiscal "
                           "year starts in, from 1 (January) to 12 (December), not '%s'",
                           text);
    cal->fiscal_year_start_month = month;
    return true;
}

static bool read_time_zone(cal_reader *r, const ynode *v, calendar *cal)
{
    const char *text = scalar_value(r, "time_zone", v);
    if (!text)
        return false;
    if (!zone_text_known(text)) {
        const char *dir = getenv("TZDIR");
        return cal_problem(r, v,
                           "time_zone '%s' is not a time zone: write SYSTEM, UTC, an offset such "
                           "as '+05:30' (from -13:59 to +14:00) or a zone of the tz database "
                           "(%s) such as 'Europe/Amsterdam'",
                           text, dir && *dir ? dir : "/usr/share/zoneinfo");
    }
    cal->time_zone = xstrdup(text);
    return true;
}

/* One key: known keys with null values mean the default. */
static bool read_key(cal_reader *r, const ynode *k, const ynode *v, calendar *cal)
{
    const char *name = ynode_text(k);
    if (name && ynode_is_null(v))
        return true;
    if (name && strcmp(name, "week_start") == 0)
        return read_week_start(r, v, cal);
    if (name && strcmp(name, "fiscal_year_start_month") == 0)
        return read_fiscal_start(r, v, cal);
    if (name && strcmp(name, "time_zone") == 0)
        return read_time_zone(r, v, cal);
    return cal_problem(r, k,
                       "unknown key '%s' in the calendar (expected week_start, "
                       "fiscal_year_start_month or time_zone)",
                       name ? name : "?");
}

static bool read_document(cal_reader *r, const ynode *doc, calendar *cal)
{
    if (ynode_is_null(doc))
        return true; /* an empty file: the defaults */
    if (doc->kind != YNODE_MAPPING)
        return cal_problem(r, doc,
                           "the calendar must be a mapping of week_start, "
                           "fiscal_year_start_month and time_zone, not %s",
                           ynode_kind_name(doc));
    bool ok = true;
    for (size_t i = 0; i < ymap_size(doc); i++)
        ok = read_key(r, ymap_key(doc, i), ymap_value(doc, i), cal) && ok;
    return ok;
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The calendar file of configs_dir (NULL: none), or NULL with a problem when both spellings exist.
 */
static char *calendar_path(const catalog *c, char ***problems, size_t *n_problems)
{
    char *yaml = sem_path_join(c->configs_dir, "calendar.yaml");
    char *yml = sem_path_join(c->configs_dir, "calendar.yml");
    char *out = NULL;
    if (is_file(yaml) && is_file(yml)) {
        char text[1200];
        sem_errf_at(text, sizeof text, yml, 0, 0,
                    "a project has one calendar: %s is there too (keep one of them)", yaml);
        sem_strv_push(problems, n_problems, xstrdup(text));
    } else if (is_file(yaml)) {
        out = yaml;
        yaml = NULL;
    } else if (is_file(yml)) {
        out = yml;
        yml = NULL;
    }
    free(yaml);
    free(yml);
    return out;
}

bool catalog_read_calendar(catalog *c, char ***problems, size_t *n_problems)
{
    size_t before = *n_problems;
    char *path = calendar_path(c, problems, n_problems);
    if (!path)
        return *n_problems == before;
    ystream ys = {0};
    char err[1024];
    calendar cal = {.week_start = WEEK_START_MONDAY};
    cal_reader r = {.file = path, .problems = problems, .n_problems = n_problems};
    bool ok = ystream_load_file(&ys, path, YSTREAM_MAX_NODES, err, sizeof err);
    if (!ok)
        sem_strv_push(problems, n_problems, xstrdup(err));
    else if (ys.n_docs > 1)
        ok = cal_problem(&r, ys.docs[1], "the calendar is one document: remove this '---'");
    else if (ys.n_docs == 1)
        ok = read_document(&r, ys.docs[0], &cal);
    ystream_free(&ys);
    if (!ok) {
        free(cal.time_zone);
        free(path);
        return false;
    }
    cal.present = true;
    cal.at = (origin){.file = path, .line = 1, .column = 1};
    c->cal = cal;
    return true;
}
