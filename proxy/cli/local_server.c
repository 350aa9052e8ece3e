/*
 * The private server of `mimir query`: see local_server.h. Its startup
 * follows `mimir serve` (proxy/main.c): keep the two in step.
 */
#include "proxy/cli/local_server.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/rand.h>

#include "planner/info_schema.h"
#include "proxy/log.h"
#include "proxy/server.h"
#include "proxy/workers.h"
#include "wire/protocol.h"

static pthread_t loop_thread;
static int stop_pipe[2] = {-1, -1};
static struct event *stop_event;
static server_user private_user;
static bool workers_running;

static void *run_loop(void *arg)
{
    (void)arg;
    server_run();
    return NULL;
}

/* Runs on the loop's thread when the command is done with the server. */
static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    event_base_loopbreak(srv.base);
}

/* Random printable text: the private user's name and password. */
static bool random_text(char *out, size_t n)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char bytes[64];
    if (n - 1 > sizeof bytes || RAND_bytes(bytes, (int)(n - 1)) != 1)
        return false;
    for (size_t i = 0; i + 1 < n; i++)
        out[i] = alphabet[bytes[i] % (sizeof alphabet - 1)];
    out[n - 1] = '\0';
    return true;
}

static int listening_port(void)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    evutil_socket_t fd = evconnlistener_get_fd(srv.listener);
    if (getsockname(fd, (struct sockaddr *)&addr, &len) != 0)
        return -1;
    if (addr.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&addr)->sin_port);
    if (addr.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
    return -1;
}

static bool setup_user(local_server *ls)
{
    if (!random_text(ls->user, 17) || !random_text(ls->password, sizeof ls->password))
        return false;
    memcpy(ls->user, "mimir_", 6); /* a name that says what it is in any log */
    private_user = (server_user){.name = ls->user, .has_native = true};
    wire_native_password_stage2(ls->password, private_user.native_stage2);
    srv.users = &private_user;
    srv.nusers = 1;
    return true;
}

bool local_server_start(local_server *ls, catalog *cat, const char *configs_dir,
                        const char *secrets_dir, char *err, size_t errlen)
{
    memset(ls, 0, sizeof *ls);
    struct info_schema *is = info_schema_build(cat, err, errlen);
    if (!is) {
        catalog_free(cat);
        return false;
    }
    if (!setup_user(ls)) {
        snprintf(err, errlen, "cannot make a random password");
        info_schema_free(is);
        catalog_free(cat);
        return false;
    }
    /* Logins and the like would clutter the command's output; errors still show. */
    log_set_min_level(LOG_LEVEL_ERROR);
    signal(SIGPIPE, SIG_IGN);
    server_config cfg;
    server_config_defaults(&cfg);
    cfg.host = "127.0.0.1";
    cfg.port = 0; /* ephemeral */
    cfg.configs_dir = configs_dir;
    cfg.secrets_dir = secrets_dir;
    srv.cfg = cfg;
    srv.base = event_base_new();
    if (!srv.base) {
        snprintf(err, errlen, "cannot make an event loop");
        info_schema_free(is);
        catalog_free(cat);
        return false;
    }
    server_install_catalog(cat, is); /* its pools need the loop */
    srv.started = time(NULL);
    workers_running = workers_start(srv.base, 2);
    if (!workers_running || !server_listen() || pipe(stop_pipe) != 0) {
        snprintf(err, errlen, "cannot start a local server on 127.0.0.1 (see above)");
        local_server_stop(ls);
        return false;
    }
    ls->port = listening_port();
    stop_event = event_new(srv.base, stop_pipe[0], EV_READ, stop_cb, NULL);
    if (ls->port <= 0 || !stop_event || event_add(stop_event, NULL) != 0 ||
        pthread_create(&loop_thread, NULL, run_loop, NULL) != 0) {
        snprintf(err, errlen, "cannot start a local server on 127.0.0.1");
        local_server_stop(ls);
        return false;
    }
    return true;
}

void local_server_stop(local_server *ls)
{
    if (ls->port > 0 && stop_pipe[1] >= 0) {
        /* The loop reads the pipe and breaks; joining makes its thread ours again. */
        ssize_t w = write(stop_pipe[1], "x", 1);
        (void)w;
        pthread_join(loop_thread, NULL);
    }
    ls->port = 0;
    if (stop_event)
        event_free(stop_event);
    stop_event = NULL;
    for (int i = 0; i < 2; i++) {
        if (stop_pipe[i] >= 0)
            close(stop_pipe[i]);
        stop_pipe[i] = -1;
    }
    server_shutdown();
    if (workers_running)
        workers_stop();
    workers_running = false;
    if (srv.base)
        event_base_free(srv.base);
    srv.base = NULL;
    server_free_catalogs();
    srv.users = NULL;
    srv.nusers = 0;
}
