/*
 * The commands of bin/mimir other than `serve` and `passwd`: validate, list,
 * describe, query, init and create (one file each in proxy/cli/), and what they
 * share: where the project and its secrets are, loading the catalog, and the
 * exit status convention (0: fine, 1: a finding, such as a problem in the
 * configuration or a failed query, 2: the command line itself is wrong).
 */
#ifndef MIMIR_PROXY_CLI_CLI_H
#define MIMIR_PROXY_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "proxy/cli/output.h"
#include "semantic/catalog.h"

enum { CLI_OK = 0, CLI_FINDING = 1, CLI_USAGE = 2 };

int cli_validate(int argc, char **argv);
int cli_list(int argc, char **argv);
int cli_describe(int argc, char **argv);
int cli_query(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_create(int argc, char **argv);

/*
 * `mimir validate`'s checks on the databases (validate.c), for `mimir create`
 * too: every source, dimension and metric of cat (loaded with secrets) run
 * with LIMIT 0 on its database; each problem is appended to *problems. When
 * *n_problems is not 0, a definition that cannot be planned is put down to
 * the problems already found and not reported again.
 */
void cli_validate_databases(catalog *cat, char ***problems, size_t *n_problems);
int cli_discover(int argc, char **argv);
/* `mimir rollups list|status|build NAME` (rollups.c). */
int cli_rollups(int argc, char **argv);

/*
 * The project a command works on: --configs (default $MIMIR_CONFIGS, else
 * the current directory, where `mimir init` puts one) and --secrets (default
 * $MIMIR_SECRETS, else CONFIGS/secrets).
 */
typedef struct cli_project {
    const char *configs;
    const char *secrets_option; /* --secrets as given, NULL when not */
    bool no_secrets;            /* --no-secrets */
    char *secrets;              /* resolved by cli_project_resolve; NULL with no_secrets */
    bool secrets_defaulted;     /* secrets is CONFIGS/secrets: nobody asked for it */
} cli_project;

void cli_project_resolve(cli_project *p);
void cli_project_free(cli_project *p);

/*
 * Loads the catalog, with secrets when with_secrets (and not --no-secrets).
 * On a problem prints it ("mimir CMD: FILE:LINE:COLUMN: message", and a hint
 * to run `mimir validate` for every problem) and returns NULL.
 */
catalog *cli_load_catalog(const char *cmd, const cli_project *p, bool with_secrets);

/* "mimir CMD: message" and "Try 'mimir CMD --help'." on stderr; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The options `list` and `describe` share (--configs, --format, --help). Returns
 * -1 when the command goes on (optind at its first argument), else the exit status
 * to return (help printed, or a usage error).
 */
int cli_parse_catalog_options(const char *cmd, void (*usage)(FILE *), int argc, char **argv,
                              cli_project *p, out_format *format);

/* "mimir CMD: message" on stderr; returns CLI_FINDING. */
int cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
