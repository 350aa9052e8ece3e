/*
 * YAML document trees from libyaml parser events. See yaml_doc.h for why we
 * do not use libyaml's own document loader.
 */
#include "semantic/yaml_doc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "semantic/util.h"
#include "wire/xalloc.h"

typedef struct anchor {
    char *name;
    ynode *node;
} anchor;

/* Parser state while one stream is turned into trees. */
typedef struct builder {
    ystream *ys;
    size_t max_nodes;
    ynode **stack; /* open sequences and mappings, innermost last */
    size_t depth, cap_stack;
    ynode *root;     /* of the current document */
    anchor *anchors; /* of the current document: YAML scopes anchors per document */
    size_t n_anchors, cap_anchors;
    char *err;
    size_t errlen;
} builder;

static ynode *node_new(builder *b, ynode_kind kind, yaml_mark_t mark)
{
    ynode *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->line = (int)mark.line + 1;
    n->column = (int)mark.column + 1;
    n->weight = 1;
    n->next_alloc = b->ys->nodes;
    b->ys->nodes = n;
    return n;
}

static void node_push_item(ynode *parent, ynode *child)
{
    if (parent->n_items == parent->cap_items) {
        parent->cap_items = parent->cap_items ? parent->cap_items * 2 : 8;
        parent->items = xrealloc(parent->items, parent->cap_items * sizeof *parent->items);
    }
    parent->items[parent->n_items++] = child;
}

/*
 * Counts weight more nodes against the stream's budget. The count includes
 * every alias expansion, so it bounds the work of anyone walking the tree,
 * even though the nodes themselves are shared.
 */
static bool budget_take(builder *b, size_t weight, int line, int column)
{
    if (weight > b->max_nodes || b->ys->expanded > b->max_nodes - weight)
        return sem_errf_at(b->err, b->errlen, b->ys->file, line, column,
                           "document too large: more than %zu nodes once aliases are expanded "
                           "(a YAML bomb?)",
                           b->max_nodes);
    b->ys->expanded += weight;
    return true;
}

/* Hangs n under the innermost open container, or makes it the document root. */
static void attach(builder *b, ynode *n)
{
    if (b->depth == 0)
        b->root = n;
    else
        node_push_item(b->stack[b->depth - 1], n);
}

static void anchor_define(builder *b, const yaml_char_t *name, ynode *n)
{
    if (!name)
        return;
    if (b->n_anchors == b->cap_anchors) {
        b->cap_anchors = b->cap_anchors ? b->cap_anchors * 2 : 8;
        b->anchors = xrealloc(b->anchors, b->cap_anchors * sizeof *b->anchors);
    }
    b->anchors[b->n_anchors].name = xstrdup((const char *)name);
    b->anchors[b->n_anchors].node = n;
    b->n_anchors++;
}

static void anchors_clear(builder *b)
{
    for (size_t i = 0; i < b->n_anchors; i++)
        free(b->anchors[i].name);
    b->n_anchors = 0;
}

static ynode *anchor_find(builder *b, const char *name)
{
    /* Searching from the end: a redefined anchor names its latest node. */
    for (size_t i = b->n_anchors; i-- > 0;)
        if (strcmp(b->anchors[i].name, name) == 0)
            return b->anchors[i].node;
    return NULL;
}

static bool on_scalar(builder *b, const yaml_event_t *ev)
{
    ynode *n = node_new(b, YNODE_SCALAR, ev->start_mark);
    n->len = ev->data.scalar.length;
    n->text = xstrndup((const char *)ev->data.scalar.value, n->len);
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    anchor_define(b, ev->data.scalar.anchor, n);
    if (!budget_take(b, 1, n->line, n->column))
        return false;
    attach(b, n);
    return true;
}

static bool on_container_start(builder *b, const yaml_event_t *ev, ynode_kind kind)
{
    ynode *n = node_new(b, kind, ev->start_mark);
    n->open = true;
    anchor_define(
        b, kind == YNODE_MAPPING ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor,
        n);
    if (!budget_take(b, 1, n->line, n->column))
        return false;
    if (b->depth >= YSTREAM_MAX_DEPTH)
        return sem_errf_at(b->err, b->errlen, b->ys->file, n->line, n->column,
                           "mappings and lists nested more than %d deep", YSTREAM_MAX_DEPTH);
    attach(b, n);
    if (b->depth == b->cap_stack) {
        b->cap_stack = b->cap_stack ? b->cap_stack * 2 : 16;
        b->stack = xrealloc(b->stack, b->cap_stack * sizeof *b->stack);
    }
    b->stack[b->depth++] = n;
    return true;
}

static int key_order(const void *pa, const void *pb)
{
    const ynode *a = *(const ynode *const *)pa, *b = *(const ynode *const *)pb;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    int c = memcmp(a->text, b->text, a->len);
    if (c)
        return c;
    /* Equal keys sort by position so that the first written comes first. */
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return a->column < b->column ? -1 : (a->column > b->column);
}

/*
 * YAML forbids duplicate keys but PyYAML keeps the last one silently. A
 * repeated source name in sources.yaml would then vanish without a word, so
 * we report it. Sorting keeps this O(n log n) for large mappings.
 */
static bool check_duplicate_keys(builder *b, const ynode *map)
{
    size_t n = 0;
    const ynode **keys = xmalloc((map->n_items / 2 + 1) * sizeof *keys);
    for (size_t i = 0; i + 1 < map->n_items; i += 2)
        if (map->items[i]->kind == YNODE_SCALAR)
            keys[n++] = map->items[i];
    qsort(keys, n, sizeof *keys, key_order);
    bool ok = true;
    for (size_t i = 1; i < n && ok; i++) {
        if (keys[i]->len == keys[i - 1]->len &&
            memcmp(keys[i]->text, keys[i - 1]->text, keys[i]->len) == 0)
            ok = sem_errf_at(b->err, b->errlen, b->ys->file, keys[i]->line, keys[i]->column,
                             "duplicate key '%s' (first at line %d)", keys[i]->text,
                             keys[i - 1]->line);
    }
    free(keys);
    return ok;
}

static bool on_container_end(builder *b)
{
    ynode *n = b->stack[--b->depth];
    n->open = false;
    /* Children are complete, so their weights are final; the budget check
     * already guaranteed that the sum fits. */
    for (size_t i = 0; i < n->n_items; i++)
        n->weight += n->items[i]->weight;
    return n->kind != YNODE_MAPPING || check_duplicate_keys(b, n);
}

static bool on_alias(builder *b, const yaml_event_t *ev)
{
    int line = (int)ev->start_mark.line + 1, column = (int)ev->start_mark.column + 1;
    const char *name = (const char *)ev->data.alias.anchor;
    ynode *target = anchor_find(b, name);
    if (!target)
        return sem_errf_at(b->err, b->errlen, b->ys->file, line, column, "unknown alias '*%s'",
                           name);
    if (target->open)
        return sem_errf_at(b->err, b->errlen, b->ys->file, line, column,
                           "recursive alias '*%s' (it refers to a node that contains it)", name);
    if (!budget_take(b, target->weight, line, column))
        return false;
    attach(b, target);
    return true;
}

static void on_document_end(builder *b)
{
    ystream *ys = b->ys;
    ys->docs = xrealloc(ys->docs, (ys->n_docs + 1) * sizeof *ys->docs);
    ys->docs[ys->n_docs++] = b->root;
    b->root = NULL;
    anchors_clear(b);
}

static bool syntax_error(builder *b, const yaml_parser_t *p)
{
    const char *what = p->error == YAML_READER_ERROR ? "invalid input" : "YAML syntax error";
    int line = (int)p->problem_mark.line + 1, column = (int)p->problem_mark.column + 1;
    if (p->context)
        return sem_errf_at(b->err, b->errlen, b->ys->file, line, column, "%s: %s (%s at line %d)",
                           what, p->problem ? p->problem : "unknown problem", p->context,
                           (int)p->context_mark.line + 1);
    return sem_errf_at(b->err, b->errlen, b->ys->file, line, column, "%s: %s", what,
                       p->problem ? p->problem : "unknown problem");
}

static bool handle_event(builder *b, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        return on_scalar(b, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_container_start(b, ev, YNODE_SEQUENCE);
    case YAML_MAPPING_START_EVENT:
        return on_container_start(b, ev, YNODE_MAPPING);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return on_container_end(b);
    case YAML_ALIAS_EVENT:
        return on_alias(b, ev);
    case YAML_DOCUMENT_END_EVENT:
        on_document_end(b);
        return true;
    default: /* stream and document start carry nothing we keep */
        return true;
    }
}

static bool build(builder *b, yaml_parser_t *p)
{
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(p, &ev))
            return syntax_error(b, p);
        bool done = ev.type == YAML_STREAM_END_EVENT;
        bool ok = handle_event(b, &ev);
        yaml_event_delete(&ev);
        if (!ok)
            return false;
        if (done)
            return true;
    }
}

static void ystream_reset(ystream *ys)
{
    ynode *n = ys->nodes;
    while (n) {
        ynode *next = n->next_alloc;
        free(n->text);
        free(n->items);
        free(n);
        n = next;
    }
    free(ys->docs);
    ys->docs = NULL;
    ys->n_docs = 0;
    ys->nodes = NULL;
    ys->expanded = 0;
}

static bool load(ystream *ys, yaml_parser_t *p, size_t max_nodes, char *err, size_t errlen)
{
    builder b = {.ys = ys, .max_nodes = max_nodes, .err = err, .errlen = errlen};
    bool ok = build(&b, p);
    anchors_clear(&b);
    free(b.anchors);
    free(b.stack);
    if (!ok)
        ystream_reset(ys); /* a half-built tree is of no use to anyone */
    return ok;
}

bool ystream_load_file(ystream *ys, const char *path, size_t max_nodes, char *err, size_t errlen)
{
    memset(ys, 0, sizeof *ys);
    ys->file = xstrdup(path);
    /* Non-blocking open: a FIFO must be refused, not waited on for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return sem_errf(err, errlen, path, 0, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return sem_errf(err, errlen, path, 0, "not a regular file");
    }
    if (st.st_size > (off_t)YSTREAM_MAX_FILE_BYTES) {
        close(fd);
        return sem_errf(err, errlen, path, 0, "file too large: %lld bytes (at most %u MiB)",
                        (long long)st.st_size, YSTREAM_MAX_FILE_BYTES >> 20);
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return sem_errf(err, errlen, path, 0, "cannot open: %s", strerror(errno));
    }
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        fclose(f);
        return sem_errf(err, errlen, path, 0, "cannot initialise the YAML parser");
    }
    yaml_parser_set_input_file(&p, f);
    bool ok = load(ys, &p, max_nodes, err, errlen);
    yaml_parser_delete(&p);
    fclose(f);
    return ok;
}

bool ystream_load_string(ystream *ys, const char *name, const char *text, size_t len,
                         size_t max_nodes, char *err, size_t errlen)
{
    memset(ys, 0, sizeof *ys);
    ys->file = xstrdup(name);
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return sem_errf(err, errlen, name, 0, "cannot initialise the YAML parser");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    bool ok = load(ys, &p, max_nodes, err, errlen);
    yaml_parser_delete(&p);
    return ok;
}

void ystream_free(ystream *ys)
{
    if (!ys)
        return;
    ystream_reset(ys);
    free(ys->file);
    ys->file = NULL;
}

bool ynode_is_null(const ynode *n)
{
    if (!n)
        return true;
    if (n->kind != YNODE_SCALAR || !n->plain)
        return false;
    return n->len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
           strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0;
}

const char *ynode_text(const ynode *n)
{
    if (!n || n->kind != YNODE_SCALAR || strlen(n->text) != n->len)
        return NULL;
    return n->text;
}

const char *ynode_kind_name(const ynode *n)
{
    if (!n)
        return "nothing";
    switch (n->kind) {
    case YNODE_MAPPING:
        return "a mapping";
    case YNODE_SEQUENCE:
        return "a list";
    default:
        return "a scalar";
    }
}

size_t ymap_size(const ynode *map)
{
    return map && map->kind == YNODE_MAPPING ? map->n_items / 2 : 0;
}

const ynode *ymap_key(const ynode *map, size_t i)
{
    return map->items[2 * i];
}

const ynode *ymap_value(const ynode *map, size_t i)
{
    return map->items[2 * i + 1];
}

static bool scalar_is(const ynode *n, const char *s)
{
    return n->kind == YNODE_SCALAR && n->len == strlen(s) && memcmp(n->text, s, n->len) == 0;
}

/* Finds key in map itself, then in what "<<" merges in (in order: the
 * first merged mapping that has the key wins, as YAML 1.1 specifies). */
static bool find_pair(const ynode *map, const char *key, const ynode **k, const ynode **v)
{
    size_t n = ymap_size(map);
    for (size_t i = 0; i < n; i++) {
        if (scalar_is(ymap_key(map, i), key)) {
            *k = ymap_key(map, i);
            *v = ymap_value(map, i);
            return true;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const ynode *mk = ymap_key(map, i), *mv = ymap_value(map, i);
        if (!mk->plain || !scalar_is(mk, "<<"))
            continue;
        if (mv->kind == YNODE_MAPPING && find_pair(mv, key, k, v))
            return true;
        if (mv->kind == YNODE_SEQUENCE)
            for (size_t j = 0; j < mv->n_items; j++)
                if (mv->items[j]->kind == YNODE_MAPPING && find_pair(mv->items[j], key, k, v))
                    return true;
    }
    return false;
}

const ynode *ymap_get(const ynode *map, const char *key)
{
    const ynode *k, *v;
    return find_pair(map, key, &k, &v) ? v : NULL;
}

const ynode *ymap_get_key(const ynode *map, const char *key)
{
    const ynode *k, *v;
    return find_pair(map, key, &k, &v) ? k : NULL;
}

const ynode *ymap_unknown_key(const ynode *map, const char *const *allowed, char *list,
                              size_t listlen)
{
    if (listlen)
        list[0] = '\0';
    for (const char *const *a = allowed; *a && listlen; a++) {
        size_t used = strlen(list);
        snprintf(list + used, listlen - used, "%s%s", a == allowed ? "" : ", ", *a);
    }
    for (size_t i = 0; i < ymap_size(map); i++) {
        const ynode *k = ymap_key(map, i);
        const char *name = ynode_text(k);
        bool known = false;
        for (const char *const *a = allowed; name && *a && !known; a++)
            known = strcmp(name, *a) == 0;
        if (!known)
            return k;
    }
    return NULL;
}
