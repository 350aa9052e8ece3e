/*
 * A client session: the MySQL connection phase, then one command at a time.
 * The session owns its socket (a bufferevent, upgraded to TLS on request),
 * its prepared statements and the statement being run; the executor streams
 * a result through the client_send_* calls.
 *
 * The session's code is split by concern: client.c (socket events, commands,
 * results, multi-statements), client_auth.c (connection phase, TLS upgrade,
 * auth plugins, COM_CHANGE_USER), client_stmt.c (prepared statements).
 */
#ifndef MIMIR_PROXY_SESSION_CLIENT_H
#define MIMIR_PROXY_SESSION_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/bufferevent.h>
#include <event2/util.h>

#include "planner/arena.h"
#include "planner/multi_statement.h"
#include "planner/sql_error.h"
#include "planner/time_zone.h"
#include "proxy/obs/query_log.h"
#include "proxy/session/diagnostics.h"
#include "wire/buf.h"
#include "wire/protocol.h"

typedef struct exec exec;
typedef struct client client;
typedef struct prepared_stmt prepared_stmt; /* proxy/session/client_stmt.c */
typedef struct auth_exchange auth_exchange; /* proxy/session/client_auth.c */

typedef enum {
    CLIENT_AWAIT_PROXY,     /* listen.proxy_protocol: the PROXY header comes before the greeting */
    CLIENT_AWAIT_HANDSHAKE, /* greeting sent, waiting for the handshake response */
    CLIENT_AWAIT_AUTH,      /* in an auth exchange: switch response, sha2 full auth */
    CLIENT_READY,           /* waiting for a command */
    CLIENT_BUSY,            /* a query is running; further commands wait in the input buffer */
    CLIENT_CLOSING,         /* flushing the last bytes, then freed */
} client_state;

/* A COM_QUERY with several statements (CLIENT_MULTI_STATEMENTS), being run. */
typedef struct statement_batch {
    char *sql; /* a copy of the query text */
    stmt_span *spans;
    size_t nspans;
    size_t next; /* the next span to run */
} statement_batch;

struct client {
    uint32_t id;
    struct bufferevent *bev;
    client_state state;
    char peer[64];
    uint16_t peer_port;
    uint32_t caps; /* negotiated capabilities (CLIENT_MULTI_STATEMENTS follows COM_SET_OPTION) */
    uint8_t seq;   /* next sequence id to send */
    uint8_t scramble[20];
    bool tls;            /* the socket was upgraded to TLS */
    bool gone;           /* the peer left or the socket failed: free without flushing */
    int tls_close_polls; /* closing: checks left for the TLS layer to drain */
    auth_exchange *auth; /* while authenticating (handshake or COM_CHANGE_USER) */
    char *user;
    char *db;
    bool autocommit;
    buf packet; /* the command being handled */
    buf out;    /* encoded bytes not yet handed to the bufferevent */
    arena stmt; /* everything of the current statement */
    exec *running;
    char *running_sql; /* the statement running, for SHOW PROCESSLIST */
    /* A statement answered (in part) from a rollup: its text, to run again from the
     * sources if reading the rollup fails before its first row (rollup_retry_due). */
    char *rollup_retry_sql;
    size_t rollup_retry_len;
    /* A prepared statement's (COM_STMT_EXECUTE): its parameters, in stmt (kept for the
     * second attempt, which plans into the same arena); NULL for a text statement. */
    const param_value *rollup_retry_params;
    size_t rollup_retry_nparams;
    bool rollup_retry_due;
    bool header_sent;               /* the current statement's result header went out */
    time_t state_since;             /* when the session became idle or busy */
    uint64_t max_execution_time_ms; /* SET max_execution_time; 0: none */
    time_zone tz;                   /* SET time_zone; at login access_default_time_zone() */
    bool rollups_off;               /* SET mimir_rollups = OFF */
    bool select_limited;            /* SET sql_select_limit below its maximum */
    uint64_t sql_select_limit;
    struct event *timer;        /* handshake_timeout while logging in, wait_timeout when idle */
    struct event *next_command; /* deferred: take the next command after a query */
    /* The result being sent. */
    bool binary_rows;         /* COM_STMT_EXECUTE: rows in the binary protocol */
    wire_column *result_cols; /* types of the current result's columns (binary rows) */
    size_t result_ncols;
    bool more_results;     /* more statements of the batch follow this one */
    bool statement_failed; /* the current statement ended with an error */
    diagnostics diag;      /* the previous statement's notes or error (SHOW WARNINGS) */
    statement_batch batch; /* sql == NULL when none */
    /* Prepared statements. */
    prepared_stmt *stmts;
    size_t nstmts;
    uint32_t next_stmt_id;
    uint64_t bytes_out;  /* handed to the socket since the session began */
    query_log qlog;      /* the statement being answered (proxy/obs/query_log.h) */
    client *prev, *next; /* in srv.clients */
};

void client_accept(evutil_socket_t fd, const struct sockaddr *addr, int socklen);
void client_close(client *cl);
/* (Re)starts the session's timer for its state: handshake_timeout or wait_timeout. */
void client_arm_timer(client *cl);
/* Frees at once, without flushing (shutdown, when the loop no longer runs). */
void client_free_now(client *cl);

/* Result streaming, for the executor. */
void client_send_header(client *cl, const wire_column *cols, size_t n);
void client_send_row(client *cl, const char *const *values, const size_t *lengths, size_t n);
void client_send_end(client *cl);
void client_send_error(client *cl, const sql_error *e);
/* Rows are staged and written in chunks: this sends what is staged now. */
void client_flush(client *cl);
/* True when the staged rows and the socket's output hold more than we allow;
 * the executor then pauses. Does not flush. */
bool client_output_full(client *cl);
/* The running query ended (its last packet was sent): take the next command. */
void client_query_done(client *cl);

#endif
