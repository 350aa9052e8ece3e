/*
 * Fuzz target: the YAML semantic-layer loader (semantic/loader.c,
 * yaml_doc.c, sql_scan.c), through catalog_load on a project directory
 * written from the input. The input holds up to three files separated by
 * lines "#@@" (a YAML comment, so the marker itself is harmless):
 *
 *   sources/sources.yaml  #@@  metrics/metrics.yaml  #@@  dimensions/dimensions.yaml
 *
 * A file whose part is absent is removed. A project that loads must then
 * build its information_schema and plan a query for each of its first
 * metrics (with a dimension of its source), and SHOW COLUMNS: the loaded
 * names and SQL are what those steps splice into backend SQL.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/info_schema.h"
#include "planner/planner.h"
#include "semantic/catalog.h"
#include "tests/fuzz/support.h"
#include "wire/buf.h"

#define MARKER "\n#@@\n"

static const char *const files[] = {
    "sources/sources.yaml",
    "metrics/metrics.yaml",
    "dimensions/dimensions.yaml",
};

/* `name` with backquotes doubled, as MySQL quotes an identifier. */
static void put_ident(buf *b, const char *name)
{
    buf_append_byte(b, '`');
    for (const char *p = name; *p; p++) {
        if (*p == '`')
            buf_append_byte(b, '`');
        buf_append_byte(b, (uint8_t)*p);
    }
    buf_append_byte(b, '`');
}

static void plan_text(const session_info *s, const char *sql, size_t len)
{
    arena a;
    arena_init(&a);
    action act;
    planner_plan(&a, s, sql, len, &act);
    if (act.kind == ACTION_ERROR)
        assert(act.error.code >= 1000 && strlen(act.error.sqlstate) == 5);
    arena_free(&a);
}

static void use_catalog(catalog *cat)
{
    char err[2048];
    info_schema *is = info_schema_build(cat, err, sizeof err);
    if (!is)
        return;
    session_info s = {.cat = cat,
                      .info_schema = is,
                      .db = "mimir",
                      .user = "fuzz",
                      .client_host = "127.0.0.1",
                      .connection_id = 1,
                      .autocommit = true};
    buf q;
    buf_init(&q);
    for (size_t i = 0; i < cat->n_metrics && i < 4; i++) {
        const metric *m = &cat->metrics[i];
        const source *src = catalog_source(cat, m->source_name);
        const char *dim = NULL;
        for (size_t d = 0; d < cat->n_dimensions && !dim; d++)
            if (src &&
                catalog_dim_on_source(cat, src, cat->dimensions[d].name, NULL) != DIM_NOT_ON_SOURCE)
                dim = cat->dimensions[d].name;
        if (!dim && src && src->n_local_columns)
            dim = src->local_columns[0];
        buf_reset(&q);
        buf_append_str(&q, "SELECT ");
        if (dim) {
            put_ident(&q, dim);
            buf_append_str(&q, ", ");
        }
        buf_append_str(&q, "AGG(");
        put_ident(&q, m->name);
        buf_append_str(&q, ") FROM mimir.metrics WHERE ds >= '2022-01-01'");
        if (dim) {
            buf_append_str(&q, " GROUP BY ");
            put_ident(&q, dim);
        }
        plan_text(&s, (const char *)q.data, q.len);
    }
    static const char show[] = "SHOW FULL COLUMNS FROM mimir.metrics";
    plan_text(&s, show, sizeof show - 1);
    buf_free(&q);
    info_schema_free(is);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_scratch_dir();
    const uint8_t *p = data, *end = data + size;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        if (!p) {
            fuzz_remove_file(dir, files[f]);
            continue;
        }
        const uint8_t *cut = memmem(p, (size_t)(end - p), MARKER, strlen(MARKER));
        size_t n = cut ? (size_t)(cut - p) : (size_t)(end - p);
        fuzz_write_file(dir, files[f], p, n);
        p = cut ? cut + strlen(MARKER) : NULL;
    }
    char err[2048];
    err[0] = '\0';
    catalog *cat = catalog_load(dir, NULL, err, sizeof err);
    if (cat) {
        use_catalog(cat);
        catalog_free(cat);
    } else {
        /* Every refusal says why. */
        assert(err[0] != '\0');
    }
    return 0;
}
