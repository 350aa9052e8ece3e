/*
 * Questions on the terminal, for `mimir create`: one key at a time, with what
 * it is, its valid choices and a default, read as one line from standard
 * input. Asked only when standard input is a terminal (a script gets a usage
 * error instead, never a wait).
 */
#ifndef MIMIR_PROXY_CLI_PROMPT_H
#define MIMIR_PROXY_CLI_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct prompt {
    const char *key;      /* what is asked: "source_name" */
    const char *help;     /* what it is, one line */
    char *const *choices; /* the valid answers shown, or NULL */
    size_t n_choices;
    bool strict;             /* an answer must be one of choices (when there are any) */
    bool list;               /* a comma-separated list: each item is checked */
    bool required;           /* an empty answer (with no default) is asked again */
    bool multiline;          /* a line ending in a backslash goes on on the next one */
    const char *default_val; /* taken on an empty answer; NULL: none */
    /* Further checks: NULL when answer is fine, else why not (malloc'd). */
    char *(*check)(const char *answer, void *data);
    void *data;
} prompt;

/*
 * Asks q on stderr and reads the answer from stdin, asking again (with the
 * reason) until it passes. Returns the answer (malloc'd, surrounding blanks
 * removed; "" for an optional key left empty), or NULL at the end of input.
 * With q->multiline, lines ending in a backslash are joined with newlines
 * (SQL is easier to read in the file on several lines).
 */
char *prompt_ask(const prompt *q);

/* Splits "a, b,c" into its non-empty items, blanks trimmed (malloc'd). */
size_t prompt_split_list(const char *text, char ***items);

#endif
