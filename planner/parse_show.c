/* SHOW ... and DESCRIBE t. For now the target is recorded and the rest skipped. */
#include <ctype.h>

#include "planner/parser_internal.h"
#include "planner/show.h"

bool ps_show(parser *p, statement *out)
{
    show_stmt *show = arena_alloc(p->a, sizeof(*show));
    token *first = ps_cur(p);
    ps_next(p);
    token *t = ps_cur(p);
    const char *what = token_is_word(first, "show") ? t->text : "COLUMNS";
    char *upper = arena_strdup(p->a, what);
    for (char *c = upper; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    show->what = upper;
    out->show = show;
    return ps_skip_to_end(p);
}
