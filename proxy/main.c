/*
 * bin/mimir: the command line. `serve` runs the MySQL-protocol server on the
 * semantic layer in --configs (the embedded demo when omitted).
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

#include "planner/planner.h"
#include "proxy/log.h"
#include "proxy/server.h"
#include "semantic/catalog.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mimir serve [--configs DIR] [--secrets DIR] [--host ADDR] [--port N]\n"
            "       mimir --version\n"
            "\n"
            "serve   run the MySQL-protocol server on the semantic layer in DIR\n"
            "  --configs DIR   project with sources/, metrics/, dimensions/ (default: the\n"
            "                  embedded demo, configs/demo next to the binary's folder)\n"
            "  --secrets DIR   one <connection_name>.json per connection (default: DIR/secrets)\n"
            "  --host ADDR     address to listen on (default 127.0.0.1)\n"
            "  --port N        port to listen on (default 3306)\n");
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

static int serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"configs", required_argument, NULL, 'c'}, {"secrets", required_argument, NULL, 's'},
        {"host", required_argument, NULL, 'h'},    {"port", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'H'},          {NULL, 0, NULL, 0}};
    server_config cfg = {.host = "127.0.0.1",
                         .port = 3306,
                         .pool_size = 8,
                         .connect_timeout_s = 10,
                         .max_allowed_packet = 64u << 20};
    char *configs = NULL, *secrets = NULL;
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
        case 'h':
            cfg.host = optarg;
            break;
        case 'p': {
            char *end;
            errno = 0;
            long port = strtol(optarg, &end, 10);
            if (errno || *end || port < 0 || port > 65535) {
                fprintf(stderr, "mimir: --port: '%s' is not a port number\n", optarg);
                return 2;
            }
            cfg.port = (int)port;
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

    if (!is_loopback(cfg.host)) {
        log_error("no users are configured, so Mimir accepts any user with an empty password; "
                  "it refuses to listen on the non-loopback address '%s'. Listen on 127.0.0.1.",
                  cfg.host);
        return 1;
    }
    char err[2048];
    catalog *cat = catalog_load(configs, secrets, err, sizeof(err));
    if (!cat) {
        log_error("cannot load the semantic layer: %s", err);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    srv.cfg = cfg;
    srv.cat = cat;
    srv.base = event_base_new();
    if (!srv.base || !server_listen()) {
        catalog_free(cat);
        return 1;
    }
    log_info("listening on %s:%d (%s%s: %zu sources, %zu metrics, %zu dimensions); no users "
             "configured: any user name with an empty password is accepted, on loopback only",
             cfg.host, cfg.port, demo ? "embedded demo " : "", configs, cat->n_sources,
             cat->n_metrics, cat->n_dimensions);
    server_run();
    server_shutdown();
    event_base_free(srv.base);
    catalog_free(cat);
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
