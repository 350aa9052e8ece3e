/*
 * The observability sections of the server configuration file (hooked into
 * proxy/config/server_config.c):
 *
 *   log:
 *     level: info          # debug | info | warn | error (default info)
 *     file: /var/log/mimir/mimir.log   # default: stderr; relative to this file
 *     queries: true        # one JSON record per query (default true)
 *   admin:
 *     host: 127.0.0.1      # default 127.0.0.1
 *     port: 9090           # default: no admin listener
 *     allow_remote: false  # must be true to listen on a non-loopback address
 *
 * The log settings are applied again on SIGHUP (and the log file reopened,
 * for logrotate); the admin listener's address needs a restart.
 */
#ifndef MIMIR_PROXY_CONFIG_OBS_CONFIG_H
#define MIMIR_PROXY_CONFIG_OBS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "semantic/yaml_doc.h"

typedef struct log_settings {
    int level;   /* a log_level; -1 when not set */
    char *file;  /* NULL: stderr */
    int queries; /* 1 / 0; -1 when not set */
} log_settings;

typedef struct admin_settings {
    char *host; /* NULL when not set */
    int port;   /* -1 when not set */
    bool allow_remote;
} admin_settings;

void obs_config_init(log_settings *log, admin_settings *admin);
void obs_config_free(log_settings *log, admin_settings *admin);

/* Read the `log:` / `admin:` mapping of file; on failure "FILE:LINE: message" in err. */
bool obs_config_load_log(const char *file, const ynode *map, log_settings *out, char *err,
                         size_t errlen);
bool obs_config_load_admin(const char *file, const ynode *map, admin_settings *out, char *err,
                           size_t errlen);

/*
 * Puts log settings into force: the level (cli_level, from --log-level,
 * wins when >= 0), the file (opened, or reopened when it is the same path)
 * and query records on or off. False (err set) when the file cannot be
 * opened; the log then stays where it was.
 */
bool obs_log_apply(const log_settings *ls, int cli_level, char *err, size_t errlen);

#endif
