/*
 * The `log:` and `admin:` sections of the server configuration file. Strict
 * like the rest of that file: unknown keys and bad values are errors naming
 * FILE:LINE.
 */
#include "proxy/config/obs_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proxy/config/config_section.h"
#include "proxy/log.h"
#include "proxy/obs/query_log.h"
#include "wire/xalloc.h"

void obs_config_init(log_settings *log, admin_settings *admin)
{
    *log = (log_settings){.level = -1, .file = NULL, .queries = -1};
    *admin = (admin_settings){.host = NULL, .port = -1, .allow_remote = false};
}

void obs_config_free(log_settings *log, admin_settings *admin)
{
    free(log->file);
    free(admin->host);
    obs_config_init(log, admin);
}

bool obs_config_load_log(const char *file, const ynode *map, log_settings *out, char *err,
                         size_t errlen)
{
    static const char *const keys[] = {"level", "file", "queries", NULL};
    if (!config_known_keys(file, map, "log", keys, err, errlen))
        return false;
    const char *level, *path;
    if (!config_scalar(file, map, "level", &level, err, errlen) ||
        !config_scalar(file, map, "file", &path, err, errlen))
        return false;
    if (level) {
        log_level l;
        if (!log_level_parse(level, &l))
            return config_fail(file, ymap_get(map, "level"), err, errlen,
                               "'level' must be one of debug, info, warn, error, not '%s'", level);
        out->level = (int)l;
    }
    if (path) {
        if (!path[0])
            return config_fail(file, ymap_get(map, "file"), err, errlen,
                               "'file' must name a file (leave it out to log to stderr)");
        out->file = config_relative_path(file, path);
    }
    int queries = config_boolean(file, map, "queries", err, errlen);
    if (queries == -2)
        return false;
    out->queries = queries;
    return true;
}

bool obs_config_load_admin(const char *file, const ynode *map, admin_settings *out, char *err,
                           size_t errlen)
{
    static const char *const keys[] = {"host", "port", "allow_remote", NULL};
    if (!config_known_keys(file, map, "admin", keys, err, errlen))
        return false;
    const char *host;
    if (!config_scalar(file, map, "host", &host, err, errlen) ||
        !config_port(file, map, "port", &out->port, err, errlen))
        return false;
    if (host)
        out->host = xstrdup(host);
    int remote = config_boolean(file, map, "allow_remote", err, errlen);
    if (remote == -2)
        return false;
    out->allow_remote = remote == 1;
    return true;
}

bool obs_log_apply(const log_settings *ls, int cli_level, char *err, size_t errlen)
{
    const char *current = log_file_path();
    bool ok;
    if (ls->file && current && strcmp(ls->file, current) == 0)
        ok = log_reopen(err, errlen); /* logrotate moved it: start a new one */
    else
        ok = log_open_file(ls->file, err, errlen);
    int level = cli_level >= 0 ? cli_level : ls->level >= 0 ? ls->level : LOG_LEVEL_INFO;
    log_set_min_level((log_level)level);
    query_log_set_enabled(ls->queries != 0);
    return ok;
}
