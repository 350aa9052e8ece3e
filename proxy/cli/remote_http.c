/*
 * `mimir query --host http://HOST:PORT` (or https://): the prototype's
 * remote mode, through the HTTP API (docs/http.md) with libcurl. See
 * remote_http.h.
 */
#include "proxy/cli/remote_http.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "wire/buf.h"
#include "wire/xalloc.h"

bool remote_http_url(const char *text)
{
    return strncasecmp(text, "http://", 7) == 0 || strncasecmp(text, "https://", 8) == 0;
}

void remote_http_result_free(remote_http_result *r)
{
    for (size_t i = 0; i < r->ncols; i++)
        free(r->names[i]);
    for (size_t i = 0; i < r->ncols * r->nrows; i++)
        free(r->cells[i]);
    free(r->names);
    free(r->numeric);
    free(r->cells);
    memset(r, 0, sizeof *r);
}

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
    buf_append(arg, data, size * n);
    return size * n;
}

/* The shortest text that reads back as d (as the server's JSON wrote it from its text). */
static char *double_text(double d)
{
    char text[64];
    for (int precision = 1; precision <= DBL_DECIMAL_DIG; precision++) {
        snprintf(text, sizeof text, "%.*g", precision, d);
        if (strtod(text, NULL) == d)
            break;
    }
    return xstrdup(text);
}

/* A JSON value of a row as the text the MySQL port would have sent; NULL for null. */
static char *cell_text(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return xstrndup(json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    case JSON_REAL:
        return double_text(json_real_value(v));
    case JSON_TRUE:
        return xstrdup("1");
    case JSON_FALSE:
        return xstrdup("0");
    default:
        return NULL;
    }
}

static bool numeric_type(const char *type)
{
    static const char *const prefixes[] = {"TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT",
                                           "DECIMAL", "FLOAT",    "DOUBLE",    "YEAR"};
    for (size_t i = 0; type && i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(type, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

/* {"columns": [...], "rows": [...]} into out; false when the document is not one. */
static bool take_result(json_t *doc, remote_http_result *out)
{
    json_t *cols = json_object_get(doc, "columns"), *rows = json_object_get(doc, "rows");
    if (!json_is_array(cols) || !json_is_array(rows))
        return false;
    out->ncols = json_array_size(cols);
    out->names = xcalloc(out->ncols + 1, sizeof *out->names);
    out->numeric = xcalloc(out->ncols + 1, sizeof *out->numeric);
    for (size_t i = 0; i < out->ncols; i++) {
        json_t *c = json_array_get(cols, i);
        const char *name = json_string_value(json_object_get(c, "name"));
        out->names[i] = xstrdup(name ? name : "?");
        out->numeric[i] = numeric_type(json_string_value(json_object_get(c, "type")));
    }
    out->nrows = json_array_size(rows);
    out->cells = xcalloc(out->ncols * out->nrows + 1, sizeof *out->cells);
    for (size_t r = 0; r < out->nrows; r++) {
        json_t *row = json_array_get(rows, r);
        for (size_t i = 0; i < out->ncols; i++)
            out->cells[r * out->ncols + i] = cell_text(json_array_get(row, i));
    }
    return true;
}

/* The answer's {"error": {...}}, printed as the mariadb client prints errors; false if none. */
static bool print_error(json_t *doc, const char *cmd)
{
    json_t *e = json_object_get(doc, "error");
    if (!json_is_object(e))
        return false;
    const char *sqlstate = json_string_value(json_object_get(e, "sqlstate"));
    const char *message = json_string_value(json_object_get(e, "message"));
    fprintf(stderr, "mimir %s: ERROR %lld (%s): %s\n", cmd,
            (long long)json_integer_value(json_object_get(e, "code")), sqlstate ? sqlstate : "?",
            message ? message : "?");
    return true;
}

/* Sends the request; the body received in *answer, curl's outcome returned. */
static CURLcode perform(const remote_http_target *t, const char *path, const char *body,
                        buf *answer, long *status)
{
    CURL *curl = curl_easy_init();
    if (!curl)
        return CURLE_FAILED_INIT;
    char *url = xasprintf("%s%s", t->base_url, path);
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, t->user);
    curl_easy_setopt(curl, CURLOPT_PASSWORD, t->password ? t->password : "");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (t->cacert)
        curl_easy_setopt(curl, CURLOPT_CAINFO, t->cacert);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    free(url);
    return rc;
}

bool remote_http_post(const remote_http_target *t, const char *path, const char *body,
                      remote_http_result *out, const char *cmd)
{
    memset(out, 0, sizeof *out);
    buf answer;
    buf_init(&answer);
    long status = 0;
    CURLcode rc = perform(t, path, body, &answer, &status);
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)answer.data, answer.len, 0, &jerr);
    bool ok = false;
    if (doc && print_error(doc, cmd)) {
        ; /* the server said what went wrong, also when it then cut the answer short */
    } else if (rc != CURLE_OK) {
        fprintf(stderr, "mimir %s: %s%s: %s\n", cmd, t->base_url, path, curl_easy_strerror(rc));
    } else if (status != 200 || !doc || !take_result(doc, out)) {
        fprintf(stderr, "mimir %s: %s%s answered HTTP %ld without a result\n", cmd, t->base_url,
                path, status);
        remote_http_result_free(out);
    } else {
        ok = true;
    }
    if (doc)
        json_decref(doc);
    buf_free(&answer);
    return ok;
}
