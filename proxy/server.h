/*
 * The one server: its event loop, its listener, the semantic layer in force
 * and the backend pools. A single struct (as in Redis) instead of globals
 * scattered over files.
 */
#ifndef MIMIR_PROXY_SERVER_H
#define MIMIR_PROXY_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "proxy/server_config.h"
#include "semantic/catalog.h"

typedef struct pool pool;
typedef struct client client;

typedef struct server_config {
    const char *host;
    int port;
    const char *configs_dir;
    const char *secrets_dir;
    int pool_size;               /* backend connections per connection name */
    int connect_timeout_s;       /* backend connect timeout */
    uint32_t max_allowed_packet; /* largest client packet accepted */
} server_config;

typedef struct server {
    struct event_base *base;
    struct evconnlistener *listener;
    struct event *sigint, *sigterm;
    server_config cfg;
    catalog *cat;
    struct info_schema *info_schema; /* information_schema of cat (planner/info_schema.h) */
    pool **pools;                    /* one per catalog connection, same order */
    uint32_t next_client_id;
    client *clients; /* all sessions, for shutdown */
    unsigned nclients;
    /* Who may log in and how (--server-config; see server_config.h). */
    server_user *users; /* none: any user name with an empty password, loopback only */
    size_t nusers;
    SSL_CTX *tls;      /* NULL: TLS is not offered */
    bool require_tls;  /* refuse sessions that did not start TLS */
    EVP_PKEY *rsa_key; /* caching_sha2_password's key exchange (NULL without users) */
    char *rsa_public_pem;
    time_t started;     /* for COM_STATISTICS */
    uint64_t questions; /* statements received, for COM_STATISTICS */
} server;

extern server srv;

/* Starts listening; false (logged) when the address cannot be used. */
bool server_listen(void);
void server_run(void);
void server_shutdown(void);

/* The pool of a connection of the current catalog. */
pool *server_pool_for(const connection *c);

#endif
