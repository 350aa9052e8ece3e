/*
 * What the files of a client session share (client.c, client_auth.c,
 * client_stmt.c). Not for use outside proxy/client*.c.
 */
#ifndef MIMIR_PROXY_SESSION_CLIENT_INTERNAL_H
#define MIMIR_PROXY_SESSION_CLIENT_INTERNAL_H

#include "planner/planner.h"
#include "proxy/session/client.h"

/* Every state change (state_since, the timer): see client.c. */
void client_set_state(client *cl, client_state st);
/* Status flags for OK/EOF: autocommit, and more results within a batch. */
uint16_t client_status(const client *cl);
void client_send_ok(client *cl);
void client_send_err(client *cl, uint16_t code, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* What the planner needs to know about this session. */
session_info client_session_info(const client *cl);
/* Applies a planned action: OK (with its session changes), rows, an error, or
 * starts the plan (the session is then busy until client_query_done). */
void client_run_action(client *cl, const action *act);
/* A statement that reads a rollup is kept (its text, and a prepared statement's
 * parameters) to run again from the sources if the rollup cannot be read. */
void client_keep_for_retry(client *cl, const action *act, const char *sql, size_t len,
                           const param_value *params, size_t nparams);
/*
 * Back to a fresh session, as after connecting: prepared statements closed,
 * autocommit on. The user and the current database stay (COM_RESET_CONNECTION
 * keeps both, as MySQL does; COM_CHANGE_USER then sets them).
 */
void client_reset_session(client *cl);
/* Takes over a new bufferevent (the TLS layer over the socket's). */
void client_set_bufferevent(client *cl, struct bufferevent *bev);
/* Authentication succeeded: the session takes commands. */
void client_ready(client *cl);

/* Connection phase (client_auth.c). */
void client_auth_greet(client *cl);       /* sends the greeting */
void client_auth_handshake(client *cl);   /* SSLRequest or handshake response in cl->packet */
void client_auth_continue(client *cl);    /* the next packet of an auth exchange */
void client_auth_change_user(client *cl); /* COM_CHANGE_USER in cl->packet */
void client_auth_free(client *cl);
/* A login waits its turn after failed logins from its address: read nothing meanwhile. */
bool client_auth_waiting(const client *cl);

/* The PROXY protocol (client_proxy.c). Must this peer send a PROXY header first? */
bool client_proxy_expected(const struct sockaddr *addr);
/* Reads the header, then greets; false while it is incomplete or when it closed the session. */
bool client_proxy_read(client *cl);
/* A header from a peer not allowed to send one: logged, and the session closes (true). */
bool client_proxy_unexpected(client *cl);
/* Bytes are waiting in the session's input. */
bool client_has_input(client *cl);

/* Prepared statements (client_stmt.c); the command is in cl->packet. */
void client_stmt_prepare(client *cl);
void client_stmt_execute(client *cl);
void client_stmt_close(client *cl);
void client_stmt_reset(client *cl);
void client_stmt_send_long_data(client *cl);
void client_stmt_free_all(client *cl);

#endif
