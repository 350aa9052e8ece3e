/*
 * Starting and stopping the process's server machinery, one way for every
 * caller: `mimir serve` boots it with its listener, signals and admin HTTP;
 * `mimir query` without --host boots the same loop, pools, workers and
 * semantic layer without opening any socket, and runs its statement through
 * execution directly. Whatever server_boot did, server_teardown undoes, in
 * reverse order, also after a boot that failed halfway: there is one cleanup
 * path.
 */
#ifndef MIMIR_PROXY_BOOT_H
#define MIMIR_PROXY_BOOT_H

#include <stdbool.h>

#include "proxy/config/server_config.h"
#include "proxy/server.h"
#include "semantic/catalog.h"

typedef enum {
    BOOT_SERVE, /* the MySQL listener, signals, the janitor, type discovery, admin HTTP */
    BOOT_LOCAL, /* no socket, no signal handlers: a command that executes in process */
} boot_mode;

/*
 * Boots srv with the settings cfg (whose strings must outlive the server),
 * the server configuration file (users, TLS, grants; NULL: none; taken over)
 * and the semantic layer cat (taken over, also on failure). False, logged,
 * when anything could not be set up; call server_teardown either way.
 */
bool server_boot(const server_config *cfg, server_file *file, catalog *cat, boot_mode mode);
/* Stops and frees everything server_boot set up. */
void server_teardown(void);

#endif
