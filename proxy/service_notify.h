/*
 * Telling the service manager how the server is doing (sd_notify(3) from
 * Debian's libsystemd): READY=1 once every listener accepts connections,
 * RELOADING=1 and READY=1 around a SIGHUP reload, STOPPING=1 at SIGTERM, and
 * a STATUS= line saying what is served. Run without $NOTIFY_SOCKET (not under
 * systemd's Type=notify) every call is a cheap no-op.
 */
#ifndef MIMIR_PROXY_SERVICE_NOTIFY_H
#define MIMIR_PROXY_SERVICE_NOTIFY_H

#include <stdbool.h>

/* Startup is over, with the status line status (NULL: none). */
void service_notify_ready(const char *status);
/* A reload starts (with the monotonic time systemd 253+ asks for). */
void service_notify_reloading(void);
/* The reload ended, applied (ok) or rejected with the old configuration in force. */
void service_notify_reloaded(bool ok, const char *status);
/* A graceful stop starts. */
void service_notify_stopping(void);

#endif
