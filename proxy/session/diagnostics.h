/*
 * A session's diagnostics area: the notes and the error of its previous
 * statement, which SHOW WARNINGS, SHOW ERRORS, SHOW COUNT(*) WARNINGS and
 * @@warning_count read (the planner answers them from session_info). As in
 * MySQL, every statement replaces it but those that read it; the result of a
 * statement tells how many entries it has (the warning count of its EOF/OK).
 */
#ifndef MIMIR_PROXY_SESSION_DIAGNOSTICS_H
#define MIMIR_PROXY_SESSION_DIAGNOSTICS_H

#include <stddef.h>
#include <stdint.h>

#include "planner/planner.h"

typedef struct diagnostics {
    diagnostic *items; /* owned copies */
    size_t n;
} diagnostics;

/* Replaces d with the notes an action's planning left (copied). */
void diagnostics_set_notes(diagnostics *d, const diagnostic *notes, size_t n);
/* Replaces d with one error (MySQL's diagnostics after a failed statement). */
void diagnostics_set_error(diagnostics *d, uint16_t code, const char *message);
void diagnostics_clear(diagnostics *d);
/* The count a result's EOF/OK carries (at most 65535). */
uint16_t diagnostics_count(const diagnostics *d);

#endif
