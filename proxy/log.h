/*
 * The server's log: one line per record, to stderr or to a file (server
 * configuration `log:`). Text records look like
 *   "2026-11-21T10:00:00Z mimir[pid]: LEVEL message";
 * the per-query records of proxy/obs/query_log.c are JSON objects on their own
 * lines (a line starting with '{' is one).
 *
 * Each line goes out in one write(2) on a descriptor opened with O_APPEND,
 * unbuffered in this process: lines from the loop and the worker threads
 * never interleave, and a line is in the file when the call returns. On a
 * local file or a pipe that is read this takes microseconds; it is what
 * PgBouncer does too. A log on a blocking, full pipe would stall the loop:
 * point `log.file` at a file rather than piping stderr into a slow reader.
 */
#ifndef MIMIR_PROXY_LOG_H
#define MIMIR_PROXY_LOG_H

#include <stdbool.h>
#include <stddef.h>

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Records below this level are dropped: `mimir query` runs the server's
 * machinery in process, whose INFO records would only clutter its output.
 */
typedef enum { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR } log_level;
void log_set_min_level(log_level level);
bool log_enabled(log_level level);
/* "debug", "info", "warn" (or "warning"), "error"; false for anything else. */
bool log_level_parse(const char *name, log_level *out);
const char *log_level_name(log_level level);

/*
 * Sends the log to the file at path (appending, created 0640 when missing),
 * or back to stderr when path is NULL. On failure the log stays where it was
 * and err says why.
 */
bool log_open_file(const char *path, char *err, size_t errlen);
/* Reopens the log file (after logrotate moved it; SIGHUP). No-op on stderr. */
bool log_reopen(char *err, size_t errlen);
/* The file the log goes to, or NULL for stderr. */
const char *log_file_path(void);

/* Writes one finished line (it ends with '\n') as it is. */
void log_write_line(const char *line, size_t len);

#endif
