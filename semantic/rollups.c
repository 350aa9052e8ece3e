/*
 * A source's `rollups:` list: reading each definition (rollups_read, while the
 * source is read) and checking what it names once every definition is loaded
 * (rollups_check): the grain, the dimensions available on the source, the
 * metrics of the source that Mimir can re-aggregate exactly, unique names
 * across sources. Every problem is "FILE:LINE:COLUMN: message", as the
 * loader's (semantic/loader.c).
 *
 * Only what can be rebuilt exactly from the stored rows is accepted: SUM,
 * COUNT, MIN and MAX are stored as themselves; AVG is stored as the sum and
 * the count of its argument; COUNT(DISTINCT), semi-additive and unclassified
 * (CUSTOM) metrics are refused, as is a derived metric (it is computed from
 * its bases, which a rollup may hold).
 */
#include "semantic/rollups.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "semantic/util.h"
#include "wire/xalloc.h"

/* The grain columns a rollup may be built at: the time column itself (ts) is
 * not a grain of aggregation. The fiscal ones need calendar.yaml's
 * fiscal_year_start_month. */
static const char *const rollup_grains[] = {"ts_second",      "ts_minute",   "ts_hour", "ds",
                                            "week",           "year_month",  "quarter", "year",
                                            "fiscal_quarter", "fiscal_year", NULL};

/* Longest rollup name: a full build writes into NAME__new first, and MySQL's
 * lock names (GET_LOCK('mimir_rollup_NAME')) are at most 64 characters. */
#define ROLLUP_NAME_MAX 50

typedef struct rctx {
    const char *file;
    const char *source;
    const char *name; /* NULL until known */
    char ***problems;
    size_t *n_problems;
} rctx;

static bool rfail_at(const rctx *r, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool rfail_at(const rctx *r, int line, int column, const char *fmt, ...)
{
    char msg[768], text[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char who[300];
    if (r->name)
        snprintf(who, sizeof who, "source '%s': rollup '%s'", r->source, r->name);
    else
        snprintf(who, sizeof who, "source '%s': rollup", r->source);
    sem_errf_at(text, sizeof text, r->file, line, column, "%s: %s", who, msg);
    sem_strv_push(r->problems, r->n_problems, xstrdup(text));
    return false;
}

static void origin_set(origin *o, const char *file, const ynode *n)
{
    o->file = xstrdup(file);
    o->line = n ? n->line : 0;
    o->column = n ? n->column : 0;
}

const char *rollup_grain_canonical(const char *name)
{
    for (size_t i = 0; rollup_grains[i]; i++)
        if (strcasecmp(name, rollup_grains[i]) == 0)
            return rollup_grains[i];
    return NULL;
}

/* "1 hour", "3 days", "90 seconds": n >= 1 whole units of second, minute, hour,
 * day or week (singular or plural); *out in seconds. */
bool rollup_parse_duration(const char *text, long *out)
{
    static const struct {
        const char *unit;
        long seconds;
    } units[] = {{"second", 1}, {"minute", 60}, {"hour", 3600}, {"day", 86400}, {"week", 604800}};
    const char *p = text;
    while (*p == ' ')
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    long n = 0;
    while (isdigit((unsigned char)*p)) {
        n = n * 10 + (*p++ - '0');
        if (n > 100000000)
            return false;
    }
    while (*p == ' ')
        p++;
    size_t len = strlen(p);
    while (len > 0 && p[len - 1] == ' ')
        len--;
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t ul = strlen(units[u].unit);
        bool plural = len == ul + 1 && (p[ul] == 's' || p[ul] == 'S');
        if ((len == ul || plural) && strncasecmp(p, units[u].unit, ul) == 0 && n >= 1) {
            *out = n * units[u].seconds;
            return true;
        }
    }
    return false;
}

static bool valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > ROLLUP_NAME_MAX || isdigit((unsigned char)name[0]))
        return false;
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_')
            return false;
    return strcasecmp(name, ROLLUP_STATE_TABLE) != 0;
}

/* An optional scalar key; *out NULL when absent. */
static bool opt_text(const rctx *r, const ynode *map, const char *key, const char **out)
{
    const ynode *v = ymap_get(map, key);
    *out = NULL;
    if (ynode_is_null(v))
        return true;
    *out = ynode_text(v);
    if (!*out || !**out)
        return rfail_at(r, v->line, v->column, "'%s' must be a non-empty string", key);
    return true;
}

static bool read_list(const rctx *r, const ynode *map, const char *key, char ***v, size_t *n,
                      origin **at)
{
    const ynode *list = ymap_get(map, key);
    if (ynode_is_null(list) || list->kind != YNODE_SEQUENCE ||
        (list->n_items == 0 && strcmp(key, "metrics") == 0))
        return rfail_at(r, list ? list->line : map->line, list ? list->column : map->column,
                        "'%s' must be a list of names%s", key,
                        strcmp(key, "metrics") == 0 ? " (at least one)" : "");
    *at = xcalloc(list->n_items + 1, sizeof **at);
    bool ok = true;
    for (size_t i = 0; i < list->n_items; i++) {
        const ynode *it = list->items[i];
        const char *text = ynode_text(it);
        if (!text || !*text) {
            ok = rfail_at(r, it->line, it->column, "'%s' must be a list of names", key);
            continue;
        }
        if (sem_strv_find(*v, *n, text) >= 0) {
            ok = rfail_at(r, it->line, it->column, "'%s' lists '%s' twice", key, text);
            continue;
        }
        origin_set(&(*at)[*n], r->file, it);
        sem_strv_push(v, n, xstrdup(text));
    }
    return ok;
}

static bool read_duration(const rctx *r, const ynode *map, const char *key, long *out)
{
    const char *text;
    if (!opt_text(r, map, key, &text))
        return false;
    if (!text)
        return true;
    if (rollup_parse_duration(text, out))
        return true;
    const ynode *v = ymap_get(map, key);
    return rfail_at(r, v->line, v->column,
                    "%s '%s' is not a duration: write a whole number n >= 1 and a unit, second, "
                    "minute, hour, day or week (singular or plural), e.g. 1 hour or 3 days",
                    key, text);
}

static bool read_lambda(const rctx *r, const ynode *map, bool *out)
{
    const char *text;
    *out = true;
    if (!opt_text(r, map, "lambda", &text) || !text)
        return text == NULL;
    if (strcasecmp(text, "true") == 0 || strcasecmp(text, "yes") == 0 ||
        strcasecmp(text, "on") == 0)
        return true;
    if (strcasecmp(text, "false") == 0 || strcasecmp(text, "no") == 0 ||
        strcasecmp(text, "off") == 0) {
        *out = false;
        return true;
    }
    const ynode *v = ymap_get(map, "lambda");
    return rfail_at(r, v->line, v->column, "'lambda' must be true or false");
}

static bool check_keys(const rctx *r, const ynode *map)
{
    static const char *const allowed[] = {
        "name",          "grain",   "dimensions", "metrics",     "refresh_every",
        "update_window", "storage", "lambda",     "description", NULL};
    char list[512];
    const ynode *bad = ymap_unknown_key(map, allowed, list, sizeof list);
    if (!bad)
        return true;
    return rfail_at(r, bad->line, bad->column, "unknown key '%s' (a rollup has %s)",
                    ynode_text(bad), list);
}

static bool read_fields(rctx *r, const ynode *map, rollup *ru)
{
    const char *name, *grain, *storage;
    bool ok = opt_text(r, map, "name", &name);
    if (!name)
        return ok && rfail_at(r, map->line, map->column, "missing required key 'name'");
    if (!valid_name(name))
        return rfail_at(r, map->line, map->column,
                        "name '%s' must be letters, digits and _ (at most %d, not starting with "
                        "a digit, not %s)",
                        name, ROLLUP_NAME_MAX, ROLLUP_STATE_TABLE);
    ru->name = xstrdup(name);
    r->name = ru->name;
    ok = check_keys(r, map) && ok;
    if (opt_text(r, map, "grain", &grain) && !grain)
        ok = rfail_at(r, map->line, map->column, "missing required key 'grain'");
    else if (grain) {
        const ynode *g = ymap_get(map, "grain");
        origin_set(&ru->grain_at, r->file, g);
        if (rollup_grain_canonical(grain))
            ru->grain = xstrdup(rollup_grain_canonical(grain));
        else
            ok = rfail_at(r, g->line, g->column,
                          "unknown grain '%s' (one of ts_second, ts_minute, ts_hour, ds, week, "
                          "year_month, quarter, year, fiscal_quarter, fiscal_year)",
                          grain);
    } else
        ok = false;
    ok = read_list(r, map, "dimensions", &ru->dimensions, &ru->n_dimensions, &ru->dimension_at) &&
         ok;
    ok = read_list(r, map, "metrics", &ru->metrics, &ru->n_metrics, &ru->metric_at) && ok;
    ru->refresh_every_s = ROLLUP_DEFAULT_REFRESH_S;
    ok = read_duration(r, map, "refresh_every", &ru->refresh_every_s) && ok;
    ok = read_duration(r, map, "update_window", &ru->update_window_s) && ok;
    ok = read_lambda(r, map, &ru->lambda) && ok;
    if (!opt_text(r, map, "storage", &storage))
        ok = false;
    else if (storage) {
        ru->storage = xstrdup(storage);
        origin_set(&ru->storage_at, r->file, ymap_get(map, "storage"));
        if (strchr(storage, '/') || storage[0] == '.')
            ok = rfail_at(r, ru->storage_at.line, ru->storage_at.column,
                          "storage '%s' must be a connection name (a secrets file without .json)",
                          storage);
    }
    return ok;
}

void rollup_clear(rollup *ru)
{
    free(ru->name);
    free(ru->grain);
    free(ru->storage);
    for (size_t i = 0; i < ru->n_dimensions; i++)
        free(ru->dimension_at[i].file);
    for (size_t i = 0; i < ru->n_metrics; i++)
        free(ru->metric_at[i].file);
    sem_strv_free(ru->dimensions, ru->n_dimensions);
    sem_strv_free(ru->metrics, ru->n_metrics);
    free(ru->dimension_at);
    free(ru->metric_at);
    free(ru->at.file);
    free(ru->grain_at.file);
    free(ru->storage_at.file);
    memset(ru, 0, sizeof *ru);
}

bool rollups_read(const char *file, source *s, const ynode *list, char ***problems,
                  size_t *n_problems)
{
    rctx r = {.file = file,
              .source = s->name ? s->name : "?",
              .problems = problems,
              .n_problems = n_problems};
    if (ynode_is_null(list))
        return true;
    if (list->kind != YNODE_SEQUENCE)
        return rfail_at(&r, list->line, list->column, "'rollups' must be a list of mappings");
    bool ok = true;
    for (size_t i = 0; i < list->n_items; i++) {
        const ynode *map = list->items[i];
        r.name = NULL;
        if (map->kind != YNODE_MAPPING) {
            ok = rfail_at(&r, map->line, map->column,
                          "expected a mapping with name, grain, dimensions and metrics");
            continue;
        }
        rollup ru = {0};
        if (!read_fields(&r, map, &ru)) {
            rollup_clear(&ru);
            ok = false;
            continue;
        }
        origin_set(&ru.at, file, map);
        s->rollups = xreallocarray(s->rollups, s->n_rollups + 1, sizeof *s->rollups);
        s->rollups[s->n_rollups++] = ru;
    }
    return ok;
}

/* ---- references ---- */

static bool check_dimension(const rctx *r, const catalog *c, const source *s, const rollup *ru,
                            size_t i)
{
    const char *d = ru->dimensions[i];
    const origin *at = &ru->dimension_at[i];
    if (sem_name_eq(d, s->time_col_alias) || rollup_grain_canonical(d) || sem_name_eq(d, "ts"))
        return rfail_at(r, at->line, at->column,
                        "dimension '%s' is the time column or a grain: the rollup's time is its "
                        "'grain'",
                        d);
    if (catalog_dim_on_source(c, s, d, NULL) == DIM_NOT_ON_SOURCE)
        return rfail_at(r, at->line, at->column,
                        "dimension '%s' is not available on source '%s' (a column of its sql, or "
                        "a dimension defined on it or listed under its 'dimensions')",
                        d, s->name);
    return true;
}

static bool check_required(const rctx *r, const rollup *ru, const metric *m, const origin *at)
{
    for (size_t j = 0; j < m->n_required_dimensions; j++)
        if (sem_strv_find(ru->dimensions, ru->n_dimensions, m->required_dimensions[j]) < 0)
            return rfail_at(r, at->line, at->column,
                            "metric '%s' requires dimension '%s', which is not among the "
                            "rollup's dimensions",
                            m->name, m->required_dimensions[j]);
    return true;
}

static bool check_metric(const rctx *r, const catalog *c, const source *s, const rollup *ru,
                         size_t i)
{
    const char *name = ru->metrics[i];
    const origin *at = &ru->metric_at[i];
    const metric *m = catalog_metric(c, name);
    if (!m)
        return rfail_at(r, at->line, at->column, "unknown metric '%s'", name);
    if (m->derived)
        return rfail_at(r, at->line, at->column,
                        "metric '%s' is derived: list the metrics it is computed from instead",
                        m->name);
    if (!sem_name_eq(m->source_name, s->name))
        return rfail_at(r, at->line, at->column,
                        "metric '%s' is a metric of source '%s', not of '%s'", m->name,
                        m->source_name, s->name);
    if (m->non_additive != NON_ADDITIVE_NONE)
        return rfail_at(r, at->line, at->column,
                        "metric '%s' is semi-additive (non_additive_time): a rollup cannot "
                        "re-aggregate it exactly",
                        m->name);
    if (m->aggregation == AGGREGATION_AVG) {
        char *arg = rollup_avg_argument(m->expr);
        free(arg);
        if (!arg)
            return rfail_at(r, at->line, at->column,
                            "metric '%s' is an AVG whose argument Mimir cannot find in '%s': a "
                            "rollup stores an AVG as the sum and count of its argument",
                            m->name, m->expr);
    } else if (!aggregation_reaggregates(m->aggregation))
        return rfail_at(r, at->line, at->column,
                        "metric '%s' aggregates as %s: a rollup stores only metrics it can "
                        "re-aggregate exactly (SUM, COUNT, MIN, MAX, and AVG as sum and count)",
                        m->name,
                        m->aggregation == AGGREGATION_COUNT_DISTINCT
                            ? "COUNT(DISTINCT ...)"
                            : aggregation_name(m->aggregation));
    return check_required(r, ru, m, at);
}

static bool check_one(const rctx *r, const catalog *c, const source *s, const rollup *ru)
{
    bool ok = true;
    if (strncmp(ru->grain, "fiscal_", 7) == 0 && c->cal.fiscal_year_start_month < 1)
        ok = rfail_at(r, ru->grain_at.line, ru->grain_at.column,
                      "grain '%s' needs calendar.yaml's fiscal_year_start_month", ru->grain);
    for (size_t i = 0; i < ru->n_dimensions; i++)
        ok = check_dimension(r, c, s, ru, i) && ok;
    for (size_t i = 0; i < ru->n_metrics; i++)
        ok = check_metric(r, c, s, ru, i) && ok;
    return ok;
}

/* A name used by an earlier rollup (of any source): the first one wins. */
static const rollup *earlier(const catalog *c, size_t si, size_t ri)
{
    for (size_t i = 0; i <= si; i++)
        for (size_t j = 0; j < (i == si ? ri : c->sources[i].n_rollups); j++)
            if (sem_name_eq(c->sources[i].rollups[j].name, c->sources[si].rollups[ri].name))
                return &c->sources[i].rollups[j];
    return NULL;
}

bool rollups_check(const catalog *c, char ***problems, size_t *n_problems)
{
    bool ok = true;
    for (size_t si = 0; si < c->n_sources; si++) {
        const source *s = &c->sources[si];
        for (size_t ri = 0; ri < s->n_rollups; ri++) {
            const rollup *ru = &s->rollups[ri];
            rctx r = {.file = ru->at.file,
                      .source = s->name,
                      .name = ru->name,
                      .problems = problems,
                      .n_problems = n_problems};
            const rollup *first = earlier(c, si, ri);
            if (first)
                ok = rfail_at(&r, ru->at.line, ru->at.column,
                              "duplicate rollup name (first defined at %s:%d)", first->at.file,
                              first->at.line);
            ok = check_one(&r, c, s, ru) && ok;
        }
    }
    return ok;
}

/* ---- lookups ---- */

const rollup *catalog_rollup(const catalog *c, const char *name, const source **src)
{
    for (size_t i = 0; i < c->n_sources; i++)
        for (size_t j = 0; j < c->sources[i].n_rollups; j++)
            if (sem_name_eq(c->sources[i].rollups[j].name, name)) {
                if (src)
                    *src = &c->sources[i];
                return &c->sources[i].rollups[j];
            }
    return NULL;
}

const connection *catalog_rollup_storage(const source *s, const rollup *r)
{
    return r->storage ? r->storage_conn : s->conn;
}

char *catalog_rollup_sqlite_file(const connection *c)
{
    size_t n = strlen(c->path) + sizeof ROLLUP_SQLITE_SUFFIX;
    char *out = xmalloc(n);
    snprintf(out, n, "%s" ROLLUP_SQLITE_SUFFIX, c->path);
    return out;
}

/* The text between the outer parentheses of "AVG( ... )", when they match each
 * other (quotes respected) and nothing but blanks follows. */
char *rollup_avg_argument(const char *expr)
{
    const char *p = expr;
    while (isspace((unsigned char)*p))
        p++;
    if (strncasecmp(p, "avg", 3) != 0)
        return NULL;
    p += 3;
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '(')
        return NULL;
    const char *begin = ++p;
    int depth = 1;
    char quote = 0;
    for (; *p && depth > 0; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"' || *p == '`')
            quote = *p;
        else if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
    }
    if (depth != 0)
        return NULL;
    const char *end = p - 1; /* the closing parenthesis */
    for (const char *t = p; *t; t++)
        if (!isspace((unsigned char)*t))
            return NULL;
    while (begin < end && isspace((unsigned char)*begin))
        begin++;
    while (end > begin && isspace((unsigned char)end[-1]))
        end--;
    if (begin == end || strncasecmp(begin, "distinct", 8) == 0)
        return NULL;
    return xstrndup(begin, (size_t)(end - begin));
}
