/*
 * Definitions written as YAML with libyaml's emitter: see yaml_write.h.
 *
 * libyaml's emitter knows YAML's syntax but not the YAML 1.1 resolver
 * PyYAML applies to plain scalars, so it would write the string "yes" or
 * "0012" unquoted, and they would read back as a boolean and a number (the
 * prototype, and anyone's tooling over these files, use PyYAML). Those are
 * quoted here; every other choice (a literal block for SQL written on
 * several lines, quotes for "a: b", "#x", a leading space, escapes for a
 * tab) is the emitter's, which falls back to a double-quoted scalar whenever
 * the style asked for cannot hold the text exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "semantic/yaml_write.h"
#include "wire/buf.h"
#include "wire/xalloc.h"

bool yaml_needs_quotes(const char *text)
{
    /* YAML 1.1's null and booleans (PyYAML's resolver, which also reads y/n
     * as booleans in some versions), in any case. */
    static const char *const words[] = {"null", "~",   "true", "false", "yes", "no",
                                        "on",   "off", "y",    "n",     NULL};
    if (!*text)
        return true;
    for (size_t i = 0; words[i]; i++)
        if (strcasecmp(text, words[i]) == 0)
            return true;
    /* Numbers, and whatever starts like one (1_000, 0x1F, .5, -.inf, 12:30:00
     * is a sexagesimal integer in YAML 1.1, 2024-01-01 a timestamp): quoting
     * costs nothing and no resolver can read them as anything but strings. */
    const char *p = text;
    if (*p == '+' || *p == '-')
        p++;
    if (*p == '.')
        p++;
    return (*p >= '0' && *p <= '9') || strcasecmp(p, "inf") == 0 || strcasecmp(p, "nan") == 0;
}

static int write_to_buf(void *data, unsigned char *bytes, size_t size)
{
    buf_append((buf *)data, bytes, size);
    return 1;
}

static bool emit(yaml_emitter_t *e, yaml_event_t *ev)
{
    return yaml_emitter_emit(e, ev) != 0; /* the emitter takes the event, even on failure */
}

static bool emit_scalar(yaml_emitter_t *e, const char *text)
{
    yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
    if (strchr(text, '\n'))
        style = YAML_LITERAL_SCALAR_STYLE;
    else if (yaml_needs_quotes(text))
        style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    yaml_event_t ev;
    if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), 1, 1,
                                      style))
        return false;
    return emit(e, &ev);
}

static bool emit_entry(yaml_emitter_t *e, const yaml_entry *entry)
{
    yaml_event_t ev;
    if (!emit_scalar(e, entry->key))
        return false;
    if (!entry->items)
        return emit_scalar(e, entry->value ? entry->value : "");
    if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE) ||
        !emit(e, &ev))
        return false;
    for (size_t i = 0; i < entry->n_items; i++)
        if (!emit_scalar(e, entry->items[i]))
            return false;
    return yaml_sequence_end_event_initialize(&ev) && emit(e, &ev);
}

static bool mapping_start(yaml_emitter_t *e)
{
    yaml_event_t ev;
    return yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) &&
           emit(e, &ev);
}

static bool mapping_end(yaml_emitter_t *e)
{
    yaml_event_t ev;
    return yaml_mapping_end_event_initialize(&ev) && emit(e, &ev);
}

static bool emit_document(yaml_emitter_t *e, const char *wrap_key, const yaml_entry *entries,
                          size_t n)
{
    yaml_event_t ev;
    if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) || !emit(e, &ev) ||
        !yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) || !emit(e, &ev) ||
        !mapping_start(e))
        return false;
    if (wrap_key && (!emit_scalar(e, wrap_key) || !mapping_start(e)))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!emit_entry(e, &entries[i]))
            return false;
    if (wrap_key && !mapping_end(e))
        return false;
    return mapping_end(e) && yaml_document_end_event_initialize(&ev, 1) && emit(e, &ev) &&
           yaml_stream_end_event_initialize(&ev) && emit(e, &ev);
}

char *yaml_write_mapping(const char *comment, const char *wrap_key, const yaml_entry *entries,
                         size_t n, char *err, size_t errlen)
{
    buf out;
    buf_init(&out);
    if (comment)
        buf_printf(&out, "# %s\n", comment);
    yaml_emitter_t e;
    if (!yaml_emitter_initialize(&e)) {
        snprintf(err, errlen, "cannot start the YAML emitter");
        buf_free(&out);
        return NULL;
    }
    yaml_emitter_set_output(&e, write_to_buf, &out);
    yaml_emitter_set_unicode(&e, 1); /* UTF-8 as it is, not \u escapes */
    yaml_emitter_set_width(&e, -1);  /* never fold a long line */
    bool ok = emit_document(&e, wrap_key, entries, n);
    if (!ok)
        snprintf(err, errlen, "%s", e.problem ? e.problem : "cannot write YAML");
    yaml_emitter_delete(&e);
    if (!ok) {
        buf_free(&out);
        return NULL;
    }
    return buf_detach(&out);
}
