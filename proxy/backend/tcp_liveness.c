/* Dead network paths to databases: see tcp_liveness.h. */
#include "proxy/backend/tcp_liveness.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "proxy/log.h"

static bool is_tcp(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return false;
    return ss.ss_family == AF_INET || ss.ss_family == AF_INET6;
}

static void set_int(int fd, int level, int opt, int value, const char *what, const char *name)
{
    if (setsockopt(fd, level, opt, &value, sizeof value) != 0)
        log_warn("backend '%s': cannot set %s on its socket: %s", name, what, strerror(errno));
}

void tcp_liveness_apply(int fd, const conn_net *net, const char *name)
{
    if (fd < 0 || !is_tcp(fd))
        return;
    set_int(fd, SOL_SOCKET, SO_KEEPALIVE, net->keepalives ? 1 : 0, "SO_KEEPALIVE", name);
    if (net->keepalives) {
        set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, net->keepalives_idle, "TCP_KEEPIDLE", name);
        set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, net->keepalives_interval, "TCP_KEEPINTVL", name);
        set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, net->keepalives_count, "TCP_KEEPCNT", name);
    }
    set_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, net->tcp_user_timeout_ms, "TCP_USER_TIMEOUT", name);
}

static bool tcp_info_of(int fd, struct tcp_info *ti)
{
    socklen_t len = sizeof *ti;
    memset(ti, 0, sizeof *ti);
    return fd >= 0 && is_tcp(fd) && getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len) == 0;
}

bool tcp_liveness_path_silent(int fd)
{
    struct tcp_info ti;
    if (!tcp_info_of(fd, &ti))
        return false;
    return ti.tcpi_retransmits > 0 || ti.tcpi_probes > 0 || ti.tcpi_backoff > 0;
}

bool tcp_liveness_idle_ok(int fd, const char **why)
{
    *why = "no socket";
    if (fd < 0)
        return false;
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLRDHUP};
    int n = poll(&p, 1, 0);
    if (n < 0 || (n > 0 && p.revents != 0)) {
        *why = (p.revents & (POLLERR | POLLHUP | POLLRDHUP)) ? "closed" : "data arrived while idle";
        return false;
    }
    struct tcp_info ti;
    *why = NULL;
    if (!tcp_info_of(fd, &ti))
        return true;
    /* Probes or data the peer has not acknowledged in time: the path is silent. Data
     * merely not yet acknowledged is not a sign: a COM_STMT_CLOSE, which has no reply,
     * waits for the peer's delayed ACK. */
    if (ti.tcpi_state != TCP_ESTABLISHED)
        *why = "not established";
    else if (ti.tcpi_probes > 0)
        *why = "keepalive probes unanswered";
    else if (ti.tcpi_retransmits > 0 || ti.tcpi_backoff > 0)
        *why = "data retransmitted, unacknowledged";
    return *why == NULL;
}
