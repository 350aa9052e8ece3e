#include "semantic/aggregation.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

static const struct {
    metric_aggregation a;
    const char *name, *meaning;
} classes[] = {
    {AGGREGATION_CUSTOM, "custom",
     "not additive as far as Mimir can tell: computed by its source at the grain asked for, "
     "never from finer groups"},
    {AGGREGATION_SUM, "sum", "additive: a sum of its values over finer groups is exact"},
    {AGGREGATION_COUNT, "count", "additive: a sum of its counts over finer groups is exact"},
    {AGGREGATION_MIN, "min", "re-aggregates exactly: the least of its values over finer groups"},
    {AGGREGATION_MAX, "max", "re-aggregates exactly: the greatest of its values over finer groups"},
    {AGGREGATION_AVG, "avg",
     "not additive: exact from finer groups only through its sum and count; otherwise "
     "computed by its source at the grain asked for"},
    {AGGREGATION_COUNT_DISTINCT, "count_distinct",
     "not additive: computed by its source at the grain asked for, never from finer groups"},
    {AGGREGATION_DERIVED, "derived",
     "an expression over other metrics, computed after them at the grain asked for"},
};

const char *aggregation_name(metric_aggregation a)
{
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (classes[i].a == a)
            return classes[i].name;
    return "custom";
}

const char *aggregation_meaning(metric_aggregation a)
{
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (classes[i].a == a)
            return classes[i].meaning;
    return classes[0].meaning;
}

bool aggregation_parse(const char *text, metric_aggregation *out)
{
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (classes[i].a != AGGREGATION_DERIVED && strcasecmp(text, classes[i].name) == 0) {
            *out = classes[i].a;
            return true;
        }
    return false;
}

bool aggregation_reaggregates(metric_aggregation a)
{
    return a == AGGREGATION_SUM || a == AGGREGATION_COUNT || a == AGGREGATION_MIN ||
           a == AGGREGATION_MAX;
}

static const char *skip_space(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

/* The ')' closing the '(' at open, skipping quoted text; NULL when unbalanced. */
static const char *closing_paren(const char *open)
{
    int depth = 0;
    for (const char *p = open; *p; p++) {
        if (*p == '\'' || *p == '"' || *p == '`') {
            const char *q = strchr(p + 1, *p);
            if (!q)
                return NULL;
            p = q;
        } else if (*p == '(') {
            depth++;
        } else if (*p == ')' && --depth == 0) {
            return p;
        }
    }
    return NULL;
}

static bool word_at(const char *s, const char *word)
{
    size_t n = strlen(word);
    return strncasecmp(s, word, n) == 0 && !isalnum((unsigned char)s[n]) && s[n] != '_';
}

metric_aggregation aggregation_of_sql(const char *expr)
{
    static const struct {
        const char *fn;
        metric_aggregation a;
    } calls[] = {{"SUM", AGGREGATION_SUM},
                 {"COUNT", AGGREGATION_COUNT},
                 {"MIN", AGGREGATION_MIN},
                 {"MAX", AGGREGATION_MAX},
                 {"AVG", AGGREGATION_AVG}};
    const char *s = skip_space(expr);
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        size_t n = strlen(calls[i].fn);
        if (strncasecmp(s, calls[i].fn, n) != 0)
            continue;
        const char *open = skip_space(s + n);
        const char *close = *open == '(' ? closing_paren(open) : NULL;
        /* The whole expression must be that one call: "SUM(a) / SUM(b)" is custom. */
        if (!close || *skip_space(close + 1) != '\0')
            return AGGREGATION_CUSTOM;
        bool distinct = word_at(skip_space(open + 1), "DISTINCT");
        if (!distinct)
            return calls[i].a;
        if (calls[i].a == AGGREGATION_COUNT)
            return AGGREGATION_COUNT_DISTINCT;
        /* MIN(DISTINCT x) is MIN(x); SUM(DISTINCT x) and AVG(DISTINCT x) are not additive. */
        return calls[i].a == AGGREGATION_MIN || calls[i].a == AGGREGATION_MAX ? calls[i].a
                                                                              : AGGREGATION_CUSTOM;
    }
    return AGGREGATION_CUSTOM;
}
