/*
 * `mimir create metric|dimension|source`: a new definition, as a new file
 * (metrics/NAME.yaml, dimensions/NAME.yaml, sources/NAME.yaml) of the project.
 *
 * Every key has an option (--name, --source, --sql, ...), so scripts can use
 * it; a key without one is asked on the terminal, with its valid choices (the
 * project's sources, the connections in the secrets directory, the
 * dimensions available on the chosen source) and a default where there is
 * one. When standard input is not a terminal nothing is asked: a missing
 * required option is a usage error naming it.
 *
 * Nothing is written until the project, with the new file added in memory
 * (catalog_validate_pending), passes the checks of `mimir validate`: the same
 * loader, the same derived-metric check and, with --secrets, the same LIMIT 0
 * runs on the databases. A problem the project already had is not the new
 * definition's: it is mentioned, and does not stop the write. The file is
 * written with libyaml's emitter (semantic/yaml_write.h) and never replaces
 * an existing one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "planner/derived_metrics.h"
#include "proxy/cli/cli.h"
#include "proxy/cli/prompt.h"
#include "semantic/sql_scan.h"
#include "semantic/util.h"
#include "semantic/yaml_write.h"
#include "wire/xalloc.h"

static const char cmd[] = "create";

/* The longest name: MySQL's limit on a column name, which every name becomes. */
#define NAME_MAX_LEN 64

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: mimir create metric    [--name N] [--source S] [--sql SQL] [--description D]\n"
        "                              [--required-dimensions A,B] [--team T]\n"
        "       mimir create dimension [--name N] [--source S] [--sql SQL] [--description D]\n"
        "       mimir create source    [--name N] [--connection C] [--time-col COL]\n"
        "                              [--time-col-alias A] [--sql SQL] [--description D]\n"
        "       each with [--configs DIR] [--secrets DIR]\n"
        "\n"
        "Writes a new definition to DIR/metrics/N.yaml (dimensions/, sources/) once the\n"
        "project with it passes the checks of 'mimir validate'; prints the path written.\n"
        "An existing file is never replaced. A key without its option is asked on the\n"
        "terminal, with the valid choices; when standard input is not a terminal, a\n"
        "missing required option is an error (exit 2).\n"
        "\n"
        "  --configs DIR   the project (default: $MIMIR_CONFIGS, else the current directory)\n"
        "  --secrets DIR   also run the new definition on its database with LIMIT 0, as\n"
        "                  'mimir validate' does (connection choices are read from DIR,\n"
        "                  else $MIMIR_SECRETS, else DIR/secrets, without it)\n"
        "  --name N        letters, digits and _, not starting with a digit\n"
        "  --source S      (--source-name) the source a metric or dimension is on\n"
        "  --sql SQL       a metric: one aggregate (\"SUM(amount) AS revenue\"); a dimension:\n"
        "                  an expression inside the source's SQL; a source: one SELECT\n"
        "  --required-dimensions A,B  dimensions every query of the metric must group by\n"
        "  --connection C  (--connection-name) a source's <C>.json in the secrets directory\n"
        "  --time-col COL  the source's time column inside its SQL (e.g. orders.ordered_at)\n"
        "  --time-col-alias A  its output name, when not the column's own name\n"
        "  --description D, --team T\n"
        "\n"
        "Exit status: 0 written, 1 refused (the problems are printed), 2 wrong command line.\n");
}

/* ---- the keys of each kind ---- */

typedef enum { CHOOSE_NONE, CHOOSE_SOURCE, CHOOSE_CONNECTION, CHOOSE_DIMENSION } choose;

typedef enum {
    OPT_NAME,
    OPT_SOURCE,
    OPT_CONNECTION,
    OPT_TIME_COL,
    OPT_TIME_COL_ALIAS,
    OPT_SQL,
    OPT_DESCRIPTION,
    OPT_REQUIRED_DIMENSIONS,
    OPT_TEAM,
    N_OPTS
} opt_id;

static const char *const opt_names[N_OPTS] = {
    "name", "source",      "connection",          "time-col", "time-col-alias",
    "sql",  "description", "required-dimensions", "team"};

typedef struct key_spec {
    opt_id opt;
    const char *key; /* in the YAML file */
    bool required;
    bool list;
    choose choices;
    const char *help;
} key_spec;

static const key_spec metric_keys[] = {
    {OPT_NAME, "name", true, false, CHOOSE_NONE,
     "the metric's name (letters, digits and _; also its file's name)"},
    {OPT_SOURCE, "source_name", true, false, CHOOSE_SOURCE, "the source it is computed on"},
    {OPT_SQL, "sql", true, false, CHOOSE_NONE,
     "one aggregate over the source's columns, e.g. SUM(amount) AS revenue"},
    {OPT_DESCRIPTION, "description", false, false, CHOOSE_NONE, "what it measures"},
    {OPT_REQUIRED_DIMENSIONS, "required_dimensions", false, true, CHOOSE_DIMENSION,
     "dimensions every query of it must group by, separated by commas"},
    {OPT_TEAM, "team", false, false, CHOOSE_NONE, "the team that owns it"},
};

static const key_spec dimension_keys[] = {
    {OPT_NAME, "name", true, false, CHOOSE_NONE,
     "the dimension's name (letters, digits and _; also its file's name)"},
    {OPT_SOURCE, "source_name", true, false, CHOOSE_SOURCE, "the source it is defined on"},
    {OPT_SQL, "sql", true, false, CHOOSE_NONE,
     "an expression inside the source's SQL, e.g. products.category AS dim_category"},
    {OPT_DESCRIPTION, "description", false, false, CHOOSE_NONE, "what it is"},
};

static const key_spec source_keys[] = {
    {OPT_NAME, "name", true, false, CHOOSE_NONE,
     "the source's name (letters, digits and _; also its file's name)"},
    {OPT_CONNECTION, "connection_name", true, false, CHOOSE_CONNECTION,
     "the database: <connection_name>.json in the secrets directory"},
    {OPT_SQL, "sql", true, false, CHOOSE_NONE,
     "one SELECT, in the database's dialect (end a line with \\ to go on on the next)"},
    {OPT_TIME_COL, "time_col", true, false, CHOOSE_NONE,
     "the time column as written inside the SQL, e.g. orders.ordered_at"},
    {OPT_TIME_COL_ALIAS, "time_col_alias", false, false, CHOOSE_NONE,
     "the time column's name in the SQL's output"},
    {OPT_DESCRIPTION, "description", false, false, CHOOSE_NONE, "what one row is"},
};

typedef struct kind_spec {
    const char *kind;   /* "metric" */
    const char *subdir; /* "metrics" */
    const key_spec *keys;
    size_t n_keys;
} kind_spec;

static const kind_spec kinds[] = {
    {"metric", "metrics", metric_keys, sizeof metric_keys / sizeof metric_keys[0]},
    {"dimension", "dimensions", dimension_keys, sizeof dimension_keys / sizeof dimension_keys[0]},
    {"source", "sources", source_keys, sizeof source_keys / sizeof source_keys[0]},
};

static const key_spec *key_of(const kind_spec *k, opt_id opt)
{
    for (size_t i = 0; i < k->n_keys; i++)
        if (k->keys[i].opt == opt)
            return &k->keys[i];
    return NULL;
}

/* ---- the command line ---- */

typedef struct create_run {
    const kind_spec *kind;
    cli_project project;
    bool databases;        /* --secrets: run the LIMIT 0 checks */
    char *values[N_OPTS];  /* given or answered; NULL: neither (yet) */
    catalog *cat;          /* the project as it is, for the choices and the name */
    char **known_problems; /* the project's problems before the new definition */
    size_t n_known_problems;
    char *path; /* where the new file goes */
} create_run;

static void run_free(create_run *r)
{
    for (size_t i = 0; i < N_OPTS; i++)
        free(r->values[i]);
    if (r->cat)
        catalog_free(r->cat);
    sem_strv_free(r->known_problems, r->n_known_problems);
    free(r->path);
    cli_project_free(&r->project);
}

/* -1 when the command goes on, else the exit status (help, a usage error). */
static int parse_options(create_run *r, int argc, char **argv)
{
    enum { O_CONFIGS = N_OPTS, O_SECRETS, O_HELP };
    static const struct option opts[] = {
        {"name", required_argument, NULL, OPT_NAME},
        {"source", required_argument, NULL, OPT_SOURCE},
        {"source-name", required_argument, NULL, OPT_SOURCE},
        {"connection", required_argument, NULL, OPT_CONNECTION},
        {"connection-name", required_argument, NULL, OPT_CONNECTION},
        {"time-col", required_argument, NULL, OPT_TIME_COL},
        {"time-col-alias", required_argument, NULL, OPT_TIME_COL_ALIAS},
        {"sql", required_argument, NULL, OPT_SQL},
        {"description", required_argument, NULL, OPT_DESCRIPTION},
        {"required-dimensions", required_argument, NULL, OPT_REQUIRED_DIMENSIONS},
        {"team", required_argument, NULL, OPT_TEAM},
        {"configs", required_argument, NULL, O_CONFIGS},
        {"secrets", required_argument, NULL, O_SECRETS},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt >= 0 && opt < N_OPTS) {
            free(r->values[opt]);
            r->values[opt] = xstrdup(optarg);
        } else if (opt == O_CONFIGS) {
            r->project.configs = optarg;
        } else if (opt == O_SECRETS) {
            r->project.secrets_option = optarg;
            r->databases = true;
        } else if (opt == O_HELP) {
            usage(stdout);
            return CLI_OK;
        } else {
            return cli_usage_error(cmd, "unknown option");
        }
    }
    return -1;
}

/* The kind (the one argument), and options that belong to it. */
static int check_arguments(create_run *r, int argc, char **argv)
{
    if (optind == argc)
        return cli_usage_error(cmd, "what to create? metric, dimension or source");
    if (argc - optind > 1)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(argv[optind], kinds[i].kind) == 0)
            r->kind = &kinds[i];
    if (!r->kind)
        return cli_usage_error(cmd, "'%s': what is created is a metric, dimension or source",
                               argv[optind]);
    for (int o = 0; o < N_OPTS; o++)
        if (r->values[o] && !key_of(r->kind, (opt_id)o))
            return cli_usage_error(cmd, "--%s does not apply to a %s", opt_names[o], r->kind->kind);
    return -1;
}

/* Without a terminal nothing is asked: every required key must be an option. */
static int check_required_options(const create_run *r)
{
    char missing[256] = "";
    size_t n = 0;
    for (size_t i = 0; i < r->kind->n_keys; i++) {
        const key_spec *k = &r->kind->keys[i];
        if (k->required && !r->values[k->opt]) {
            size_t used = strlen(missing);
            snprintf(missing + used, sizeof missing - used, "%s--%s", n++ ? ", " : "",
                     opt_names[k->opt]);
        }
    }
    if (n == 0)
        return -1;
    return cli_usage_error(cmd,
                           "missing %s for the new %s (standard input is not a terminal, so "
                           "nothing is asked)",
                           missing, r->kind->kind);
}

/* ---- the project as it is ---- */

/*
 * The project before the new definition, checked as `mimir validate` checks
 * it (with secrets when the databases are to be asked): the choices come from
 * it, and its problems are not put down to the new definition.
 */
static int load_project(create_run *r)
{
    struct stat st;
    if (stat(r->project.configs, &st) != 0 || !S_ISDIR(st.st_mode))
        return cli_fail(cmd, "%s: no such project directory (create one with 'mimir init %s')",
                        r->project.configs, r->project.configs);
    if (r->databases && (stat(r->project.secrets, &st) != 0 || !S_ISDIR(st.st_mode)))
        return cli_fail(cmd, "%s: no such secrets directory", r->project.secrets);
    r->cat = catalog_validate(r->project.configs, r->databases ? r->project.secrets : NULL,
                              &r->known_problems, &r->n_known_problems);
    derived_metrics_check(r->cat, &r->known_problems, &r->n_known_problems);
    return -1;
}

static int name_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The connections a source can name: the .json files of the secrets directory. */
static size_t connection_choices(const create_run *r, char ***out)
{
    size_t n = 0;
    *out = NULL;
    DIR *d = r->project.secrets ? opendir(r->project.secrets) : NULL;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] != '.' && len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
            sem_strv_push(out, &n, xstrndup(e->d_name, len - 5));
    }
    if (d)
        closedir(d);
    if (n > 1)
        qsort(*out, n, sizeof **out, name_order);
    return n;
}

/* The dimensions a metric on source_name can require: its columns (the time
 * column aside) and the definitions available on it. */
static size_t dimension_choices(const catalog *c, const char *source_name, char ***out)
{
    size_t n = 0;
    *out = NULL;
    const source *s = source_name ? catalog_source(c, source_name) : NULL;
    if (!s)
        return 0;
    for (size_t i = 0; i < s->n_local_columns; i++)
        if (!sem_name_eq(s->local_columns[i], s->time_col_alias))
            sem_strv_push(out, &n, xstrdup(s->local_columns[i]));
    for (size_t i = 0; i < c->n_dimensions; i++)
        if (catalog_dim_on_source(c, s, c->dimensions[i].name, NULL) == DIM_SPLICED)
            sem_strv_push(out, &n, xstrdup(c->dimensions[i].name));
    return n;
}

static size_t choices_of(const create_run *r, const key_spec *k, char ***out)
{
    *out = NULL;
    size_t n = 0;
    switch (k->choices) {
    case CHOOSE_SOURCE:
        for (size_t i = 0; i < r->cat->n_sources; i++)
            sem_strv_push(out, &n, xstrdup(r->cat->sources[i].name));
        return n;
    case CHOOSE_CONNECTION:
        return connection_choices(r, out);
    case CHOOSE_DIMENSION:
        return dimension_choices(r->cat, r->values[OPT_SOURCE], out);
    default:
        return 0;
    }
}

/* ---- the name ---- */

/* NULL when name can name a new definition of the run's kind, else why not (malloc'd). */
static char *name_refusal(const create_run *r, const char *name)
{
    char why[1024];
    bool ok = (*name >= 'A' && *name <= 'Z') || (*name >= 'a' && *name <= 'z') || *name == '_';
    for (const char *p = name; ok && *p; p++)
        ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
             *p == '_';
    if (!ok) {
        snprintf(why, sizeof why,
                 "'%s' is not a name: use letters, digits and _, not starting with a digit (it "
                 "names the file and the column clients select)",
                 name);
        return xstrdup(why);
    }
    if (strlen(name) > NAME_MAX_LEN) {
        snprintf(why, sizeof why,
                 "'%.*s...' is longer than %d characters, MySQL's limit for a name", NAME_MAX_LEN,
                 name, NAME_MAX_LEN);
        return xstrdup(why);
    }
    char file[NAME_MAX_LEN + 8];
    snprintf(file, sizeof file, "%s.yaml", name);
    char *dir = sem_path_join(r->project.configs, r->kind->subdir);
    char *path = sem_path_join(dir, file);
    free(dir);
    struct stat st;
    bool exists = lstat(path, &st) == 0;
    if (exists)
        snprintf(why, sizeof why, "%s exists: it is not overwritten", path);
    free(path);
    return exists ? xstrdup(why) : NULL;
}

/* The prompt's further check of a name: also not a definition of the kind already. */
static char *check_name_answer(const char *answer, void *data)
{
    const create_run *r = data;
    char *why = name_refusal(r, answer);
    if (why)
        return why;
    const origin *at = NULL;
    if (strcmp(r->kind->kind, "metric") == 0 && catalog_metric(r->cat, answer))
        at = &catalog_metric(r->cat, answer)->at;
    else if (strcmp(r->kind->kind, "dimension") == 0 && catalog_dimension(r->cat, answer))
        at = &catalog_dimension(r->cat, answer)->at;
    else if (strcmp(r->kind->kind, "source") == 0 && catalog_source(r->cat, answer))
        at = &catalog_source(r->cat, answer)->at;
    if (!at)
        return NULL;
    char text[1024];
    snprintf(text, sizeof text, "there is a %s '%s' already (%s:%d)", r->kind->kind, answer,
             at->file, at->line);
    return xstrdup(text);
}

/* ---- the questions ---- */

/* What is offered on an empty answer. */
static char *default_of(const create_run *r, const key_spec *k, char *const *choices, size_t n)
{
    if ((k->choices == CHOOSE_SOURCE || k->choices == CHOOSE_CONNECTION) && n == 1)
        return xstrdup(choices[0]);
    if (k->opt == OPT_TIME_COL_ALIAS && r->values[OPT_TIME_COL])
        return sql_plain_column_name(r->values[OPT_TIME_COL]);
    return NULL;
}

/* Asks each key that no option gave; CLI_OK, or the exit status at the end of input. */
static int ask_missing(create_run *r)
{
    for (size_t i = 0; i < r->kind->n_keys; i++) {
        const key_spec *k = &r->kind->keys[i];
        if (r->values[k->opt])
            continue;
        char **choices;
        size_t n = choices_of(r, k, &choices);
        char *deflt = default_of(r, k, choices, n);
        prompt q = {.key = k->key,
                    .help = k->help,
                    .choices = k->choices != CHOOSE_NONE ? choices : NULL,
                    .n_choices = n,
                    .strict = k->choices != CHOOSE_CONNECTION,
                    .list = k->list,
                    .required = k->required,
                    .multiline = k->opt == OPT_SQL,
                    .default_val = deflt,
                    .check = k->opt == OPT_NAME ? check_name_answer : NULL,
                    .data = r};
        static char *const none[] = {NULL};
        if (k->choices != CHOOSE_NONE && !choices)
            q.choices = none; /* "choices: none yet" */
        r->values[k->opt] = prompt_ask(&q);
        free(deflt);
        sem_strv_free(choices, n);
        if (!r->values[k->opt])
            return cli_fail(cmd, "no answer for %s: nothing written", k->key);
    }
    return CLI_OK;
}

/* ---- the new file ---- */

/* The order of the keys in the file: sql last, as it often spans lines. */
static const opt_id write_order[] = {
    OPT_NAME,           OPT_DESCRIPTION,         OPT_SOURCE, OPT_CONNECTION, OPT_TIME_COL,
    OPT_TIME_COL_ALIAS, OPT_REQUIRED_DIMENSIONS, OPT_TEAM,   OPT_SQL};

/* The definition as YAML (NULL with libyaml's message on stderr). */
static char *definition_text(const create_run *r)
{
    yaml_entry entries[N_OPTS];
    char **lists[N_OPTS] = {0};
    size_t n_items[N_OPTS] = {0}, n = 0;
    for (size_t i = 0; i < sizeof write_order / sizeof write_order[0]; i++) {
        const key_spec *k = key_of(r->kind, write_order[i]);
        const char *v = r->values[write_order[i]];
        if (!k || !v || (!k->required && !*v))
            continue; /* an optional key left empty is left out */
        entries[n] = (yaml_entry){.key = k->key, .value = v};
        if (k->list) {
            n_items[i] = prompt_split_list(v, &lists[i]);
            entries[n].items = lists[i];
            entries[n].n_items = n_items[i];
            if (n_items[i] == 0)
                continue;
        }
        n++;
    }
    char comment[256], err[512];
    snprintf(comment, sizeof comment, "The %s %s (written by mimir create).", r->kind->kind,
             r->values[OPT_NAME]);
    /* A sources file maps each source's name to its definition. */
    const char *wrap = strcmp(r->kind->kind, "source") == 0 ? r->values[OPT_NAME] : NULL;
    char *text = yaml_write_mapping(comment, wrap, entries, n, err, sizeof err);
    for (size_t i = 0; i < N_OPTS; i++)
        sem_strv_free(lists[i], n_items[i]);
    if (!text)
        cli_fail(cmd, "cannot write the %s as YAML: %s", r->kind->kind, err);
    return text;
}

/* "FILE:LINE:COLUMN" of a problem: the text before its first ": ". */
static size_t location_len(const char *problem)
{
    const char *end = strstr(problem, ": ");
    return end ? (size_t)(end - problem) : strlen(problem);
}

/*
 * Whether the project had this problem before the new definition. The new
 * file's problems are new; elsewhere, one at a place that had a problem
 * already is the same problem (its text may list the new definition among
 * the known sources, say).
 */
static bool known_problem(const create_run *r, const char *problem)
{
    size_t len = location_len(problem);
    if (strncmp(problem, r->path, strlen(r->path)) == 0 && problem[strlen(r->path)] == ':')
        return false;
    for (size_t i = 0; i < r->n_known_problems; i++)
        if (location_len(r->known_problems[i]) == len &&
            strncmp(r->known_problems[i], problem, len) == 0)
            return true;
    return false;
}

/* The checks of `mimir validate` on the project with text added; the new problems, printed. */
static size_t validate_new(const create_run *r, const char *text)
{
    catalog_pending_file pending = {.subdir = r->kind->subdir, .path = r->path, .text = text};
    char **problems = NULL;
    size_t n = 0;
    catalog *c = catalog_validate_pending(
        r->project.configs, r->databases ? r->project.secrets : NULL, &pending, &problems, &n);
    derived_metrics_check(c, &problems, &n);
    size_t fresh = 0;
    for (size_t i = 0; i < n; i++)
        fresh += !known_problem(r, problems[i]);
    if (fresh == 0 && r->databases) {
        size_t offline = n;
        cli_validate_databases(c, &problems, &n);
        fresh = n - offline;
    }
    for (size_t i = 0; i < n; i++)
        if (!known_problem(r, problems[i]))
            fprintf(stderr, "%s\n", problems[i]);
    sem_strv_free(problems, n);
    catalog_free(c);
    return fresh;
}

static bool make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return true;
    cli_fail(cmd, "cannot create %s: %s", path, strerror(errno));
    return false;
}

/* Writes text to r->path, which must not exist (O_EXCL: not even since the check). */
static int write_file(const create_run *r, const char *text)
{
    char *dir = sem_path_join(r->project.configs, r->kind->subdir);
    bool ok = make_dir(dir);
    free(dir);
    if (!ok)
        return CLI_FINDING;
    int fd = open(r->path, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0)
        return cli_fail(cmd, "cannot create %s: %s%s", r->path, strerror(errno),
                        errno == EEXIST ? " (it is not overwritten)" : "");
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    int saved = errno;
    if (close(fd) != 0 && done == len) {
        saved = errno;
        done = 0;
    }
    if (done < len) {
        unlink(r->path);
        return cli_fail(cmd, "cannot write %s: %s", r->path, strerror(saved));
    }
    printf("%s\n", r->path);
    return CLI_OK;
}

/* ---- the command ---- */

/* The new definition's name checked, its path set; -1 when the command goes on. */
static int check_name(create_run *r)
{
    char *why = name_refusal(r, r->values[OPT_NAME]);
    if (why) {
        cli_fail(cmd, "%s", why);
        free(why);
        return CLI_FINDING;
    }
    char file[NAME_MAX_LEN + 8];
    snprintf(file, sizeof file, "%s.yaml", r->values[OPT_NAME]);
    char *dir = sem_path_join(r->project.configs, r->kind->subdir);
    r->path = sem_path_join(dir, file);
    free(dir);
    return -1;
}

static int create_definition(create_run *r)
{
    int status = load_project(r);
    if (status >= 0)
        return status;
    /* A name given as an option is checked before anything is asked. */
    if (r->values[OPT_NAME] && (status = check_name(r)) >= 0)
        return status;
    if (isatty(STDIN_FILENO) && (status = ask_missing(r)) != CLI_OK)
        return status;
    if (!r->path && (status = check_name(r)) >= 0)
        return status;
    char *text = definition_text(r);
    if (!text)
        return CLI_FINDING;
    size_t fresh = validate_new(r, text);
    if (fresh > 0) {
        status = cli_fail(cmd, "%s '%s' not written: %zu problem%s (above)", r->kind->kind,
                          r->values[OPT_NAME], fresh, fresh == 1 ? "" : "s");
    } else {
        if (r->n_known_problems > 0)
            fprintf(stderr,
                    "mimir create: note: the project had %zu problem%s already, not the new "
                    "%s's ('mimir validate' lists them)\n",
                    r->n_known_problems, r->n_known_problems == 1 ? "" : "s", r->kind->kind);
        status = write_file(r, text);
    }
    free(text);
    return status;
}

int cli_create(int argc, char **argv)
{
    create_run r = {0};
    int status = parse_options(&r, argc, argv);
    if (status < 0)
        status = check_arguments(&r, argc, argv);
    if (status < 0 && !isatty(STDIN_FILENO))
        status = check_required_options(&r);
    if (status < 0) {
        cli_project_resolve(&r.project);
        status = create_definition(&r);
    }
    run_free(&r);
    return status;
}
