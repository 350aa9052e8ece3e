/*
 * The `http:` section of the server configuration file: where the HTTP API
 * and the web catalog listen (proxy/http/).
 *
 *   http:
 *     host: 127.0.0.1        # default: listen: host, else 127.0.0.1
 *     port: 8090             # default: no HTTP API (also: mimir serve --http-port N)
 *     tls: true              # HTTPS with tls: cert/key; default true when they are set
 *     max_body_bytes: 1MiB   # largest request body (default 1 MiB); larger: 413
 *
 * Like the MySQL port, the HTTP API refuses a non-loopback address while no
 * users are configured (proxy/main.c checks it with the listen: section).
 * Where it listens needs a restart; everything else follows SIGHUP.
 */
#ifndef MIMIR_PROXY_CONFIG_HTTP_CONFIG_H
#define MIMIR_PROXY_CONFIG_HTTP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "semantic/yaml_doc.h"

typedef struct http_settings {
    char *host;             /* NULL when not set */
    int port;               /* -1 when not set */
    int tls;                /* 1 / 0; -1 when not set */
    int64_t max_body_bytes; /* -1 when not set */
} http_settings;

void http_settings_init(http_settings *s);
void http_settings_free(http_settings *s);
/* Reads the `http:` mapping of file; on failure "FILE:LINE: message" in err. */
bool http_settings_load(const char *file, const ynode *map, http_settings *out, char *err,
                        size_t errlen);

#endif
