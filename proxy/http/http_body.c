/*
 * The statement an HTTP request stands for, read from its JSON body with
 * Jansson: strictly (no duplicate keys, no unknown fields, every field of
 * the type it must have), so that a typo is an error and never a silently
 * different question.
 *
 *   /v1/query     the prototype's inquiry: {"metrics": [...], "dimensions": [...],
 *                 "filters": [...], "granularity": "MONTH", "start_date": "2022-01-01",
 *                 "end_date": "2022-03-31", "order_by": ["-revenue"], "limit": 100}
 *   /v1/sql       {"sql": "SELECT ..."}
 *   /v1/explain   either of them: the answer is EXPLAIN's
 *
 * An inquiry becomes one SELECT on mimir.metrics (planner/query_text.c, as
 * for `mimir query`), whose filters and order items are each parsed alone
 * first, so none can change the statement around it.
 */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "planner/query_text.h"
#include "proxy/http/http_internal.h"

static bool bad_request(http_call *c, const char *msg)
{
    http_send_error(c, 400, ER_WRONG_ARGUMENTS, "HY000", "%s", msg);
    return false;
}

/* A list of strings (or one string) into *out; false after answering 400. */
static bool string_list(http_call *c, json_t *v, const char *field, const char ***out, size_t *n)
{
    char msg[256];
    if (json_is_string(v)) {
        *out = arena_alloc(&c->stmt, sizeof **out);
        (*out)[0] = arena_strdup(&c->stmt, json_string_value(v));
        *n = 1;
        return true;
    }
    if (!json_is_array(v)) {
        snprintf(msg, sizeof msg, "'%s' must be a list of strings", field);
        return bad_request(c, msg);
    }
    *n = json_array_size(v);
    *out = arena_alloc(&c->stmt, (*n + 1) * sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        json_t *item = json_array_get(v, i);
        if (!json_is_string(item)) {
            snprintf(msg, sizeof msg, "'%s' must be a list of strings: item %zu is not one", field,
                     i + 1);
            return bad_request(c, msg);
        }
        (*out)[i] = arena_strdup(&c->stmt, json_string_value(item));
    }
    return true;
}

static bool optional_string(http_call *c, json_t *v, const char *field, const char **out)
{
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v)) {
        char msg[128];
        snprintf(msg, sizeof msg, "'%s' must be a string", field);
        return bad_request(c, msg);
    }
    *out = arena_strdup(&c->stmt, json_string_value(v));
    return true;
}

/* "-name" is the prototype's descending order; anything else is an ORDER BY item. */
static void prototype_order(http_call *c, const char **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (items[i][0] == '-' && items[i][1] && items[i][1] != '-')
            items[i] = arena_printf(&c->stmt, "`%s` DESC", items[i] + 1);
}

static bool inquiry_field(http_call *c, const char *key, json_t *v, query_request *r)
{
    if (strcmp(key, "metrics") == 0)
        return string_list(c, v, key, (const char ***)&r->metrics, &r->nmetrics);
    if (strcmp(key, "dimensions") == 0)
        return string_list(c, v, key, (const char ***)&r->dimensions, &r->ndimensions);
    if (strcmp(key, "filters") == 0)
        return string_list(c, v, key, (const char ***)&r->filters, &r->nfilters);
    if (strcmp(key, "order_by") == 0) {
        if (!string_list(c, v, key, (const char ***)&r->order, &r->norder))
            return false;
        prototype_order(c, (const char **)r->order, r->norder);
        return true;
    }
    if (strcmp(key, "granularity") == 0)
        return optional_string(c, v, key, &r->granularity);
    if (strcmp(key, "start_date") == 0)
        return optional_string(c, v, key, &r->start_date);
    if (strcmp(key, "end_date") == 0)
        return optional_string(c, v, key, &r->end_date);
    if (strcmp(key, "limit") == 0) {
        if (json_is_null(v))
            return true;
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            return bad_request(c, "'limit' must be a whole number of rows, 0 or more");
        r->limit = json_integer_value(v);
        return true;
    }
    char msg[256];
    snprintf(msg, sizeof msg,
             "unknown field '%.100s' (an inquiry has metrics, dimensions, filters, granularity, "
             "start_date, end_date, order_by and limit; a statement has sql)",
             key);
    return bad_request(c, msg);
}

static bool inquiry_sql(http_call *c, json_t *body, const char **sql)
{
    query_request r = {.limit = -1, .json_names = true};
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (!inquiry_field(c, key, v, &r))
            return false;
    }
    char err[512];
    *sql = query_request_sql(&c->stmt, &r, err, sizeof err);
    if (!*sql)
        return bad_request(c, err);
    return true;
}

static bool statement_sql(http_call *c, json_t *body, const char **sql)
{
    json_t *text = json_object_get(body, "sql");
    if (json_object_size(body) != 1 || !json_is_string(text)) {
        if (json_is_string(text))
            return bad_request(c, "a statement is {\"sql\": \"...\"} and nothing else");
        return bad_request(c, "'sql' must be a string: {\"sql\": \"SELECT ...\"}");
    }
    *sql = arena_strdup(&c->stmt, json_string_value(text));
    return true;
}

/* The body as JSON text; false after answering 400. */
static json_t *parse_body(http_call *c)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(c->req);
    size_t len = evbuffer_get_length(in);
    const char *text = (const char *)evbuffer_pullup(in, -1);
    json_error_t jerr;
    json_t *body = json_loadb(text ? text : "", len, JSON_REJECT_DUPLICATES, &jerr);
    char msg[400];
    if (!body) {
        snprintf(msg, sizeof msg, "the request body is not valid JSON: %s (line %d, column %d)",
                 jerr.text, jerr.line, jerr.column);
        http_send_error(c, 400, ER_PARSE, "42000", "%s", msg);
        return NULL;
    }
    if (!json_is_object(body)) {
        json_decref(body);
        bad_request(c, "the request body must be a JSON object");
        return NULL;
    }
    return body;
}

bool http_body_statement(http_call *c, const char **sql, size_t *len)
{
    json_t *body = parse_body(c);
    if (!body)
        return false;
    bool is_statement = c->endpoint == HTTP_EXPLAIN && json_object_get(body, "sql") != NULL;
    bool ok;
    if (c->endpoint == HTTP_SQL || is_statement)
        ok = statement_sql(c, body, sql);
    else
        ok = inquiry_sql(c, body, sql);
    json_decref(body);
    if (!ok)
        return false;
    if (c->endpoint == HTTP_EXPLAIN)
        *sql = arena_printf(&c->stmt, "EXPLAIN %s", *sql);
    *len = strlen(*sql);
    return true;
}
