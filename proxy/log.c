#include "proxy/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static log_level min_level = LOG_LEVEL_INFO;

void log_set_min_level(log_level level)
{
    min_level = level;
}

static void log_line(const char *level, const char *fmt, va_list ap)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* Build the line first so concurrent writers never interleave within it. */
    char line[2048];
    int n = snprintf(line, sizeof(line), "%s mimir[%d]: %s ", when, (int)getpid(), level);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(line))
        vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    fprintf(stderr, "%s\n", line);
}

void log_info(const char *fmt, ...)
{
    if (min_level > LOG_LEVEL_INFO)
        return;
    va_list ap;
    va_start(ap, fmt);
    log_line("INFO", fmt, ap);
    va_end(ap);
}

void log_warn(const char *fmt, ...)
{
    if (min_level > LOG_LEVEL_WARN)
        return;
    va_list ap;
    va_start(ap, fmt);
    log_line("WARN", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    if (min_level > LOG_LEVEL_ERROR)
        return;
    va_list ap;
    va_start(ap, fmt);
    log_line("ERROR", fmt, ap);
    va_end(ap);
}
