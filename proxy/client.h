/*
 * A client session: the MySQL connection phase, then one command at a time.
 * The session owns its socket (a bufferevent) and the statement being run;
 * the executor streams a result through the client_send_* calls.
 */
#ifndef MIMIR_PROXY_CLIENT_H
#define MIMIR_PROXY_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/bufferevent.h>
#include <event2/util.h>

#include "planner/arena.h"
#include "planner/sql_error.h"
#include "wire/buf.h"
#include "wire/protocol.h"

typedef struct exec exec;
typedef struct client client;

typedef enum {
    CLIENT_AWAIT_HANDSHAKE, /* greeting sent, waiting for the handshake response */
    CLIENT_AWAIT_AUTH_SWITCH,
    CLIENT_READY,   /* waiting for a command */
    CLIENT_BUSY,    /* a query is running; further commands wait in the input buffer */
    CLIENT_CLOSING, /* flushing the last bytes, then freed */
} client_state;

struct client {
    uint32_t id;
    struct bufferevent *bev;
    client_state state;
    char peer[64];
    uint32_t caps; /* negotiated capabilities */
    uint8_t seq;   /* next sequence id to send */
    uint8_t scramble[20];
    char *user;
    char *db;
    bool autocommit;
    buf packet; /* the command being handled */
    buf out;    /* encoded bytes not yet handed to the bufferevent */
    arena stmt; /* everything of the current statement */
    exec *running;
    struct event *next_command; /* deferred: take the next command after a query */
    client *prev, *next;        /* in srv.clients */
};

void client_accept(evutil_socket_t fd, const struct sockaddr *addr, int socklen);
void client_close(client *cl);
/* Frees at once, without flushing (shutdown, when the loop no longer runs). */
void client_free_now(client *cl);

/* Result streaming, for the executor. */
void client_send_header(client *cl, const wire_column *cols, size_t n);
void client_send_row(client *cl, const char *const *values, const size_t *lengths, size_t n);
void client_send_end(client *cl);
void client_send_error(client *cl, const sql_error *e);
/* True when the socket's output holds more than we allow; the executor then pauses. */
bool client_output_full(client *cl);
/* The running query ended (its last packet was sent): take the next command. */
void client_query_done(client *cl);

#endif
