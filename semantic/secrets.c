/* Connection secrets files: see secrets.h. */
#include "semantic/secrets.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "semantic/catalog_internal.h"
#include "semantic/util.h"
#include "semantic/yaml_doc.h"
#include "wire/xalloc.h"

/* A secrets file is one small mapping: a tight node limit costs nothing. */
#define SECRETS_MAX_NODES 1000

char *secrets_file_path(const char *secrets_dir, const char *name)
{
    size_t n = strlen(name);
    char *file = xmalloc(n + sizeof ".json");
    memcpy(file, name, n);
    memcpy(file + n, ".json", sizeof ".json");
    char *path = sem_path_join(secrets_dir, file);
    free(file);
    return path;
}

typedef struct reader {
    const char *file;
    const ynode *map;
    char *err;
    size_t errlen;
} reader;

static bool fail_at(reader *r, const ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail_at(reader *r, const ynode *at, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sem_errf_at(r->err, r->errlen, r->file, at ? at->line : 0, at ? at->column : 0, "%s",
                       msg);
}

static bool is_env_name_char(char c, bool first)
{
    return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

/*
 * Expands ${NAME} from the environment anywhere in a value, so that no
 * password has to be written in a file ("password": "${PAGILA_PASSWORD}").
 * "$${" stands for a literal "${". A variable that is not set is an error
 * naming it: an empty password sent by mistake would only fail later, and
 * less clearly.
 */
static bool expand_env(reader *r, const ynode *v, const char *key, const char *text, char **out)
{
    size_t cap = strlen(text) + 1, n = 0;
    char *buf = xmalloc(cap);
    for (const char *p = text; *p;) {
        const char *piece = p;
        size_t len = 1;
        if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
            piece = "${";
            len = 2;
            p += 3;
        } else if (p[0] == '$' && p[1] == '{') {
            const char *name = p + 2, *end = name;
            while (is_env_name_char(*end, end == name))
                end++;
            if (*end != '}' || end == name) {
                free(buf);
                return fail_at(r, v,
                               "'%s': '${' must be followed by an environment variable name and "
                               "'}' (write $${ for a literal ${)",
                               key);
            }
            char *var = xstrndup(name, (size_t)(end - name));
            piece = getenv(var);
            if (!piece) {
                fail_at(r, v, "'%s' reads the environment variable '%s', which is not set", key,
                        var);
                free(var);
                free(buf);
                return false;
            }
            free(var);
            len = strlen(piece);
            p = end + 1;
        } else {
            p++;
        }
        if (n + len + 1 > cap) {
            cap = (n + len + 1) * 2;
            buf = xrealloc(buf, cap);
        }
        memcpy(buf + n, piece, len);
        n += len;
    }
    buf[n] = '\0';
    *out = buf;
    return true;
}

/*
 * Reads an optional key as text into *out (NULL when absent or null), with
 * ${NAME} expanded from the environment. Numbers and booleans are scalars
 * too, so "port": 5432 and "port": "5432" both come out as "5432", as the
 * prototype allows.
 */
static bool read_text(reader *r, const char *key, char **out)
{
    *out = NULL;
    const ynode *v = ymap_get(r->map, key);
    if (ynode_is_null(v))
        return true;
    const char *text = ynode_text(v);
    if (!text)
        return fail_at(r, v, "'%s' must be a string, not %s", key, ynode_kind_name(v));
    return expand_env(r, v, key, text, out);
}

static bool read_required(reader *r, const char *key, char **out)
{
    if (!read_text(r, key, out))
        return false;
    if (!*out || !**out) {
        const ynode *v = ymap_get(r->map, key);
        if (*out) {
            /* Callers free *out only on success: an empty value must not leak. */
            free(*out);
            *out = NULL;
            return fail_at(r, v, "'%s' is empty", key);
        }
        return fail_at(r, r->map, "missing required key '%s'", key);
    }
    return true;
}

static bool check_port(reader *r, const char *port)
{
    char *end;
    long v = strtol(port, &end, 10);
    if (*port == '\0' || *end != '\0' || v < 1 || v > 65535)
        return fail_at(r, ymap_get(r->map, "port"), "port '%s' is not a TCP port number (1-65535)",
                       port);
    return true;
}

/* libpq's sslmode values. */
static const char *const pg_sslmodes[] = {"disable",   "allow",       "prefer", "require",
                                          "verify-ca", "verify-full", NULL};

/* MySQL's --ssl-mode values (in any case), stored in lower case. */
static const char *const my_ssl_modes[] = {"disabled",  "preferred",       "required",
                                           "verify_ca", "verify_identity", NULL};

/* The TLS keys of each flavour: certificate authority, client certificate, its key. */
typedef struct tls_keys {
    const char *mode, *ca, *cert, *key;
    const char *const *modes;
    const char *mode_list; /* for the error message */
    const char *whose, *flavour;
} tls_keys;

static const tls_keys pg_tls = {"sslmode",
                                "sslrootcert",
                                "sslcert",
                                "sslkey",
                                pg_sslmodes,
                                "disable, allow, prefer, require, verify-ca, verify-full",
                                "PostgreSQL (libpq)",
                                "postgresql"};
static const tls_keys my_tls = {
    "ssl_mode", "ssl_ca",     "ssl_cert",
    "ssl_key",  my_ssl_modes, "disabled, preferred, required, verify_ca, verify_identity",
    "MySQL",    "mysql"};

/*
 * A file named by a TLS key: relative to the secrets directory (like
 * SQLite's path), made absolute, and required to exist now, so that a typo
 * is a load error with the file's line rather than a failed connection later.
 */
static bool read_tls_file(reader *r, const char *secrets_dir, const char *key, char **out)
{
    char *path = NULL;
    if (!read_text(r, key, &path) || !path)
        return !path;
    const ynode *at = ymap_get(r->map, key);
    if (!*path) {
        free(path);
        return fail_at(r, at, "'%s' is empty", key);
    }
    char *joined = path[0] == '/' ? xstrdup(path) : sem_path_join(secrets_dir, path);
    *out = sem_path_absolute(joined);
    free(joined);
    bool ok = *out && access(*out, R_OK) == 0;
    if (!ok)
        fail_at(r, at, "'%s': the file '%s' does not exist or cannot be read", key,
                *out ? *out : path);
    free(path);
    return ok;
}

/* A key that belongs to the other flavour (or to no flavour of this class). */
static bool reject_key(reader *r, const char *key, const tls_keys *owner)
{
    const ynode *v = ymap_get(r->map, key);
    if (ynode_is_null(v))
        return true;
    return fail_at(r, v, "'%s' is a %s setting: it applies to flavour %s only", key, owner->whose,
                   owner->flavour);
}

static bool check_mode(reader *r, const tls_keys *k, char *mode)
{
    if (!mode)
        return true;
    for (char *p = mode; k == &my_tls && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    for (const char *const *m = k->modes; *m; m++)
        if (strcmp(mode, *m) == 0)
            return true;
    return fail_at(r, ymap_get(r->map, k->mode), "%s '%s' is not one of %s", k->mode, mode,
                   k->mode_list);
}

/*
 * What MySQL's ssl_mode needs of the other keys: verify_ca has nothing to
 * verify against without ssl_ca; a CA is only used by the verify_ modes (with
 * required or preferred it would silently verify nothing more); no file at
 * all with disabled or without a mode; a client certificate and its key
 * together. libpq has its own rules and reports them when it connects.
 */
static bool check_my_tls(reader *r, const connection *c)
{
    const char *mode = c->sslmode;
    bool verify = mode && strncmp(mode, "verify_", 7) == 0;
    if (mode && strcmp(mode, "verify_ca") == 0 && !c->ssl_ca)
        return fail_at(r, ymap_get(r->map, "ssl_mode"),
                       "ssl_mode verify_ca needs 'ssl_ca', the certificate authority to verify "
                       "the server's certificate with");
    if (c->ssl_ca && !verify)
        return fail_at(r, ymap_get(r->map, "ssl_ca"),
                       "'ssl_ca' is used with ssl_mode verify_ca or verify_identity only");
    bool tls = mode && strcmp(mode, "disabled") != 0;
    const char *file = c->ssl_cert ? "ssl_cert" : c->ssl_key ? "ssl_key" : NULL;
    if (file && !tls)
        return fail_at(r, ymap_get(r->map, file),
                       "'%s' needs ssl_mode preferred, required, verify_ca or verify_identity",
                       file);
    return true;
}

/* Client certificate and key come in pairs, on both flavours. */
static bool check_pair(reader *r, const tls_keys *k, const connection *c)
{
    if (!c->ssl_cert == !c->ssl_key)
        return true;
    const char *given = c->ssl_cert ? k->cert : k->key, *missing = c->ssl_cert ? k->key : k->cert;
    return fail_at(r, ymap_get(r->map, given), "'%s' needs '%s' too", given, missing);
}

/*
 * TLS keys by flavour (libpq's names for PostgreSQL, MySQL's for MySQL),
 * and conninfo, a libpq connection string: PostgreSQL only.
 */
static bool read_db_settings(reader *r, const char *secrets_dir, connection *c)
{
    bool pg = c->kind == CONN_POSTGRES;
    const tls_keys *k = pg ? &pg_tls : &my_tls, *other = pg ? &my_tls : &pg_tls;
    if (!reject_key(r, other->mode, other) || !reject_key(r, other->ca, other) ||
        !reject_key(r, other->cert, other) || !reject_key(r, other->key, other) ||
        (!pg && !reject_key(r, "conninfo", &pg_tls)))
        return false;
    if (pg && !read_text(r, "conninfo", &c->conninfo))
        return false;
    return read_text(r, k->mode, &c->sslmode) && check_mode(r, k, c->sslmode) &&
           read_tls_file(r, secrets_dir, k->ca, &c->ssl_ca) &&
           read_tls_file(r, secrets_dir, k->cert, &c->ssl_cert) &&
           read_tls_file(r, secrets_dir, k->key, &c->ssl_key) && check_pair(r, k, c) &&
           (pg || check_my_tls(r, c));
}

/* The network detection keys: name, where they go, the range, and whether 0 means off. */
typedef struct net_key {
    const char *key;
    size_t offset;
    long min, max;
    const char *unit;
} net_key;

static const net_key net_keys[] = {
    {"keepalives_idle", offsetof(connection, keepalives_idle), 0, 32767, "seconds (0: off)"},
    {"keepalives_interval", offsetof(connection, keepalives_interval), 1, 32767, "seconds"},
    {"keepalives_count", offsetof(connection, keepalives_count), 1, 127, "probes"},
    {"tcp_user_timeout", offsetof(connection, tcp_user_timeout), 0, 2147483647,
     "milliseconds (0: the system's default)"},
    {"connect_timeout", offsetof(connection, connect_timeout), 1, 86400, "seconds"},
    {"idle_check_after", offsetof(connection, idle_check_after), 0, 86400,
     "seconds (0: before every reuse)"},
};

/*
 * How a dead network path is detected (TCP keepalives, TCP_USER_TIMEOUT, the
 * connect deadline, the check before reusing an idle connection): whole
 * numbers, as JSON numbers or strings, within the range the kernel accepts.
 */
static bool read_net_settings(reader *r, connection *c)
{
    for (size_t i = 0; i < sizeof net_keys / sizeof *net_keys; i++) {
        const net_key *k = &net_keys[i];
        char *text = NULL;
        if (!read_text(r, k->key, &text))
            return false;
        if (!text)
            continue;
        char *end;
        long v = strtol(text, &end, 10);
        bool ok = *text != '\0' && *end == '\0' && v >= k->min && v <= k->max;
        if (!ok) {
            fail_at(r, ymap_get(r->map, k->key),
                    "'%s' must be a whole number from %ld to %ld (%s), not '%s'", k->key, k->min,
                    k->max, k->unit, text);
            free(text);
            return false;
        }
        free(text);
        *(int *)((char *)c + k->offset) = v == 0 ? CONN_NET_OFF : (int)v;
    }
    return true;
}

static bool read_sqldb(reader *r, const char *secrets_dir, connection *c)
{
    char *flavour = NULL;
    if (!read_required(r, "flavour", &flavour))
        return false;
    bool known = true;
    if (sem_name_eq(flavour, "postgresql"))
        c->kind = CONN_POSTGRES;
    else if (sem_name_eq(flavour, "mysql"))
        c->kind = CONN_MYSQL;
    else
        known = false;
    if (!known) {
        fail_at(r, ymap_get(r->map, "flavour"),
                "flavour '%s' is not supported for connection_class sqldb "
                "(supported: postgresql, mysql)",
                flavour);
        free(flavour);
        return false;
    }
    free(flavour);
    /* Everything else may be left out: libpq and libmariadb have defaults. */
    return read_text(r, "host", &c->host) && read_text(r, "port", &c->port) &&
           (!c->port || check_port(r, c->port)) && read_text(r, "user", &c->user) &&
           read_text(r, "password", &c->password) && read_text(r, "schema", &c->database) &&
           read_db_settings(r, secrets_dir, c) && read_net_settings(r, c);
}

/* A relative path names a file next to the secrets, wherever mimir runs. */
static bool read_sqlite(reader *r, const char *secrets_dir, connection *c)
{
    char *path = NULL;
    if (!read_required(r, "path", &path))
        return false;
    c->kind = CONN_SQLITE;
    char *joined = path[0] == '/' ? xstrdup(path) : sem_path_join(secrets_dir, path);
    c->path = sem_path_absolute(joined);
    free(joined);
    free(path);
    if (!c->path)
        return fail_at(r, NULL, "cannot resolve the sqlite path: the current directory is unknown");
    return true;
}

static bool read_connection(reader *r, const char *secrets_dir, connection *c)
{
    char *cls = NULL;
    if (!read_required(r, "connection_class", &cls))
        return false;
    bool ok;
    if (sem_name_eq(cls, "sqldb")) {
        ok = read_sqldb(r, secrets_dir, c);
    } else if (sem_name_eq(cls, "sqlite")) {
        ok = read_sqlite(r, secrets_dir, c);
    } else {
        ok = fail_at(r, ymap_get(r->map, "connection_class"),
                     "connection_class '%s' is not supported (supported: sqldb with flavour "
                     "postgresql or mysql, sqlite)",
                     cls);
    }
    free(cls);
    return ok;
}

bool secrets_load_connection(const char *secrets_dir, const char *name, connection *out, char *err,
                             size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->name = xstrdup(name);
    out->file = secrets_file_path(secrets_dir, name);
    ystream ys;
    if (!ystream_load_file(&ys, out->file, SECRETS_MAX_NODES, err, errlen)) {
        ystream_free(&ys);
        return false;
    }
    bool ok;
    const ynode *root = ys.n_docs == 1 ? ys.docs[0] : NULL;
    if (!root || root->kind != YNODE_MAPPING) {
        ok = sem_errf_at(err, errlen, out->file, root ? root->line : 0, root ? root->column : 0,
                         "expected one JSON object with connection_class and its settings");
    } else {
        reader r = {.file = out->file, .map = root, .err = err, .errlen = errlen};
        ok = read_connection(&r, secrets_dir, out);
    }
    ystream_free(&ys);
    return ok;
}
