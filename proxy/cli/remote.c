/* A Mimir server through libmariadb, for `mimir query`: see remote.h. */
#include "proxy/cli/remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mysql.h>

#include "wire/xalloc.h"

struct remote {
    MYSQL *my;
};

/*
 * The scheme in front of HOST[:PORT], if any: mysql:// is the MySQL port, as no
 * scheme is (http:// and https:// go to remote_http.c before this). Anything
 * else is not a Mimir address: refused at once, rather than taken for a MySQL
 * host and left to time out.
 */
static bool scheme_ok(const char *text, const char *sep, char *err, size_t errlen)
{
    if (!sep)
        return true;
    size_t n = (size_t)(sep - text);
    if (n == 5 && strncasecmp(text, "mysql", 5) == 0)
        return true;
    snprintf(err, errlen,
             "--host '%s': unknown scheme '%.*s' (HOST[:PORT], mysql://HOST[:PORT], or "
             "http(s)://HOST:PORT for the HTTP API)",
             text, (int)n, text);
    return false;
}

bool remote_target_parse(const char *text, remote_target *t, char *err, size_t errlen)
{
    const char *p = strstr(text, "://");
    if (!scheme_ok(text, p, err, errlen))
        return false;
    p = p ? p + 3 : text;
    size_t n = strcspn(p, "/"); /* a trailing path ("host:3306/") means nothing here */
    const char *port = NULL;
    const char *host = p;
    size_t hostlen = n;
    if (*p == '[') {
        const char *close = memchr(p, ']', n);
        if (!close) {
            snprintf(err, errlen, "--host '%s': unterminated [IPv6 address]", text);
            return false;
        }
        host = p + 1;
        hostlen = (size_t)(close - host);
        if (close + 1 < p + n && close[1] == ':')
            port = close + 2;
    } else {
        const char *colon = memchr(p, ':', n);
        if (colon) {
            hostlen = (size_t)(colon - p);
            port = colon + 1;
        }
    }
    if (hostlen == 0 || hostlen >= sizeof t->host) {
        snprintf(err, errlen, "--host '%s': no host name", text);
        return false;
    }
    memcpy(t->host, host, hostlen);
    t->host[hostlen] = '\0';
    t->port = 3306;
    if (port) {
        char *end;
        long v = strtol(port, &end, 10);
        if (end == port || (*end && *end != '/') || v < 1 || v > 65535) {
            snprintf(err, errlen, "--host '%s': the port is not a TCP port number", text);
            return false;
        }
        t->port = (unsigned)v;
    }
    return true;
}

static void print_error(MYSQL *my, const char *cmd)
{
    fprintf(stderr, "mimir %s: ERROR %u (%s): %s\n", cmd, mysql_errno(my), mysql_sqlstate(my),
            mysql_error(my));
}

remote *remote_connect(const remote_target *t, const char *cmd)
{
    remote *r = xcalloc(1, sizeof *r);
    /* mysql_init(NULL) fails only when it cannot allocate its handle. */
    if (!(r->my = mysql_init(NULL))) {
        fprintf(stderr, "mimir %s: out of memory\n", cmd);
        abort();
    }
    unsigned timeout = 10, protocol = MYSQL_PROTOCOL_TCP;
    mysql_optionsv(r->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    /* "localhost" would mean a Unix socket to libmariadb; Mimir listens on TCP only. */
    mysql_optionsv(r->my, MYSQL_OPT_PROTOCOL, &protocol);
    mysql_optionsv(r->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_optionsv(r->my, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", "mimir query");
    if (!mysql_real_connect(r->my, t->host, t->user, t->password, "mimir", t->port, NULL, 0)) {
        fprintf(stderr, "mimir %s: cannot connect to %s:%u: ", cmd, t->host, t->port);
        fprintf(stderr, "ERROR %u (%s): %s\n", mysql_errno(r->my), mysql_sqlstate(r->my),
                mysql_error(r->my));
        remote_close(r);
        return NULL;
    }
    return r;
}

void remote_close(remote *r)
{
    if (!r)
        return;
    if (r->my)
        mysql_close(r->my);
    free(r);
}

bool remote_print(remote *r, const char *sql, out_format format, const char *cmd)
{
    if (mysql_real_query(r->my, sql, (unsigned long)strlen(sql)) != 0) {
        print_error(r->my, cmd);
        return false;
    }
    /* Unbuffered: CSV and JSON rows are printed as the server sends them. */
    MYSQL_RES *res = mysql_use_result(r->my);
    if (!res) {
        if (mysql_errno(r->my)) {
            print_error(r->my, cmd);
            return false;
        }
        return true; /* a statement without a result set */
    }
    unsigned n = mysql_num_fields(res);
    MYSQL_FIELD *fields = mysql_fetch_fields(res);
    const char **names = xcalloc(n, sizeof *names);
    bool *numeric = xcalloc(n, sizeof *numeric);
    for (unsigned i = 0; i < n; i++) {
        names[i] = fields[i].name;
        numeric[i] = IS_NUM(fields[i].type);
    }
    out_writer w;
    out_begin(&w, format, stdout, n, names, numeric);
    MYSQL_ROW row;
    size_t *lengths = xcalloc(n, sizeof *lengths);
    while ((row = mysql_fetch_row(res))) {
        unsigned long *l = mysql_fetch_lengths(res);
        for (unsigned i = 0; i < n; i++)
            lengths[i] = l[i];
        out_row(&w, (const char *const *)row, lengths);
    }
    bool ok = mysql_errno(r->my) == 0;
    if (ok)
        out_end(&w);
    else {
        /* The rows so far are not the answer: say so instead of printing them as one. */
        fflush(stdout);
        print_error(r->my, cmd);
        out_abort(&w);
    }
    free(lengths);
    free(names);
    free(numeric);
    mysql_free_result(res);
    return ok;
}

bool remote_fetch(remote *r, const char *sql, size_t *ncols, char ***rows, size_t *nrows,
                  const char *cmd)
{
    *ncols = *nrows = 0;
    *rows = NULL;
    if (mysql_real_query(r->my, sql, (unsigned long)strlen(sql)) != 0) {
        print_error(r->my, cmd);
        return false;
    }
    MYSQL_RES *res = mysql_store_result(r->my);
    if (!res) {
        if (mysql_errno(r->my)) {
            print_error(r->my, cmd);
            return false;
        }
        return true;
    }
    size_t n = mysql_num_fields(res), count = mysql_num_rows(res);
    char **out = xcalloc(n * count + 1, sizeof *out);
    MYSQL_ROW row;
    for (size_t k = 0; (row = mysql_fetch_row(res)); k++) {
        unsigned long *l = mysql_fetch_lengths(res);
        for (size_t i = 0; i < n; i++) {
            if (!row[i])
                continue;
            out[k * n + i] = xstrndup(row[i], l[i]);
        }
    }
    mysql_free_result(res);
    *ncols = n;
    *nrows = count;
    *rows = out;
    return true;
}

void remote_rows_free(char **rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rows[i]);
    free(rows);
}
