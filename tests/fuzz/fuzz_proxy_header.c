/*
 * Fuzz target: the bytes a load balancer (or anyone) sends first on a
 * connection to a server with `listen.proxy_protocol: true`, parsed by
 * wire/proxy_header.c before the MySQL greeting. Checks: a header never
 * claims more bytes than it was given nor more than the bounds (107 for v1,
 * 536 for v2); an address it reports is printable and re-parses to the same
 * bytes; every prefix of a valid header asks for more bytes; the input is
 * also tried as an address range of listen.proxy_protocol_from.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/support.h"
#include "wire/proxy_header.h"

static void check_header(const uint8_t *data, size_t size, const proxy_header *h)
{
    assert(h->length > 0 && h->length <= size);
    assert(h->length <= (h->version == 1 ? PROXY_HEADER_V1_MAX : PROXY_HEADER_MAX));
    if (h->has_addr) {
        uint8_t again[16];
        int af = h->family == 4 ? AF_INET : AF_INET6;
        assert(memchr(h->src_text, '\0', sizeof h->src_text));
        assert(inet_pton(af, h->src_text, again) == 1);
        assert(memcmp(again, h->src, h->family == 4 ? 4 : 16) == 0);
    }
    for (size_t n = 1; n < h->length; n++) {
        proxy_header p;
        const char *why;
        assert(proxy_header_parse(data, n, &p, &why) == PROXY_HEADER_NEED_MORE);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    proxy_header h;
    const char *why = NULL;
    proxy_header_status st = proxy_header_parse(data, size, &h, &why);
    if (st == PROXY_HEADER_OK)
        check_header(data, size, &h);
    else if (st == PROXY_HEADER_INVALID)
        assert(why && why[0]);
    else
        assert(size < PROXY_HEADER_MAX);
    char text[64];
    size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, n);
    text[n] = '\0';
    proxy_cidr c;
    if (proxy_cidr_parse(text, &c)) {
        assert(c.family == 4 || c.family == 6);
        assert(c.bits <= (c.family == 4 ? 32u : 128u));
        assert(proxy_cidr_match(&c, c.family, c.addr));
    }
    return 0;
}
