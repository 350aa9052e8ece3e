/* One-line log records to stderr: "2026-11-21T10:00:00Z mimir[pid]: LEVEL message". */
#ifndef MIMIR_PROXY_LOG_H
#define MIMIR_PROXY_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Records below this level are dropped: `mimir query` runs a private server
 * whose INFO records (logins, ...) would only clutter the command's output.
 */
typedef enum { LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR } log_level;
void log_set_min_level(log_level level);

#endif
