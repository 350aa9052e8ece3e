/*
 * Grants: what one user of the server may see of the semantic layer. Written
 * under a user in the server configuration file (proxy/config/server_config.h):
 *
 *   grants:
 *     sources: [rentals]          # visible sources (default: all)
 *     metrics: [movies_rented]    # visible metrics (default: all of the visible sources)
 *     row_filters:
 *       rentals: "inventory.store_id = 1"
 *
 * A user without grants sees everything. The names are checked against a
 * catalog separately (grants_check), since the semantic layer and the server
 * configuration are loaded from different places; semantic/catalog_view.h
 * turns a catalog and grants into the restricted catalog a session uses.
 */
#ifndef MIMIR_SEMANTIC_GRANTS_H
#define MIMIR_SEMANTIC_GRANTS_H

#include <stdbool.h>
#include <stddef.h>

#include "semantic/catalog.h"
#include "semantic/yaml_doc.h"

/* A name in a grant list, with the line it was written on (for messages). */
typedef struct grant_name {
    char *name;
    int line;
} grant_name;

/* A row filter: a boolean SQL expression in the source backend's dialect. */
typedef struct row_filter {
    char *source;
    char *sql;
    int line;
} row_filter;

typedef struct grants {
    char *file;       /* the server configuration file, for messages */
    bool all_sources; /* no 'sources' list */
    grant_name *sources;
    size_t n_sources;
    bool all_metrics; /* no 'metrics' list */
    grant_name *metrics;
    size_t n_metrics;
    row_filter *row_filters;
    size_t n_row_filters;
    char *fingerprint; /* all of the above as one string (result cache keys) */
} grants;

/*
 * Parses the 'grants' mapping of user `user` from file; on failure returns
 * NULL with "FILE:LINE: message" in err.
 */
grants *grants_load(const char *file, const char *user, const ynode *map, char *err, size_t errlen);
void grants_free(grants *g);

/*
 * Checks g against cat: every name must be a source or metric of cat (and a
 * metric's source visible), and every row filter must splice into its
 * source's SQL. Each problem is one "FILE:LINE: user 'U': ..." string, added
 * to *problems (malloc'd vector of malloc'd strings; the caller frees them).
 * Returns the number of problems added. At startup a problem stops the
 * server; on a reload it is logged as a warning and the name is ignored
 * (a grant only ever narrows what a user sees).
 */
size_t grants_check(const grants *g, const char *user, const catalog *cat, char ***problems,
                    size_t *n_problems);

/* Is name in the list (ASCII case-insensitively, as catalog names compare)? */
bool grants_lists(const grant_name *v, size_t n, const char *name);

/* The row filter of a source, or NULL. */
const row_filter *grants_row_filter(const grants *g, const char *source);

/*
 * A source's SQL with filter ANDed into its WHERE (one is added when it has
 * none), malloc'd; NULL with *why set when the result is not a SELECT the
 * scanner understands.
 */
char *grants_filtered_sql(const source *s, const char *filter, const char **why);

#endif
