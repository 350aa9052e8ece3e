/*
 * TLS for client sessions (OpenSSL under libevent's filter bufferevent, on
 * the server's one loop) and the RSA key of caching_sha2_password's key
 * exchange. Configured once at startup from the server configuration.
 */
#ifndef MIMIR_PROXY_TLS_H
#define MIMIR_PROXY_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/bufferevent.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

/* A server context (TLS 1.2 or newer) with the certificate chain and key
 * from PEM files; NULL with a message in err when they cannot be used. */
SSL_CTX *tls_server_context(const char *cert_file, const char *key_file, char *err, size_t errlen);

/*
 * Starts the server side of a TLS handshake over an open connection (after
 * the client's SSLRequest): returns the bufferevent that reads and writes
 * plaintext from now on and owns plain (freeing it frees both), or NULL.
 */
struct bufferevent *tls_accept(struct event_base *base, struct bufferevent *plain, SSL_CTX *ctx);

/* Why the last TLS operation of this thread failed, for the log. */
const char *tls_error_string(char *buf, size_t n);
/* Why a TLS session's bufferevent failed; false when OpenSSL recorded nothing. */
bool tls_bufferevent_error(struct bufferevent *bev, char *buf, size_t n);

/* The RSA private key in a PEM file, or a fresh 2048-bit one when path is NULL. */
EVP_PKEY *rsa_key_load_or_generate(const char *path, char *err, size_t errlen);
/* Its public half as PEM ("-----BEGIN PUBLIC KEY-----"), malloc'ed. */
char *rsa_public_key_pem(EVP_PKEY *key);

#endif
