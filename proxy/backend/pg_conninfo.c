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
    conn_net net;
    catalog_connection_net(c, &net);
    if (net.connect_timeout_s > 0)
        connect_timeout_s = net.connect_timeout_s;
    snprintf(p->keepalives, sizeof p->keepalives, "%d", net.keepalives ? 1 : 0);
    add(p, &n, "keepalives", p->keepalives);
    if (net.keepalives) {
        snprintf(p->keepalives_idle, sizeof p->keepalives_idle, "%d", net.keepalives_idle);
        snprintf(p->keepalives_interval, sizeof p->keepalives_interval, "%d",
                 net.keepalives_interval);
        snprintf(p->keepalives_count, sizeof p->keepalives_count, "%d", net.keepalives_count);
        add(p, &n, "keepalives_idle", p->keepalives_idle);
        add(p, &n, "keepalives_interval", p->keepalives_interval);
        add(p, &n, "keepalives_count", p->keepalives_count);
    }
    snprintf(p->tcp_user_timeout, sizeof p->tcp_user_timeout, "%d", net.tcp_user_timeout_ms);
    add(p, &n, "tcp_user_timeout", p->tcp_user_timeout);
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
