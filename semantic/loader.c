/*
 * catalog_load: reads a project directory in the prototype's format and
 * checks it, so that everything after loading can trust the catalog.
 *
 *   sources/NAME.yaml     a mapping of source name -> {name, time_col,
 *                         connection_name, sql, dimensions?, time_col_alias?,
 *                         description?, cache_ttl?} (or a list of such mappings)
 *   dimensions/NAME.yaml  one {name, source_name, sql, description?, type?} per
 *                         document (or a list of them)
 *   metrics/NAME.yaml     one {name, source_name, sql, description?, type?,
 *                         required_dimensions?, truncate_incomplete_granularity?,
 *                         ...} per document (or a list); other keys (team,
 *                         collection, ...) are accepted and ignored. With
 *                         `type: derived`: {name, sql, description?}, sql an
 *                         expression over other metrics
 *
 * Files are read in sorted order (subdirectories included) so that the
 * catalog, and every problem, is the same on every machine. Each problem is
 * "FILE:LINE:COLUMN: what is wrong", the form compilers use, so editors and
 * CI annotations can jump to it.
 *
 * Loading never stops at a problem: a definition with one is left out of the
 * catalog (its name remembered, so that references to it are not reported
 * again as unknown) and loading goes on, so `mimir validate` reports every
 * problem in one pass. catalog_load reports the first one and fails;
 * catalog_validate returns them all with the catalog of what did load.
 *
 * The YAML trees of all files stay alive until validation ends, so that the
 * cross-reference checks (unknown source_name, undefined dimensions, ...) can
 * point at the line and column of the offending key.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "semantic/catalog.h"
#include "semantic/catalog_internal.h"
#include "semantic/column_type.h"
#include "semantic/rollups.h"
#include "semantic/secrets.h"
#include "semantic/sql_scan.h"
#include "semantic/time_metrics.h"
#include "semantic/util.h"
#include "semantic/yaml_doc.h"
#include "wire/xalloc.h"

/* Subdirectories of sources/, metrics/ and dimensions/ are walked this deep;
 * the limit also stops symlink loops. */
#define MAX_DIR_DEPTH 8

typedef enum { DEF_SOURCE, DEF_METRIC, DEF_DIMENSION } def_kind;

static const char *const def_kind_names[] = {"source", "metric", "dimension"};

typedef struct loader {
    catalog *c;
    char **problems; /* "FILE:LINE:COLUMN: message", in the order found */
    size_t n_problems;
    /* Names of definitions (per def_kind) and connections that did not load. */
    char **failed[3];
    size_t n_failed[3];
    char **failed_connections;
    size_t n_failed_connections;
    ystream **streams; /* every file read, kept for the line numbers */
    size_t n_streams;
    /* The mapping each definition was read from, parallel to the catalog's arrays. */
    const ynode **source_maps, **metric_maps, **dimension_maps;
    size_t cap_sources, cap_metrics, cap_dimensions;
    /* Directories walked so far (device, inode): each is read once. */
    struct stat *walked;
    size_t n_walked;
    const catalog_pending_file *pending; /* a file not written yet, or NULL */
} loader;

/* The definition being read, for messages: "metric 'foo': ..." */
typedef struct defctx {
    loader *L;
    def_kind kind;
    const char *file;
    const ynode *map;
    const char *name; /* NULL until the name is known */
} defctx;

/* Records a problem at (line, column) of file; returns false. */
static bool problem(loader *L, const char *file, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static bool problem(loader *L, const char *file, int line, int column, const char *fmt, ...)
{
    char msg[1024], text[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sem_errf_at(text, sizeof text, file, line, column, "%s", msg);
    sem_strv_push(&L->problems, &L->n_problems, xstrdup(text));
    return false;
}

/* A problem at a node of the YAML tree (NULL: the file itself). */
static bool problem_at(loader *L, const char *file, const ynode *at, const char *msg)
{
    return problem(L, file, at ? at->line : 0, at ? at->column : 0, "%s", msg);
}

/* A problem already formatted by yaml_doc.c or secrets.c. */
static bool problem_text(loader *L, const char *text)
{
    sem_strv_push(&L->problems, &L->n_problems, xstrdup(text));
    return false;
}

static void remember_failed(loader *L, def_kind kind, const char *name)
{
    if (name && *name)
        sem_strv_push(&L->failed[kind], &L->n_failed[kind], xstrdup(name));
}

static bool has_failed(const loader *L, def_kind kind, const char *name)
{
    return sem_strv_find(L->failed[kind], L->n_failed[kind], name) >= 0;
}

static bool def_fail(const defctx *d, const ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool def_fail(const defctx *d, const ynode *at, const char *fmt, ...)
{
    char msg[768], text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (d->name)
        snprintf(text, sizeof text, "%s '%s': %s", def_kind_names[d->kind], d->name, msg);
    else
        snprintf(text, sizeof text, "%s: %s", def_kind_names[d->kind], msg);
    return problem_at(d->L, d->file, at ? at : d->map, text);
}

/* Appends name to a ", "-separated list in buf; when it does not fit, ends
 * the list with "..." and ignores later names. */
static void join_add(char *buf, size_t len, const char *name)
{
    size_t used = strlen(buf);
    if (used >= 3 && strcmp(buf + used - 3, "...") == 0)
        return;
    const char *sep = used ? ", " : "";
    size_t need = strlen(sep) + strlen(name);
    if (used + need + sizeof ", ..." <= len)
        snprintf(buf + used, len - used, "%s%s", sep, name);
    else
        snprintf(buf + used, len - used, "%s...", sep);
}

/* ---- reading keys ---- */

/* An optional string key: *out is NULL when absent or null. */
static bool get_text(const defctx *d, const char *key, char **out)
{
    *out = NULL;
    const ynode *v = ymap_get(d->map, key);
    if (ynode_is_null(v))
        return true;
    const char *text = ynode_text(v);
    if (!text)
        return def_fail(d, v, "'%s' must be a string, not %s", key, ynode_kind_name(v));
    *out = xstrdup(text);
    return true;
}

static bool get_required(const defctx *d, const char *key, char **out)
{
    if (!get_text(d, key, out))
        return false;
    if (!*out)
        return def_fail(d, d->map, "missing required key '%s'", key);
    if (**out == '\0') {
        free(*out);
        *out = NULL;
        return def_fail(d, ymap_get(d->map, key), "'%s' is empty", key);
    }
    return true;
}

/* An optional boolean key, false when absent. The prototype read YAML with
 * PyYAML (YAML 1.1), so yes/no and on/off are booleans too. */
static bool get_bool(const defctx *d, const char *key, bool *out)
{
    *out = false;
    const ynode *v = ymap_get(d->map, key);
    if (ynode_is_null(v))
        return true;
    static const char *const yes[] = {"true", "yes", "on", NULL};
    static const char *const no[] = {"false", "no", "off", NULL};
    const char *text = v->kind == YNODE_SCALAR && v->plain ? ynode_text(v) : NULL;
    for (size_t i = 0; text && yes[i]; i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(text, no[i]) == 0)
            return true;
    }
    return def_fail(d, v, "'%s' must be true or false", key);
}

/* An optional list of names ("dimensions", "required_dimensions"). */
static bool get_name_list(const defctx *d, const char *key, char ***v, size_t *n)
{
    const ynode *list = ymap_get(d->map, key);
    if (ynode_is_null(list))
        return true;
    if (list->kind != YNODE_SEQUENCE)
        return def_fail(d, list, "'%s' must be a list of names, not %s", key,
                        ynode_kind_name(list));
    for (size_t i = 0; i < list->n_items; i++) {
        const char *text = ynode_text(list->items[i]);
        if (!text || !*text)
            return def_fail(d, list->items[i], "'%s' must be a list of names", key);
        sem_strv_push(v, n, xstrdup(text));
    }
    return true;
}

/* An item of a list-valued key, for cross-reference errors. */
static const ynode *list_item(const ynode *map, const char *key, size_t i)
{
    const ynode *list = ymap_get(map, key);
    return list && list->kind == YNODE_SEQUENCE && i < list->n_items ? list->items[i] : map;
}

/* The value of a key, or the mapping when the key is absent. */
static const ynode *key_value(const ynode *map, const char *key)
{
    const ynode *v = ymap_get(map, key);
    return v ? v : map;
}

/* Source SQL without surrounding blanks and trailing ';': block scalars end in
 * a newline, and the planner embeds the SQL in larger statements. */
static char *trim_sql(const char *sql)
{
    const char *b = sql;
    while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')
        b++;
    size_t n = strlen(b);
    while (n > 0 && strchr(" \t\r\n;", b[n - 1]))
        n--;
    return xstrndup(b, n);
}

/* ---- sources ---- */

static bool check_local_columns(const defctx *d, char **exprs, char **names, size_t n)
{
    const ynode *at = key_value(d->map, "sql");
    for (size_t i = 0; i < n; i++) {
        size_t el = strlen(exprs[i]);
        if (!names[i] && el > 0 && exprs[i][el - 1] == '*')
            return def_fail(d, at,
                            "sql selects '%s': list the columns instead, so that Mimir knows "
                            "the source's dimensions",
                            exprs[i]);
        if (!names[i])
            return def_fail(d, at, "sql column %zu ('%s') has no name: give it an alias with AS",
                            i + 1, exprs[i]);
        for (size_t j = 0; j < i; j++)
            if (sem_name_eq(names[i], names[j]))
                return def_fail(d, at, "sql has two output columns named '%s'", names[i]);
    }
    return true;
}

/* Scans the source SQL: its shape and its output columns. */
static bool analyse_source_sql(const defctx *d, source *s)
{
    const char *why = NULL;
    if (!sql_shape_scan_why(s->sql, &s->shape, &why))
        return def_fail(d, key_value(d->map, "sql"), "sql %s", why);
    char **exprs, **names;
    size_t n = sql_select_items(s->sql, s->shape.select_list_begin, s->shape.select_list_end,
                                &exprs, &names);
    bool ok = check_local_columns(d, exprs, names, n);
    if (ok) {
        s->local_columns = names;
        s->n_local_columns = n;
        names = NULL;
    }
    sem_strv_free(exprs, n);
    if (names)
        sem_strv_free(names, n);
    return ok;
}

/*
 * time_col is an expression inside the source SQL, where date filters are
 * applied: every table and column it names must occur in that SQL. Its output
 * name, time_col_alias, defaults to the column name of time_col and must be an
 * output column of the SQL: the planner selects and groups by that name.
 */
static bool check_time_column(const defctx *d, source *s)
{
    char *missing = sql_first_name_missing(s->time_col, s->sql);
    if (missing) {
        def_fail(d, key_value(d->map, "time_col"),
                 "time_col '%s' names '%s', which does not occur in sql: time_col is the "
                 "expression of the time column inside sql (e.g. rental.rental_date)",
                 s->time_col, missing);
        free(missing);
        return false;
    }
    bool given = s->time_col_alias != NULL;
    if (!given) {
        s->time_col_alias = sql_plain_column_name(s->time_col);
        if (!s->time_col_alias)
            return def_fail(d, key_value(d->map, "time_col"),
                            "time_col '%s' is an expression, not a column: add time_col_alias "
                            "with its output name in sql",
                            s->time_col);
    }
    if (sem_strv_find(s->local_columns, s->n_local_columns, s->time_col_alias) >= 0)
        return true;
    char cols[512] = "";
    for (size_t i = 0; i < s->n_local_columns; i++)
        join_add(cols, sizeof cols, s->local_columns[i]);
    if (given)
        return def_fail(d, key_value(d->map, "time_col_alias"),
                        "time_col_alias '%s' is not a column of sql (columns: %s): select %s "
                        "AS %s",
                        s->time_col_alias, cols, s->time_col, s->time_col_alias);
    return def_fail(d, key_value(d->map, "time_col"),
                    "the time column '%s' is not a column of sql (columns: %s): set "
                    "time_col_alias to its output name",
                    s->time_col_alias, cols);
}

static bool check_connection_name(const defctx *d, const char *name)
{
    if (strchr(name, '/') || name[0] == '.')
        return def_fail(d, key_value(d->map, "connection_name"),
                        "connection_name '%s' must be a plain file name (without .json) in the "
                        "secrets directory",
                        name);
    return true;
}

/* The most a result may be cached: a day; longer belongs to a materialised table. */
#define MAX_CACHE_TTL_S 86400

/* cache_ttl: an optional whole number of seconds, 0 (not cached) to a day. */
static bool get_cache_ttl(const defctx *d, unsigned *out)
{
    char *text;
    *out = 0;
    if (!get_text(d, "cache_ttl", &text))
        return false;
    if (!text)
        return true;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    bool ok = !errno && end != text && *end == '\0' && text[0] != '-' && text[0] != '+' && v >= 0 &&
              v <= MAX_CACHE_TTL_S;
    if (ok)
        *out = (unsigned)v;
    else
        def_fail(d, key_value(d->map, "cache_ttl"),
                 "cache_ttl must be a whole number of seconds from 0 (not cached) to %d, not "
                 "'%s'",
                 MAX_CACHE_TTL_S, text);
    free(text);
    return ok;
}

/* Every key is checked, so that one pass reports every missing one. */
static bool read_source_fields(defctx *d, const ynode *key, source *s)
{
    bool ok = get_required(d, "name", &s->name);
    if (s->name && key && !sem_name_eq(ynode_text(key), s->name))
        ok = def_fail(d, key,
                      "it is listed under the key '%s' but named '%s': they must "
                      "match",
                      ynode_text(key), s->name);
    if (s->name)
        d->name = s->name;
    char *raw_sql = NULL;
    ok = get_required(d, "time_col", &s->time_col) && ok;
    ok = get_required(d, "connection_name", &s->connection_name) && ok;
    if (s->connection_name)
        ok = check_connection_name(d, s->connection_name) && ok;
    ok = get_required(d, "sql", &raw_sql) && ok;
    ok = get_text(d, "time_col_alias", &s->time_col_alias) && ok;
    ok = get_text(d, "description", &s->description) && ok;
    ok = get_name_list(d, "dimensions", &s->dimension_names, &s->n_dimension_names) && ok;
    ok = get_cache_ttl(d, &s->cache_ttl_s) && ok;
    if (s->name)
        ok = rollups_read(d->file, s, ymap_get(d->map, "rollups"), &d->L->problems,
                          &d->L->n_problems) &&
             ok;
    if (raw_sql) {
        s->sql = trim_sql(raw_sql);
        if (!analyse_source_sql(d, s))
            ok = false;
        else if (s->time_col)
            ok = check_time_column(d, s) && ok;
    }
    free(raw_sql);
    return ok;
}

static void push_source(loader *L, source *s, const ynode *map)
{
    catalog *c = L->c;
    if (c->n_sources == L->cap_sources) {
        L->cap_sources = L->cap_sources ? L->cap_sources * 2 : 8;
        c->sources = xrealloc(c->sources, L->cap_sources * sizeof *c->sources);
        L->source_maps = xrealloc(L->source_maps, L->cap_sources * sizeof *L->source_maps);
    }
    L->source_maps[c->n_sources] = map;
    c->sources[c->n_sources++] = *s;
}

/* key is the mapping key the source was listed under, or NULL in a list. */
static bool read_source(loader *L, const char *file, const ynode *key, const ynode *map)
{
    defctx d = {
        .L = L, .kind = DEF_SOURCE, .file = file, .map = map, .name = key ? ynode_text(key) : NULL};
    if (map->kind != YNODE_MAPPING) {
        remember_failed(L, DEF_SOURCE, d.name);
        return def_fail(&d, key ? key : map,
                        "expected a mapping with name, time_col, connection_name and sql, "
                        "found %s",
                        ynode_kind_name(map));
    }
    source s = {0};
    if (!read_source_fields(&d, key, &s)) {
        remember_failed(L, DEF_SOURCE, d.name);
        catalog_source_clear(&s);
        return false;
    }
    const ynode *at = key ? key : map;
    s.at.file = xstrdup(file);
    s.at.line = at->line;
    s.at.column = at->column;
    push_source(L, &s, map);
    return true;
}

/* A sources document maps names to definitions; a lone definition at the top
 * level is a likely mistake, worth a message of its own. */
static bool read_sources_mapping(loader *L, const char *file, const ynode *doc)
{
    const ynode *sql = ymap_get(doc, "sql");
    if (ymap_get(doc, "name") && sql && sql->kind == YNODE_SCALAR) {
        const char *name = ynode_text(ymap_get(doc, "name"));
        remember_failed(L, DEF_SOURCE, name);
        return problem(L, file, doc->line, doc->column,
                       "a sources file maps each source's name to its definition: put this "
                       "definition under its name (e.g. \"%s:\")",
                       name ? name : "my_source");
    }
    bool ok = true;
    for (size_t i = 0; i < ymap_size(doc); i++) {
        const ynode *key = ymap_key(doc, i);
        if (!ynode_text(key) || !*ynode_text(key))
            ok = problem_at(L, file, key, "source names must be non-empty strings");
        else
            ok = read_source(L, file, key, ymap_value(doc, i)) && ok;
    }
    return ok;
}

/* ---- metrics and dimensions ---- */

/* The optional `type:` key: a MySQL column type, kept in its canonical spelling. */
static bool get_column_type(const defctx *d, char **out)
{
    if (!get_text(d, "type", out))
        return false;
    if (!*out)
        return true;
    column_type t;
    char why[128];
    if (!column_type_parse(*out, &t, why, sizeof(why))) {
        def_fail(d, key_value(d->map, "type"),
                 "type '%s' %s; write a MySQL column type such as BIGINT, INT, "
                 "DECIMAL(12,2), DOUBLE, VARCHAR(64), DATE or DATETIME",
                 *out, why);
        free(*out);
        *out = NULL;
        return false;
    }
    free(*out);
    *out = xstrdup(t.text);
    return true;
}

/* The expression of a definition's sql, or a problem at the sql key. */
static bool definition_expr(const defctx *d, const char *sql, char **expr)
{
    const char *why = NULL;
    *expr = sql_definition_expr_why(sql, &why);
    if (!*expr)
        return def_fail(d, key_value(d->map, "sql"), "sql %s", why ? why : "is not valid");
    return true;
}

/* A metric is one aggregate expression over its source's rows. */
static bool check_aggregate(const defctx *d, const char *expr)
{
    const char *why = NULL;
    char *culprit = NULL;
    if (sql_aggregate_check(expr, &why, &culprit))
        return true;
    const ynode *at = key_value(d->map, "sql");
    if (culprit)
        def_fail(d, at,
                 "sql '%s' %s ('%s'): a metric is one aggregate expression over its source's "
                 "rows, e.g. SUM(amount) or COUNT(DISTINCT customer_id)",
                 expr, why, culprit);
    else
        def_fail(d, at,
                 "sql '%s' %s: a metric is one aggregate expression over its source's rows, "
                 "e.g. SUM(amount) or COUNT(DISTINCT customer_id)",
                 expr, why);
    free(culprit);
    return false;
}

/*
 * type: derived. The sql is an expression over other metrics; which names it
 * uses is found here with the semantic layer's own scanner (so this layer does
 * not depend on the planner), and whether they are metrics, and free of
 * cycles, once every file is read (check_derived_metrics). The planner parses
 * the expression itself when a query uses the metric.
 */
static bool read_derived_fields(defctx *d, metric *m, bool ok)
{
    m->derived = true;
    char *sql = NULL;
    if (ymap_get(d->map, "source_name"))
        ok = def_fail(d, ymap_get(d->map, "source_name"),
                      "a derived metric has no source_name: it is computed from the metrics its "
                      "sql names") &&
             ok;
    ok = get_required(d, "sql", &sql) && ok;
    if (sql && definition_expr(d, sql, &m->expr)) {
        const char *why = NULL;
        size_t *offsets = NULL;
        if (!sql_expression_names(m->expr, &m->depends_on, &offsets, &m->n_depends_on, &why))
            ok = def_fail(d, key_value(d->map, "sql"), "sql '%s' %s", m->expr, why);
        else if (m->n_depends_on == 0)
            ok = def_fail(d, key_value(d->map, "sql"),
                          "sql '%s' names no metric: a derived metric is an expression over "
                          "other metrics, e.g. rentals_revenue / NULLIF(movies_rented, 0)",
                          m->expr);
        free(offsets);
    } else {
        ok = false;
    }
    ok = get_text(d, "description", &m->description) && ok;
    m->aggregation = AGGREGATION_DERIVED;
    if (ymap_get(d->map, "aggregation"))
        ok = def_fail(d, key_value(d->map, "aggregation"),
                      "a derived metric has no aggregation of its own: it is computed from the "
                      "metrics its sql names") &&
             ok;
    free(sql);
    return ok;
}

/*
 * aggregation: (optional) says how a metric whose sql Mimir cannot classify
 * aggregates (SUM(a) + SUM(b) is additive: aggregation: sum). A class the sql
 * shows cannot be overridden: saying sum of a COUNT(DISTINCT ...) would make
 * sums of distinct counts, a wrong number.
 */
static bool get_aggregation(const defctx *d, metric *m)
{
    m->aggregation = m->expr ? aggregation_of_sql(m->expr) : AGGREGATION_CUSTOM;
    char *text = NULL;
    if (!get_text(d, "aggregation", &text))
        return false; /* not a string */
    if (!text)
        return true;
    const ynode *at = key_value(d->map, "aggregation");
    metric_aggregation declared;
    bool ok = aggregation_parse(text, &declared);
    if (!ok)
        ok = def_fail(d, at,
                      "aggregation '%s' is not one of sum, count, min, max, avg, count_distinct, "
                      "custom",
                      text);
    else if (m->aggregation != AGGREGATION_CUSTOM && declared != m->aggregation)
        ok = def_fail(d, at, "aggregation '%s' contradicts its sql '%s', which is a %s", text,
                      m->expr, aggregation_name(m->aggregation));
    else
        m->aggregation = declared;
    free(text);
    return ok;
}

static bool is_type(const defctx *d, const char *kind)
{
    const ynode *v = ymap_get(d->map, "type");
    const char *text = ynode_is_null(v) ? NULL : ynode_text(v);
    return text && strcasecmp(text, kind) == 0;
}

static bool is_derived_type(const defctx *d)
{
    return is_type(d, "derived");
}

/* ---- time metrics, semi-additive metrics, fills ---- */

/* "1 year", "2 years", "7 days": n >= 1 whole units, singular or plural. */
static bool parse_time_span(const char *text, time_span *out)
{
    const char *p = text;
    while (*p == ' ')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    long n = 0;
    while (*p >= '0' && *p <= '9') {
        n = n * 10 + (*p++ - '0');
        if (n > 1000000)
            return false;
    }
    if (n < 1 || *p != ' ')
        return false;
    while (*p == ' ')
        p++;
    size_t len = 0;
    while (p[len] && p[len] != ' ')
        len++;
    const char *rest = p + len;
    while (*rest == ' ')
        rest++;
    if (*rest)
        return false;
    for (int u = TIME_UNIT_DAY; u <= TIME_UNIT_YEAR; u++) {
        const char *unit = time_unit_name((time_unit)u);
        size_t ul = strlen(unit);
        bool plural = len == ul + 1 && (p[ul] == 's' || p[ul] == 'S');
        if ((len == ul || plural) && strncasecmp(p, unit, ul) == 0) {
            out->n = (int)n;
            out->unit = (time_unit)u;
            return true;
        }
    }
    return false;
}

/* An optional span key (offset, window): out->n == 0 when absent. */
static bool get_time_span(const defctx *d, const char *key, time_span *out)
{
    char *text = NULL;
    *out = (time_span){0};
    if (!get_text(d, key, &text))
        return false;
    if (!text)
        return true;
    bool ok = parse_time_span(text, out);
    if (!ok)
        def_fail(d, key_value(d->map, key),
                 "%s '%s' is not a span of time: write a whole number n >= 1 and a unit, day, "
                 "week, month, quarter or year (singular or plural), e.g. 1 year or 7 days",
                 key, text);
    free(text);
    return ok;
}

static bool get_grain_to_date(const defctx *d, calendar_period *out)
{
    char *text = NULL;
    *out = CAL_PERIOD_NONE;
    if (!get_text(d, "grain_to_date", &text))
        return false;
    if (!text)
        return true;
    for (int p = CAL_PERIOD_WEEK; p <= CAL_PERIOD_FISCAL_YEAR; p++)
        if (strcasecmp(text, calendar_period_name((calendar_period)p)) == 0)
            *out = (calendar_period)p;
    if (*out == CAL_PERIOD_NONE)
        def_fail(d, key_value(d->map, "grain_to_date"),
                 "grain_to_date '%s' is not one of week, month, quarter, year, fiscal_quarter, "
                 "fiscal_year",
                 text);
    free(text);
    return *out != CAL_PERIOD_NONE;
}

/* A key a metric of this kind must not have: its message says why. */
static bool refuse_key(const defctx *d, const char *key, const char *why)
{
    const ynode *v = ymap_get_key(d->map, key);
    if (!v)
        return true;
    return def_fail(d, v, "'%s' %s", key, why);
}

/*
 * type: offset / type: cumulative: the metric `metric:` names over other
 * periods. Derived (depends_on its base, aggregation DERIVED, no expr), so
 * that what does not know time metrics treats it as computed after the
 * combine; whether the base exists, and cycles, are checked once every file
 * is read (check_references).
 */
static bool read_time_metric_fields(defctx *d, metric *m, time_metric_kind kind, bool ok)
{
    const char *k = kind == TIME_METRIC_OFFSET ? "offset" : "cumulative";
    char why[160];
    m->derived = true;
    m->time_kind = kind;
    m->aggregation = AGGREGATION_DERIVED;
    snprintf(why, sizeof why,
             "is not allowed on a metric of type: %s: it is computed from the metric its "
             "metric: key names",
             k);
    ok = refuse_key(d, "source_name", why) && ok;
    ok = refuse_key(d, "sql", why) && ok;
    ok = refuse_key(d, "aggregation", why) && ok;
    ok = get_required(d, "metric", &m->base_metric) && ok;
    if (m->base_metric) {
        m->depends_on = xcalloc(1, sizeof *m->depends_on);
        m->depends_on[0] = xstrdup(m->base_metric);
        m->n_depends_on = 1;
    }
    if (kind == TIME_METRIC_OFFSET) {
        ok = get_time_span(d, "offset", &m->offset) && ok;
        if (!ymap_get_key(d->map, "offset"))
            ok = def_fail(d, d->map, "missing required key 'offset' (e.g. offset: 1 year)") && ok;
        ok = refuse_key(d, "window", "belongs to metrics of type: cumulative") && ok;
        ok = refuse_key(d, "grain_to_date", "belongs to metrics of type: cumulative") && ok;
    } else {
        ok = get_time_span(d, "window", &m->window) && ok;
        ok = get_grain_to_date(d, &m->grain_to_date) && ok;
        if (m->window.n && m->grain_to_date != CAL_PERIOD_NONE)
            ok = def_fail(d, key_value(d->map, "grain_to_date"),
                          "has both window and grain_to_date: give one (a trailing window, or "
                          "from the start of a period), or neither (a running total)") &&
                 ok;
        ok = refuse_key(d, "offset", "belongs to metrics of type: offset") && ok;
    }
    ok = get_text(d, "description", &m->description) && ok;
    return ok;
}

/* A number as SQL writes one: [-]digits[.digits][e[-]digits], also .5 and 5. */
static bool is_sql_number(const char *s)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9')
        p++, digits++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            digits++;
    if (!digits)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0' && p - s < 64;
}

/* fill_nulls_with (a scalar) and join_to_calendar: any metric. */
static bool read_fill_keys(defctx *d, metric *m)
{
    bool ok = get_bool(d, "join_to_calendar", &m->join_to_calendar);
    const ynode *v = ymap_get(d->map, "fill_nulls_with");
    if (ynode_is_null(v))
        return ok;
    if (v->kind != YNODE_SCALAR || !ynode_text(v))
        return def_fail(d, v,
                        "'fill_nulls_with' must be a constant (a number such as 0, or a string), "
                        "not %s",
                        ynode_kind_name(v));
    m->fill_nulls_with = xstrdup(ynode_text(v));
    m->fill_is_number = is_sql_number(m->fill_nulls_with);
    return ok;
}

/* non_additive_time: last | first, non_additive_per: [dimension, ...] (base metrics). */
static bool read_non_additive(defctx *d, metric *m)
{
    char *text = NULL;
    bool ok = get_text(d, "non_additive_time", &text);
    if (text) {
        if (strcasecmp(text, "last") == 0)
            m->non_additive = NON_ADDITIVE_LAST;
        else if (strcasecmp(text, "first") == 0)
            m->non_additive = NON_ADDITIVE_FIRST;
        else
            ok = def_fail(d, key_value(d->map, "non_additive_time"),
                          "non_additive_time '%s' is not last or first", text);
        free(text);
    }
    ok = get_name_list(d, "non_additive_per", &m->non_additive_per, &m->n_non_additive_per) && ok;
    if (ymap_get_key(d->map, "non_additive_per") && !ymap_get(d->map, "non_additive_time"))
        ok = def_fail(d, ymap_get_key(d->map, "non_additive_per"),
                      "non_additive_per needs non_additive_time (last or first): it says per "
                      "which dimensions the last (first) time is chosen") &&
             ok;
    return ok;
}

/* The keys of offset and cumulative metrics, on a metric of another type: most likely a
 * forgotten `type:`, which would otherwise be silently a plain metric. */
static bool refuse_time_keys(const defctx *d)
{
    const char *why = "belongs to metrics of type: offset or type: cumulative";
    bool ok = refuse_key(d, "metric", why);
    ok = refuse_key(d, "offset", "belongs to metrics of type: offset") && ok;
    ok = refuse_key(d, "window", "belongs to metrics of type: cumulative") && ok;
    return refuse_key(d, "grain_to_date", "belongs to metrics of type: cumulative") && ok;
}

/* Keys only a metric of a source may have. */
static bool refuse_base_only_keys(const defctx *d)
{
    const char *why = "belongs to metrics of a source (a balance's SUM over its rows), not to "
                      "derived, offset or cumulative metrics";
    bool ok = refuse_key(d, "non_additive_time", why);
    return refuse_key(d, "non_additive_per", why) && ok;
}

/*
 * The keys of a metric Mimir does not interpret (team, collection, owner,
 * ...), when their values are scalars: kept as written, for catalogs that
 * show them (the HTTP API's /v1/catalog, the web catalog).
 */
static void keep_extra_keys(const defctx *d, metric *m)
{
    static const char *const known[] = {"name",
                                        "source_name",
                                        "sql",
                                        "description",
                                        "required_dimensions",
                                        "type",
                                        "truncate_incomplete_granularity",
                                        "aggregation",
                                        "metric",
                                        "offset",
                                        "window",
                                        "grain_to_date",
                                        "non_additive_time",
                                        "non_additive_per",
                                        "fill_nulls_with",
                                        "join_to_calendar",
                                        NULL};
    for (size_t i = 0; i + 1 < d->map->n_items; i += 2) {
        const char *key = ynode_text(d->map->items[i]);
        const char *value = ynode_text(d->map->items[i + 1]);
        bool is_known = false;
        for (size_t k = 0; key && known[k] && !is_known; k++)
            is_known = strcmp(key, known[k]) == 0;
        if (!key || is_known || !value || d->map->items[i + 1]->kind != YNODE_SCALAR)
            continue;
        m->extra_keys = xrealloc(m->extra_keys, (m->n_extra + 1) * sizeof *m->extra_keys);
        m->extra_values = xrealloc(m->extra_values, (m->n_extra + 1) * sizeof *m->extra_values);
        m->extra_keys[m->n_extra] = xstrdup(key);
        m->extra_values[m->n_extra++] = xstrdup(value);
    }
}

static bool read_metric_fields(defctx *d, metric *m)
{
    keep_extra_keys(d, m);
    bool ok = get_required(d, "name", &m->name);
    if (m->name)
        d->name = m->name;
    ok = read_fill_keys(d, m) && ok;
    if (is_derived_type(d) || is_type(d, "offset") || is_type(d, "cumulative")) {
        ok = refuse_base_only_keys(d) && ok;
        if (is_derived_type(d))
            return read_derived_fields(d, m, refuse_time_keys(d) && ok);
        return read_time_metric_fields(
            d, m, is_type(d, "offset") ? TIME_METRIC_OFFSET : TIME_METRIC_CUMULATIVE, ok);
    }
    ok = refuse_time_keys(d) && ok;
    ok = read_non_additive(d, m) && ok;
    char *sql = NULL;
    /* Keys other than these (team, collection, ...) are accepted and ignored,
     * as in the prototype. */
    ok = get_required(d, "source_name", &m->source_name) && ok;
    ok = get_required(d, "sql", &sql) && ok;
    if (sql)
        ok = definition_expr(d, sql, &m->expr) && check_aggregate(d, m->expr) && ok;
    ok = get_text(d, "description", &m->description) && ok;
    ok = get_name_list(d, "required_dimensions", &m->required_dimensions,
                       &m->n_required_dimensions) &&
         ok;
    ok = get_column_type(d, &m->type) && ok;
    ok = get_bool(d, "truncate_incomplete_granularity", &m->truncate_incomplete) && ok;
    ok = get_aggregation(d, m) && ok;
    free(sql);
    return ok;
}

static bool read_dimension_fields(defctx *d, dimension *dim)
{
    bool ok = get_required(d, "name", &dim->name);
    if (dim->name)
        d->name = dim->name;
    char *sql = NULL;
    ok = get_required(d, "source_name", &dim->source_name) && ok;
    ok = get_required(d, "sql", &sql) && ok;
    if (sql)
        ok = definition_expr(d, sql, &dim->expr) && ok;
    ok = get_text(d, "description", &dim->description) && ok;
    ok = get_column_type(d, &dim->type) && ok;
    free(sql);
    return ok;
}

/* The name of a definition that failed, for remember_failed. */
static const char *name_of(const ynode *map)
{
    return map->kind == YNODE_MAPPING ? ynode_text(ymap_get(map, "name")) : NULL;
}

static bool read_metric(loader *L, const char *file, const ynode *map)
{
    defctx d = {.L = L, .kind = DEF_METRIC, .file = file, .map = map};
    if (map->kind != YNODE_MAPPING)
        return def_fail(&d, map, "expected a mapping with name, source_name and sql, found %s",
                        ynode_kind_name(map));
    metric m = {0};
    if (!read_metric_fields(&d, &m)) {
        remember_failed(L, DEF_METRIC, name_of(map));
        catalog_metric_clear(&m);
        return false;
    }
    m.at.file = xstrdup(file);
    m.at.line = map->line;
    m.at.column = map->column;
    catalog *c = L->c;
    if (c->n_metrics == L->cap_metrics) {
        L->cap_metrics = L->cap_metrics ? L->cap_metrics * 2 : 8;
        c->metrics = xrealloc(c->metrics, L->cap_metrics * sizeof *c->metrics);
        L->metric_maps = xrealloc(L->metric_maps, L->cap_metrics * sizeof *L->metric_maps);
    }
    L->metric_maps[c->n_metrics] = map;
    c->metrics[c->n_metrics++] = m;
    return true;
}

static bool read_dimension(loader *L, const char *file, const ynode *map)
{
    defctx d = {.L = L, .kind = DEF_DIMENSION, .file = file, .map = map};
    if (map->kind != YNODE_MAPPING)
        return def_fail(&d, map, "expected a mapping with name, source_name and sql, found %s",
                        ynode_kind_name(map));
    dimension dim = {0};
    if (!read_dimension_fields(&d, &dim)) {
        remember_failed(L, DEF_DIMENSION, name_of(map));
        catalog_dimension_clear(&dim);
        return false;
    }
    dim.at.file = xstrdup(file);
    dim.at.line = map->line;
    dim.at.column = map->column;
    catalog *c = L->c;
    if (c->n_dimensions == L->cap_dimensions) {
        L->cap_dimensions = L->cap_dimensions ? L->cap_dimensions * 2 : 8;
        c->dimensions = xrealloc(c->dimensions, L->cap_dimensions * sizeof *c->dimensions);
        L->dimension_maps =
            xrealloc(L->dimension_maps, L->cap_dimensions * sizeof *L->dimension_maps);
    }
    L->dimension_maps[c->n_dimensions] = map;
    c->dimensions[c->n_dimensions++] = dim;
    return true;
}

/* ---- files and directories ---- */

static bool read_definition(loader *L, def_kind kind, const char *file, const ynode *node)
{
    switch (kind) {
    case DEF_SOURCE:
        return read_source(L, file, NULL, node);
    case DEF_METRIC:
        return read_metric(L, file, node);
    default:
        return read_dimension(L, file, node);
    }
}

static bool read_document(loader *L, def_kind kind, const char *file, const ynode *doc)
{
    if (ynode_is_null(doc))
        return true; /* an empty document, e.g. after a final "---" */
    if (doc->kind == YNODE_SEQUENCE) {
        bool ok = true;
        for (size_t i = 0; i < doc->n_items; i++)
            ok = read_definition(L, kind, file, doc->items[i]) && ok;
        return ok;
    }
    if (kind == DEF_SOURCE && doc->kind == YNODE_MAPPING)
        return read_sources_mapping(L, file, doc);
    return read_definition(L, kind, file, doc);
}

/* A file on disk, or (text not NULL) the pending file's text under its path. */
static bool read_file(loader *L, def_kind kind, const char *path, const char *text)
{
    ystream *ys = xcalloc(1, sizeof *ys);
    L->streams = xrealloc(L->streams, (L->n_streams + 1) * sizeof *L->streams);
    L->streams[L->n_streams++] = ys;
    char err[1024];
    if (text
            ? !ystream_load_string(ys, path, text, strlen(text), YSTREAM_MAX_NODES, err, sizeof err)
            : !ystream_load_file(ys, path, YSTREAM_MAX_NODES, err, sizeof err))
        return problem_text(L, err);
    bool ok = true;
    for (size_t i = 0; i < ys->n_docs; i++)
        ok = read_document(L, kind, ys->file, ys->docs[i]) && ok;
    return ok;
}

static bool has_yaml_suffix(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static int name_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The visible entries of dir, sorted bytewise (not by locale) for a stable order. */
static bool list_dir(loader *L, const char *dir, char ***names, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return problem(L, dir, 0, 0, "cannot read directory: %s", strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            sem_strv_push(names, n, xstrdup(e->d_name));
    closedir(d);
    if (*n > 1)
        qsort(*names, *n, sizeof **names, name_order);
    return true;
}

/*
 * Each directory is read once: a symlink back to a directory being walked
 * would otherwise be followed until MAX_DIR_DEPTH, and a few such links in
 * one directory multiply (ten of them: 10^8 directories to read).
 */
static bool first_visit(loader *L, const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return problem(L, dir, 0, 0, "cannot read: %s", strerror(errno));
    for (size_t i = 0; i < L->n_walked; i++)
        if (L->walked[i].st_dev == st.st_dev && L->walked[i].st_ino == st.st_ino)
            return problem(L, dir, 0, 0,
                           "this directory was already read through another path (a symlink "
                           "loop?)");
    L->walked = xrealloc(L->walked, (L->n_walked + 1) * sizeof *L->walked);
    L->walked[L->n_walked++] = st;
    return true;
}

static bool walk_dir(loader *L, def_kind kind, const char *dir, int depth)
{
    if (!first_visit(L, dir))
        return false;
    char **names = NULL;
    size_t n = 0;
    bool ok = list_dir(L, dir, &names, &n);
    for (size_t i = 0; i < n; i++) {
        char *path = sem_path_join(dir, names[i]);
        struct stat st;
        if (stat(path, &st) != 0)
            ok = problem(L, path, 0, 0, "cannot read: %s", strerror(errno));
        else if (S_ISDIR(st.st_mode) && depth >= MAX_DIR_DEPTH)
            ok = problem(L, path, 0, 0, "directories nested more than %d deep (a symlink loop?)",
                         MAX_DIR_DEPTH);
        else if (S_ISDIR(st.st_mode))
            ok = walk_dir(L, kind, path, depth + 1) && ok;
        else if (S_ISREG(st.st_mode) && has_yaml_suffix(names[i]))
            ok = read_file(L, kind, path, NULL) && ok;
        free(path);
    }
    sem_strv_free(names, n);
    return ok;
}

/* sources/ must exist (a project without it is most likely a wrong path);
 * metrics/ and dimensions/ may be absent. */
static bool walk_project_dir(loader *L, def_kind kind, const char *sub)
{
    char *dir = sem_path_join(L->c->configs_dir, sub);
    struct stat st;
    bool ok;
    if (stat(dir, &st) != 0 && errno == ENOENT && kind != DEF_SOURCE)
        ok = true;
    else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        ok = problem(L, L->c->configs_dir, 0, 0,
                     "no %s/ directory: a Mimir project holds sources/, metrics/ and "
                     "dimensions/",
                     sub);
    else
        ok = walk_dir(L, kind, dir, 0);
    free(dir);
    if (L->pending && strcmp(L->pending->subdir, sub) == 0)
        ok = read_file(L, kind, L->pending->path, L->pending->text) && ok;
    return ok;
}

/* ---- cross-reference checks ---- */

static bool duplicate(loader *L, const char *kind, const origin *at, const char *name,
                      const origin *first)
{
    return problem(L, at->file, at->line, at->column, "duplicate %s '%s' (first defined at %s:%d)",
                   kind, name, first->file, first->line);
}

static bool check_duplicates(loader *L)
{
    catalog *c = L->c;
    bool ok = true;
    for (size_t i = 0; i < c->n_sources; i++)
        for (size_t j = 0; j < i; j++)
            if (sem_name_eq(c->sources[i].name, c->sources[j].name)) {
                ok = duplicate(L, "source", &c->sources[i].at, c->sources[i].name,
                               &c->sources[j].at);
                break;
            }
    for (size_t i = 0; i < c->n_dimensions; i++)
        for (size_t j = 0; j < i; j++)
            if (sem_name_eq(c->dimensions[i].name, c->dimensions[j].name)) {
                ok = duplicate(L, "dimension", &c->dimensions[i].at, c->dimensions[i].name,
                               &c->dimensions[j].at);
                break;
            }
    for (size_t i = 0; i < c->n_metrics; i++) {
        const metric *m = &c->metrics[i];
        for (size_t j = 0; j < i; j++)
            if (sem_name_eq(m->name, c->metrics[j].name)) {
                ok = duplicate(L, "metric", &m->at, m->name, &c->metrics[j].at);
                break;
            }
        /* A query names metrics and dimensions in the same way (as columns). */
        const dimension *d = catalog_dimension(c, m->name);
        if (d)
            ok = problem(L, m->at.file, m->at.line, m->at.column,
                         "metric '%s' has the name of the dimension defined at %s:%d", m->name,
                         d->at.file, d->at.line);
    }
    return ok;
}

/* A definition's source_name must name a source; one that failed to load
 * was reported already. */
static bool check_source_name(loader *L, def_kind kind, const origin *at, const char *name,
                              const char *source_name, const ynode *map)
{
    if (catalog_source(L->c, source_name) || has_failed(L, DEF_SOURCE, source_name))
        return true;
    char known[512] = "";
    for (size_t i = 0; i < L->c->n_sources; i++)
        join_add(known, sizeof known, L->c->sources[i].name);
    const ynode *v = key_value(map, "source_name");
    return problem(L, at->file, v->line, v->column,
                   "%s '%s': unknown source_name '%s' (known sources: %s)", def_kind_names[kind],
                   name, source_name, *known ? known : "none");
}

static bool check_source_dimensions(loader *L, size_t si)
{
    const source *s = &L->c->sources[si];
    bool ok = true;
    for (size_t i = 0; i < s->n_dimension_names; i++) {
        if (catalog_dimension(L->c, s->dimension_names[i]) ||
            has_failed(L, DEF_DIMENSION, s->dimension_names[i]))
            continue;
        char known[512] = "";
        for (size_t j = 0; j < L->c->n_dimensions; j++)
            join_add(known, sizeof known, L->c->dimensions[j].name);
        const ynode *item = list_item(L->source_maps[si], "dimensions", i);
        ok = problem(L, s->at.file, item->line, item->column,
                     "source '%s': 'dimensions' lists '%s', which is not a defined dimension "
                     "(defined: %s)",
                     s->name, s->dimension_names[i], *known ? known : "none");
    }
    return ok;
}

/* A metric's list of dimensions (`key`: required_dimensions, non_additive_per): each
 * must be available on its source; `unavailable` says so for one, from its name and the
 * source's (an unknown source is reported as such). */
static bool check_dimension_list(loader *L, size_t mi, const char *key, char **dims, size_t n,
                                 const char *unavailable)
{
    const metric *m = &L->c->metrics[mi];
    const source *s = catalog_source(L->c, m->source_name);
    bool ok = true;
    for (size_t i = 0; s && i < n; i++) {
        if (catalog_dim_on_source(L->c, s, dims[i], NULL) != DIM_NOT_ON_SOURCE ||
            has_failed(L, DEF_DIMENSION, dims[i]))
            continue;
        const ynode *item = list_item(L->metric_maps[mi], key, i);
        char why[512];
        snprintf(why, sizeof(why), unavailable, dims[i], s->name);
        ok = problem(L, m->at.file, item->line, item->column, "metric '%s': %s", m->name, why);
    }
    return ok;
}

static bool check_required_dimensions(loader *L, size_t mi)
{
    const metric *m = &L->c->metrics[mi];
    return check_dimension_list(L, mi, "required_dimensions", m->required_dimensions,
                                m->n_required_dimensions,
                                "required dimension '%s' is not available on source '%s' (not a "
                                "column of its sql, nor a dimension defined on it or listed "
                                "under its 'dimensions')");
}

/* The key that names what a derived metric depends on: sql, or a time metric's metric. */
static const char *deps_key(const metric *m)
{
    return m->time_kind != TIME_METRIC_NONE ? "metric" : "sql";
}

/* "derived", "offset" or "cumulative", for messages. */
static const char *time_kind_name(const metric *m)
{
    const char *kind = time_metric_kind_name(m->time_kind);
    return kind ? kind : "derived";
}

/* Each name a derived metric's sql uses must be a metric; it is then spelled as
 * the catalog spells it, so that depends_on can be looked up exactly. */
static bool check_derived_names(loader *L, size_t mi)
{
    metric *m = &L->c->metrics[mi];
    bool ok = true;
    for (size_t i = 0; i < m->n_depends_on; i++) {
        const metric *dep = catalog_metric(L->c, m->depends_on[i]);
        if (dep) {
            free(m->depends_on[i]);
            m->depends_on[i] = xstrdup(dep->name);
            continue;
        }
        if (has_failed(L, DEF_METRIC, m->depends_on[i]))
            continue;
        char known[512] = "";
        for (size_t j = 0; j < L->c->n_metrics; j++)
            if (j != mi)
                join_add(known, sizeof known, L->c->metrics[j].name);
        const ynode *v = key_value(L->metric_maps[mi], deps_key(m));
        if (m->time_kind != TIME_METRIC_NONE)
            ok = problem(L, m->at.file, v->line, v->column,
                         "%s metric '%s': metric '%s' is not a metric (metrics: %s)",
                         time_kind_name(m), m->name, m->depends_on[i], *known ? known : "none");
        else
            ok = problem(L, m->at.file, v->line, v->column,
                         "derived metric '%s': sql names '%s', which is not a metric (a derived "
                         "metric computes on metrics only; metrics: %s)",
                         m->name, m->depends_on[i], *known ? known : "none");
    }
    return ok;
}

/*
 * Derived metrics form a graph through depends_on. Each walk below visits a
 * metric once (memoised or marked), and stops descending at
 * CATALOG_DERIVED_MAX_DEPTH, so a hostile project (thousands of metrics, each
 * naming the next two) costs time in proportion to its size, not to the
 * number of paths through it, and bounded stack.
 */
#define DEPTH_CYCLE (CATALOG_DERIVED_MAX_DEPTH + 1) /* on or behind a cycle, or too deep */

typedef struct derived_walk {
    const catalog *c;
    unsigned char *state; /* by metric index: 0 new, 1 being walked, 2 done */
    int *depth;           /* by metric index, once done: 1 + the deepest derived dependency */
} derived_walk;

static size_t metric_index(const catalog *c, const metric *m)
{
    return (size_t)(m - c->metrics);
}

/* How many derived metrics deep m nests (1: only base metrics), DEPTH_CYCLE at most. */
static int derived_depth(derived_walk *w, const metric *m, int level)
{
    size_t k = metric_index(w->c, m);
    if (w->state[k] == 1 || level > CATALOG_DERIVED_MAX_DEPTH)
        return DEPTH_CYCLE;
    if (w->state[k] == 2)
        return w->depth[k];
    w->state[k] = 1;
    int d = 1;
    for (size_t i = 0; i < m->n_depends_on && d < DEPTH_CYCLE; i++) {
        const metric *dep = catalog_metric(w->c, m->depends_on[i]);
        if (dep && dep->derived) {
            int dd = derived_depth(w, dep, level + 1);
            d = dd + 1 > d ? (dd + 1 > DEPTH_CYCLE ? DEPTH_CYCLE : dd + 1) : d;
        }
    }
    w->state[k] = 2;
    w->depth[k] = d;
    return d;
}

/* Depth-first from m, each metric entered once (seen): true when target is
 * reached, with the names on the way ("a -> b -> a") in path. */
static bool reaches(const catalog *c, const metric *m, const metric *target, bool *seen, char *path,
                    size_t len, int level)
{
    if (level > CATALOG_DERIVED_MAX_DEPTH)
        return false;
    for (size_t i = 0; i < m->n_depends_on; i++) {
        const metric *dep = catalog_metric(c, m->depends_on[i]);
        if (!dep || !dep->derived)
            continue;
        size_t used = strlen(path);
        snprintf(path + used, len - used, " -> %s", dep->name);
        if (dep == target)
            return true;
        size_t k = metric_index(c, dep);
        if (!seen[k]) {
            seen[k] = true;
            if (reaches(c, dep, target, seen, path, len, level + 1))
                return true;
        }
        path[used] = '\0';
    }
    return false;
}

/* A derived metric may use derived metrics, but never itself, even through
 * others, and may not nest deeper than CATALOG_DERIVED_MAX_DEPTH. */
static bool check_derived_depths(loader *L)
{
    const catalog *c = L->c;
    derived_walk w = {.c = c,
                      .state = xcalloc(c->n_metrics + 1, 1),
                      .depth = xcalloc(c->n_metrics + 1, sizeof(int))};
    bool *seen = xcalloc(c->n_metrics + 1, sizeof(bool));
    bool ok = true;
    for (size_t i = 0; i < c->n_metrics; i++) {
        const metric *m = &c->metrics[i];
        if (!m->derived || derived_depth(&w, m, 0) < DEPTH_CYCLE)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s", m->name);
        memset(seen, 0, c->n_metrics * sizeof(bool));
        const ynode *v = key_value(L->metric_maps[i], deps_key(m));
        if (reaches(c, m, m, seen, path, sizeof path, 0))
            ok = problem(L, m->at.file, v->line, v->column, "%s metric '%s' depends on itself: %s",
                         time_kind_name(m), m->name, path);
        else
            ok = problem(L, m->at.file, v->line, v->column,
                         "%s metric '%s' depends on a cycle of derived metrics, or nests more "
                         "than %d derived metrics deep",
                         time_kind_name(m), m->name, CATALOG_DERIVED_MAX_DEPTH);
    }
    free(seen);
    free(w.state);
    free(w.depth);
    return ok;
}

/* grain_to_date: fiscal_* needs the calendar's fiscal year, read by now. */
static bool check_grain_to_date(loader *L, size_t mi)
{
    const metric *m = &L->c->metrics[mi];
    if ((m->grain_to_date != CAL_PERIOD_FISCAL_YEAR &&
         m->grain_to_date != CAL_PERIOD_FISCAL_QUARTER) ||
        L->c->cal.fiscal_year_start_month != 0)
        return true;
    const ynode *v = key_value(L->metric_maps[mi], "grain_to_date");
    return problem(L, m->at.file, v->line, v->column,
                   "metric '%s': grain_to_date: %s needs fiscal_year_start_month in calendar.yaml",
                   m->name, calendar_period_name(m->grain_to_date));
}

/* Each non_additive_per name must be a dimension of the metric's source. */
static bool check_non_additive_per(loader *L, size_t mi)
{
    const metric *m = &L->c->metrics[mi];
    return check_dimension_list(L, mi, "non_additive_per", m->non_additive_per,
                                m->n_non_additive_per,
                                "non_additive_per names '%s', which is not a dimension available "
                                "on source '%s' (a column of its sql, or a dimension defined on "
                                "it or listed under its 'dimensions')");
}

static bool check_references(loader *L)
{
    catalog *c = L->c;
    bool ok = true;
    for (size_t i = 0; i < c->n_dimensions; i++) {
        const dimension *d = &c->dimensions[i];
        ok = check_source_name(L, DEF_DIMENSION, &d->at, d->name, d->source_name,
                               L->dimension_maps[i]) &&
             ok;
    }
    for (size_t i = 0; i < c->n_sources; i++)
        ok = check_source_dimensions(L, i) && ok;
    for (size_t i = 0; i < c->n_metrics; i++) {
        const metric *m = &c->metrics[i];
        if (m->derived) {
            ok = check_derived_names(L, i) && ok;
            ok = check_grain_to_date(L, i) && ok;
            continue;
        }
        ok = check_non_additive_per(L, i) && ok;
        ok = check_source_name(L, DEF_METRIC, &m->at, m->name, m->source_name, L->metric_maps[i]) &&
             ok;
        ok = check_required_dimensions(L, i) && ok;
    }
    /* After every name is canonical: cycles are found by exact lookups. */
    ok = check_derived_depths(L) && ok;
    ok = rollups_check(c, &L->problems, &L->n_problems) && ok;
    return ok;
}

/* ---- secrets ---- */

/* Reads the secrets file of connection name once (who/at: what names it, for
 * the message when there is none). */
static bool load_named_connection(loader *L, const char *name, const char *who, const char *file,
                                  int line, int column)
{
    catalog *c = L->c;
    if (catalog_connection(c, name) ||
        sem_strv_find(L->failed_connections, L->n_failed_connections, name) >= 0)
        return true;
    char *path = secrets_file_path(c->secrets_dir, name);
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (!exists) {
        problem(L, file, line, column, "%s: no secrets file for connection '%s' (expected %s)", who,
                name, path);
        free(path);
        sem_strv_push(&L->failed_connections, &L->n_failed_connections, xstrdup(name));
        return false;
    }
    free(path);
    connection conn;
    char err[1024];
    if (!secrets_load_connection(c->secrets_dir, name, &conn, err, sizeof err)) {
        catalog_connection_clear(&conn);
        sem_strv_push(&L->failed_connections, &L->n_failed_connections, xstrdup(name));
        return problem_text(L, err);
    }
    c->connections = xrealloc(c->connections, (c->n_connections + 1) * sizeof *c->connections);
    c->connections[c->n_connections++] = conn;
    return true;
}

static bool load_connection_of(loader *L, size_t si)
{
    const source *s = &L->c->sources[si];
    const ynode *v = key_value(L->source_maps[si], "connection_name");
    char who[300];
    snprintf(who, sizeof who, "source '%s'", s->name);
    return load_named_connection(L, s->connection_name, who, s->at.file, v->line, v->column);
}

/* The storage connections of a source's rollups (their own secrets files). */
static bool load_rollup_storage(loader *L, size_t si)
{
    const source *s = &L->c->sources[si];
    bool ok = true;
    for (size_t i = 0; i < s->n_rollups; i++) {
        const rollup *r = &s->rollups[i];
        if (!r->storage)
            continue;
        char who[300];
        snprintf(who, sizeof who, "source '%s': rollup '%s': storage", s->name, r->name);
        ok = load_named_connection(L, r->storage, who, r->storage_at.file, r->storage_at.line,
                                   r->storage_at.column) &&
             ok;
    }
    return ok;
}

static const char *kind_name(conn_kind k)
{
    return k == CONN_POSTGRES ? "PostgreSQL" : k == CONN_MYSQL ? "MySQL/MariaDB" : "SQLite";
}

/*
 * A rollup is stored in a database of its source's kind: its rows keep the types and
 * collations the source gives them, and it is read with the source's dialect
 * (docs/rollups.md, "Storage").
 */
static bool rollup_storage_kind_matches(loader *L, const source *s)
{
    bool ok = true;
    for (size_t j = 0; j < s->n_rollups; j++) {
        const rollup *r = &s->rollups[j];
        if (!r->storage_conn || !s->conn || r->storage_conn->kind == s->conn->kind)
            continue;
        ok = problem(L, r->storage_at.file, r->storage_at.line, r->storage_at.column,
                     "source '%s': rollup '%s': storage '%s' is a %s database but the source is "
                     "on %s: a rollup is stored in a database of its source's kind",
                     s->name, r->name, r->storage, kind_name(r->storage_conn->kind),
                     kind_name(s->conn->kind));
    }
    return ok;
}

static void resolve_connections(catalog *c)
{
    for (size_t i = 0; i < c->n_sources; i++) {
        source *s = &c->sources[i];
        s->conn = catalog_connection(c, s->connection_name);
        for (size_t j = 0; j < s->n_rollups; j++)
            if (s->rollups[j].storage)
                s->rollups[j].storage_conn = catalog_connection(c, s->rollups[j].storage);
    }
}

/* Only the connections that sources use are read: a secrets directory may
 * well hold files for other projects or environments. */
static bool load_connections(loader *L)
{
    catalog *c = L->c;
    if (!c->secrets_dir)
        return true;
    struct stat st;
    if (stat(c->secrets_dir, &st) != 0)
        return problem(L, c->secrets_dir, 0, 0, "cannot open secrets directory: %s",
                       strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return problem(L, c->secrets_dir, 0, 0, "secrets path is not a directory");
    bool ok = true;
    for (size_t i = 0; i < c->n_sources; i++)
        ok = load_connection_of(L, i) && ok;
    for (size_t i = 0; i < c->n_sources; i++)
        ok = load_rollup_storage(L, i) && ok;
    /* Pointers into c->connections are taken only now that it stops growing. */
    resolve_connections(c);
    for (size_t i = 0; i < c->n_sources; i++)
        ok = rollup_storage_kind_matches(L, &c->sources[i]) && ok;
    return ok;
}

/* ---- entry points ---- */

static void load_all(loader *L)
{
    struct stat st;
    if (stat(L->c->configs_dir, &st) != 0) {
        problem(L, L->c->configs_dir, 0, 0, "cannot open: %s", strerror(errno));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        problem(L, L->c->configs_dir, 0, 0, "not a directory");
        return;
    }
    if (!walk_project_dir(L, DEF_SOURCE, "sources") && L->c->n_sources == 0 &&
        L->n_failed[DEF_SOURCE] == 0)
        return; /* no sources/ at all: everything else would be noise */
    catalog_read_calendar(L->c, &L->problems, &L->n_problems);
    walk_project_dir(L, DEF_DIMENSION, "dimensions");
    walk_project_dir(L, DEF_METRIC, "metrics");
    check_duplicates(L);
    check_references(L);
    load_connections(L);
}

static void loader_release(loader *L)
{
    for (size_t i = 0; i < L->n_streams; i++) {
        ystream_free(L->streams[i]);
        free(L->streams[i]);
    }
    free(L->streams);
    free(L->source_maps);
    free(L->metric_maps);
    free(L->dimension_maps);
    free(L->walked);
    for (size_t k = 0; k < 3; k++)
        sem_strv_free(L->failed[k], L->n_failed[k]);
    sem_strv_free(L->failed_connections, L->n_failed_connections);
}

catalog *catalog_validate(const char *configs_dir, const char *secrets_dir, char ***problems,
                          size_t *n_problems)
{
    return catalog_validate_pending(configs_dir, secrets_dir, NULL, problems, n_problems);
}

catalog *catalog_validate_pending(const char *configs_dir, const char *secrets_dir,
                                  const catalog_pending_file *pending, char ***problems,
                                  size_t *n_problems)
{
    loader L = {.pending = pending};
    L.c = xcalloc(1, sizeof *L.c);
    L.c->configs_dir = xstrdup(configs_dir);
    L.c->secrets_dir = sem_strdup_or_null(secrets_dir);
    load_all(&L);
    loader_release(&L);
    *problems = L.problems;
    *n_problems = L.n_problems;
    return L.c;
}

catalog *catalog_load(const char *configs_dir, const char *secrets_dir, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    char **problems;
    size_t n;
    catalog *c = catalog_validate(configs_dir, secrets_dir, &problems, &n);
    if (n > 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s", problems[0]);
        catalog_free(c);
        c = NULL;
    }
    sem_strv_free(problems, n);
    return c;
}
