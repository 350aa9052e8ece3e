#include "planner/info_schema_functions.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "wire/xalloc.h"

/* ---- User variables ------------------------------------------------------------ */

typedef struct user_var {
    char *name;
    sqlite3_value *value; /* a protected copy (sqlite3_value_dup) */
} user_var;

/* A statement assigns a handful of variables: a flat array is the right table. */
struct user_vars {
    user_var *items;
    size_t len, cap;
};

user_vars *user_vars_new(void)
{
    return xcalloc(1, sizeof(user_vars));
}

void user_vars_clear(user_vars *v)
{
    for (size_t i = 0; i < v->len; i++) {
        free(v->items[i].name);
        sqlite3_value_free(v->items[i].value);
    }
    v->len = 0;
}

void user_vars_free(user_vars *v)
{
    if (!v)
        return;
    user_vars_clear(v);
    free(v->items);
    free(v);
}

/* User variable names are case-insensitive in MySQL. */
static user_var *find_var(user_vars *v, const char *name)
{
    for (size_t i = 0; i < v->len; i++)
        if (sqlite3_stricmp(v->items[i].name, name) == 0)
            return &v->items[i];
    return NULL;
}

static user_var *add_var(user_vars *v, const char *name)
{
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        v->items = xreallocarray(v->items, cap, sizeof(*v->items));
        v->cap = cap;
    }
    v->items[v->len] = (user_var){.name = xstrdup(name), .value = NULL};
    return &v->items[v->len++];
}

static void set_variable(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    user_vars *vars = sqlite3_user_data(ctx);
    const char *name = (const char *)sqlite3_value_text(argv[0]);
    if (!name) {
        sqlite3_result_error(ctx, "a user variable needs a name", -1);
        return;
    }
    user_var *var = find_var(vars, name);
    if (!var)
        var = add_var(vars, name);
    sqlite3_value *copy = sqlite3_value_dup(argv[1]);
    if (!copy) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    sqlite3_value_free(var->value);
    var->value = copy;
    sqlite3_result_value(ctx, argv[1]);
}

static void get_variable(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    user_vars *vars = sqlite3_user_data(ctx);
    const char *name = (const char *)sqlite3_value_text(argv[0]);
    user_var *var = name ? find_var(vars, name) : NULL;
    if (var)
        sqlite3_result_value(ctx, var->value);
    else
        sqlite3_result_null(ctx);
}

/* ---- CHAR ------------------------------------------------------------------------ */

/* An argument as MySQL's CHAR() reads it: an integer (reals rounded, text as its number). */
static int64_t char_code(sqlite3_value *v)
{
    int type = sqlite3_value_numeric_type(v);
    if (type == SQLITE_INTEGER)
        return sqlite3_value_int64(v);
    if (type == SQLITE_FLOAT)
        return llround(sqlite3_value_double(v));
    return 0; /* text that is not a number is 0 in MySQL */
}

/*
 * MySQL's CHAR(): each argument is a 32-bit code written as its big-endian
 * bytes without leading zero bytes (CHAR(39) is "'", CHAR(50089) the two
 * bytes of UTF-8 "é"); NULL arguments are skipped.
 */
static void char_function(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    unsigned char *out = sqlite3_malloc64((sqlite3_uint64)argc * 4 + 1);
    if (!out) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
            continue;
        uint32_t code = (uint32_t)char_code(argv[i]);
        int bytes = code & 0xFF000000u ? 4 : code & 0xFF0000u ? 3 : code & 0xFF00u ? 2 : 1;
        for (int b = bytes - 1; b >= 0; b--)
            out[n++] = (unsigned char)(code >> (8 * b));
    }
    sqlite3_result_text(ctx, (const char *)out, (int)n, sqlite3_free);
}

/* ---- LIKE BINARY ---------------------------------------------------------------- */

/*
 * MySQL's LIKE on binary strings: % matches any run of bytes, _ one byte,
 * the escape byte makes the next one literal; every other byte matches only
 * itself. Greedy with backtracking to the last %, so linear in practice.
 */
static bool like_bytes(const unsigned char *s, size_t sn, const unsigned char *p, size_t pn,
                       int escape)
{
    size_t si = 0, pi = 0;
    size_t star_p = SIZE_MAX, star_s = 0; /* after the last %, and where it started matching */
    while (si < sn) {
        if (pi < pn) {
            unsigned char c = p[pi];
            bool escaped = escape >= 0 && c == escape && pi + 1 < pn;
            if (!escaped && c == '%') {
                star_p = ++pi;
                star_s = si;
                continue;
            }
            if (escaped)
                c = p[pi + 1];
            if ((!escaped && c == '_') || c == s[si]) {
                pi += escaped ? 2 : 1;
                si++;
                continue;
            }
        }
        if (star_p == SIZE_MAX)
            return false;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < pn && p[pi] == '%' && !(escape == '%' && pi + 1 < pn))
        pi++;
    return pi == pn;
}

static void like_binary(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    for (int i = 0; i < argc; i++) {
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
            sqlite3_result_null(ctx);
            return;
        }
    }
    int escape = '\\';
    if (argc == 3) {
        const unsigned char *e = sqlite3_value_text(argv[2]);
        int len = sqlite3_value_bytes(argv[2]);
        if (len > 1) {
            sqlite3_result_error(ctx, "Incorrect arguments to ESCAPE", -1);
            return;
        }
        escape = len == 1 ? e[0] : -1;
    }
    const unsigned char *s = sqlite3_value_text(argv[0]);
    size_t sn = (size_t)sqlite3_value_bytes(argv[0]);
    const unsigned char *p = sqlite3_value_text(argv[1]);
    size_t pn = (size_t)sqlite3_value_bytes(argv[1]);
    if (!s || !p) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    sqlite3_result_int(ctx, like_bytes(s, sn, p, pn, escape));
}

/* ---- Registration ---------------------------------------------------------------- */

bool info_schema_functions_register(sqlite3 *db, user_vars *vars)
{
    /* Not SQLITE_DETERMINISTIC: a variable's value changes from row to row, so SQLite must
     * call these where they stand, in select-list order, for every row. */
    const int variable_flags = SQLITE_UTF8 | SQLITE_DIRECTONLY;
    const int pure_flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY;
    return sqlite3_create_function(db, IS_FN_SET_VARIABLE, 2, variable_flags, vars, set_variable,
                                   NULL, NULL) == SQLITE_OK &&
           sqlite3_create_function(db, IS_FN_GET_VARIABLE, 1, variable_flags, vars, get_variable,
                                   NULL, NULL) == SQLITE_OK &&
           sqlite3_create_function(db, IS_FN_CHAR, -1, pure_flags, NULL, char_function, NULL,
                                   NULL) == SQLITE_OK &&
           sqlite3_create_function(db, IS_FN_LIKE_BINARY, 2, pure_flags, NULL, like_binary, NULL,
                                   NULL) == SQLITE_OK &&
           sqlite3_create_function(db, IS_FN_LIKE_BINARY, 3, pure_flags, NULL, like_binary, NULL,
                                   NULL) == SQLITE_OK;
}
