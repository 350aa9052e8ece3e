/*
 * `mimir query` without --host: the statement runs inside this process, on
 * the server's own machinery booted without any socket (proxy/boot.h): the
 * same planner, pools, execution and combine as a server's sessions use,
 * with the command as the caller of execution (proxy/exec/exec.h) instead of
 * a MySQL session. No port is opened and no credentials exist.
 */
#ifndef MIMIR_PROXY_CLI_LOCAL_EXEC_H
#define MIMIR_PROXY_CLI_LOCAL_EXEC_H

#include <stdbool.h>

#include "planner/planner.h"
#include "proxy/cli/output.h"
#include "semantic/catalog.h"

/*
 * Runs sql on cat (taken over) with the secrets of the project in configs_dir
 * and prints its result in format. False after printing why, as the mariadb
 * client prints errors ("ERROR code (SQLSTATE): text") after "mimir CMD: ".
 */
bool local_exec_print(catalog *cat, const char *configs_dir, const char *secrets_dir,
                      const char *sql, out_format format, const char *cmd);

/*
 * Plans sql as local_exec_print would run it (the sources' types learnt, the rollups
 * found built: proxy/cli/local_rollups.h) and hands the planner's answer to fn, without
 * running it: `mimir query --dry-run` plans EXPLAIN ... so. False (after printing why)
 * when the engine cannot start.
 */
typedef void (*local_plan_fn)(void *ctx, const action *act);
bool local_exec_plan(catalog *cat, const char *configs_dir, const char *secrets_dir,
                     const char *sql, const char *cmd, local_plan_fn fn, void *ctx);

#endif
