#include "proxy/obs/query_log.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proxy/obs/json_out.h"
#include "proxy/log.h"
#include "planner/sql_error.h"
#include "wire/xalloc.h"

/* The statement text kept for debug records, at most this long. */
#define SQL_KEEP_BYTES 4096
/* The buffer lines are built in is kept at this size (see write_record). */
#define LINE_KEEP_BYTES (64u << 10)

/* Sources per query the record has room for before any query is planned. */
#define SOURCES_FIRST_CAP 8

/*
 * Memory: whatever the record needs is allocated when a statement arrives,
 * before the planner allocates, and kept: the per-source array by the session,
 * the line buffer by the process. A block xmalloc()ed after the planner's
 * arena blocks (which can be hundreds of MB for a hostile statement) would
 * sit above them at the top of the heap and keep glibc from giving the heap
 * back once they are freed; test_hostile.py measures exactly that.
 */
static buf line; /* loop thread only */

/* Back to an empty record; the per-source array keeps its allocation. */
static void reset(query_log *q)
{
    query_log_source *sources = q->sources;
    size_t cap = q->sources_cap;
    free(q->sql);
    memset(q, 0, sizeof(*q));
    q->sources = sources;
    q->sources_cap = cap;
}

/* Skips blanks and comments (C style, "-- ...", "# ..."): JDBC drivers prefix theirs. */
static size_t skip_blanks(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (isspace((unsigned char)s[i])) {
            i++;
        } else if (i + 1 < len && s[i] == '/' && s[i + 1] == '*') {
            const char *end = memmem(s + i + 2, len - i - 2, "*/", 2);
            i = end ? (size_t)(end - s) + 2 : len;
        } else if (s[i] == '#' || (i + 1 < len && s[i] == '-' && s[i + 1] == '-')) {
            const char *nl = memchr(s + i, '\n', len - i);
            i = nl ? (size_t)(nl - s) + 1 : len;
        } else {
            break;
        }
    }
    return i;
}

static void statement_keyword(const char *sql, size_t len, char *out, size_t outlen)
{
    size_t i = skip_blanks(sql, len), n = 0;
    while (i < len && n + 1 < outlen && isalpha((unsigned char)sql[i]))
        out[n++] = (char)tolower((unsigned char)sql[i++]);
    out[n] = '\0';
}

void query_log_begin(query_log *q, const char *sql, size_t len, uint64_t bytes_out)
{
    reset(q);
    if (!line.data)
        buf_reserve(&line, LINE_KEEP_BYTES);
    if (!q->sources) {
        q->sources = xcalloc(SOURCES_FIRST_CAP, sizeof(*q->sources));
        q->sources_cap = SOURCES_FIRST_CAP;
    }
    q->active = true;
    q->session_stmt = true; /* until it becomes an execution */
    q->start_ns = stats_now_ns();
    q->bytes_at_start = bytes_out;
    q->combine_ms = -1;
    q->cache = "off";
    statement_keyword(sql, len, q->statement, sizeof(q->statement));
    if (log_enabled(LOG_LEVEL_DEBUG)) {
        q->sql = xstrndup(sql, len < SQL_KEEP_BYTES ? len : SQL_KEEP_BYTES);
    }
}

void query_log_plan(query_log *q, const plan *p)
{
    if (!q->active)
        return;
    q->session_stmt = false;
    q->plan = p;
    if (p->nqueries > q->sources_cap) {
        query_log_source *grown = xrealloc(q->sources, p->nqueries * sizeof(*grown));
        q->sources = grown;
        q->sources_cap = p->nqueries;
    }
    q->nsources = p->nqueries;
    for (size_t i = 0; i < p->nqueries; i++) {
        q->sources[i].rows = 0;
        q->sources[i].backend_ms = -1;
    }
}

void query_log_source_done(query_log *q, size_t i, double ms, uint64_t rows)
{
    if (!q->active || i >= q->nsources)
        return;
    q->sources[i].backend_ms = ms;
    q->sources[i].rows = rows;
}

void query_log_error(query_log *q, uint16_t code, const char *message)
{
    if (!q->active || q->error_code)
        return;
    q->error_code = code;
    snprintf(q->error, sizeof(q->error), "%s", message);
}

void query_log_free(query_log *q)
{
    reset(q);
    free(q->sources);
    q->sources = NULL;
    q->sources_cap = 0;
}

/* ---- The record ------------------------------------------------------------ */

/* names[0..n) has name already (a metric asked twice is listed once). */
static bool listed(const plan *p, size_t upto, bool metric, const char *name)
{
    for (size_t k = 0; k < upto; k++) {
        const plan_column *c = &p->cols[k];
        if (c->is_metric == metric && !c->computed && strcmp(c->org_name, name) == 0)
            return true;
    }
    return false;
}

/* The metrics (metric true) or dimensions the plan's columns name. */
static void append_names(buf *b, const plan *p, bool metric)
{
    buf_append_byte(b, '[');
    bool first = true;
    for (size_t i = 0; p && i < p->ncols; i++) {
        const plan_column *c = &p->cols[i];
        if (c->is_metric != metric || c->computed || !c->org_name ||
            listed(p, i, metric, c->org_name))
            continue;
        if (!first)
            buf_append_byte(b, ',');
        first = false;
        json_append_cstr(b, c->org_name);
    }
    buf_append_byte(b, ']');
}

static void append_sources(buf *b, const query_log *q)
{
    buf_append_byte(b, '[');
    for (size_t i = 0; q->plan && i < q->nsources && i < q->plan->nqueries; i++) {
        const atomic_query *aq = &q->plan->queries[i];
        if (i)
            buf_append_byte(b, ',');
        buf_append_str(b, "{\"name\":");
        json_append_cstr(b, aq->src ? aq->src->name : NULL);
        buf_append_str(b, ",\"connection\":");
        json_append_cstr(b, aq->conn ? aq->conn->name : NULL);
        buf_append_str(b, ",\"backend_ms\":");
        json_append_ms(b, q->sources[i].backend_ms);
        buf_printf(b, ",\"rows\":%llu,\"rollup\":", (unsigned long long)q->sources[i].rows);
        json_append_cstr(b, aq->rollup);
        buf_append_byte(b, '}');
    }
    buf_append_byte(b, ']');
}

/* The rollup that answered (the first, when several sources were): null when none. */
static const char *first_rollup(const query_log *q)
{
    for (size_t i = 0; q->plan && i < q->plan->nqueries; i++)
        if (q->plan->queries[i].rollup)
            return q->plan->queries[i].rollup;
    return NULL;
}

void query_log_render(buf *b, const query_log *q, const query_log_who *who, query_status status,
                      double total_ms, uint64_t bytes, bool with_sql)
{
    buf_append_str(b, "{\"ts\":");
    json_append_cstr(b, who->ts);
    buf_append_str(b, ",\"level\":");
    json_append_cstr(b, who->level);
    buf_printf(b, ",\"event\":\"query\",\"conn\":%u,\"user\":", who->conn);
    json_append_cstr(b, who->user);
    buf_append_str(b, ",\"client\":");
    json_append_cstr(b, who->client);
    buf_append_str(b, ",\"protocol\":");
    json_append_cstr(b, who->protocol ? who->protocol : "mysql");
    buf_append_str(b, ",\"statement\":");
    json_append_cstr(b, q->statement);
    buf_append_str(b, ",\"metrics\":");
    append_names(b, q->plan, true);
    buf_append_str(b, ",\"dimensions\":");
    append_names(b, q->plan, false);
    buf_append_str(b, ",\"sources\":");
    append_sources(b, q);
    buf_append_str(b, ",\"rollup\":");
    json_append_cstr(b, first_rollup(q));
    buf_append_str(b, ",\"combine_ms\":");
    json_append_ms(b, q->combine_ms);
    buf_append_str(b, ",\"total_ms\":");
    json_append_ms(b, total_ms);
    buf_printf(b, ",\"rows\":%llu,\"bytes\":%llu,\"cache\":", (unsigned long long)q->rows,
               (unsigned long long)bytes);
    json_append_cstr(b, q->cache);
    buf_append_str(b, ",\"status\":");
    json_append_cstr(b, query_status_name(status));
    buf_printf(b, ",\"error_code\":%u,\"error\":", (unsigned)q->error_code);
    json_append_cstr(b, q->error_code ? q->error : NULL);
    if (with_sql && q->sql) {
        buf_append_str(b, ",\"sql\":");
        json_append_cstr(b, q->sql);
    }
    buf_append_byte(b, '}');
}

/* ---- Finishing ------------------------------------------------------------- */

static bool queries_logged = true;

void query_log_set_enabled(bool on)
{
    queries_logged = on;
}

static void wall_clock(char *out, size_t n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t len = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + len, n - len, ".%03ldZ", ts.tv_nsec / 1000000);
}

static query_status status_of(const query_log *q, query_status told)
{
    if (told != QUERY_OK)
        return told;
    if (q->error_code == ER_QUERY_INTERRUPTED)
        return QUERY_KILLED;
    if (q->error_code == ER_QUERY_TIMEOUT)
        return QUERY_TIMEOUT;
    return q->error_code ? QUERY_ERROR : QUERY_OK;
}

void query_log_finish(query_log *q, const query_log_origin *origin, server_stats *stats,
                      query_status told)
{
    if (!q->active)
        return;
    query_status status = status_of(q, told);
    double total_s = (double)(stats_now_ns() - q->start_ns) / 1e9;
    bool info = !q->session_stmt || status != QUERY_OK;
    if (info) {
        stats->queries[status]++;
        histogram_observe(&stats->query_duration, total_s);
    }
    log_level level = info ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG;
    if (queries_logged && log_enabled(level)) {
        char ts[40], peer[96];
        wall_clock(ts, sizeof(ts));
        snprintf(peer, sizeof(peer), "%s:%u", origin->peer, origin->peer_port);
        query_log_who who = {.conn = origin->conn,
                             .user = origin->user,
                             .client = peer,
                             .protocol = origin->protocol,
                             .level = log_level_name(level),
                             .ts = ts};
        query_log_render(&line, q, &who, status, total_s * 1000.0,
                         origin->bytes_out - q->bytes_at_start, log_enabled(LOG_LEVEL_DEBUG));
        buf_append_byte(&line, '\n');
        log_write_line((const char *)line.data, line.len);
        if (line.cap > LINE_KEEP_BYTES)
            buf_free(&line); /* a huge record (thousands of metrics): do not keep its size */
        buf_reset(&line);
    }
    reset(q);
}
