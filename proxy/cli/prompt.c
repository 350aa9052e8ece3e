/* Questions on the terminal for `mimir create`: see prompt.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/cli/prompt.h"
#include "semantic/util.h"
#include "wire/buf.h"
#include "wire/xalloc.h"

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char *trimmed(const char *s, size_t n)
{
    while (n > 0 && blank(*s)) {
        s++;
        n--;
    }
    while (n > 0 && blank(s[n - 1]))
        n--;
    return xstrndup(s, n);
}

size_t prompt_split_list(const char *text, char ***items)
{
    size_t n = 0;
    *items = NULL;
    for (const char *p = text;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *item = trimmed(p, len);
        if (*item)
            sem_strv_push(items, &n, item);
        else
            free(item);
        if (!comma)
            return n;
        p = comma + 1;
    }
}

/* What is asked, once: the key, what it is and the choices. */
static void show_question(const prompt *q)
{
    fprintf(stderr, "%s: %s\n", q->key, q->help);
    if (q->choices) {
        fputs("  choices: ", stderr);
        for (size_t i = 0; i < q->n_choices; i++)
            fprintf(stderr, "%s%s", i ? ", " : "", q->choices[i]);
        fputs(q->n_choices ? "\n" : "none yet\n", stderr);
    }
}

static void show_prompt(const prompt *q)
{
    if (q->default_val && *q->default_val)
        fprintf(stderr, "%s [%s]: ", q->key, q->default_val);
    else if (!q->required)
        fprintf(stderr, "%s (optional): ", q->key);
    else
        fprintf(stderr, "%s: ", q->key);
    fflush(stderr);
}

/* NULL when every item of answer is a choice, else the first that is not (malloc'd). */
static char *not_a_choice(const prompt *q, const char *answer)
{
    if (!q->strict || !q->choices || q->n_choices == 0)
        return NULL;
    char **items = NULL;
    size_t n = 0;
    if (q->list)
        n = prompt_split_list(answer, &items);
    else
        sem_strv_push(&items, &n, xstrdup(answer));
    char *bad = NULL;
    for (size_t i = 0; i < n && !bad; i++)
        if (sem_strv_find(q->choices, q->n_choices, items[i]) < 0)
            bad = xstrdup(items[i]);
    sem_strv_free(items, n);
    return bad;
}

/* NULL when answer will do, else why not (malloc'd). */
static char *refusal(const prompt *q, const char *answer)
{
    if (!*answer)
        return q->required ? xstrdup("a value is required") : NULL;
    char *bad = not_a_choice(q, answer);
    if (bad) {
        size_t len = strlen(bad) + 64;
        char *why = xmalloc(len);
        snprintf(why, len, "'%s' is not one of the choices", bad);
        free(bad);
        return why;
    }
    return q->check ? q->check(answer, q->data) : NULL;
}

/*
 * One answer: a line, or with q->multiline several, each but the last ending
 * in a backslash (removed with the blanks before it, so that the file can
 * show the SQL as a block; the lines are joined with newlines). NULL at the
 * end of input.
 */
static char *read_answer(const prompt *q)
{
    buf text;
    buf_init(&text);
    char *line = NULL;
    size_t cap = 0;
    for (;;) {
        ssize_t got = getline(&line, &cap, stdin);
        if (got < 0) {
            fputc('\n', stderr);
            free(line);
            buf_free(&text);
            return NULL;
        }
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            got--;
        bool more = q->multiline && got > 0 && line[got - 1] == '\\';
        if (more) { /* the backslash, and the blanks before it: a line's end */
            got--;
            while (got > 0 && (line[got - 1] == ' ' || line[got - 1] == '\t'))
                got--;
        }
        buf_append(&text, line, (size_t)got);
        if (!more)
            break;
        buf_append_str(&text, "\n");
        fprintf(stderr, "%*s> ", (int)strlen(q->key) - 1, "");
        fflush(stderr);
    }
    free(line);
    char *answer = trimmed(buf_cstr(&text), text.len);
    buf_free(&text);
    return answer;
}

char *prompt_ask(const prompt *q)
{
    show_question(q);
    for (;;) {
        show_prompt(q);
        char *answer = read_answer(q);
        if (!answer)
            return NULL;
        if (!*answer && q->default_val) {
            free(answer);
            answer = xstrdup(q->default_val);
        }
        char *why = refusal(q, answer);
        if (!why)
            return answer;
        fprintf(stderr, "  %s\n", why);
        free(why);
        free(answer);
    }
}
