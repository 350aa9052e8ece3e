/*
 * Unit tests for the binary protocol (wire/binary.c), COM_CHANGE_USER
 * parsing and caching_sha2_password (wire/auth_sha2.c). Expected bytes are
 * written out by hand from the protocol documentation; the sha2 scramble is
 * checked against an independent computation with OpenSSL's one-shot API.
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
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "wire/auth_sha2.h"
#include "wire/binary.h"
#include "wire/buf.h"
#include "wire/protocol.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A heap copy of exactly len bytes, so ASan flags any read past the end. */
static uint8_t *exact_copy(const uint8_t *data, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    if (len)
        memcpy(p, data, len);
    return p;
}

static void assert_bytes(const buf *b, const uint8_t *want, size_t len)
{
    if (b->len != len) {
        fprintf(stderr, "length %zu, expected %zu\n", b->len, len);
        for (size_t i = 0; i < b->len; i++)
            fprintf(stderr, "%02x ", b->data[i]);
        fprintf(stderr, "\n");
    }
    assert_int_equal(b->len, len);
    assert_memory_equal(b->data, want, len);
}

/* --- prepare OK ---------------------------------------------------------- */

static void test_prepare_ok(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    uint8_t seq = 1;
    wire_write_stmt_prepare_ok(&b, &seq, 0x01020304, 3, 2, 0);
    static const uint8_t want[] = {12,   0,    0,    1, /* header, seq 1 */
                                   0x00, 0x04, 0x03, 0x02, 0x01, 3, 0, 2, 0, 0, 0, 0};
    assert_bytes(&b, want, sizeof want);
    assert_int_equal(seq, 2);
    buf_free(&b);
}

/* --- execute header and parameters ---------------------------------------- */

static void test_execute_header(void **state)
{
    (void)state;
    static const uint8_t pkt[] = {0x17, 7, 0, 0, 0, 0x00, 1, 0, 0, 0, 0xAA};
    wire_stmt_execute ex;
    uint8_t *p = exact_copy(pkt, sizeof pkt);
    assert_true(wire_parse_stmt_execute(p, sizeof pkt, &ex));
    assert_int_equal(ex.stmt_id, 7);
    assert_int_equal(ex.flags, 0);
    assert_int_equal(ex.iterations, 1);
    assert_int_equal(ex.rest_len, 1);
    assert_int_equal(ex.rest[0], 0xAA);
    /* Every shorter prefix is refused. */
    for (size_t n = 0; n < 10; n++)
        assert_false(wire_parse_stmt_execute(p, n, &ex));
    free(p);
}

typedef struct param_case {
    const char *name;
    uint8_t type, flags;
    uint8_t value[16];
    size_t value_len;
    wire_value_kind kind;
    const char *text;
} param_case;

static const param_case param_cases[] = {
    {"tiny -1", MYSQL_TYPE_TINY, 0, {0xFF}, 1, WIRE_VALUE_INTEGER, "-1"},
    {"tiny unsigned 255", MYSQL_TYPE_TINY, 0x80, {0xFF}, 1, WIRE_VALUE_INTEGER, "255"},
    {"short -2", MYSQL_TYPE_SHORT, 0, {0xFE, 0xFF}, 2, WIRE_VALUE_INTEGER, "-2"},
    {"year 2005", MYSQL_TYPE_YEAR, 0, {0xD5, 0x07}, 2, WIRE_VALUE_INTEGER, "2005"},
    {"long 100000", MYSQL_TYPE_LONG, 0, {0xA0, 0x86, 0x01, 0x00}, 4, WIRE_VALUE_INTEGER, "100000"},
    {"longlong min",
     MYSQL_TYPE_LONGLONG,
     0,
     {0, 0, 0, 0, 0, 0, 0, 0x80},
     8,
     WIRE_VALUE_INTEGER,
     "-9223372036854775808"},
    {"longlong unsigned max",
     MYSQL_TYPE_LONGLONG,
     0x80,
     {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
     8,
     WIRE_VALUE_INTEGER,
     "18446744073709551615"},
    /* 0.1f is 0x3DCCCCCD; its shortest round-trip rendering is "0.1". */
    {"float 0.1", MYSQL_TYPE_FLOAT, 0, {0xCD, 0xCC, 0xCC, 0x3D}, 4, WIRE_VALUE_FLOAT, "0.1"},
    /* 2.5 is 0x4004000000000000. */
    {"double 2.5",
     MYSQL_TYPE_DOUBLE,
     0,
     {0, 0, 0, 0, 0, 0, 0x04, 0x40},
     8,
     WIRE_VALUE_FLOAT,
     "2.5"},
    {"string", MYSQL_TYPE_STRING, 0, {3, 'a', 'b', 'c'}, 4, WIRE_VALUE_STRING, "abc"},
    {"var_string empty", MYSQL_TYPE_VAR_STRING, 0, {0}, 1, WIRE_VALUE_STRING, ""},
    {"decimal",
     MYSQL_TYPE_NEWDECIMAL,
     0,
     {5, '-', '1', '.', '5', '0'},
     6,
     WIRE_VALUE_DECIMAL,
     "-1.50"},
    {"decimal not a number", MYSQL_TYPE_NEWDECIMAL, 0, {2, '1', 'x'}, 3, WIRE_VALUE_STRING, "1x"},
    {"blob", MYSQL_TYPE_BLOB, 0, {2, 'h', 'i'}, 3, WIRE_VALUE_STRING, "hi"},
    {"date", MYSQL_TYPE_DATE, 0, {4, 0xD5, 0x07, 5, 24}, 5, WIRE_VALUE_TEMPORAL, "2005-05-24"},
    {"date zero", MYSQL_TYPE_DATE, 0, {0}, 1, WIRE_VALUE_TEMPORAL, "0000-00-00"},
    {"datetime date only",
     MYSQL_TYPE_DATETIME,
     0,
     {4, 0xD5, 0x07, 5, 24},
     5,
     WIRE_VALUE_TEMPORAL,
     "2005-05-24"},
    {"datetime",
     MYSQL_TYPE_DATETIME,
     0,
     {7, 0xD5, 0x07, 5, 24, 22, 53, 30},
     8,
     WIRE_VALUE_TEMPORAL,
     "2005-05-24 22:53:30"},
    {"timestamp micro",
     MYSQL_TYPE_TIMESTAMP,
     0,
     {11, 0xD5, 0x07, 5, 24, 22, 53, 30, 0x40, 0xE2, 0x01, 0x00},
     12,
     WIRE_VALUE_TEMPORAL,
     "2005-05-24 22:53:30.123456"},
    {"time negative days",
     MYSQL_TYPE_TIME,
     0,
     {8, 1, 1, 0, 0, 0, 2, 30, 15},
     9,
     WIRE_VALUE_TEMPORAL,
     "-26:30:15"},
    {"time zero", MYSQL_TYPE_TIME, 0, {0}, 1, WIRE_VALUE_TEMPORAL, "00:00:00"},
    {"null type", MYSQL_TYPE_NULL, 0, {0}, 0, WIRE_VALUE_NULL, ""},
};

/* One parameter, not NULL, types sent: bitmap 00, new-params-bound 01, type, flags, value. */
static wire_params_status parse_one(const param_case *c, uint16_t *types, wire_param_value *v,
                                    buf *text)
{
    uint8_t block[32];
    size_t n = 0;
    block[n++] = 0x00;
    block[n++] = 0x01;
    block[n++] = c->type;
    block[n++] = c->flags;
    memcpy(block + n, c->value, c->value_len);
    n += c->value_len;
    uint8_t *p = exact_copy(block, n);
    wire_params_status st = wire_parse_stmt_params(p, n, 1, types, NULL, text, v);
    free(p);
    return st;
}

static void test_param_values(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(param_cases); i++) {
        const param_case *c = &param_cases[i];
        uint16_t types[1] = {0xFFFF};
        wire_param_value v;
        buf text;
        buf_init(&text);
        wire_params_status st = parse_one(c, types, &v, &text);
        if (st != WIRE_PARAMS_OK || v.kind != c->kind || strcmp(v.text, c->text) != 0)
            fail_msg("%s: status %d kind %d text '%s'", c->name, st, v.kind,
                     st == WIRE_PARAMS_OK ? v.text : "");
        assert_int_equal(v.len, strlen(c->text));
        assert_int_equal(types[0] & 0xFF, c->type);
        buf_free(&text);
    }
}

/* Every truncation of every value is reported, and the bound types stay. */
static void test_param_truncated(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(param_cases); i++) {
        const param_case *c = &param_cases[i];
        for (size_t cut = 0; cut < c->value_len; cut++) {
            uint8_t block[32] = {0x00, 0x01, c->type, c->flags};
            memcpy(block + 4, c->value, cut);
            uint8_t *p = exact_copy(block, 4 + cut);
            uint16_t types[1] = {0xFFFF};
            wire_param_value v;
            buf text;
            buf_init(&text);
            wire_params_status st = wire_parse_stmt_params(p, 4 + cut, 1, types, NULL, &text, &v);
            if (st != WIRE_PARAMS_TRUNCATED)
                fail_msg("%s cut at %zu: status %d", c->name, cut, st);
            assert_int_equal(types[0], 0xFFFF);
            free(p);
            buf_free(&text);
        }
    }
    /* Missing the bitmap, the flag, or the types. */
    uint16_t types[2] = {0xFFFF, 0xFFFF};
    wire_param_value v[2];
    buf text;
    buf_init(&text);
    static const uint8_t short_types[] = {0x00, 0x01, MYSQL_TYPE_LONG, 0, MYSQL_TYPE_LONG};
    for (size_t n = 0; n < sizeof short_types; n++) {
        uint8_t *p = exact_copy(short_types, n);
        assert_int_equal(wire_parse_stmt_params(p, n, 2, types, NULL, &text, v),
                         WIRE_PARAMS_TRUNCATED);
        free(p);
    }
    buf_free(&text);
}

static void test_param_nulls_and_reuse(void **state)
{
    (void)state;
    /* Three parameters, the second NULL (bitmap 0b010), types sent. */
    static const uint8_t first[] = {0x02,
                                    0x01,
                                    MYSQL_TYPE_LONGLONG,
                                    0,
                                    MYSQL_TYPE_VAR_STRING,
                                    0,
                                    MYSQL_TYPE_LONGLONG,
                                    0x80,
                                    /* values */ 5,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    7,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0};
    uint16_t types[3] = {0xFFFF, 0xFFFF, 0xFFFF};
    wire_param_value v[3];
    buf text;
    buf_init(&text);
    uint8_t *p = exact_copy(first, sizeof first);
    assert_int_equal(wire_parse_stmt_params(p, sizeof first, 3, types, NULL, &text, v),
                     WIRE_PARAMS_OK);
    free(p);
    assert_int_equal(v[0].kind, WIRE_VALUE_INTEGER);
    assert_string_equal(v[0].text, "5");
    assert_int_equal(v[1].kind, WIRE_VALUE_NULL);
    assert_string_equal(v[2].text, "7");
    assert_int_equal(types[2], MYSQL_TYPE_LONGLONG | WIRE_PARAM_UNSIGNED);

    /* The next execute sends no types (flag 0): the ones bound before apply. */
    static const uint8_t again[] = {0x00, 0x00, 9, 0, 0, 0, 0, 0, 0, 0,
                                    1,    'x',  8, 0, 0, 0, 0, 0, 0, 0};
    buf_reset(&text);
    p = exact_copy(again, sizeof again);
    assert_int_equal(wire_parse_stmt_params(p, sizeof again, 3, types, NULL, &text, v),
                     WIRE_PARAMS_OK);
    free(p);
    assert_string_equal(v[0].text, "9");
    assert_int_equal(v[1].kind, WIRE_VALUE_STRING);
    assert_string_equal(v[1].text, "x");
    assert_string_equal(v[2].text, "8");

    /* Flag 0 before any types were bound. */
    uint16_t fresh[3] = {0xFFFF, 0xFFFF, 0xFFFF};
    p = exact_copy(again, sizeof again);
    assert_int_equal(wire_parse_stmt_params(p, sizeof again, 3, fresh, NULL, &text, v),
                     WIRE_PARAMS_NO_TYPES);
    free(p);

    /* Long data: the value is not in the packet. */
    static const uint8_t with_long[] = {0x00, 0x01, MYSQL_TYPE_BLOB, 0, MYSQL_TYPE_TINY, 0, 42};
    bool long_data[2] = {true, false};
    uint16_t t2[2] = {0xFFFF, 0xFFFF};
    p = exact_copy(with_long, sizeof with_long);
    assert_int_equal(wire_parse_stmt_params(p, sizeof with_long, 2, t2, long_data, &text, v),
                     WIRE_PARAMS_OK);
    free(p);
    assert_int_equal(v[0].kind, WIRE_VALUE_STRING);
    assert_string_equal(v[1].text, "42");

    /* Long data with the NULL bit set (PHP's bind_param('b', $null) then
     * send_long_data): the long data wins, as in MySQL; a NULL without long
     * data stays NULL. */
    static const uint8_t long_and_null[] = {0x03, 0x01, MYSQL_TYPE_BLOB, 0, MYSQL_TYPE_BLOB, 0};
    uint16_t t3[2] = {0xFFFF, 0xFFFF};
    p = exact_copy(long_and_null, sizeof long_and_null);
    assert_int_equal(wire_parse_stmt_params(p, sizeof long_and_null, 2, t3, long_data, &text, v),
                     WIRE_PARAMS_OK);
    free(p);
    assert_int_equal(v[0].kind, WIRE_VALUE_STRING);
    assert_int_equal(v[1].kind, WIRE_VALUE_NULL);

    /* A date with a length no encoding has; NaN. */
    static const uint8_t bad_date[] = {0x00, 0x01, MYSQL_TYPE_DATE, 0, 5, 1, 2, 3, 4, 5};
    uint16_t t1[1] = {0xFFFF};
    p = exact_copy(bad_date, sizeof bad_date);
    assert_int_equal(wire_parse_stmt_params(p, sizeof bad_date, 1, t1, NULL, &text, v),
                     WIRE_PARAMS_BAD_VALUE);
    free(p);
    static const uint8_t nan[] = {0x00, 0x01, MYSQL_TYPE_DOUBLE, 0, 0, 0, 0, 0, 0, 0, 0xF8, 0x7F};
    p = exact_copy(nan, sizeof nan);
    assert_int_equal(wire_parse_stmt_params(p, sizeof nan, 1, t1, NULL, &text, v),
                     WIRE_PARAMS_BAD_VALUE);
    free(p);
    buf_free(&text);
}

/* --- binary rows ---------------------------------------------------------- */

static void test_binary_row(void **state)
{
    (void)state;
    wire_column cols[] = {
        {.type = MYSQL_TYPE_LONGLONG},   {.type = MYSQL_TYPE_VAR_STRING},
        {.type = MYSQL_TYPE_NEWDECIMAL}, {.type = MYSQL_TYPE_DOUBLE},
        {.type = MYSQL_TYPE_DATE},       {.type = MYSQL_TYPE_DATETIME},
        {.type = MYSQL_TYPE_TINY},       {.type = MYSQL_TYPE_LONG, .flags = UNSIGNED_FLAG},
        {.type = MYSQL_TYPE_SHORT},      {.type = MYSQL_TYPE_FLOAT},
    };
    const char *values[] = {"-2", "Action", "4375.85", "2.5", "2005-05-24", "2005-05-24 22:53:30",
                            "1",  NULL,     "-3",      "0.5"};
    buf b;
    buf_init(&b);
    uint8_t seq = 3;
    wire_write_binary_row(&b, &seq, ARRAY_LEN(cols), cols, values, NULL);
    static const uint8_t want[] = {/* header: payload length 54, seq 3 */
                                   54, 0, 0, 3,
                                   /* row header, NULL bitmap (10 columns + 2 = 12 bits: 2 bytes);
                                    * column 7 is NULL: bit 9 -> byte 1, 0x02 */
                                   0x00, 0x00, 0x02,
                                   /* -2 as 8 bytes */
                                   0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                   /* "Action" */
                                   6, 'A', 'c', 't', 'i', 'o', 'n',
                                   /* decimal as a length-encoded string */
                                   7, '4', '3', '7', '5', '.', '8', '5',
                                   /* 2.5 double */
                                   0, 0, 0, 0, 0, 0, 0x04, 0x40,
                                   /* date: length 4 */
                                   4, 0xD5, 0x07, 5, 24,
                                   /* datetime: length 7 */
                                   7, 0xD5, 0x07, 5, 24, 22, 53, 30,
                                   /* tiny 1 */
                                   1,
                                   /* short -3 */
                                   0xFD, 0xFF,
                                   /* float 0.5 = 0x3F000000 */
                                   0, 0, 0, 0x3F};
    assert_bytes(&b, want, sizeof want);
    assert_int_equal(seq, 4);
    buf_free(&b);
}

static void test_binary_temporal_lengths(void **state)
{
    (void)state;
    struct {
        uint8_t type;
        const char *text;
        uint8_t want[16];
        size_t want_len;
    } cases[] = {
        {MYSQL_TYPE_DATETIME, "0000-00-00 00:00:00", {0}, 1},
        {MYSQL_TYPE_DATETIME, "2005-05-24 00:00:00", {4, 0xD5, 0x07, 5, 24}, 5},
        {MYSQL_TYPE_DATETIME,
         "2005-05-24 22:53:30.5",
         {11, 0xD5, 0x07, 5, 24, 22, 53, 30, 0x20, 0xA1, 0x07, 0},
         12},
        {MYSQL_TYPE_TIMESTAMP, "2005-05-24T01:02:03", {7, 0xD5, 0x07, 5, 24, 1, 2, 3}, 8},
        {MYSQL_TYPE_DATE, "2005-05-24 10:00:00", {4, 0xD5, 0x07, 5, 24}, 5},
        {MYSQL_TYPE_TIME, "00:00:00", {0}, 1},
        {MYSQL_TYPE_TIME, "-26:30:15", {8, 1, 1, 0, 0, 0, 2, 30, 15}, 9},
        {MYSQL_TYPE_TIME, "01:00:00.000001", {12, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0}, 13},
        /* What a correct backend never sends: zero, not garbage. */
        {MYSQL_TYPE_DATETIME, "infinity", {0}, 1},
        {MYSQL_TYPE_TIME, "12:3", {0}, 1},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        wire_column col = {.type = cases[i].type};
        const char *values[] = {cases[i].text};
        buf b;
        buf_init(&b);
        uint8_t seq = 0;
        wire_write_binary_row(&b, &seq, 1, &col, values, NULL);
        /* 4 header bytes, 0x00, one bitmap byte, then the value. */
        if (b.len != 6 + cases[i].want_len ||
            memcmp(b.data + 6, cases[i].want, cases[i].want_len) != 0)
            fail_msg("'%s' (type %u) encoded wrongly (%zu bytes)", cases[i].text, cases[i].type,
                     b.len - 6);
        buf_free(&b);
    }
}

/* Values with explicit lengths may hold NUL bytes. */
static void test_binary_row_lengths(void **state)
{
    (void)state;
    wire_column col = {.type = MYSQL_TYPE_BLOB};
    const char *values[] = {"a\0b"};
    size_t lengths[] = {3};
    buf b;
    buf_init(&b);
    uint8_t seq = 0;
    wire_write_binary_row(&b, &seq, 1, &col, values, lengths);
    static const uint8_t want[] = {6, 0, 0, 0, 0x00, 0x00, 3, 'a', 0, 'b'};
    assert_bytes(&b, want, sizeof want);
    buf_free(&b);
}

/* --- COM_CHANGE_USER -------------------------------------------------------- */

static void test_change_user(void **state)
{
    (void)state;
    static const uint8_t pkt[] = {0x11, 'b', 'o', 'b', 0,   3,   'x', 'y', 'z', 'm', 'i', 'm', 'i',
                                  'r',  0,   45,  0,   'c', 'a', 'c', 'h', 'i', 'n', 'g', 0};
    uint32_t caps = CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH;
    uint8_t *p = exact_copy(pkt, sizeof pkt);
    wire_change_user r;
    assert_true(wire_parse_change_user(p, sizeof pkt, caps, &r));
    assert_string_equal(r.user, "bob");
    assert_int_equal(r.auth_len, 3);
    assert_memory_equal(r.auth, "xyz", 3);
    assert_string_equal(r.database, "mimir");
    assert_string_equal(r.auth_plugin, "caching");
    /* Without the optional tail. */
    assert_true(wire_parse_change_user(p, 15, caps, &r));
    assert_null(r.auth_plugin);
    /* Cut inside the required part. */
    for (size_t n = 0; n < 15; n++)
        assert_false(wire_parse_change_user(p, n, caps, &r));
    /* Cut inside the plugin name (no NUL). */
    assert_false(wire_parse_change_user(p, sizeof pkt - 1, caps, &r));
    free(p);
}

/* --- caching_sha2_password ---------------------------------------------------- */

static void sha256_of(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[32])
{
    uint8_t in[256];
    memcpy(in, a, alen);
    memcpy(in + alen, b, blen);
    SHA256(in, alen + blen, out);
}

static void test_sha2(void **state)
{
    (void)state;
    const uint8_t scramble[20] = "abcdefghijklmnopqrst";
    const char *pw = "secret";
    /* Independently: stage1 = SHA256(pw), stage2 = SHA256(stage1),
     * scramble = stage1 XOR SHA256(stage2 || nonce). */
    uint8_t stage1[32], stage2[32], mask[32], want[32];
    SHA256((const uint8_t *)pw, strlen(pw), stage1);
    SHA256(stage1, 32, stage2);
    sha256_of(stage2, 32, scramble, 20, mask);
    for (int i = 0; i < 32; i++)
        want[i] = stage1[i] ^ mask[i];

    uint8_t verifier[32], got[32];
    wire_sha2_verifier(pw, strlen(pw), verifier);
    assert_memory_equal(verifier, stage2, 32);
    wire_sha2_scramble(pw, strlen(pw), scramble, got);
    assert_memory_equal(got, want, 32);

    assert_true(wire_sha2_fast_check(scramble, verifier, got, 32));
    got[5] ^= 1;
    assert_false(wire_sha2_fast_check(scramble, verifier, got, 32));
    assert_false(wire_sha2_fast_check(scramble, verifier, got, 31));
    assert_true(wire_sha2_password_check("secret", 6, verifier));
    assert_false(wire_sha2_password_check("secreT", 6, verifier));
    assert_false(wire_sha2_password_check("", 0, verifier));
}

static void test_sha2_rsa(void **state)
{
    (void)state;
    EVP_PKEY *key = EVP_RSA_gen(2048);
    assert_non_null(key);
    const uint8_t scramble[20] = "01234567890123456789";
    buf cipher, plain;
    buf_init(&cipher);
    buf_init(&plain);
    /* Longer than the scramble, so the XOR wraps around. */
    const char *pw = "a password longer than twenty bytes";
    assert_true(wire_sha2_rsa_encrypt_password(key, scramble, pw, &cipher));
    assert_int_equal(cipher.len, 256);
    assert_true(wire_sha2_rsa_decrypt_password(key, scramble, cipher.data, cipher.len, &plain));
    assert_int_equal(plain.len, strlen(pw));
    assert_memory_equal(plain.data, pw, plain.len);
    /* Another scramble gives another password (which then fails its check). */
    const uint8_t other[20] = "x1234567890123456789";
    assert_true(wire_sha2_rsa_decrypt_password(key, other, cipher.data, cipher.len, &plain));
    assert_true(plain.len != strlen(pw) || memcmp(plain.data, pw, plain.len) != 0);
    /* Tampered or truncated ciphertext. */
    cipher.data[10] ^= 1;
    assert_false(wire_sha2_rsa_decrypt_password(key, scramble, cipher.data, cipher.len, &plain));
    assert_false(wire_sha2_rsa_decrypt_password(key, scramble, cipher.data, 100, &plain));
    buf_free(&cipher);
    buf_free(&plain);
    EVP_PKEY_free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prepare_ok),
        cmocka_unit_test(test_execute_header),
        cmocka_unit_test(test_param_values),
        cmocka_unit_test(test_param_truncated),
        cmocka_unit_test(test_param_nulls_and_reuse),
        cmocka_unit_test(test_binary_row),
        cmocka_unit_test(test_binary_temporal_lengths),
        cmocka_unit_test(test_binary_row_lengths),
        cmocka_unit_test(test_change_user),
        cmocka_unit_test(test_sha2),
        cmocka_unit_test(test_sha2_rsa),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
