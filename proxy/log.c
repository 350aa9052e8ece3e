#include "proxy/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "wire/xalloc.h"

static _Atomic log_level min_level = LOG_LEVEL_INFO;
/*
 * Where lines go. Once a file is open its descriptor number never changes:
 * a reopen (or a switch back to stderr) dup2()s over it, so a worker thread
 * writing at that moment writes to the old or the new file, never to a
 * closed descriptor.
 */
static _Atomic int log_fd = STDERR_FILENO;
static char *log_path; /* loop thread only */

void log_set_min_level(log_level level)
{
    min_level = level;
}

bool log_enabled(log_level level)
{
    return level >= min_level;
}

bool log_level_parse(const char *name, log_level *out)
{
    static const struct {
        const char *name;
        log_level level;
    } names[] = {{"debug", LOG_LEVEL_DEBUG},
                 {"info", LOG_LEVEL_INFO},
                 {"warn", LOG_LEVEL_WARN},
                 {"warning", LOG_LEVEL_WARN},
                 {"error", LOG_LEVEL_ERROR}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].level;
            return true;
        }
    }
    return false;
}

const char *log_level_name(log_level level)
{
    switch (level) {
    case LOG_LEVEL_DEBUG:
        return "debug";
    case LOG_LEVEL_INFO:
        return "info";
    case LOG_LEVEL_WARN:
        return "warn";
    case LOG_LEVEL_ERROR:
    default:
        return "error";
    }
}

void log_write_line(const char *line, size_t len)
{
    int fd = log_fd;
    while (len > 0) {
        ssize_t n = write(fd, line, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* nowhere to report a failing log; drop the line */
        line += n;
        len -= (size_t)n;
    }
}

/* Opens path for appending and makes log_fd refer to it. */
static bool attach_file(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open log file '%s': %s", path, strerror(errno));
        return false;
    }
    if (log_fd == STDERR_FILENO) {
        log_fd = fd;
        return true;
    }
    dup2(fd, log_fd);
    close(fd);
    return true;
}

bool log_open_file(const char *path, char *err, size_t errlen)
{
    if (!path) {
        if (log_fd != STDERR_FILENO)
            dup2(STDERR_FILENO, log_fd); /* keeps the number: see log_fd */
        free(log_path);
        log_path = NULL;
        return true;
    }
    if (!attach_file(path, err, errlen))
        return false;
    if (log_path != path) {
        char *copy = xstrdup(path);
        free(log_path);
        log_path = copy;
    }
    return true;
}

bool log_reopen(char *err, size_t errlen)
{
    return log_path ? attach_file(log_path, err, errlen) : true;
}

const char *log_file_path(void)
{
    return log_path;
}

static void log_line(const char *level, const char *fmt, va_list ap)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* Build the line first so that it goes out in one write. */
    char line[2048];
    int n = snprintf(line, sizeof(line), "%s mimir[%d]: %s ", when, (int)getpid(), level);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(line))
        vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    size_t len = strnlen(line, sizeof(line) - 1);
    line[len++] = '\n';
    log_write_line(line, len);
}

#define LOG_AT(name, level, label)                                                                 \
    void name(const char *fmt, ...)                                                                \
    {                                                                                              \
        if (!log_enabled(level))                                                                   \
            return;                                                                                \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        log_line(label, fmt, ap);                                                                  \
        va_end(ap);                                                                                \
    }

LOG_AT(log_debug, LOG_LEVEL_DEBUG, "DEBUG")
LOG_AT(log_info, LOG_LEVEL_INFO, "INFO")
LOG_AT(log_warn, LOG_LEVEL_WARN, "WARN")
LOG_AT(log_error, LOG_LEVEL_ERROR, "ERROR")
