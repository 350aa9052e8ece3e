/*
 * Every MySQL session of the process: the list the server knows them by,
 * KILL, SHOW PROCESSLIST, and what shutdown does to them. The server sees
 * them only through server_sessions (proxy/server.h), which boot registers:
 * it accepts connections into sessions and closes them without knowing what
 * they speak.
 */
#ifndef MIMIR_PROXY_SESSION_SESSIONS_H
#define MIMIR_PROXY_SESSION_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "planner/arena.h"
#include "proxy/server.h"

typedef struct client client;
struct session_process;

/* The MySQL sessions as the server drives them. */
extern const server_sessions mysql_sessions;

/* A new session joins the list, with a fresh connection id. */
void sessions_add(client *cl);
void sessions_remove(client *cl);
unsigned sessions_count(void);
/* KILL [QUERY|CONNECTION] id from killer: answers killer. */
void sessions_kill(client *killer, uint32_t id, bool query_only);
/* Every live session, for SHOW PROCESSLIST (planner/planner.h session_process). */
size_t sessions_list(arena *a, struct session_process **out);

#endif
