/*
 * A small YAML document tree built from libyaml's parser events: mappings,
 * sequences and scalars, each with the line and column where it starts, so
 * that every configuration error can name FILE:LINE.
 *
 * We build our own tree rather than use libyaml's document loader because
 * that loader copies every alias expansion and has no limit: a "billion
 * laughs" file would exhaust memory. Here an alias shares the anchored node
 * (nothing is copied) and the expanded size of the stream is counted; past a
 * limit the load fails with an error at the alias. Recursive aliases, which
 * would turn the tree into a cycle, are rejected.
 *
 * A stream holds every document of a file ("---" starts one, "..." ends one).
 * JSON is a subset of YAML's flow style, so the secrets files go through the
 * same code.
 */
#ifndef MIMIR_SEMANTIC_YAML_DOC_H
#define MIMIR_SEMANTIC_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { YNODE_SCALAR, YNODE_SEQUENCE, YNODE_MAPPING } ynode_kind;

typedef struct ynode {
    ynode_kind kind;
    int line;   /* 1-based line where the node starts */
    int column; /* 1-based */
    /* SCALAR: the value, NUL-terminated; len counts bytes (a "\0" escape can
     * put a NUL inside, which ynode_text() refuses). */
    char *text;
    size_t len;
    bool plain; /* unquoted scalar: "", "~" and "null" then mean null */
    /* SEQUENCE: the elements. MAPPING: key, value, key, value, ... */
    struct ynode **items;
    size_t n_items;
    size_t cap_items;
    size_t weight;            /* nodes in this subtree, aliases expanded */
    bool open;                /* still being built: an alias to it is recursive */
    struct ynode *next_alloc; /* chains every node of a stream, for freeing */
} ynode;

typedef struct ystream {
    char *file;   /* as given to ystream_load_file, for messages */
    ynode **docs; /* root of each document, in order */
    size_t n_docs;
    ynode *nodes;    /* every node, linked through next_alloc */
    size_t expanded; /* nodes counted so far, aliases expanded */
} ystream;

/*
 * The default limit on a stream's expanded node count. Real configuration
 * files are a few hundred nodes; a YAML bomb is billions.
 */
#define YSTREAM_MAX_NODES 100000

/*
 * The largest file ystream_load_file reads. A whole semantic layer is well
 * below it; the node limit does not bound one long scalar, this does.
 */
#define YSTREAM_MAX_FILE_BYTES (16u << 20)

/*
 * The deepest nesting of mappings and sequences. Configuration files nest a
 * few levels; libyaml's scanner spends time in the square of the nesting
 * depth (a million '[' take minutes), so the load stops well before.
 */
#define YSTREAM_MAX_DEPTH 256

/*
 * Parses a file (or a string: name is then used in messages) into ys. On
 * failure returns false with "FILE:LINE:COLUMN: message" in err; ys is then empty but
 * must still be freed.
 */
bool ystream_load_file(ystream *ys, const char *path, size_t max_nodes, char *err, size_t errlen);
bool ystream_load_string(ystream *ys, const char *name, const char *text, size_t len,
                         size_t max_nodes, char *err, size_t errlen);
void ystream_free(ystream *ys);

/* An absent node, or a plain "", "~", "null", "Null" or "NULL" scalar. */
bool ynode_is_null(const ynode *n);
/* The scalar's text, or NULL when n is not a scalar or holds a NUL byte. */
const char *ynode_text(const ynode *n);
/* "mapping", "sequence" or "scalar": for messages. */
const char *ynode_kind_name(const ynode *n);

/* Number of key/value pairs of a mapping, and the i-th key and value. */
size_t ymap_size(const ynode *map);
const ynode *ymap_key(const ynode *map, size_t i);
const ynode *ymap_value(const ynode *map, size_t i);
/*
 * The value of a scalar key, or NULL. Honours YAML 1.1 merge keys
 * ("<<: *defaults"), which PyYAML, and so the prototype, accepts: keys
 * written in the mapping itself win over merged ones.
 */
const ynode *ymap_get(const ynode *map, const char *key);
/* The key node itself (for its line), or NULL; merge keys included. */
const ynode *ymap_get_key(const ynode *map, const char *key);

/*
 * For files whose keys are a closed set (a typo must not pass silently): the
 * first key of map that is not in allowed (NULL-terminated), or NULL when all
 * are known. The allowed keys are written to list as "a, b, c" for the message.
 */
const ynode *ymap_unknown_key(const ynode *map, const char *const *allowed, char *list,
                              size_t listlen);

#endif
