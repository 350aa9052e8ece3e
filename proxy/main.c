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

#include "planner/derived_metrics.h"
#include "planner/info_schema.h"
#include "planner/planner.h"
#include "proxy/session/access.h"
#include "proxy/obs/admin_http.h"
#include "proxy/cli/cli.h"
#include "proxy/log.h"
#include "proxy/cli/passwd.h"
#include "proxy/server.h"
#include "proxy/workers.h"
#include "proxy/config/server_config.h"
#include "proxy/tls.h"
#include "semantic/catalog.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mimir serve [--configs DIR] [--secrets DIR] [--server-config FILE]\n"
            "                   [--host ADDR] [--port N] [--log-level LEVEL] [--admin-port N]\n"
            "       mimir passwd [--user NAME] < password\n"
            "       mimir validate|list|describe|query|init ... (see 'mimir COMMAND --help')\n"
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
            "passwd  read a password from stdin and print the hashes to store for a user in\n"
            "        the server configuration (the password itself is never stored)\n"
            "validate  check a project and print every problem as FILE:LINE:COLUMN: message\n"
            "list      list the sources, metrics or dimensions of a project\n"
            "describe  show one definition: description, source, SQL, type\n"
            "query     run an inquiry locally or on a server (--host), or --dry-run it\n"
            "init      scaffold a new project\n"
            "Exit status: 0 ok, 1 a finding (problems, a failed query), 2 a wrong command "
            "line.\n");
}

/* configs/demo next to the folder of the binary (bin/mimir -> configs/demo). */
static char *demo_configs_dir(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return strdup("configs/demo");
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    char path[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/configs/demo", exe);
    if (access(path, R_OK) != 0)
        return strdup("configs/demo");
    return strdup(path);
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

/*
 * Users, TLS and the RSA key from the server configuration file. Fails (with a
 * log line) when a file it names cannot be used: a server told to use TLS
 * must not start without it.
 */
static bool setup_security(server_file *f)
{
    char err[1024];
    srv.users = f->users;
    srv.nusers = f->nusers;
    srv.require_tls = f->require_tls;
    if (f->tls_cert) {
        srv.tls = tls_server_context(f->tls_cert, f->tls_key, err, sizeof(err));
        if (!srv.tls) {
            log_error("%s: %s", f->path, err);
            return false;
        }
    }
    if (f->rsa_key || srv.nusers) {
        srv.rsa_key = rsa_key_load_or_generate(f->rsa_key, err, sizeof(err));
        if (!srv.rsa_key) {
            log_error("%s: %s", f->path, err);
            return false;
        }
        srv.rsa_public_pem = rsa_public_key_pem(srv.rsa_key);
        if (!srv.rsa_public_pem) {
            log_error("cannot encode the RSA public key");
            return false;
        }
    }
    return true;
}

static void free_security(server_file *f)
{
    if (srv.tls)
        SSL_CTX_free(srv.tls);
    EVP_PKEY_free(srv.rsa_key);
    free(srv.rsa_public_pem);
    srv.tls = NULL;
    srv.rsa_key = NULL;
    srv.rsa_public_pem = NULL;
    srv.users = NULL;
    srv.nusers = 0;
    server_file_free(f);
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

static int serve(int argc, char **argv)
{
    static const struct option opts[] = {{"configs", required_argument, NULL, 'c'},
                                         {"secrets", required_argument, NULL, 's'},
                                         {"server-config", required_argument, NULL, 'f'},
                                         {"host", required_argument, NULL, 'h'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"log-level", required_argument, NULL, 'l'},
                                         {"admin-port", required_argument, NULL, 'a'},
                                         {"help", no_argument, NULL, 'H'},
                                         {NULL, 0, NULL, 0}};
    server_config cfg;
    server_config_defaults(&cfg);
    char *configs = NULL, *secrets = NULL;
    const char *server_config_file = NULL, *host_option = NULL;
    int port_option = -1, admin_port_option = -1;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            configs = strdup(optarg);
            break;
        case 's':
            secrets = strdup(optarg);
            break;
        case 'f':
            server_config_file = optarg;
            break;
        case 'h':
            host_option = optarg;
            break;
        case 'p': {
            char *end;
            errno = 0;
            long port = strtol(optarg, &end, 10);
            if (errno || *end || port < 0 || port > 65535) {
                fprintf(stderr, "mimir: --port: '%s' is not a port number\n", optarg);
                return 2;
            }
            port_option = (int)port;
            break;
        }
        case 'l': {
            log_level level;
            if (!log_level_parse(optarg, &level)) {
                fprintf(stderr, "mimir: --log-level: '%s' is not debug, info, warn or error\n",
                        optarg);
                return 2;
            }
            cfg.log_level_option = (int)level;
            break;
        }
        case 'a': {
            char *end;
            errno = 0;
            long port = strtol(optarg, &end, 10);
            if (errno || *end || end == optarg || port < 0 || port > 65535) {
                fprintf(stderr, "mimir: --admin-port: '%s' is not a port number\n", optarg);
                return 2;
            }
            admin_port_option = (int)port;
            break;
        }
        case 'H':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mimir: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    bool demo = configs == NULL;
    if (demo)
        configs = demo_configs_dir();
    if (!secrets) {
        size_t n = strlen(configs) + sizeof("/secrets");
        secrets = malloc(n);
        snprintf(secrets, n, "%s/secrets", configs);
    }
    cfg.configs_dir = configs;
    cfg.secrets_dir = secrets;

    char err[2048];
    server_file file = {.port = -1};
    obs_config_init(&file.log, &file.admin);
    if (server_config_file && !server_file_load(server_config_file, &file, err, sizeof(err))) {
        log_error("cannot load the server configuration: %s", err);
        free(configs);
        free(secrets);
        return 1;
    }
    if (!obs_log_apply(&file.log, cfg.log_level_option, err, sizeof(err)) ||
        !admin_settings_check(&file.admin, admin_port_option, &cfg, err, sizeof(err))) {
        log_error("%s", err);
        server_file_free(&file);
        free(configs);
        free(secrets);
        return 1;
    }
    /* The command line overrides the file, which overrides the defaults. */
    cfg.server_config_file = server_config_file;
    if (server_config_file) {
        server_config_apply(&cfg, &file.limits);
        server_config_apply_cache(&cfg, &file.cache);
    }
    if (file.host)
        cfg.host = file.host;
    if (file.port >= 0)
        cfg.port = file.port;
    if (host_option)
        cfg.host = host_option;
    if (port_option >= 0)
        cfg.port = port_option;
    if (file.nusers == 0 && !is_loopback(cfg.host)) {
        log_error("no users are configured, so Mimir accepts any user with an empty password; "
                  "it refuses to listen on the non-loopback address '%s'. Listen on 127.0.0.1, "
                  "or configure users in a --server-config file.",
                  cfg.host);
        server_file_free(&file);
        free(configs);
        free(secrets);
        return 1;
    }
    if (!setup_security(&file)) {
        free_security(&file);
        free(configs);
        free(secrets);
        return 1;
    }
    catalog *cat = catalog_load(configs, secrets, err, sizeof(err));
    if (cat && !derived_metrics_valid(cat, err, sizeof(err))) {
        catalog_free(cat);
        cat = NULL;
    }
    if (!cat) {
        log_error("cannot load the semantic layer: %s", err);
        free_security(&file);
        free(configs);
        free(secrets);
        return 1;
    }
    if (!access_check_grants(srv.users, srv.nusers, cat, true)) {
        log_error("the grants of the server configuration name what the semantic layer lacks");
        catalog_free(cat);
        free_security(&file);
        free(configs);
        free(secrets);
        return 1;
    }
    struct info_schema *is = info_schema_build(cat, err, sizeof(err));
    if (!is) {
        log_error("cannot build information_schema: %s", err);
        catalog_free(cat);
        free_security(&file);
        free(configs);
        free(secrets);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    srv.cfg = cfg;
    srv.base = event_base_new();
    if (srv.base)
        server_install_catalog(cat, is);
    srv.started = time(NULL);
    /* `mimir query` starts its private server the same way
     * (proxy/cli/local_server.c): keep the two in step. */
    if (!srv.base || !workers_start(srv.base, 2) || !server_listen() ||
        (cfg.admin_port && !admin_http_start(srv.base, cfg.admin_host, cfg.admin_port))) {
        server_free_catalogs();
        free_security(&file);
        return 1;
    }
    char access[256];
    describe_access(access, sizeof(access));
    log_info("listening on %s:%d (%s%s: %zu sources, %zu metrics, %zu dimensions); %s", cfg.host,
             cfg.port, demo ? "embedded demo " : "", configs, cat->n_sources, cat->n_metrics,
             cat->n_dimensions, access);
    server_run();
    admin_http_stop();
    server_shutdown();
    workers_stop();
    event_base_free(srv.base);
    server_free_catalogs();
    free_security(&file);
    free(configs);
    free(secrets);
    log_info("stopped");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "serve") == 0)
        return serve(argc - 1, argv + 1);
    if (strcmp(argv[1], "passwd") == 0)
        return passwd_command(argc - 1, argv + 1);
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } commands[] = {{"validate", cli_validate},
                    {"list", cli_list},
                    {"describe", cli_describe},
                    {"query", cli_query},
                    {"init", cli_init}};
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
