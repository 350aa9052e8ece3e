/*
 * The PROXY protocol on the MySQL port (listen.proxy_protocol): behind HAProxy
 * (`send-proxy` or `send-proxy-v2`) a connection starts with a header naming
 * the real client, and only then does the session greet (in MySQL the server
 * speaks first, so it must wait for the header). The session takes the
 * client's address from it: the log, SHOW PROCESSLIST, the query log and the
 * failed-login delay (proxy/login_guard.h) all see that address.
 *
 * Only the addresses of listen.proxy_protocol_from (default loopback) may
 * send a header, and from them it is required: a missing or malformed one
 * closes the connection. A header from any other address closes it too
 * (someone trying to pass for another client); other addresses are served
 * directly, as without a balancer. Every refusal is logged. The header is
 * parsed by wire/proxy_header.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include <event2/buffer.h>

#include "proxy/log.h"
#include "proxy/server.h"
#include "proxy/session/client_internal.h"
#include "wire/proxy_header.h"

/* The socket's address as the ranges see it: family 4 or 6, network order. */
static bool sockaddr_bytes(const struct sockaddr *addr, int *family, uint8_t bytes[16])
{
    if (addr->sa_family == AF_INET) {
        *family = 4;
        memcpy(bytes, &((const struct sockaddr_in *)addr)->sin_addr, 4);
        return true;
    }
    if (addr->sa_family == AF_INET6) {
        *family = 6;
        memcpy(bytes, &((const struct sockaddr_in6 *)addr)->sin6_addr, 16);
        return true;
    }
    return false;
}

bool client_proxy_expected(const struct sockaddr *addr)
{
    if (!srv.cfg.proxy_protocol)
        return false;
    int family;
    uint8_t bytes[16];
    if (!sockaddr_bytes(addr, &family, bytes))
        return false;
    for (size_t i = 0; i < srv.cfg.nproxy_from; i++)
        if (proxy_cidr_match(&srv.cfg.proxy_from[i], family, bytes))
            return true;
    return false;
}

/* The header (all of it, or as much as has come) from the session's input. */
bool client_proxy_read(client *cl)
{
    struct evbuffer *in = bufferevent_get_input(cl->bev);
    size_t avail = evbuffer_get_length(in);
    if (avail == 0)
        return false;
    size_t take = avail < PROXY_HEADER_MAX ? avail : PROXY_HEADER_MAX;
    const uint8_t *data = evbuffer_pullup(in, (ev_ssize_t)take);
    proxy_header h;
    const char *why;
    proxy_header_status st = proxy_header_parse(data, take, &h, &why);
    if (st == PROXY_HEADER_NEED_MORE)
        return false;
    if (st == PROXY_HEADER_INVALID) {
        srv.stats.connections_rejected++;
        log_warn("client %u from %s: %s (listen.proxy_protocol requires a PROXY header from "
                 "this address); closing",
                 cl->id, cl->peer, why);
        client_close(cl);
        return false;
    }
    evbuffer_drain(in, h.length);
    if (h.has_addr) {
        log_debug("client %u: PROXY v%d from %s: the client is %s port %u", cl->id, h.version,
                  cl->peer, h.src_text, h.src_port);
        snprintf(cl->peer, sizeof(cl->peer), "%s", h.src_text);
        cl->peer_port = h.src_port;
    }
    client_set_state(cl, CLIENT_AWAIT_HANDSHAKE);
    client_auth_greet(cl);
    return true;
}

/* A PROXY header from an address not allowed to send one closes the connection. */
bool client_proxy_unexpected(client *cl)
{
    if (!srv.cfg.proxy_protocol || cl->seq != 1 || cl->user)
        return false;
    uint8_t head[12];
    struct evbuffer *in = bufferevent_get_input(cl->bev);
    ev_ssize_t n = evbuffer_copyout(in, head, sizeof head);
    static const uint8_t v2[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                   0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    bool looks =
        (n >= 6 && memcmp(head, "PROXY ", 6) == 0) || (n >= 12 && memcmp(head, v2, 12) == 0);
    if (!looks)
        return false;
    srv.stats.connections_rejected++;
    log_warn("client %u from %s: a PROXY header from an address not in "
             "listen.proxy_protocol_from; closing",
             cl->id, cl->peer);
    client_close(cl);
    return true;
}
