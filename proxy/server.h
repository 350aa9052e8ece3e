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

#include "planner/arena.h"
#include "planner/time_zone.h"
#include "proxy/config/server_config.h"
#include "proxy/exec/exec.h"
#include "proxy/obs/stats.h"
#include "semantic/catalog.h"

typedef struct pool pool;
struct admin_source;

/*
 * The sessions of a listening server, as the server sees them: it accepts
 * connections into them and closes them at shutdown without knowing what
 * they speak (proxy/session/sessions.h implements them for MySQL).
 */
typedef struct server_sessions {
    void (*accept)(evutil_socket_t fd, const struct sockaddr *addr, int socklen);
    unsigned (*count)(void); /* open sessions */
    unsigned (*busy)(void);  /* answering a statement */
    void (*close_idle)(void);
    void (*close_all)(void); /* cancels the statements still running, then closes */
    void (*free_all)(void);  /* at exit, once the loop has stopped */
} server_sessions;

typedef struct server_config {
    const char *host;
    int port;
    const char *configs_dir;
    const char *secrets_dir;
    const char *server_config_file; /* --server-config, re-read on SIGHUP; NULL when none */
    int pool_size;                  /* backend connections per connection name */
    int connect_timeout_s;          /* backend connect timeout */
    int queue_timeout_s;            /* wait for a pooled connection at most this long */
    int idle_timeout_s;             /* close backend connections unused this long */
    uint32_t max_allowed_packet;    /* largest client packet accepted */
    unsigned max_connections;       /* sessions at once; more get 1040 */
    int handshake_timeout_s;        /* a client must log in within this */
    int wait_timeout_s;             /* an idle session is closed after this */
    uint64_t query_timeout_ms;      /* 0: no limit; a session's max_execution_time may lower it */
    uint64_t max_result_rows;       /* per query, returned or staged; 0: no limit */
    uint64_t max_result_bytes;      /* per query, returned or staged; 0: no limit */
    uint64_t max_semijoin_values;   /* key values a semi-join filter pushes (planner/semijoin.h) */
    int shutdown_timeout_s;         /* queries in flight get this long on SIGTERM */
    uint64_t drain_grace_ms;        /* /healthz fails this long before SIGTERM/SIGHUP act */
    int log_level_option;           /* --log-level (a log_level); -1: the file's or info */
    const char *admin_host;         /* the admin HTTP listener (proxy/obs/admin_http.h) */
    int admin_port;                 /* 0: none */
    uint64_t cache_max_bytes;       /* the result cache's bound; 0: no cache */
    uint64_t cache_max_entry_bytes; /* results larger than this are not cached */
    time_zone default_time_zone;    /* a new session's time_zone (default '+00:00') */
    const char *http_host;          /* the HTTP API (proxy/http/http_api.h) */
    int http_port;                  /* 0: none */
    bool http_tls;                  /* HTTPS, with the MySQL port's certificate */
    uint64_t http_max_body_bytes;   /* larger request bodies get 413 */
    bool proxy_protocol;            /* a PROXY header first from proxy_from's addresses */
    const proxy_cidr *proxy_from;   /* who may (and then must) send one; default loopback */
    size_t nproxy_from;
    unsigned server_id; /* 0-255: the high 8 bits of connection ids (fixed at start) */
} server_config;

/* The defaults, and the settings of a server configuration file applied on top. */
void server_config_defaults(server_config *cfg);
void server_config_apply(server_config *cfg, const server_limits *lim);
void server_config_apply_cache(server_config *cfg, const cache_settings *cache);
/* default_time_zone of the file (NULL when it sets none: '+00:00'); checked when loaded. */
void server_config_apply_time_zone(server_config *cfg, const char *zone);
/* listen.proxy_protocol and proxy_protocol_from (also on SIGHUP: they apply to new
 * connections). The file must outlive cfg's use of it (reloads keep old files). */
void server_config_apply_listen(server_config *cfg, const server_file *file);

/*
 * A semantic layer in force, or in use by queries that started under it: a
 * reload makes a new one current, and the old one is freed when the last
 * execution that holds it ends.
 */
typedef struct catalog_gen {
    catalog *cat;
    struct info_schema *info_schema;
    unsigned refs;             /* executions holding it */
    struct access_view *views; /* users' restricted views of cat (proxy/server_access.h) */
    struct catalog_gen *next_retired;
    /* information_schemas replaced while statements held this generation (type discovery
     * retyped them): a semi-join's outer phase plans with the one it started with, so
     * they are freed only when no execution holds the generation. */
    struct info_schema **replaced;
    size_t nreplaced;
} catalog_gen;

typedef struct server {
    struct event_base *base;
    struct evconnlistener *listener;
    struct event *sigint, *sigterm, *sighup;
    struct event *janitor;  /* once a second: pools' idle connections and queues */
    struct event *shutdown; /* after SIGTERM: deadline, then polls until all is closed */
    bool shutting_down;
    bool reloading;             /* SIGHUP being handled: /healthz says "reloading" (503) */
    bool stopped_accepting;     /* after SIGTERM and drain_grace: no new connections or requests */
    struct event *drain;        /* SIGTERM: the end of drain_grace */
    struct event *reload_timer; /* SIGHUP: the reload, after drain_grace */
    time_t shutdown_deadline;
    server_config cfg;
    catalog *cat;                    /* of gen: the current semantic layer */
    struct info_schema *info_schema; /* information_schema of cat (planner/info_schema.h) */
    catalog_gen *gen;
    catalog_gen *retired;       /* reloaded away, still held by executions */
    server_file *retired_files; /* users of earlier configurations (logins may hold them) */
    size_t nretired_files;
    pool **pools; /* every pool ever needed; reused across reloads when a connection is unchanged */
    size_t npools;
    /* The sessions clients connect to (boot registers them); NULL: none (a local command). */
    const struct server_sessions *sessions;
    /* The HTTP API's requests in flight (proxy/http/http_api.h); NULL: no HTTP API. */
    const struct server_sessions *http;
    /* Who may log in and how (--server-config; see server_config.h). */
    server_user *users; /* none: any user name with an empty password, loopback only */
    size_t nusers;
    SSL_CTX *tls;      /* NULL: TLS is not offered */
    bool require_tls;  /* refuse sessions that did not start TLS */
    EVP_PKEY *rsa_key; /* caching_sha2_password's key exchange (NULL without users) */
    char *rsa_public_pem;
    time_t started;     /* for COM_STATISTICS */
    uint64_t questions; /* statements received, for COM_STATISTICS */
    /* Counters for /metrics (proxy/obs/stats.h); loop thread only. */
    server_stats stats;
    /* Column types being learnt from the backends (proxy/type_discovery.h). */
    struct type_discovery *discovery;
    /* Results of metrics queries (proxy/cache/result_cache.h); NULL when cache_max_bytes is 0.
     * Emptied whenever the semantic layer or the server configuration is (re)loaded. */
    struct result_cache *cache;
    /* What execution needs of the server: the loop, the pools, the layer in force. */
    exec_env exec_env;
} server;

extern server srv;

/* Starts listening; false (logged) when the address cannot be used. */
bool server_listen(void);
/* Once a second: the pools' idle connections and queue timeouts. */
void server_start_janitor(void);
/* A listening server's signal handlers (SIGINT, SIGTERM, SIGHUP) and column type discovery. */
void server_start_services(void);
void server_run(void);
void server_shutdown(void);

/* Fills srv.exec_env once srv.base exists. */
void server_init_exec_env(void);

/* The pool of a connection of the current catalog. */
pool *server_pool_for(const connection *c);

/* Makes cat (with its information_schema) the semantic layer in force. */
void server_install_catalog(catalog *cat, struct info_schema *is);
/*
 * Swaps the current semantic layer's information_schema for is (rebuilt with
 * discovered column types) and retires the old one: sessions read it while
 * planning a statement, and a statement in two phases (a semi-join filter, a
 * scalar subquery) plans its second phase with the one it started with, so the
 * old one is freed when no execution holds the generation any more.
 */
void server_replace_info_schema(struct info_schema *is);
/* Frees is now, or with the current generation's last execution when some hold it. */
void server_retire_info_schema(struct info_schema *is);
/* An execution holds the current semantic layer while it runs. */
catalog_gen *server_catalog_hold(void);
void server_catalog_release(catalog_gen *g);
/* Re-reads the semantic layer and the server configuration (SIGHUP). */
bool server_reload(void);
/* What is served, for the service manager's status line: the layer's size and the listeners. */
void server_describe(char *out, size_t n);
/* At exit: frees every semantic layer and the configurations kept for reloads. */
void server_free_catalogs(void);

/* What the admin HTTP endpoints read of this server (proxy/obs/admin_http.h). */
const struct admin_source *server_admin_source(void);

#endif
