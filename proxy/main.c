/*
 * bin/mimir: the command line. `serve` runs the MySQL-protocol server on the
 * semantic layer in --configs (the embedded demo when omitted); `passwd`
 * hashes a password; validate, list, describe, query and init are in
 * proxy/cli_*.c (see proxy/cli/cli.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "planner/derived_metrics.h"
#include "planner/info_schema.h"
#include "planner/planner.h"
#include "proxy/cli/cli.h"
#include "proxy/log.h"
#include "proxy/cli/passwd.h"
#include "proxy/server.h"
#include "proxy/config/server_config.h"
#include "proxy/boot.h"
#include "proxy/service_notify.h"
#include "semantic/catalog.h"
#include "semantic/util.h"
#include "wire/xalloc.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mimir serve [--configs DIR] [--secrets DIR] [--server-config FILE]\n"
            "                   [--host ADDR] [--port N] [--log-level LEVEL] [--admin-port N]\n"
            "                   [--http-port N]\n"
            "       mimir passwd [--user NAME] < password\n"
            "       mimir validate|list|describe|query|init ... (see 'mimir COMMAND --help')\n"
            "       mimir create metric|dimension|source ... (see 'mimir create --help')\n"
            "       mimir discover --connection NAME --secrets DIR --out DIR [--schema S]\n"
            "       mimir --version\n"
            "\n"
            "serve   run the MySQL-protocol server on the semantic layer in DIR\n"
            "  --configs DIR         project with sources/, metrics/, dimensions/ (default: the\n"
            "                        embedded demo, configs/demo next to the binary's folder)\n"
            "  --secrets DIR         one <connection_name>.json per connection (default:\n"
            "                        DIR/secrets)\n"
            "  --server-config FILE  listen address, users and TLS (YAML; see\n"
            "                        docs/operations.md); the options below override it\n"
            "  --host ADDR           address to listen on (default 127.0.0.1)\n"
            "  --port N              port to listen on (default 3306)\n"
            "  --log-level LEVEL     debug, info, warn or error (default info; overrides\n"
            "                        the file's log: level)\n"
            "  --admin-port N        serve /healthz and /metrics over HTTP on port N of\n"
            "                        admin: host (default 127.0.0.1); 0: off (the default)\n"
            "  --http-port N         serve the HTTP API (docs/http.md) on port N of http: host\n"
            "                        (default: the MySQL port's host); 0: off (the default)\n"
            "passwd  read a password from stdin and print the hashes to store for a user in\n"
            "        the server configuration (the password itself is never stored)\n"
            "validate  check a project and print every problem as FILE:LINE:COLUMN: message\n"
            "list      list the sources, metrics or dimensions of a project\n"
            "describe  show one definition: description, source, SQL, type\n"
            "query     run an inquiry locally or on a server (--host), or --dry-run it\n"
            "init      scaffold a new project\n"
            "create    add a metric, dimension or source, checked before it is written\n"
            "discover  write a starter semantic layer from a database's catalog\n"
            "rollups   list, show the state of, or build the rollups (docs/rollups.md)\n"
            "Exit status: 0 ok, 1 a finding (problems, a failed query), 2 a wrong command "
            "line.\n");
}

/*
 * The embedded demo: configs/demo next to the folder of the binary (a build:
 * bin/mimir -> configs/demo), else share/mimir/demo beside it (an install:
 * /usr/bin/mimir -> /usr/share/mimir/demo, see `make install`).
 */
static char *demo_configs_dir(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return xstrdup("configs/demo");
    exe[n] = '\0';
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
    }
    static const char *const places[] = {"configs/demo", "share/mimir/demo"};
    for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
        char path[PATH_MAX + 32];
        snprintf(path, sizeof(path), "%s/%s", exe, places[i]);
        if (access(path, R_OK) == 0)
            return xstrdup(path);
    }
    return xstrdup("configs/demo");
}

/* True when every address host resolves to is a loopback address. */
static bool is_loopback(const char *host)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return false;
    bool loopback = true;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            uint32_t a = ntohl(((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr);
            loopback = loopback && (a >> 24) == 127;
        } else if (ai->ai_family == AF_INET6) {
            loopback =
                loopback && IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr);
        } else {
            loopback = false;
        }
    }
    freeaddrinfo(res);
    return loopback;
}

/*
 * Where the admin listener goes: --admin-port over the file's admin: port;
 * loopback unless the file says allow_remote (the endpoint has no
 * authentication, and its metrics name sources, connections and activity).
 */
static bool admin_settings_check(const admin_settings *a, int port_option, server_config *cfg,
                                 char *err, size_t errlen)
{
    cfg->admin_port = port_option >= 0 ? port_option : a->port > 0 ? a->port : 0;
    if (a->host)
        cfg->admin_host = a->host;
    if (cfg->admin_port && !a->allow_remote && !is_loopback(cfg->admin_host)) {
        snprintf(err, errlen,
                 "the admin HTTP listener has no authentication; it refuses the non-loopback "
                 "address '%s' unless the server configuration says admin: allow_remote: true",
                 cfg->admin_host);
        return false;
    }
    return true;
}

/* Without users anybody gets in: only from this machine. */
static bool open_access_check(const server_file *file, const char *host)
{
    if (file->nusers > 0 || is_loopback(host))
        return true;
    log_error("no users are configured, so Mimir accepts any user with an empty password; it "
              "refuses to listen on the non-loopback address '%s'. Listen on 127.0.0.1, or "
              "configure users in a --server-config file.",
              host);
    return false;
}

/*
 * Where the HTTP API listens (--http-port over the file's http: port; its
 * host, else the MySQL port's) and whether it speaks HTTPS (http: tls, which
 * defaults to whether a certificate is configured). It follows the MySQL
 * port's rules: loopback only without users, and TLS when require_tls says
 * so. False with err set, or with err empty when the reason is logged.
 */
static bool http_settings_check(const server_file *file, int port_option, server_config *cfg,
                                char *err, size_t errlen)
{
    const http_settings *h = &file->http;
    err[0] = '\0';
    cfg->http_port = port_option >= 0 ? port_option : h->port > 0 ? h->port : 0;
    cfg->http_host = h->host ? h->host : cfg->host;
    cfg->http_tls = h->tls >= 0 ? h->tls == 1 : file->tls_cert != NULL;
    if (h->max_body_bytes > 0)
        cfg->http_max_body_bytes = (uint64_t)h->max_body_bytes;
    if (!cfg->http_port)
        return true;
    if (cfg->http_tls && !file->tls_cert) {
        snprintf(err, errlen, "http: tls: true needs a certificate: set tls: cert and key");
        return false;
    }
    if (file->require_tls && !cfg->http_tls) {
        snprintf(err, errlen,
                 "tls: require_tls is set, so the HTTP API must use HTTPS too (http: tls: true)");
        return false;
    }
    return open_access_check(file, cfg->http_host);
}

/* How clients get in, for the startup line. */
static void describe_access(char *out, size_t n)
{
    const char *tls = srv.require_tls ? "TLS required" : srv.tls ? "TLS offered" : "no TLS";
    if (srv.nusers == 0)
        snprintf(out, n,
                 "%s; no users configured: any user name with an empty password is accepted, "
                 "on loopback only",
                 tls);
    else
        snprintf(out, n, "%s; %zu user%s configured (caching_sha2_password, mysql_native_password)",
                 tls, srv.nusers, srv.nusers == 1 ? "" : "s");
}

/* `mimir serve`'s command line; -1 in the ports and the level: not given. */
typedef struct serve_options {
    char *configs, *secrets;
    const char *server_config_file, *host;
    int port, admin_port, http_port, log_level;
    bool demo; /* no --configs: the embedded demo */
} serve_options;

/* A port number of option opt; false (printed) when arg is not one. */
static bool parse_port(const char *opt, const char *arg, int *out)
{
    char *end;
    errno = 0;
    long port = strtol(arg, &end, 10);
    if (errno || *end || end == arg || port < 0 || port > 65535) {
        fprintf(stderr, "mimir: %s: '%s' is not a port number\n", opt, arg);
        return false;
    }
    *out = (int)port;
    return true;
}

/* One option; an exit status when the command is over (help, a wrong option), else -1. */
static int take_serve_option(int opt, serve_options *o)
{
    log_level level;
    switch (opt) {
    case 'c':
        free(o->configs);
        o->configs = xstrdup(optarg);
        return -1;
    case 's':
        free(o->secrets);
        o->secrets = xstrdup(optarg);
        return -1;
    case 'f':
        o->server_config_file = optarg;
        return -1;
    case 'h':
        o->host = optarg;
        return -1;
    case 'p':
        return parse_port("--port", optarg, &o->port) ? -1 : 2;
    case 'a':
        return parse_port("--admin-port", optarg, &o->admin_port) ? -1 : 2;
    case 'w':
        return parse_port("--http-port", optarg, &o->http_port) ? -1 : 2;
    case 'l':
        if (log_level_parse(optarg, &level)) {
            o->log_level = (int)level;
            return -1;
        }
        fprintf(stderr, "mimir: --log-level: '%s' is not debug, info, warn or error\n", optarg);
        return 2;
    case 'H':
        usage(stdout);
        return 0;
    default:
        usage(stderr);
        return 2;
    }
}

/* Parses argv into o; an exit status when the command is over, else -1. */
static int parse_serve_options(int argc, char **argv, serve_options *o)
{
    static const struct option opts[] = {{"configs", required_argument, NULL, 'c'},
                                         {"secrets", required_argument, NULL, 's'},
                                         {"server-config", required_argument, NULL, 'f'},
                                         {"host", required_argument, NULL, 'h'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"log-level", required_argument, NULL, 'l'},
                                         {"admin-port", required_argument, NULL, 'a'},
                                         {"http-port", required_argument, NULL, 'w'},
                                         {"help", no_argument, NULL, 'H'},
                                         {NULL, 0, NULL, 0}};
    *o = (serve_options){.port = -1, .admin_port = -1, .http_port = -1, .log_level = -1};
    int opt, status;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1)
        if ((status = take_serve_option(opt, o)) >= 0)
            return status;
    if (optind < argc) {
        fprintf(stderr, "mimir: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    o->demo = o->configs == NULL;
    if (o->demo)
        o->configs = demo_configs_dir();
    if (!o->secrets)
        o->secrets = sem_path_join(o->configs, "secrets");
    return -1;
}

/* The command line overrides the file, which overrides the defaults. */
static void apply_overrides(const serve_options *o, const server_file *file, server_config *cfg)
{
    cfg->server_config_file = o->server_config_file;
    if (o->server_config_file) {
        server_config_apply(cfg, &file->limits);
        server_config_apply_cache(cfg, &file->cache);
        server_config_apply_time_zone(cfg, file->default_time_zone);
        server_config_apply_listen(cfg, file);
        if (file->server_id >= 0)
            cfg->server_id = (unsigned)file->server_id;
    }
    if (file->host)
        cfg->host = file->host;
    if (file->port >= 0)
        cfg->port = file->port;
    if (o->host)
        cfg->host = o->host;
    if (o->port >= 0)
        cfg->port = o->port;
}

/*
 * The settings: defaults, the server configuration file, the command line.
 * False (logged) when they cannot be used; file is then freed.
 */
static bool load_settings(const serve_options *o, server_config *cfg, server_file *file)
{
    char err[2048];
    server_config_defaults(cfg);
    cfg->configs_dir = o->configs;
    cfg->secrets_dir = o->secrets;
    cfg->log_level_option = o->log_level;
    *file = (server_file){.port = -1, .server_id = -1};
    obs_config_init(&file->log, &file->admin);
    http_settings_init(&file->http);
    if (o->server_config_file && !server_file_load(o->server_config_file, file, err, sizeof(err))) {
        log_error("cannot load the server configuration: %s", err);
        return false;
    }
    bool ok = obs_log_apply(&file->log, cfg->log_level_option, err, sizeof(err)) &&
              admin_settings_check(&file->admin, o->admin_port, cfg, err, sizeof(err));
    if (!ok) {
        log_error("%s", err);
    } else {
        apply_overrides(o, file, cfg);
        ok = open_access_check(file, cfg->host) &&
             http_settings_check(file, o->http_port, cfg, err, sizeof(err));
        if (!ok && err[0])
            log_error("%s", err);
    }
    if (!ok)
        server_file_free(file);
    return ok;
}

/* The semantic layer in configs; NULL (logged) when it has errors. */
static catalog *load_layer(const char *configs, const char *secrets)
{
    char err[2048];
    catalog *cat = catalog_load(configs, secrets, err, sizeof(err));
    if (cat && !derived_metrics_valid(cat, err, sizeof(err))) {
        catalog_free(cat);
        cat = NULL;
    }
    if (!cat)
        log_error("cannot load the semantic layer: %s", err);
    return cat;
}

static void log_listening(const serve_options *o)
{
    char access[256];
    describe_access(access, sizeof(access));
    log_info("listening on %s:%d (%s%s: %zu sources, %zu metrics, %zu dimensions); %s",
             srv.cfg.host, srv.cfg.port, o->demo ? "embedded demo " : "", o->configs,
             srv.cat->n_sources, srv.cat->n_metrics, srv.cat->n_dimensions, access);
}

static int serve(int argc, char **argv)
{
    serve_options o;
    int status = parse_serve_options(argc, argv, &o);
    if (status < 0) {
        status = 1;
        server_config cfg;
        server_file file;
        if (load_settings(&o, &cfg, &file)) {
            catalog *cat = load_layer(o.configs, o.secrets);
            if (!cat)
                server_file_free(&file);
            else if (server_boot(&cfg, &file, cat, BOOT_SERVE)) {
                log_listening(&o);
                char served[512];
                server_describe(served, sizeof(served));
                service_notify_ready(served); /* every listener accepts connections now */
                server_run();
                status = 0;
            }
            if (cat)
                server_teardown();
        }
        if (status == 0)
            log_info("stopped");
    }
    free(o.configs);
    free(o.secrets);
    return status;
}

int main(int argc, char **argv)
{
    /*
     * No memory statistics in SQLite (before its first use: it refuses later). With
     * them every sqlite3_malloc and sqlite3_free takes one process-wide mutex, which
     * the combine's loads and joins do per value; nothing reads the statistics
     * (sqlite3_memory_used, a soft heap limit). Loading a row into the combine
     * took 3,745 instructions with them, 3,280 without (docs/performance.md,
     * scenario 4).
     */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "serve") == 0)
        return serve(argc - 1, argv + 1);
    if (strcmp(argv[1], "passwd") == 0)
        return passwd_command(argc - 1, argv + 1);
    if (strcmp(argv[1], "create") == 0)
        return cli_create(argc - 1, argv + 1);
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } commands[] = {{"validate", cli_validate}, {"list", cli_list}, {"describe", cli_describe},
                    {"query", cli_query},       {"init", cli_init}, {"discover", cli_discover},
                    {"rollups", cli_rollups}};
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("mimir %s (MySQL protocol %s)\n", MIMIR_VERSION, MIMIR_SERVER_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "mimir: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
