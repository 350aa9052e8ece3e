/*
 * Table-driven parser tests: statements that parse, checked through a compact
 * S-expression of the tree they produce, and statements that fail, checked by
 * the kind of error (1064 syntax or 1235 unsupported), its byte offset, its
 * line and the `near` text MySQL-style messages quote.
 *
 * The S-expression shows what the planner sees: operators by their SQL
 * spelling, (col a.b.c) for names, (fn NAME [DISTINCT] args) for calls, typed
 * literals as their string (DATE '2022-01-01' is '2022-01-01'), strings with
 * C escapes for bytes that are not printable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "planner/parser.h"
#include "planner/show.h"
#include "wire/buf.h"

/* Case tables leave optional trailing fields out. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* ---- The S-expression printer ------------------------------------------------- */

static void print_expr(buf *o, const expr *e);
static void print_select(buf *o, const select_stmt *s);

static void print_string(buf *o, const char *s, size_t n)
{
    buf_append_byte(o, '\'');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\'' || c == '\\')
            buf_printf(o, "\\%c", c);
        else if (c == '\n')
            buf_append_str(o, "\\n");
        else if (c == '\t')
            buf_append_str(o, "\\t");
        else if (c < 0x20 || c == 0x7f)
            buf_printf(o, "\\x%02x", c);
        else
            buf_append_byte(o, c);
    }
    buf_append_byte(o, '\'');
}

static const char *op_name(expr_op op)
{
    static const char *const names[] = {
        [OP_OR] = "OR",     [OP_XOR] = "XOR",     [OP_AND] = "AND",
        [OP_NOT] = "NOT",   [OP_EQ] = "=",        [OP_NULL_SAFE_EQ] = "<=>",
        [OP_NE] = "<>",     [OP_LT] = "<",        [OP_LE] = "<=",
        [OP_GT] = ">",      [OP_GE] = ">=",       [OP_BIT_OR] = "|",
        [OP_BIT_AND] = "&", [OP_SHL] = "<<",      [OP_SHR] = ">>",
        [OP_ADD] = "+",     [OP_SUB] = "-",       [OP_MUL] = "*",
        [OP_DIV] = "/",     [OP_INT_DIV] = "DIV", [OP_MOD] = "%",
        [OP_BIT_XOR] = "^", [OP_NEG] = "-",       [OP_PLUS] = "+",
        [OP_BIT_NOT] = "~",
    };
    return names[op];
}

static void print_args(buf *o, expr **args, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        buf_append_byte(o, ' ');
        print_expr(o, args[i]);
    }
}

static void print_parts(buf *o, const expr *e)
{
    for (int i = 0; i < e->nparts; i++)
        buf_printf(o, "%s%s", i ? "." : "", e->parts[i]);
}

static const char *lit_word(literal_kind k)
{
    return k == LIT_NULL ? "NULL" : k == LIT_TRUE ? "TRUE" : "FALSE";
}

static void print_literal(buf *o, const expr *e)
{
    if (e->lit == LIT_STRING && e->hybrid) {
        /* X'...', 0x..., b'...', 0b...: the bytes in hex */
        buf_append_str(o, "(bytes ");
        for (size_t i = 0; i < e->text_len; i++)
            buf_printf(o, "%02x", (unsigned char)e->text[i]);
        buf_append_byte(o, ')');
    } else if (e->lit == LIT_STRING && e->binary) {
        buf_append_str(o, "(binary ");
        print_string(o, e->text, e->text_len);
        buf_append_byte(o, ')');
    } else if (e->lit == LIT_STRING)
        print_string(o, e->text, e->text_len);
    else if (e->lit == LIT_INT || e->lit == LIT_NUMBER)
        buf_append_str(o, e->text);
    else
        buf_append_str(o, lit_word(e->lit));
}

/* * alone, or t.* as (* t). */
static void print_star(buf *o, const expr *e)
{
    if (e->nparts == 0) {
        buf_append_byte(o, '*');
        return;
    }
    buf_append_str(o, "(* ");
    print_parts(o, e);
    buf_append_byte(o, ')');
}

/* (op left) or (op left right). */
static void print_operator(buf *o, const expr *e)
{
    buf_printf(o, "(%s ", op_name(e->op));
    print_expr(o, e->left);
    if (e->kind == EX_BINARY) {
        buf_append_byte(o, ' ');
        print_expr(o, e->right);
    }
    buf_append_byte(o, ')');
}

static void print_in(buf *o, const expr *e)
{
    buf_append_str(o, e->negated ? "(not-in " : "(in ");
    print_expr(o, e->left);
    if (e->subquery) {
        buf_append_byte(o, ' ');
        print_select(o, e->subquery);
    }
    print_args(o, e->args, e->nargs);
    buf_append_byte(o, ')');
}

static void print_like(buf *o, const expr *e)
{
    buf_append_str(o, e->negated ? "(not-like " : "(like ");
    print_expr(o, e->left);
    buf_append_byte(o, ' ');
    print_expr(o, e->right);
    if (e->nargs) {
        buf_append_str(o, " (escape ");
        print_expr(o, e->args[0]);
        buf_append_byte(o, ')');
    }
    buf_append_byte(o, ')');
}

static void print_case(buf *o, const expr *e)
{
    buf_append_str(o, "(case");
    if (e->left) {
        buf_append_byte(o, ' ');
        print_expr(o, e->left);
    }
    for (size_t i = 0; i + 1 < e->nargs; i += 2) {
        buf_append_str(o, " (when ");
        print_expr(o, e->args[i]);
        buf_append_byte(o, ' ');
        print_expr(o, e->args[i + 1]);
        buf_append_byte(o, ')');
    }
    if (e->right) {
        buf_append_str(o, " (else ");
        print_expr(o, e->right);
        buf_append_byte(o, ')');
    }
    buf_append_byte(o, ')');
}

/* (subquery SELECT) or (exists SELECT). */
static void print_subquery(buf *o, const char *word, const select_stmt *sub)
{
    buf_printf(o, "(%s ", word);
    print_select(o, sub);
    buf_append_byte(o, ')');
}

static void print_expr(buf *o, const expr *e);

static void print_bound(buf *o, const frame_bound *b)
{
    static const char *const names[] = {"none",    "unbounded-preceding", "preceding",
                                        "current", "following",           "unbounded-following"};
    buf_printf(o, " %s", names[b->kind]);
    if (b->offset) {
        buf_append_byte(o, ' ');
        print_expr(o, b->offset);
    }
}

/* OVER (...): (over (partition ...) (order ...) (frame ROWS start end)). */
static void print_window(buf *o, const window_spec *w)
{
    buf_append_str(o, " (over");
    if (w->name)
        buf_printf(o, " (name %s)", w->name);
    if (w->npartition) {
        buf_append_str(o, " (partition");
        print_args(o, w->partition, w->npartition);
        buf_append_byte(o, ')');
    }
    for (size_t i = 0; i < w->norder; i++) {
        buf_append_str(o, i ? " " : " (order ");
        print_expr(o, w->order[i].e);
        buf_append_str(o, w->order[i].desc ? " desc" : "");
        buf_append_str(o, i + 1 == w->norder ? ")" : "");
    }
    if (w->frame_unit) {
        buf_printf(o, " (frame %s", w->frame_unit);
        print_bound(o, &w->start);
        print_bound(o, &w->end);
        buf_append_byte(o, ')');
    }
    buf_append_byte(o, ')');
}

static void print_expr(buf *o, const expr *e)
{
    switch (e->kind) {
    case EX_LITERAL:
        print_literal(o, e);
        return;
    case EX_COLUMN:
        buf_append_str(o, "(col ");
        print_parts(o, e);
        buf_append_byte(o, ')');
        return;
    case EX_STAR:
        print_star(o, e);
        return;
    case EX_FUNC:
        buf_printf(o, "(fn %s%s", e->text, e->distinct ? " DISTINCT" : "");
        print_args(o, e->args, e->nargs);
        if (e->over)
            print_window(o, e->over);
        buf_append_byte(o, ')');
        return;
    case EX_UNARY:
    case EX_BINARY:
        print_operator(o, e);
        return;
    case EX_IN:
        print_in(o, e);
        return;
    case EX_BETWEEN:
        buf_append_str(o, e->negated ? "(not-between " : "(between ");
        print_expr(o, e->left);
        print_args(o, e->args, e->nargs);
        buf_append_byte(o, ')');
        return;
    case EX_LIKE:
        print_like(o, e);
        return;
    case EX_IS:
        buf_append_str(o, e->negated ? "(is-not " : "(is ");
        print_expr(o, e->left);
        buf_printf(o, " %s)", lit_word(e->lit));
        return;
    case EX_CASE:
        print_case(o, e);
        return;
    case EX_ROW: /* built by the planner, never parsed */
        buf_append_str(o, "(row");
        print_args(o, e->args, e->nargs);
        buf_append_byte(o, ')');
        return;
    case EX_VARIABLE:
        buf_printf(o, "%s%s%s%s", e->system ? "@@" : "@", e->scope, *e->scope ? "." : "", e->text);
        return;
    case EX_ASSIGN:
        buf_printf(o, "(:= @%s ", e->text);
        print_expr(o, e->left);
        buf_append_byte(o, ')');
        return;
    case EX_PARAM:
        buf_append_byte(o, '?');
        return;
    case EX_INTERVAL:
        buf_append_str(o, "(interval ");
        print_expr(o, e->left);
        buf_printf(o, " %s)", e->text);
        return;
    case EX_SUBQUERY:
        print_subquery(o, "subquery", e->subquery);
        return;
    case EX_EXISTS:
        print_subquery(o, "exists", e->subquery);
        return;
    }
    buf_append_str(o, "(?kind)");
}

static void print_table_ref(buf *o, const table_ref *r)
{
    static const char *const joins[] = {[JOIN_INNER] = "inner-join",
                                        [JOIN_LEFT] = "left-join",
                                        [JOIN_RIGHT] = "right-join",
                                        [JOIN_CROSS] = "cross-join"};
    bool joined = r->join != JOIN_FIRST && r->join != JOIN_COMMA;
    if (joined)
        buf_printf(o, "(%s ", joins[r->join]);
    if (r->alias)
        buf_append_str(o, "(as ");
    if (r->subquery)
        print_select(o, r->subquery);
    else
        buf_printf(o, "%s%s%s", r->db ? r->db : "", r->db ? "." : "", r->name);
    if (r->alias)
        buf_printf(o, " %s)", r->alias);
    if (r->on) {
        buf_append_str(o, " (on ");
        print_expr(o, r->on);
        buf_append_byte(o, ')');
    }
    if (joined)
        buf_append_byte(o, ')');
}

static void print_select(buf *o, const select_stmt *s)
{
    buf_append_str(o, s->distinct ? "(select distinct (items" : "(select (items");
    for (size_t i = 0; i < s->nitems; i++) {
        buf_append_byte(o, ' ');
        if (s->items[i].alias)
            buf_append_str(o, "(as ");
        print_expr(o, s->items[i].e);
        if (s->items[i].alias)
            buf_printf(o, " %s)", s->items[i].alias);
    }
    buf_append_byte(o, ')');
    if (s->nfrom) {
        buf_append_str(o, " (from");
        for (size_t i = 0; i < s->nfrom; i++) {
            buf_append_byte(o, ' ');
            print_table_ref(o, &s->from[i]);
        }
        buf_append_byte(o, ')');
    }
    if (s->where) {
        buf_append_str(o, " (where ");
        print_expr(o, s->where);
        buf_append_byte(o, ')');
    }
    if (s->ngroup_by) {
        buf_append_str(o, " (group");
        print_args(o, s->group_by, s->ngroup_by);
        buf_append_byte(o, ')');
    }
    if (s->having) {
        buf_append_str(o, " (having ");
        print_expr(o, s->having);
        buf_append_byte(o, ')');
    }
    if (s->norder_by) {
        buf_append_str(o, " (order");
        for (size_t i = 0; i < s->norder_by; i++) {
            buf_printf(o, " (%s ", s->order_by[i].desc ? "desc" : "asc");
            print_expr(o, s->order_by[i].e);
            buf_append_byte(o, ')');
        }
        buf_append_byte(o, ')');
    }
    if (s->has_limit) {
        buf_printf(o, " (limit %lld", (long long)s->limit);
        if (s->offset)
            buf_printf(o, " (offset %lld)", (long long)s->offset);
        buf_append_byte(o, ')');
    }
    buf_append_byte(o, ')');
    if (s->union_next) {
        buf_append_str(o, s->union_all ? " (union all) " : " (union) ");
        print_select(o, s->union_next);
    }
}

static const char *const show_kinds[] = {
    [SHOW_DATABASES] = "databases",
    [SHOW_TABLES] = "tables",
    [SHOW_COLUMNS] = "columns",
    [SHOW_INDEX] = "index",
    [SHOW_CREATE_TABLE] = "create-table",
    [SHOW_CREATE_DATABASE] = "create-database",
    [SHOW_TABLE_STATUS] = "table-status",
    [SHOW_VARIABLES] = "variables",
    [SHOW_STATUS] = "status",
    [SHOW_WARNINGS] = "warnings",
    [SHOW_ERRORS] = "errors",
    [SHOW_COUNT_WARNINGS] = "count-warnings",
    [SHOW_COUNT_ERRORS] = "count-errors",
    [SHOW_COLLATION] = "collation",
    [SHOW_CHARSET] = "charset",
    [SHOW_ENGINES] = "engines",
    [SHOW_PLUGINS] = "plugins",
    [SHOW_PROCESSLIST] = "processlist",
    [SHOW_GRANTS] = "grants",
    [SHOW_PRIVILEGES] = "privileges",
    [SHOW_TRIGGERS] = "triggers",
    [SHOW_EVENTS] = "events",
    [SHOW_ROUTINE_STATUS] = "routine-status",
    [SHOW_OPEN_TABLES] = "open-tables",
};

static void print_show(buf *o, const show_stmt *sh)
{
    buf_printf(o, "(show %s", show_kinds[sh->kind]);
    if (sh->full)
        buf_append_str(o, " full");
    if (sh->global)
        buf_append_str(o, " global");
    if (sh->if_not_exists)
        buf_append_str(o, " if-not-exists");
    if (sh->routine_type)
        buf_printf(o, " %s", sh->routine_type);
    if (sh->db)
        buf_printf(o, " (db %s)", sh->db);
    if (sh->table)
        buf_printf(o, " (table %s)", sh->table);
    if (sh->like) {
        buf_append_str(o, " (like ");
        print_string(o, sh->like, strlen(sh->like));
        buf_append_byte(o, ')');
    }
    if (sh->where) {
        buf_append_str(o, " (where ");
        print_expr(o, sh->where);
        buf_append_byte(o, ')');
    }
    buf_append_byte(o, ')');
}

static void print_statement(buf *o, const statement *st)
{
    switch (st->kind) {
    case STMT_EMPTY:
        buf_append_str(o, "(empty)");
        return;
    case STMT_SELECT:
        print_select(o, st->select);
        return;
    case STMT_EXPLAIN:
        buf_append_str(o, "(explain ");
        print_select(o, st->select);
        buf_append_byte(o, ')');
        return;
    case STMT_USE:
        buf_printf(o, "(use %s)", st->name);
        return;
    case STMT_KILL:
        buf_printf(o, "(kill%s %lld)", st->kill_query_only ? " query" : "", (long long)st->kill_id);
        return;
    case STMT_SET:
        buf_append_str(o, "(set");
        for (size_t i = 0; i < st->nsets; i++) {
            const set_assignment *a = &st->sets[i];
            buf_printf(o, " (%s%s ", a->system ? "@@" : "@", a->name);
            if (a->value)
                print_expr(o, a->value);
            else
                print_string(o, a->text, strlen(a->text));
            buf_append_byte(o, ')');
        }
        buf_append_byte(o, ')');
        return;
    case STMT_TRANSACTION:
        buf_append_str(o, "(transaction)");
        return;
    case STMT_SHOW:
        print_show(o, st->show);
        return;
    case STMT_UNSUPPORTED:
        buf_printf(o, "(unsupported %s)", st->name);
        return;
    }
}

/* ---- Statements that parse ---------------------------------------------------- */

typedef struct parse_case {
    const char *sql;
    const char *tree;
    size_t len; /* 0: strlen(sql); set for statements holding NUL bytes */
} parse_case;

#define SEL(items, rest) "(select (items " items ")" rest ")"
#define FROM_T           " (from t)"
#define FROM_M           " (from mimir.metrics)"

static const parse_case literal_cases[] = {
    /* strings: quotes, doubled quotes, backslash escapes in both quote styles */
    {"SELECT 'abc'", SEL("'abc'", "")},
    {"SELECT \"abc\"", SEL("'abc'", "")},
    {"SELECT ''", SEL("''", "")},
    {"SELECT \"\"", SEL("''", "")},
    {"SELECT 'it''s'", SEL("'it\\'s'", "")},
    {"SELECT 'it\\'s'", SEL("'it\\'s'", "")},
    {"SELECT \"say \"\"hi\"\"\"", SEL("'say \"hi\"'", "")},
    {"SELECT \"say \\\"hi\\\"\"", SEL("'say \"hi\"'", "")},
    {"SELECT \"it's\"", SEL("'it\\'s'", "")},
    {"SELECT 'say \"hi\"'", SEL("'say \"hi\"'", "")},
    {"SELECT 'a\\nb'", SEL("'a\\nb'", "")},
    {"SELECT 'a\\tb'", SEL("'a\\tb'", "")},
    {"SELECT 'a\\rb'", SEL("'a\\x0db'", "")},
    {"SELECT 'a\\bb'", SEL("'a\\x08b'", "")},
    {"SELECT 'a\\0b'", SEL("'a\\x00b'", "")},
    {"SELECT 'a\\Zb'", SEL("'a\\x1ab'", "")},
    {"SELECT 'a\\\\b'", SEL("'a\\\\b'", "")},
    {"SELECT 'a\\qb'", SEL("'aqb'", "")},     /* unknown escapes drop the backslash */
    {"SELECT 'a\\%b'", SEL("'a\\\\%b'", "")}, /* \% and \_ keep it, for LIKE */
    {"SELECT 'a\\_b'", SEL("'a\\\\_b'", "")},
    {"SELECT \"a\\nb\"", SEL("'a\\nb'", "")},
    {"SELECT 'a\nb'", SEL("'a\\nb'", "")},
    {"SELECT '日本語'", SEL("'日本語'", "")},
    {"SELECT 'x'' OR 1=1 --'", SEL("'x\\' OR 1=1 --'", "")},
    {"SELECT 'a\0b'", SEL("'a\\x00b'", ""), 12},
    /* adjacent strings are one */
    {"SELECT 'a' 'b'", SEL("'ab'", "")},
    {"SELECT 'a' \"b\" 'c'", SEL("'abc'", "")},
    {"SELECT 'a'\n'b' AS x", SEL("(as 'ab' x)", "")},
    {"SELECT 'a' /* c */ 'b'", SEL("'ab'", "")},
    /* numbers */
    {"SELECT 0", SEL("0", "")},
    {"SELECT 42", SEL("42", "")},
    {"SELECT 007", SEL("007", "")},
    {"SELECT 18446744073709551616", SEL("18446744073709551616", "")},
    {"SELECT 1.5", SEL("1.5", "")},
    {"SELECT .5", SEL(".5", "")},
    {"SELECT 5.", SEL("5.", "")},
    {"SELECT 1e3", SEL("1e3", "")},
    {"SELECT 1E3", SEL("1E3", "")},
    {"SELECT 1.5e-3", SEL("1.5e-3", "")},
    {"SELECT 2e+10", SEL("2e+10", "")},
    {"SELECT .5e3", SEL(".5e3", "")},
    {"SELECT 1.e3", SEL("1.e3", "")},
    /* hexadecimal and bit-value literals: binary strings (numbers in a numeric context);
     * 0x and 0b take a lower-case letter, as in MySQL (0XAB is a name) */
    {"SELECT 0x1F", SEL("(bytes 1f)", "")},
    {"SELECT 0XAB FROM t", SEL("(col 0XAB)", FROM_T)},
    {"SELECT 0xdeadBEEF", SEL("(bytes deadbeef)", "")},
    {"SELECT 0x123", SEL("(bytes 0123)", "")},
    {"SELECT X'4A61'", SEL("(bytes 4a61)", "")},
    {"SELECT x'4a61'", SEL("(bytes 4a61)", "")},
    {"SELECT X''", SEL("(bytes )", "")},
    {"SELECT b'101'", SEL("(bytes 05)", "")},
    {"SELECT B'1000000001'", SEL("(bytes 0201)", "")},
    {"SELECT 0b101", SEL("(bytes 05)", "")},
    {"SELECT b''", SEL("(bytes )", "")},
    {"SELECT 0x41+0", SEL("(+ (bytes 41) 0)", "")},
    {"SELECT 0b12 FROM t", SEL("(col 0b12)", FROM_T)},
    {"SELECT 0xg FROM t", SEL("(col 0xg)", FROM_T)},
    /* character set introducers and national strings */
    {"SELECT _binary'Japan'", SEL("(binary 'Japan')", "")},
    {"SELECT _BINARY 'a' 'b'", SEL("(binary 'ab')", "")},
    {"SELECT _binary X'4A61'", SEL("(binary 'Ja')", "")},
    {"SELECT _utf8mb4'x'", SEL("'x'", "")},
    {"SELECT _utf8mb3'x', _utf8'y'", SEL("'x' 'y'", "")},
    {"SELECT _utf8mb4 0x4A61", SEL("'Ja'", "")},
    {"SELECT N'x'", SEL("'x'", "")},
    {"SELECT n'x' 'y'", SEL("'xy'", "")},
    /* UNION at the statement's top level; the last SELECT's ORDER BY/LIMIT are the union's */
    {"SELECT a FROM t UNION ALL SELECT b FROM u ORDER BY 1 LIMIT 2",
     SEL("(col a)", FROM_T) " (union all) " SEL("(col b)", " (from u) (order (asc 1)) (limit 2)")},
    {"SELECT a FROM t UNION DISTINCT SELECT b FROM u UNION SELECT 1",
     SEL("(col a)", FROM_T) " (union) " SEL("(col b)", " (from u)") " (union) " SEL("1", "")},
    /* ODBC escapes: typed literals are their string (as DATE '...'), {fn f(x)} is f(x) */
    {"SELECT {d '2022-01-01'}", SEL("'2022-01-01'", "")},
    {"SELECT {ts '2022-01-01 00:00:00'}, {t '12:00:00'}",
     SEL("'2022-01-01 00:00:00' '12:00:00'", "")},
    {"SELECT {D'2022-01-01'} FROM t WHERE a >= {d '2022-01-01'}",
     SEL("'2022-01-01'", FROM_T " (where (>= (col a) '2022-01-01'))")},
    {"SELECT {fn UCASE(a)} FROM t", SEL("(fn UCASE (col a))", FROM_T)},
    {"SELECT {fn CONVERT(a, SQL_BIGINT)} FROM t", SEL("(fn CONVERT (col a) 'SIGNED')", FROM_T)},
    {"SELECT {fn CONVERT(a, sql_varchar)} FROM t", SEL("(fn CONVERT (col a) 'CHAR')", FROM_T)},
    {"SELECT {fn CONVERT(a, SQL_TYPE_TIMESTAMP)} FROM t",
     SEL("(fn CONVERT (col a) 'DATETIME')", FROM_T)},
    {"SELECT {fn CONVERT(a, SIGNED)} FROM t", SEL("(fn CONVERT (col a) 'SIGNED')", FROM_T)},
    {"SELECT {x a + 1} FROM t", SEL("(+ (col a) 1)", FROM_T)},
    {"SELECT N 'x' FROM t", SEL("(as (col N) x)", FROM_T)},       /* column N, aliased x */
    {"SELECT _foo 'x' FROM t", SEL("(as (col _foo) x)", FROM_T)}, /* not a character set */
    /* COLLATE after an expression */
    {"SELECT 'a' COLLATE utf8mb4_bin", SEL("(fn COLLATE 'a' 'utf8mb4_bin')", "")},
    {"SELECT a COLLATE UTF8MB4_BIN = 'b' FROM t",
     SEL("(= (fn COLLATE (col a) 'utf8mb4_bin') 'b')", FROM_T)},
    {"SELECT a COLLATE 'binary' FROM t", SEL("(fn COLLATE (col a) 'binary')", FROM_T)},
    {"SELECT -1", SEL("(- 1)", "")},
    {"SELECT +1", SEL("(+ 1)", "")},
    {"SELECT - -1", SEL("(- (- 1))", "")},
    {"SELECT 1-1", SEL("(- 1 1)", "")},
    {"SELECT 1.5.5", NULL}, /* see errors */
    /* words that start with digits are names, as in MySQL */
    {"SELECT 123abc FROM t", SEL("(col 123abc)", FROM_T)},
    {"SELECT 1e FROM t", SEL("(col 1e)", FROM_T)},
    {"SELECT 0x FROM t", SEL("(col 0x)", FROM_T)},
    /* typed literals */
    {"SELECT DATE '2022-01-01'", SEL("'2022-01-01'", "")},
    {"SELECT date \"2022-01-01\"", SEL("'2022-01-01'", "")},
    {"SELECT TIME '10:00:00'", SEL("'10:00:00'", "")},
    {"SELECT TIMESTAMP '2022-01-01 10:00:00'", SEL("'2022-01-01 10:00:00'", "")},
    {"SELECT DATE('2022-01-01')", SEL("(fn DATE '2022-01-01')", "")},
    {"SELECT TIMESTAMP('2022-01-01 00:00:00')", SEL("(fn TIMESTAMP '2022-01-01 00:00:00')", "")},
    {"SELECT date FROM t", SEL("(col date)", FROM_T)},
    {"SELECT timestamp, time FROM t", SEL("(col timestamp) (col time)", FROM_T)},
    {"SELECT a FROM t WHERE d >= DATE '2022-01-01'",
     SEL("(col a)", FROM_T " (where (>= (col d) '2022-01-01'))")},
    /* NULL, TRUE, FALSE */
    {"SELECT NULL", SEL("NULL", "")},
    {"SELECT null, True, FALSE", SEL("NULL TRUE FALSE", "")},
    {"SELECT NULL AS n", SEL("(as NULL n)", "")},
    /* placeholders and variables */
    {"SELECT ?", SEL("?", "")},
    {"SELECT a FROM t WHERE a = ? AND b IN (?, ?)",
     SEL("(col a)", FROM_T " (where (AND (= (col a) ?) (in (col b) ? ?)))")},
    {"SELECT @@version_comment", SEL("@@version_comment", "")},
    {"SELECT @@session.autocommit", SEL("@@session.autocommit", "")},
    {"SELECT @@GLOBAL.max_allowed_packet", SEL("@@GLOBAL.max_allowed_packet", "")},
    {"SELECT @x", SEL("@x", "")},
    {"SELECT @`my var`", SEL("@my var", "")},
    {"SELECT @'q'", SEL("@q", "")},
};

static const parse_case name_cases[] = {
    /* identifiers */
    {"SELECT a FROM t", SEL("(col a)", FROM_T)},
    {"SELECT `a` FROM `t`", SEL("(col a)", FROM_T)},
    {"SELECT `we``ird` FROM t", SEL("(col we`ird)", FROM_T)},
    {"SELECT `a b` FROM t", SEL("(col a b)", FROM_T)},
    {"SELECT `select` FROM t", SEL("(col select)", FROM_T)},
    {"SELECT `sum:metric:ok` FROM t", SEL("(col sum:metric:ok)", FROM_T)},
    {"SELECT `a\\b` FROM t", SEL("(col a\\b)", FROM_T)},
    {"SELECT `a\"b` FROM t", SEL("(col a\"b)", FROM_T)},
    {"SELECT `a'b` FROM t", SEL("(col a'b)", FROM_T)},
    {"SELECT _a, $b, a$1, a_1 FROM t", SEL("(col _a) (col $b) (col a$1) (col a_1)", FROM_T)},
    {"SELECT café FROM t", SEL("(col café)", FROM_T)},
    {"SELECT `日本` FROM t", SEL("(col 日本)", FROM_T)},
    /* qualified names */
    {"SELECT t.a FROM t", SEL("(col t.a)", FROM_T)},
    {"SELECT mimir.metrics.a FROM mimir.metrics", SEL("(col mimir.metrics.a)", FROM_M)},
    {"SELECT `mimir`.`metrics`.`a` FROM mimir.metrics", SEL("(col mimir.metrics.a)", FROM_M)},
    {"SELECT t . a FROM t", SEL("(col t.a)", FROM_T)},
    {"SELECT t.`a` FROM t", SEL("(col t.a)", FROM_T)},
    {"SELECT t.select, t.from FROM t", SEL("(col t.select) (col t.from)", FROM_T)},
    /* after a dot any word is a name, as in MySQL: this is a.FROM aliased t */
    {"SELECT a. FROM t", SEL("(as (col a.FROM) t)", "")},
    {"SELECT * FROM t", SEL("*", FROM_T)},
    {"SELECT t.* FROM t", SEL("(* t)", FROM_T)},
    {"SELECT mimir.metrics.* FROM mimir.metrics", SEL("(* mimir.metrics)", FROM_M)},
    {"SELECT `t`.* FROM t", SEL("(* t)", FROM_T)},
    {"SELECT *, a FROM t", SEL("* (col a)", FROM_T)},
    {"SELECT a, * FROM t", SEL("(col a) *", FROM_T)},
    /* aliases */
    {"SELECT a AS b FROM t", SEL("(as (col a) b)", FROM_T)},
    {"SELECT a b FROM t", SEL("(as (col a) b)", FROM_T)},
    {"SELECT a AS `b c` FROM t", SEL("(as (col a) b c)", FROM_T)},
    {"SELECT a `b c` FROM t", SEL("(as (col a) b c)", FROM_T)},
    {"SELECT a AS 'b c' FROM t", SEL("(as (col a) b c)", FROM_T)},
    {"SELECT a 'b c' FROM t", SEL("(as (col a) b c)", FROM_T)},
    {"SELECT a AS \"b\" FROM t", SEL("(as (col a) b)", FROM_T)},
    {"SELECT SUM(m) AS `sum:m:ok` FROM t", SEL("(as (fn SUM (col m)) sum:m:ok)", FROM_T)},
    {"SELECT 1 one, 2 AS two", SEL("(as 1 one) (as 2 two)", "")},
    {"SELECT a AS select_ FROM t", SEL("(as (col a) select_)", FROM_T)},
    /* tables */
    {"SELECT a FROM mimir.metrics", SEL("(col a)", FROM_M)},
    {"SELECT a FROM `mimir`.`metrics`", SEL("(col a)", FROM_M)},
    {"SELECT a FROM metrics", SEL("(col a)", " (from metrics)")},
    {"SELECT a FROM mimir.metrics AS m", SEL("(col a)", " (from (as mimir.metrics m))")},
    {"SELECT a FROM mimir.metrics m", SEL("(col a)", " (from (as mimir.metrics m))")},
    {"SELECT a FROM mimir.metrics `m x`", SEL("(col a)", " (from (as mimir.metrics m x))")},
    {"SELECT m.a FROM mimir.metrics m WHERE m.b = 1",
     SEL("(col m.a)", " (from (as mimir.metrics m)) (where (= (col m.b) 1))")},
    {"SELECT a FROM mimir.`select`", SEL("(col a)", " (from mimir.select)")},
    {"SELECT a FROM t, u", SEL("(col a)", " (from t u)")},
    {"SELECT a FROM t JOIN u ON t.x = u.x",
     SEL("(col a)", " (from t (inner-join u (on (= (col t.x) (col u.x)))))")},
    {"SELECT a FROM t INNER JOIN u ON 1", SEL("(col a)", " (from t (inner-join u (on 1)))")},
    {"SELECT a FROM t LEFT JOIN u ON 1", SEL("(col a)", " (from t (left-join u (on 1)))")},
    {"SELECT a FROM t LEFT OUTER JOIN u ON 1", SEL("(col a)", " (from t (left-join u (on 1)))")},
    {"SELECT a FROM t RIGHT JOIN u ON 1", SEL("(col a)", " (from t (right-join u (on 1)))")},
    {"SELECT a FROM t CROSS JOIN u", SEL("(col a)", " (from t (cross-join u))")},
    {"SELECT a FROM t STRAIGHT_JOIN u ON 1", SEL("(col a)", " (from t (inner-join u (on 1)))")},
    {"SELECT a FROM t JOIN u", SEL("(col a)", " (from t (inner-join u))")},
    {"SELECT a FROM t x JOIN u y ON x.a = y.a",
     SEL("(col a)", " (from (as t x) (inner-join (as u y) (on (= (col x.a) (col y.a)))))")},
    /* derived tables */
    {"SELECT a FROM (SELECT a FROM mimir.metrics) AS q",
     SEL("(col a)", " (from (as (select (items (col a)) (from mimir.metrics)) q))")},
    {"SELECT a FROM (SELECT a FROM mimir.metrics) q",
     SEL("(col a)", " (from (as (select (items (col a)) (from mimir.metrics)) q))")},
    {"SELECT q.a FROM (SELECT a FROM mimir.metrics) `q`",
     SEL("(col q.a)", " (from (as (select (items (col a)) (from mimir.metrics)) q))")},
    {"SELECT * FROM (SELECT * FROM (SELECT 1 AS x) a) b",
     SEL("*", " (from (as (select (items *) (from (as (select (items (as 1 x))) a))) b))")},
    {"SELECT SUM(x) FROM (SELECT AGG(m) AS x, d FROM mimir.metrics GROUP BY d) t "
     "WHERE d > 1 GROUP BY d ORDER BY 1 DESC LIMIT 3",
     SEL("(fn SUM (col x))",
         " (from (as (select (items (as (fn AGG (col m)) x) (col d)) (from mimir.metrics) "
         "(group (col d))) t)) (where (> (col d) 1)) (group (col d)) (order (desc 1)) "
         "(limit 3)")},
    {"SELECT a FROM (SELECT a FROM t LIMIT 5) AS q LIMIT 2",
     SEL("(col a)", " (from (as (select (items (col a)) (from t) (limit 5)) q)) (limit 2)")},
    /* WITH: a CTE's name reads as the derived table it names */
    {"WITH x AS (SELECT 1) SELECT * FROM x", SEL("*", " (from (as (select (items 1)) x))")},
    {"WITH q AS (SELECT a FROM t) SELECT a FROM q AS r, mimir.q",
     SEL("(col a)", " (from (as (select (items (col a)) (from t)) r) mimir.q)")},
    {"WITH a AS (SELECT d FROM t), b (e) AS (SELECT d FROM a) SELECT e FROM b",
     SEL("(col e)", " (from (as (select (items (as (col d) e)) (from (as (select (items (col "
                    "d)) (from t)) a))) b))")},
    {"EXPLAIN WITH x AS (SELECT 1) SELECT * FROM x",
     "(explain (select (items *) (from (as (select (items 1)) x))))"},
};

static const parse_case comment_cases[] = {
    {"SELECT 1 -- comment", SEL("1", "")},
    {"SELECT 1 --\tcomment", SEL("1", "")},
    {"SELECT 1 --", SEL("1", "")},
    {"SELECT 1 --\nFROM t", SEL("1", FROM_T)},
    {"SELECT 1 -- c\nFROM t -- d\n", SEL("1", FROM_T)},
    {"SELECT 1 --x", SEL("(- 1 (- (col x)))", "")}, /* not a comment without the space */
    {"SELECT 1--1", SEL("(- 1 (- 1))", "")},
    {"SELECT 5 --2", SEL("(- 5 (- 2))", "")},
    {"SELECT 1 # comment", SEL("1", "")},
    {"SELECT 1 #comment\nFROM t", SEL("1", FROM_T)},
    {"SELECT /* c */ 1", SEL("1", "")},
    {"SELECT /**/ 1", SEL("1", "")},
    {"SELECT /* multi\nline */ 1", SEL("1", "")},
    {"SELECT 1/* c */FROM t", SEL("1", FROM_T)},
    {"SELECT /* a */ /* b */ 1", SEL("1", "")},
    {"SELECT /* -- not a line comment */ 1", SEL("1", "")},
    {"SELECT 1 /* ' */ FROM t", SEL("1", FROM_T)},
    {"SELECT '/* not a comment */'", SEL("'/* not a comment */'", "")},
    {"SELECT '-- not a comment'", SEL("'-- not a comment'", "")},
    {"SELECT `#x` FROM t", SEL("(col #x)", FROM_T)},
    {"SELECT 2*/*c*/3", SEL("(* 2 3)", "")},
    {"SELECT 2/ /*c*/3", SEL("(/ 2 3)", "")},
    /* executable comments: their body is SQL */
    {"SELECT /*! DISTINCT */ a FROM t", "(select distinct (items (col a)) (from t))"},
    {"SELECT /*!50001 DISTINCT */ a FROM t", "(select distinct (items (col a)) (from t))"},
    {"SELECT /*!40100 SQL_NO_CACHE */ a FROM t", SEL("(col a)", FROM_T)},
    {"/*!40101 SELECT 1 */", SEL("1", "")},
    {"SELECT 1 /*! + 2 */", SEL("(+ 1 2)", "")},
    {"SELECT 1 /*!50001 + 2*/ FROM t", SEL("(+ 1 2)", FROM_T)},
    {"SELECT /*!50001 a, */ b FROM t", SEL("(col a) (col b)", FROM_T)},
    {"/*!40101 SET NAMES utf8 */;", "(set (@names 'NAMES utf8'))"},
    {"/* lead */ SELECT 1", SEL("1", "")},
    {"-- lead\nSELECT 1", SEL("1", "")},
    {"# lead\nSELECT 1", SEL("1", "")},
};

static const parse_case operator_cases[] = {
    /* arithmetic precedence */
    {"SELECT 1 + 2 * 3", SEL("(+ 1 (* 2 3))", "")},
    {"SELECT 1 * 2 + 3", SEL("(+ (* 1 2) 3)", "")},
    {"SELECT (1 + 2) * 3", SEL("(* (+ 1 2) 3)", "")},
    {"SELECT 1 - 2 - 3", SEL("(- (- 1 2) 3)", "")},
    {"SELECT 1 - (2 - 3)", SEL("(- 1 (- 2 3))", "")},
    {"SELECT 8 / 4 / 2", SEL("(/ (/ 8 4) 2)", "")},
    {"SELECT 1 + 2 / 3 - 4", SEL("(- (+ 1 (/ 2 3)) 4)", "")},
    {"SELECT 7 DIV 2", SEL("(DIV 7 2)", "")},
    {"SELECT 7 div 2 * 3", SEL("(* (DIV 7 2) 3)", "")},
    {"SELECT 7 MOD 2", SEL("(% 7 2)", "")},
    {"SELECT 7 % 2", SEL("(% 7 2)", "")},
    {"SELECT 7 % 2 + 1", SEL("(+ (% 7 2) 1)", "")},
    {"SELECT 1 + 7 mod 2", SEL("(+ 1 (% 7 2))", "")},
    {"SELECT 1 ^ 2 * 3", SEL("(* (^ 1 2) 3)", "")},
    {"SELECT 3 * 1 ^ 2", SEL("(* 3 (^ 1 2))", "")},
    {"SELECT 1 ^ 2 ^ 3", SEL("(^ (^ 1 2) 3)", "")},
    {"SELECT -a ^ b FROM t", SEL("(^ (- (col a)) (col b))", FROM_T)},
    {"SELECT -a * b FROM t", SEL("(* (- (col a)) (col b))", FROM_T)},
    {"SELECT - a - b FROM t", SEL("(- (- (col a)) (col b))", FROM_T)},
    {"SELECT ~a + 1 FROM t", SEL("(+ (~ (col a)) 1)", FROM_T)},
    {"SELECT a + - b FROM t", SEL("(+ (col a) (- (col b)))", FROM_T)},
    {"SELECT a * + b FROM t", SEL("(* (col a) (+ (col b)))", FROM_T)},
    {"SELECT a+-b FROM t", SEL("(+ (col a) (- (col b)))", FROM_T)},
    /* shifts and bit operators */
    {"SELECT 1 << 2 + 3", SEL("(<< 1 (+ 2 3))", "")},
    {"SELECT 1 + 2 << 3", SEL("(<< (+ 1 2) 3)", "")},
    {"SELECT 16 >> 2 >> 1", SEL("(>> (>> 16 2) 1)", "")},
    {"SELECT 1 & 2 << 3", SEL("(& 1 (<< 2 3))", "")},
    {"SELECT 1 & 2 | 3", SEL("(| (& 1 2) 3)", "")},
    {"SELECT 1 | 2 & 3", SEL("(| 1 (& 2 3))", "")},
    {"SELECT 1 | 2 = 3", SEL("(= (| 1 2) 3)", "")},
    {"SELECT 3 = 1 | 2", SEL("(= 3 (| 1 2))", "")},
    /* comparison */
    {"SELECT a = 1 FROM t", SEL("(= (col a) 1)", FROM_T)},
    {"SELECT a <> 1, a != 1 FROM t", SEL("(<> (col a) 1) (<> (col a) 1)", FROM_T)},
    {"SELECT a < 1, a <= 1, a > 1, a >= 1 FROM t",
     SEL("(< (col a) 1) (<= (col a) 1) (> (col a) 1) (>= (col a) 1)", FROM_T)},
    {"SELECT a <=> NULL FROM t", SEL("(<=> (col a) NULL)", FROM_T)},
    {"SELECT a<=>b FROM t", SEL("(<=> (col a) (col b))", FROM_T)},
    {"SELECT a<>b FROM t", SEL("(<> (col a) (col b))", FROM_T)},
    {"SELECT a = b = c FROM t", SEL("(= (= (col a) (col b)) (col c))", FROM_T)},
    {"SELECT a + 1 = b * 2 FROM t", SEL("(= (+ (col a) 1) (* (col b) 2))", FROM_T)},
    {"SELECT a < b < c FROM t", SEL("(< (< (col a) (col b)) (col c))", FROM_T)},
    /* logic */
    {"SELECT a OR b AND c FROM t", SEL("(OR (col a) (AND (col b) (col c)))", FROM_T)},
    {"SELECT a AND b OR c FROM t", SEL("(OR (AND (col a) (col b)) (col c))", FROM_T)},
    {"SELECT a OR b XOR c AND d FROM t",
     SEL("(OR (col a) (XOR (col b) (AND (col c) (col d))))", FROM_T)},
    {"SELECT a XOR b OR c FROM t", SEL("(OR (XOR (col a) (col b)) (col c))", FROM_T)},
    {"SELECT a XOR b XOR c FROM t", SEL("(XOR (XOR (col a) (col b)) (col c))", FROM_T)},
    {"SELECT a || b && c FROM t", SEL("(OR (col a) (AND (col b) (col c)))", FROM_T)},
    {"SELECT a && b || c FROM t", SEL("(OR (AND (col a) (col b)) (col c))", FROM_T)},
    {"SELECT a OR b OR c FROM t", SEL("(OR (OR (col a) (col b)) (col c))", FROM_T)},
    {"SELECT a AND b AND c FROM t", SEL("(AND (AND (col a) (col b)) (col c))", FROM_T)},
    {"SELECT NOT a FROM t", SEL("(NOT (col a))", FROM_T)},
    {"SELECT NOT a AND b FROM t", SEL("(AND (NOT (col a)) (col b))", FROM_T)},
    {"SELECT NOT a = b FROM t", SEL("(NOT (= (col a) (col b)))", FROM_T)},
    {"SELECT NOT NOT a FROM t", SEL("(NOT (NOT (col a)))", FROM_T)},
    {"SELECT !a FROM t", SEL("(NOT (col a))", FROM_T)},
    {"SELECT !a = b FROM t", SEL("(= (NOT (col a)) (col b))", FROM_T)},
    {"SELECT !!a FROM t", SEL("(NOT (NOT (col a)))", FROM_T)},
    {"SELECT a AND NOT b OR c FROM t", SEL("(OR (AND (col a) (NOT (col b))) (col c))", FROM_T)},
    {"SELECT (a OR b) AND c FROM t", SEL("(AND (OR (col a) (col b)) (col c))", FROM_T)},
    {"SELECT 1 = 1 AND 2 > 1 OR 3 < 2 FROM t", SEL("(OR (AND (= 1 1) (> 2 1)) (< 3 2))", FROM_T)},
    {"SELECT a + b > c AND d FROM t", SEL("(AND (> (+ (col a) (col b)) (col c)) (col d))", FROM_T)},
    /* IN */
    {"SELECT a IN (1) FROM t", SEL("(in (col a) 1)", FROM_T)},
    {"SELECT a IN (1, 2, 3) FROM t", SEL("(in (col a) 1 2 3)", FROM_T)},
    {"SELECT a NOT IN ('x', 'y') FROM t", SEL("(not-in (col a) 'x' 'y')", FROM_T)},
    {"SELECT a IN (b, c + 1) FROM t", SEL("(in (col a) (col b) (+ (col c) 1))", FROM_T)},
    {"SELECT a + 1 IN (2) FROM t", SEL("(in (+ (col a) 1) 2)", FROM_T)},
    {"SELECT a IN (1) = TRUE FROM t", SEL("(= (in (col a) 1) TRUE)", FROM_T)},
    {"SELECT NOT a IN (1) FROM t", SEL("(NOT (in (col a) 1))", FROM_T)},
    {"SELECT a IN (1) AND b NOT IN (2) FROM t",
     SEL("(AND (in (col a) 1) (not-in (col b) 2))", FROM_T)},
    {"SELECT a IN (NULL) FROM t", SEL("(in (col a) NULL)", FROM_T)},
    {"SELECT a IN (SELECT b FROM u) FROM t",
     SEL("(in (col a) (select (items (col b)) (from u)))", FROM_T)},
    /* BETWEEN */
    {"SELECT a BETWEEN 1 AND 2 FROM t", SEL("(between (col a) 1 2)", FROM_T)},
    {"SELECT a NOT BETWEEN 1 AND 2 FROM t", SEL("(not-between (col a) 1 2)", FROM_T)},
    {"SELECT a BETWEEN 1 AND 2 AND b FROM t", SEL("(AND (between (col a) 1 2) (col b))", FROM_T)},
    {"SELECT a BETWEEN b + 1 AND c * 2 FROM t",
     SEL("(between (col a) (+ (col b) 1) (* (col c) 2))", FROM_T)},
    {"SELECT NOT a BETWEEN 1 AND 2 FROM t", SEL("(NOT (between (col a) 1 2))", FROM_T)},
    {"SELECT a BETWEEN '2022-01-01' AND '2022-01-31' OR b FROM t",
     SEL("(OR (between (col a) '2022-01-01' '2022-01-31') (col b))", FROM_T)},
    {"SELECT ts BETWEEN TIMESTAMP('2022-01-01') AND DATE '2022-02-01' FROM t",
     SEL("(between (col ts) (fn TIMESTAMP '2022-01-01') '2022-02-01')", FROM_T)},
    /* LIKE */
    {"SELECT a LIKE 'x%' FROM t", SEL("(like (col a) 'x%')", FROM_T)},
    {"SELECT a NOT LIKE 'x%' FROM t", SEL("(not-like (col a) 'x%')", FROM_T)},
    {"SELECT a LIKE 'x!%' ESCAPE '!' FROM t", SEL("(like (col a) 'x!%' (escape '!'))", FROM_T)},
    {"SELECT a NOT LIKE 'x|_' ESCAPE '|' FROM t",
     SEL("(not-like (col a) 'x|_' (escape '|'))", FROM_T)},
    {"SELECT a LIKE 'x\\_y' FROM t", SEL("(like (col a) 'x\\\\_y')", FROM_T)},
    {"SELECT a LIKE b OR c FROM t", SEL("(OR (like (col a) (col b)) (col c))", FROM_T)},
    {"SELECT a LIKE CONCAT(b, '%') FROM t", SEL("(like (col a) (fn CONCAT (col b) '%'))", FROM_T)},
    {"SELECT NOT a LIKE 'x' FROM t", SEL("(NOT (like (col a) 'x'))", FROM_T)},
    /* IS */
    {"SELECT a IS NULL FROM t", SEL("(is (col a) NULL)", FROM_T)},
    {"SELECT a IS NOT NULL FROM t", SEL("(is-not (col a) NULL)", FROM_T)},
    {"SELECT a IS TRUE, a IS NOT TRUE FROM t",
     SEL("(is (col a) TRUE) (is-not (col a) TRUE)", FROM_T)},
    {"SELECT a IS FALSE, a IS NOT FALSE FROM t",
     SEL("(is (col a) FALSE) (is-not (col a) FALSE)", FROM_T)},
    {"SELECT a = 1 IS NULL FROM t", SEL("(is (= (col a) 1) NULL)", FROM_T)},
    {"SELECT a IS NULL AND b IS NOT NULL FROM t",
     SEL("(AND (is (col a) NULL) (is-not (col b) NULL))", FROM_T)},
    {"SELECT NOT a IS NULL FROM t", SEL("(NOT (is (col a) NULL))", FROM_T)},
    {"SELECT a + 1 IS NULL FROM t", SEL("(is (+ (col a) 1) NULL)", FROM_T)},
    /* subqueries parse (the planner refuses them outside information_schema) */
    {"SELECT (SELECT 1)", SEL("(subquery (select (items 1)))", "")},
    {"SELECT EXISTS (SELECT 1)", SEL("(exists (select (items 1)))", "")},
    {"SELECT a FROM t WHERE NOT EXISTS (SELECT 1 FROM u)",
     SEL("(col a)", FROM_T " (where (NOT (exists (select (items 1) (from u)))))")},
};

static const parse_case expression_cases[] = {
    /* CASE */
    {"SELECT CASE WHEN a THEN 1 END FROM t", SEL("(case (when (col a) 1))", FROM_T)},
    {"SELECT CASE WHEN a = 1 THEN 'x' ELSE 'y' END FROM t",
     SEL("(case (when (= (col a) 1) 'x') (else 'y'))", FROM_T)},
    {"SELECT CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END FROM t",
     SEL("(case (when (col a) 1) (when (col b) 2) (else 3))", FROM_T)},
    {"SELECT CASE a WHEN 1 THEN 'one' WHEN 2 THEN 'two' END FROM t",
     SEL("(case (col a) (when 1 'one') (when 2 'two'))", FROM_T)},
    {"SELECT CASE a + 1 WHEN 2 THEN 'x' ELSE NULL END FROM t",
     SEL("(case (+ (col a) 1) (when 2 'x') (else NULL))", FROM_T)},
    {"SELECT CASE WHEN a IN (1, 2) AND b IS NULL THEN 1 END FROM t",
     SEL("(case (when (AND (in (col a) 1 2) (is (col b) NULL)) 1))", FROM_T)},
    {"SELECT CASE WHEN CASE WHEN a THEN b END THEN 1 END FROM t",
     SEL("(case (when (case (when (col a) (col b))) 1))", FROM_T)},
    {"SELECT CASE WHEN a THEN 1 END + 1 FROM t", SEL("(+ (case (when (col a) 1)) 1)", FROM_T)},
    {"SELECT CASE WHEN a THEN 1 END AS c FROM t", SEL("(as (case (when (col a) 1)) c)", FROM_T)},
    {"SELECT case when a then 1 else 2 end x FROM t",
     SEL("(as (case (when (col a) 1) (else 2)) x)", FROM_T)},
    /* CAST, CONVERT */
    {"SELECT CAST(a AS SIGNED) FROM t", SEL("(fn CAST (col a) 'SIGNED')", FROM_T)},
    {"SELECT CAST(a AS UNSIGNED INTEGER) FROM t",
     SEL("(fn CAST (col a) 'UNSIGNED INTEGER')", FROM_T)},
    {"SELECT CAST(a AS SIGNED INTEGER) FROM t", SEL("(fn CAST (col a) 'SIGNED INTEGER')", FROM_T)},
    {"SELECT CAST(a AS DECIMAL(10,2)) FROM t", SEL("(fn CAST (col a) 'DECIMAL(10,2)')", FROM_T)},
    {"SELECT CAST(a AS DECIMAL(10, 2)) FROM t", SEL("(fn CAST (col a) 'DECIMAL(10, 2)')", FROM_T)},
    {"SELECT CAST(a AS DECIMAL) FROM t", SEL("(fn CAST (col a) 'DECIMAL')", FROM_T)},
    {"SELECT CAST(a AS CHAR) FROM t", SEL("(fn CAST (col a) 'CHAR')", FROM_T)},
    {"SELECT CAST(a AS CHAR(10)) FROM t", SEL("(fn CAST (col a) 'CHAR(10)')", FROM_T)},
    {"SELECT CAST(a AS CHAR CHARACTER SET utf8mb4) FROM t",
     SEL("(fn CAST (col a) 'CHAR CHARACTER SET utf8mb4')", FROM_T)},
    {"SELECT CAST(a AS DATE) FROM t", SEL("(fn CAST (col a) 'DATE')", FROM_T)},
    {"SELECT CAST(a AS DATETIME) FROM t", SEL("(fn CAST (col a) 'DATETIME')", FROM_T)},
    {"SELECT CAST(a AS TIME) FROM t", SEL("(fn CAST (col a) 'TIME')", FROM_T)},
    {"SELECT CAST(a AS DOUBLE) FROM t", SEL("(fn CAST (col a) 'DOUBLE')", FROM_T)},
    {"SELECT cast(a as date) FROM t", SEL("(fn cast (col a) 'date')", FROM_T)},
    {"SELECT CAST('2022-01-01' AS DATE)", SEL("(fn CAST '2022-01-01' 'DATE')", "")},
    {"SELECT CAST(a + 1 AS CHAR) FROM t", SEL("(fn CAST (+ (col a) 1) 'CHAR')", FROM_T)},
    {"SELECT CONVERT(a, SIGNED) FROM t", SEL("(fn CONVERT (col a) 'SIGNED')", FROM_T)},
    {"SELECT CONVERT(a, DECIMAL(5,1)) FROM t", SEL("(fn CONVERT (col a) 'DECIMAL(5,1)')", FROM_T)},
    {"SELECT CONVERT(a, CHAR) FROM t", SEL("(fn CONVERT (col a) 'CHAR')", FROM_T)},
    {"SELECT CAST(CAST(a AS CHAR) AS SIGNED) FROM t",
     SEL("(fn CAST (fn CAST (col a) 'CHAR') 'SIGNED')", FROM_T)},
    /* BINARY x is CAST(x AS BINARY), binding tighter than any operator */
    {"SELECT a FROM t WHERE a = BINARY 'x'",
     SEL("(col a)", FROM_T " (where (= (col a) (fn CAST 'x' 'BINARY')))")},
    {"SELECT BINARY a = b FROM t", SEL("(= (fn CAST (col a) 'BINARY') (col b))", FROM_T)},
    {"SELECT binary a + 1 FROM t", SEL("(+ (fn CAST (col a) 'BINARY') 1)", FROM_T)},
    {"SELECT BINARY -a, BINARY(a) FROM t",
     SEL("(fn CAST (- (col a)) 'BINARY') (fn CAST (col a) 'BINARY')", FROM_T)},
    {"SELECT a FROM t WHERE a LIKE BINARY 'x%'",
     SEL("(col a)", FROM_T " (where (like (col a) (fn CAST 'x%' 'BINARY')))")},
    {"SELECT CAST(a AS BINARY) FROM t", SEL("(fn CAST (col a) 'BINARY')", FROM_T)},
    {"SELECT `binary` FROM t", SEL("(col binary)", FROM_T)},
    /* CHAR(n, ... [USING charset]) */
    {"SELECT CHAR(39)", SEL("(fn CHAR 39)", "")},
    {"SELECT CHAR(77, 121 USING utf8mb4)", SEL("(fn CHAR 77 121)", "")},
    {"SELECT char(65 using BINARY)", SEL("(fn char 65)", "")},
    /* @name := expr: the value is a whole expression */
    {"SELECT @a := 1", SEL("(:= @a 1)", "")},
    {"SELECT @dt:=(-6), @dt FROM t", SEL("(:= @dt (- 6)) @dt", FROM_T)},
    {"SELECT @a := b + 1 OR c FROM t", SEL("(:= @a (OR (+ (col b) 1) (col c)))", FROM_T)},
    {"SELECT CASE a WHEN 'x' THEN @v := 1 ELSE @v := 2 END FROM t",
     SEL("(case (col a) (when 'x' (:= @v 1)) (else (:= @v 2)))", FROM_T)},
    {"SELECT IF(a, @c := 7, @c := b) FROM t",
     SEL("(fn IF (col a) (:= @c 7) (:= @c (col b)))", FROM_T)},
    {"SELECT @`my var` := 1", SEL("(:= @my var 1)", "")},
    {"SELECT 1 + @a := 2 + 3", SEL("(+ 1 (:= @a (+ 2 3)))", "")},
    /* EXTRACT */
    {"SELECT EXTRACT(YEAR FROM d) FROM t", SEL("(fn EXTRACT 'YEAR' (col d))", FROM_T)},
    {"SELECT EXTRACT(month FROM d) FROM t", SEL("(fn EXTRACT 'MONTH' (col d))", FROM_T)},
    {"SELECT EXTRACT(QUARTER FROM d) FROM t", SEL("(fn EXTRACT 'QUARTER' (col d))", FROM_T)},
    {"SELECT EXTRACT(WEEK FROM d) FROM t", SEL("(fn EXTRACT 'WEEK' (col d))", FROM_T)},
    {"SELECT EXTRACT(DAY FROM d) FROM t", SEL("(fn EXTRACT 'DAY' (col d))", FROM_T)},
    {"SELECT EXTRACT(HOUR FROM d) FROM t", SEL("(fn EXTRACT 'HOUR' (col d))", FROM_T)},
    {"SELECT EXTRACT(MINUTE FROM d) FROM t", SEL("(fn EXTRACT 'MINUTE' (col d))", FROM_T)},
    {"SELECT EXTRACT(SECOND FROM d) FROM t", SEL("(fn EXTRACT 'SECOND' (col d))", FROM_T)},
    {"SELECT EXTRACT(MICROSECOND FROM d) FROM t",
     SEL("(fn EXTRACT 'MICROSECOND' (col d))", FROM_T)},
    {"SELECT EXTRACT(YEAR FROM DATE '2022-01-01')", SEL("(fn EXTRACT 'YEAR' '2022-01-01')", "")},
    /* INTERVAL */
    {"SELECT d + INTERVAL 1 DAY FROM t", SEL("(+ (col d) (interval 1 DAY))", FROM_T)},
    {"SELECT d - INTERVAL 2 MONTH FROM t", SEL("(- (col d) (interval 2 MONTH))", FROM_T)},
    {"SELECT INTERVAL 1 DAY + d FROM t", SEL("(+ (interval 1 DAY) (col d))", FROM_T)},
    {"SELECT d + INTERVAL '3' hour FROM t", SEL("(+ (col d) (interval '3' HOUR))", FROM_T)},
    {"SELECT d + INTERVAL n * 7 DAY FROM t",
     SEL("(+ (col d) (interval (* (col n) 7) DAY))", FROM_T)},
    {"SELECT d + INTERVAL -1 YEAR FROM t", SEL("(+ (col d) (interval (- 1) YEAR))", FROM_T)},
    {"SELECT d + INTERVAL 1 DAY + INTERVAL 2 HOUR FROM t",
     SEL("(+ (+ (col d) (interval 1 DAY)) (interval 2 HOUR))", FROM_T)},
    {"SELECT d + INTERVAL 1 QUARTER, d + INTERVAL 1 WEEK FROM t",
     SEL("(+ (col d) (interval 1 QUARTER)) (+ (col d) (interval 1 WEEK))", FROM_T)},
    {"SELECT d + INTERVAL 1 SECOND, d + INTERVAL 1 MINUTE FROM t",
     SEL("(+ (col d) (interval 1 SECOND)) (+ (col d) (interval 1 MINUTE))", FROM_T)},
    {"SELECT DATE_ADD(d, INTERVAL 1 DAY) FROM t",
     SEL("(fn DATE_ADD (col d) (interval 1 DAY))", FROM_T)},
    {"SELECT DATE_SUB(d, INTERVAL 1 MONTH) FROM t",
     SEL("(fn DATE_SUB (col d) (interval 1 MONTH))", FROM_T)},
    {"SELECT ADDDATE(DATE_FORMAT(ts, '%Y-%m-01 00:00:00'), INTERVAL 0 SECOND) FROM t",
     SEL("(fn ADDDATE (fn DATE_FORMAT (col ts) '%Y-%m-01 00:00:00') (interval 0 SECOND))", FROM_T)},
    {"SELECT a FROM t WHERE d >= NOW() - INTERVAL 7 DAY",
     SEL("(col a)", FROM_T " (where (>= (col d) (- (fn NOW) (interval 7 DAY))))")},
    /* function calls */
    {"SELECT f() FROM t", SEL("(fn f)", FROM_T)},
    {"SELECT f(a) FROM t", SEL("(fn f (col a))", FROM_T)},
    {"SELECT f(a, 'b', 3) FROM t", SEL("(fn f (col a) 'b' 3)", FROM_T)},
    {"SELECT IFNULL(a, 0) FROM t", SEL("(fn IFNULL (col a) 0)", FROM_T)},
    {"SELECT COALESCE(a, b, 'n/a') FROM t", SEL("(fn COALESCE (col a) (col b) 'n/a')", FROM_T)},
    {"SELECT IF(a > 1, 'x', 'y') FROM t", SEL("(fn IF (> (col a) 1) 'x' 'y')", FROM_T)},
    {"SELECT DATE_FORMAT(ts, '%Y-%m') FROM t", SEL("(fn DATE_FORMAT (col ts) '%Y-%m')", FROM_T)},
    {"SELECT UPPER(LOWER(TRIM(a))) FROM t", SEL("(fn UPPER (fn LOWER (fn TRIM (col a))))", FROM_T)},
    {"SELECT ROUND(a / b, 2) FROM t", SEL("(fn ROUND (/ (col a) (col b)) 2)", FROM_T)},
    {"SELECT now() FROM t", SEL("(fn now)", FROM_T)},
    {"SELECT CURRENT_DATE, CURRENT_TIMESTAMP FROM t",
     SEL("(fn CURRENT_DATE) (fn CURRENT_TIMESTAMP)", FROM_T)},
    {"SELECT CURRENT_DATE() FROM t", SEL("(fn CURRENT_DATE)", FROM_T)},
    {"SELECT LOCALTIMESTAMP, UTC_DATE FROM t", SEL("(fn LOCALTIMESTAMP) (fn UTC_DATE)", FROM_T)},
    {"SELECT f (a) FROM t", SEL("(fn f (col a))", FROM_T)},
    /* aggregates */
    {"SELECT COUNT(*) FROM t", SEL("(fn COUNT *)", FROM_T)},
    {"SELECT count(*) c FROM t", SEL("(as (fn count *) c)", FROM_T)},
    {"SELECT COUNT(a) FROM t", SEL("(fn COUNT (col a))", FROM_T)},
    {"SELECT COUNT(DISTINCT a) FROM t", SEL("(fn COUNT DISTINCT (col a))", FROM_T)},
    {"SELECT COUNT(DISTINCT a, b) FROM t", SEL("(fn COUNT DISTINCT (col a) (col b))", FROM_T)},
    {"SELECT COUNT(ALL a) FROM t", SEL("(fn COUNT (col a))", FROM_T)},
    {"SELECT SUM(DISTINCT a + 1) FROM t", SEL("(fn SUM DISTINCT (+ (col a) 1))", FROM_T)},
    {"SELECT AGG(m) FROM mimir.metrics", SEL("(fn AGG (col m))", FROM_M)},
    {"SELECT MEASURE(m) FROM mimir.metrics", SEL("(fn MEASURE (col m))", FROM_M)},
    {"SELECT AGG(a) / NULLIF(AGG(b), 0) AS r FROM mimir.metrics",
     SEL("(as (/ (fn AGG (col a)) (fn NULLIF (fn AGG (col b)) 0)) r)", FROM_M)},
    {"SELECT SUM(`m`) AS `sum:m:ok`, MIN(m), MAX(m), AVG(m) FROM mimir.metrics",
     SEL("(as (fn SUM (col m)) sum:m:ok) (fn MIN (col m)) (fn MAX (col m)) (fn AVG (col m))",
         FROM_M)},
};

static const parse_case clause_cases[] = {
    /* SELECT modifiers */
    {"SELECT DISTINCT a FROM t", "(select distinct (items (col a)) (from t))"},
    {"SELECT DISTINCTROW a FROM t", "(select distinct (items (col a)) (from t))"},
    {"SELECT ALL a FROM t", SEL("(col a)", FROM_T)},
    {"SELECT distinct a, b FROM t", "(select distinct (items (col a) (col b)) (from t))"},
    {"SELECT SQL_NO_CACHE a FROM t", SEL("(col a)", FROM_T)},
    {"SELECT SQL_CALC_FOUND_ROWS a FROM t", SEL("(col a)", FROM_T)},
    {"SELECT HIGH_PRIORITY STRAIGHT_JOIN a FROM t", SEL("(col a)", FROM_T)},
    {"SELECT DISTINCT SQL_NO_CACHE a FROM t", "(select distinct (items (col a)) (from t))"},
    {"SELECT SQL_SMALL_RESULT SQL_BIG_RESULT SQL_BUFFER_RESULT a FROM t", SEL("(col a)", FROM_T)},
    /* WHERE */
    {"SELECT a FROM t WHERE a = 'x'", SEL("(col a)", FROM_T " (where (= (col a) 'x'))")},
    {"SELECT AGG(m) FROM mimir.metrics WHERE d = 'x'",
     SEL("(fn AGG (col m))", FROM_M " (where (= (col d) 'x'))")},
    {"SELECT a FROM t WHERE (a = 1)", SEL("(col a)", FROM_T " (where (= (col a) 1))")},
    {"SELECT a FROM t WHERE ((a))", SEL("(col a)", FROM_T " (where (col a))")},
    {"SELECT a FROM t WHERE 1 = 0", SEL("(col a)", FROM_T " (where (= 1 0))")},
    {"SELECT a FROM t WHERE TRUE", SEL("(col a)", FROM_T " (where TRUE)")},
    /* GROUP BY by name, alias, ordinal, expression */
    {"SELECT a FROM t GROUP BY a", SEL("(col a)", FROM_T " (group (col a))")},
    {"SELECT a x FROM t GROUP BY x", SEL("(as (col a) x)", FROM_T " (group (col x))")},
    {"SELECT a, b FROM t GROUP BY 1, 2", SEL("(col a) (col b)", FROM_T " (group 1 2)")},
    {"SELECT YEAR(d) FROM t GROUP BY YEAR(d)",
     SEL("(fn YEAR (col d))", FROM_T " (group (fn YEAR (col d)))")},
    {"SELECT a FROM t GROUP BY t.a, `b`", SEL("(col a)", FROM_T " (group (col t.a) (col b))")},
    {"SELECT a FROM t GROUP BY a HAVING AGG(m) > 1",
     SEL("(col a)", FROM_T " (group (col a)) (having (> (fn AGG (col m)) 1))")},
    {"SELECT a FROM t HAVING a > 1", SEL("(col a)", FROM_T " (having (> (col a) 1))")},
    /* ORDER BY by name, alias, ordinal, expression, ASC/DESC */
    {"SELECT a FROM t ORDER BY a", SEL("(col a)", FROM_T " (order (asc (col a)))")},
    {"SELECT a FROM t ORDER BY a ASC", SEL("(col a)", FROM_T " (order (asc (col a)))")},
    {"SELECT a FROM t ORDER BY a DESC", SEL("(col a)", FROM_T " (order (desc (col a)))")},
    {"SELECT a FROM t ORDER BY 1 DESC, a",
     SEL("(col a)", FROM_T " (order (desc 1) (asc (col a)))")},
    {"SELECT a x FROM t ORDER BY x desc", SEL("(as (col a) x)", FROM_T " (order (desc (col x)))")},
    {"SELECT a FROM t ORDER BY AGG(m) / 2 DESC",
     SEL("(col a)", FROM_T " (order (desc (/ (fn AGG (col m)) 2)))")},
    {"SELECT a FROM t ORDER BY `sum:m:ok` DESC",
     SEL("(col a)", FROM_T " (order (desc (col sum:m:ok)))")},
    {"SELECT a FROM t ORDER BY a IS NULL, a",
     SEL("(col a)", FROM_T " (order (asc (is (col a) NULL)) (asc (col a)))")},
    /* LIMIT */
    {"SELECT a FROM t LIMIT 5", SEL("(col a)", FROM_T " (limit 5)")},
    {"SELECT a FROM t LIMIT 0", SEL("(col a)", FROM_T " (limit 0)")},
    {"SELECT a FROM t LIMIT 5 OFFSET 10", SEL("(col a)", FROM_T " (limit 5 (offset 10))")},
    {"SELECT a FROM t LIMIT 10, 5", SEL("(col a)", FROM_T " (limit 5 (offset 10))")},
    {"SELECT a FROM t LIMIT 10,5", SEL("(col a)", FROM_T " (limit 5 (offset 10))")},
    {"SELECT a FROM t LIMIT 010", SEL("(col a)", FROM_T " (limit 10)")},
    {"SELECT a FROM t LIMIT 9223372036854775807",
     SEL("(col a)", FROM_T " (limit 9223372036854775807)")},
    {"SELECT a FROM t ORDER BY a LIMIT 1",
     SEL("(col a)", FROM_T " (order (asc (col a))) (limit 1)")},
    /* all clauses */
    {"SELECT DISTINCT d, AGG(m) AS v FROM mimir.metrics WHERE d <> 'x' GROUP BY 1 "
     "HAVING v > 2 ORDER BY v DESC LIMIT 3 OFFSET 1",
     "(select distinct (items (col d) (as (fn AGG (col m)) v)) (from mimir.metrics) "
     "(where (<> (col d) 'x')) (group 1) (having (> (col v) 2)) (order (desc (col v))) "
     "(limit 3 (offset 1)))"},
    {"select a from t where a=1 group by a having a>0 order by a desc limit 1",
     SEL("(col a)", FROM_T " (where (= (col a) 1)) (group (col a)) (having (> (col a) 0)) "
                           "(order (desc (col a))) (limit 1)")},
    /* no FROM */
    {"SELECT 1", SEL("1", "")},
    {"SELECT 1, 'a', NULL", SEL("1 'a' NULL", "")},
    {"SELECT DATABASE()", SEL("(fn DATABASE)", "")},
    {"SELECT VERSION(), USER()", SEL("(fn VERSION) (fn USER)", "")},
    {"select @@version_comment limit 1", SEL("@@version_comment", " (limit 1)")},
    /* spacing, case, trailing semicolons, line breaks */
    {"SELECT a FROM t;", SEL("(col a)", FROM_T)},
    {"SELECT a FROM t ;", SEL("(col a)", FROM_T)},
    {"SELECT a FROM t;  \n", SEL("(col a)", FROM_T)},
    {"SELECT a FROM t; -- done", SEL("(col a)", FROM_T)},
    {"  \n\tSELECT a FROM t", SEL("(col a)", FROM_T)},
    {"SELECT\ta\r\nFROM\r\nt", SEL("(col a)", FROM_T)},
    {"sElEcT a fRoM t", SEL("(col a)", FROM_T)},
    {"SELECT(a)FROM t", SEL("(col a)", FROM_T)},
    {"SELECT a,b,c FROM t", SEL("(col a) (col b) (col c)", FROM_T)},
};

static const parse_case statement_cases[] = {
    /* empty statements */
    {"", "(empty)"},
    {" ", "(empty)"},
    {";", "(empty)"},
    {" ; ", "(empty)"},
    {"-- only a comment", "(empty)"},
    {"/* only a comment */", "(empty)"},
    {"# only a comment", "(empty)"},
    {"/* a */ ; -- b", "(empty)"},
    /* Window functions: OVER (...), OVER name and the WINDOW clause, resolved */
    {"SELECT SUM(a) OVER () FROM t", SEL("(fn SUM (col a) (over))", FROM_T)},
    {"SELECT RANK() OVER (PARTITION BY a, b ORDER BY c DESC, d) FROM t",
     SEL("(fn RANK (over (partition (col a) (col b)) (order (col c) desc (col d))))", FROM_T)},
    {"SELECT SUM(a) OVER (ORDER BY b ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM t",
     SEL("(fn SUM (col a) (over (order (col b)) (frame ROWS preceding 2 current)))", FROM_T)},
    {"SELECT SUM(a) OVER (RANGE UNBOUNDED PRECEDING) FROM t",
     SEL("(fn SUM (col a) (over (frame RANGE unbounded-preceding none)))", FROM_T)},
    {"SELECT SUM(a) OVER w, MAX(a) OVER (w ORDER BY b) FROM t WINDOW w AS (PARTITION BY c)",
     SEL("(fn SUM (col a) (over (partition (col c)))) (fn MAX (col a) (over (partition (col "
         "c)) (order (col b))))",
         FROM_T)},
    {"SELECT COUNT(*) over FROM t", SEL("(as (fn COUNT *) over)", FROM_T)},
    /* EXPLAIN */
    {"EXPLAIN SELECT a FROM t UNION SELECT b FROM u",
     "(explain " SEL("(col a)", FROM_T) " (union) " SEL("(col b)", " (from u)") ")"},
    {"EXPLAIN SELECT 1", "(explain " SEL("1", "") ")"},
    {"explain SELECT AGG(m) FROM mimir.metrics", "(explain " SEL("(fn AGG (col m))", FROM_M) ")"},
    {"EXPLAIN FORMAT=TRADITIONAL SELECT 1", "(explain " SEL("1", "") ")"},
    {"EXPLAIN FORMAT = JSON SELECT a FROM t", "(explain " SEL("(col a)", FROM_T) ")"},
    {"DESCRIBE SELECT 1", "(explain " SEL("1", "") ")"},
    {"DESC SELECT a FROM t;", "(explain " SEL("(col a)", FROM_T) ")"},
    {"EXPLAIN ANALYZE SELECT 1", "(unsupported EXPLAIN ANALYZE)"},
    /* USE */
    {"USE mimir", "(use mimir)"},
    {"use `mimir`;", "(use mimir)"},
    {"USE information_schema", "(use information_schema)"},
    {"USE `my db`", "(use my db)"},
    /* SET */
    {"SET autocommit = 1", "(set (@@autocommit 1))"},
    {"SET autocommit=0", "(set (@@autocommit 0))"},
    {"SET AUTOCOMMIT := 1", "(set (@@autocommit 1))"},
    {"SET @@autocommit = 1", "(set (@@autocommit 1))"},
    {"SET @@session.autocommit = OFF", "(set (@@autocommit (col OFF)))"},
    {"SET @@SESSION.sql_mode = 'ANSI'", "(set (@@sql_mode 'ANSI'))"},
    {"SET SESSION sql_mode = 'TRADITIONAL'", "(set (@@sql_mode 'TRADITIONAL'))"},
    {"SET GLOBAL x = 1", "(set (@@x 1))"},
    {"SET LOCAL x = 1", "(set (@@x 1))"},
    {"SET session.x = 1", "(set (@@x 1))"},
    {"SET @a = 1", "(set (@a 1))"},
    {"SET @a := 'x'", "(set (@a 'x'))"},
    {"SET @a = 1, @b = 2", "(set (@a 1) (@b 2))"},
    {"SET x = 1, @y = 2, NAMES utf8", "(set (@@x 1) (@y 2) (@names 'NAMES utf8'))"},
    {"SET sql_mode = DEFAULT", "(set (@@sql_mode 'sql_mode = DEFAULT'))"},
    {"SET session_track_schema = ON", "(set (@@session_track_schema (col ON)))"},
    {"SET sql_select_limit = 1 + 1", "(set (@@sql_select_limit (+ 1 1)))"},
    {"SET NAMES utf8mb4", "(set (@names 'NAMES utf8mb4'))"},
    {"SET NAMES 'utf8mb4'", "(set (@names 'NAMES \\'utf8mb4\\''))"},
    {"SET NAMES utf8mb4 COLLATE utf8mb4_general_ci",
     "(set (@names 'NAMES utf8mb4 COLLATE utf8mb4_general_ci'))"},
    {"SET NAMES `utf8`", "(set (@names 'NAMES `utf8`'))"},
    {"SET CHARACTER SET utf8", "(set (@character_set 'CHARACTER SET utf8'))"},
    {"SET CHARSET latin1", "(set (@character_set 'CHARSET latin1'))"},
    {"SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
     "(set (@transaction 'TRANSACTION ISOLATION LEVEL READ COMMITTED'))"},
    {"SET SESSION TRANSACTION READ ONLY", "(set (@transaction 'SESSION TRANSACTION READ ONLY'))"},
    {"SET autocommit = 1;", "(set (@@autocommit 1))"},
    /* transactions */
    {"BEGIN", "(transaction)"},
    {"BEGIN WORK", "(transaction)"},
    {"begin;", "(transaction)"},
    {"START TRANSACTION", "(transaction)"},
    {"START TRANSACTION READ ONLY", "(transaction)"},
    {"start transaction with consistent snapshot", "(transaction)"},
    {"COMMIT", "(transaction)"},
    {"COMMIT WORK", "(transaction)"},
    {"ROLLBACK", "(transaction)"},
    {"ROLLBACK;", "(transaction)"},
    /* SHOW and DESCRIBE are recognised */
    {"SHOW DATABASES", "(show databases)"},
    {"SHOW SCHEMAS", "(show databases)"},
    {"SHOW TABLES", "(show tables)"},
    {"SHOW FULL TABLES FROM mimir LIKE 'm%'", "(show tables full (db mimir) (like 'm%'))"},
    {"SHOW TABLES IN mimir WHERE 1", "(show tables (db mimir) (where 1))"},
    {"SHOW COLUMNS FROM metrics", "(show columns (table metrics))"},
    {"SHOW FULL COLUMNS FROM metrics FROM mimir", "(show columns full (db mimir) (table metrics))"},
    {"SHOW FIELDS IN mimir.metrics", "(show columns (db mimir) (table metrics))"},
    {"SHOW INDEX FROM metrics", "(show index (table metrics))"},
    {"SHOW KEYS FROM metrics", "(show index (table metrics))"},
    {"SHOW CREATE TABLE metrics", "(show create-table (table metrics))"},
    {"SHOW CREATE DATABASE mimir", "(show create-database (table mimir))"},
    {"SHOW TABLE STATUS", "(show table-status)"},
    {"SHOW VARIABLES LIKE 'version%'", "(show variables (like 'version%'))"},
    {"SHOW GLOBAL VARIABLES", "(show variables global)"},
    {"SHOW SESSION STATUS", "(show status)"},
    {"SHOW WARNINGS", "(show warnings)"},
    {"SHOW WARNINGS LIMIT 10", "(show warnings)"},
    {"SHOW ERRORS", "(show errors)"},
    {"SHOW COUNT(*) WARNINGS", "(show count-warnings)"},
    {"SHOW COLLATION", "(show collation)"},
    {"SHOW CHARACTER SET", "(show charset)"},
    {"SHOW CHARSET", "(show charset)"},
    {"SHOW ENGINES", "(show engines)"},
    {"SHOW PLUGINS", "(show plugins)"},
    {"SHOW FULL PROCESSLIST", "(show processlist full)"},
    {"SHOW GRANTS", "(show grants)"},
    {"SHOW PRIVILEGES", "(show privileges)"},
    {"SHOW PROCEDURE STATUS", "(show routine-status PROCEDURE)"},
    {"DESCRIBE metrics", "(show columns (table metrics))"},
    {"DESC mimir.metrics", "(show columns (db mimir) (table metrics))"},
    {"describe `metrics`;", "(show columns (table metrics))"},
    /* statements recognised but not run */
    {"INSERT INTO t VALUES (1)", "(unsupported INSERT INTO)"},
    {"insert into t values ('a;b')", "(unsupported INSERT INTO)"},
    {"UPDATE t SET a = 1", "(unsupported UPDATE T)"},
    {"DELETE FROM t", "(unsupported DELETE FROM)"},
    {"DROP TABLE t", "(unsupported DROP TABLE)"},
    {"CREATE TABLE t (a INT)", "(unsupported CREATE TABLE)"},
    {"ALTER TABLE t ADD b INT", "(unsupported ALTER TABLE)"},
    {"TRUNCATE t", "(unsupported TRUNCATE T)"},
    {"REPLACE INTO t VALUES (1)", "(unsupported REPLACE INTO)"},
    {"CALL p()", "(unsupported CALL P)"},
    {"LOCK TABLES t READ", "(unsupported LOCK TABLES)"},
    {"UNLOCK TABLES", "(unsupported UNLOCK TABLES)"},
    {"KILL 5", "(kill 5)"},
    {"KILL QUERY 12", "(kill query 12)"},
    {"kill connection 7;", "(kill 7)"},
    {"GRANT ALL ON *.* TO u", "(unsupported GRANT ALL)"},
    {"FLUSH PRIVILEGES", "(unsupported FLUSH PRIVILEGES)"},
    {"HANDLER t OPEN", "(unsupported HANDLER T)"},
    {"DO 1", "(unsupported DO)"},
    {"PREPARE s FROM 'SELECT 1'", "(unsupported PREPARE S)"},
    {"EXPLAIN metrics", "(unsupported EXPLAIN METRICS)"},
};

static void check_parse_cases(const char *group, const parse_case *cases, size_t n)
{
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        const parse_case *c = &cases[i];
        if (!c->tree)
            continue; /* listed with the errors */
        size_t len = c->len ? c->len : strlen(c->sql);
        arena a;
        arena_init(&a);
        statement st;
        parse_error pe;
        if (!parse_statement(&a, c->sql, len, &st, &pe)) {
            print_message("%s %zu: %s\n  failed at %zu near '%s': %s\n", group, i, c->sql, pe.pos,
                          pe.near, pe.detail ? pe.detail : "(no detail)");
            failures++;
        } else {
            buf o;
            buf_init(&o);
            print_statement(&o, &st);
            if (strcmp(buf_cstr(&o), c->tree) != 0) {
                print_message("%s %zu: %s\n  got  %s\n  want %s\n", group, i, c->sql, buf_cstr(&o),
                              c->tree);
                failures++;
            }
            buf_free(&o);
        }
        arena_free(&a);
    }
    if (failures)
        fail_msg("%d of %zu %s cases failed", failures, n, group);
}

#define CHECK_CASES(cases) check_parse_cases(#cases, cases, sizeof(cases) / sizeof(cases[0]))

static void test_literals(void **state)
{
    (void)state;
    CHECK_CASES(literal_cases);
}

static void test_names(void **state)
{
    (void)state;
    CHECK_CASES(name_cases);
}

static void test_comments(void **state)
{
    (void)state;
    CHECK_CASES(comment_cases);
}

static void test_operators(void **state)
{
    (void)state;
    CHECK_CASES(operator_cases);
}

static void test_expressions(void **state)
{
    (void)state;
    CHECK_CASES(expression_cases);
}

static void test_clauses(void **state)
{
    (void)state;
    CHECK_CASES(clause_cases);
}

static void test_statements(void **state)
{
    (void)state;
    CHECK_CASES(statement_cases);
}

/* ---- Statements that fail ------------------------------------------------------- */

typedef struct error_case {
    const char *sql;
    int code;           /* 1064: syntax error; 1235: valid MySQL Mimir does not run */
    size_t pos;         /* byte offset of the offending token */
    int line;           /* its line */
    const char *near;   /* the text from there on */
    const char *detail; /* a part of the detail; NULL: not checked */
    size_t len;         /* 0: strlen(sql) */
} error_case;

static const error_case error_cases[] = {
    /* hexadecimal and bit-value literals, introducers, COLLATE */
    {"SELECT X'4A6'", 1064, 7, 1, "X'4A6'", "even number of hexadecimal digits"},
    {"SELECT X'4G'", 1064, 7, 1, "X'4G'", "even number of hexadecimal digits"},
    {"SELECT x'4A", 1064, 7, 1, "x'4A", "even number of hexadecimal digits"},
    {"SELECT b'102'", 1064, 7, 1, "b'102'", "only the digits 0 and 1"},
    {"SELECT _latin1'x'", 1235, 7, 1, "_latin1'x'", "character set introducer _latin1"},
    {"SELECT a FROM t ORDER BY a UNION SELECT b FROM u", 1064, 27, 1, "UNION SELECT b FROM u",
     "need parentheses"},
    {"SELECT a FROM t UNION a", 1064, 22, 1, "a", "expected SELECT"},
    {"SELECT a FROM t WHERE a IN (SELECT b FROM u UNION SELECT c FROM v)", 1235, 44, 1,
     "UNION SELECT c FROM v)", "UNION in a subquery"},
    {"SELECT SUM(a) OVER w FROM t", 1064, 19, 1, "w FROM t", "window 'w' is not defined"},
    {"SELECT SUM(a) OVER (w PARTITION BY b) FROM t WINDOW w AS (ORDER BY c)", 1064, 19, 1,
     "(w PARTITION BY b) FROM t WINDOW w AS (ORDER BY c)", "cannot have its own PARTITION BY"},
    {"SELECT SUM(a) OVER (GROUPS 1 PRECEDING) FROM t", 1235, 20, 1, "GROUPS 1 PRECEDING) FROM t",
     "GROUPS frames"},
    {"SELECT SUM(a) OVER (ROWS 1) FROM t", 1064, 26, 1, ") FROM t",
     "expected PRECEDING or FOLLOWING"},
    {"SELECT {d '2022-01-01' FROM t", 1064, 23, 1, "FROM t", "expected '}'"},
    {"SELECT {'2022-01-01'}", 1064, 8, 1, "'2022-01-01'}", "expected d, t, ts or fn"},
    {"SELECT {fn CONVERT(a, SQL_GUID)} FROM t", 1064, 8, 1, "fn CONVERT(a, SQL_GUID)} FROM t",
     "no cast for: SQL_GUID"},
    {"SELECT _utf8mb4 X'FF'", 1064, 16, 1, "X'FF'", "Invalid utf8mb4 character string"},
    {"SELECT 'a' COLLATE", 1064, 18, 1, "", "expected a collation name"},
    {"SELECT 'a' COLLATE 1", 1064, 19, 1, "1", "expected a collation name"},
    /* unterminated strings, identifiers, comments */
    {"SELECT 'open", 1064, 7, 1, "'open", "unterminated string"},
    {"SELECT \"open", 1064, 7, 1, "\"open", "unterminated string"},
    {"SELECT 'a\\'", 1064, 7, 1, "'a\\'", "unterminated string"},
    {"SELECT 'a' 'b", 1064, 11, 1, "'b", "unterminated string"},
    {"SELECT 'it''", 1064, 7, 1, "'it''", "unterminated string"},
    {"SELECT `open FROM t", 1064, 7, 1, "`open FROM t", "unterminated quoted identifier"},
    {"SELECT `a``", 1064, 7, 1, "`a``", "unterminated quoted identifier"},
    {"SELECT a FROM `t", 1064, 14, 1, "`t", "unterminated quoted identifier"},
    {"SELECT 1 /* open", 1064, 9, 1, "/* open", "unterminated comment"},
    {"SELECT 1 /* open\n\n", 1064, 9, 1, "/* open\n\n", "unterminated comment"},
    {"/*", 1064, 0, 1, "/*", "unterminated comment"},
    {"SELECT\n\n'x", 1064, 8, 3, "'x", "unterminated string"},
    {"SELECT a\nFROM t\nWHERE b = 'it\\'s", 1064, 26, 3, "'it\\'s", "unterminated string"},
    {"INSERT INTO t VALUES ('x", 1064, 22, 1, "'x", "unterminated string"},
    {"SET @a = 'x", 1064, 9, 1, "'x", "unterminated string"},
    {"SELECT @`x", 1064, 8, 1, "`x", "unterminated quoted identifier"},
    /* NUL bytes outside strings */
    {"SELECT 1\0", 1064, 8, 1, "", "unexpected NUL byte", 9},
    {"SELECT \0 1", 1064, 7, 1, "", "unexpected NUL byte", 9},
    {"\0SELECT 1", 1064, 0, 1, "", "unexpected NUL byte", 9},
    {"SELECT a FROM t WHERE a = 1 \0 OR 1", 1064, 28, 1, "", "unexpected NUL byte", 34},
    /* stray operators and tokens */
    {"SELECT", 1064, 6, 1, "", "unexpected end of statement"},
    {"SELECT ;", 1064, 7, 1, ";", "expected an expression"},
    {"SELECT FROM t", 1064, 7, 1, "FROM t", "expected an expression"},
    {"SELECT 1 +", 1064, 10, 1, "", "unexpected end of statement"},
    {"SELECT 1 + * 2", 1064, 13, 1, "2", NULL},
    {"SELECT * * FROM t", 1064, 11, 1, "FROM t", "expected an expression"},
    {"SELECT 1 = = 2", 1064, 11, 1, "= 2", "expected an expression"},
    {"SELECT a FROM t WHERE", 1064, 21, 1, "", "unexpected end of statement"},
    {"SELECT a FROM t WHERE a =", 1064, 25, 1, "", "unexpected end of statement"},
    {"SELECT a FROM t WHERE AND a", 1064, 22, 1, "AND a", "expected an expression"},
    {"SELECT a FROM t WHERE a AND", 1064, 27, 1, "", "unexpected end of statement"},
    {"SELECT a,, b FROM t", 1064, 9, 1, ", b FROM t", "expected an expression"},
    {"SELECT a, FROM t", 1064, 10, 1, "FROM t", "expected an expression"},
    {"SELECT a FROM", 1064, 13, 1, "", "expected an identifier"},
    {"SELECT a FROM t WHERE a = 1 1", 1064, 28, 1, "1", "unexpected input after the statement"},
    {"SELECT a FROM t t2 t3", 1064, 19, 1, "t3", "unexpected input after the statement"},
    {"SELECT a b c FROM t", 1064, 11, 1, "c FROM t", "unexpected input after the statement"},
    {"SELECT 1.5.5", 1064, 10, 1, ".5", "unexpected input after the statement"},
    {"SELECT a FROM t )", 1064, 16, 1, ")", "unexpected input after the statement"},
    {"SELECT a FROM t WHERE a IS", 1064, 26, 1, "", "expected NULL, TRUE or FALSE"},
    {"SELECT a FROM t WHERE a IS 1", 1064, 27, 1, "1", "expected NULL, TRUE or FALSE"},
    {"SELECT a FROM t WHERE a NOT 1", 1064, 24, 1, "NOT 1", "unexpected input after"},
    /* After AS any word is taken as the alias, reserved or not (MySQL would stop at FROM). */
    {"SELECT a AS FROM t", 1064, 17, 1, "t", "unexpected input after the statement"},
    {"SELECT a AS 1 FROM t", 1064, 12, 1, "1 FROM t", "expected an alias"},
    /* missing or extra parentheses */
    {"SELECT (1", 1064, 9, 1, "", "expected ')'"},
    {"SELECT (a FROM t", 1064, 10, 1, "FROM t", "expected ')'"},
    {"SELECT 1)", 1064, 8, 1, ")", "unexpected input after the statement"},
    {"SELECT f(a FROM t", 1064, 11, 1, "FROM t", "expected ')'"},
    {"SELECT f(a,) FROM t", 1064, 11, 1, ") FROM t", "expected an expression"},
    {"SELECT f(,a) FROM t", 1064, 9, 1, ",a) FROM t", "expected an expression"},
    {"SELECT a FROM t WHERE a IN 1", 1064, 27, 1, "1", "expected '('"},
    {"SELECT a FROM t WHERE a IN ()", 1064, 28, 1, ")", "expected an expression"},
    {"SELECT a FROM t WHERE a IN (1", 1064, 29, 1, "", "expected ')'"},
    {"SELECT a FROM t WHERE a IN (1,)", 1064, 30, 1, ")", "expected an expression"},
    {"SELECT COUNT(* FROM t", 1064, 15, 1, "FROM t", "expected ')'"},
    {"SELECT COUNT(DISTINCT) FROM t", 1064, 21, 1, ") FROM t", "expected an expression"},
    {"SELECT a FROM t WHERE (a = 1", 1064, 28, 1, "", "expected ')'"},
    {"SELECT ((a) FROM t", 1064, 12, 1, "FROM t", "expected ')'"},
    /* BETWEEN, LIKE, CASE, CAST, EXTRACT, INTERVAL */
    {"SELECT a BETWEEN 1 FROM t", 1064, 19, 1, "FROM t", "expected and"},
    {"SELECT a BETWEEN 1 OR 2 FROM t", 1064, 19, 1, "OR 2 FROM t", "expected and"},
    {"SELECT a BETWEEN AND 2 FROM t", 1064, 17, 1, "AND 2 FROM t", "expected an expression"},
    {"SELECT a LIKE FROM t", 1064, 14, 1, "FROM t", "expected an expression"},
    {"SELECT a LIKE 'x' ESCAPE FROM t", 1064, 25, 1, "FROM t", "expected an expression"},
    {"SELECT CASE END", 1064, 12, 1, "END", "expected an expression"},
    {"SELECT CASE WHEN a 1 END FROM t", 1064, 19, 1, "1 END FROM t", "expected then"},
    {"SELECT CASE WHEN a THEN 1 FROM t", 1064, 26, 1, "FROM t", "expected end"},
    {"SELECT CASE WHEN a THEN 1 ELSE 2 FROM t", 1064, 33, 1, "FROM t", "expected end"},
    {"SELECT CASE a END", 1064, 14, 1, "END", "expected WHEN"},
    {"SELECT CAST(a) FROM t", 1064, 13, 1, ") FROM t", "expected AS"},
    {"SELECT CAST(a AS) FROM t", 1064, 16, 1, ") FROM t", "expected a type name"},
    {"SELECT CAST(a AS 'x') FROM t", 1064, 17, 1, "'x') FROM t", "expected a type name"},
    {"SELECT CAST(a AS DECIMAL(10,2) FROM t", 1064, 31, 1, "FROM t", "expected ')'"},
    {"SELECT CAST(a AS pg_catalog.text) FROM t", 1064, 27, 1, ".text) FROM t", "expected ')'"},
    {"SELECT CONVERT(a USING utf8) FROM t", 1235, 17, 1, "USING utf8) FROM t", "CONVERT ... USING"},
    {"SELECT EXTRACT(FROM d) FROM t", 1064, 15, 1, "FROM d) FROM t", "expected a time unit"},
    {"SELECT EXTRACT(YEAR d) FROM t", 1064, 20, 1, "d) FROM t", "expected from"},
    {"SELECT EXTRACT(DECADE FROM d) FROM t", 1064, 15, 1, "DECADE FROM d) FROM t",
     "expected a time unit"},
    {"SELECT d + INTERVAL 1 FROM t", 1064, 22, 1, "FROM t", "expected a time unit"},
    {"SELECT d + INTERVAL 1 DAYS FROM t", 1064, 22, 1, "DAYS FROM t", "expected a time unit"},
    {"SELECT d + INTERVAL FROM t", 1064, 20, 1, "FROM t", "expected an expression"},
    /* names */
    {"SELECT `f`(a) FROM t", 1064, 10, 1, "(a) FROM t", "unexpected input after"},
    {"SELECT a.b.c.d FROM t", 1064, 13, 1, "d FROM t", "too many name qualifiers"},
    {"SELECT a.1 FROM t", 1064, 8, 1, ".1 FROM t", NULL},
    {"SELECT a FROM db.", 1064, 17, 1, "", "expected a table name"},
    {"SELECT a FROM db.t.u", 1064, 18, 1, ".u", "unexpected input after the statement"},
    {"SELECT select FROM t", 1064, 7, 1, "select FROM t", "expected an expression"},
    {"SELECT a FROM select", 1064, 14, 1, "select", "expected an identifier"},
    {"SELECT a FROM t AS", 1064, 18, 1, "", "expected an identifier"},
    {"SELECT a FROM t AS where", 1064, 19, 1, "where", "expected an identifier"},
    /* clauses */
    {"SELECT a FROM t GROUP a", 1064, 22, 1, "a", "expected by"},
    {"SELECT a FROM t GROUP BY", 1064, 24, 1, "", "unexpected end of statement"},
    {"SELECT a FROM t GROUP BY BY a", 1064, 25, 1, "BY a", "expected an expression"},
    {"SELECT a FROM t GROUP BY a ASC", 1064, 27, 1, "ASC", "unexpected input after the statement"},
    {"SELECT a FROM t ORDER a", 1064, 22, 1, "a", "expected by"},
    {"SELECT a FROM t ORDER BY", 1064, 24, 1, "", "unexpected end of statement"},
    {"SELECT a FROM t ORDER BY a DESC DESC", 1064, 32, 1, "DESC", "unexpected input after"},
    {"SELECT a FROM t ORDER BY a, ", 1064, 28, 1, "", "unexpected end of statement"},
    {"SELECT a FROM t LIMIT", 1064, 21, 1, "", "expected a number"},
    {"SELECT a FROM t LIMIT a", 1064, 22, 1, "a", "expected a number"},
    {"SELECT a FROM t LIMIT -1", 1064, 22, 1, "-1", "expected a number"},
    {"SELECT a FROM t LIMIT 1.5", 1064, 22, 1, "1.5", "expected a number"},
    {"SELECT a FROM t LIMIT '5'", 1064, 22, 1, "'5'", "expected a number"},
    {"SELECT a FROM t LIMIT 0x10", 1064, 22, 1, "0x10", "expected a number"},
    {"SELECT a FROM t LIMIT 99999999999999999999", 1064, 22, 1, "99999999999999999999",
     "number out of range"},
    {"SELECT a FROM t LIMIT 5 OFFSET", 1064, 30, 1, "", "expected a number"},
    {"SELECT a FROM t LIMIT 5,", 1064, 24, 1, "", "expected a number"},
    {"SELECT a FROM t LIMIT 1, 2, 3", 1064, 26, 1, ", 3", "unexpected input after"},
    {"SELECT a FROM t LIMIT 1 WHERE a", 1064, 24, 1, "WHERE a", "unexpected input after"},
    {"SELECT a FROM t WHERE a ORDER BY a GROUP BY a", 1064, 35, 1, "GROUP BY a",
     "unexpected input after"},
    {"SELECT a FROM t HAVING", 1064, 22, 1, "", "unexpected end of statement"},
    {"SELECT a FROM t WHERE a = 1 WHERE b = 2", 1064, 28, 1, "WHERE b = 2",
     "unexpected input after"},
    /* derived tables and joins */
    {"SELECT a FROM (SELECT 1)", 1064, 24, 1, "", "derived table"},
    {"SELECT a FROM (SELECT 1) WHERE 1", 1064, 25, 1, "WHERE 1", "derived table"},
    {"SELECT a FROM (SELECT 1 AS", 1064, 26, 1, "", NULL},
    {"SELECT a FROM (SELECT a FROM t", 1064, 30, 1, "", "expected ')'"},
    {"SELECT a FROM (t)", 1235, 14, 1, "(t)", "derived tables other than"},
    {"SELECT a FROM t NATURAL JOIN u", 1235, 16, 1, "NATURAL JOIN u", "NATURAL JOIN"},
    {"SELECT a FROM t LEFT JOIN u", 1064, 27, 1, "", "expected ON"},
    {"SELECT a FROM t LEFT JOIN u USING (a)", 1235, 28, 1, "USING (a)", "JOIN ... USING"},
    {"SELECT a FROM t JOIN u USING (a)", 1235, 23, 1, "USING (a)", "JOIN ... USING"},
    {"SELECT a FROM t INNER u", 1064, 22, 1, "u", "expected join"},
    {"SELECT a FROM t LEFT u ON 1", 1064, 21, 1, "u ON 1", "expected join"},
    {"SELECT a FROM t JOIN u ON", 1064, 25, 1, "", "unexpected end of statement"},
    {"SELECT a FROM t,", 1064, 16, 1, "", "expected an identifier"},
    /* valid MySQL that Mimir does not run: 1235 */
    {"SELECT a FROM t GROUP BY a WITH ROLLUP", 1235, 27, 1, "WITH ROLLUP", "WITH ROLLUP"},
    {"WITH RECURSIVE x AS (SELECT 1) SELECT 1", 1235, 5, 1, "RECURSIVE x AS (SELECT 1) SELECT 1",
     "WITH RECURSIVE"},
    {"WITH x (a, b) AS (SELECT 1) SELECT 1", 1064, 5, 1, "x (a, b) AS (SELECT 1) SELECT 1",
     "different column counts"},
    {"WITH x AS (SELECT 1), X AS (SELECT 2) SELECT 1", 1064, 22, 1, "X AS (SELECT 2) SELECT 1",
     "Not unique table/alias: 'X'"},
    {"WITH x AS (SELECT 1) UPDATE x SET a = 1", 1064, 21, 1, "UPDATE x SET a = 1",
     "expected SELECT"},
    {"SELECT a FROM t FOR UPDATE", 1235, 16, 1, "FOR UPDATE", "locking reads"},
    {"SELECT a FROM t LOCK IN SHARE MODE", 1235, 16, 1, "LOCK IN SHARE MODE", "locking reads"},
    {"SELECT a INTO @x FROM t", 1235, 9, 1, "INTO @x FROM t", "SELECT ... INTO"},
    {"SELECT a FROM t INTO @x", 1235, 16, 1, "INTO @x", "SELECT ... INTO"},
    {"SELECT a FROM t WHERE a REGEXP 'x'", 1235, 24, 1, "REGEXP 'x'", "REGEXP"},
    {"SELECT a FROM t WHERE a NOT RLIKE 'x'", 1235, 28, 1, "RLIKE 'x'", "REGEXP"},
    {"SELECT a FROM t WHERE a = ANY (SELECT 1)", 1235, 26, 1, "ANY (SELECT 1)", "subqueries"},
    {"SELECT a FROM t WHERE a > ALL (SELECT 1)", 1235, 26, 1, "ALL (SELECT 1)", "subqueries"},
    {"SELECT a FROM t WHERE (a, b) = (1, 2)", 1235, 24, 1, ", b) = (1, 2)", "row constructors"},
    {"SELECT a FROM t WHERE (a, b) IN ((1, 2))", 1235, 24, 1, ", b) IN ((1, 2))",
     "row constructors"},
    {"SELECT CHAR(65 USING latin1)", 1235, 21, 1, "latin1)", "USING a character set"},
    {"SELECT CHAR(65 USING)", 1064, 20, 1, ")", "expected a character set name"},
    {"SELECT @a :=", 1064, 12, 1, "", "unexpected end of statement"},
    {"SELECT @@a := 1", 1064, 11, 1, ":= 1", NULL},
    /* statements */
    {"SELEKT 1", 1064, 0, 1, "SELEKT 1", NULL},
    {"FOO", 1064, 0, 1, "FOO", NULL},
    {"1", 1064, 0, 1, "1", NULL},
    {"(SELECT 1)", 1064, 0, 1, "(SELECT 1)", NULL},
    {";;", 1064, 0, 1, ";;", NULL},
    {"SELECT 1; SELECT 2", 1064, 10, 1, "SELECT 2", "unexpected input after the statement"},
    {"SELECT 1;;", 1064, 9, 1, ";", "unexpected input after the statement"},
    {"SELECT 1; garbage", 1064, 10, 1, "garbage", "unexpected input after the statement"},
    {"USE", 1064, 3, 1, "", "expected an identifier"},
    {"USE mimir extra", 1064, 10, 1, "extra", "unexpected input after the statement"},
    {"USE 'mimir'", 1064, 4, 1, "'mimir'", "expected an identifier"},
    {"SET", 1064, 3, 1, "", "expected an identifier"},
    {"SET x", 1064, 5, 1, "", NULL},
    {"SET x = ", 1064, 8, 1, "", "unexpected end of statement"},
    {"SET NAMES", 1064, 9, 1, "", "expected a character set name"},
    {"SET NAMES utf8 COLLATE", 1064, 22, 1, "", "expected a collation name"},
    {"SET x = 1,", 1064, 10, 1, "", "expected an identifier"},
    {"START", 1064, 0, 1, "START", NULL},
    {"EXPLAIN FORMAT SELECT 1", 1064, 15, 1, "SELECT 1", "expected '='"},
    {"EXPLAIN FORMAT=JSON", 1064, 19, 1, "", "expected SELECT"},
    {"EXPLAIN FORMAT=JSON UPDATE t", 1064, 20, 1, "UPDATE t", "expected SELECT"},
    {"SHOW", 1064, 4, 1, "", NULL},
    {"SHOW MASTER STATUS", 1235, 5, 1, "MASTER STATUS", NULL},
    {"SHOW TABLES LIKE x", 1064, 17, 1, "x", "expected a quoted pattern"},
    {"SHOW COLUMNS metrics", 1064, 13, 1, "metrics", NULL},
    /* positions on later lines */
    {"SELECT a,\nFROM t", 1064, 10, 2, "FROM t", "expected an expression"},
    {"SELECT a\nFROM t\nWHERE\nGROUP BY a", 1064, 22, 4, "GROUP BY a", "expected an expression"},
    {"SELECT a\r\nFROM t\r\nWHERE a = = 1", 1064, 28, 3, "= 1", "expected an expression"},
    {"SELECT 'multi\nline' + \n)", 1064, 23, 3, ")", "expected an expression"},
    {"/* one\ntwo */ SELECT )", 1064, 21, 2, ")", "expected an expression"},
    {"-- one\n-- two\nSELECT\n  a,\n  b\n  c d\nFROM t", 1064, 34, 6, "d\nFROM t",
     "unexpected input after the statement"},
    {"SELECT `multi\nline` FROM t WHERE", 1064, 32, 2, "", "unexpected end of statement"},
    {"SELECT a # c\nFROM t WHERE a IN (1,\n2,\n)", 1064, 38, 4, ")", "expected an expression"},
    {"SELECT\n\n\n\n\n\n\n\n\n1 +", 1064, 18, 10, "", "unexpected end of statement"},
};

static void test_errors(void **state)
{
    (void)state;
    int failures = 0;
    size_t n = sizeof(error_cases) / sizeof(error_cases[0]);
    for (size_t i = 0; i < n; i++) {
        const error_case *c = &error_cases[i];
        size_t len = c->len ? c->len : strlen(c->sql);
        arena a;
        arena_init(&a);
        statement st;
        parse_error pe;
        if (parse_statement(&a, c->sql, len, &st, &pe)) {
            buf o;
            buf_init(&o);
            print_statement(&o, &st);
            print_message("error %zu: %s\n  parsed as %s\n", i, c->sql, buf_cstr(&o));
            buf_free(&o);
            failures++;
        } else {
            int code = pe.unsupported ? 1235 : 1064;
            bool detail_ok = !c->detail || (pe.detail && strstr(pe.detail, c->detail));
            if (code != c->code || pe.pos != c->pos || pe.line != c->line ||
                strcmp(pe.near, c->near) != 0 || !detail_ok) {
                print_message("error %zu: %s\n  got  %d pos %zu line %d near '%s' (%s)\n"
                              "  want %d pos %zu line %d near '%s' (%s)\n",
                              i, c->sql, code, pe.pos, pe.line, pe.near,
                              pe.detail ? pe.detail : "-", c->code, c->pos, c->line, c->near,
                              c->detail ? c->detail : "-");
                failures++;
            }
        }
        arena_free(&a);
    }
    if (failures)
        fail_msg("%d of %zu error cases failed", failures, n);
}

/* ---- Nesting limits ------------------------------------------------------------ */

/* prefix repeated n times, then middle, then suffix n times. */
static char *nested(const char *head, const char *prefix, const char *middle, const char *suffix,
                    int n)
{
    size_t len = strlen(head) + strlen(middle) + n * (strlen(prefix) + strlen(suffix)) + 1;
    char *s = malloc(len);
    char *end = stpcpy(s, head);
    for (int i = 0; i < n; i++)
        end = stpcpy(end, prefix);
    end = stpcpy(end, middle);
    for (int i = 0; i < n; i++)
        end = stpcpy(end, suffix);
    return s;
}

static bool parses(const char *sql, parse_error *pe)
{
    arena a;
    arena_init(&a);
    statement st;
    bool ok = parse_statement(&a, sql, strlen(sql), &st, pe);
    /* pe->near lives in the arena: keep only what the callers look at */
    if (!ok)
        pe->near = NULL;
    arena_free(&a);
    return ok;
}

typedef struct nesting_case {
    const char *head, *prefix, *middle, *suffix;
    int ok_depth; /* the deepest nesting that parses */
} nesting_case;

static const nesting_case nesting_cases[] = {
    {"SELECT ", "(", "1", ")", PARSER_MAX_DEPTH - 1},
    {"SELECT ", "NOT ", "1", "", PARSER_MAX_DEPTH - 1},
    {"SELECT ", "- ", "1", "", PARSER_MAX_DEPTH - 1},
    {"SELECT ", "!", "1", "", PARSER_MAX_DEPTH - 1},
    {"SELECT ", "f(", "1", ")", PARSER_MAX_DEPTH - 1},
    {"SELECT ", "CASE WHEN ", "1", " THEN 1 END", PARSER_MAX_DEPTH - 1},
    {"SELECT a FROM t WHERE ", "(", "a = 1", ")", PARSER_MAX_DEPTH - 1},
    {"SELECT ", "(SELECT ", "1", ")", PARSER_MAX_DEPTH - 1},
};

static void test_nesting_limit(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(nesting_cases) / sizeof(nesting_cases[0]); i++) {
        const nesting_case *c = &nesting_cases[i];
        parse_error pe;
        char *ok = nested(c->head, c->prefix, c->middle, c->suffix, c->ok_depth);
        if (!parses(ok, &pe))
            fail_msg("nesting %zu: depth %d does not parse: %s", i, c->ok_depth, pe.detail);
        free(ok);
        char *deep = nested(c->head, c->prefix, c->middle, c->suffix, c->ok_depth + 1);
        if (parses(deep, &pe))
            fail_msg("nesting %zu: depth %d parses", i, c->ok_depth + 1);
        assert_string_equal(pe.detail, "expression nested too deeply");
        assert_false(pe.unsupported);
        free(deep);
    }
}

/* Derived tables nest statements, not expressions: they too must stop well before the C
 * stack does. */
static void test_derived_table_nesting_limit(void **state)
{
    (void)state;
    parse_error pe;
    char *deep = nested("SELECT * FROM ", "(SELECT * FROM ", "t", ") q", 100000);
    assert_false(parses(deep, &pe));
    assert_string_equal(pe.detail, "expression nested too deeply");
    free(deep);
    char *ok = nested("SELECT * FROM ", "(SELECT * FROM ", "t", ") q", 50);
    assert_true(parses(ok, &pe));
    free(ok);
}

/* Long chains (a OR b OR ...) are trees as deep as they are long: the parser caps the
 * operators of a statement so that no recursive walk of the tree exhausts the stack. */
static char *chain(const char *head, const char *link, int n)
{
    char *s = malloc(strlen(head) + n * strlen(link) + 1);
    strcpy(s, head);
    char *end = s + strlen(s);
    for (int i = 0; i < n; i++, end += strlen(link))
        memcpy(end, link, strlen(link) + 1);
    return s;
}

typedef struct chain_case {
    const char *head, *link;
    int operators_per_link; /* head has one operator too */
} chain_case;

static const chain_case chain_cases[] = {
    {"SELECT 1 FROM t WHERE a = 1", " OR a = 1", 2},
    {"SELECT 1 FROM t WHERE a = 1", " AND a = 1", 2},
    {"SELECT 1 +", " 1 +", 1},
    {"SELECT a IS NULL", " IS NULL", 1},
    {"SELECT a IN (1)", " IN (1)", 1},
    {"SELECT 1 = 1", " = 1", 1},
};

static void test_operator_limit(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(chain_cases) / sizeof(chain_cases[0]); i++) {
        const chain_case *c = &chain_cases[i];
        int links = (PARSER_MAX_OPERATORS - 1) / c->operators_per_link;
        bool trailing_op = c->head[strlen(c->head) - 1] == '+';
        parse_error pe;
        char *ok = chain(c->head, c->link, links - 1);
        char *ok_sql = trailing_op ? chain(ok, " 1", 1) : strdup(ok);
        if (!parses(ok_sql, &pe))
            fail_msg("chain %zu: %d links do not parse: %s", i, links - 1, pe.detail);
        char *long_chain = chain(c->head, c->link, PARSER_MAX_OPERATORS + 1);
        char *long_sql = trailing_op ? chain(long_chain, " 1", 1) : strdup(long_chain);
        if (parses(long_sql, &pe))
            fail_msg("chain %zu: %d links parse", i, PARSER_MAX_OPERATORS + 1);
        assert_string_equal(pe.detail, "too many operators in one statement");
        free(ok);
        free(ok_sql);
        free(long_chain);
        free(long_sql);
    }
    /* A million ORs: an error, not a crash. */
    char *huge = chain("SELECT 1 FROM t WHERE a = 1", " OR a = 1", 1000000);
    parse_error pe;
    assert_false(parses(huge, &pe));
    free(huge);
}

/* ---- Spans: the text of select items, which names unaliased columns ------------ */

typedef struct span_case {
    const char *sql;
    size_t item;
    const char *text;
} span_case;

static const span_case span_cases[] = {
    {"SELECT AGG(m) FROM t", 0, "AGG(m)"},
    {"SELECT a, AGG( m )  , b FROM t", 1, "AGG( m )"},
    {"SELECT a + 1 AS x FROM t", 0, "a + 1"},
    {"SELECT `a` FROM t", 0, "`a`"},
    /* a string literal is named by its value, as MySQL names it */
    {"SELECT 'x' 'y' FROM t", 0, "xy"},
    {"SELECT \"dq\"", 0, "dq"},
    {"SELECT _binary'Japan'", 0, "Japan"},
    {"SELECT N'x'", 0, "x"},
    {"SELECT ''", 0, ""},
    {"SELECT X'4A61'", 0, "X'4A61'"},
    {"SELECT 0x4A61", 0, "0x4A61"},
    {"SELECT b'101'+0", 0, "b'101'+0"},
    {"SELECT _binary X'4A61'", 0, "_binary X'4A61'"},
    {"SELECT DATE '2022-01-01'", 0, "DATE '2022-01-01'"},
    {"SELECT 'a' COLLATE utf8mb4_bin", 0, "'a' COLLATE utf8mb4_bin"},
    {"SELECT 1 + 1", 0, "1 + 1"},
    {"SELECT COUNT(*) FROM t", 0, "COUNT(*)"},
    {"SELECT\n  DATE_FORMAT(ts, '%Y-%m')\nFROM t", 0, "DATE_FORMAT(ts, '%Y-%m')"},
    {"SELECT a /* c */ FROM t", 0, "a"},
    {"SELECT (a) FROM t", 0, "(a)"},
    {"SELECT CASE WHEN a THEN 1 END FROM t", 0, "CASE WHEN a THEN 1 END"},
    {"SELECT @@version_comment LIMIT 1", 0, "@@version_comment"},
    {"SELECT -a FROM t", 0, "-a"},
    {"SELECT d + INTERVAL 1 DAY FROM t", 0, "d + INTERVAL 1 DAY"},
};

static void test_item_text(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(span_cases) / sizeof(span_cases[0]); i++) {
        const span_case *c = &span_cases[i];
        arena a;
        arena_init(&a);
        statement st;
        parse_error pe;
        if (!parse_statement(&a, c->sql, strlen(c->sql), &st, &pe))
            fail_msg("span %zu: %s: %s", i, c->sql, pe.detail);
        if (strcmp(st.select->items[c->item].text, c->text) != 0)
            fail_msg("span %zu: %s: item text '%s', want '%s'", i, c->sql,
                     st.select->items[c->item].text, c->text);
        arena_free(&a);
    }
}

/* `?` placeholders are listed in the order they were written. */
static void test_params_listed(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    statement st;
    parse_error pe;
    const char *sql = "SELECT ? FROM t WHERE a = ? AND b IN (?, '?') LIMIT 1";
    assert_true(parse_statement(&a, sql, strlen(sql), &st, &pe));
    assert_int_equal(st.nparams, 3);
    assert_int_equal(st.params[0]->pos, 7);
    assert_int_equal(st.params[1]->pos, 26);
    assert_int_equal(st.params[2]->pos, 38);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literals),       cmocka_unit_test(test_names),
        cmocka_unit_test(test_comments),       cmocka_unit_test(test_operators),
        cmocka_unit_test(test_expressions),    cmocka_unit_test(test_clauses),
        cmocka_unit_test(test_statements),     cmocka_unit_test(test_errors),
        cmocka_unit_test(test_nesting_limit),  cmocka_unit_test(test_derived_table_nesting_limit),
        cmocka_unit_test(test_operator_limit), cmocka_unit_test(test_item_text),
        cmocka_unit_test(test_params_listed),
    };
    return cmocka_run_group_tests_name("parser cases", tests, NULL, NULL) ? 1 : 0;
}
