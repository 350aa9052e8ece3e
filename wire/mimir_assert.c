/* Failure of MIMIR_ASSERT: see mimir_assert.h. */
#include "wire/mimir_assert.h"

#include <stdio.h>
#include <stdlib.h>

/* Defined in every build, so that objects built with and without
 * MIMIR_ASSERTIONS link together. */
void mimir_assert_failed(const char *file, int line, const char *cond)
{
    fprintf(stderr, "%s:%d: assertion failed: %s\n", file, line, cond);
    fflush(stderr);
    abort();
}
