/*
 * The PROXY protocol (HAProxy's, versions 1 and 2): the header a load balancer
 * sends first on a connection it opened to us, naming the client it carries.
 * Pure parsing of bytes: the session (proxy/session/client.c) reads them off
 * the socket, decides whether the peer may send one at all, and uses the
 * address. Reference: https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt
 *
 *   v1: "PROXY TCP4 192.0.2.1 198.51.100.2 51234 3306\r\n" (TCP6 likewise;
 *       "PROXY UNKNOWN ...\r\n": keep the socket's own address); at most 107 bytes.
 *   v2: a 12-byte signature, version/command, family/transport, a 16-bit
 *       length, then the addresses and TLVs (skipped). LOCAL (a health check
 *       of the balancer itself) keeps the socket's address, as do the
 *       families other than AF_INET and AF_INET6.
 */
#ifndef MIMIR_WIRE_PROXY_HEADER_H
#define MIMIR_WIRE_PROXY_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* v1 is at most 107 bytes; Mimir accepts a v2 header of at most 536 (16 + 520). */
#define PROXY_HEADER_V1_MAX 107
#define PROXY_HEADER_MAX    536
/* Room for an IPv6 address in text (INET6_ADDRSTRLEN). */
#define PROXY_ADDR_TEXT 46

typedef enum proxy_header_status {
    PROXY_HEADER_NEED_MORE, /* a valid beginning: wait for more bytes */
    PROXY_HEADER_OK,
    PROXY_HEADER_INVALID, /* not a PROXY header, or a malformed one (why says which) */
} proxy_header_status;

typedef struct proxy_header {
    int version;   /* 1 or 2 */
    bool has_addr; /* false: LOCAL, UNKNOWN, UNSPEC or AF_UNIX: use the socket's address */
    int family;    /* 4 or 6 when has_addr */
    uint8_t src[16], dst[16]; /* network order; 4 bytes used for IPv4 */
    char src_text[PROXY_ADDR_TEXT];
    uint16_t src_port, dst_port;
    size_t length; /* bytes of the input the header took */
} proxy_header;

/* Parses the start of data; on INVALID, *why (a static string) says what is wrong. */
proxy_header_status proxy_header_parse(const uint8_t *data, size_t len, proxy_header *out,
                                       const char **why);

/* An address or a CIDR range of `listen.proxy_protocol_from` ("127.0.0.1", "10.0.0.0/8", "::1"). */
typedef struct proxy_cidr {
    int family; /* 4 or 6 */
    uint8_t addr[16];
    unsigned bits;
} proxy_cidr;

bool proxy_cidr_parse(const char *text, proxy_cidr *out);
/* Does the address (family 4 or 6, network order) fall in the range? An IPv4-mapped
 * IPv6 address (::ffff:a.b.c.d) matches IPv4 ranges. */
bool proxy_cidr_match(const proxy_cidr *c, int family, const uint8_t *addr);

#endif
