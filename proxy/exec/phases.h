/*
 * Phased execution (private to proxy/exec/): a plan with a phase (a
 * semi-join filter, planner/semijoin.h) runs its inner plan first with a sink
 * of its own that collects the key values, has the planner plan the outer
 * statement with them (plan_phase.plan_outer) and runs that plan with the
 * caller's sink. The caller holds an ordinary `exec *` (exec_start returns it)
 * and knows nothing of the phases: exec_resume, exec_cancel and exec_detach
 * on it are passed to whichever phase is running.
 */
#ifndef MIMIR_PROXY_EXEC_PHASES_H
#define MIMIR_PROXY_EXEC_PHASES_H

#include "proxy/exec/exec.h"

typedef struct phases phases;

/* Starts a plan with a phase; as exec_start (NULL when the answer was given already). */
exec *phases_start(const exec_env *env, const exec_request *req, const exec_sink *sink);
void phases_resume(phases *ph);
void phases_cancel(phases *ph, uint16_t code, const char *sqlstate, const char *message);
void phases_detach(phases *ph);

/* exec.c: the caller's handle on a phased execution, and its end. */
exec *exec_wrap_phases(phases *ph);
void exec_unwrap_phases(exec *ex);

#endif
