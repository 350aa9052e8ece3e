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

#include "proxy/log.h"
#include "proxy/obs/query_log.h"
#include "wire/xalloc.h"

static bool fail(const char *file, const ynode *at, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static bool fail(const char *file, const ynode *at, char *err, size_t errlen, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s:%d: %s", file, at ? at->line : 0, msg);
    return false;
}

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

/* The mapping's keys must be among allowed (NULL-terminated). */
static bool known_keys(const char *file, const ynode *map, const char *section,
                       const char *const *allowed, char *err, size_t errlen)
{
    if (map->kind != YNODE_MAPPING)
        return fail(file, map, err, errlen, "'%s' must be a mapping, not a %s", section,
                    ynode_kind_name(map));
    char list[128];
    const ynode *k = ymap_unknown_key(map, allowed, list, sizeof list);
    if (k) {
        const char *name = ynode_text(k);
        return fail(file, k, err, errlen, "unknown key '%s' in '%s' (expected one of: %s)",
                    name ? name : "?", section, list);
    }
    return true;
}

/* A scalar value of key, NULL when absent or null; false (err) when not a scalar. */
static bool scalar(const char *file, const ynode *map, const char *key, const char **out, char *err,
                   size_t errlen)
{
    const ynode *v = ymap_get(map, key);
    *out = NULL;
    if (ynode_is_null(v))
        return true;
    *out = ynode_text(v);
    if (!*out)
        return fail(file, v, err, errlen, "'%s' must be a string, not a %s", key,
                    ynode_kind_name(v));
    return true;
}

/* -1 absent, 0 false, 1 true; -2 on error. */
static int boolean(const char *file, const ynode *map, const char *key, char *err, size_t errlen)
{
    const char *t;
    if (!scalar(file, map, key, &t, err, errlen))
        return -2;
    if (!t)
        return -1;
    if (!strcasecmp(t, "true") || !strcasecmp(t, "yes") || !strcasecmp(t, "on"))
        return 1;
    if (!strcasecmp(t, "false") || !strcasecmp(t, "no") || !strcasecmp(t, "off"))
        return 0;
    fail(file, ymap_get(map, key), err, errlen, "'%s' must be true or false, not '%s'", key, t);
    return -2;
}

/* A path relative to the configuration file's directory. */
static char *relative_to(const char *file, const char *path)
{
    const char *slash = strrchr(file, '/');
    int dir = path[0] == '/' || !slash ? 0 : (int)(slash - file) + 1;
    return xasprintf("%.*s%s", dir, file, path);
}

bool obs_config_load_log(const char *file, const ynode *map, log_settings *out, char *err,
                         size_t errlen)
{
    static const char *const keys[] = {"level", "file", "queries", NULL};
    if (!known_keys(file, map, "log", keys, err, errlen))
        return false;
    const char *level, *path;
    if (!scalar(file, map, "level", &level, err, errlen) ||
        !scalar(file, map, "file", &path, err, errlen))
        return false;
    if (level) {
        log_level l;
        if (!log_level_parse(level, &l))
            return fail(file, ymap_get(map, "level"), err, errlen,
                        "'level' must be one of debug, info, warn, error, not '%s'", level);
        out->level = (int)l;
    }
    if (path) {
        if (!path[0])
            return fail(file, ymap_get(map, "file"), err, errlen,
                        "'file' must name a file (leave it out to log to stderr)");
        out->file = relative_to(file, path);
    }
    int queries = boolean(file, map, "queries", err, errlen);
    if (queries == -2)
        return false;
    out->queries = queries;
    return true;
}

bool obs_config_load_admin(const char *file, const ynode *map, admin_settings *out, char *err,
                           size_t errlen)
{
    static const char *const keys[] = {"host", "port", "allow_remote", NULL};
    if (!known_keys(file, map, "admin", keys, err, errlen))
        return false;
    const char *host, *port;
    if (!scalar(file, map, "host", &host, err, errlen) ||
        !scalar(file, map, "port", &port, err, errlen))
        return false;
    if (host)
        out->host = xstrdup(host);
    if (port) {
        char *end;
        errno = 0;
        long p = strtol(port, &end, 10);
        if (errno || *end || end == port || p < 1 || p > 65535)
            return fail(file, ymap_get(map, "port"), err, errlen,
                        "'port' must be a number from 1 to 65535, not '%s'", port);
        out->port = (int)p;
    }
    int remote = boolean(file, map, "allow_remote", err, errlen);
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
