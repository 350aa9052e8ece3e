/*
 * The syntax tree of one statement in the MySQL dialect. Every node lives in
 * the statement's arena. Positions are byte offsets into the statement text,
 * so errors can point at what the user wrote.
 */
#ifndef MIMIR_PLANNER_AST_H
#define MIMIR_PLANNER_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    EX_LITERAL,
    EX_COLUMN,   /* [db.][table.]name */
    EX_FUNC,     /* name(args), name(DISTINCT args), COUNT(*) */
    EX_UNARY,    /* op left */
    EX_BINARY,   /* left op right */
    EX_IN,       /* left [NOT] IN (args) */
    EX_BETWEEN,  /* left [NOT] BETWEEN args[0] AND args[1] */
    EX_LIKE,     /* left [NOT] LIKE right [ESCAPE args[0]] */
    EX_IS,       /* left IS [NOT] NULL|TRUE|FALSE (lit says which) */
    EX_CASE,     /* CASE [left] WHEN args[2i] THEN args[2i+1] ... [ELSE right] END */
    EX_VARIABLE, /* @@[scope.]name or @name */
    EX_STAR,     /* * or t.* in a select list or COUNT(*) */
    EX_PARAM,    /* ? */
    EX_INTERVAL, /* INTERVAL left unit; text is the unit, upper-cased (DAY, MONTH, ...) */
    EX_SUBQUERY, /* (SELECT ...) as a value; subquery holds it */
    EX_EXISTS,   /* [NOT] EXISTS (SELECT ...); subquery holds it */
    EX_ASSIGN,   /* @name := left: text is the user variable's name. Only information_schema
                  * queries run it; elsewhere it is 1235. */
    EX_ROW,      /* (args[0], args[1], ...): a row value. Only the planner builds it (a
                  * semi-join filter on several keys, planner/semijoin.c); the parser
                  * refuses row constructors. */
} expr_kind;

typedef enum { LIT_NULL, LIT_INT, LIT_NUMBER, LIT_STRING, LIT_TRUE, LIT_FALSE } literal_kind;

typedef enum {
    OP_OR,
    OP_XOR,
    OP_AND,
    OP_NOT,
    OP_EQ,
    OP_NULL_SAFE_EQ,
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_BIT_OR,
    OP_BIT_AND,
    OP_SHL,
    OP_SHR,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_INT_DIV,
    OP_MOD,
    OP_BIT_XOR,
    OP_NEG,
    OP_PLUS,
    OP_BIT_NOT,
} expr_op;

typedef struct expr expr;
struct expr {
    expr_kind kind;
    size_t pos, end; /* byte span in the statement */
    /* EX_LITERAL; EX_IS uses lit for NULL/TRUE/FALSE */
    literal_kind lit;
    const char *text; /* literal text (strings decoded), function or variable name */
    size_t text_len;
    /* LIT_STRING: a binary string (_binary'...', X'...', 0x..., b'...', 0b...), compared
     * byte by byte. hybrid: a hexadecimal or bit-value literal, which MySQL reads as a
     * number in a numeric context (0x41 + 0 is 65) and as these bytes elsewhere. */
    bool binary, hybrid;
    /* A literal the planner put where a subquery stood (its value, EXISTS's TRUE or FALSE):
     * data, not the statement's text, so WHERE FALSE made of it is no schema probe. */
    bool subquery_value;
    /* EX_COLUMN: parts[0..nparts) as written, e.g. {"mimir","metrics","x"} */
    const char *parts[3];
    int nparts;
    /* EX_FUNC */
    bool distinct;
    /* EX_VARIABLE: true for @@; scope "", "global", "session", "local" */
    bool system;
    const char *scope;
    /* operators */
    expr_op op;
    bool negated; /* NOT IN, NOT BETWEEN, NOT LIKE, IS NOT */
    expr *left, *right;
    expr **args;
    size_t nargs;
    /* EX_SUBQUERY, EX_EXISTS, and EX_IN over (SELECT ...) (then nargs is 0). Only
     * information_schema queries run them; elsewhere they are 1235. */
    struct select_stmt *subquery;
    /* EX_FUNC f(...) OVER (...) or OVER w: a window function (planner/window.h). */
    struct window_spec *over;
};

typedef struct order_item order_item;

/* A window frame's bound: UNBOUNDED PRECEDING, n PRECEDING, CURRENT ROW, ... */
typedef enum {
    FRAME_NONE, /* no end given: CURRENT ROW */
    FRAME_UNBOUNDED_PRECEDING,
    FRAME_PRECEDING,
    FRAME_CURRENT_ROW,
    FRAME_FOLLOWING,
    FRAME_UNBOUNDED_FOLLOWING,
} frame_bound_kind;

typedef struct frame_bound {
    frame_bound_kind kind;
    expr *offset; /* FRAME_PRECEDING, FRAME_FOLLOWING */
} frame_bound;

/*
 * OVER (...) of a window function, or a WINDOW clause's definition. name: the
 * named window it refers to (OVER w, OVER (w ORDER BY ...)); the parser
 * resolves it against the statement's WINDOW clause, so a planned spec has
 * name NULL. frame_unit: 0 when no frame is given, else "ROWS" or "RANGE".
 */
typedef struct window_spec {
    const char *name;
    expr **partition;
    size_t npartition;
    order_item *order;
    size_t norder;
    const char *frame_unit;
    frame_bound start, end;
    size_t pos; /* in the statement, for errors */
} window_spec;

typedef struct named_window {
    const char *name;
    window_spec *spec;
} named_window;

typedef struct select_item {
    expr *e;
    const char *alias; /* NULL when none */
    const char *text;  /* the item as written, for naming an unaliased column */
} select_item;

typedef struct select_stmt select_stmt;

/* How a table of FROM joins the ones before it. */
typedef enum {
    JOIN_FIRST, /* the first table of FROM */
    JOIN_COMMA, /* , t: a cross join whose conditions are in WHERE */
    JOIN_INNER, /* [INNER] JOIN t [ON expr], STRAIGHT_JOIN */
    JOIN_LEFT,  /* LEFT [OUTER] JOIN t ON expr */
    JOIN_RIGHT, /* RIGHT [OUTER] JOIN t ON expr */
    JOIN_CROSS, /* CROSS JOIN t [ON expr] */
} join_kind;

typedef struct table_ref {
    const char *db; /* NULL when not qualified */
    const char *name;
    const char *alias;
    size_t pos;
    select_stmt *subquery; /* FROM (SELECT ...) alias: a derived table; name is NULL */
    join_kind join;
    expr *on; /* the join's ON condition; NULL when none */
} table_ref;

struct order_item {
    expr *e;
    bool desc;
};

struct select_stmt {
    bool distinct;
    bool no_cache;  /* SQL_NO_CACHE: the result cache must not answer it */
    bool no_rollup; /* the optimizer hint NO_ROLLUP(): read the sources, never a rollup */
    select_item *items;
    size_t nitems;
    table_ref *from; /* NULL when there is no FROM */
    size_t nfrom;
    expr *where;
    expr **group_by;
    size_t ngroup_by;
    expr *having;
    order_item *order_by;
    size_t norder_by;
    bool has_limit;
    int64_t limit, offset;
    /* SELECT ... UNION [ALL | DISTINCT] SELECT ...: the next member, at the statement's
     * top level only; the last member's ORDER BY and LIMIT apply to the whole union
     * (earlier members have none). union_all: this member and the next join with ALL. */
    select_stmt *union_next;
    bool union_all;
    /* WINDOW name AS (...), ...: the parser resolves the OVER clauses that name them. */
    named_window **windows;
    size_t nwindows;
};

typedef enum {
    STMT_EMPTY,
    STMT_SELECT,
    STMT_USE,         /* name */
    STMT_SET,         /* SET ...: session settings, accepted */
    STMT_TRANSACTION, /* BEGIN/START TRANSACTION/COMMIT/ROLLBACK: accepted, read-only */
    STMT_SHOW,        /* SHOW ..., DESCRIBE/DESC t: see planner/show.h */
    STMT_EXPLAIN,     /* EXPLAIN SELECT ...: select holds the query */
    STMT_KILL,        /* KILL [QUERY|CONNECTION] id */
    STMT_UNSUPPORTED, /* a statement Mimir does not run; name says which */
} stmt_kind;

typedef struct set_assignment {
    const char *name; /* variable name, lower-case; "names" for SET NAMES */
    bool system;
    expr *value; /* NULL for SET NAMES/CHARACTER SET (value in text) */
    const char *text;
} set_assignment;

typedef struct show_stmt show_stmt; /* planner/show.h */

typedef struct statement {
    stmt_kind kind;
    select_stmt *select;
    int64_t kill_id;
    bool kill_query_only;
    show_stmt *show;
    const char *name; /* USE db; the unsupported statement's keyword(s) */
    set_assignment *sets;
    size_t nsets;
    /* Every `?` placeholder (EX_PARAM node) the parser built, in the order it
     * built them; planner_plan_params numbers them by position in the text. */
    expr **params;
    size_t nparams;
} statement;

#endif
