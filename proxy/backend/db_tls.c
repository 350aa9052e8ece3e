/* TLS to the databases: see db_tls.h. */
#include "proxy/backend/db_tls.h"

#include <stdio.h>
#include <string.h>

bool my_tls_configure(MYSQL *m, const connection *c)
{
    const char *mode = c->sslmode;
    if (!mode || strcmp(mode, "disabled") == 0)
        return true;
    my_bool on = 1;
    my_bool verify_name = strcmp(mode, "verify_identity") == 0;
    /* In libmariadb 3.3 SSL_ENFORCE only asks for TLS: it falls back to plain
     * text when the server has none (my_tls_connected catches that). A CA file
     * makes it check the chain; VERIFY_SERVER_CERT adds the host name. */
    bool ok = mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on) == 0 &&
              mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify_name) == 0;
    if (ok && c->ssl_ca)
        ok = mysql_optionsv(m, MYSQL_OPT_SSL_CA, c->ssl_ca) == 0;
    if (ok && c->ssl_cert)
        ok = mysql_optionsv(m, MYSQL_OPT_SSL_CERT, c->ssl_cert) == 0 &&
             mysql_optionsv(m, MYSQL_OPT_SSL_KEY, c->ssl_key) == 0;
    return ok;
}

bool my_tls_connected(MYSQL *m, const connection *c, char *err, size_t errlen)
{
    const char *mode = c->sslmode;
    if (!mode || strcmp(mode, "disabled") == 0 || strcmp(mode, "preferred") == 0)
        return true;
    if (mysql_get_ssl_cipher(m))
        return true;
    snprintf(err, errlen, "TLS failed: ssl_mode %s, but the server did not start TLS", mode);
    return false;
}

/* Fragments of libpq's and libmariadb's (OpenSSL's) messages, by kind. */
static const char *const server_cert_words[] = {
    "certificate verify failed",       /* libpq, OpenSSL */
    "does not match host name",        /* libpq: server certificate for "x" does not match ... */
    "Validation of SSL server certif", /* libmariadb: host name check */
    "unable to get local issuer",      /* libmariadb: OpenSSL's X509 verify error strings */
    "self-signed certificate",
    "self signed certificate",
    "unable to verify the first certificate",
    "certificate has expired",
    "certificate is not yet valid",
    "root certificate file", /* libpq: the CA file is missing or unreadable */
    NULL,
};

static const char *const client_cert_words[] = {
    "requires a valid client certificate", /* PostgreSQL: hostssl ... cert */
    "certificate authentication failed",   /* PostgreSQL: the certificate's CN */
    "could not load private key",          /* libpq */
    "could not read certificate",          /* libpq */
    "could not open certificate",          /* libpq */
    "certificate required",                /* TLS alert from the server */
    "peer did not return a certificate",   /* MariaDB: REQUIRE X509 */
    NULL,
};

static bool has_any(const char *msg, const char *const *words)
{
    for (const char *const *w = words; *w; w++)
        if (strstr(msg, *w))
            return true;
    return false;
}

void db_tls_explain(char *out, size_t outlen, const char *msg)
{
    const char *kind = NULL;
    if (has_any(msg, server_cert_words))
        kind = "server certificate verification failed";
    else if (has_any(msg, client_cert_words))
        kind = "client certificate refused";
    else if (strstr(msg, "SSL connection error") || strstr(msg, "SSL error") ||
             strstr(msg, "SSL is required") || strstr(msg, "SSL SYSCALL"))
        kind = "TLS failed";
    if (kind)
        snprintf(out, outlen, "%s: %s", kind, msg);
    else
        snprintf(out, outlen, "%s", msg);
}
