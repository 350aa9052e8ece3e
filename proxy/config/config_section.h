/*
 * Helpers for the sections of the server configuration file (YAML read with
 * semantic/yaml_doc.h), strict like the rest of that file: unknown keys and
 * bad values are errors that name FILE:LINE.
 */
#ifndef MIMIR_PROXY_CONFIG_CONFIG_SECTION_H
#define MIMIR_PROXY_CONFIG_CONFIG_SECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "semantic/yaml_doc.h"

/* "FILE:LINE: message" in err (the line of at, 0 without one); returns false. */
bool config_fail(const char *file, const ynode *at, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* map is a mapping whose keys are among allowed (NULL-terminated); section names it. */
bool config_known_keys(const char *file, const ynode *map, const char *section,
                       const char *const *allowed, char *err, size_t errlen);
/* A scalar value of key, NULL when absent or null; false (err) when not a scalar. */
bool config_scalar(const char *file, const ynode *map, const char *key, const char **out, char *err,
                   size_t errlen);
/* -1 absent, 0 false, 1 true; -2 on error. */
int config_boolean(const char *file, const ynode *map, const char *key, char *err, size_t errlen);
/* A port number (1-65535) of key into *out, left alone when absent. */
bool config_port(const char *file, const ynode *map, const char *key, int *out, char *err,
                 size_t errlen);
/* A size ("1048576", "512KiB", "64 MiB", "1GiB") of key into *out, left alone when absent. */
bool config_size(const char *file, const ynode *map, const char *key, int64_t *out, char *err,
                 size_t errlen);
/* path relative to the configuration file's directory (absolute paths as they are); malloc'd. */
char *config_relative_path(const char *file, const char *path);

#endif
