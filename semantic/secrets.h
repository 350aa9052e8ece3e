/*
 * Connection secrets: one <connection_name>.json per connection in the
 * secrets directory, in the prototype's format
 *
 *   {"connection_class": "sqldb", "flavour": "postgresql", "host": "...",
 *    "port": "5432", "user": "...", "password": "...", "schema": "pagila"}
 *
 * plus our {"connection_class": "sqlite", "path": "..."}; for PostgreSQL
 * libpq's "sslmode", "sslrootcert", "sslcert", "sslkey" and a libpq connection
 * string "conninfo" (the keys above override what it says); for MySQL its
 * "ssl_mode", "ssl_ca", "ssl_cert", "ssl_key". Certificate and key paths are
 * relative to the secrets dir and must exist when loaded. Any value may read the environment with
 * ${NAME}
 * ("password": "${PAGILA_PASSWORD}"), so no password has to be written in a
 * file; a variable that is not set is an error naming the file and the
 * variable. JSON is YAML's flow style, so the files are read with the YAML
 * tree of yaml_doc.h, which also gives line numbers for errors.
 */
#ifndef MIMIR_SEMANTIC_SECRETS_H
#define MIMIR_SEMANTIC_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

#include "semantic/catalog.h"

/* "<secrets_dir>/<name>.json", malloc'd. */
char *secrets_file_path(const char *secrets_dir, const char *name);

/*
 * Reads the connection called name from secrets_dir into *out (which the
 * caller releases with catalog_connection_clear, also after a failure). On
 * failure writes "FILE:LINE:COLUMN: message" into err.
 */
bool secrets_load_connection(const char *secrets_dir, const char *name, connection *out, char *err,
                             size_t errlen);

#endif
