/*
 * Access control for sessions: which catalog a session's statements see. It
 * is part of the server (with server.c, which owns the semantic layers in
 * force): the views live in the server's catalog generations.
 *
 * A user with grants (server configuration, semantic/grants.h) sees a
 * restricted view of the semantic layer (semantic/catalog_view.h) with its
 * own information_schema. Views are built on first use and cached in the
 * catalog generation they were built from, keyed by the user's grants (a
 * reload of either the semantic layer or the server configuration makes a
 * new key, so views are rebuilt), and freed with the generation: plans and
 * executions point into them for as long as they hold it.
 *
 * The user is looked up by name at every statement, so a reload of the
 * grants takes effect on the next statement of an open session, and
 * COM_CHANGE_USER switches views. A session whose user a reload removed
 * sees an empty semantic layer (it cannot log in again).
 */
#ifndef MIMIR_PROXY_SERVER_ACCESS_H
#define MIMIR_PROXY_SERVER_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/planner.h"
#include "proxy/config/server_config.h"
#include "semantic/catalog.h"

struct info_schema;
struct access_view;

/* The catalog and information_schema the statements of user see now. */
void access_session_catalog(const char *user, const catalog **cat, struct info_schema **is);

/*
 * What every session of user tells the planner, whatever protocol it speaks:
 * its view of the semantic layer, the server's limits and the column types
 * discovered so far. The caller adds its own (database, connection id, time
 * zone, ...).
 */
session_info access_session_info(const char *user, const char *client_host);

/*
 * The time zone a new session starts in, and SET time_zone = DEFAULT returns
 * to: the calendar's time_zone (calendar.yaml of the semantic layer in force),
 * else the server's default_time_zone, else UTC ('+00:00'). A session takes it
 * when it starts: after a reload changed it, sessions already open keep
 * theirs until they SET time_zone = DEFAULT (as in MySQL after SET GLOBAL).
 */
time_zone access_default_time_zone(void);

/*
 * True when user is restricted (has grants, or is no longer configured):
 * such a user, like a MySQL user without the PROCESS privilege, sees and
 * kills only its own sessions.
 */
bool access_restricted(const char *user);

/*
 * Checks every user's grants against cat and logs each problem. strict (at
 * startup): problems are errors and the result is false. Otherwise (a
 * reload) they are warnings, the names are ignored, and the result is true.
 */
/*
 * What the user's grants allow, as a string ("" for a user without grants):
 * part of the result cache's key. Valid until the next reload.
 */
const char *access_grants_fingerprint(const char *user);

bool access_check_grants(const server_user *users, size_t n, const catalog *cat, bool strict);

/* Frees the views of a generation (with it). */
void access_views_free(struct access_view *views);
/* The current generation's information_schema was rebuilt with new column
 * types: rebuild its views' information_schemas on next use too. */
void access_views_retype(void);

#endif
