#include "proxy/session/diagnostics.h"

#include <stdlib.h>

#include "wire/xalloc.h"

void diagnostics_clear(diagnostics *d)
{
    for (size_t i = 0; i < d->n; i++)
        free((char *)d->items[i].message);
    free(d->items);
    d->items = NULL;
    d->n = 0;
}

void diagnostics_set_notes(diagnostics *d, const diagnostic *notes, size_t n)
{
    diagnostics_clear(d);
    if (n == 0)
        return;
    d->items = xcalloc(n, sizeof(*d->items));
    for (size_t i = 0; i < n; i++)
        d->items[i] = (diagnostic){notes[i].level, notes[i].code, xstrdup(notes[i].message)};
    d->n = n;
}

void diagnostics_set_error(diagnostics *d, uint16_t code, const char *message)
{
    diagnostic e = {"Error", code, message};
    diagnostics_set_notes(d, &e, 1);
}

uint16_t diagnostics_count(const diagnostics *d)
{
    return d->n > UINT16_MAX ? UINT16_MAX : (uint16_t)d->n;
}
