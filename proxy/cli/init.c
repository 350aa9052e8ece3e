/*
 * `mimir init [DIR]`: scaffolds a project: sources/, metrics/, dimensions/
 * and secrets/ with one example of each, written so that
 * `mimir validate --configs DIR --no-secrets` passes at once, and a secrets
 * file that reads its password from the environment, so it can be committed.
 * Existing files are never overwritten.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proxy/cli/cli.h"
#include "semantic/util.h"

static const char cmd[] = "init";

static void usage(FILE *out)
{
    fprintf(out, "usage: mimir init [DIR]\n"
                 "\n"
                 "Creates a Mimir project in DIR (default: the current directory): sources/,\n"
                 "metrics/ and dimensions/ with one example each, and secrets/ with a PostgreSQL\n"
                 "connection that reads its password from $WAREHOUSE_PASSWORD. Existing files are\n"
                 "left alone. Then edit the examples and run 'mimir validate --configs DIR'.\n");
}

typedef struct scaffold_file {
    const char *path;
    const char *text;
} scaffold_file;

static const scaffold_file files[] = {
    {"sources/orders.yaml",
     "# A source is a SELECT over your database: one clean row per event, with a\n"
     "# time column. Its output columns are dimensions you can group by.\n"
     "orders:\n"
     "  name: orders\n"
     "  description: One row per order.\n"
     "  connection_name: warehouse  # secrets/warehouse.json\n"
     "  time_col: orders.created_at # the time column, as written inside sql\n"
     "  time_col_alias: ts          # its name in the output\n"
     "  sql: |\n"
     "    SELECT\n"
     "      orders.id AS order_id,\n"
     "      orders.created_at AS ts,\n"
     "      orders.customer_id,\n"
     "      orders.status,\n"
     "      orders.amount\n"
     "    FROM orders\n"},
    {"dimensions/order_size.yaml",
     "# A dimension is an expression evaluated inside its source's SQL.\n"
     "name: dim_order_size\n"
     "source_name: orders\n"
     "description: Large orders (100 or more) and small ones.\n"
     "sql: CASE WHEN orders.amount >= 100 THEN 'large' ELSE 'small' END\n"},
    {"metrics/orders.yaml", "# A metric is one aggregate expression over its source's rows.\n"
                            "---\n"
                            "name: orders_count\n"
                            "source_name: orders\n"
                            "description: Number of orders.\n"
                            "sql: COUNT(order_id)\n"
                            "---\n"
                            "name: revenue\n"
                            "source_name: orders\n"
                            "description: Amount ordered.\n"
                            "sql: SUM(amount)\n"},
    {"secrets/warehouse.json", "{\n"
                               "  \"connection_class\": \"sqldb\",\n"
                               "  \"flavour\": \"postgresql\",\n"
                               "  \"host\": \"localhost\",\n"
                               "  \"port\": \"5432\",\n"
                               "  \"user\": \"mimir\",\n"
                               "  \"password\": \"${WAREHOUSE_PASSWORD}\",\n"
                               "  \"schema\": \"warehouse\"\n"
                               "}\n"},
};

static bool make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return true;
    cli_fail(cmd, "cannot create %s: %s", path, strerror(errno));
    return false;
}

/* Writes one file, refusing to replace anything. */
static bool write_new(const char *path, const char *text)
{
    FILE *f = fopen(path, "wx");
    if (!f) {
        if (errno == EEXIST)
            fprintf(stderr, "mimir init: %s exists: left as it is\n", path);
        else
            cli_fail(cmd, "cannot create %s: %s", path, strerror(errno));
        return errno == EEXIST;
    }
    bool ok = fputs(text, f) >= 0;
    ok = fclose(f) == 0 && ok;
    if (!ok)
        cli_fail(cmd, "cannot write %s: %s", path, strerror(errno));
    else
        printf("created %s\n", path);
    return ok;
}

int cli_init(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'H'}, {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == 'H') {
            usage(stdout);
            return CLI_OK;
        }
        return cli_usage_error(cmd, "unknown option");
    }
    if (argc - optind > 1)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
    const char *dir = optind < argc ? argv[optind] : ".";
    if (!make_dir(dir))
        return CLI_FINDING;
    static const char *const subdirs[] = {"sources", "metrics", "dimensions", "secrets"};
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof subdirs / sizeof *subdirs; i++) {
        char *path = sem_path_join(dir, subdirs[i]);
        ok = make_dir(path);
        free(path);
    }
    for (size_t i = 0; ok && i < sizeof files / sizeof *files; i++) {
        char *path = sem_path_join(dir, files[i].path);
        ok = write_new(path, files[i].text);
        free(path);
    }
    if (!ok)
        return CLI_FINDING;
    printf("\nNext: point secrets/warehouse.json at your database, export "
           "WAREHOUSE_PASSWORD,\nadapt the examples, then run\n\n"
           "    mimir validate --configs %s\n",
           dir);
    return CLI_OK;
}
