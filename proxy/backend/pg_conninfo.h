/*
 * The libpq connection parameters of a PostgreSQL connection, in one place
 * for the server's asynchronous connect (pg_backend.c) and the command line's
 * blocking checks (`mimir validate`), so both connect the same way. It
 * knows connections (semantic/catalog.h) and libpq, not the server or the
 * command line that call it (proxy/backend/README.md).
 */
#ifndef MIMIR_PROXY_BACKEND_PG_CONNINFO_H
#define MIMIR_PROXY_BACKEND_PG_CONNINFO_H

#include "semantic/catalog.h"

#define PG_CONNINFO_MAX_PARAMS 28

typedef struct pg_conninfo {
    const char *keys[PG_CONNINFO_MAX_PARAMS];
    const char *values[PG_CONNINFO_MAX_PARAMS];
    /* PQconnectdbParams/PQconnectStartParams' expand_dbname: set when the
     * first dbname is the secrets file's conninfo, to be expanded. */
    int expand_dbname;
    char timeout[16];
    char keepalives[4], keepalives_idle[16], keepalives_interval[16], keepalives_count[16],
        tcp_user_timeout[16];
} pg_conninfo;

/*
 * Fills p for c (whose strings it points to: c must outlive p's use). The
 * order is what libpq's precedence needs: the secrets' conninfo first, then
 * the secrets' own keys (host, port, user, password, schema, sslmode,
 * sslrootcert, sslcert, sslkey), which
 * override it, then what Mimir needs of every session (UTC, UTF8, its
 * application_name), and how a dead network path is detected (TCP
 * keepalives, tcp_user_timeout: catalog_connection_net). connect_timeout_s > 0
 * also sets libpq's connect_timeout, for blocking connects (the secrets'
 * connect_timeout wins over it); the server has its own deadline on the loop.
 */
void pg_conninfo_build(pg_conninfo *p, const connection *c, int connect_timeout_s);

#endif
