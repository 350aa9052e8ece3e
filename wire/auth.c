/*
 * mysql_native_password. The server keeps stage2 = SHA1(SHA1(pw)) and never
 * the password; the client proves knowledge of stage1 = SHA1(pw) by sending
 * stage1 XOR SHA1(scramble || stage2). The server undoes the XOR with the
 * value it can compute itself and checks that SHA1 of the result is stage2.
 *
 * Clients send an empty auth-response, not a scramble, when the password is
 * empty (libmariadb, libmysqlclient, PyMySQL all do). So an empty response is
 * accepted exactly when stage2 is that of the empty password; a 20-byte
 * response is checked the normal way whatever the password.
 */
#include "wire/protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define SHA1_LEN 20

/* Only a broken OpenSSL (or a FIPS policy forbidding SHA-1) fails here; no
 * client could log in either way, so stop loudly rather than limp on. */
static void sha1(const void *data, size_t len, uint8_t md[SHA1_LEN])
{
    unsigned int md_len = 0;
    if (!EVP_Digest(data, len, md, &md_len, EVP_sha1(), NULL) || md_len != SHA1_LEN) {
        fprintf(stderr, "mimir: SHA-1 digest failed in OpenSSL\n");
        abort();
    }
}

/* SHA1(scramble || stage2): the mask both sides XOR stage1 with. */
static void native_mask(const uint8_t scramble[20], const uint8_t stage2[20],
                        uint8_t mask[SHA1_LEN])
{
    uint8_t in[20 + SHA1_LEN];
    memcpy(in, scramble, 20);
    memcpy(in + 20, stage2, SHA1_LEN);
    sha1(in, sizeof in, mask);
}

void wire_native_password_stage2(const char *password, uint8_t stage2[20])
{
    uint8_t stage1[SHA1_LEN];
    sha1(password, strlen(password), stage1);
    sha1(stage1, SHA1_LEN, stage2);
    OPENSSL_cleanse(stage1, sizeof stage1);
}

void wire_native_password_scramble(const char *password, const uint8_t scramble[20],
                                   uint8_t out[20])
{
    uint8_t stage1[SHA1_LEN], stage2[SHA1_LEN], mask[SHA1_LEN];
    sha1(password, strlen(password), stage1);
    sha1(stage1, SHA1_LEN, stage2);
    native_mask(scramble, stage2, mask);
    for (int i = 0; i < SHA1_LEN; i++)
        out[i] = stage1[i] ^ mask[i];
    OPENSSL_cleanse(stage1, sizeof stage1);
}

bool wire_native_password_check(const uint8_t scramble[20], const uint8_t stage2[20],
                                const uint8_t *response, size_t response_len)
{
    if (response_len == 0) {
        uint8_t empty[SHA1_LEN];
        wire_native_password_stage2("", empty);
        return CRYPTO_memcmp(empty, stage2, SHA1_LEN) == 0;
    }
    if (response_len != SHA1_LEN)
        return false;

    uint8_t mask[SHA1_LEN], stage1[SHA1_LEN], candidate[SHA1_LEN];
    native_mask(scramble, stage2, mask);
    for (int i = 0; i < SHA1_LEN; i++)
        stage1[i] = response[i] ^ mask[i];
    sha1(stage1, SHA1_LEN, candidate);
    OPENSSL_cleanse(stage1, sizeof stage1);
    /* Constant time so the comparison leaks nothing about stage2. */
    return CRYPTO_memcmp(candidate, stage2, SHA1_LEN) == 0;
}
