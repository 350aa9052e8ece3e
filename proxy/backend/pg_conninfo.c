/* libpq connection parameters of a connection: see pg_conninfo.h. */
#include "proxy/backend/pg_conninfo.h"

#include <stdio.h>
#include <string.h>

static void add(pg_conninfo *p, size_t *n, const char *key, const char *value)
{
    /* NULL or empty values leave libpq's default (or the conninfo's value). */
    if (!value || !*value || *n + 1 >= PG_CONNINFO_MAX_PARAMS)
        return;
    p->keys[*n] = key;
    p->values[*n] = value;
    (*n)++;
}

void pg_conninfo_build(pg_conninfo *p, const connection *c, int connect_timeout_s)
{
    memset(p, 0, sizeof *p);
    size_t n = 0;
    if (c->conninfo && *c->conninfo) {
        add(p, &n, "dbname", c->conninfo);
        p->expand_dbname = 1;
    }
    add(p, &n, "host", c->host);
    add(p, &n, "port", c->port);
    add(p, &n, "user", c->user);
    add(p, &n, "password", c->password);
    add(p, &n, "dbname", c->database);
    add(p, &n, "sslmode", c->sslmode);
    add(p, &n, "sslrootcert", c->ssl_ca);
    add(p, &n, "sslcert", c->ssl_cert);
    add(p, &n, "sslkey", c->ssl_key);
    if (connect_timeout_s > 0) {
        snprintf(p->timeout, sizeof p->timeout, "%d", connect_timeout_s);
        add(p, &n, "connect_timeout", p->timeout);
    }
    /* UTC makes timestamptz render the same for every client, as DATETIME in UTC. */
    add(p, &n, "options", "-c TimeZone=UTC");
    add(p, &n, "application_name", "mimir");
    add(p, &n, "client_encoding", "UTF8");
    p->keys[n] = NULL;
    p->values[n] = NULL;
}
