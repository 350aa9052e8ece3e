#include "proxy/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "planner/derived_metrics.h"
#include "planner/info_schema.h"
#include "planner/planner.h"
#include "planner/semijoin.h"
#include "proxy/backend/pool.h"
#include "proxy/cache/result_cache.h"
#include "proxy/config/obs_config.h"
#include "proxy/exec/exec.h"
#include "proxy/log.h"
#include "proxy/obs/admin_http.h"
#include "proxy/rollups/rollup_sched.h"
#include "proxy/server_access.h"
#include "proxy/service_notify.h"
#include "proxy/type_discovery.h"
#include "wire/xalloc.h"

server srv;

/* Without listen.proxy_protocol_from, only loopback may send a PROXY header. */
static const proxy_cidr loopback_ranges[] = {
    {.family = 4, .addr = {127, 0, 0, 0}, .bits = 8},
    {.family = 6, .addr = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, .bits = 128},
};

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr,
                      int socklen, void *arg)
{
    (void)l;
    (void)arg;
    srv.sessions->accept(fd, addr, socklen);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
    (void)l;
    (void)arg;
    /* EMFILE and friends: keep the listener; the next accept may succeed. */
    log_warn("accept failed: %s", evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

/* ---- Semantic layer generations and pools ---------------------------------- */

static void free_replaced(catalog_gen *g)
{
    for (size_t i = 0; i < g->nreplaced; i++)
        info_schema_free(g->replaced[i]);
    free(g->replaced);
    g->replaced = NULL;
    g->nreplaced = 0;
}

static void free_gen(catalog_gen *g)
{
    free_replaced(g);
    access_views_free(g->views);
    info_schema_free(g->info_schema);
    catalog_free(g->cat);
    free(g);
}

/* What the pools get of the server: its loop and the backend limits of its configuration. */
static pool_settings pool_settings_now(void)
{
    return (pool_settings){.base = srv.base,
                           .max_size = srv.cfg.pool_size,
                           .connect_timeout_s = srv.cfg.connect_timeout_s,
                           .queue_timeout_s = srv.cfg.queue_timeout_s,
                           .idle_timeout_s = srv.cfg.idle_timeout_s};
}

/* Pools are matched by what they connect to, so an unchanged connection keeps its pool
 * (and its warm connections) across reloads; a reload's timeouts reach every pool. */
static void ensure_pools(const catalog *cat)
{
    pool_settings settings = pool_settings_now();
    for (size_t k = 0; k < srv.npools; k++)
        pool_update_timeouts(srv.pools[k], &settings);
    for (size_t i = 0; i < cat->n_connections; i++) {
        const connection *c = &cat->connections[i];
        bool found = false;
        for (size_t k = 0; k < srv.npools && !found; k++)
            found = pool_matches(srv.pools[k], c);
        if (found)
            continue;
        pool **grown = xrealloc(srv.pools, (srv.npools + 1) * sizeof(pool *));
        srv.pools = grown;
        srv.pools[srv.npools++] = pool_new(c, &settings);
    }
}

/*
 * A new semantic layer (or server configuration: both are installed together)
 * empties the result cache: a cached answer may come from SQL the new layer no
 * longer has, or from a connection now pointing elsewhere. The cache is made,
 * resized or dropped to match the configuration in force.
 */
static void configure_cache(void)
{
    uint64_t max = srv.cfg.cache_max_bytes, entry = srv.cfg.cache_max_entry_bytes;
    size_t cached = 0;
    for (size_t i = 0; i < srv.cat->n_sources; i++)
        cached += srv.cat->sources[i].cache_ttl_s > 0;
    if (cached && max)
        log_info("result cache: %zu of %zu sources have a cache_ttl; up to %llu bytes, %llu per "
                 "answer",
                 cached, srv.cat->n_sources, (unsigned long long)max,
                 (unsigned long long)(entry < max ? entry : max));
    else if (cached)
        log_info("result cache: off (cache: max_bytes is 0), although %zu sources have a "
                 "cache_ttl",
                 cached);
    if (max == 0) {
        result_cache_free(srv.cache);
        srv.cache = NULL;
        return;
    }
    if (!srv.cache) {
        srv.cache = result_cache_new(max, entry, NULL);
        return;
    }
    result_cache_clear(srv.cache);
    result_cache_set_limits(srv.cache, max, entry);
}

void server_install_catalog(catalog *cat, struct info_schema *is)
{
    type_discovery_stop(); /* it runs on the catalog about to be replaced */
    catalog_gen *g = xcalloc(1, sizeof(*g));
    g->cat = cat;
    g->info_schema = is;
    if (srv.gen) {
        if (srv.gen->refs == 0) {
            free_gen(srv.gen);
        } else {
            srv.gen->next_retired = srv.retired;
            srv.retired = srv.gen;
        }
    }
    srv.gen = g;
    srv.stats.catalog_generation++;
    srv.cat = cat;
    srv.info_schema = is;
    ensure_pools(cat);
    configure_cache();
}

void server_retire_info_schema(struct info_schema *is)
{
    catalog_gen *g = srv.gen;
    if (!is)
        return;
    if (g->refs == 0) {
        info_schema_free(is);
        return;
    }
    g->replaced = xreallocarray(g->replaced, g->nreplaced + 1, sizeof(*g->replaced));
    g->replaced[g->nreplaced++] = is;
}

void server_replace_info_schema(struct info_schema *is)
{
    server_retire_info_schema(srv.gen->info_schema);
    srv.gen->info_schema = is;
    srv.info_schema = is;
    access_views_retype();
}

catalog_gen *server_catalog_hold(void)
{
    srv.gen->refs++;
    return srv.gen;
}

void server_catalog_release(catalog_gen *g)
{
    if (--g->refs > 0)
        return;
    if (g == srv.gen) { /* the current one lives on; what it replaced can go now */
        free_replaced(g);
        return;
    }
    for (catalog_gen **link = &srv.retired; *link; link = &(*link)->next_retired) {
        if (*link == g) {
            *link = g->next_retired;
            break;
        }
    }
    free_gen(g);
}

pool *server_pool_for(const connection *c)
{
    for (size_t i = 0; i < srv.npools; i++)
        if (pool_matches(srv.pools[i], c))
            return srv.pools[i];
    return NULL;
}

static pool *env_pool_for(void *ctx, const connection *c)
{
    (void)ctx;
    return server_pool_for(c);
}

static void *env_hold_layer(void *ctx)
{
    (void)ctx;
    return server_catalog_hold();
}

static void env_release_layer(void *ctx, void *layer)
{
    (void)ctx;
    server_catalog_release(layer);
}

void server_init_exec_env(void)
{
    srv.exec_env = (exec_env){.base = srv.base,
                              .stats = &srv.stats,
                              .pool_for = env_pool_for,
                              .hold_layer = env_hold_layer,
                              .release_layer = env_release_layer};
}

static void janitor_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    time_t now = time(NULL);
    for (size_t i = 0; i < srv.npools; i++)
        pool_maintain(srv.pools[i], now);
    if (srv.cache)
        result_cache_expire(srv.cache); /* expired answers do not sit in memory */
}

/* ---- What the admin HTTP endpoints read (proxy/obs/admin_http.h) --------------- */

/* Pools that share a connection name (an old one kept over a reload) are summed:
 * one series per label set. */
static size_t pool_gauges(pool_gauge *g)
{
    size_t n = 0;
    for (size_t i = 0; i < srv.npools; i++) {
        int idle, busy, waiting;
        pool_counts(srv.pools[i], &idle, &busy, &waiting);
        const char *name = pool_connection(srv.pools[i])->name;
        size_t k = 0;
        while (k < n && strcmp(g[k].connection, name) != 0)
            k++;
        if (k == n)
            g[n++] = (pool_gauge){.connection = name};
        g[k].idle += idle;
        g[k].busy += busy;
        g[k].waiting += waiting;
    }
    return n;
}

static unsigned session_count(void)
{
    return srv.sessions ? srv.sessions->count() : 0;
}

static void admin_gauges(stats_gauges *g)
{
    pool_gauge *pools = xcalloc(srv.npools + 1, sizeof(*pools));
    *g = (stats_gauges){.connections = session_count(),
                        .executions = exec_count(),
                        .http_requests = srv.http ? srv.http->count() : 0,
                        .pools = pools,
                        .npools = pool_gauges(pools),
                        .uptime_s = difftime(time(NULL), srv.started)};
}

static void admin_health_of(admin_health *h)
{
    *h = (admin_health){.shutting_down = srv.shutting_down,
                        .reloading = srv.reloading,
                        .catalog_generation = srv.stats.catalog_generation,
                        .have_layer = srv.cat != NULL,
                        .connections = session_count()};
    if (srv.cat) {
        h->sources = srv.cat->n_sources;
        h->metrics = srv.cat->n_metrics;
        h->dimensions = srv.cat->n_dimensions;
    }
}

const admin_source *server_admin_source(void)
{
    static admin_source src;
    src = (admin_source){.stats = &srv.stats, .health = admin_health_of, .gauges = admin_gauges};
    return &src;
}

/* ---- Shutdown -------------------------------------------------------------------- */

/* Everything answered and closed: the loop may end. */
static void shutdown_poll(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    time_t now = time(NULL);
    if (now >= srv.shutdown_deadline) {
        /* Out of time: cancel what still runs, on its database too. */
        srv.sessions->close_all();
        if (srv.http)
            srv.http->close_all();
    } else {
        srv.sessions->close_idle(); /* sessions that went idle since (between queries) */
    }
    unsigned requests = srv.http ? srv.http->count() : 0;
    if ((session_count() == 0 && requests == 0 && exec_count() == 0) ||
        now >= srv.shutdown_deadline + 5) {
        event_base_loopexit(srv.base, NULL);
        return;
    }
    struct timeval tv = {0, 50 * 1000};
    event_add(srv.shutdown, &tv);
}

/* After the drain grace: no new connections; idle sessions close, queries finish. */
static void stop_accepting(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    srv.stopped_accepting = true;
    unsigned busy = srv.sessions->busy() + (srv.http ? srv.http->busy() : 0);
    log_info("no new connections; %u quer%s in flight get up to %d s to finish", busy,
             busy == 1 ? "y" : "ies", srv.cfg.shutdown_timeout_s);
    if (srv.listener) {
        evconnlistener_free(srv.listener);
        srv.listener = NULL;
    }
    srv.sessions->close_idle();
    if (srv.http)
        srv.http->close_idle(); /* stops accepting: requests in flight go on */
    srv.shutdown_deadline = time(NULL) + srv.cfg.shutdown_timeout_s;
    srv.shutdown = evtimer_new(srv.base, shutdown_poll, NULL);
    shutdown_poll(-1, 0, NULL);
}

/*
 * SIGTERM: /healthz fails at once, so that a load balancer takes the server
 * out of its rotation; for drain_grace the server still accepts and answers
 * (connections the balancer sent before its next check), then stops
 * accepting and lets the queries in flight finish (stop_accepting).
 */
static void begin_shutdown(int sig)
{
    if (srv.shutting_down) {
        log_info("received %s again: stopping now", sig == SIGINT ? "SIGINT" : "SIGTERM");
        event_base_loopexit(srv.base, NULL);
        return;
    }
    srv.shutting_down = true;
    service_notify_stopping();
    type_discovery_stop();
    log_info("received %s: /healthz answers 503 from now on", sig == SIGINT ? "SIGINT" : "SIGTERM");
    if (srv.cfg.drain_grace_ms == 0) {
        stop_accepting(-1, 0, NULL);
        return;
    }
    log_info("still accepting for %llu ms (limits: drain_grace), while load balancers notice",
             (unsigned long long)srv.cfg.drain_grace_ms);
    struct timeval tv = {(time_t)(srv.cfg.drain_grace_ms / 1000),
                         (suseconds_t)(srv.cfg.drain_grace_ms % 1000) * 1000};
    srv.drain = evtimer_new(srv.base, stop_accepting, NULL);
    event_add(srv.drain, &tv);
}

static void reopen_log(void);

static void reload_now(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    if (srv.shutting_down) {
        srv.reloading = false;
        return; /* STOPPING=1 was sent: no reload, which would report READY=1 again */
    }
    bool ok = server_reload();
    srv.reloading = false;
    char status[512];
    server_describe(status, sizeof(status));
    service_notify_reloaded(ok, status);
}

/*
 * SIGHUP: /healthz answers 503 ("reloading") for drain_grace before the reload
 * and until it is done, so that a load balancer sends new connections to the
 * other servers meanwhile; sessions already open are served all along.
 */
static void begin_reload(void)
{
    if (srv.reloading)
        return; /* the reload to come reads the files as they will be then */
    srv.reloading = true;
    service_notify_reloading();
    if (srv.cfg.drain_grace_ms == 0) {
        reload_now(-1, 0, NULL);
        return;
    }
    log_info("received SIGHUP: /healthz answers 503 for %llu ms (limits: drain_grace), then "
             "the reload",
             (unsigned long long)srv.cfg.drain_grace_ms);
    struct timeval tv = {(time_t)(srv.cfg.drain_grace_ms / 1000),
                         (suseconds_t)(srv.cfg.drain_grace_ms % 1000) * 1000};
    if (!srv.reload_timer)
        srv.reload_timer = evtimer_new(srv.base, reload_now, NULL);
    event_add(srv.reload_timer, &tv);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    (void)arg;
    if (sig == SIGHUP) {
        reopen_log(); /* first: logrotate's new file gets the reload's lines */
        if (srv.shutting_down)
            return; /* STOPPING=1 was sent: no reload, which would report READY=1 again */
        begin_reload();
        return;
    }
    begin_shutdown((int)sig);
}

/* ---- Reload -------------------------------------------------------------------------- */

static bool reload(void)
{
    char err[2048];
    log_info("received SIGHUP: reloading %s%s%s", srv.cfg.configs_dir,
             srv.cfg.server_config_file ? " and " : "",
             srv.cfg.server_config_file ? srv.cfg.server_config_file : "");
    server_file *file = NULL;
    if (srv.cfg.server_config_file) {
        file = xcalloc(1, sizeof(*file));
        if (!server_file_load(srv.cfg.server_config_file, file, err, sizeof(err))) {
            log_error("reload rejected, the previous configuration stays in force: %s", err);
            free(file);
            return false;
        }
    }
    catalog *cat = catalog_load(srv.cfg.configs_dir, srv.cfg.secrets_dir, err, sizeof(err));
    if (cat && !derived_metrics_valid(cat, err, sizeof(err))) {
        catalog_free(cat);
        cat = NULL;
    }
    if (!cat) {
        log_error("reload rejected, the previous semantic layer stays in force: %s", err);
        if (file) {
            server_file_free(file);
            free(file);
        }
        return false;
    }
    struct info_schema *is = info_schema_build(cat, err, sizeof(err));
    if (!is) {
        log_error("reload rejected: cannot build information_schema: %s", err);
        catalog_free(cat);
        if (file) {
            server_file_free(file);
            free(file);
        }
        return false;
    }
    if (file)
        access_check_grants(file->users, file->nusers, cat, false);
    else
        access_check_grants(srv.users, srv.nusers, cat, false);
    if (file) {
        /* Limits, users and the log take effect now; where to listen (also the admin
         * listener) and TLS need a restart. */
        server_config_apply(&srv.cfg, &file->limits);
        if (!obs_log_apply(&file->log, srv.cfg.log_level_option, err, sizeof(err)))
            log_error("reload: %s; the log stays where it was", err);
        server_config_apply_cache(&srv.cfg, &file->cache);
        server_config_apply_time_zone(&srv.cfg, file->default_time_zone);
        server_config_apply_listen(&srv.cfg, file);
        if (file->server_id >= 0 && (unsigned)file->server_id != srv.cfg.server_id)
            log_warn("reload: server_id stays %u until a restart (connection ids in use keep "
                     "theirs)",
                     srv.cfg.server_id);
        if (file->nusers || srv.nusers) {
            srv.users = file->users;
            srv.nusers = file->nusers;
        }
        server_file *kept = xrealloc(srv.retired_files, (srv.nretired_files + 1) * sizeof(*kept));
        srv.retired_files = kept;
        srv.retired_files[srv.nretired_files++] = *file;
        free(file);
    }
    server_install_catalog(cat, is);
    log_info("reloaded: %zu sources, %zu metrics, %zu dimensions", cat->n_sources, cat->n_metrics,
             cat->n_dimensions);
    type_discovery_start();
    rollup_sched_sync();
    return true;
}

bool server_reload(void)
{
    bool ok = reload();
    if (ok)
        srv.stats.reloads_ok++;
    else
        srv.stats.reloads_failed++;
    return ok;
}

void server_describe(char *out, size_t n)
{
    int len =
        snprintf(out, n, "serving %zu sources, %zu metrics, %zu dimensions of %s; MySQL on %s:%d",
                 srv.cat->n_sources, srv.cat->n_metrics, srv.cat->n_dimensions, srv.cfg.configs_dir,
                 srv.cfg.host, srv.cfg.port);
    if (srv.cfg.http_port && len >= 0 && (size_t)len < n)
        len += snprintf(out + len, n - (size_t)len, ", HTTP on %s:%d", srv.cfg.http_host,
                        srv.cfg.http_port);
    if (srv.cfg.admin_port && len >= 0 && (size_t)len < n)
        snprintf(out + len, n - (size_t)len, ", admin on %s:%d", srv.cfg.admin_host,
                 srv.cfg.admin_port);
}

/* SIGHUP without a server configuration file: still reopen the log for logrotate. */
static void reopen_log(void)
{
    char err[512];
    if (!log_reopen(err, sizeof(err)))
        log_error("cannot reopen the log: %s", err);
}

/*
 * Every client session and backend connection is a descriptor, and a shell's
 * default soft limit (1024 on Debian) is below what max_connections allows.
 * The soft limit may be raised to the hard one without privileges, as
 * nginx's worker_rlimit_nofile or PgBouncer's startup do: raise it, and say
 * so. systemd's LimitNOFILE= sets both (the unit: 65536).
 */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t want = rl.rlim_max == RLIM_INFINITY ? (rlim_t)1048576 : rl.rlim_max;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rlim_t was = rl.rlim_cur;
        rl.rlim_cur = want;
        if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
            log_info("raised the limit of open files from %ju to %ju (the hard limit)",
                     (uintmax_t)was, (uintmax_t)want);
        else
            rl.rlim_cur = was;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)srv.cfg.max_connections + 64)
        log_warn("the limit of open files (%ju) is below max_connections (%u) plus room for "
                 "backends: raise it (ulimit -n, or LimitNOFILE= in the unit)",
                 (uintmax_t)rl.rlim_cur, srv.cfg.max_connections);
}

bool server_listen(void)
{
    raise_fd_limit();
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    char port[16];
    snprintf(port, sizeof(port), "%d", srv.cfg.port);
    int rc = getaddrinfo(srv.cfg.host, port, &hints, &res);
    if (rc != 0) {
        log_error("cannot resolve listen address '%s': %s", srv.cfg.host, gai_strerror(rc));
        return false;
    }
    srv.listener = evconnlistener_new_bind(srv.base, accept_cb, NULL,
                                           LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 128,
                                           res->ai_addr, (int)res->ai_addrlen);
    freeaddrinfo(res);
    if (!srv.listener) {
        log_error("cannot listen on %s:%d: %s", srv.cfg.host, srv.cfg.port,
                  evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        return false;
    }
    evconnlistener_set_error_cb(srv.listener, accept_error_cb);
    return true;
}

void server_start_janitor(void)
{
    srv.janitor = event_new(srv.base, -1, EV_PERSIST, janitor_cb, NULL);
    struct timeval second = {1, 0};
    event_add(srv.janitor, &second);
}

void server_start_services(void)
{
    srv.sigint = evsignal_new(srv.base, SIGINT, signal_cb, NULL);
    srv.sigterm = evsignal_new(srv.base, SIGTERM, signal_cb, NULL);
    srv.sighup = evsignal_new(srv.base, SIGHUP, signal_cb, NULL);
    event_add(srv.sigint, NULL);
    event_add(srv.sigterm, NULL);
    event_add(srv.sighup, NULL);
    type_discovery_start();
    rollup_sched_sync();
}

void server_run(void)
{
    event_base_dispatch(srv.base);
}

void server_shutdown(void)
{
    if (srv.listener)
        evconnlistener_free(srv.listener);
    srv.listener = NULL;
    if (srv.sessions)
        srv.sessions->free_all();
    if (srv.http)
        srv.http->free_all();
    type_discovery_stop();
    rollup_sched_stop();
    for (size_t i = 0; i < srv.npools; i++)
        pool_free(srv.pools[i]);
    free(srv.pools);
    srv.pools = NULL;
    srv.npools = 0;
    struct event **events[] = {&srv.sigint,   &srv.sigterm, &srv.sighup,      &srv.janitor,
                               &srv.shutdown, &srv.drain,   &srv.reload_timer};
    for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
        if (*events[i])
            event_free(*events[i]);
        *events[i] = NULL;
    }
    stats_free(&srv.stats); /* the loop has ended: nothing counts any more */
}

void server_config_defaults(server_config *cfg)
{
    cfg->host = "127.0.0.1";
    cfg->port = 3306;
    cfg->pool_size = 8;
    cfg->connect_timeout_s = 10;
    cfg->queue_timeout_s = 10;
    cfg->idle_timeout_s = 300;
    cfg->max_allowed_packet = 64u << 20;
    cfg->max_connections = 151;
    cfg->handshake_timeout_s = 10;
    cfg->wait_timeout_s = 28800;
    cfg->query_timeout_ms = 0;
    cfg->max_result_rows = 0;
    cfg->max_result_bytes = 0;
    cfg->max_semijoin_values = SEMIJOIN_MAX_KEYS;
    cfg->shutdown_timeout_s = 30;
    cfg->log_level_option = -1;
    cfg->admin_host = "127.0.0.1";
    cfg->admin_port = 0;
    cfg->http_host = "127.0.0.1";
    cfg->http_port = 0;
    cfg->http_max_body_bytes = 1u << 20;
    cfg->cache_max_bytes = CACHE_DEFAULT_MAX_BYTES;
    cfg->cache_max_entry_bytes = CACHE_DEFAULT_MAX_ENTRY_BYTES;
    time_zone_default(&cfg->default_time_zone);
    cfg->proxy_from = loopback_ranges;
    cfg->nproxy_from = 2;
}

void server_config_apply_listen(server_config *cfg, const server_file *file)
{
    cfg->proxy_protocol = file->proxy_protocol;
    cfg->proxy_from = file->proxy_from ? file->proxy_from : loopback_ranges;
    cfg->nproxy_from = file->proxy_from ? file->nproxy_from : 2;
}

void server_config_apply_time_zone(server_config *cfg, const char *zone)
{
    /* Sessions already open keep their zone, as in MySQL after SET GLOBAL time_zone. */
    if (!zone || !time_zone_parse(zone, &cfg->default_time_zone))
        time_zone_default(&cfg->default_time_zone);
}

void server_config_apply_cache(server_config *cfg, const cache_settings *cache)
{
    /* A file without the section means the defaults, also after a reload removed it. */
    cfg->cache_max_bytes =
        cache->max_bytes >= 0 ? (uint64_t)cache->max_bytes : CACHE_DEFAULT_MAX_BYTES;
    cfg->cache_max_entry_bytes = cache->max_entry_bytes >= 0 ? (uint64_t)cache->max_entry_bytes
                                                             : CACHE_DEFAULT_MAX_ENTRY_BYTES;
}

void server_config_apply(server_config *cfg, const server_limits *lim)
{
    if (lim->max_connections >= 0)
        cfg->max_connections = (unsigned)lim->max_connections;
    if (lim->handshake_timeout >= 0)
        cfg->handshake_timeout_s = (int)lim->handshake_timeout;
    if (lim->wait_timeout >= 0)
        cfg->wait_timeout_s = (int)lim->wait_timeout;
    if (lim->query_timeout >= 0)
        cfg->query_timeout_ms = (uint64_t)lim->query_timeout;
    if (lim->max_result_rows >= 0)
        cfg->max_result_rows = (uint64_t)lim->max_result_rows;
    if (lim->max_result_bytes >= 0)
        cfg->max_result_bytes = (uint64_t)lim->max_result_bytes;
    cfg->max_semijoin_values =
        lim->max_semijoin_values >= 0 ? (uint64_t)lim->max_semijoin_values : SEMIJOIN_MAX_KEYS;
    if (lim->max_allowed_packet >= 0)
        cfg->max_allowed_packet = (uint32_t)lim->max_allowed_packet;
    if (lim->pool_size >= 0)
        cfg->pool_size = (int)lim->pool_size;
    if (lim->connect_timeout >= 0)
        cfg->connect_timeout_s = (int)lim->connect_timeout;
    if (lim->queue_timeout >= 0)
        cfg->queue_timeout_s = (int)lim->queue_timeout;
    if (lim->idle_timeout >= 0)
        cfg->idle_timeout_s = (int)lim->idle_timeout;
    if (lim->shutdown_timeout >= 0)
        cfg->shutdown_timeout_s = (int)lim->shutdown_timeout;
    cfg->drain_grace_ms = lim->drain_grace >= 0 ? (uint64_t)lim->drain_grace : 0;
}

void server_free_catalogs(void)
{
    while (srv.retired) {
        catalog_gen *g = srv.retired;
        srv.retired = g->next_retired;
        free_gen(g);
    }
    if (srv.gen)
        free_gen(srv.gen);
    srv.gen = NULL;
    srv.cat = NULL;
    srv.info_schema = NULL;
    result_cache_free(srv.cache);
    srv.cache = NULL;
    for (size_t i = 0; i < srv.nretired_files; i++)
        server_file_free(&srv.retired_files[i]);
    free(srv.retired_files);
    srv.retired_files = NULL;
    srv.nretired_files = 0;
}
