#include "proxy/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "proxy/client.h"
#include "proxy/log.h"
#include "proxy/pool.h"

server srv;

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr,
                      int socklen, void *arg)
{
    (void)l;
    (void)arg;
    client_accept(fd, addr, socklen);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
    (void)l;
    (void)arg;
    /* EMFILE and friends: keep the listener; the next accept may succeed. */
    log_warn("accept failed: %s", evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    (void)arg;
    log_info("received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    event_base_loopexit(srv.base, NULL);
}

pool *server_pool_for(const connection *c)
{
    for (size_t i = 0; i < srv.cat->n_connections; i++)
        if (&srv.cat->connections[i] == c)
            return srv.pools[i];
    return NULL;
}

bool server_listen(void)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    char port[16];
    snprintf(port, sizeof(port), "%d", srv.cfg.port);
    int rc = getaddrinfo(srv.cfg.host, port, &hints, &res);
    if (rc != 0) {
        log_error("cannot resolve listen address '%s': %s", srv.cfg.host, gai_strerror(rc));
        return false;
    }
    srv.listener = evconnlistener_new_bind(srv.base, accept_cb, NULL,
                                           LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 128,
                                           res->ai_addr, (int)res->ai_addrlen);
    freeaddrinfo(res);
    if (!srv.listener) {
        log_error("cannot listen on %s:%d: %s", srv.cfg.host, srv.cfg.port,
                  evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        return false;
    }
    evconnlistener_set_error_cb(srv.listener, accept_error_cb);
    srv.pools = calloc(srv.cat->n_connections + 1, sizeof(pool *));
    if (!srv.pools)
        abort();
    for (size_t i = 0; i < srv.cat->n_connections; i++)
        srv.pools[i] = pool_new(&srv.cat->connections[i], srv.cfg.pool_size);
    srv.sigint = evsignal_new(srv.base, SIGINT, signal_cb, NULL);
    srv.sigterm = evsignal_new(srv.base, SIGTERM, signal_cb, NULL);
    event_add(srv.sigint, NULL);
    event_add(srv.sigterm, NULL);
    return true;
}

void server_run(void)
{
    event_base_dispatch(srv.base);
}

void server_shutdown(void)
{
    if (srv.listener)
        evconnlistener_free(srv.listener);
    srv.listener = NULL;
    while (srv.clients)
        client_free_now(srv.clients);
    if (srv.pools) {
        for (size_t i = 0; i < srv.cat->n_connections; i++)
            pool_free(srv.pools[i]);
        free(srv.pools);
        srv.pools = NULL;
    }
    if (srv.sigint)
        event_free(srv.sigint);
    if (srv.sigterm)
        event_free(srv.sigterm);
}
