/*
 * Guessing passwords is slowed down per client address, the same way on the
 * MySQL port and on the HTTP API (login_guard.c says how: after a few
 * failures in a row, each further login from the address waits its turn, a
 * delay that doubles with every failure; one that would wait too long is
 * refused at once). Loop thread only.
 */
#ifndef MIMIR_PROXY_LOGIN_GUARD_H
#define MIMIR_PROXY_LOGIN_GUARD_H

#include <stdint.h>

typedef enum {
    LOGIN_NOW,     /* check the credentials now */
    LOGIN_WAIT,    /* check them after *wait_ms (the turn is taken) */
    LOGIN_REFUSED, /* refuse without checking: the address waits too long already */
} login_turn;

/* When a login from peer (an address, without port) may be checked. */
login_turn login_guard_turn(const char *peer, uint64_t *wait_ms);
void login_guard_failed(const char *peer);
/* A successful login clears the address. */
void login_guard_succeeded(const char *peer);

#endif
