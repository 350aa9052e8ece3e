#include "planner/sql_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sql_error_set(sql_error *e, uint16_t code, const char *sqlstate, const char *fmt, ...)
{
    e->code = code;
    snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", sqlstate);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
}
