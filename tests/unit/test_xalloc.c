/*
 * wire/xalloc.c and wire/mimir_assert.h: the allocation helpers every layer
 * uses, and the assertion that the sanitizer build turns on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Active here whatever the build: the test checks what a failure prints. */
#ifndef MIMIR_ASSERTIONS
#define MIMIR_ASSERTIONS
#endif
#include "wire/mimir_assert.h"
#include "wire/xalloc.h"

static void test_zero_sizes_give_a_pointer(void **state)
{
    (void)state;
    void *a = xmalloc(0), *b = xcalloc(0, 8), *c = xrealloc(NULL, 0),
         *d = xreallocarray(NULL, 0, 4);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_non_null(d);
    free(a);
    free(b);
    free(c);
    free(d);
}

static void test_calloc_zeroes_and_realloc_keeps(void **state)
{
    (void)state;
    int *v = xcalloc(16, sizeof *v);
    for (int i = 0; i < 16; i++)
        assert_int_equal(v[i], 0);
    v[15] = 7;
    v = xreallocarray(v, 1024, sizeof *v);
    assert_int_equal(v[15], 7);
    v = xrealloc(v, 32 * sizeof *v);
    assert_int_equal(v[15], 7);
    free(v);
}

static void test_strings(void **state)
{
    (void)state;
    char *s = xstrdup("rentals_revenue");
    assert_string_equal(s, "rentals_revenue");
    free(s);
    /* Exactly n bytes, a NUL among them included. */
    char *n = xstrndup("ab\0cd-tail", 5);
    assert_memory_equal(n, "ab\0cd", 6);
    free(n);
    char *e = xstrndup(NULL, 0);
    assert_string_equal(e, "");
    free(e);
    char *f = xasprintf("%s:%d: %s", "metrics/a.yaml", 3, "unknown key");
    assert_string_equal(f, "metrics/a.yaml:3: unknown key");
    free(f);
}

/* Runs fn in a child; returns what it wrote on stderr and whether SIGABRT ended it. */
static bool run_child(void (*fn)(void), char *out, size_t outlen)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t r;
    while (len + 1 < outlen && (r = read(fds[0], out + len, outlen - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = '\0';
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static int held;

static void assert_holds(void)
{
    held = 2;
    MIMIR_ASSERT(held == 2);
}

static void assert_fails(void)
{
    held = 1;
    MIMIR_ASSERT(held == 2);
}
/* The line of the MIMIR_ASSERT above. */
enum { ASSERT_FAILS_LINE = __LINE__ - 3 };

static void test_assertion(void **state)
{
    (void)state;
    char err[4096];
    assert_false(run_child(assert_holds, err, sizeof err));
    assert_string_equal(err, "");
    assert_true(run_child(assert_fails, err, sizeof err));
    char want[128];
    snprintf(want, sizeof want, "%s:%d: assertion failed: held == 2\n", __FILE__,
             ASSERT_FAILS_LINE);
    assert_non_null(strstr(err, want));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_sizes_give_a_pointer),
        cmocka_unit_test(test_calloc_zeroes_and_realloc_keeps),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_assertion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
