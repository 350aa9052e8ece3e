/*
 * How a dead network path to a database is noticed on a backend connection's
 * socket: TCP keepalives and TCP_USER_TIMEOUT set on it (the settings of the
 * connection's secrets, semantic/catalog.h's conn_net), and the check made
 * before a connection idle for a while is reused. Shared by the MySQL
 * connector (libmariadb has no such options) and the pool; libpq sets the same
 * options itself from its conninfo (pg_conninfo.c).
 */
#ifndef MIMIR_PROXY_BACKEND_TCP_LIVENESS_H
#define MIMIR_PROXY_BACKEND_TCP_LIVENESS_H

#include <stdbool.h>

#include "semantic/catalog.h"

/*
 * Sets SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT and
 * TCP_USER_TIMEOUT on fd when it is a TCP socket (a unix socket is left
 * alone). A refusal is logged with the connection's name; it is not fatal.
 */
void tcp_liveness_apply(int fd, const conn_net *net, const char *name);

/*
 * False when an idle connection's socket shows it is dead or going: readable
 * (an idle connection expects nothing: data is the server's goodbye, EOF a
 * close), an error or hang-up, or keepalive probes or retransmitted data the
 * peer has not answered (TCP_INFO). Never blocks. *why says which, for the log.
 */
bool tcp_liveness_idle_ok(int fd, const char **why);

/*
 * True when fd's peer has stopped acknowledging: data or keepalive probes
 * are being retransmitted (TCP_INFO). A new connection to the same address
 * would most likely hang too.
 */
bool tcp_liveness_path_silent(int fd);

#endif
