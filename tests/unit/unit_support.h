/*
 * Helpers shared by the unit test programs (tests/unit/test_*.c); linked into
 * each of them by the Makefile.
 */
#ifndef MIMIR_TESTS_UNIT_SUPPORT_H
#define MIMIR_TESTS_UNIT_SUPPORT_H

#include <stddef.h>

#include "planner/discovered_types.h"
#include "semantic/catalog.h"

/* Creates a fresh directory $TMPDIR/<prefix>-XXXXXX (TMPDIR defaults to /tmp)
 * and writes its path to out; fails the running test when it cannot. */
void unit_tmpdir_make(char *out, size_t outlen, const char *prefix);

/* Removes the directory and everything below it (links are not followed). */
void unit_tmpdir_remove(const char *dir);

/* Writes text to the file dir/name; fails the running test when it cannot. */
void unit_write_file(const char *dir, const char *name, const char *text);

/* Records column of source as having the type text ("decimal(12,2)"), as type
 * discovery does (planner/discovered_types.h); fails the running test when text is no
 * type. */
void unit_set_type(discovered_types *d, const char *source, const char *column, const char *text);

/* configs/pagila, loaded by load_pagila (a cmocka setup) and freed by
 * free_pagila, for the suites that plan against the Pagila example. */
extern catalog *pagila;
int load_pagila(void **state);
int free_pagila(void **state);

#endif
