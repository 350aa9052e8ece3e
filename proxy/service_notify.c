#include "proxy/service_notify.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "proxy/log.h"

/* sd_notify's failures are logged once: a server keeps serving without its manager. */
static void check(int rc)
{
    static bool warned;
    if (rc < 0 && !warned) {
        warned = true;
        log_warn("cannot notify the service manager: %s", strerror(-rc));
    }
}

static void send_state(const char *state)
{
    check(sd_notify(0, state));
}

static void send_with_status(const char *state, const char *status)
{
    if (status)
        check(sd_notifyf(0, "%s\nSTATUS=%s", state, status));
    else
        send_state(state);
}

void service_notify_ready(const char *status)
{
    send_with_status("READY=1", status);
}

void service_notify_reloading(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    char msg[128];
    snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
             (unsigned long long)now.tv_sec * 1000000ull + (unsigned long long)now.tv_nsec / 1000);
    send_state(msg);
}

void service_notify_reloaded(bool ok, const char *status)
{
    check(sd_notifyf(0, "READY=1\nSTATUS=%s%s", ok ? "" : "reload rejected (see the log); ",
                     status ? status : ""));
}

void service_notify_stopping(void)
{
    send_state("STOPPING=1\nSTATUS=stopping: finishing the queries in flight");
}
