/*
 * What the fuzz targets of tests/fuzz share: where the repository is (for
 * configs/), a private scratch directory for targets that load files, and
 * writing an input there. Each target is one file with LLVMFuzzerTestOneInput
 * (and LLVMFuzzerInitialize when it needs setup); it links either with
 * libFuzzer (clang -fsanitize=fuzzer) or with replay_main.c, a plain main()
 * that runs the target over files, so that any C compiler can replay a corpus.
 */
#ifndef MIMIR_TESTS_FUZZ_SUPPORT_H
#define MIMIR_TESTS_FUZZ_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "<repository>/<rel>" (malloc'd); the repository is FUZZ_REPO_DIR, set by the Makefile. */
char *fuzz_repo_path(const char *rel);

/*
 * A directory of this process's own (under /dev/shm when it exists, for
 * speed), created on first use and removed at exit with everything in it.
 */
const char *fuzz_scratch_dir(void);

/* Writes data to "<dir>/<rel>" (creating its directory); aborts on failure. */
void fuzz_write_file(const char *dir, const char *rel, const uint8_t *data, size_t size);
/* Removes "<dir>/<rel>" if present. */
void fuzz_remove_file(const char *dir, const char *rel);

#endif
