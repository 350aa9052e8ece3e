/*
 * TLS and RSA with OpenSSL. The upgrade keeps the session on the loop: the
 * TLS layer is a filter bufferevent over the socket's, so the handshake, reads
 * and writes are driven by the same events as a plain session.
 */
#include "proxy/tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "wire/xalloc.h"

#define RSA_KEY_BITS 2048

const char *tls_error_string(char *buf, size_t n)
{
    unsigned long e = ERR_get_error();
    if (e == 0)
        snprintf(buf, n, "unknown error");
    else
        ERR_error_string_n(e, buf, n);
    ERR_clear_error();
    return buf;
}

bool tls_bufferevent_error(struct bufferevent *bev, char *buf, size_t n)
{
    unsigned long e = bufferevent_get_openssl_error(bev);
    if (e == 0)
        return false;
    ERR_error_string_n(e, buf, n);
    while (bufferevent_get_openssl_error(bev) != 0)
        ; /* the rest are consequences of the first */
    return true;
}

SSL_CTX *tls_server_context(const char *cert_file, const char *key_file, char *err, size_t errlen)
{
    char why[256];
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        snprintf(err, errlen, "cannot create a TLS context: %s", tls_error_string(why, sizeof why));
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    /* Session resumption would need a shared cache; clients reconnect rarely. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
        snprintf(err, errlen, "cannot use the TLS certificate '%s': %s", cert_file,
                 tls_error_string(why, sizeof why));
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
        snprintf(err, errlen, "cannot use the TLS key '%s': %s", key_file,
                 tls_error_string(why, sizeof why));
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        snprintf(err, errlen, "the TLS key '%s' does not match the certificate '%s'", key_file,
                 cert_file);
        ERR_clear_error();
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

struct bufferevent *tls_accept(struct event_base *base, struct bufferevent *plain, SSL_CTX *ctx)
{
    SSL *ssl = SSL_new(ctx);
    if (!ssl)
        return NULL;
    /* The filter takes the plain bufferevent's callbacks over; the bytes the
     * client sent right after its SSLRequest (the ClientHello) are already in
     * its input and are read by the handshake. */
    bufferevent_setwatermark(plain, EV_READ | EV_WRITE, 0, 0);
    struct bufferevent *bev = bufferevent_openssl_filter_new(
        base, plain, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        SSL_free(ssl);
        return NULL;
    }
    /* Many clients close the socket without a TLS close_notify; that is the
     * end of the session, not an error worth a log line. */
    bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    return bev;
}

EVP_PKEY *rsa_key_load_or_generate(const char *path, char *err, size_t errlen)
{
    char why[256];
    if (!path) {
        EVP_PKEY *key = EVP_RSA_gen(RSA_KEY_BITS);
        if (!key)
            snprintf(err, errlen, "cannot generate an RSA key: %s",
                     tls_error_string(why, sizeof why));
        return key;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open the RSA key '%s': %s", path, strerror(errno));
        return NULL;
    }
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!key) {
        snprintf(err, errlen, "cannot read the RSA key '%s' (a PEM private key): %s", path,
                 tls_error_string(why, sizeof why));
        return NULL;
    }
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
        snprintf(err, errlen, "the key '%s' is not an RSA key", path);
        EVP_PKEY_free(key);
        return NULL;
    }
    return key;
}

char *rsa_public_key_pem(EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio || PEM_write_bio_PUBKEY(bio, key) != 1) {
        BIO_free(bio);
        return NULL;
    }
    char *data;
    long n = BIO_get_mem_data(bio, &data);
    char *pem = xstrndup(data, (size_t)n);
    BIO_free(bio);
    return pem;
}
