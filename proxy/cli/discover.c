/*
 * `mimir discover --connection NAME --secrets DIR --out DIR [--schema S]`:
 * reads the catalog of the database the connection names and writes a
 * starter semantic layer for it into DIR (see discover.h for the steps and
 * discover_layer.c for what becomes a source, a dimension or a metric).
 *
 * --out must be a new or an empty directory; anything else is refused before
 * the database is contacted, and nothing is written unless the whole layer
 * was built: a database error leaves no directory behind. The secrets are
 * not copied (they may hold a password, or a SQLite path relative to their
 * own directory): the layer names the connection, and is used with the same
 * --secrets.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proxy/cli/cli.h"
#include "proxy/cli/discover.h"
#include "semantic/secrets.h"
#include "wire/xalloc.h"

static const char cmd[] = "discover";

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mimir discover --connection NAME --secrets DIR --out DIR [--schema S]\n"
            "\n"
            "Reads the catalog of the database of connection NAME (DIR/NAME.json; PostgreSQL,\n"
            "MariaDB/MySQL or SQLite): tables, columns, primary and foreign keys, row counts,\n"
            "time columns. Writes a starter semantic layer into --out (a new or an empty\n"
            "directory): a source per fact table (a table with a time column and a foreign\n"
            "key) joined many-to-one to what its foreign keys reach, dimensions and metrics.\n"
            "  --connection NAME  the connection to read, and the one the layer uses\n"
            "  --secrets DIR      the secrets directory (default: $MIMIR_SECRETS)\n"
            "  --out DIR          where to write sources/, dimensions/ and metrics/\n"
            "  --schema S         PostgreSQL schema (default public), MySQL database (default:\n"
            "                     the connection's); not for SQLite\n"
            "Then: mimir validate --configs OUT --secrets DIR\n");
}

typedef struct discover_options {
    const char *connection, *secrets, *out, *schema;
} discover_options;

static int parse_options(int argc, char **argv, discover_options *o)
{
    static const struct option opts[] = {{"connection", required_argument, NULL, 'c'},
                                         {"secrets", required_argument, NULL, 's'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"schema", required_argument, NULL, 'S'},
                                         {"help", no_argument, NULL, 'H'},
                                         {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == 'c')
            o->connection = optarg;
        else if (opt == 's')
            o->secrets = optarg;
        else if (opt == 'o')
            o->out = optarg;
        else if (opt == 'S')
            o->schema = optarg;
        else if (opt == 'H') {
            usage(stdout);
            return CLI_OK;
        } else
            return cli_usage_error(cmd, "unknown option");
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!o->secrets || !*o->secrets)
        o->secrets = getenv("MIMIR_SECRETS");
    if (!o->connection || !*o->connection)
        return cli_usage_error(cmd, "--connection NAME is required");
    if (!o->secrets || !*o->secrets)
        return cli_usage_error(cmd, "--secrets DIR is required (or set MIMIR_SECRETS)");
    if (!o->out || !*o->out)
        return cli_usage_error(cmd, "--out DIR is required");
    return -1;
}

/* The folder a new --out is made in exists (discover makes one directory, not a path). */
static bool parent_is_directory(const char *out)
{
    char *copy = xstrdup(out);
    struct stat st;
    const char *parent = dirname(copy);
    bool ok = stat(parent, &st) == 0 && S_ISDIR(st.st_mode);
    if (!ok)
        cli_fail(cmd, "--out %s: the directory %s does not exist; nothing written", out, parent);
    free(copy);
    return ok;
}

/* --out is new, or an empty directory; else a message and false. */
static bool out_usable(const char *out)
{
    struct stat st;
    if (stat(out, &st) != 0) {
        if (errno == ENOENT)
            return parent_is_directory(out);
        cli_fail(cmd, "--out %s: %s; nothing written", out, strerror(errno));
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        cli_fail(cmd, "--out %s exists and is not a directory; nothing written", out);
        return false;
    }
    DIR *d = opendir(out);
    if (!d) {
        cli_fail(cmd, "--out %s: %s; nothing written", out, strerror(errno));
        return false;
    }
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)))
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    if (!empty)
        cli_fail(cmd, "--out %s is not empty; give a new or an empty directory; nothing written",
                 out);
    return empty;
}

/* The schema to read: --schema, else public (PostgreSQL) or the connection's database. */
static bool pick_schema(const discover_options *o, const connection *c, disc_catalog *cat)
{
    if (c->kind == CONN_SQLITE) {
        if (o->schema && strcmp(o->schema, "main") != 0) {
            cli_fail(cmd, "--schema does not apply to SQLite (connection '%s')", c->name);
            return false;
        }
        return true;
    }
    const char *schema = o->schema ? o->schema : c->kind == CONN_POSTGRES ? "public" : c->database;
    if (!schema || !*schema) {
        cli_fail(cmd, "connection '%s' names no database (\"schema\"): give --schema", c->name);
        return false;
    }
    cat->schema = xstrdup(schema);
    return true;
}

/* Reads and measures the catalog; false (printed) on a database error. */
static bool read_catalog(disc_db *db, const connection *c, disc_catalog *cat)
{
    char err[2048];
    bool ok = c->kind == CONN_POSTGRES ? discover_read_pg(db, cat->schema, cat, err, sizeof err)
              : c->kind == CONN_MYSQL  ? discover_read_mysql(db, cat->schema, cat, err, sizeof err)
                                       : discover_read_sqlite(db, cat, err, sizeof err);
    if (ok && cat->ntables == 0) {
        cli_fail(cmd, "%s%s%s has no tables that connection '%s' can see; nothing written",
                 cat->schema ? "schema '" : "the database", cat->schema ? cat->schema : "",
                 cat->schema ? "'" : "", c->name);
        return false;
    }
    if (ok)
        ok = discover_measure(db, cat, err, sizeof err);
    if (!ok)
        cli_fail(cmd, "reading the catalog of connection '%s': %s; nothing written", c->name, err);
    return ok;
}

static void print_summary(const disc_layer *l, const disc_catalog *cat, const discover_options *o)
{
    size_t dims = 0, metrics = 0;
    for (size_t i = 0; i < l->nsources; i++) {
        dims += l->sources[i].ndims;
        metrics += l->sources[i].nmetrics;
    }
    printf("%zu tables read; wrote %zu sources, %zu dimensions, %zu metrics to %s\n", cat->ntables,
           l->nsources, dims, metrics, o->out);
    for (size_t i = 0; i < l->nsources; i++)
        printf("  source %s: %zu dimensions, %zu metrics\n", l->sources[i].name,
               l->sources[i].ndims, l->sources[i].nmetrics);
    printf("next: mimir validate --configs %s --secrets %s\n", o->out, o->secrets);
}

/* Everything after the options: connect, read, build, write. */
static int discover(const discover_options *o, const connection *c)
{
    disc_catalog cat = {.kind = c->kind};
    disc_layer layer = {0};
    char err[2048];
    int status = CLI_FINDING;
    disc_db *db = NULL;
    if (!pick_schema(o, c, &cat)) {
    } else if (!(db = disc_db_connect(c, err, sizeof err))) {
        cli_fail(cmd, "cannot connect with connection '%s': %s; nothing written", c->name, err);
    } else if (read_catalog(db, c, &cat)) {
        if (!discover_layer_build(&cat, c->name, &layer, err, sizeof err))
            cli_fail(cmd, "%s; nothing written", err);
        else if (!discover_emit(&layer, o->out, c->name, err, sizeof err))
            cli_fail(cmd, "%s", err);
        else {
            print_summary(&layer, &cat, o);
            status = CLI_OK;
        }
    }
    disc_db_close(db);
    discover_layer_free(&layer);
    disc_catalog_free(&cat);
    return status;
}

int cli_discover(int argc, char **argv)
{
    discover_options o = {0};
    int status = parse_options(argc, argv, &o);
    if (status >= 0)
        return status;
    if (!out_usable(o.out))
        return CLI_FINDING;
    connection c;
    char err[2048];
    if (!secrets_load_connection(o.secrets, o.connection, &c, err, sizeof err)) {
        cli_fail(cmd, "connection '%s': %s; nothing written", o.connection, err);
        catalog_connection_free_copy(&c);
        return CLI_FINDING;
    }
    status = discover(&o, &c);
    catalog_connection_free_copy(&c);
    return status;
}
