/*
 * caching_sha2_password, the default authentication plugin of MySQL 8.
 *
 * The exchange, after the server's 20-byte nonce (the scramble):
 *   client -> XOR(SHA256(pw), SHA256(SHA256(SHA256(pw)) || nonce))   (32 bytes)
 *   server -> AuthMoreData 0x03 (fast path: accepted) then OK, or
 *             AuthMoreData 0x04 (perform full authentication)
 * Full authentication sends the password itself: in clear over TLS
 * (NUL-terminated), or without TLS encrypted with the server's RSA key
 * (RSA-OAEP of XOR(password || NUL, nonce repeated)), after fetching that
 * key with a request byte 0x02 if the client does not have it.
 *
 * The server stores a verifier, SHA256(SHA256(pw)), never the password. It
 * is what the fast path checks against (the server cannot undo the client's
 * XOR without it), and what a password from full authentication is hashed
 * to and compared with.
 */
#ifndef MIMIR_WIRE_AUTH_SHA2_H
#define MIMIR_WIRE_AUTH_SHA2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "wire/buf.h"

#define WIRE_SHA2_LEN 32

/* AuthMoreData (0x01) payloads of the exchange. */
#define WIRE_SHA2_REQUEST_PUBLIC_KEY 0x02
#define WIRE_SHA2_FAST_AUTH_SUCCESS  0x03
#define WIRE_SHA2_FULL_AUTH          0x04
#define WIRE_AUTH_MORE_DATA          0x01

/* SHA256(SHA256(password)): what a server configuration stores. */
void wire_sha2_verifier(const char *password, size_t len, uint8_t verifier[WIRE_SHA2_LEN]);

/* The client's fast-path response; used by tests and by `mimir passwd --check`. */
void wire_sha2_scramble(const char *password, size_t len, const uint8_t scramble[20],
                        uint8_t out[WIRE_SHA2_LEN]);

/*
 * The fast path: true when response (32 bytes) proves knowledge of the
 * password whose verifier is given. Constant-time.
 */
bool wire_sha2_fast_check(const uint8_t scramble[20], const uint8_t verifier[WIRE_SHA2_LEN],
                          const uint8_t *response, size_t response_len);

/* Full authentication: the password (as sent) matches the verifier. Constant-time. */
bool wire_sha2_password_check(const char *password, size_t len,
                              const uint8_t verifier[WIRE_SHA2_LEN]);

/*
 * Full authentication without TLS: decrypts what the client encrypted with
 * our public key and undoes the XOR with the scramble. On success password
 * holds the password without its terminating NUL (cleanse it after use).
 */
bool wire_sha2_rsa_decrypt_password(EVP_PKEY *key, const uint8_t scramble[20],
                                    const uint8_t *cipher, size_t cipher_len, buf *password);

/* What the client does with the public key; used by tests. */
bool wire_sha2_rsa_encrypt_password(EVP_PKEY *key, const uint8_t scramble[20], const char *password,
                                    buf *cipher);

#endif
