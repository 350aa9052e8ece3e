/*
 * A private Mimir server inside the `mimir query` process, for running a
 * query locally with exactly the server's machinery: the same sessions,
 * planner, pools, executors and combine. It listens on an ephemeral loopback
 * port, accepts one random user and password known only to this process, and
 * runs its event loop on a thread of its own while the command queries it
 * through libmariadb, as `mimir query --host` queries a remote server.
 *
 * Why not call the executor directly? The executor streams into a client
 * session (proxy/session/client.c: column definitions, rows, errors, backpressure on
 * the socket); a second, socket-less kind of session would duplicate that
 * path and drift from it. Going through the protocol costs a loopback
 * connection and tests what users run.
 */
#ifndef MIMIR_PROXY_CLI_LOCAL_SERVER_H
#define MIMIR_PROXY_CLI_LOCAL_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "semantic/catalog.h"

typedef struct local_server {
    int port;
    char user[32];
    char password[48];
} local_server;

/*
 * Starts the server on cat (which it takes over, also on failure). At most
 * one per process: the server is the process's `srv`. False with a message
 * in err.
 */
bool local_server_start(local_server *ls, catalog *cat, const char *configs_dir,
                        const char *secrets_dir, char *err, size_t errlen);
/* Stops the loop, joins its thread and frees everything. */
void local_server_stop(local_server *ls);

#endif
