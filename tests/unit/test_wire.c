/*
 * Unit tests for wire/: buffer, framing, codecs, connection phase, native
 * password and response encoders. Expected bytes are written out by hand from
 * the protocol documentation, never produced by the code under test, so a
 * symmetric bug in an encoder and its decoder cannot hide.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "wire/buf.h"
#include "wire/protocol.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* --- helpers ----------------------------------------------------------- */

/* A heap copy of exactly len bytes, so ASan flags any read past the end. */
static uint8_t *exact_copy(const uint8_t *data, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    if (len)
        memcpy(p, data, len);
    return p;
}

static uint8_t pattern_byte(size_t i)
{
    return (uint8_t)(i * 31u + 7u + (i >> 16));
}

static uint32_t u24_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

/* --- buf --------------------------------------------------------------- */

static void test_buf_basics(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    assert_string_equal(buf_cstr(&b), "");
    buf_append(&b, NULL, 0);
    buf_append_str(&b, "ab");
    buf_append_byte(&b, 'c');
    buf_printf(&b, "-%d-%s", 42, "x");
    assert_int_equal(b.len, 8);
    assert_string_equal(buf_cstr(&b), "abc-42-x");

    /* Longer than any initial capacity: exercises the second vsnprintf pass. */
    char big[300];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf_printf(&b, "%s", big);
    assert_int_equal(b.len, 8 + 299);
    assert_int_equal(strlen(buf_cstr(&b)), 8 + 299);

    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_true(b.cap >= 307);
    buf_put_u16(&b, 0x0201);
    buf_put_u24(&b, 0x050403);
    buf_put_u32(&b, 0x09080706);
    buf_put_u64(&b, 0x11100f0e0d0c0b0aull);
    static const uint8_t le[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
    assert_int_equal(b.len, sizeof le);
    assert_memory_equal(b.data, le, sizeof le);

    char *s = buf_detach(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(s[sizeof le], '\0');
    free(s);
    buf_free(&b);
}

/* --- lenenc ------------------------------------------------------------ */

struct lenenc_case {
    uint64_t value;
    size_t len;
    uint8_t bytes[9];
};

static const struct lenenc_case lenenc_cases[] = {
    {0, 1, {0x00}},
    {250, 1, {0xFA}},
    {251, 3, {0xFC, 0xFB, 0x00}},
    {0xFFFF, 3, {0xFC, 0xFF, 0xFF}},
    {0x10000, 4, {0xFD, 0x00, 0x00, 0x01}},
    {0xFFFFFF, 4, {0xFD, 0xFF, 0xFF, 0xFF}},
    {0x1000000, 9, {0xFE, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00}},
    {UINT64_MAX, 9, {0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
};

static void test_lenenc_int(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < ARRAY_LEN(lenenc_cases); i++) {
        const struct lenenc_case *tc = &lenenc_cases[i];
        buf_reset(&b);
        wire_put_lenenc_int(&b, tc->value);
        assert_int_equal(b.len, tc->len);
        assert_memory_equal(b.data, tc->bytes, tc->len);

        wire_cursor c;
        uint64_t v = 1;
        bool is_null = true;
        wire_cursor_init(&c, tc->bytes, tc->len);
        assert_true(wire_get_lenenc_int(&c, &v, &is_null));
        assert_int_equal(v, tc->value);
        assert_false(is_null);
        assert_int_equal(wire_cursor_left(&c), 0);

        /* is_null is optional for callers that never expect NULL. */
        wire_cursor_init(&c, tc->bytes, tc->len);
        assert_true(wire_get_lenenc_int(&c, &v, NULL));
        assert_int_equal(v, tc->value);

        for (size_t cut = 0; cut < tc->len; cut++) {
            uint8_t *p = exact_copy(tc->bytes, cut);
            wire_cursor_init(&c, p, cut);
            assert_false(wire_get_lenenc_int(&c, &v, &is_null));
            assert_int_equal(wire_cursor_left(&c), cut);
            free(p);
        }
    }
    buf_free(&b);
}

static void test_lenenc_special_bytes(void **state)
{
    (void)state;
    static const uint8_t null_byte[] = {0xFB};
    static const uint8_t err_byte[] = {0xFF, 0x00, 0x00};
    wire_cursor c;
    uint64_t v = 7;
    bool is_null = false;

    wire_cursor_init(&c, null_byte, 1);
    assert_true(wire_get_lenenc_int(&c, &v, &is_null));
    assert_true(is_null);
    assert_int_equal(v, 0);

    wire_cursor_init(&c, null_byte, 1);
    assert_false(wire_get_lenenc_int(&c, &v, NULL));
    assert_int_equal(wire_cursor_left(&c), 1);

    wire_cursor_init(&c, err_byte, sizeof err_byte);
    assert_false(wire_get_lenenc_int(&c, &v, &is_null));
}

static void test_lenenc_str(void **state)
{
    (void)state;
    static const size_t lengths[] = {0, 1, 250, 251, 0xFFFF, 0x10000};
    buf b, src;
    buf_init(&b);
    buf_init(&src);
    for (size_t i = 0; i < ARRAY_LEN(lengths); i++) {
        buf_reset(&b);
        buf_reset(&src);
        for (size_t k = 0; k < lengths[i]; k++)
            buf_append_byte(&src, pattern_byte(k));
        wire_put_lenenc_str(&b, src.data, src.len);
        buf_append_byte(&b, 0x99); /* a trailing byte that must be left alone */

        wire_cursor c;
        const uint8_t *s;
        size_t len;
        wire_cursor_init(&c, b.data, b.len);
        assert_true(wire_get_lenenc_str(&c, &s, &len));
        assert_int_equal(len, lengths[i]);
        if (len)
            assert_memory_equal(s, src.data, len);
        assert_int_equal(wire_cursor_left(&c), 1);

        /* One byte short: fails and the cursor does not move. */
        wire_cursor_init(&c, b.data, b.len - 2);
        if (lengths[i] > 0) {
            assert_false(wire_get_lenenc_str(&c, &s, &len));
            assert_int_equal(wire_cursor_left(&c), b.len - 2);
        }
    }

    buf_reset(&b);
    wire_put_lenenc_cstr(&b, NULL);
    wire_put_lenenc_cstr(&b, "def");
    static const uint8_t expect[] = {0x00, 0x03, 'd', 'e', 'f'};
    assert_int_equal(b.len, sizeof expect);
    assert_memory_equal(b.data, expect, sizeof expect);
    buf_free(&b);
    buf_free(&src);
}

static void test_cursor_getters(void **state)
{
    (void)state;
    static const uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                   0x07, 'h',  'i',  0x00, 'n',  'o'};
    wire_cursor c;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    const uint8_t *bytes;
    const char *s;
    size_t len;

    wire_cursor_init(&c, data, sizeof data);
    assert_true(wire_get_u8(&c, &u8));
    assert_int_equal(u8, 0x01);
    assert_true(wire_get_u16(&c, &u16));
    assert_int_equal(u16, 0x0302);
    assert_true(wire_get_u32(&c, &u32));
    assert_int_equal(u32, 0x07060504);
    assert_true(wire_get_cstr(&c, &s, &len));
    assert_string_equal(s, "hi");
    assert_int_equal(len, 2);
    /* "no" has no NUL before the end. */
    assert_false(wire_get_cstr(&c, &s, &len));
    assert_int_equal(wire_cursor_left(&c), 2);
    assert_false(wire_get_bytes(&c, 3, &bytes));
    assert_false(wire_get_u32(&c, &u32));
    assert_true(wire_get_bytes(&c, 2, &bytes));
    assert_memory_equal(bytes, "no", 2);
    assert_false(wire_get_u8(&c, &u8));
    assert_false(wire_get_u16(&c, &u16));
    assert_false(wire_get_cstr(&c, &s, &len));
    assert_true(wire_get_bytes(&c, 0, &bytes));

    wire_cursor_init(&c, NULL, 0);
    assert_int_equal(wire_cursor_left(&c), 0);
    assert_false(wire_get_cstr(&c, &s, &len));
}

/* --- framing ----------------------------------------------------------- */

static const size_t frame_sizes[] = {
    0,
    1,
    1000,
    WIRE_MAX_PACKET - 1,
    WIRE_MAX_PACKET,
    WIRE_MAX_PACKET + 1,
    2 * WIRE_MAX_PACKET,
    2 * WIRE_MAX_PACKET + 5,
};

/* Frames a patterned payload of n bytes behind a 3-byte prefix (so the packet
 * does not start at offset 0 of the buffer) and returns where it begins. */
static size_t frame_payload(buf *out, size_t n, uint8_t *seq)
{
    buf_append(out, "pre", 3);
    size_t begin = wire_packet_begin(out);
    buf_reserve(out, n);
    for (size_t i = 0; i < n; i++)
        out->data[out->len + i] = pattern_byte(i);
    out->len += n;
    wire_packet_end(out, begin, seq);
    return begin;
}

static void test_framing_split(void **state)
{
    (void)state;
    buf out;
    buf_init(&out);
    for (size_t t = 0; t < ARRAY_LEN(frame_sizes); t++) {
        size_t n = frame_sizes[t];
        uint8_t seq = 254; /* crosses 255 -> 0 in the multi-packet cases */
        buf_reset(&out);
        size_t begin = frame_payload(&out, n, &seq);
        assert_int_equal(begin, 3);
        assert_memory_equal(out.data, "pre", 3);

        size_t packets = n / WIRE_MAX_PACKET + 1;
        assert_int_equal(out.len, 3 + n + 4 * packets);
        assert_int_equal(seq, (uint8_t)(254 + packets));

        /* Walk the headers by hand and check every payload byte. */
        size_t at = begin, payload_pos = 0;
        for (size_t k = 0; k < packets; k++) {
            size_t expect_len =
                n - payload_pos < WIRE_MAX_PACKET ? n - payload_pos : WIRE_MAX_PACKET;
            assert_int_equal(u24_at(out.data + at), expect_len);
            assert_int_equal(out.data[at + 3], (uint8_t)(254 + k));
            const uint8_t *p = out.data + at + 4;
            for (size_t i = 0; i < expect_len; i++) {
                if (p[i] != pattern_byte(payload_pos + i))
                    fail_msg("size %zu: byte %zu of packet %zu", n, i, k);
            }
            payload_pos += expect_len;
            at += 4 + expect_len;
        }
        assert_int_equal(at, out.len);
        assert_int_equal(payload_pos, n);
        /* Exact multiples end with an empty trailer packet. */
        if (n > 0 && n % WIRE_MAX_PACKET == 0)
            assert_int_equal(u24_at(out.data + out.len - 4), 0);
    }
    buf_free(&out);
}

static void test_framing_reassembly(void **state)
{
    (void)state;
    buf out, payload;
    buf_init(&out);
    buf_init(&payload);
    for (size_t t = 0; t < ARRAY_LEN(frame_sizes); t++) {
        size_t n = frame_sizes[t];
        uint8_t seq = 254;
        buf_reset(&out);
        size_t begin = frame_payload(&out, n, &seq);
        /* A second packet right behind: only the first may be consumed. */
        uint8_t next_seq = 9;
        size_t second = wire_packet_begin(&out);
        buf_append_str(&out, "next");
        wire_packet_end(&out, second, &next_seq);

        const uint8_t *data = out.data + begin;
        size_t avail = out.len - begin, whole = second - begin;
        size_t consumed = 0;
        uint8_t last_seq = 0;

        buf_reset(&payload);
        assert_int_equal(
            wire_read_packet(data, avail, 3 * WIRE_MAX_PACKET, 254, &consumed, &payload, &last_seq),
            WIRE_PACKET);
        assert_int_equal(consumed, whole);
        assert_int_equal(last_seq, (uint8_t)(seq - 1));
        assert_int_equal(payload.len, n);
        for (size_t i = 0; i < n; i++) {
            if (payload.data[i] != pattern_byte(i))
                fail_msg("size %zu: reassembled byte %zu", n, i);
        }

        buf_reset(&payload);
        assert_int_equal(wire_read_packet(data + consumed, avail - consumed, 16, 9, &consumed,
                                          &payload, &last_seq),
                         WIRE_PACKET);
        assert_int_equal(payload.len, 4);
        assert_memory_equal(payload.data, "next", 4);
        assert_int_equal(last_seq, 9);

        /* Every strict prefix of the first logical packet is NEED_MORE and
         * leaves payload alone. */
        buf_reset(&payload);
        for (size_t cut = 0; cut < whole; cut++) {
            wire_read_status st = wire_read_packet(data, cut, 3 * WIRE_MAX_PACKET, 254, &consumed,
                                                   &payload, &last_seq);
            if (st != WIRE_NEED_MORE)
                fail_msg("size %zu: prefix %zu gave %d", n, cut, (int)st);
        }
        assert_int_equal(payload.len, 0);
    }
    buf_free(&out);
    buf_free(&payload);
}

static void test_framing_sequence_errors(void **state)
{
    (void)state;
    buf out, payload;
    buf_init(&out);
    buf_init(&payload);
    size_t consumed = 0;
    uint8_t seq = 3, last = 0;

    size_t begin = wire_packet_begin(&out);
    buf_append_str(&out, "abc");
    wire_packet_end(&out, begin, &seq);
    assert_int_equal(wire_read_packet(out.data, out.len, 100, 4, &consumed, &payload, &last),
                     WIRE_OUT_OF_ORDER);
    /* Detected from the header alone, before the payload arrives. */
    assert_int_equal(wire_read_packet(out.data, 4, 100, 4, &consumed, &payload, &last),
                     WIRE_OUT_OF_ORDER);
    assert_int_equal(wire_read_packet(out.data, out.len, 100, -1, &consumed, &payload, &last),
                     WIRE_PACKET);
    assert_int_equal(last, 3);

    /* A split payload whose second packet skips a sequence id is broken even
     * when the caller does not check the first one. */
    buf_reset(&out);
    seq = 0;
    frame_payload(&out, WIRE_MAX_PACKET + 10, &seq);
    const uint8_t *data = out.data + 3;
    size_t avail = out.len - 3;
    out.data[3 + 4 + WIRE_MAX_PACKET + 3] = 5;
    for (int expect = -1; expect <= 0; expect++) {
        buf_reset(&payload);
        assert_int_equal(
            wire_read_packet(data, avail, 2 * WIRE_MAX_PACKET, expect, &consumed, &payload, &last),
            WIRE_OUT_OF_ORDER);
        assert_int_equal(payload.len, 0);
    }
    buf_free(&out);
    buf_free(&payload);
}

static void test_framing_max_payload(void **state)
{
    (void)state;
    buf out, payload;
    buf_init(&out);
    buf_init(&payload);
    size_t consumed = 0;
    uint8_t seq = 0, last = 0;

    size_t begin = wire_packet_begin(&out);
    for (int i = 0; i < 100; i++)
        buf_append_byte(&out, 'x');
    wire_packet_end(&out, begin, &seq);
    assert_int_equal(wire_read_packet(out.data, out.len, 99, 0, &consumed, &payload, &last),
                     WIRE_TOO_LARGE);
    /* Rejected on the header: no need to buffer what will be refused. */
    assert_int_equal(wire_read_packet(out.data, 4, 99, 0, &consumed, &payload, &last),
                     WIRE_TOO_LARGE);
    assert_int_equal(payload.len, 0);
    assert_int_equal(wire_read_packet(out.data, out.len, 100, 0, &consumed, &payload, &last),
                     WIRE_PACKET);
    assert_int_equal(payload.len, 100);

    /* The bound is on the logical size, summed over split packets. */
    buf_reset(&out);
    buf_reset(&payload);
    seq = 0;
    frame_payload(&out, WIRE_MAX_PACKET + 1, &seq);
    assert_int_equal(
        wire_read_packet(out.data + 3, out.len - 3, WIRE_MAX_PACKET, 0, &consumed, &payload, &last),
        WIRE_TOO_LARGE);
    assert_int_equal(payload.len, 0);
    assert_int_equal(wire_read_packet(out.data + 3, out.len - 3, WIRE_MAX_PACKET + 1, 0, &consumed,
                                      &payload, &last),
                     WIRE_PACKET);
    assert_int_equal(payload.len, WIRE_MAX_PACKET + 1);
    buf_free(&out);
    buf_free(&payload);
}

static void test_framing_small_bytes(void **state)
{
    (void)state;
    buf out;
    buf_init(&out);
    uint8_t seq = 255;
    size_t begin = wire_packet_begin(&out);
    buf_append_byte(&out, COM_PING);
    wire_packet_end(&out, begin, &seq);
    static const uint8_t expect[] = {0x01, 0x00, 0x00, 0xFF, 0x0E};
    assert_int_equal(out.len, sizeof expect);
    assert_memory_equal(out.data, expect, sizeof expect);
    assert_int_equal(seq, 0);
    buf_free(&out);
}

/* --- handshake --------------------------------------------------------- */

static void test_handshake_v10_bytes(void **state)
{
    (void)state;
    wire_handshake hs = {
        .connection_id = 0x01020304,
        .server_version = "8.0.34-mimir",
        .capabilities = CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH |
                        CLIENT_DEPRECATE_EOF | CLIENT_LONG_PASSWORD,
        .charset = CHARSET_UTF8MB4_GENERAL_CI,
        .status = SERVER_STATUS_AUTOCOMMIT,
        .auth_plugin = "mysql_native_password",
    };
    for (int i = 0; i < 20; i++)
        hs.scramble[i] = (uint8_t)('A' + i);

    buf out;
    buf_init(&out);
    wire_write_handshake_v10(&out, &hs);

    static const uint8_t expect[] = {
        0x0A, '8',  '.',  '0',  '.',  '3', '4', '-', 'm',  'i', 'm', 'i', 'r',
        0x00, 0x04, 0x03, 0x02, 0x01,                         /* connection id */
        'A',  'B',  'C',  'D',  'E',  'F', 'G', 'H',          /* scramble part 1 */
        0x00,                                                 /* filler */
        0x01, 0x82,                                           /* caps low: 0x8201 */
        45,                                                   /* utf8mb4_general_ci */
        0x02, 0x00,                                           /* autocommit */
        0x08, 0x01,                                           /* caps high: 0x0108 */
        21,                                                   /* auth plugin data len */
        0,    0,    0,    0,    0,    0,   0,   0,   0,    0, /* reserved */
        'I',  'J',  'K',  'L',  'M',  'N', 'O', 'P', 'Q',  'R', 'S', 'T', 0x00, /* part 2 */
        'm',  'y',  's',  'q',  'l',  '_', 'n', 'a', 't',  'i', 'v', 'e', '_',
        'p',  'a',  's',  's',  'w',  'o', 'r', 'd', 0x00,
    };
    assert_int_equal(out.len, sizeof expect);
    assert_memory_equal(out.data, expect, sizeof expect);

    /* Without CLIENT_PLUGIN_AUTH: data length 0 and no plugin name. */
    buf_reset(&out);
    hs.capabilities &= ~CLIENT_PLUGIN_AUTH;
    wire_write_handshake_v10(&out, &hs);
    assert_int_equal(out.len, sizeof expect - 22);
    assert_int_equal(out.data[14 + 4 + 8 + 1 + 2 + 1 + 2 + 2], 0);
    assert_int_equal(out.data[out.len - 1], 0);
    assert_int_equal(out.data[out.len - 2], 'T');
    buf_free(&out);
}

static void test_auth_switch_bytes(void **state)
{
    (void)state;
    uint8_t scramble[20];
    for (int i = 0; i < 20; i++)
        scramble[i] = (uint8_t)(i + 1);
    buf out;
    buf_init(&out);
    wire_write_auth_switch(&out, "mysql_native_password", scramble);
    assert_int_equal(out.len, 1 + 21 + 1 + 20 + 1);
    assert_int_equal(out.data[0], 0xFE);
    assert_string_equal((const char *)out.data + 1, "mysql_native_password");
    assert_memory_equal(out.data + 23, scramble, 20);
    assert_int_equal(out.data[43], 0);
    buf_free(&out);
}

static void test_ssl_request(void **state)
{
    (void)state;
    uint8_t pkt[33] = {0};
    uint32_t caps = CLIENT_PROTOCOL_41 | CLIENT_SSL | CLIENT_SECURE_CONNECTION;
    for (int i = 0; i < 4; i++)
        pkt[i] = (uint8_t)(caps >> (8 * i));
    pkt[4 + 3] = 0x01; /* max packet 16 MiB */
    pkt[8] = CHARSET_UTF8MB4_GENERAL_CI;

    uint32_t got = 0;
    assert_true(wire_is_ssl_request(pkt, 32, &got));
    assert_int_equal(got, caps);
    assert_true(wire_is_ssl_request(pkt, 32, NULL));
    assert_false(wire_is_ssl_request(pkt, 33, &got));
    assert_false(wire_is_ssl_request(pkt, 31, &got));
    pkt[1] &= (uint8_t) ~(CLIENT_SSL >> 8);
    assert_false(wire_is_ssl_request(pkt, 32, &got));
}

/* Builds a HandshakeResponse41 the way libmariadb's send_client_reply_packet
 * does: fixed 32-byte prefix, user, auth in the encoding the flags select,
 * then db, plugin and the connect attributes. */
struct attr {
    const char *key, *value;
};

struct response_case {
    const char *name;
    uint32_t caps;
    const char *user;
    const uint8_t *auth;
    size_t auth_len;
    const char *db;
    const char *plugin;
    const struct attr *attrs;
    size_t n_attrs;
};

static uint8_t *store_lenenc(uint8_t *p, uint64_t v)
{
    if (v < 251) {
        *p++ = (uint8_t)v;
        return p;
    }
    /* Attributes and auth data in these tests stay below 64 KiB. */
    *p++ = 0xFC;
    *p++ = (uint8_t)v;
    *p++ = (uint8_t)(v >> 8);
    return p;
}

static uint8_t *store_cstr(uint8_t *p, const char *s)
{
    size_t n = strlen(s) + 1;
    memcpy(p, s, n);
    return p + n;
}

static size_t build_response(const struct response_case *tc, uint8_t *buff, uint8_t **attrs_at,
                             size_t *attrs_len)
{
    uint8_t *end = buff;
    for (int i = 0; i < 4; i++)
        *end++ = (uint8_t)(tc->caps >> (8 * i));
    *end++ = 0x00; /* max packet 0x01000000 */
    *end++ = 0x00;
    *end++ = 0x00;
    *end++ = 0x01;
    *end++ = CHARSET_UTF8MB4_GENERAL_CI;
    memset(end, 0, 23);
    end += 23;
    end = store_cstr(end, tc->user);
    if (tc->caps & CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)
        end = store_lenenc(end, tc->auth_len);
    else if (tc->caps & CLIENT_SECURE_CONNECTION)
        *end++ = (uint8_t)tc->auth_len;
    if (tc->auth_len) {
        memcpy(end, tc->auth, tc->auth_len);
        end += tc->auth_len;
    }
    if (!(tc->caps & (CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | CLIENT_SECURE_CONNECTION)))
        *end++ = 0; /* pre-4.1 scramble: NUL-terminated */
    if (tc->caps & CLIENT_CONNECT_WITH_DB)
        end = store_cstr(end, tc->db);
    if (tc->caps & CLIENT_PLUGIN_AUTH)
        end = store_cstr(end, tc->plugin);
    *attrs_at = NULL;
    *attrs_len = 0;
    if (tc->caps & CLIENT_CONNECT_ATTRS) {
        size_t total = 0;
        for (size_t i = 0; i < tc->n_attrs; i++) {
            size_t k = strlen(tc->attrs[i].key), v = strlen(tc->attrs[i].value);
            total += (k < 251 ? 1 : 3) + k + (v < 251 ? 1 : 3) + v;
        }
        end = store_lenenc(end, total);
        *attrs_at = end;
        *attrs_len = total;
        for (size_t i = 0; i < tc->n_attrs; i++) {
            size_t k = strlen(tc->attrs[i].key), v = strlen(tc->attrs[i].value);
            end = store_lenenc(end, k);
            memcpy(end, tc->attrs[i].key, k);
            end += k;
            end = store_lenenc(end, v);
            memcpy(end, tc->attrs[i].value, v);
            end += v;
        }
    }
    return (size_t)(end - buff);
}

static const uint8_t scramble20[20] = {0x8f, 0x01, 0xfe, 0x00, 0x33, 0x7a, 0x11, 0xfb, 0xff, 0x00,
                                       0x42, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
static const uint8_t old_auth[8] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
static const struct attr some_attrs[] = {
    {"_client_name", "libmariadb"},
    {"_client_version", "3.3.5"},
    {"_os", "Linux"},
    {"program_name", "mariadb"},
    {"a_long_one", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
};

#define BASE_CAPS                                                                                  \
    (CLIENT_LONG_PASSWORD | CLIENT_LONG_FLAG | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS |          \
     CLIENT_SECURE_CONNECTION | CLIENT_MULTI_RESULTS)

static const struct response_case response_cases[] = {
    {"secure, bare", BASE_CAPS, "root", scramble20, 20, NULL, NULL, NULL, 0},
    {"secure, empty auth", BASE_CAPS, "root", NULL, 0, NULL, NULL, NULL, 0},
    {"with db", BASE_CAPS | CLIENT_CONNECT_WITH_DB, "alice", scramble20, 20, "mimir", NULL, NULL,
     0},
    {"with empty db", BASE_CAPS | CLIENT_CONNECT_WITH_DB, "alice", scramble20, 20, "", NULL, NULL,
     0},
    {"with plugin", BASE_CAPS | CLIENT_PLUGIN_AUTH, "bob", scramble20, 20, NULL,
     "mysql_native_password", NULL, 0},
    {"with attrs", BASE_CAPS | CLIENT_CONNECT_ATTRS, "carol", scramble20, 20, NULL, NULL,
     some_attrs, ARRAY_LEN(some_attrs)},
    {"with empty attrs", BASE_CAPS | CLIENT_CONNECT_ATTRS, "carol", scramble20, 20, NULL, NULL,
     NULL, 0},
    {"libmariadb full",
     BASE_CAPS | CLIENT_CONNECT_WITH_DB | CLIENT_PLUGIN_AUTH | CLIENT_CONNECT_ATTRS, "root",
     scramble20, 20, "pagila", "mysql_native_password", some_attrs, ARRAY_LEN(some_attrs)},
    {"lenenc auth full",
     BASE_CAPS | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | CLIENT_CONNECT_WITH_DB |
         CLIENT_PLUGIN_AUTH | CLIENT_CONNECT_ATTRS | CLIENT_DEPRECATE_EOF,
     "dave", scramble20, 20, "db", "mysql_native_password", some_attrs, 2},
    {"lenenc auth empty", BASE_CAPS | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | CLIENT_PLUGIN_AUTH,
     "eve", NULL, 0, NULL, "mysql_native_password", NULL, 0},
    {"old nul-terminated auth", CLIENT_PROTOCOL_41 | CLIENT_CONNECT_WITH_DB, "old", old_auth, 8,
     "x", NULL, NULL, 0},
    {"empty user", BASE_CAPS | CLIENT_PLUGIN_AUTH, "", scramble20, 20, NULL,
     "caching_sha2_password", NULL, 0},
};

static void check_parsed(const struct response_case *tc, const uint8_t *attrs_at, size_t attrs_len,
                         const wire_handshake_response *r)
{
    assert_int_equal(r->capabilities, tc->caps);
    assert_int_equal(r->max_packet, 0x01000000);
    assert_int_equal(r->charset, CHARSET_UTF8MB4_GENERAL_CI);
    assert_string_equal(r->user, tc->user);
    if (r->auth_len != tc->auth_len)
        fail_msg("%s: auth_len %zu, want %zu", tc->name, r->auth_len, tc->auth_len);
    if (tc->auth_len)
        assert_memory_equal(r->auth, tc->auth, tc->auth_len);
    if (tc->caps & CLIENT_CONNECT_WITH_DB)
        assert_string_equal(r->database, tc->db);
    else
        assert_null(r->database);
    if (tc->caps & CLIENT_PLUGIN_AUTH)
        assert_string_equal(r->auth_plugin, tc->plugin);
    else
        assert_null(r->auth_plugin);
    if (tc->caps & CLIENT_CONNECT_ATTRS) {
        assert_ptr_equal(r->attrs, attrs_at);
        assert_int_equal(r->attrs_len, attrs_len);
    } else {
        assert_null(r->attrs);
        assert_int_equal(r->attrs_len, 0);
    }
}

static void test_handshake_response_roundtrip(void **state)
{
    (void)state;
    uint8_t built[2048];
    for (size_t t = 0; t < ARRAY_LEN(response_cases); t++) {
        const struct response_case *tc = &response_cases[t];
        uint8_t *attrs_at;
        size_t attrs_len;
        size_t len = build_response(tc, built, &attrs_at, &attrs_len);
        uint8_t *payload = exact_copy(built, len);
        attrs_at = attrs_at ? payload + (attrs_at - built) : NULL;

        wire_handshake_response r;
        if (!wire_parse_handshake_response(payload, len, &r))
            fail_msg("case '%s' did not parse", tc->name);
        check_parsed(tc, attrs_at, attrs_len, &r);
        assert_false(wire_is_ssl_request(payload, len, NULL));

        /* Trailing bytes a newer client might add are ignored. */
        uint8_t *longer = malloc(len + 2);
        assert_non_null(longer);
        memcpy(longer, payload, len);
        longer[len] = 0xAA;
        longer[len + 1] = 0x00;
        assert_true(wire_parse_handshake_response(longer, len + 2, &r));
        free(longer);
        free(payload);
    }
}

static void test_handshake_response_truncated(void **state)
{
    (void)state;
    uint8_t built[2048];
    for (size_t t = 0; t < ARRAY_LEN(response_cases); t++) {
        const struct response_case *tc = &response_cases[t];
        uint8_t *attrs_at;
        size_t attrs_len;
        size_t len = build_response(tc, built, &attrs_at, &attrs_len);
        for (size_t cut = 0; cut < len; cut++) {
            uint8_t *payload = exact_copy(built, cut);
            wire_handshake_response r;
            memset(&r, 0x5A, sizeof r);
            if (wire_parse_handshake_response(payload, cut, &r))
                fail_msg("case '%s' parsed when cut at %zu of %zu", tc->name, cut, len);
            /* A failed parse leaves *out alone. */
            assert_int_equal(r.capabilities, 0x5A5A5A5A);
            free(payload);
        }
    }
}

/* Overwrite each byte with values that mean something to the decoder (NUL,
 * lenenc prefixes, NULL, ERR): the parser may accept or refuse, but whatever it
 * returns must point inside the payload. */
static void test_handshake_response_corrupted(void **state)
{
    (void)state;
    static const uint8_t nasty[] = {0x00, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF, 0x01};
    uint8_t built[2048];
    const struct response_case *tc = &response_cases[7]; /* libmariadb full */
    uint8_t *attrs_at;
    size_t attrs_len;
    size_t len = build_response(tc, built, &attrs_at, &attrs_len);
    for (size_t at = 0; at < len; at++) {
        for (size_t v = 0; v < ARRAY_LEN(nasty); v++) {
            uint8_t *payload = exact_copy(built, len);
            payload[at] = nasty[v];
            wire_handshake_response r;
            if (wire_parse_handshake_response(payload, len, &r)) {
                const uint8_t *end = payload + len;
                assert_true((const uint8_t *)r.user >= payload && (const uint8_t *)r.user < end);
                assert_true(r.auth_len <= len);
                if (r.auth_len)
                    assert_true(r.auth >= payload && r.auth + r.auth_len <= end);
                if (r.attrs)
                    assert_true(r.attrs >= payload && r.attrs + r.attrs_len <= end);
            }
            free(payload);
        }
    }
}

static void test_handshake_response_rejects(void **state)
{
    (void)state;
    uint8_t built[2048];
    uint8_t *attrs_at;
    size_t attrs_len;
    wire_handshake_response r;

    /* HandshakeResponse320 clients (no CLIENT_PROTOCOL_41). */
    struct response_case tc = response_cases[0];
    tc.caps &= ~CLIENT_PROTOCOL_41;
    size_t len = build_response(&tc, built, &attrs_at, &attrs_len);
    assert_false(wire_parse_handshake_response(built, len, &r));

    /* MariaDB clients put extended capabilities in the filler: not an error. */
    len = build_response(&response_cases[7], built, &attrs_at, &attrs_len);
    built[28] = 0x0F;
    assert_true(wire_parse_handshake_response(built, len, &r));

    /* An auth length running past the end. */
    len = build_response(&response_cases[0], built, &attrs_at, &attrs_len);
    built[32 + 5] = 21;
    assert_false(wire_parse_handshake_response(built, len, &r));
}

/* --- native password ---------------------------------------------------- */

static void sha1_ref(const void *data, size_t len, uint8_t out[20])
{
    unsigned int n = 0;
    assert_true(EVP_Digest(data, len, out, &n, EVP_sha1(), NULL));
    assert_int_equal(n, 20);
}

/* The client's computation, written independently of wire/auth.c. */
static void client_scramble_ref(const char *pw, const uint8_t scramble[20], uint8_t out[20])
{
    uint8_t stage1[20], stage2[20], in[40], mask[20];
    sha1_ref(pw, strlen(pw), stage1);
    sha1_ref(stage1, 20, stage2);
    memcpy(in, scramble, 20);
    memcpy(in + 20, stage2, 20);
    sha1_ref(in, 40, mask);
    for (int i = 0; i < 20; i++)
        out[i] = stage1[i] ^ mask[i];
}

static void test_native_password_known_answer(void **state)
{
    (void)state;
    /* MySQL's PASSWORD('password') = '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'. */
    static const uint8_t stage2_password[20] = {0x24, 0x70, 0xC0, 0xC0, 0x6D, 0xEE, 0x42,
                                                0xFD, 0x16, 0x18, 0xBB, 0x99, 0x00, 0x5A,
                                                0xDC, 0xA2, 0xEC, 0x9D, 0x1E, 0x19};
    uint8_t stage2[20];
    wire_native_password_stage2("password", stage2);
    assert_memory_equal(stage2, stage2_password, 20);

    static const char *const passwords[] = {"password", "s3cr3t!", "x",
                                            "a longer passphrase, ünïcode"};
    for (size_t i = 0; i < ARRAY_LEN(passwords); i++) {
        uint8_t expect[20], got[20];
        client_scramble_ref(passwords[i], scramble20, expect);
        wire_native_password_scramble(passwords[i], scramble20, got);
        assert_memory_equal(got, expect, 20);

        wire_native_password_stage2(passwords[i], stage2);
        assert_true(wire_native_password_check(scramble20, stage2, expect, 20));

        uint8_t wrong[20];
        client_scramble_ref("wrong password", scramble20, wrong);
        assert_false(wire_native_password_check(scramble20, stage2, wrong, 20));

        /* Any flipped bit, a different scramble, or a bad length fails. */
        for (int b = 0; b < 20; b++) {
            uint8_t bad[20];
            memcpy(bad, expect, 20);
            bad[b] ^= 0x40;
            assert_false(wire_native_password_check(scramble20, stage2, bad, 20));
        }
        uint8_t other_scramble[20];
        memcpy(other_scramble, scramble20, 20);
        other_scramble[0] ^= 1;
        assert_false(wire_native_password_check(other_scramble, stage2, expect, 20));
        assert_false(wire_native_password_check(scramble20, stage2, expect, 19));
        assert_false(wire_native_password_check(scramble20, stage2, NULL, 0));
    }
}

static void test_native_password_empty(void **state)
{
    (void)state;
    uint8_t stage2_empty[20], stage2_other[20], resp[20];
    wire_native_password_stage2("", stage2_empty);
    wire_native_password_stage2("x", stage2_other);

    /* What libmariadb sends for an empty password: nothing. */
    assert_true(wire_native_password_check(scramble20, stage2_empty, NULL, 0));
    assert_false(wire_native_password_check(scramble20, stage2_other, NULL, 0));

    /* A client that scrambles the empty password anyway is also right. */
    client_scramble_ref("", scramble20, resp);
    assert_true(wire_native_password_check(scramble20, stage2_empty, resp, 20));
    assert_false(wire_native_password_check(scramble20, stage2_other, resp, 20));
}

/* --- responses --------------------------------------------------------- */

struct bytes_case {
    const char *name;
    size_t len;
    uint8_t bytes[64];
};

static void assert_bytes(const buf *b, const struct bytes_case *tc)
{
    if (b->len != tc->len || memcmp(b->data, tc->bytes, tc->len) != 0) {
        char hex[3 * 128 + 1] = "";
        for (size_t i = 0; i < b->len && i < 128; i++)
            snprintf(hex + 3 * i, 4, "%02x ", b->data[i]);
        fail_msg("%s: got %zu bytes: %s", tc->name, b->len, hex);
    }
}

static void test_ok_packets(void **state)
{
    (void)state;
    static const struct bytes_case expect[] = {
        {"plain ok", 11, {0x07, 0, 0, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}},
        {"ok with counts and info",
         17,
         {0x0D, 0, 0, 0x02, 0x00, 0xFC, 0x2C, 0x01, 0x05, 0x22, 0x00, 0x03, 0x00, 'd', 'o', 'n',
          'e'}},
        {"ok with session track",
         14,
         {0x0A, 0, 0, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 'h', 'i'}},
        {"pre-4.1 ok", 9, {0x05, 0, 0, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00}},
    };
    buf out;
    buf_init(&out);
    uint8_t seq = 1;
    wire_write_ok(&out, &seq, CLIENT_PROTOCOL_41, 0, 0, SERVER_STATUS_AUTOCOMMIT, 0, NULL);
    assert_bytes(&out, &expect[0]);
    assert_int_equal(seq, 2);

    buf_reset(&out);
    wire_write_ok(&out, &seq, CLIENT_PROTOCOL_41, 300, 5, 0x22, 3, "done");
    assert_bytes(&out, &expect[1]);

    buf_reset(&out);
    seq = 1;
    wire_write_ok(&out, &seq, CLIENT_PROTOCOL_41 | CLIENT_SESSION_TRACK, 0, 0, 2, 0, "hi");
    assert_bytes(&out, &expect[2]);

    buf_reset(&out);
    seq = 1;
    wire_write_ok(&out, &seq, CLIENT_TRANSACTIONS, 1, 0, 2, 7, "");
    assert_bytes(&out, &expect[3]);
    buf_free(&out);
}

static void test_eof_err_packets(void **state)
{
    (void)state;
    static const struct bytes_case expect[] = {
        /* Warnings first, then status. */
        {"eof", 9, {0x05, 0, 0, 0x04, 0xFE, 0x01, 0x00, 0x22, 0x00}},
        {"eof as ok", 11, {0x07, 0, 0, 0x05, 0xFE, 0x00, 0x00, 0x22, 0x00, 0x01, 0x00}},
        {"err", 23, {0x13, 0,   0,   0x02, 0xFF, 0x15, 0x04, '#', '2', '8', '0', '0',
                     '0',  'A', 'c', 'c',  'e',  's',  's',  ' ', 'n', 'o', '!'}},
        {"err bad state",
         14,
         {0x0A, 0, 0, 0x01, 0xFF, 0x28, 0x04, '#', 'H', 'Y', '0', '0', '0', 'x'}},
    };
    buf out;
    buf_init(&out);
    uint8_t seq = 4;
    wire_write_eof(&out, &seq, 0x22, 1);
    assert_bytes(&out, &expect[0]);
    buf_reset(&out);
    wire_write_eof_ok(&out, &seq, CLIENT_PROTOCOL_41 | CLIENT_DEPRECATE_EOF, 0x22, 1);
    assert_bytes(&out, &expect[1]);
    assert_int_equal(seq, 6);

    buf_reset(&out);
    seq = 2;
    wire_write_err(&out, &seq, 1045, "28000", "Access no!");
    assert_bytes(&out, &expect[2]);
    buf_reset(&out);
    seq = 1;
    wire_write_err(&out, &seq, 1064, "42", "x");
    assert_bytes(&out, &expect[3]);
    buf_free(&out);
}

static const wire_column sample_col = {
    .schema = "mimir",
    .table = "metrics",
    .org_table = "",
    .name = "revenue",
    .org_name = "revenue",
    .charset = CHARSET_BINARY,
    .length = 0x01020304,
    .type = MYSQL_TYPE_NEWDECIMAL,
    .flags = NOT_NULL_FLAG | NUM_FLAG,
    .decimals = 2,
};

static void test_column_def_bytes(void **state)
{
    (void)state;
    static const uint8_t expect[] = {
        0x30, 0x00, 0x00, 0x02,                     /* header */
        0x03, 'd',  'e',  'f',                      /* catalog */
        0x05, 'm',  'i',  'm',  'i', 'r',           /* schema */
        0x07, 'm',  'e',  't',  'r', 'i', 'c', 's', /* table */
        0x00,                                       /* org_table */
        0x07, 'r',  'e',  'v',  'e', 'n', 'u', 'e', /* name */
        0x07, 'r',  'e',  'v',  'e', 'n', 'u', 'e', /* org_name */
        0x0C,                                       /* fixed fields */
        0x3F, 0x00,                                 /* binary */
        0x04, 0x03, 0x02, 0x01,                     /* length */
        0xF6,                                       /* NEWDECIMAL */
        0x01, 0x80,                                 /* flags */
        0x02,                                       /* decimals */
        0x00, 0x00,                                 /* filler */
    };
    buf out;
    buf_init(&out);
    uint8_t seq = 2;
    wire_write_column_def(&out, &seq, &sample_col);
    assert_int_equal(out.len, sizeof expect);
    assert_memory_equal(out.data, expect, sizeof expect);
    assert_int_equal(seq, 3);

    buf_reset(&out);
    wire_write_column_count(&out, &seq, 3);
    static const uint8_t count[] = {0x01, 0x00, 0x00, 0x03, 0x03};
    assert_int_equal(out.len, sizeof count);
    assert_memory_equal(out.data, count, sizeof count);
    buf_free(&out);
}

static void test_text_row(void **state)
{
    (void)state;
    buf out;
    buf_init(&out);
    uint8_t seq = 5;
    const char *const values[] = {"1", NULL, "abc", ""};
    wire_write_text_row(&out, &seq, 4, values, NULL);
    static const uint8_t expect[] = {0x08, 0x00, 0x00, 0x05, 0x01, '1',
                                     0xFB, 0x03, 'a',  'b',  'c',  0x00};
    assert_int_equal(out.len, sizeof expect);
    assert_memory_equal(out.data, expect, sizeof expect);

    /* Explicit lengths carry binary data, embedded NULs included. */
    buf_reset(&out);
    const char *const bin[] = {"a\0b", NULL};
    const size_t lens[] = {3, 99};
    wire_write_text_row(&out, &seq, 2, bin, lens);
    static const uint8_t expect_bin[] = {0x05, 0x00, 0x00, 0x06, 0x03, 'a', 0x00, 'b', 0xFB};
    assert_int_equal(out.len, sizeof expect_bin);
    assert_memory_equal(out.data, expect_bin, sizeof expect_bin);
    buf_free(&out);
}

/*
 * wire_write_text_row sizes the packet up front and writes the length
 * prefixes itself: it must match the field-by-field encoding at every
 * length-prefix boundary, and across the 16 MiB packet split.
 */
static void test_text_row_length_boundaries(void **state)
{
    (void)state;
    static const size_t lens[] = {0, 250, 251, 0xFFFF, 0x10000, 0xFFFFFF, 0x1000000};
    char *big = malloc(0x1000000);
    assert_non_null(big);
    for (size_t i = 0; i < 0x1000000; i++)
        big[i] = (char)('a' + i % 26);
    for (size_t t = 0; t < ARRAY_LEN(lens); t++) {
        const char *const values[] = {big, NULL, "x"};
        const size_t lengths[] = {lens[t], 0, 1};
        buf got, want;
        buf_init(&got);
        buf_init(&want);
        uint8_t seq_got = 7, seq_want = 7;
        wire_write_text_row(&got, &seq_got, 3, values, lengths);
        size_t begin = wire_packet_begin(&want);
        wire_put_lenenc_str(&want, big, lens[t]);
        buf_append_byte(&want, 0xFB);
        wire_put_lenenc_str(&want, "x", 1);
        wire_packet_end(&want, begin, &seq_want);
        assert_int_equal(got.len, want.len);
        assert_memory_equal(got.data, want.data, want.len);
        assert_int_equal(seq_got, seq_want);
        buf_free(&got);
        buf_free(&want);
    }
    free(big);
}

/* Splits out into packets by reading headers directly. */
static size_t split_packets(const buf *out, const uint8_t **payloads, size_t *lens, uint8_t *seqs,
                            size_t max)
{
    size_t n = 0;
    for (size_t at = 0; at < out->len; n++) {
        assert_true(n < max);
        lens[n] = u24_at(out->data + at);
        seqs[n] = out->data[at + 3];
        payloads[n] = out->data + at + 4;
        at += 4 + lens[n];
        assert_true(at <= out->len);
    }
    return n;
}

static void test_result_set_framing(void **state)
{
    (void)state;
    wire_column cols[2] = {sample_col, sample_col};
    cols[1].name = "n";
    const char *const row[] = {"12.50", NULL};
    static const uint32_t caps_cases[] = {CLIENT_PROTOCOL_41,
                                          CLIENT_PROTOCOL_41 | CLIENT_DEPRECATE_EOF};
    for (size_t t = 0; t < ARRAY_LEN(caps_cases); t++) {
        uint32_t caps = caps_cases[t];
        bool deprecate = caps & CLIENT_DEPRECATE_EOF;
        buf out;
        buf_init(&out);
        uint8_t seq = 1;
        wire_write_result_header(&out, &seq, caps, 2, cols);
        wire_write_text_row(&out, &seq, 2, row, NULL);
        wire_write_result_end(&out, &seq, caps, SERVER_STATUS_AUTOCOMMIT | SERVER_MORE_RESULTS, 0);

        const uint8_t *p[8];
        size_t len[8];
        uint8_t s[8];
        size_t n = split_packets(&out, p, len, s, 8);
        assert_int_equal(n, deprecate ? 5 : 6);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(s[i], i + 1);
        assert_int_equal(seq, n + 1);
        assert_int_equal(len[0], 1);
        assert_int_equal(p[0][0], 2);
        assert_int_equal(p[1][0], 3); /* "def" */
        assert_int_equal(p[2][0], 3);
        size_t row_at = 3;
        if (!deprecate) {
            static const uint8_t mid_eof[] = {0xFE, 0x00, 0x00, 0x02, 0x00};
            assert_int_equal(len[3], sizeof mid_eof);
            assert_memory_equal(p[3], mid_eof, sizeof mid_eof);
            row_at = 4;
        }
        static const uint8_t row_bytes[] = {0x05, '1', '2', '.', '5', '0', 0xFB};
        assert_int_equal(len[row_at], sizeof row_bytes);
        assert_memory_equal(p[row_at], row_bytes, sizeof row_bytes);
        if (deprecate) {
            static const uint8_t end_ok[] = {0xFE, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00};
            assert_int_equal(len[n - 1], sizeof end_ok);
            assert_memory_equal(p[n - 1], end_ok, sizeof end_ok);
        } else {
            static const uint8_t end_eof[] = {0xFE, 0x00, 0x00, 0x0A, 0x00};
            assert_int_equal(len[n - 1], sizeof end_eof);
            assert_memory_equal(p[n - 1], end_eof, sizeof end_eof);
        }
        buf_free(&out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_basics),
        cmocka_unit_test(test_lenenc_int),
        cmocka_unit_test(test_lenenc_special_bytes),
        cmocka_unit_test(test_lenenc_str),
        cmocka_unit_test(test_cursor_getters),
        cmocka_unit_test(test_framing_small_bytes),
        cmocka_unit_test(test_framing_split),
        cmocka_unit_test(test_framing_reassembly),
        cmocka_unit_test(test_framing_sequence_errors),
        cmocka_unit_test(test_framing_max_payload),
        cmocka_unit_test(test_handshake_v10_bytes),
        cmocka_unit_test(test_auth_switch_bytes),
        cmocka_unit_test(test_ssl_request),
        cmocka_unit_test(test_handshake_response_roundtrip),
        cmocka_unit_test(test_handshake_response_truncated),
        cmocka_unit_test(test_handshake_response_corrupted),
        cmocka_unit_test(test_handshake_response_rejects),
        cmocka_unit_test(test_native_password_known_answer),
        cmocka_unit_test(test_native_password_empty),
        cmocka_unit_test(test_ok_packets),
        cmocka_unit_test(test_eof_err_packets),
        cmocka_unit_test(test_column_def_bytes),
        cmocka_unit_test(test_text_row),
        cmocka_unit_test(test_text_row_length_boundaries),
        cmocka_unit_test(test_result_set_framing),
    };
    return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
