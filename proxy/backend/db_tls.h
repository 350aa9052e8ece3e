/*
 * TLS to the databases, in one place for the server's connectors
 * (pg_backend.c, mysql_backend.c) and the command line's blocking connects
 * (`mimir validate`, `mimir discover`), so that all of them verify alike:
 * libmariadb's options for a connection's ssl_mode and files, the check
 * libmariadb leaves to its caller, and the words that say what went wrong
 * when a connection failed on TLS. PostgreSQL's settings are libpq
 * parameters: pg_conninfo.c.
 */
#ifndef MIMIR_PROXY_BACKEND_DB_TLS_H
#define MIMIR_PROXY_BACKEND_DB_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <mysql.h>

#include "semantic/catalog.h"

/*
 * Sets libmariadb's TLS options for c's ssl_mode (semantic/secrets.c):
 * preferred asks for TLS; required insists (see my_tls_connected); verify_ca
 * also checks the certificate chain against ssl_ca; verify_identity also
 * the host name against the certificate. ssl_cert/ssl_key are the client's
 * certificate. Without ssl_mode, or with disabled, nothing is set: no TLS.
 * False when libmariadb refused an option.
 */
bool my_tls_configure(MYSQL *m, const connection *c);

/*
 * After a successful connect: libmariadb 3.3 goes on in plain text when the
 * server offers no TLS, unless it was to verify the certificate. For
 * ssl_mode required that is a failure: false, with the reason in err.
 */
bool my_tls_connected(MYSQL *m, const connection *c, char *err, size_t errlen);

/*
 * Writes a database's connect error into out, prefixed with what kind of
 * TLS failure it is when it is one ("server certificate verification
 * failed: ", "client certificate refused: ", "TLS failed: "), else as it
 * came. The database's own words are kept: they say which check failed.
 */
void db_tls_explain(char *out, size_t outlen, const char *msg);

#endif
