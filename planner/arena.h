/*
 * A bump allocator for everything that lives as long as one statement: tokens'
 * decoded text, AST nodes, the inquiry. Freed in one call when the statement
 * is done, so the parser never has to unwind partial trees on error.
 */
#ifndef MIMIR_PLANNER_ARENA_H
#define MIMIR_PLANNER_ARENA_H

#include <stddef.h>

typedef struct arena_chunk arena_chunk;
typedef struct arena {
    arena_chunk *head;
} arena;

void arena_init(arena *a);
void arena_free(arena *a);
void *arena_alloc(arena *a, size_t size); /* zeroed */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A growable array of pointers in the arena (for lists built while parsing). */
typedef struct ptr_vec {
    void **items;
    size_t len, cap;
} ptr_vec;
void ptr_vec_push(arena *a, ptr_vec *v, void *item);

#endif
