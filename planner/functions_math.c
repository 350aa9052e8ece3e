/*
 * Exponential and trigonometric functions: DOUBLE results, NULL outside the
 * domain as in MySQL (PostgreSQL raises an error there, hence the CASEs).
 * SQLite's own math functions (3.35+) are used as they are.
 */
#include "planner/functions_internal.h"

#define PG_DOUBLE(f) f "(CAST($1 AS DOUBLE PRECISION))"
/* An integer as MySQL's unsigned 64 bits (-1 is 64 ones), the fraction cut off. */
#define PG_BITS "CAST(CAST(TRUNC($1) AS BIGINT) AS bit(64))"

static bool print_atan(print_ctx *pc)
{
    bool two = pc->call->nargs == 2;
    switch (pc->b->dialect) {
    case DIALECT_POSTGRES:
        return fn_expand(pc, two ? "ATAN2(CAST($1 AS DOUBLE PRECISION), CAST($2 AS DOUBLE "
                                   "PRECISION))"
                                 : PG_DOUBLE("ATAN"));
    case DIALECT_SQLITE:
        return fn_expand(pc, two ? "atan2($1, $2)" : "atan($1)");
    case DIALECT_MYSQL:
        break;
    }
    return fn_expand(pc, two ? "ATAN($1, $2)" : "ATAN($1)");
}

const function_map math_functions[] = {
    {"exp", 1, 1, T(PG_DOUBLE("EXP"), "exp($1)", "EXP($1)"), NULL},
    {"sin", 1, 1, T(PG_DOUBLE("SIN"), "sin($1)", "SIN($1)"), NULL},
    {"cos", 1, 1, T(PG_DOUBLE("COS"), "cos($1)", "COS($1)"), NULL},
    {"tan", 1, 1, T(PG_DOUBLE("TAN"), "tan($1)", "TAN($1)"), NULL},
    {"asin", 1, 1,
     T("(CASE WHEN $1 BETWEEN -1 AND 1 THEN " PG_DOUBLE("ASIN") " END)",
       "(CASE WHEN $1 BETWEEN -1 AND 1 THEN asin($1) END)", "ASIN($1)"),
     NULL},
    {"acos", 1, 1,
     T("(CASE WHEN $1 BETWEEN -1 AND 1 THEN " PG_DOUBLE("ACOS") " END)",
       "(CASE WHEN $1 BETWEEN -1 AND 1 THEN acos($1) END)", "ACOS($1)"),
     NULL},
    /* ATAN(x), and ATAN(y, x) which is ATAN2(y, x). */
    {"atan", 1, 2, T(NULL, NULL, NULL), print_atan},
    {"atan2", 2, 2,
     T("ATAN2(CAST($1 AS DOUBLE PRECISION), CAST($2 AS DOUBLE PRECISION))", "atan2($1, $2)",
       "ATAN2($1, $2)"),
     NULL},
    {"degrees", 1, 1, T(PG_DOUBLE("DEGREES"), "degrees($1)", "DEGREES($1)"), NULL},
    {"radians", 1, 1, T(PG_DOUBLE("RADIANS"), "radians($1)", "RADIANS($1)"), NULL},
/* Integers as MySQL's unsigned 64 bits (-1 is 64 ones), the fraction cut off. */
#define PG_BITS "CAST(CAST(TRUNC($1) AS BIGINT) AS bit(64))"
    {"bit_count", 1, 1,
     T("length(replace(CAST(" PG_BITS " AS TEXT), '0', ''))", "mimir_bit_count($1)",
       "BIT_COUNT($1)"),
     NULL},
    {"bin", 1, 1,
     T("(CASE WHEN $1 IS NULL THEN NULL ELSE COALESCE(NULLIF(ltrim(CAST(" PG_BITS
       " AS TEXT), '0'), ''), '0') END)",
       "mimir_bin($1, 2)", "BIN($1)"),
     NULL},
    /* PostgreSQL has no octal. */
    {"oct", 1, 1, T(NULL, "mimir_bin($1, 8)", "OCT($1)"), NULL},
    {NULL, 0, 0, {NULL, NULL, NULL}, NULL},
};
