/*
 * Fuzz target: what a client sends during the connection phase, as bytes on
 * the socket. The input is a stream of framed packets, read the way
 * proxy/session/client.c reads them (wire_read_packet, the first with sequence id 1):
 *
 *   - the first packet is an SSLRequest or a HandshakeResponse41 (if it was
 *     an SSLRequest, the next one is the response, as after the TLS upgrade);
 *   - every later packet is an auth-exchange answer (a mysql_native_password
 *     or caching_sha2_password scramble, a clear password, a public-key
 *     request or an RSA-encrypted password), and, when it starts with
 *     COM_CHANGE_USER, also the change-user packet of the command phase.
 *
 * The decoders are those of wire/ that the session calls; each value they
 * return is checked against the payload it came from.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "tests/fuzz/support.h"
#include "wire/auth_sha2.h"
#include "wire/protocol.h"

/* A bound well above what any handshake needs, below Mimir's default. */
#define FUZZ_MAX_PAYLOAD (1u << 20)

static EVP_PKEY *rsa_key;
static const uint8_t scramble[20] = "0123456789abcdefghij";
static uint8_t native_stage2[20];
static uint8_t sha2_verifier[WIRE_SHA2_LEN];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* A small key: the target is the decoding around RSA, not RSA itself. */
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
    if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 1024) <= 0 || EVP_PKEY_keygen(ctx, &rsa_key) <= 0)
        abort();
    EVP_PKEY_CTX_free(ctx);
    wire_native_password_stage2("secret", native_stage2);
    wire_sha2_verifier("secret", 6, sha2_verifier);
    return 0;
}

static void check_inside(const uint8_t *payload, size_t len, const void *p, size_t n)
{
    if (!p)
        return;
    const uint8_t *q = p;
    assert(q >= payload && q <= payload + len && n <= (size_t)(payload + len - q));
}

/* A NUL-terminated field must end inside the payload. */
static void check_cstr(const uint8_t *payload, size_t len, const char *s)
{
    if (s)
        check_inside(payload, len, s, strlen(s) + 1);
}

static void check_passwords(const uint8_t *auth, size_t len)
{
    wire_native_password_check(scramble, native_stage2, auth, len);
    wire_sha2_fast_check(scramble, sha2_verifier, auth, len);
    wire_sha2_password_check((const char *)auth, len, sha2_verifier);
}

static void handshake_response(const uint8_t *p, size_t len, uint32_t *caps)
{
    wire_handshake_response r;
    if (!wire_parse_handshake_response(p, len, &r))
        return;
    assert(r.capabilities & CLIENT_PROTOCOL_41);
    check_cstr(p, len, r.user);
    check_inside(p, len, r.auth, r.auth_len);
    check_cstr(p, len, r.database);
    check_cstr(p, len, r.auth_plugin);
    check_inside(p, len, r.attrs, r.attrs_len);
    *caps = r.capabilities;
    check_passwords(r.auth, r.auth_len);
}

/* The answers of an auth exchange, as client_auth.c reads them. */
static void auth_answer(const uint8_t *p, size_t len)
{
    check_passwords(p, len);
    buf password;
    buf_init(&password);
    if (wire_sha2_rsa_decrypt_password(rsa_key, scramble, p, len, &password))
        assert(password.len < len);
    buf_free(&password);
    /* What a client would encrypt, decrypted again: the XOR with the
     * scramble and the terminating NUL are undone exactly. */
    if (len > 0 && len <= 40 && !memchr(p, 0, len)) {
        char text[41];
        memcpy(text, p, len);
        text[len] = '\0';
        buf cipher, back;
        buf_init(&cipher);
        buf_init(&back);
        if (wire_sha2_rsa_encrypt_password(rsa_key, scramble, text, &cipher)) {
            bool ok =
                wire_sha2_rsa_decrypt_password(rsa_key, scramble, cipher.data, cipher.len, &back);
            assert(ok && back.len == len && memcmp(back.data, p, len) == 0);
        }
        buf_free(&cipher);
        buf_free(&back);
    }
}

static void change_user(const uint8_t *p, size_t len, uint32_t caps)
{
    wire_change_user r;
    if (!wire_parse_change_user(p, len, caps, &r))
        return;
    check_cstr(p, len, r.user);
    check_inside(p, len, r.auth, r.auth_len);
    check_cstr(p, len, r.database);
    check_cstr(p, len, r.auth_plugin);
    check_passwords(r.auth, r.auth_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    buf packet;
    buf_init(&packet);
    size_t pos = 0;
    int expect = 1;
    bool tls = false, answered = false;
    uint32_t caps = 0;
    while (pos < size) {
        size_t consumed = 0;
        uint8_t seq = 0;
        buf_reset(&packet);
        wire_read_status st = wire_read_packet(data + pos, size - pos, FUZZ_MAX_PAYLOAD, expect,
                                               &consumed, &packet, &seq);
        if (st != WIRE_PACKET)
            break;
        assert(consumed >= 4 && consumed <= size - pos && packet.len <= consumed - 4);
        pos += consumed;
        /* The server's answer takes seq + 1; the client's next packet seq + 2. */
        expect = (uint8_t)(seq + 2);
        uint32_t ssl_caps;
        if (!answered && !tls && wire_is_ssl_request(packet.data, packet.len, &ssl_caps)) {
            assert(ssl_caps & CLIENT_SSL);
            tls = true;
            expect = (uint8_t)(seq + 1);
            continue;
        }
        if (!answered) {
            handshake_response(packet.data, packet.len, &caps);
            answered = true;
            continue;
        }
        auth_answer(packet.data, packet.len);
        if (packet.len > 0 && packet.data[0] == COM_CHANGE_USER)
            change_user(packet.data, packet.len, caps);
    }
    buf_free(&packet);
    return 0;
}
