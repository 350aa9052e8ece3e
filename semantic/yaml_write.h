/*
 * A definition written as YAML, for `mimir create`: one mapping of keys to
 * strings or lists of strings, emitted with libyaml's emitter so that every
 * value reads back exactly as given (yaml_doc.c, and PyYAML for the
 * prototype): SQL with newlines as a literal block, values YAML 1.1 would
 * read as something else than a string ("null", "yes", "12", "") quoted,
 * anything else quoted as libyaml sees fit ("a: b", "#x", "*x", ...).
 */
#ifndef MIMIR_SEMANTIC_YAML_WRITE_H
#define MIMIR_SEMANTIC_YAML_WRITE_H

#include <stdbool.h>
#include <stddef.h>

/* A key and its value: a string, or (items != NULL) a list of strings. */
typedef struct yaml_entry {
    const char *key;
    const char *value;
    char *const *items;
    size_t n_items;
} yaml_entry;

/*
 * The entries (in order) as one YAML mapping, preceded by comment (a line
 * "# comment", when not NULL) and, when wrap_key is not NULL, nested under
 * that key (a sources file maps each source's name to its definition).
 * Returns the malloc'd text, or NULL with libyaml's message in err (a value
 * that is not UTF-8, say).
 */
char *yaml_write_mapping(const char *comment, const char *wrap_key, const yaml_entry *entries,
                         size_t n, char *err, size_t errlen);

/* True when a plain scalar of this text would not read back as this string in
 * YAML 1.1 (null, a boolean, a number, empty): it must be quoted. */
bool yaml_needs_quotes(const char *text);

#endif
