/*
 * A hostile semantic layer: YAML bombs, huge files, deep nesting, files that
 * are not UTF-8, symlink loops and special files in the configuration tree.
 * Each must end in a clear error (naming the file) within a bounded time and
 * memory: every load here is timed, and the process's peak resident memory
 * may only grow by a bound over it.
 *
 * Each test builds its project in a fresh temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "planner/planner.h"
#include "semantic/catalog.h"
#include "semantic/yaml_doc.h"
#include "tests/unit/unit_support.h"

/* Far above what these loads need, far below what an unbounded one takes. */
#define MAX_SECONDS   5.0
#define MAX_GROWTH_MB 256

static const char valid_source[] = "orders:\n"
                                   "  name: orders\n"
                                   "  connection_name: shop\n"
                                   "  time_col: ordered_at\n"
                                   "  sql: SELECT order_id, ordered_at, amount FROM orders\n";

static char project[4096];

static int make_project(void **state)
{
    (void)state;
    unit_tmpdir_make(project, sizeof project, "mimir-hostile");
    return 0;
}

static int remove_project(void **state)
{
    (void)state;
    unit_tmpdir_remove(project);
    return 0;
}

static char *path_of(const char *rel)
{
    static char path[8192];
    snprintf(path, sizeof path, "%s/%s", project, rel);
    return path;
}

static void make_dir(const char *rel)
{
    if (mkdir(path_of(rel), 0700) != 0 && errno != EEXIST)
        fail_msg("mkdir %s: %s", rel, strerror(errno));
}

static void write_file(const char *rel, const void *data, size_t len)
{
    FILE *f = fopen(path_of(rel), "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        fail_msg("cannot write %s", rel);
}

static void write_text(const char *rel, const char *text)
{
    write_file(rel, text, strlen(text));
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Loads the project (secrets in <project>/secrets when with_secrets) and
 * expects a failure whose message contains want (and the project's path:
 * every problem names its file); all within the time and memory bounds.
 */
static void expect_refused(bool with_secrets, const char *want)
{
    char err[2048] = "";
    long rss = peak_rss_kb();
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    catalog *c = catalog_load(project, with_secrets ? path_of("secrets") : NULL, err, sizeof err);
    double took = seconds_since(&t0);
    if (c) {
        catalog_free(c);
        fail_msg("loaded, but expected an error containing '%s'", want);
    }
    if (!strstr(err, want))
        fail_msg("error '%s' does not contain '%s'", err, want);
    if (!strstr(err, project))
        fail_msg("error '%s' does not name a file of the project", err);
    if (took > MAX_SECONDS)
        fail_msg("took %.1f s (bound %.1f s)", took, MAX_SECONDS);
    long grown_mb = (peak_rss_kb() - rss) / 1024;
    if (grown_mb > MAX_GROWTH_MB)
        fail_msg("peak memory grew by %ld MiB (bound %d MiB)", grown_mb, MAX_GROWTH_MB);
}

static void source_and_metric(const char *metric)
{
    make_dir("sources");
    make_dir("metrics");
    write_text("sources/s.yaml", valid_source);
    write_text("metrics/m.yaml", metric);
}

/* ---- YAML bombs ------------------------------------------------------------------ */

/* "Billion laughs": nine levels of nine aliases, 9^9 nodes once expanded. */
static void test_alias_bomb(void **state)
{
    (void)state;
    char text[4096] = "name: lol\nsource_name: orders\nsql: COUNT(*)\n"
                      "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (int i = 1; i < 10; i++) {
        char line[256];
        snprintf(line, sizeof line,
                 "l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i - 1,
                 i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
        strcat(text, line);
    }
    source_and_metric(text);
    expect_refused(false, "YAML bomb");
}

/* Merge keys ("<<") expand aliases too: a bomb built from merges. */
static void test_merge_key_bomb(void **state)
{
    (void)state;
    char text[8192] = "name: lol\nsource_name: orders\nsql: COUNT(*)\n"
                      "m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}\n";
    for (int i = 1; i < 12; i++) {
        char line[512];
        snprintf(line, sizeof line, "m%d: &m%d {<<: [*m%d, *m%d, *m%d, *m%d], k%d: x}\n", i, i,
                 i - 1, i - 1, i - 1, i - 1, i);
        strcat(text, line);
    }
    source_and_metric(text);
    expect_refused(false, "YAML bomb");
}

/* Not exponential, quadratic: one large list, then many aliases to it. */
static void test_many_aliases_to_a_large_node(void **state)
{
    (void)state;
    size_t cap = 1 << 20, n = 0;
    char *text = malloc(cap);
    n += (size_t)snprintf(text + n, cap - n,
                          "name: wide\nsource_name: orders\nsql: COUNT(*)\nbig: &big [");
    for (int i = 0; i < 1000; i++)
        n += (size_t)snprintf(text + n, cap - n, "%sx", i ? ", " : "");
    n += (size_t)snprintf(text + n, cap - n, "]\nmany: [");
    for (int i = 0; i < 1000; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s*big", i ? ", " : "");
    n += (size_t)snprintf(text + n, cap - n, "]\n");
    source_and_metric(text);
    free(text);
    expect_refused(false, "YAML bomb");
}

/* ---- Size and depth ------------------------------------------------------------- */

/* Larger than any semantic layer: refused before it is read. */
static void test_huge_file(void **state)
{
    (void)state;
    size_t len = YSTREAM_MAX_FILE_BYTES + 1;
    char *text = malloc(len);
    static const char head[] = "name: huge\nsource_name: orders\nsql: COUNT(*)\ndescription: ";
    memcpy(text, head, sizeof head - 1);
    memset(text + sizeof head - 1, 'a', len - (sizeof head - 1) - 1);
    text[len - 1] = '\n';
    source_and_metric("");
    write_file("metrics/huge.yaml", text, len);
    free(text);
    expect_refused(false, "file too large");
}

/* A sparse file of 4 GiB: its size alone refuses it. */
static void test_huge_sparse_file(void **state)
{
    (void)state;
    source_and_metric("");
    FILE *f = fopen(path_of("metrics/sparse.yaml"), "wb");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), (off_t)4 << 30), 0);
    fclose(f);
    expect_refused(false, "file too large");
}

/* A million nested flow sequences: stopped by the node budget. */
static void test_deeply_nested_flow(void **state)
{
    (void)state;
    size_t depth = 1000000;
    char *text = malloc(2 * depth + 64);
    size_t n = (size_t)sprintf(text, "deep: ");
    memset(text + n, '[', depth);
    n += depth;
    memset(text + n, ']', depth);
    n += depth;
    text[n++] = '\n';
    source_and_metric("");
    write_file("metrics/deep.yaml", text, n);
    free(text);
    expect_refused(false, "nested more than 256 deep");
}

/* Block mappings 2,000 deep in an extra key of a metric: refused, quickly. */
static void test_deeply_nested_block_mapping(void **state)
{
    (void)state;
    size_t depth = 2000, cap = depth * (depth + 8) + 256, n = 0;
    char *text = malloc(cap);
    n += (size_t)snprintf(text, cap,
                          "name: deep\nsource_name: orders\nsql: COUNT(order_id)\nteam:\n");
    for (size_t i = 1; i <= depth; i++) {
        memset(text + n, ' ', i);
        n += i;
        n += (size_t)snprintf(text + n, cap - n, "k:\n");
    }
    memset(text + n, ' ', depth + 1);
    n += depth + 1;
    n += (size_t)snprintf(text + n, cap - n, "v: 1\n");
    source_and_metric("");
    write_file("metrics/deep.yaml", text, n);
    free(text);
    expect_refused(false, "nested more than 256 deep");
}

/* Nesting within the limit loads. */
static void test_nesting_within_the_limit(void **state)
{
    (void)state;
    char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text,
                                "name: deep\nsource_name: orders\nsql: COUNT(order_id)\nteam: ");
    memset(text + n, '[', YSTREAM_MAX_DEPTH - 2);
    n += YSTREAM_MAX_DEPTH - 2;
    memset(text + n, ']', YSTREAM_MAX_DEPTH - 2);
    n += YSTREAM_MAX_DEPTH - 2;
    text[n++] = '\n';
    source_and_metric("");
    write_file("metrics/deep.yaml", text, n);
    char err[2048] = "";
    catalog *c = catalog_load(project, NULL, err, sizeof err);
    if (!c)
        fail_msg("refused: %s", err);
    assert_int_equal(c->n_metrics, 1);
    catalog_free(c);
}

/* ---- Encodings ------------------------------------------------------------------- */

static void test_latin1_file(void **state)
{
    (void)state;
    source_and_metric("name: caf\xe9\nsource_name: orders\nsql: COUNT(*)\n");
    expect_refused(false, "metrics/m.yaml:1:");
    expect_refused(false, "invalid input: invalid trailing UTF-8 octet");
}

static void test_overlong_and_surrogate_utf8(void **state)
{
    (void)state;
    source_and_metric("name: a\xc0\xaf\nsource_name: orders\nsql: COUNT(*)\n");
    expect_refused(false, "metrics/m.yaml:1:");
    write_text("metrics/m.yaml", "name: a\xed\xa0\x80\nsource_name: orders\nsql: COUNT(*)\n");
    expect_refused(false, "metrics/m.yaml:1:");
}

static void test_nul_bytes_in_file(void **state)
{
    (void)state;
    static const char text[] = "name: a\0b\nsource_name: orders\nsql: COUNT(*)\n";
    source_and_metric("");
    write_file("metrics/m.yaml", text, sizeof text - 1);
    expect_refused(false, "metrics/m.yaml:1:");
}

/* ---- The configuration tree ---------------------------------------------------------- */

/* A directory that links to itself: reported, not walked forever. */
static void test_symlink_loop(void **state)
{
    (void)state;
    source_and_metric("name: n\nsource_name: orders\nsql: COUNT(*)\n");
    assert_int_equal(symlink(".", path_of("metrics/loop")), 0);
    expect_refused(false, "metrics/loop");
}

/*
 * Ten links to the directory itself: with only a depth limit, the walk
 * would take 10^8 steps; each directory must be read once.
 */
static void test_symlink_fan_out(void **state)
{
    (void)state;
    source_and_metric("name: n\nsource_name: orders\nsql: COUNT(*)\n");
    for (int i = 0; i < 10; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "metrics/link%d", i);
        assert_int_equal(symlink(".", path_of(rel)), 0);
    }
    expect_refused(false, "already read");
}

/* A link to a directory outside, reached twice. */
static void test_two_links_to_one_directory(void **state)
{
    (void)state;
    source_and_metric("name: n\nsource_name: orders\nsql: COUNT(*)\n");
    make_dir("shared");
    write_text("shared/x.yaml", "name: x\nsource_name: orders\nsql: COUNT(*)\n");
    assert_int_equal(symlink("../shared", path_of("metrics/a")), 0);
    assert_int_equal(symlink("../shared", path_of("metrics/b")), 0);
    expect_refused(false, "already read");
}

static void test_dangling_symlink(void **state)
{
    (void)state;
    source_and_metric("name: n\nsource_name: orders\nsql: COUNT(*)\n");
    assert_int_equal(symlink("nowhere.yaml", path_of("metrics/gone.yaml")), 0);
    expect_refused(false, "metrics/gone.yaml");
}

/* A FIFO as a secrets file: refused without waiting for a writer. */
static void test_fifo_secrets_file(void **state)
{
    (void)state;
    source_and_metric("name: n\nsource_name: orders\nsql: COUNT(order_id)\n");
    make_dir("secrets");
    assert_int_equal(mkfifo(path_of("secrets/shop.json"), 0600), 0);
    expect_refused(true, "not a regular file");
}

/* A device as a YAML file (a link to /dev/zero): skipped, like anything
 * that is not a regular file, so the metric it would define is missing. */
static void test_device_in_the_tree(void **state)
{
    (void)state;
    source_and_metric("name: n\nsource_name: orders\nsql: COUNT(order_id)\n");
    assert_int_equal(symlink("/dev/zero", path_of("metrics/zero.yaml")), 0);
    char err[2048] = "";
    catalog *c = catalog_load(project, NULL, err, sizeof err);
    if (!c)
        fail_msg("refused: %s", err);
    assert_int_equal(c->n_metrics, 1);
    catalog_free(c);
    ystream ys;
    assert_false(ystream_load_file(&ys, "/dev/zero", YSTREAM_MAX_NODES, err, sizeof err));
    assert_non_null(strstr(err, "not a regular file"));
    ystream_free(&ys);
}

/* ---- Derived metrics ------------------------------------------------------------- */

/*
 * A ladder of derived metrics: a<i> and b<i> are each a<i+1> + b<i+1>, down to
 * the base metric n. Every level doubles the number of paths, so any walk that
 * follows paths instead of metrics takes 2^levels steps.
 */
static void derived_ladder(int levels)
{
    make_dir("sources");
    make_dir("metrics");
    write_text("sources/s.yaml", valid_source);
    FILE *f = fopen(path_of("metrics/m.yaml"), "w");
    assert_non_null(f);
    fprintf(f, "---\nname: n\nsource_name: orders\nsql: COUNT(order_id)\n");
    for (int i = 0; i < levels; i++)
        for (int k = 0; k < 2; k++) {
            if (i + 1 < levels)
                fprintf(f, "---\nname: %c%d\ntype: derived\nsql: a%d + b%d\n", "ab"[k], i, i + 1,
                        i + 1);
            else
                fprintf(f, "---\nname: %c%d\ntype: derived\nsql: n + n\n", "ab"[k], i);
        }
    assert_int_equal(fclose(f), 0);
}

static void test_derived_ladder_too_deep(void **state)
{
    (void)state;
    derived_ladder(60);
    expect_refused(false, "derived metric 'a0' depends on a cycle of derived metrics, or nests "
                          "more than 32 derived metrics deep");
}

static void test_derived_ring(void **state)
{
    (void)state;
    make_dir("sources");
    make_dir("metrics");
    write_text("sources/s.yaml", valid_source);
    FILE *f = fopen(path_of("metrics/m.yaml"), "w");
    assert_non_null(f);
    for (int i = 0; i < 1000; i++)
        fprintf(f, "---\nname: r%d\ntype: derived\nsql: r%d * 2\n", i, (i + 1) % 1000);
    assert_int_equal(fclose(f), 0);
    expect_refused(false, "derived metric 'r0' depends on a cycle of derived metrics");
}

/* Within the nesting limit the ladder loads, its bases are found at once, and a
 * query on its top is refused instead of expanding 2^30 times. */
static void test_derived_ladder_within_depth(void **state)
{
    (void)state;
    derived_ladder(30);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char err[2048];
    catalog *c = catalog_load(project, NULL, err, sizeof err);
    if (!c)
        fail_msg("%s", err);
    const metric *bases[2];
    assert_int_equal(catalog_metric_bases(c, catalog_metric(c, "a0"), bases, 2), 1);
    assert_string_equal(bases[0]->name, "n");
    arena a;
    arena_init(&a);
    session_info s = {.cat = c, .db = "mimir", .user = "u", .autocommit = true};
    action act;
    const char *sql = "SELECT AGG(a0) FROM mimir.metrics";
    planner_plan(&a, &s, sql, strlen(sql), &act);
    assert_int_equal(act.kind, ACTION_ERROR);
    assert_string_equal(act.error.message, "too many derived metrics to expand: more than 1000 in "
                                           "one query, or more than 32 nested (at 'a29')");
    arena_free(&a);
    catalog_free(c);
    double took = seconds_since(&t0);
    if (took > MAX_SECONDS)
        fail_msg("took %.1f s (bound %.1f s)", took, MAX_SECONDS);
}

#define T(f) cmocka_unit_test_setup_teardown(f, make_project, remove_project)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_alias_bomb),
        T(test_merge_key_bomb),
        T(test_many_aliases_to_a_large_node),
        T(test_huge_file),
        T(test_huge_sparse_file),
        T(test_deeply_nested_flow),
        T(test_deeply_nested_block_mapping),
        T(test_nesting_within_the_limit),
        T(test_latin1_file),
        T(test_overlong_and_surrogate_utf8),
        T(test_nul_bytes_in_file),
        T(test_symlink_loop),
        T(test_symlink_fan_out),
        T(test_two_links_to_one_directory),
        T(test_dangling_symlink),
        T(test_fifo_secrets_file),
        T(test_device_in_the_tree),
        T(test_derived_ladder_too_deep),
        T(test_derived_ring),
        T(test_derived_ladder_within_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
