/*
 * MIMIR_ASSERT(cond): states an invariant the surrounding code relies on.
 *
 * Active only when the build defines MIMIR_ASSERTIONS, as the sanitizer
 * build does (`make test-asan`, and the fuzz targets): there a broken
 * invariant prints "file:line: assertion failed: cond" and aborts, so the
 * whole test suite checks the invariants on every run. The release build
 * compiles them out: cond is not evaluated (it must have no side effects),
 * though it is still type-checked, so it cannot rot.
 *
 * Not for conditions that depend on input (a client, a configuration file,
 * a backend): those are errors with a message, not assertions.
 *
 * In wire/, the lowest layer, so that every layer may use it.
 */
#ifndef MIMIR_WIRE_MIMIR_ASSERT_H
#define MIMIR_WIRE_MIMIR_ASSERT_H

_Noreturn void mimir_assert_failed(const char *file, int line, const char *cond);

#ifdef MIMIR_ASSERTIONS
#define MIMIR_ASSERT(cond) ((cond) ? (void)0 : mimir_assert_failed(__FILE__, __LINE__, #cond))
#else
#define MIMIR_ASSERT(cond) ((void)sizeof(!(cond)))
#endif

#endif
