/*
 * The planner's entry point: one statement's text in, one action out. The
 * session applies the action (send OK, send rows, run a plan, send an error);
 * the planner itself never touches a socket or a backend.
 */
#ifndef MIMIR_PLANNER_PLANNER_H
#define MIMIR_PLANNER_PLANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "planner/arena.h"
#include "planner/plan.h"
#include "planner/sql_error.h"
#include "planner/value_type.h"
#include "semantic/catalog.h"

#define MIMIR_VERSION        "0.1.0"
#define MIMIR_SERVER_VERSION "8.0.34-mimir-" MIMIR_VERSION
#define MIMIR_DATABASE       "mimir"

/* What the planner needs to know about the session. */
typedef struct session_info {
    const catalog *cat;
    const char *db; /* current database, NULL when none */
    const char *user;
    const char *client_host;
    uint32_t connection_id;
    bool autocommit;
} session_info;

typedef enum {
    ACTION_OK,    /* send OK; apply the session changes below */
    ACTION_ROWS,  /* send a result set computed by the planner */
    ACTION_QUERY, /* run plan against the backends */
    ACTION_ERROR, /* send error */
} action_kind;

/* A small result set the planner computed itself (variables, DATABASE(), ...). */
typedef struct const_result {
    size_t ncols;
    result_column *cols;
    size_t nrows;
    const char **values; /* nrows * ncols, row-major; NULL is SQL NULL */
} const_result;

typedef struct action {
    action_kind kind;
    sql_error error;
    const_result rows;
    plan *plan;
    /* Session changes for ACTION_OK. */
    const char *new_db; /* USE: the database to switch to */
    int set_autocommit; /* -1 unchanged, 0 or 1 */
} action;

/* Plans one statement; everything in the action lives in arena a. */
void planner_plan(arena *a, const session_info *s, const char *sql, size_t len, action *out);

/* Checks a database name for USE / COM_INIT_DB / connect-with-db. */
bool planner_database_exists(const char *name);

#endif
