/*
 * SHOW ... and DESCRIBE/DESC t [column], in MySQL 8.0's grammar:
 *
 *   SHOW {DATABASES | SCHEMAS} [like_or_where]
 *   SHOW [FULL] TABLES [{FROM | IN} db] [like_or_where]
 *   SHOW [EXTENDED] [FULL] {COLUMNS | FIELDS} {FROM | IN} t [{FROM | IN} db] [like_or_where]
 *   SHOW [EXTENDED] {INDEX | INDEXES | KEYS} {FROM | IN} t [{FROM | IN} db] [WHERE expr]
 *   SHOW CREATE TABLE t | SHOW CREATE {DATABASE | SCHEMA} [IF NOT EXISTS] db
 *   SHOW TABLE STATUS [{FROM | IN} db] [like_or_where]
 *   SHOW [GLOBAL | SESSION | LOCAL] {VARIABLES | STATUS} [like_or_where]
 *   SHOW {WARNINGS | ERRORS} [LIMIT [offset,] n] | SHOW COUNT(*) {WARNINGS | ERRORS}
 *   SHOW {COLLATION | CHARACTER SET | CHARSET} [like_or_where]
 *   SHOW [STORAGE] ENGINES | SHOW PLUGINS | SHOW [FULL] PROCESSLIST
 *   SHOW GRANTS [FOR user] | SHOW PRIVILEGES
 *   SHOW {TRIGGERS | EVENTS | OPEN TABLES} [{FROM | IN} db] [like_or_where]
 *   SHOW {PROCEDURE | FUNCTION} STATUS [like_or_where]
 *   {DESCRIBE | DESC} t [column | 'pattern']
 *
 * Other SHOW statements are valid MySQL that Mimir does not answer (1235).
 */
#include <ctype.h>
#include <string.h>

#include "planner/parser_internal.h"
#include "planner/show.h"

/* [db.]name: an identifier, or two joined by a dot. */
static bool parse_table_name(parser *p, show_stmt *show)
{
    const char *first = ps_ident(p);
    if (!first)
        return false;
    if (ps_accept_op(p, ".")) {
        token *t = ps_cur(p);
        if (t->kind != TK_IDENT && t->kind != TK_QIDENT)
            return ps_fail(p, "expected a table name");
        show->db = first;
        show->table = t->text;
        ps_next(p);
        return true;
    }
    show->table = first;
    return true;
}

/* [{FROM | IN} db] */
static bool parse_from_db(parser *p, show_stmt *show)
{
    if (!ps_accept_word(p, "from") && !ps_accept_word(p, "in"))
        return true;
    return (show->db = ps_ident(p)) != NULL;
}

/* [LIKE 'pattern' | WHERE expr] */
static bool parse_like_or_where(parser *p, show_stmt *show, bool like_allowed)
{
    if (like_allowed && ps_accept_word(p, "like")) {
        token *t = ps_cur(p);
        if (t->kind != TK_STRING)
            return ps_fail(p, "expected a quoted pattern after LIKE");
        show->like = t->text;
        ps_next(p);
        return true;
    }
    if (ps_accept_word(p, "where"))
        return (show->where = ps_expr(p)) != NULL;
    return true;
}

/* [LIMIT [offset,] n]: accepted; there is never anything to limit. */
static bool parse_limit_clause(parser *p)
{
    if (!ps_accept_word(p, "limit"))
        return true;
    int64_t n;
    if (!ps_int64(p, &n))
        return false;
    return !ps_accept_op(p, ",") || ps_int64(p, &n);
}

static bool parse_create(parser *p, show_stmt *show)
{
    if (ps_accept_word(p, "table")) {
        show->kind = SHOW_CREATE_TABLE;
        return parse_table_name(p, show);
    }
    if (ps_accept_word(p, "database") || ps_accept_word(p, "schema")) {
        show->kind = SHOW_CREATE_DATABASE;
        if (ps_accept_word(p, "if")) {
            if (!ps_expect_word(p, "not") || !ps_expect_word(p, "exists"))
                return false;
            show->if_not_exists = true;
        }
        return (show->table = ps_ident(p)) != NULL;
    }
    return ps_unsupported(p, "SHOW CREATE other than TABLE and DATABASE");
}

/* COLUMNS/INDEX: {FROM | IN} t [{FROM | IN} db] */
static bool parse_table_target(parser *p, show_stmt *show)
{
    if (!ps_accept_word(p, "from") && !ps_expect_word(p, "in"))
        return false;
    if (!parse_table_name(p, show))
        return false;
    return parse_from_db(p, show);
}

typedef struct show_word {
    const char *word;
    show_kind kind;
} show_word;

/* SHOW targets that are one word followed by [like_or_where]. */
static const show_word simple_targets[] = {
    {"databases", SHOW_DATABASES},
    {"schemas", SHOW_DATABASES},
    {"collation", SHOW_COLLATION},
    {"charset", SHOW_CHARSET},
    {"engines", SHOW_ENGINES},
    {"plugins", SHOW_PLUGINS},
    {"processlist", SHOW_PROCESSLIST},
    {"privileges", SHOW_PRIVILEGES},
    {NULL, 0},
};

static bool parse_simple(parser *p, show_stmt *show)
{
    for (const show_word *w = simple_targets; w->word; w++) {
        if (ps_accept_word(p, w->word)) {
            show->kind = w->kind;
            return parse_like_or_where(p, show, true);
        }
    }
    return false;
}

/* Targets that read rows of a database: TABLES, TABLE STATUS, TRIGGERS, EVENTS, OPEN TABLES. */
static bool parse_db_listing(parser *p, show_stmt *show, show_kind kind)
{
    show->kind = kind;
    return parse_from_db(p, show) && parse_like_or_where(p, show, true);
}

static bool parse_target(parser *p, show_stmt *show)
{
    token *t = ps_cur(p);
    if (parse_simple(p, show))
        return !p->failed;
    if (p->failed)
        return false;
    if (ps_accept_word(p, "tables"))
        return parse_db_listing(p, show, SHOW_TABLES);
    if (ps_accept_word(p, "columns") || ps_accept_word(p, "fields")) {
        show->kind = SHOW_COLUMNS;
        return parse_table_target(p, show) && parse_like_or_where(p, show, true);
    }
    if (ps_accept_word(p, "index") || ps_accept_word(p, "indexes") || ps_accept_word(p, "keys")) {
        show->kind = SHOW_INDEX;
        return parse_table_target(p, show) && parse_like_or_where(p, show, false);
    }
    if (ps_accept_word(p, "create"))
        return parse_create(p, show);
    if (token_is_word(t, "table") && token_is_word(ps_ahead(p, 1), "status")) {
        ps_next(p);
        ps_next(p);
        return parse_db_listing(p, show, SHOW_TABLE_STATUS);
    }
    if (token_is_word(t, "open") && token_is_word(ps_ahead(p, 1), "tables")) {
        ps_next(p);
        ps_next(p);
        return parse_db_listing(p, show, SHOW_OPEN_TABLES);
    }
    if (ps_accept_word(p, "triggers"))
        return parse_db_listing(p, show, SHOW_TRIGGERS);
    if (ps_accept_word(p, "events"))
        return parse_db_listing(p, show, SHOW_EVENTS);
    if (ps_accept_word(p, "variables") || ps_accept_word(p, "status")) {
        show->kind = token_is_word(t, "variables") ? SHOW_VARIABLES : SHOW_STATUS;
        return parse_like_or_where(p, show, true);
    }
    if (ps_accept_word(p, "warnings") || ps_accept_word(p, "errors")) {
        show->kind = token_is_word(t, "warnings") ? SHOW_WARNINGS : SHOW_ERRORS;
        return parse_limit_clause(p);
    }
    if (token_is_word(t, "count")) {
        ps_next(p);
        if (!ps_expect_op(p, "(") || !ps_expect_op(p, "*") || !ps_expect_op(p, ")"))
            return false;
        token *w = ps_cur(p);
        if (!ps_accept_word(p, "warnings") && !ps_expect_word(p, "errors"))
            return false;
        show->kind = token_is_word(w, "warnings") ? SHOW_COUNT_WARNINGS : SHOW_COUNT_ERRORS;
        return true;
    }
    if (token_is_word(t, "character") && token_is_word(ps_ahead(p, 1), "set")) {
        ps_next(p);
        ps_next(p);
        show->kind = SHOW_CHARSET;
        return parse_like_or_where(p, show, true);
    }
    if (token_is_word(t, "storage") && token_is_word(ps_ahead(p, 1), "engines")) {
        ps_next(p);
        ps_next(p);
        show->kind = SHOW_ENGINES;
        return true;
    }
    if ((token_is_word(t, "procedure") || token_is_word(t, "function")) &&
        token_is_word(ps_ahead(p, 1), "status")) {
        show->routine_type = token_is_word(t, "procedure") ? "PROCEDURE" : "FUNCTION";
        ps_next(p);
        ps_next(p);
        show->kind = SHOW_ROUTINE_STATUS;
        return parse_like_or_where(p, show, true);
    }
    if (ps_accept_word(p, "grants")) {
        show->kind = SHOW_GRANTS;
        /* FOR user [USING role, ...]: every user has the same (read-only) grant. */
        return ps_skip_to_end(p);
    }
    if (t->kind == TK_IDENT) {
        const char *what = arena_printf(p->a, "SHOW %s", t->text);
        char *upper = (char *)what;
        for (char *c = upper; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        return ps_unsupported(p, upper);
    }
    return ps_fail(p, "expected what to show");
}

static bool parse_show(parser *p, show_stmt *show)
{
    ps_next(p); /* SHOW */
    for (;;) {
        if (ps_accept_word(p, "full"))
            show->full = true;
        else if (ps_accept_word(p, "extended"))
            continue;
        else if (ps_accept_word(p, "global"))
            show->global = true;
        else if (!ps_accept_word(p, "session") && !ps_accept_word(p, "local"))
            break;
    }
    return parse_target(p, show);
}

/* {DESCRIBE | DESC} t [column | 'pattern'] */
static bool parse_describe(parser *p, show_stmt *show)
{
    ps_next(p); /* DESCRIBE */
    show->kind = SHOW_COLUMNS;
    if (!parse_table_name(p, show))
        return false;
    token *t = ps_cur(p);
    if (t->kind == TK_STRING || t->kind == TK_QIDENT ||
        (t->kind == TK_IDENT && !ps_is_reserved(t))) {
        show->like = t->text;
        ps_next(p);
    }
    return true;
}

bool ps_show(parser *p, statement *out)
{
    show_stmt *show = arena_alloc(p->a, sizeof(*show));
    size_t start = ps_cur(p)->offset;
    bool ok = token_is_word(ps_cur(p), "show") ? parse_show(p, show) : parse_describe(p, show);
    if (!ok)
        return false;
    show->text = arena_strndup(p->a, p->sql + start, ps_cur(p)->offset - start);
    out->show = show;
    return true;
}
