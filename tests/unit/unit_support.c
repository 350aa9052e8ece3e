#include "tests/unit/unit_support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void unit_tmpdir_make(char *out, size_t outlen, const char *prefix)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(out, outlen, "%s/%s-XXXXXX", tmp, prefix);
    if (!mkdtemp(out))
        fail_msg("mkdtemp: %s", strerror(errno));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void unit_tmpdir_remove(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void unit_write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

catalog *pagila;

int load_pagila(void **state)
{
    (void)state;
    char err[1024];
    pagila = catalog_load("configs/pagila", NULL, err, sizeof(err));
    if (!pagila)
        fail_msg("cannot load configs/pagila: %s", err);
    return 0;
}

int free_pagila(void **state)
{
    (void)state;
    catalog_free(pagila);
    pagila = NULL;
    return 0;
}

void unit_set_type(discovered_types *d, const char *source, const char *column, const char *text)
{
    column_type t;
    char why[200];
    if (!column_type_parse(text, &t, why, sizeof why))
        fail_msg("'%s': %s", text, why);
    discovered_types_set(d, source, column, &t);
}
