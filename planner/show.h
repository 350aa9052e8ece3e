/*
 * The catalog as MySQL clients read it: SHOW statements, DESCRIBE, and
 * SELECTs on information_schema, answered from the semantic layer (through
 * planner/info_schema.h) without touching a backend.
 */
#ifndef MIMIR_PLANNER_SHOW_H
#define MIMIR_PLANNER_SHOW_H

#include "planner/ast.h"
#include "planner/planner.h"

typedef enum {
    SHOW_DATABASES,       /* DATABASES | SCHEMAS */
    SHOW_TABLES,          /* [FULL] TABLES [FROM db] */
    SHOW_COLUMNS,         /* [FULL] COLUMNS|FIELDS FROM t [FROM db]; DESCRIBE t [column] */
    SHOW_INDEX,           /* INDEX|INDEXES|KEYS FROM t [FROM db] */
    SHOW_CREATE_TABLE,    /* CREATE TABLE t */
    SHOW_CREATE_DATABASE, /* CREATE DATABASE|SCHEMA [IF NOT EXISTS] db */
    SHOW_TABLE_STATUS,    /* TABLE STATUS [FROM db] */
    SHOW_VARIABLES,       /* [GLOBAL|SESSION] VARIABLES */
    SHOW_STATUS,          /* [GLOBAL|SESSION] STATUS */
    SHOW_WARNINGS,        /* WARNINGS [LIMIT ...] */
    SHOW_ERRORS,          /* ERRORS [LIMIT ...] */
    SHOW_COUNT_WARNINGS,  /* COUNT(*) WARNINGS */
    SHOW_COUNT_ERRORS,    /* COUNT(*) ERRORS */
    SHOW_COLLATION,       /* COLLATION */
    SHOW_CHARSET,         /* CHARACTER SET | CHARSET */
    SHOW_ENGINES,         /* [STORAGE] ENGINES */
    SHOW_PLUGINS,         /* PLUGINS */
    SHOW_PROCESSLIST,     /* [FULL] PROCESSLIST */
    SHOW_GRANTS,          /* GRANTS [FOR user] */
    SHOW_PRIVILEGES,      /* PRIVILEGES */
    SHOW_TRIGGERS,        /* TRIGGERS [FROM db]: none */
    SHOW_EVENTS,          /* EVENTS [FROM db]: none */
    SHOW_ROUTINE_STATUS,  /* PROCEDURE STATUS | FUNCTION STATUS: none */
    SHOW_OPEN_TABLES,     /* OPEN TABLES [FROM db]: none */
} show_kind;

struct show_stmt {
    show_kind kind;
    const char *text; /* the statement as written (PROCESSLIST's INFO) */
    bool full;        /* FULL */
    bool global;      /* GLOBAL (VARIABLES, STATUS) */
    bool if_not_exists;
    const char *db;           /* FROM/IN db, or the database of db.table; NULL when not given */
    const char *table;        /* COLUMNS/INDEX/CREATE TABLE/DESCRIBE target; CREATE DATABASE's db */
    const char *like;         /* LIKE 'pattern' (DESCRIBE t col: the column pattern) */
    expr *where;              /* WHERE condition on the result's columns */
    const char *routine_type; /* SHOW_ROUTINE_STATUS: "PROCEDURE" or "FUNCTION" */
};

void plan_show(arena *a, const session_info *s, const show_stmt *show, action *out);
void plan_information_schema(arena *a, const session_info *s, const select_stmt *sel, action *out);

#endif
