/*
 * caching_sha2_password: see auth_sha2.h for the exchange. All digests go
 * through OpenSSL's EVP interface; secrets are cleansed after use and
 * compared in constant time.
 */
#include "wire/auth_sha2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rsa.h>

#include "wire/xalloc.h"

#define SCRAMBLE_LEN 20

/* Only a broken OpenSSL fails here; no client could log in either way. */
static void sha256_parts(const void *a, size_t alen, const void *b, size_t blen,
                         uint8_t md[WIRE_SHA2_LEN])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int md_len = 0;
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) || !EVP_DigestUpdate(ctx, a, alen) ||
        (blen && !EVP_DigestUpdate(ctx, b, blen)) || !EVP_DigestFinal_ex(ctx, md, &md_len) ||
        md_len != WIRE_SHA2_LEN) {
        fprintf(stderr, "mimir: SHA-256 digest failed in OpenSSL\n");
        abort();
    }
    EVP_MD_CTX_free(ctx);
}

static void sha256(const void *data, size_t len, uint8_t md[WIRE_SHA2_LEN])
{
    sha256_parts(data, len, NULL, 0, md);
}

void wire_sha2_verifier(const char *password, size_t len, uint8_t verifier[WIRE_SHA2_LEN])
{
    uint8_t stage1[WIRE_SHA2_LEN];
    sha256(password, len, stage1);
    sha256(stage1, sizeof stage1, verifier);
    OPENSSL_cleanse(stage1, sizeof stage1);
}

/* SHA256(verifier || scramble): the mask both sides XOR stage1 with. */
static void fast_mask(const uint8_t scramble[SCRAMBLE_LEN], const uint8_t verifier[WIRE_SHA2_LEN],
                      uint8_t mask[WIRE_SHA2_LEN])
{
    sha256_parts(verifier, WIRE_SHA2_LEN, scramble, SCRAMBLE_LEN, mask);
}

void wire_sha2_scramble(const char *password, size_t len, const uint8_t scramble[20],
                        uint8_t out[WIRE_SHA2_LEN])
{
    uint8_t stage1[WIRE_SHA2_LEN], verifier[WIRE_SHA2_LEN], mask[WIRE_SHA2_LEN];
    sha256(password, len, stage1);
    sha256(stage1, sizeof stage1, verifier);
    fast_mask(scramble, verifier, mask);
    for (int i = 0; i < WIRE_SHA2_LEN; i++)
        out[i] = stage1[i] ^ mask[i];
    OPENSSL_cleanse(stage1, sizeof stage1);
}

bool wire_sha2_fast_check(const uint8_t scramble[20], const uint8_t verifier[WIRE_SHA2_LEN],
                          const uint8_t *response, size_t response_len)
{
    if (response_len != WIRE_SHA2_LEN)
        return false;
    uint8_t mask[WIRE_SHA2_LEN], stage1[WIRE_SHA2_LEN], candidate[WIRE_SHA2_LEN];
    fast_mask(scramble, verifier, mask);
    for (int i = 0; i < WIRE_SHA2_LEN; i++)
        stage1[i] = response[i] ^ mask[i];
    sha256(stage1, sizeof stage1, candidate);
    OPENSSL_cleanse(stage1, sizeof stage1);
    return CRYPTO_memcmp(candidate, verifier, WIRE_SHA2_LEN) == 0;
}

bool wire_sha2_password_check(const char *password, size_t len,
                              const uint8_t verifier[WIRE_SHA2_LEN])
{
    uint8_t candidate[WIRE_SHA2_LEN];
    wire_sha2_verifier(password, len, candidate);
    return CRYPTO_memcmp(candidate, verifier, WIRE_SHA2_LEN) == 0;
}

/* RSA-OAEP with OpenSSL's defaults (SHA-1, MGF1-SHA-1): what every
 * caching_sha2_password client uses (RSA_PKCS1_OAEP_PADDING). */
static EVP_PKEY_CTX *oaep_ctx(EVP_PKEY *key, bool encrypt)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    if (!ctx)
        return NULL;
    int ok = encrypt ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx);
    if (ok <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

bool wire_sha2_rsa_decrypt_password(EVP_PKEY *key, const uint8_t scramble[20],
                                    const uint8_t *cipher, size_t cipher_len, buf *password)
{
    EVP_PKEY_CTX *ctx = oaep_ctx(key, false);
    if (!ctx)
        return false;
    size_t cap = 0;
    bool ok = false;
    if (EVP_PKEY_decrypt(ctx, NULL, &cap, cipher, cipher_len) > 0) {
        uint8_t *plain = xmalloc(cap);
        size_t out_len = cap;
        if (EVP_PKEY_decrypt(ctx, plain, &out_len, cipher, cipher_len) > 0 && out_len > 0) {
            for (size_t i = 0; i < out_len; i++)
                plain[i] ^= scramble[i % SCRAMBLE_LEN];
            /* The client encrypted the password with its NUL terminator. */
            if (plain[out_len - 1] == 0 && !memchr(plain, 0, out_len - 1)) {
                buf_reset(password);
                buf_append(password, plain, out_len - 1);
                ok = true;
            }
        }
        OPENSSL_cleanse(plain, cap);
        free(plain);
    }
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

bool wire_sha2_rsa_encrypt_password(EVP_PKEY *key, const uint8_t scramble[20], const char *password,
                                    buf *cipher)
{
    size_t len = strlen(password) + 1;
    uint8_t *plain = xmalloc(len);
    for (size_t i = 0; i < len; i++)
        plain[i] = (uint8_t)password[i] ^ scramble[i % SCRAMBLE_LEN];
    EVP_PKEY_CTX *ctx = oaep_ctx(key, true);
    size_t out_len = 0;
    bool ok = ctx && EVP_PKEY_encrypt(ctx, NULL, &out_len, plain, len) > 0;
    if (ok) {
        buf_reset(cipher);
        buf_reserve(cipher, out_len);
        ok = EVP_PKEY_encrypt(ctx, cipher->data, &out_len, plain, len) > 0;
        cipher->len = ok ? out_len : 0;
    }
    OPENSSL_cleanse(plain, len);
    free(plain);
    EVP_PKEY_CTX_free(ctx);
    return ok;
}
