/* What the command-line commands share: see cli.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/derived_metrics.h"
#include "proxy/cli/cli.h"

#include <getopt.h>
#include "semantic/util.h"
#include "wire/xalloc.h"

void cli_project_resolve(cli_project *p)
{
    if (!p->configs)
        p->configs = getenv("MIMIR_CONFIGS");
    if (!p->configs || !*p->configs)
        p->configs = ".";
    p->secrets = NULL;
    if (p->no_secrets)
        return;
    const char *given = p->secrets_option ? p->secrets_option : getenv("MIMIR_SECRETS");
    p->secrets_defaulted = !(given && *given);
    p->secrets = p->secrets_defaulted ? sem_path_join(p->configs, "secrets") : xstrdup(given);
}

void cli_project_free(cli_project *p)
{
    free(p->secrets);
    p->secrets = NULL;
}

catalog *cli_load_catalog(const char *cmd, const cli_project *p, bool with_secrets)
{
    char err[2048];
    catalog *c = catalog_load(p->configs, with_secrets ? p->secrets : NULL, err, sizeof err);
    if (c && !derived_metrics_valid(c, err, sizeof err)) {
        catalog_free(c);
        c = NULL;
    }
    if (!c) {
        fprintf(stderr, "mimir %s: %s\n", cmd, err);
        fprintf(stderr, "mimir %s: run 'mimir validate --configs %s%s%s' to see every problem\n",
                cmd, p->configs,
                !with_secrets || !p->secrets ? " --no-secrets"
                : p->secrets_defaulted       ? ""
                                             : " --secrets ",
                with_secrets && p->secrets && !p->secrets_defaulted ? p->secrets : "");
    }
    return c;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mimir %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'mimir %s --help'.\n", cmd);
    va_end(ap);
    return CLI_USAGE;
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mimir %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_FINDING;
}

int cli_parse_catalog_options(const char *cmd, void (*usage)(FILE *), int argc, char **argv,
                              cli_project *p, out_format *format)
{
    static const struct option opts[] = {{"configs", required_argument, NULL, 'c'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'H'},
                                         {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            p->configs = optarg;
            break;
        case 'f':
            if (!out_format_parse(optarg, format))
                return cli_usage_error(cmd, "--format: '%s' is not table, csv or json", optarg);
            break;
        case 'H':
            usage(stdout);
            return CLI_OK;
        default:
            return cli_usage_error(cmd, "unknown option");
        }
    }
    return -1;
}
