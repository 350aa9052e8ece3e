/*
 * The server configuration file (`mimir serve --server-config FILE`): where
 * to listen, who may log in, and TLS. YAML, read with semantic/yaml_doc.h:
 *
 *   listen:
 *     host: 0.0.0.0            # default 127.0.0.1
 *     port: 3306               # default 3306
 *     proxy_protocol: true     # behind HAProxy: a PROXY v1/v2 header first (default false)
 *     proxy_protocol_from: [127.0.0.1, 10.0.0.0/8]   # who may send one (default loopback)
 *   server_id: 1               # 0-255, the high 8 bits of connection ids (default 0)
 *   tls:
 *     cert: server.crt         # PEM certificate (chain); relative to this file
 *     key: server.key          # PEM private key
 *     require_tls: true        # refuse logins that did not start TLS (default false)
 *   rsa_key: rsa.pem           # caching_sha2_password key exchange (default: generated)
 *   users:
 *     - name: analyst
 *       mysql_native_password: "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19"
 *       caching_sha2_password: "3c7f...(64 hex digits)"
 *       grants:                  # optional; see semantic/grants.h
 *         sources: [rentals]
 *
 *   cache: {max_bytes: 64MiB, max_entry_bytes: 8MiB}   # proxy/config/cache_config.h
 *
 * Passwords are never stored: `mimir passwd` prints both hashes for a
 * password read from stdin. A user needs at least one of them.
 *
 * The `log:` and `admin:` sections are read by proxy/config/obs_config.c, `http:` by
 * proxy/config/http_config.c.
 */
#ifndef MIMIR_PROXY_CONFIG_SERVER_CONFIG_H
#define MIMIR_PROXY_CONFIG_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proxy/config/obs_config.h"
#include "proxy/config/cache_config.h"
#include "proxy/config/http_config.h"
#include "wire/auth_sha2.h"
#include "wire/proxy_header.h"

struct grants;

typedef struct server_user {
    char *name;
    struct grants *grants; /* what the user may see (semantic/grants.h); NULL: everything */
    bool has_native;
    uint8_t native_stage2[20]; /* SHA1(SHA1(password)) */
    bool has_sha2;
    uint8_t sha2_verifier[WIRE_SHA2_LEN]; /* SHA256(SHA256(password)) */
    /*
     * caching_sha2_password's cache, as in MySQL: the fast path is taken only
     * for a user who passed full authentication (the password itself, over
     * TLS or RSA) since the server started; until then the server asks for
     * full authentication.
     */
    bool sha2_cached;
} server_user;

/*
 * Runtime limits and timeouts (section `limits:`). Each is -1 when the file
 * does not set it; the defaults live in proxy/main.c and docs/operations.md.
 */
typedef struct server_limits {
    int64_t max_connections;     /* sessions at once; more get 1040 */
    int64_t handshake_timeout;   /* seconds to complete the login */
    int64_t wait_timeout;        /* seconds a session may sit idle */
    int64_t query_timeout;       /* milliseconds a query may run (0: no limit) */
    int64_t max_result_rows;     /* rows one query may return or stage (0: no limit) */
    int64_t max_result_bytes;    /* bytes one query may return or stage (0: no limit) */
    int64_t max_semijoin_values; /* key values a semi-join filter may push into a query */
    int64_t max_allowed_packet;  /* largest client packet */
    int64_t pool_size;           /* backend connections per connection name */
    int64_t connect_timeout;     /* seconds to open a backend connection */
    int64_t queue_timeout;       /* seconds a query waits for a pooled connection */
    int64_t idle_timeout;        /* seconds an unused backend connection is kept */
    int64_t shutdown_timeout;    /* seconds queries in flight get on SIGTERM */
    int64_t drain_grace;         /* ms /healthz fails before SIGTERM stops accepting or SIGHUP
                                    reloads (a load balancer's check interval times its fall) */
} server_limits;

typedef struct server_file {
    char *path;
    char *host;             /* NULL when not set */
    int port;               /* -1 when not set */
    bool proxy_protocol;    /* listen.proxy_protocol */
    proxy_cidr *proxy_from; /* listen.proxy_protocol_from; NULL when not set (loopback) */
    size_t nproxy_from;
    int server_id; /* -1 when not set */
    char *tls_cert;
    char *tls_key;
    bool require_tls;
    char *rsa_key;
    server_user *users;
    size_t nusers;
    server_limits limits;
    log_settings log;        /* `log:` (proxy/config/obs_config.h) */
    admin_settings admin;    /* `admin:` */
    http_settings http;      /* `http:` (proxy/config/http_config.h) */
    cache_settings cache;    /* section `cache:` (proxy/config/cache_config.h) */
    char *default_time_zone; /* `default_time_zone:` (planner/time_zone.h); NULL when not set */
} server_file;

/* Loads and validates FILE; on failure "FILE:LINE: message" in err. */
bool server_file_load(const char *path, server_file *out, char *err, size_t errlen);
void server_file_free(server_file *f);

/* The text forms of the hashes, as written in the file and printed by `mimir passwd`. */
void server_native_hash_text(const uint8_t stage2[20], char out[42]);
void server_sha2_hash_text(const uint8_t verifier[WIRE_SHA2_LEN], char out[65]);
bool server_parse_native_hash(const char *text, uint8_t stage2[20]);
bool server_parse_sha2_hash(const char *text, uint8_t verifier[WIRE_SHA2_LEN]);

#endif
