/*
 * wire/proxy_header.c: PROXY protocol v1 and v2 headers, and the address
 * ranges of listen.proxy_protocol_from. Table-driven: each case is bytes in,
 * a status (and for a header, the address and length) out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>
#include <arpa/inet.h>

#include "wire/proxy_header.h"

#define SIG "\r\n\r\n\0\r\nQUIT\n"

typedef struct header_case {
    const char *name;
    const char *bytes;
    size_t len; /* 0: strlen(bytes) */
    proxy_header_status status;
    const char *src; /* expected source address; NULL: none (keep the socket's) */
    uint16_t sport;
    size_t length; /* bytes taken, when OK */
} header_case;

#define V2(cmdfam, lenhi, lenlo, body) SIG cmdfam lenhi lenlo body

static const header_case cases[] = {
    {"v1 tcp4", "PROXY TCP4 10.1.2.3 127.0.0.1 51234 3306\r\n", 0, PROXY_HEADER_OK, "10.1.2.3",
     51234, 42},
    {"v1 tcp4 then mysql bytes", "PROXY TCP4 10.1.2.3 127.0.0.1 1 2\r\nXYZ", 0, PROXY_HEADER_OK,
     "10.1.2.3", 1, 35},
    {"v1 tcp6", "PROXY TCP6 2001:db8::1 ::1 65535 3306\r\n", 0, PROXY_HEADER_OK, "2001:db8::1",
     65535, 39},
    {"v1 unknown", "PROXY UNKNOWN\r\n", 0, PROXY_HEADER_OK, NULL, 0, 15},
    {"v1 unknown with addresses", "PROXY UNKNOWN ffff::1 ::1 1 2\r\n", 0, PROXY_HEADER_OK, NULL, 0,
     31},
    {"v1 partial", "PROXY TCP4 10.1.2.3", 0, PROXY_HEADER_NEED_MORE, NULL, 0, 0},
    {"v1 prefix only", "PRO", 0, PROXY_HEADER_NEED_MORE, NULL, 0, 0},
    {"v1 wrong family address", "PROXY TCP4 ::1 127.0.0.1 1 2\r\n", 0, PROXY_HEADER_INVALID, NULL,
     0, 0},
    {"v1 port too large", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", 0, PROXY_HEADER_INVALID, NULL,
     0, 0},
    {"v1 port leading zero", "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", 0, PROXY_HEADER_INVALID, NULL,
     0, 0},
    {"v1 missing port", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", 0, PROXY_HEADER_INVALID, NULL, 0, 0},
    {"v1 extra field", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", 0, PROXY_HEADER_INVALID, NULL, 0, 0},
    {"v1 bad protocol", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", 0, PROXY_HEADER_INVALID, NULL, 0, 0},
    {"v1 empty", "PROXY \r\n", 0, PROXY_HEADER_INVALID, NULL, 0, 0},
    {"v1 no crlf in 107 bytes",
     "PROXY UNKNOWN xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
     0, PROXY_HEADER_INVALID, NULL, 0, 0},
    {"mysql client speaking first", "\x55\x00\x00\x01\x85\xa6", 6, PROXY_HEADER_INVALID, NULL, 0,
     0},
    {"v2 tcp4", V2("\x21\x11", "\x00", "\x0c", "\x0a\x01\x02\x03\x7f\x00\x00\x01\xc8\x22\x0c\xea"),
     28, PROXY_HEADER_OK, "10.1.2.3", 51234, 28},
    {"v2 tcp4 with a TLV",
     V2("\x21\x11", "\x00", "\x10",
        "\x0a\x01\x02\x03\x7f\x00\x00\x01\xc8\x22\x0c\xea\x04\x00\x01\x00"),
     32, PROXY_HEADER_OK, "10.1.2.3", 51234, 32},
    {"v2 tcp6",
     V2("\x21\x21", "\x00", "\x24",
        "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"
        "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x50\x0c\xea"),
     52, PROXY_HEADER_OK, "2001:db8::1", 80, 52},
    {"v2 local", V2("\x20\x00", "\x00", "\x00", ""), 16, PROXY_HEADER_OK, NULL, 0, 16},
    {"v2 unix", V2("\x21\x31", "\x00", "\x00", ""), 16, PROXY_HEADER_OK, NULL, 0, 16},
    {"v2 partial signature", SIG, 8, PROXY_HEADER_NEED_MORE, NULL, 0, 0},
    {"v2 partial body", V2("\x21\x11", "\x00", "\x0c", "\x0a\x01"), 18, PROXY_HEADER_NEED_MORE,
     NULL, 0, 0},
    {"v2 version 1",
     V2("\x11\x11", "\x00", "\x0c", "\x0a\x01\x02\x03\x7f\x00\x00\x01\xc8\x22\x0c\xea"), 28,
     PROXY_HEADER_INVALID, NULL, 0, 0},
    {"v2 command 2",
     V2("\x22\x11", "\x00", "\x0c", "\x0a\x01\x02\x03\x7f\x00\x00\x01\xc8\x22\x0c\xea"), 28,
     PROXY_HEADER_INVALID, NULL, 0, 0},
    {"v2 tcp4 too short", V2("\x21\x11", "\x00", "\x04", "\x0a\x01\x02\x03"), 20,
     PROXY_HEADER_INVALID, NULL, 0, 0},
    {"v2 over 536 bytes", V2("\x21\x11", "\x02", "\x09", ""), 16, PROXY_HEADER_INVALID, NULL, 0, 0},
};

static void test_headers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const header_case *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->bytes);
        proxy_header h;
        const char *why;
        proxy_header_status st = proxy_header_parse((const uint8_t *)c->bytes, len, &h, &why);
        print_message("case: %s\n", c->name);
        assert_int_equal(st, c->status);
        if (st == PROXY_HEADER_INVALID)
            assert_non_null(why);
        if (st != PROXY_HEADER_OK)
            continue;
        assert_int_equal(h.length, c->length);
        assert_int_equal(h.has_addr, c->src != NULL);
        if (c->src) {
            assert_string_equal(h.src_text, c->src);
            assert_int_equal(h.src_port, c->sport);
        }
    }
}

/* Every prefix of a valid header asks for more, never for a verdict. */
static void test_every_prefix_needs_more(void **state)
{
    (void)state;
    const char *v1 = "PROXY TCP4 10.1.2.3 127.0.0.1 51234 3306\r\n";
    const char v2[] =
        V2("\x21\x11", "\x00", "\x0c", "\x0a\x01\x02\x03\x7f\x00\x00\x01\xc8\x22\x0c\xea");
    proxy_header h;
    const char *why;
    for (size_t n = 1; n < strlen(v1); n++)
        assert_int_equal(proxy_header_parse((const uint8_t *)v1, n, &h, &why),
                         PROXY_HEADER_NEED_MORE);
    for (size_t n = 1; n < 28; n++)
        assert_int_equal(proxy_header_parse((const uint8_t *)v2, n, &h, &why),
                         PROXY_HEADER_NEED_MORE);
}

typedef struct cidr_case {
    const char *range;
    bool valid;
    const char *addr; /* tested against the range */
    int family;
    bool match;
} cidr_case;

static const cidr_case cidrs[] = {
    {"127.0.0.1", true, "127.0.0.1", 4, true},
    {"127.0.0.1", true, "127.0.0.2", 4, false},
    {"127.0.0.0/8", true, "127.9.8.7", 4, true},
    {"10.0.0.0/8", true, "11.0.0.1", 4, false},
    {"10.1.2.0/23", true, "10.1.3.255", 4, true},
    {"10.1.2.0/23", true, "10.1.4.0", 4, false},
    {"0.0.0.0/0", true, "203.0.113.9", 4, true},
    {"127.0.0.0/8", true, "::ffff:127.0.0.1", 6, true},
    {"::1", true, "::1", 6, true},
    {"::1", true, "127.0.0.1", 4, false},
    {"2001:db8::/32", true, "2001:db8:ffff::1", 6, true},
    {"2001:db8::/32", true, "2001:db9::1", 6, false},
    {"10.0.0.0/33", false, NULL, 0, false},
    {"::/129", false, NULL, 0, false},
    {"10.0.0.0/", false, NULL, 0, false},
    {"10.0.0.0/x", false, NULL, 0, false},
    {"localhost", false, NULL, 0, false},
    {"", false, NULL, 0, false},
};

static void test_cidr(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cidrs / sizeof cidrs[0]; i++) {
        const cidr_case *c = &cidrs[i];
        proxy_cidr r;
        print_message("range: %s\n", c->range);
        assert_int_equal(proxy_cidr_parse(c->range, &r), c->valid);
        if (!c->valid)
            continue;
        uint8_t a[16] = {0};
        assert_int_equal(inet_pton(c->family == 4 ? AF_INET : AF_INET6, c->addr, a), 1);
        assert_int_equal(proxy_cidr_match(&r, c->family, a), c->match);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_every_prefix_needs_more),
        cmocka_unit_test(test_cidr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
