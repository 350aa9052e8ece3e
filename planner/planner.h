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
#include "planner/ast.h"
#include "planner/plan.h"
#include "planner/sql_error.h"
#include "planner/time_zone.h"
#include "planner/value_type.h"
#include "semantic/catalog.h"

#define MIMIR_VERSION        "0.1.0"
#define MIMIR_SERVER_VERSION "8.0.34-mimir-" MIMIR_VERSION
#define MIMIR_DATABASE       "mimir"

/* information_schema of one catalog: planner/info_schema.h (info_schema_build). */
typedef struct info_schema info_schema;

/* What the planner needs to know about the session. */
/* One live session, as SHOW PROCESSLIST lists it. */
typedef struct session_process {
    uint32_t id;
    const char *user, *host, *db;
    const char *command; /* "Sleep", "Query", "Connect" */
    int64_t time_s;      /* in the current command/state */
    const char *state;   /* "executing", "cancelling", "" */
    const char *info;    /* the running statement, NULL when none */
} session_process;

/*
 * One entry of the diagnostics area, what SHOW WARNINGS shows: a Note when a
 * rule changed how Mimir read the statement (docs/sql.md, "SHOW WARNINGS",
 * lists them; plan_note leaves one), an Error when it failed. MySQL's codes:
 * 1003 for the notes.
 */
typedef struct diagnostic {
    const char *level; /* "Note", "Warning", "Error" */
    uint16_t code;
    const char *message;
} diagnostic;

#define NOTE_STATEMENT_READ 1003 /* MySQL's code of the note that shows how a statement is read */

/* The notes planning one statement collects (planner_plan sets session_info.notes). */
typedef struct plan_notes {
    arena *a;
    diagnostic *items;
    size_t n;
} plan_notes;

typedef struct session_info {
    const catalog *cat;
    info_schema *info_schema; /* built from cat; answers SHOW and information_schema */
    const char *db;           /* current database, NULL when none */
    const char *user;
    const char *client_host;
    uint32_t connection_id;
    bool autocommit;
    uint64_t max_execution_time_ms; /* the session's max_execution_time; 0: none */
    time_zone tz; /* SET time_zone, else the server's default_time_zone; zeroes: SYSTEM */
    uint64_t max_semijoin_values; /* limits.max_semijoin_values; 0: SEMIJOIN_MAX_KEYS */
    bool select_limited;          /* SET sql_select_limit to less than its maximum */
    uint64_t sql_select_limit;    /* then: the rows a SELECT without LIMIT returns */
    /* Column types learnt from the backends (is a source's time column an instant?);
     * NULL: none known yet. */
    const struct discovered_types *types;
    /* Every live session (the proxy knows them); NULL: only this one is known. */
    size_t (*list_sessions)(arena *a, session_process **out);
    /* The diagnostics of the session's previous statement (SHOW WARNINGS, @@warning_count). */
    const diagnostic *diagnostics;
    size_t ndiagnostics;
    /* Where planning this statement puts its notes (plan_note); NULL: nowhere. */
    plan_notes *notes;
    /* The rollups built and ready to answer queries (the server's rollup builds keep the
     * list; planner/rollup_route.h), and SET mimir_rollups = OFF. */
    const struct rollup_ready *rollups;
    size_t nrollups;
    bool rollups_off;
    /* A rollup stored on another connection than its source's whose source rows of the
     * range come first, in a phase of their own (planner/rollup_phase.h), is not read
     * where a phased plan cannot be wrapped (a derived table, a UNION member). */
    bool no_rollup_phase;
    /* The statement planned again with the rows its first phase read from rollup_rows_source
     * (planner/rollup_phase.h); NULL otherwise. */
    const struct phase_keys *rollup_rows;
    const char *rollup_rows_source;
    /* The statement's clock: the instant it started, in microseconds since 1970 UTC,
     * which NOW(), CURDATE() and their synonyms read once for the whole statement
     * (every source and phase of it), as MySQL does. 0: planning the statement reads
     * the real clock (each execution of a prepared statement or HTTP call reads its
     * own); tests set it to plan against a fixed clock. */
    int64_t clock_us;
} session_info;

typedef enum {
    ACTION_OK,    /* send OK; apply the session changes below */
    ACTION_ROWS,  /* send a result set computed by the planner */
    ACTION_QUERY, /* run plan against the backends */
    ACTION_ERROR, /* send error */
    ACTION_KILL,  /* KILL [QUERY|CONNECTION] kill_id: the proxy acts on that session */
} action_kind;

/* A small result set the planner computed itself (variables, DATABASE(), ...). */
typedef struct const_result {
    size_t ncols;
    result_column *cols;
    size_t nrows;
    const char **values; /* nrows * ncols, row-major; NULL is SQL NULL */
    size_t *lengths;     /* the values' lengths (binary strings may hold NUL bytes); NULL:
                          * every value is a C string */
} const_result;

typedef struct action {
    action_kind kind;
    sql_error error;
    const_result rows;
    plan *plan;
    /* Session changes for ACTION_OK. */
    const char *new_db;             /* USE: the database to switch to */
    int set_autocommit;             /* -1 unchanged, 0 or 1 */
    int64_t set_max_execution_time; /* -1 unchanged, else milliseconds */
    const time_zone *set_time_zone; /* NULL unchanged; SET time_zone = DEFAULT: the default */
    bool time_zone_default;         /* SET time_zone = DEFAULT: back to default_time_zone */
    bool set_select_limit;          /* SET sql_select_limit: to select_limit */
    int set_rollups;                /* SET mimir_rollups: -1 unchanged, 0 OFF, 1 ON */
    uint64_t select_limit;
    /* ACTION_KILL */
    uint32_t kill_id;
    bool kill_query_only;
    /* Notes for the diagnostics area (action_note); keeps_diagnostics: the statement reads
     * the area (SHOW WARNINGS, SELECT @@warning_count) and leaves it as it is, as in MySQL. */
    diagnostic *notes;
    size_t nnotes;
    bool keeps_diagnostics;
} action;

/* Adds a Note (code NOTE_STATEMENT_READ) to the statement's diagnostics (s->notes). */
void plan_note(const session_info *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Plans one statement; everything in the action lives in arena a. */
void planner_plan(arena *a, const session_info *s, const char *sql, size_t len, action *out);

/*
 * Prepared statements. planner_prepare parses sql, counts its `?`
 * placeholders and plans the statement with NULL in their place, so that out
 * tells the result's columns when they are known before it runs: an answer
 * the planner computes itself (ACTION_ROWS; with placeholders, only when no
 * column is typed by values that are not there yet), or a metrics query whose
 * columns the semantic layer types (ACTION_QUERY with rows.cols, one per plan
 * column, rows.ncols 0 otherwise: planner/layer_types.h). False, with out an
 * ACTION_ERROR, when the statement cannot be prepared: a syntax error, and
 * the errors MySQL gives at prepare time (unknown names, read-only
 * statements; with placeholders, only errors that no value could change).
 * Nothing is applied.
 */
bool planner_prepare(arena *a, const session_info *s, const char *sql, size_t len, size_t *nparams,
                     action *out);

/* A value bound to a placeholder: kind is LIT_NULL, LIT_INT, LIT_NUMBER or
 * LIT_STRING; text is NUL-terminated (a string may also hold NULs: len counts). */
typedef struct param_value {
    literal_kind kind;
    const char *text;
    size_t len;
} param_value;

/*
 * Plans a prepared statement with its parameters: every `?` becomes a literal
 * of its bound value before planning, so a parameter is exactly a literal
 * written in its place (and, like every literal, reaches a backend as a
 * parameter, never as text). A count that does not match the statement's
 * placeholders is error 1210.
 */
void planner_plan_params(arena *a, const session_info *s, const char *sql, size_t len,
                         const param_value *params, size_t nparams, action *out);

/* Checks a database name for USE / COM_INIT_DB / connect-with-db. */
bool planner_database_exists(const char *name);

/*
 * COM_FIELD_LIST: the columns of table (in the session's database) whose names
 * match wild (a LIKE pattern; NULL or "" for all), as result columns (out has
 * no rows). False with err set (1046, 1146) when there is no such table.
 */
bool planner_field_list(arena *a, const session_info *s, const char *table, const char *wild,
                        const_result *out, sql_error *err);

#endif
