/* Connection secrets files: see secrets.h. */
#include "semantic/secrets.h"

#include <stdlib.h>
#include <string.h>

#include "semantic/catalog_internal.h"
#include "semantic/util.h"
#include "semantic/yaml_doc.h"

/* A secrets file is one small mapping: a tight node limit costs nothing. */
#define SECRETS_MAX_NODES 1000

char *secrets_file_path(const char *secrets_dir, const char *name)
{
    size_t n = strlen(name);
    char *file = sem_xmalloc(n + sizeof ".json");
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

/*
 * Reads an optional key as text into *out (NULL when absent or null).
 * Numbers and booleans are scalars too, so "port": 5432 and "port": "5432"
 * both come out as "5432", as the prototype allows.
 */
static bool read_text(reader *r, const char *key, char **out)
{
    *out = NULL;
    const ynode *v = ymap_get(r->map, key);
    if (ynode_is_null(v))
        return true;
    const char *text = ynode_text(v);
    if (!text)
        return sem_errf(r->err, r->errlen, r->file, v->line, "'%s' must be a string, not %s", key,
                        ynode_kind_name(v));
    *out = sem_xstrdup(text);
    return true;
}

static bool read_required(reader *r, const char *key, char **out)
{
    if (!read_text(r, key, out))
        return false;
    if (!*out || !**out)
        return sem_errf(r->err, r->errlen, r->file, r->map->line, "missing required key '%s'", key);
    return true;
}

static bool check_port(reader *r, const char *port)
{
    char *end;
    long v = strtol(port, &end, 10);
    if (*port == '\0' || *end != '\0' || v < 1 || v > 65535)
        return sem_errf(r->err, r->errlen, r->file, ymap_get(r->map, "port")->line,
                        "port '%s' is not a TCP port number (1-65535)", port);
    return true;
}

static bool read_sqldb(reader *r, connection *c)
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
        sem_errf(r->err, r->errlen, r->file, ymap_get(r->map, "flavour")->line,
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
           read_text(r, "password", &c->password) && read_text(r, "schema", &c->database);
}

/* A relative path names a file next to the secrets, wherever mimir runs. */
static bool read_sqlite(reader *r, const char *secrets_dir, connection *c)
{
    char *path = NULL;
    if (!read_required(r, "path", &path))
        return false;
    c->kind = CONN_SQLITE;
    char *joined = path[0] == '/' ? sem_xstrdup(path) : sem_path_join(secrets_dir, path);
    c->path = sem_path_absolute(joined);
    free(joined);
    free(path);
    if (!c->path)
        return sem_errf(r->err, r->errlen, r->file, 0,
                        "cannot resolve the sqlite path: the current directory is unknown");
    return true;
}

static bool read_connection(reader *r, const char *secrets_dir, connection *c)
{
    char *cls = NULL;
    if (!read_required(r, "connection_class", &cls))
        return false;
    bool ok;
    if (sem_name_eq(cls, "sqldb")) {
        ok = read_sqldb(r, c);
    } else if (sem_name_eq(cls, "sqlite")) {
        ok = read_sqlite(r, secrets_dir, c);
    } else {
        ok = sem_errf(r->err, r->errlen, r->file, ymap_get(r->map, "connection_class")->line,
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
    out->name = sem_xstrdup(name);
    out->file = secrets_file_path(secrets_dir, name);
    ystream ys;
    if (!ystream_load_file(&ys, out->file, SECRETS_MAX_NODES, err, errlen)) {
        ystream_free(&ys);
        return false;
    }
    bool ok;
    const ynode *root = ys.n_docs == 1 ? ys.docs[0] : NULL;
    if (!root || root->kind != YNODE_MAPPING) {
        ok = sem_errf(err, errlen, out->file, root ? root->line : 0,
                      "expected one JSON object with connection_class and its settings");
    } else {
        reader r = {.file = out->file, .map = root, .err = err, .errlen = errlen};
        ok = read_connection(&r, secrets_dir, out);
    }
    ystream_free(&ys);
    return ok;
}
