/*
 * The server configuration file: see server_config.h for its shape. Strict,
 * like the semantic layer's loader: an unknown key is an error (a typo in
 * `require_tls` must not silently leave TLS optional), and every error names
 * FILE:LINE.
 */
#include "proxy/config/server_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/semijoin.h"
#include "planner/time_zone.h"
#include "semantic/grants.h"
#include "semantic/yaml_doc.h"
#include "wire/xalloc.h"

/* A few dozen users at most: a tight node limit costs nothing. */
#define SERVER_FILE_MAX_NODES 20000

typedef struct loader {
    const char *file;
    char *err;
    size_t errlen;
} loader;

static bool fail(loader *l, const ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail(loader *l, const ynode *at, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (at)
        snprintf(l->err, l->errlen, "%s:%d: %s", l->file, at->line, msg);
    else
        snprintf(l->err, l->errlen, "%s: %s", l->file, msg);
    return false;
}

/* Every key of map must be one of allowed (NULL-terminated). */
static bool check_keys(loader *l, const ynode *map, const char *what, const char *const *allowed)
{
    char list[256];
    const ynode *k = ymap_unknown_key(map, allowed, list, sizeof list);
    if (!k)
        return true;
    const char *name = ynode_text(k);
    if (name && (strcmp(name, "password") == 0 || strcmp(name, "pass") == 0))
        return fail(l, k,
                    "clear-text passwords are not accepted in %s: run `mimir passwd` and store "
                    "the hashes it prints (mysql_native_password, caching_sha2_password)",
                    what);
    return fail(l, k, "unknown key '%s' in %s (expected one of: %s)", name ? name : "?", what,
                list);
}

static bool get_mapping(loader *l, const ynode *n, const char *what)
{
    if (n->kind != YNODE_MAPPING)
        return fail(l, n, "%s must be a mapping, not a %s", what, ynode_kind_name(n));
    return true;
}

/* An optional scalar; *out NULL when absent or null. */
static bool get_text(loader *l, const ynode *map, const char *key, const char **out)
{
    const ynode *v = ymap_get(map, key);
    *out = NULL;
    if (ynode_is_null(v))
        return true;
    const char *t = ynode_text(v);
    if (!t)
        return fail(l, v, "'%s' must be a string, not a %s", key, ynode_kind_name(v));
    *out = t;
    return true;
}

static bool get_bool(loader *l, const ynode *map, const char *key, bool *out)
{
    const char *t;
    if (!get_text(l, map, key, &t))
        return false;
    if (!t)
        return true;
    if (!strcasecmp(t, "true") || !strcasecmp(t, "yes") || !strcasecmp(t, "on")) {
        *out = true;
        return true;
    }
    if (!strcasecmp(t, "false") || !strcasecmp(t, "no") || !strcasecmp(t, "off")) {
        *out = false;
        return true;
    }
    return fail(l, ymap_get(map, key), "'%s' must be true or false, not '%s'", key, t);
}

/* A path relative to the configuration file's directory. */
static char *resolve_path(const char *file, const char *path)
{
    const char *slash = strrchr(file, '/');
    if (path[0] == '/' || !slash)
        return xstrdup(path);
    return xasprintf("%.*s/%s", (int)(slash - file), file, path);
}

/* listen.proxy_protocol_from: one address or CIDR range, or a list of them. */
static bool load_proxy_from(loader *l, const ynode *v, server_file *f)
{
    const ynode *const *items = &v;
    size_t n = 1;
    if (v->kind == YNODE_SEQUENCE) {
        items = (const ynode *const *)v->items;
        n = v->n_items;
    }
    if (n == 0)
        return fail(l, v, "'proxy_protocol_from' must name at least one address or range");
    f->proxy_from = xcalloc(n, sizeof(*f->proxy_from));
    for (size_t i = 0; i < n; i++) {
        const char *t = ynode_text(items[i]);
        if (!t || !proxy_cidr_parse(t, &f->proxy_from[i]))
            return fail(l, items[i],
                        "'proxy_protocol_from' takes IP addresses or CIDR ranges such as "
                        "127.0.0.1, 10.0.0.0/8 or ::1, not '%s'",
                        t ? t : ynode_kind_name(items[i]));
        f->nproxy_from = i + 1;
    }
    return true;
}

static bool load_listen(loader *l, const ynode *map, server_file *f)
{
    static const char *const keys[] = {"host", "port", "proxy_protocol", "proxy_protocol_from",
                                       NULL};
    if (!get_mapping(l, map, "'listen'") || !check_keys(l, map, "'listen'", keys))
        return false;
    const char *host, *port;
    if (!get_text(l, map, "host", &host) || !get_text(l, map, "port", &port))
        return false;
    if (host)
        f->host = xstrdup(host);
    if (port) {
        char *end;
        errno = 0;
        long p = strtol(port, &end, 10);
        if (errno || *end || end == port || p < 0 || p > 65535)
            return fail(l, ymap_get(map, "port"),
                        "'port' must be a number from 0 to 65535, not "
                        "'%s'",
                        port);
        f->port = (int)p;
    }
    if (!get_bool(l, map, "proxy_protocol", &f->proxy_protocol))
        return false;
    const ynode *from = ymap_get(map, "proxy_protocol_from");
    return ynode_is_null(from) || load_proxy_from(l, from, f);
}

/* server_id: 0-255, the high byte of this server's connection ids. */
static bool load_server_id(loader *l, const ynode *root, server_file *out)
{
    const char *t;
    if (!get_text(l, root, "server_id", &t))
        return false;
    if (!t)
        return true;
    char *end;
    errno = 0;
    long v = strtol(t, &end, 10);
    if (errno || *end || end == t || v < 0 || v > 255)
        return fail(l, ymap_get(root, "server_id"),
                    "'server_id' must be a whole number from 0 to 255 (the high 8 bits of "
                    "connection ids), not '%s'",
                    t);
    out->server_id = (int)v;
    return true;
}

static bool load_tls(loader *l, const ynode *map, server_file *f)
{
    static const char *const keys[] = {"cert", "key", "require_tls", NULL};
    if (!get_mapping(l, map, "'tls'") || !check_keys(l, map, "'tls'", keys))
        return false;
    const char *cert, *key;
    if (!get_text(l, map, "cert", &cert) || !get_text(l, map, "key", &key) ||
        !get_bool(l, map, "require_tls", &f->require_tls))
        return false;
    if (!cert || !key)
        return fail(l, map, "'tls' needs both 'cert' and 'key' (PEM files)");
    f->tls_cert = resolve_path(l->file, cert);
    f->tls_key = resolve_path(l->file, key);
    return true;
}

static bool load_user(loader *l, const ynode *map, server_user *u)
{
    static const char *const keys[] = {"name", "mysql_native_password", "caching_sha2_password",
                                       "grants", NULL};
    if (!get_mapping(l, map, "a user") || !check_keys(l, map, "a user", keys))
        return false;
    const char *name, *native, *sha2;
    if (!get_text(l, map, "name", &name) || !get_text(l, map, "mysql_native_password", &native) ||
        !get_text(l, map, "caching_sha2_password", &sha2))
        return false;
    if (!name || !name[0])
        return fail(l, map, "a user needs a 'name'");
    if (strlen(name) > 80)
        return fail(l, map, "user name '%.20s...' is longer than 80 characters", name);
    u->name = xstrdup(name);
    if (!native && !sha2)
        return fail(l, map,
                    "user '%s' has no password hash: add 'caching_sha2_password' and/or "
                    "'mysql_native_password' as printed by `mimir passwd`",
                    name);
    if (native) {
        if (!server_parse_native_hash(native, u->native_stage2))
            return fail(l, ymap_get(map, "mysql_native_password"),
                        "user '%s': mysql_native_password must be '*' and 40 hex digits, as "
                        "printed by `mimir passwd`",
                        name);
        u->has_native = true;
    }
    if (sha2) {
        if (!server_parse_sha2_hash(sha2, u->sha2_verifier))
            return fail(l, ymap_get(map, "caching_sha2_password"),
                        "user '%s': caching_sha2_password must be 64 hex digits, as printed by "
                        "`mimir passwd`",
                        name);
        u->has_sha2 = true;
    }
    const ynode *grants = ymap_get(map, "grants");
    if (!ynode_is_null(grants) &&
        !(u->grants = grants_load(l->file, name, grants, l->err, l->errlen)))
        return false;
    return true;
}

static bool load_users(loader *l, const ynode *seq, server_file *f)
{
    if (seq->kind != YNODE_SEQUENCE)
        return fail(l, seq, "'users' must be a list, not a %s", ynode_kind_name(seq));
    f->users = xcalloc(seq->n_items + 1, sizeof(*f->users));
    for (size_t i = 0; i < seq->n_items; i++) {
        f->nusers = i + 1;
        if (!load_user(l, seq->items[i], &f->users[i]))
            return false;
        for (size_t j = 0; j < i; j++)
            if (strcmp(f->users[j].name, f->users[i].name) == 0)
                return fail(l, seq->items[i], "user '%s' is defined twice", f->users[i].name);
    }
    return true;
}

typedef struct limit_key {
    const char *name;
    size_t offset;
    int64_t min, max;
} limit_key;

static const limit_key limit_keys[] = {
    {"max_connections", offsetof(server_limits, max_connections), 1, 1000000},
    {"handshake_timeout", offsetof(server_limits, handshake_timeout), 1, 86400},
    {"wait_timeout", offsetof(server_limits, wait_timeout), 1, 31536000},
    {"query_timeout", offsetof(server_limits, query_timeout), 0, INT32_MAX},
    {"max_result_rows", offsetof(server_limits, max_result_rows), 0, INT64_MAX},
    {"max_result_bytes", offsetof(server_limits, max_result_bytes), 0, INT64_MAX},
    {"max_semijoin_values", offsetof(server_limits, max_semijoin_values), 1, SEMIJOIN_MAX_KEYS},
    {"max_allowed_packet", offsetof(server_limits, max_allowed_packet), 1024, 1073741824},
    {"pool_size", offsetof(server_limits, pool_size), 1, 10000},
    {"connect_timeout", offsetof(server_limits, connect_timeout), 1, 3600},
    {"queue_timeout", offsetof(server_limits, queue_timeout), 1, 3600},
    {"idle_timeout", offsetof(server_limits, idle_timeout), 1, 31536000},
    {"shutdown_timeout", offsetof(server_limits, shutdown_timeout), 0, 86400},
    {"drain_grace", offsetof(server_limits, drain_grace), 0, 60000},
    {NULL, 0, 0, 0},
};

static bool load_limits(loader *l, const ynode *map, server_limits *lim)
{
    const char *keys[sizeof(limit_keys) / sizeof(limit_keys[0])];
    for (size_t i = 0; i < sizeof(limit_keys) / sizeof(limit_keys[0]); i++)
        keys[i] = limit_keys[i].name;
    if (!get_mapping(l, map, "'limits'") || !check_keys(l, map, "'limits'", keys))
        return false;
    for (const limit_key *k = limit_keys; k->name; k++) {
        const char *t;
        if (!get_text(l, map, k->name, &t))
            return false;
        if (!t)
            continue;
        char *end;
        errno = 0;
        long long v = strtoll(t, &end, 10);
        if (errno || *end || end == t || v < k->min || v > k->max)
            return fail(l, ymap_get(map, k->name), "'%s' must be a whole number from %lld to %lld",
                        k->name, (long long)k->min, (long long)k->max);
        *(int64_t *)((char *)lim + k->offset) = v;
    }
    return true;
}

/* default_time_zone: what SET time_zone takes ('+05:30', 'Europe/Paris', SYSTEM). */
static bool load_time_zone(loader *l, const ynode *root, server_file *out)
{
    const char *zone;
    if (!get_text(l, root, "default_time_zone", &zone))
        return false;
    if (!zone)
        return true;
    time_zone tz;
    if (!time_zone_parse(zone, &tz))
        return fail(l, ymap_get(root, "default_time_zone"),
                    "default_time_zone '%s' is not a time zone: write SYSTEM, an offset such as "
                    "'+05:30' (from -13:59 to +14:00), or a name of the tz database such as "
                    "'America/New_York'",
                    zone);
    out->default_time_zone = xstrdup(zone);
    return true;
}

bool server_file_load(const char *path, server_file *out, char *err, size_t errlen)
{
    static const char *const keys[] = {
        "listen", "tls",   "rsa_key",           "users", "limits",    "log",
        "admin",  "cache", "default_time_zone", "http",  "server_id", NULL};
    memset(out, 0, sizeof(*out));
    out->port = -1;
    out->server_id = -1;
    obs_config_init(&out->log, &out->admin);
    http_settings_init(&out->http);
    cache_settings_unset(&out->cache);
    for (const limit_key *k = limit_keys; k->name; k++)
        *(int64_t *)((char *)&out->limits + k->offset) = -1;
    out->path = xstrdup(path);
    loader l = {.file = path, .err = err, .errlen = errlen};
    ystream ys;
    if (!ystream_load_file(&ys, path, SERVER_FILE_MAX_NODES, err, errlen)) {
        ystream_free(&ys);
        return false;
    }
    bool ok = true;
    if (ys.n_docs > 1)
        ok = fail(&l, ys.docs[1], "a server configuration is one YAML document");
    const ynode *root = ys.n_docs ? ys.docs[0] : NULL;
    if (ok && !ynode_is_null(root)) {
        ok = get_mapping(&l, root, "the server configuration") &&
             check_keys(&l, root, "the server configuration", keys);
        const ynode *v;
        if (ok && !ynode_is_null(v = ymap_get(root, "listen")))
            ok = load_listen(&l, v, out);
        if (ok && !ynode_is_null(v = ymap_get(root, "tls")))
            ok = load_tls(&l, v, out);
        const char *rsa;
        if (ok && (ok = get_text(&l, root, "rsa_key", &rsa)) && rsa)
            out->rsa_key = resolve_path(path, rsa);
        if (ok)
            ok = load_time_zone(&l, root, out);
        if (ok)
            ok = load_server_id(&l, root, out);
        if (ok && !ynode_is_null(v = ymap_get(root, "users")))
            ok = load_users(&l, v, out);
        if (ok && !ynode_is_null(v = ymap_get(root, "limits")))
            ok = load_limits(&l, v, &out->limits);
        if (ok && !ynode_is_null(v = ymap_get(root, "log")))
            ok = obs_config_load_log(path, v, &out->log, err, errlen);
        if (ok && !ynode_is_null(v = ymap_get(root, "admin")))
            ok = obs_config_load_admin(path, v, &out->admin, err, errlen);
        if (ok && !ynode_is_null(v = ymap_get(root, "http")))
            ok = http_settings_load(path, v, &out->http, err, errlen);
        if (ok && !ynode_is_null(v = ymap_get(root, "cache")))
            ok = cache_settings_load(path, v, &out->cache, err, errlen);
    }
    ystream_free(&ys);
    if (!ok)
        server_file_free(out);
    return ok;
}

void server_file_free(server_file *f)
{
    for (size_t i = 0; i < f->nusers; i++) {
        free(f->users[i].name);
        grants_free(f->users[i].grants);
        memset(&f->users[i], 0, sizeof(f->users[i]));
    }
    free(f->users);
    free(f->path);
    free(f->host);
    free(f->proxy_from);
    free(f->tls_cert);
    free(f->tls_key);
    free(f->rsa_key);
    free(f->default_time_zone);
    obs_config_free(&f->log, &f->admin);
    http_settings_free(&f->http);
    memset(f, 0, sizeof(*f));
    f->port = -1;
    f->server_id = -1;
    obs_config_init(&f->log, &f->admin);
    http_settings_init(&f->http);
    cache_settings_unset(&f->cache);
}

/* ---- Hash text forms --------------------------------------------------------- */

static void hex(const uint8_t *p, size_t n, const char *digits, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static bool parse_hex(const char *text, uint8_t *out, size_t n)
{
    if (strlen(text) != 2 * n)
        return false;
    for (size_t i = 0; i < 2 * n; i++)
        if (!isxdigit((unsigned char)text[i]))
            return false;
    for (size_t i = 0; i < n; i++) {
        char byte[3] = {text[2 * i], text[2 * i + 1], 0};
        out[i] = (uint8_t)strtoul(byte, NULL, 16);
    }
    return true;
}

/* MySQL's own text form of a native hash (what PASSWORD() returned). */
void server_native_hash_text(const uint8_t stage2[20], char out[42])
{
    out[0] = '*';
    hex(stage2, 20, "0123456789ABCDEF", out + 1);
}

void server_sha2_hash_text(const uint8_t verifier[WIRE_SHA2_LEN], char out[65])
{
    /* Lower case, as sha256sum and `openssl dgst` print it. */
    hex(verifier, WIRE_SHA2_LEN, "0123456789abcdef", out);
}

bool server_parse_native_hash(const char *text, uint8_t stage2[20])
{
    return text[0] == '*' && parse_hex(text + 1, stage2, 20);
}

bool server_parse_sha2_hash(const char *text, uint8_t verifier[WIRE_SHA2_LEN])
{
    return parse_hex(text, verifier, WIRE_SHA2_LEN);
}
