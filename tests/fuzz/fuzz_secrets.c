/*
 * Fuzz target: a connection's secrets file (semantic/secrets.c), JSON read
 * through the YAML tree of yaml_doc.c. The input is written as
 * <scratch>/secrets/conn.json and loaded with secrets_load_connection; the
 * same bytes also go through ystream_load_string, which parses from memory
 * rather than from a FILE.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semantic/catalog_internal.h"
#include "semantic/secrets.h"
#include "semantic/yaml_doc.h"
#include "tests/fuzz/support.h"

/* Visits every node reachable from n (aliases included): the tree must be
 * walkable within the node budget. */
static size_t walk(const ynode *n, size_t depth)
{
    assert(depth < 100000);
    size_t count = 1;
    if (n->kind == YNODE_SCALAR) {
        assert(n->text && n->text[n->len] == '\0');
        return count;
    }
    for (size_t i = 0; i < n->n_items; i++)
        count += walk(n->items[i], depth + 1);
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_scratch_dir();
    fuzz_write_file(dir, "secrets/conn.json", data, size);
    char sdir[4200];
    snprintf(sdir, sizeof sdir, "%s/secrets", dir);
    char err[2048];
    err[0] = '\0';
    connection c;
    if (secrets_load_connection(sdir, "conn", &c, err, sizeof err)) {
        assert(c.kind != CONN_SQLITE || (c.path && c.path[0] == '/'));
    } else {
        assert(err[0] != '\0');
    }
    catalog_connection_clear(&c);

    ystream ys;
    if (ystream_load_string(&ys, "input", (const char *)data, size, 1000, err, sizeof err)) {
        size_t total = 0;
        for (size_t i = 0; i < ys.n_docs; i++)
            if (ys.docs[i])
                total += walk(ys.docs[i], 0);
        assert(total <= 1000);
    }
    ystream_free(&ys);
    return 0;
}
