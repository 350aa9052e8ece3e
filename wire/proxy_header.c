/*
 * PROXY protocol headers (see proxy_header.h). Strict: a header that does not
 * follow the specification closes the connection, as HAProxy's own receiver
 * does; nothing after the header is looked at.
 */
#include "wire/proxy_header.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t v2_signature[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                         0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
static const char v1_prefix[] = "PROXY ";

static proxy_header_status invalid(const char **why, const char *text)
{
    *why = text;
    return PROXY_HEADER_INVALID;
}

/* ---- Version 1 --------------------------------------------------------------- */

/* The next space-separated field of [*p, end); false when empty or too long. */
static bool v1_field(const char **p, const char *end, char *out, size_t cap)
{
    const char *s = *p;
    const char *e = s;
    while (e < end && *e != ' ')
        e++;
    if (e == s || (size_t)(e - s) >= cap)
        return false;
    memcpy(out, s, (size_t)(e - s));
    out[e - s] = '\0';
    *p = e < end ? e + 1 : e;
    return true;
}

/* A port: 1 to 5 digits, no sign, no leading zero (but "0"), at most 65535. */
static bool v1_port(const char *text, uint16_t *out)
{
    size_t n = strlen(text);
    if (n == 0 || n > 5 || (n > 1 && text[0] == '0'))
        return false;
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(text[i] - '0');
    }
    if (v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}

static proxy_header_status v1_fields(const char *p, const char *end, proxy_header *h,
                                     const char **why)
{
    char proto[8], src[PROXY_ADDR_TEXT], dst[PROXY_ADDR_TEXT], sport[8], dport[8];
    if (!v1_field(&p, end, proto, sizeof proto))
        return invalid(why, "PROXY v1: no protocol (TCP4, TCP6 or UNKNOWN)");
    if (strcmp(proto, "UNKNOWN") == 0)
        return PROXY_HEADER_OK; /* the rest of the line is to be ignored */
    int family = strcmp(proto, "TCP4") == 0 ? 4 : strcmp(proto, "TCP6") == 0 ? 6 : 0;
    if (!family)
        return invalid(why, "PROXY v1: the protocol must be TCP4, TCP6 or UNKNOWN");
    if (!v1_field(&p, end, src, sizeof src) || !v1_field(&p, end, dst, sizeof dst) ||
        !v1_field(&p, end, sport, sizeof sport) || !v1_field(&p, end, dport, sizeof dport) ||
        p != end)
        return invalid(why, "PROXY v1: expected 'PROXY TCPn SRC DST SPORT DPORT'");
    int af = family == 4 ? AF_INET : AF_INET6;
    if (inet_pton(af, src, h->src) != 1 || inet_pton(af, dst, h->dst) != 1)
        return invalid(why, "PROXY v1: an address is not of the protocol's family");
    if (!v1_port(sport, &h->src_port) || !v1_port(dport, &h->dst_port))
        return invalid(why, "PROXY v1: a port is not a number from 0 to 65535");
    h->has_addr = true;
    h->family = family;
    snprintf(h->src_text, sizeof h->src_text, "%s", src);
    return PROXY_HEADER_OK;
}

static proxy_header_status parse_v1(const uint8_t *data, size_t len, proxy_header *h,
                                    const char **why)
{
    size_t limit = len < PROXY_HEADER_V1_MAX ? len : PROXY_HEADER_V1_MAX;
    size_t cr = 0;
    while (cr + 1 < limit && !(data[cr] == '\r' && data[cr + 1] == '\n'))
        cr++;
    if (cr + 1 >= limit) {
        if (len >= PROXY_HEADER_V1_MAX)
            return invalid(why, "PROXY v1: no CRLF within 107 bytes");
        return PROXY_HEADER_NEED_MORE;
    }
    for (size_t i = 0; i < cr; i++)
        if (data[i] < 0x20 || data[i] > 0x7e)
            return invalid(why, "PROXY v1: a byte that is not printable ASCII");
    h->version = 1;
    h->length = cr + 2;
    const char *p = (const char *)data + strlen(v1_prefix);
    return v1_fields(p, (const char *)data + cr, h, why);
}

/* ---- Version 2 --------------------------------------------------------------- */

static proxy_header_status v2_addresses(const uint8_t *body, size_t blen, uint8_t fam,
                                        proxy_header *h, const char **why)
{
    size_t alen = fam == 1 ? 4 : 16;
    if (blen < 2 * alen + 4)
        return invalid(why, "PROXY v2: the length is too short for the addresses");
    memcpy(h->src, body, alen);
    memcpy(h->dst, body + alen, alen);
    h->src_port = (uint16_t)(body[2 * alen] << 8 | body[2 * alen + 1]);
    h->dst_port = (uint16_t)(body[2 * alen + 2] << 8 | body[2 * alen + 3]);
    h->family = fam == 1 ? 4 : 6;
    h->has_addr = true;
    if (!inet_ntop(fam == 1 ? AF_INET : AF_INET6, h->src, h->src_text, sizeof h->src_text))
        return invalid(why, "PROXY v2: an address cannot be printed");
    return PROXY_HEADER_OK;
}

static proxy_header_status parse_v2(const uint8_t *data, size_t len, proxy_header *h,
                                    const char **why)
{
    if (len < 16)
        return PROXY_HEADER_NEED_MORE;
    uint8_t ver = data[12] >> 4, cmd = data[12] & 0x0F;
    uint8_t fam = data[13] >> 4, transport = data[13] & 0x0F;
    size_t blen = (size_t)data[14] << 8 | data[15];
    if (ver != 2)
        return invalid(why, "PROXY v2: the version must be 2");
    if (cmd > 1)
        return invalid(why, "PROXY v2: the command must be LOCAL or PROXY");
    if (fam > 3 || transport > 2)
        return invalid(why, "PROXY v2: unknown address family or transport");
    if (16 + blen > PROXY_HEADER_MAX)
        return invalid(why, "PROXY v2: header longer than 536 bytes");
    if (len < 16 + blen)
        return PROXY_HEADER_NEED_MORE;
    h->version = 2;
    h->length = 16 + blen;
    /* LOCAL: the balancer speaks for itself (its health check); UNSPEC and
     * AF_UNIX carry no address we could use; TLVs after the addresses are skipped. */
    if (cmd == 0 || fam == 0 || fam == 3)
        return PROXY_HEADER_OK;
    return v2_addresses(data + 16, blen, fam, h, why);
}

proxy_header_status proxy_header_parse(const uint8_t *data, size_t len, proxy_header *out,
                                       const char **why)
{
    memset(out, 0, sizeof *out);
    *why = NULL;
    size_t n1 = len < 6 ? len : 6, n2 = len < 12 ? len : 12;
    if (memcmp(data, v1_prefix, n1) == 0)
        return len < 6 ? PROXY_HEADER_NEED_MORE : parse_v1(data, len, out, why);
    if (memcmp(data, v2_signature, n2) == 0)
        return len < 12 ? PROXY_HEADER_NEED_MORE : parse_v2(data, len, out, why);
    return invalid(why, "no PROXY protocol header (neither v1 nor v2)");
}

/* ---- Address ranges --------------------------------------------------------- */

bool proxy_cidr_parse(const char *text, proxy_cidr *out)
{
    char addr[PROXY_ADDR_TEXT];
    const char *slash = strchr(text, '/');
    size_t alen = slash ? (size_t)(slash - text) : strlen(text);
    if (alen == 0 || alen >= sizeof addr)
        return false;
    memcpy(addr, text, alen);
    addr[alen] = '\0';
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, addr, out->addr) == 1)
        out->family = 4;
    else if (inet_pton(AF_INET6, addr, out->addr) == 1)
        out->family = 6;
    else
        return false;
    unsigned max = out->family == 4 ? 32 : 128;
    out->bits = max;
    if (slash) {
        const char *b = slash + 1;
        size_t nb = strlen(b);
        if (nb == 0 || nb > 3)
            return false;
        unsigned v = 0;
        for (size_t i = 0; i < nb; i++) {
            if (b[i] < '0' || b[i] > '9')
                return false;
            v = v * 10 + (unsigned)(b[i] - '0');
        }
        if (v > max)
            return false;
        out->bits = v;
    }
    return true;
}

static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
    unsigned whole = bits / 8, rest = bits % 8;
    if (memcmp(a, b, whole) != 0)
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xFF << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

bool proxy_cidr_match(const proxy_cidr *c, int family, const uint8_t *addr)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    if (family == 6 && c->family == 4 && memcmp(addr, mapped, 12) == 0)
        return prefix_equal(c->addr, addr + 12, c->bits);
    if (family != c->family)
        return false;
    return prefix_equal(c->addr, addr, c->bits);
}
