#include "proxy/exec/combine_functions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/value_type.h"
#include "proxy/exec/decimal.h"

/* A value as MySQL would type it. */
typedef enum { K_NULL, K_INT, K_DECIMAL, K_DOUBLE } num_kind;

typedef struct num {
    num_kind kind;
    int64_t i;
    decimal d; /* K_DECIMAL, and K_INT widened */
    double f;  /* K_DOUBLE, and every other kind converted */
} num;

static num num_of(sqlite3_value *v)
{
    num n = {.kind = K_NULL};
    switch (sqlite3_value_type(v)) {
    case SQLITE_NULL:
        return n;
    case SQLITE_INTEGER:
        n.kind = K_INT;
        n.i = sqlite3_value_int64(v);
        n.d = decimal_of_int(n.i);
        n.f = (double)n.i;
        return n;
    case SQLITE_FLOAT:
        n.kind = K_DOUBLE;
        n.f = sqlite3_value_double(v);
        return n;
    default: {
        const char *text = (const char *)sqlite3_value_text(v);
        size_t len = (size_t)sqlite3_value_bytes(v);
        if (text && decimal_parse(text, len, &n.d)) {
            n.kind = K_DECIMAL;
            n.f = decimal_to_double(&n.d);
        } else { /* a string in arithmetic is a DOUBLE in MySQL */
            n.kind = K_DOUBLE;
            n.f = text ? strtod(text, NULL) : 0;
        }
        return n;
    }
    }
}

static num_kind wider(num_kind a, num_kind b)
{
    return a > b ? a : b;
}

static void result_decimal(sqlite3_context *ctx, const decimal *d)
{
    char text[DECIMAL_TEXT_MAX];
    size_t n = decimal_format(d, text);
    sqlite3_result_text(ctx, text, (int)n, SQLITE_TRANSIENT);
}

static void result_overflow(sqlite3_context *ctx, const char *what)
{
    char msg[160];
    snprintf(msg, sizeof(msg),
             "%s value is out of range: an exact result needs more than 38 digits", what);
    sqlite3_result_error(ctx, msg, -1);
}

typedef enum { OP_ADD_, OP_SUB_, OP_MUL_, OP_DIV_, OP_MOD_, OP_INTDIV_ } arith_op;

static void arith_double(sqlite3_context *ctx, arith_op op, double a, double b)
{
    if ((op == OP_DIV_ || op == OP_MOD_ || op == OP_INTDIV_) && b == 0) {
        sqlite3_result_null(ctx);
        return;
    }
    switch (op) {
    case OP_ADD_:
        sqlite3_result_double(ctx, a + b);
        return;
    case OP_SUB_:
        sqlite3_result_double(ctx, a - b);
        return;
    case OP_MUL_:
        sqlite3_result_double(ctx, a * b);
        return;
    case OP_DIV_:
        sqlite3_result_double(ctx, a / b);
        return;
    case OP_MOD_:
        sqlite3_result_double(ctx, fmod(a, b));
        return;
    case OP_INTDIV_:
        sqlite3_result_int64(ctx, (int64_t)trunc(a / b));
        return;
    }
}

/* BIGINT op BIGINT: exact or an error, as MySQL; / is a DECIMAL. */
static bool arith_int(sqlite3_context *ctx, arith_op op, int64_t a, int64_t b)
{
    int64_t r = 0;
    bool overflow = false;
    switch (op) {
    case OP_ADD_:
        overflow = __builtin_add_overflow(a, b, &r);
        break;
    case OP_SUB_:
        overflow = __builtin_sub_overflow(a, b, &r);
        break;
    case OP_MUL_:
        overflow = __builtin_mul_overflow(a, b, &r);
        break;
    case OP_MOD_:
    case OP_INTDIV_:
        if (b == 0) {
            sqlite3_result_null(ctx);
            return true;
        }
        if (b == -1) { /* INT64_MIN / -1 overflows; x % -1 is 0 */
            overflow = op == OP_INTDIV_ && a == INT64_MIN;
            r = op == OP_MOD_ ? 0 : -a;
            break;
        }
        r = op == OP_MOD_ ? a % b : a / b;
        break;
    case OP_DIV_:
        return false;
    }
    if (overflow)
        sqlite3_result_error(ctx, "BIGINT value is out of range", -1);
    else
        sqlite3_result_int64(ctx, r);
    return true;
}

static void arith_decimal(sqlite3_context *ctx, arith_op op, const decimal *a, const decimal *b)
{
    decimal r = {0};
    bool ok = false, is_null = false;
    switch (op) {
    case OP_ADD_:
        ok = decimal_add(a, b, &r);
        break;
    case OP_SUB_:
        ok = decimal_sub(a, b, &r);
        break;
    case OP_MUL_:
        ok = decimal_mul(a, b, &r);
        break;
    case OP_DIV_:
        ok = decimal_div(a, b, &r, &is_null);
        break;
    case OP_MOD_:
        ok = decimal_mod(a, b, &r, &is_null);
        break;
    case OP_INTDIV_: {
        ok = decimal_div(a, b, &r, &is_null);
        int64_t i;
        if (ok && !is_null) {
            /* a DIV b: the quotient truncated toward zero, a BIGINT */
            decimal exact = r;
            ok = decimal_to_int64(&exact, DECIMAL_TRUNCATE, &i);
            if (ok) {
                sqlite3_result_int64(ctx, i);
                return;
            }
        }
        break;
    }
    }
    if (is_null)
        sqlite3_result_null(ctx);
    else if (!ok)
        result_overflow(ctx, "DECIMAL");
    else
        result_decimal(ctx, &r);
}

static void arith(sqlite3_context *ctx, sqlite3_value **argv)
{
    arith_op op = (arith_op)(intptr_t)sqlite3_user_data(ctx);
    num a = num_of(argv[0]), b = num_of(argv[1]);
    num_kind k = wider(a.kind, b.kind);
    if (a.kind == K_NULL || b.kind == K_NULL)
        sqlite3_result_null(ctx);
    else if (k == K_DOUBLE)
        arith_double(ctx, op, a.f, b.f);
    else if (k == K_INT && arith_int(ctx, op, a.i, b.i))
        return;
    else
        arith_decimal(ctx, op, &a.d, &b.d);
}

static void fn_neg(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    num a = num_of(argv[0]);
    bool abs_only = sqlite3_user_data(ctx) != NULL;
    switch (a.kind) {
    case K_NULL:
        sqlite3_result_null(ctx);
        return;
    case K_INT:
        if (a.i == INT64_MIN)
            sqlite3_result_error(ctx, "BIGINT value is out of range", -1);
        else
            sqlite3_result_int64(ctx, abs_only && a.i >= 0 ? a.i : -a.i);
        return;
    case K_DOUBLE:
        sqlite3_result_double(ctx, abs_only ? fabs(a.f) : -a.f);
        return;
    case K_DECIMAL:
        if (!abs_only || a.d.v < 0)
            a.d.v = -a.d.v;
        result_decimal(ctx, &a.d);
        return;
    }
}

static void fn_arith(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    arith(ctx, argv);
}

/* ROUND(a[, d]), TRUNCATE(a, d), FLOOR(a), CEIL(a): DOUBLE rounds half to even (rint),
 * as MariaDB; the rounding is the function's user data. */
static double round_double(double f, double p, decimal_rounding how)
{
    switch (how) {
    case DECIMAL_TRUNCATE:
        return trunc(f * p) / p;
    case DECIMAL_FLOOR:
        return floor(f * p) / p;
    case DECIMAL_CEIL:
        return ceil(f * p) / p;
    default:
        return rint(f * p) / p;
    }
}

static void fn_round(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    decimal_rounding how = (decimal_rounding)(intptr_t)sqlite3_user_data(ctx);
    num a = num_of(argv[0]);
    if (a.kind == K_NULL || (argc > 1 && sqlite3_value_type(argv[1]) == SQLITE_NULL)) {
        sqlite3_result_null(ctx);
        return;
    }
    int64_t d = argc > 1 ? sqlite3_value_int64(argv[1]) : 0;
    if (d > DECIMAL_MAX_SCALE)
        d = DECIMAL_MAX_SCALE;
    if (d < -38)
        d = -38;
    if (a.kind == K_DOUBLE) {
        double r = round_double(a.f, pow(10.0, (double)d), how);
        sqlite3_result_double(ctx, isfinite(r) ? r : a.f);
        return;
    }
    if (!decimal_rescale(&a.d, (int)d, how)) {
        result_overflow(ctx, "DECIMAL");
        return;
    }
    if (a.kind == K_INT) {
        int64_t i;
        if (decimal_to_int64(&a.d, how, &i))
            sqlite3_result_int64(ctx, i);
        else
            sqlite3_result_error(ctx, "BIGINT value is out of range", -1);
        return;
    }
    result_decimal(ctx, &a.d);
}

/* CAST(a AS SIGNED): DECIMAL rounds half away from zero, DOUBLE to even, as MariaDB. */
static void fn_cast_signed(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    num a = num_of(argv[0]);
    int64_t i = a.i;
    switch (a.kind) {
    case K_NULL:
        sqlite3_result_null(ctx);
        return;
    case K_INT:
        break;
    case K_DOUBLE:
        if (!(a.f >= -9223372036854775808.0 && a.f < 9223372036854775808.0)) {
            sqlite3_result_error(ctx, "BIGINT value is out of range", -1);
            return;
        }
        i = (int64_t)rint(a.f);
        break;
    case K_DECIMAL:
        if (!decimal_to_int64(&a.d, DECIMAL_ROUND_HALF_AWAY, &i)) {
            sqlite3_result_error(ctx, "BIGINT value is out of range", -1);
            return;
        }
        break;
    }
    sqlite3_result_int64(ctx, i);
}

/* CAST(a AS DECIMAL(p, s)): rounded half away to s decimals; past p digits, the
 * largest value of the type (as MySQL does, with a warning). */
static void fn_cast_decimal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    num a = num_of(argv[0]);
    int p = sqlite3_value_int(argv[1]), s = sqlite3_value_int(argv[2]);
    if (a.kind == K_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    if (a.kind == K_DOUBLE) {
        char text[64];
        snprintf(text, sizeof(text), "%.17g", a.f);
        if (strchr(text, 'e') || !decimal_parse(text, strlen(text), &a.d)) {
            result_overflow(ctx, "DECIMAL");
            return;
        }
    }
    if (!decimal_rescale(&a.d, s, DECIMAL_ROUND_HALF_AWAY)) {
        result_overflow(ctx, "DECIMAL");
        return;
    }
    decimal max = {.v = 1, .scale = s};
    for (int k = 0; k < (p < 38 ? p : 38); k++)
        max.v *= 10;
    max.v -= 1;
    if (a.d.v > max.v)
        a.d.v = max.v;
    if (a.d.v < -max.v)
        a.d.v = -max.v;
    result_decimal(ctx, &a.d);
}

/* mimir_display(a, d): a DECIMAL as MySQL shows it, rounded to d decimals (d < 0: a). */
static void fn_display(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    num a = num_of(argv[0]);
    int d = sqlite3_value_type(argv[1]) == SQLITE_NULL ? -1 : sqlite3_value_int(argv[1]);
    if (a.kind != K_DECIMAL || d < 0 || d >= a.d.scale) {
        sqlite3_result_value(ctx, argv[0]);
        return;
    }
    if (decimal_rescale(&a.d, d, DECIMAL_ROUND_HALF_AWAY))
        result_decimal(ctx, &a.d);
    else
        result_overflow(ctx, "DECIMAL");
}

/* d of mimir_as_decimal for an expression typed DOUBLE (PARAM_DECIMALS_DOUBLE). */
#define AS_DOUBLE (-2)

/*
 * mimir_as_decimal(a, d): a value of an expression typed DECIMAL with d decimals
 * (COALESCE(m, 0), CASE ...), as the exact decimal text every other value of it
 * is: an INTEGER or a REAL (a DECIMAL join key) becomes that text, a shorter
 * scale is padded. d = -2 (a DOUBLE expression): every number becomes a REAL.
 * d = -1 (anything else), a string, or a value with more digits (a quotient's
 * inner ones) stay as they are.
 */
static void fn_as_decimal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    int d = sqlite3_value_type(argv[1]) == SQLITE_NULL ? -1 : sqlite3_value_int(argv[1]);
    int type = sqlite3_value_type(argv[0]);
    num a = num_of(argv[0]);
    if (d == AS_DOUBLE && a.kind != K_NULL && (a.kind != K_DOUBLE || type == SQLITE_FLOAT)) {
        sqlite3_result_double(ctx, a.f); /* COALESCE(a DOUBLE, 0.5): a REAL, never '0.5' */
        return;
    }
    if (d < 0 || d > DECIMAL_MAX_SCALE || a.kind == K_NULL ||
        (a.kind == K_DOUBLE && type != SQLITE_FLOAT) || (a.kind == K_DECIMAL && a.d.scale >= d)) {
        sqlite3_result_value(ctx, argv[0]);
        return;
    }
    if (a.kind == K_DOUBLE) {
        char text[DECIMAL_TEXT_MAX + 320];
        int n = snprintf(text, sizeof(text), "%.*f", d, a.f);
        if (n <= 0 || (size_t)n >= sizeof(text) || !decimal_parse(text, (size_t)n, &a.d)) {
            sqlite3_result_value(ctx, argv[0]); /* too large to be exact: as it is */
            return;
        }
    }
    if (decimal_rescale(&a.d, d, DECIMAL_ROUND_HALF_AWAY))
        result_decimal(ctx, &a.d);
    else
        result_overflow(ctx, "DECIMAL");
}

static void fn_cmp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    num a = num_of(argv[0]), b = num_of(argv[1]);
    if (a.kind == K_NULL || b.kind == K_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    if (wider(a.kind, b.kind) == K_DOUBLE)
        sqlite3_result_int(ctx, (a.f > b.f) - (a.f < b.f));
    else
        sqlite3_result_int(ctx, decimal_cmp(&a.d, &b.d));
}

/* NULLIF(a, b) of numbers: NULL when a equals b as numbers (SQLite's NULLIF tells
 * the TEXT '0.00' from the INTEGER 0), else a as it is. */
static void fn_nullif(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    num a = num_of(argv[0]), b = num_of(argv[1]);
    bool equal = a.kind != K_NULL && b.kind != K_NULL &&
                 (wider(a.kind, b.kind) == K_DOUBLE ? a.f == b.f : decimal_cmp(&a.d, &b.d) == 0);
    if (equal)
        sqlite3_result_null(ctx);
    else
        sqlite3_result_value(ctx, argv[0]);
}

/* GREATEST(a, ...) and LEAST: NULL when any is NULL; numbers compared exactly (the
 * winner is returned as it is: the column's type formats it). */
static void fn_extreme(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    bool least = sqlite3_user_data(ctx) != NULL;
    int best = 0;
    num b = num_of(argv[0]);
    for (int i = 0; i < argc; i++) {
        num a = num_of(argv[i]);
        if (a.kind == K_NULL) {
            sqlite3_result_null(ctx);
            return;
        }
        int c =
            wider(a.kind, b.kind) == K_DOUBLE ? (a.f > b.f) - (a.f < b.f) : decimal_cmp(&a.d, &b.d);
        if (least ? c < 0 : c > 0) {
            best = i;
            b = a;
        }
    }
    sqlite3_result_value(ctx, argv[best]);
}

/* ---- SUM and AVG over exact values (derived tables) ------------------------ */

typedef struct sum_state {
    num_kind kind; /* widest seen */
    decimal d;
    double f;
    int64_t count;
    bool overflow;
} sum_state;

/* SQLite's aggregate memory is 8-byte aligned; a 128-bit integer wants 16. */
static sum_state *sum_context(sqlite3_context *ctx, int bytes)
{
    uintptr_t p = (uintptr_t)sqlite3_aggregate_context(ctx, bytes ? bytes + 16 : 0);
    return p ? (sum_state *)((p + 15) & ~(uintptr_t)15) : NULL;
}

static void sum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sum_state *s = sum_context(ctx, (int)sizeof(sum_state));
    num a = num_of(argv[0]);
    if (!s || a.kind == K_NULL)
        return;
    s->count++;
    s->kind = wider(s->kind, a.kind);
    s->f += a.f;
    decimal r;
    if (!s->overflow && a.kind != K_DOUBLE) {
        if (decimal_add(&s->d, &a.d, &r))
            s->d = r;
        else
            s->overflow = true;
    }
}

/* A row leaving a window's frame (SUM(x) OVER (... ROWS n PRECEDING)): its value taken
 * back, exactly. The widest kind seen stays: the column's values share one type. */
static void sum_inverse(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sum_state *s = sum_context(ctx, (int)sizeof(sum_state));
    num a = num_of(argv[0]);
    if (!s || a.kind == K_NULL)
        return;
    s->count--;
    s->f -= a.f;
    decimal r;
    if (!s->overflow && a.kind != K_DOUBLE) {
        if (decimal_sub(&s->d, &a.d, &r))
            s->d = r;
        else
            s->overflow = true;
    }
}

/* MySQL's SUM of BIGINT or DECIMAL is a DECIMAL; its AVG has 4 more decimals. Also the
 * current value of a window (xValue): it leaves the state as it is. */
static void sum_final(sqlite3_context *ctx)
{
    bool avg = sqlite3_user_data(ctx) != NULL;
    sum_state *s = sum_context(ctx, 0);
    if (!s || s->count == 0) {
        sqlite3_result_null(ctx);
        return;
    }
    if (s->kind == K_DOUBLE) {
        sqlite3_result_double(ctx, avg ? s->f / (double)s->count : s->f);
        return;
    }
    if (s->overflow) {
        result_overflow(ctx, "DECIMAL");
        return;
    }
    if (!avg) {
        result_decimal(ctx, &s->d);
        return;
    }
    decimal n = decimal_of_int(s->count), r;
    bool is_null;
    if (decimal_div(&s->d, &n, &r, &is_null))
        result_decimal(ctx, &r);
    else
        result_overflow(ctx, "DECIMAL");
}

/*
 * mimir_as_type(x, t): x as a value of the column type t (a value_type, bound by the
 * executor): a DATE in a DATETIME column is its midnight, so that a UNION of dates and
 * datetimes sorts and removes duplicates as MySQL's DATETIME column does.
 */
static void fn_as_type(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *t = sqlite3_value_text(argv[0]);
    if (sqlite3_value_type(argv[0]) == SQLITE_TEXT && sqlite3_value_int(argv[1]) == VT_DATETIME &&
        sqlite3_value_bytes(argv[0]) == 10 && t[4] == '-' && t[7] == '-') {
        char midnight[20];
        memcpy(midnight, t, 10);
        memcpy(midnight + 10, " 00:00:00", 9);
        sqlite3_result_text(ctx, midnight, 19, SQLITE_TRANSIENT);
        return;
    }
    sqlite3_result_value(ctx, argv[0]);
}

/* Numbers in numeric order, before anything that is not a number (then bytewise). */
static int decimal_collation(void *unused, int la, const void *a, int lb, const void *b)
{
    (void)unused;
    decimal da, db;
    bool na = decimal_parse(a, (size_t)la, &da), nb = decimal_parse(b, (size_t)lb, &db);
    if (na && nb)
        return decimal_cmp(&da, &db);
    if (na != nb)
        return na ? -1 : 1;
    int c = memcmp(a, b, (size_t)(la < lb ? la : lb));
    return c ? c : (la > lb) - (la < lb);
}

bool combine_functions_register(sqlite3 *db)
{
    static const struct {
        const char *name;
        arith_op op;
    } ops[] = {{"mimir_add", OP_ADD_}, {"mimir_sub", OP_SUB_}, {"mimir_mul", OP_MUL_},
               {"mimir_div", OP_DIV_}, {"mimir_mod", OP_MOD_}, {"mimir_intdiv", OP_INTDIV_}};
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    bool ok = true;
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        ok &= sqlite3_create_function(db, ops[i].name, 2, flags, (void *)(intptr_t)ops[i].op,
                                      fn_arith, NULL, NULL) == SQLITE_OK;
    static int one = 1;
    ok &= sqlite3_create_function(db, "mimir_neg", 1, flags, NULL, fn_neg, NULL, NULL) == 0;
    ok &= sqlite3_create_function(db, "mimir_abs", 1, flags, &one, fn_neg, NULL, NULL) == 0;
    static const struct {
        const char *name;
        int nargs;
        decimal_rounding how;
    } rounds[] = {{"mimir_round", 1, DECIMAL_ROUND_HALF_AWAY},
                  {"mimir_round", 2, DECIMAL_ROUND_HALF_AWAY},
                  {"mimir_truncate", 2, DECIMAL_TRUNCATE},
                  {"mimir_floor", 1, DECIMAL_FLOOR},
                  {"mimir_ceil", 1, DECIMAL_CEIL}};
    for (size_t i = 0; i < sizeof(rounds) / sizeof(rounds[0]); i++)
        ok &= sqlite3_create_function(db, rounds[i].name, rounds[i].nargs, flags,
                                      (void *)(intptr_t)rounds[i].how, fn_round, NULL, NULL) == 0;
    ok &=
        sqlite3_create_function(db, "mimir_greatest", -1, flags, NULL, fn_extreme, NULL, NULL) == 0;
    ok &= sqlite3_create_function(db, "mimir_least", -1, flags, &one, fn_extreme, NULL, NULL) == 0;
    ok &= sqlite3_create_function(db, "mimir_cast_signed", 1, flags, NULL, fn_cast_signed, NULL,
                                  NULL) == 0;
    ok &= sqlite3_create_function(db, "mimir_cast_decimal", 3, flags, NULL, fn_cast_decimal, NULL,
                                  NULL) == 0;
    ok &= sqlite3_create_function(db, "mimir_cmp", 2, flags, NULL, fn_cmp, NULL, NULL) == 0;
    ok &= sqlite3_create_function(db, "mimir_display", 2, flags, NULL, fn_display, NULL, NULL) == 0;
    ok &= sqlite3_create_function(db, "mimir_as_type", 2, flags, NULL, fn_as_type, NULL, NULL) == 0;
    ok &= sqlite3_create_function(db, "mimir_as_decimal", 2, flags, NULL, fn_as_decimal, NULL,
                                  NULL) == 0;
    ok &= sqlite3_create_function(db, "mimir_nullif", 2, flags, NULL, fn_nullif, NULL, NULL) == 0;
    /* Aggregates and window functions both (SUM(x) OVER (...) of a metric). */
    ok &= sqlite3_create_window_function(db, "mimir_sum", 1, flags, NULL, sum_step, sum_final,
                                         sum_final, sum_inverse, NULL) == 0;
    ok &= sqlite3_create_window_function(db, "mimir_avg", 1, flags, &one, sum_step, sum_final,
                                         sum_final, sum_inverse, NULL) == 0;
    ok &= sqlite3_create_collation(db, "mimir_decimal", SQLITE_UTF8, NULL, decimal_collation) == 0;
    return ok;
}
