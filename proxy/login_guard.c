/*
 * Failed logins, per client address, for every way in (the MySQL port's
 * handshake and COM_CHANGE_USER, the HTTP API's Basic authentication): see
 * login_guard.h.
 */
#include "proxy/login_guard.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proxy/log.h"

/*
 * Guessing passwords is slowed down per client address. After
 * AUTH_FREE_FAILURES failed logins in a row from an address, each further
 * login from it (the handshake response, COM_CHANGE_USER, an HTTP request
 * with credentials) is handled only
 * after a delay that doubles with every failure, from AUTH_FIRST_DELAY_MS up
 * to AUTH_MAX_DELAY_MS. Right and wrong passwords wait alike, so the timing
 * of the answer tells nothing; attempts made in parallel wait their turns one
 * after the other, so more connections do not guess faster, and one that
 * would wait more than AUTH_MAX_QUEUE_MS is refused at once (1045, nothing
 * checked). A successful login clears the address, and so does an hour
 * without failures. The table has a fixed size: when it is full, the address
 * that failed least recently makes room, so many addresses cannot grow it.
 */
#define AUTH_FREE_FAILURES     3
#define AUTH_FIRST_DELAY_MS    250
#define AUTH_MAX_DELAY_MS      5000
#define AUTH_MAX_QUEUE_MS      8000
#define AUTH_FORGET_MS         (3600 * 1000)
#define AUTH_TRACKED_ADDRESSES 1024

typedef struct failed_logins {
    char peer[64];
    unsigned failures;     /* in a row; 0: the slot is free */
    uint64_t last_ms;      /* of the last failure */
    uint64_t next_turn_ms; /* when the last attempt that waits is handled */
} failed_logins;

static failed_logins failed[AUTH_TRACKED_ADDRESSES];

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The entry of peer; with make, a new one (or the stalest) when there is none. */
static failed_logins *failures_of(const char *peer, bool make)
{
    uint64_t now = now_ms();
    failed_logins *free_slot = NULL, *stalest = &failed[0];
    for (size_t i = 0; i < AUTH_TRACKED_ADDRESSES; i++) {
        failed_logins *f = &failed[i];
        if (f->failures && now - f->last_ms > AUTH_FORGET_MS)
            f->failures = 0;
        if (!f->failures) {
            if (!free_slot)
                free_slot = f;
            continue;
        }
        if (strcmp(f->peer, peer) == 0)
            return f;
        if (f->last_ms < stalest->last_ms)
            stalest = f;
    }
    if (!make)
        return NULL;
    failed_logins *f = free_slot ? free_slot : stalest;
    memset(f, 0, sizeof *f);
    snprintf(f->peer, sizeof f->peer, "%s", peer);
    return f;
}

static uint64_t delay_ms(unsigned failures)
{
    if (failures < AUTH_FREE_FAILURES)
        return 0;
    unsigned doublings = failures - AUTH_FREE_FAILURES;
    if (doublings >= 16)
        return AUTH_MAX_DELAY_MS;
    uint64_t d = (uint64_t)AUTH_FIRST_DELAY_MS << doublings;
    return d < AUTH_MAX_DELAY_MS ? d : AUTH_MAX_DELAY_MS;
}

void login_guard_failed(const char *peer)
{
    failed_logins *f = failures_of(peer, true);
    f->failures++;
    f->last_ms = now_ms();
    if (f->failures == AUTH_FREE_FAILURES)
        log_warn("%u failed logins in a row from %s: its further logins are throttled (a delay "
                 "from %d ms to %d s each, until one succeeds)",
                 f->failures, peer, AUTH_FIRST_DELAY_MS, AUTH_MAX_DELAY_MS / 1000);
}

void login_guard_succeeded(const char *peer)
{
    failed_logins *f = failures_of(peer, false);
    if (f)
        f->failures = 0;
}

login_turn login_guard_turn(const char *peer, uint64_t *wait_ms)
{
    failed_logins *f = failures_of(peer, false);
    uint64_t delay = f ? delay_ms(f->failures) : 0;
    *wait_ms = 0;
    if (!delay)
        return LOGIN_NOW;
    uint64_t now = now_ms();
    uint64_t turn = (f->next_turn_ms > now ? f->next_turn_ms : now) + delay;
    if (turn - now > AUTH_MAX_QUEUE_MS)
        return LOGIN_REFUSED;
    f->next_turn_ms = turn;
    *wait_ms = turn - now;
    return LOGIN_WAIT;
}
