/*
 * `mimir discover` writes the layer with libyaml's emitter (so every scalar
 * is quoted as YAML needs, whatever the catalog's names hold): one file per
 * source in sources/, its dimensions in dimensions/ and its metrics in
 * metrics/, one YAML document per definition. SQL is a literal block.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "proxy/cli/discover.h"
#include "semantic/util.h"
#include "wire/xalloc.h"

static bool emit(yaml_emitter_t *e, yaml_event_t *ev)
{
    return yaml_emitter_emit(e, ev) != 0;
}

static bool scalar(yaml_emitter_t *e, const char *text, yaml_scalar_style_t style)
{
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), 1, 1,
                                 style);
    return emit(e, &ev);
}

static bool pair(yaml_emitter_t *e, const char *key, const char *value)
{
    bool literal = strchr(value, '\n') != NULL;
    return scalar(e, key, YAML_PLAIN_SCALAR_STYLE) &&
           scalar(e, value, literal ? YAML_LITERAL_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
}

static bool mapping_start(yaml_emitter_t *e)
{
    yaml_event_t ev;
    yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
    return emit(e, &ev);
}

static bool mapping_end(yaml_emitter_t *e)
{
    yaml_event_t ev;
    yaml_mapping_end_event_initialize(&ev);
    return emit(e, &ev);
}

static bool document(yaml_emitter_t *e, bool start)
{
    yaml_event_t ev;
    if (start)
        yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0);
    else
        yaml_document_end_event_initialize(&ev, 1);
    return emit(e, &ev);
}

static bool name_list(yaml_emitter_t *e, const char *key, const disc_names *names)
{
    yaml_event_t ev;
    if (!scalar(e, key, YAML_PLAIN_SCALAR_STYLE))
        return false;
    yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
    bool ok = emit(e, &ev);
    for (size_t i = 0; ok && i < names->n; i++)
        ok = scalar(e, names->v[i], YAML_ANY_SCALAR_STYLE);
    yaml_sequence_end_event_initialize(&ev);
    return ok && emit(e, &ev);
}

static bool source_doc(yaml_emitter_t *e, const disc_source *s, const char *connection)
{
    bool ok = document(e, true) && mapping_start(e) &&
              scalar(e, s->name, YAML_PLAIN_SCALAR_STYLE) && mapping_start(e) &&
              pair(e, "name", s->name) && pair(e, "description", s->description) &&
              pair(e, "connection_name", connection) && pair(e, "time_col", s->time_col) &&
              pair(e, "time_col_alias", s->time_alias) && pair(e, "sql", s->sql);
    if (ok && s->shared_dims.n)
        ok = name_list(e, "dimensions", &s->shared_dims);
    return ok && mapping_end(e) && mapping_end(e) && document(e, false);
}

/* One document per definition: name, source_name, description, sql. */
static bool defs_docs(yaml_emitter_t *e, const disc_source *s, const disc_def *d, size_t n)
{
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        ok = document(e, true) && mapping_start(e) && pair(e, "name", d[i].name) &&
             pair(e, "source_name", s->name) && pair(e, "description", d[i].description) &&
             pair(e, "sql", d[i].sql) && mapping_end(e) && document(e, false);
    return ok;
}

typedef enum { FILE_SOURCE, FILE_DIMENSIONS, FILE_METRICS } file_kind;

static bool write_file(const char *path, const disc_source *s, const char *connection,
                       file_kind kind, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wx");
    if (!f) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return false;
    }
    yaml_emitter_t e;
    yaml_event_t ev;
    yaml_emitter_initialize(&e);
    yaml_emitter_set_output_file(&e, f);
    yaml_emitter_set_unicode(&e, 1);
    yaml_emitter_set_width(&e, 100);
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    bool ok = emit(&e, &ev);
    if (ok && kind == FILE_SOURCE)
        ok = source_doc(&e, s, connection);
    else if (ok)
        ok = kind == FILE_DIMENSIONS ? defs_docs(&e, s, s->dims, s->ndims)
                                     : defs_docs(&e, s, s->metrics, s->nmetrics);
    yaml_stream_end_event_initialize(&ev);
    ok = ok && emit(&e, &ev) && yaml_emitter_flush(&e);
    if (!ok)
        snprintf(err, errlen, "cannot write %s: %s", path, e.problem ? e.problem : "libyaml error");
    yaml_emitter_delete(&e);
    if (fclose(f) != 0 && ok) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        ok = false;
    }
    return ok;
}

static bool make_dir(const char *path, char *err, size_t errlen)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return true;
    snprintf(err, errlen, "cannot create the directory %s: %s", path, strerror(errno));
    return false;
}

static bool write_source_files(const char *dir, const disc_source *s, const char *connection,
                               char *err, size_t errlen)
{
    static const char *const folders[] = {"sources", "dimensions", "metrics"};
    bool ok = true;
    for (int k = 0; ok && k < 3; k++) {
        if (k == FILE_DIMENSIONS && s->ndims == 0)
            continue;
        char *file = xasprintf("%s/%s/%s.yaml", dir, folders[k], s->name);
        ok = write_file(file, s, connection, (file_kind)k, err, errlen);
        free(file);
    }
    return ok;
}

bool discover_emit(const disc_layer *l, const char *dir, const char *connection, char *err,
                   size_t errlen)
{
    static const char *const folders[] = {"sources", "dimensions", "metrics"};
    bool ok = make_dir(dir, err, errlen);
    for (int k = 0; ok && k < 3; k++) {
        char *sub = sem_path_join(dir, folders[k]);
        ok = make_dir(sub, err, errlen);
        free(sub);
    }
    for (size_t i = 0; ok && i < l->nsources; i++)
        ok = write_source_files(dir, &l->sources[i], connection, err, errlen);
    return ok;
}
