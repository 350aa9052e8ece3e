/* Helpers of the fuzz targets: see support.h. */
#include "tests/fuzz/support.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FUZZ_REPO_DIR
#define FUZZ_REPO_DIR "."
#endif

static char scratch[4096];

char *fuzz_repo_path(const char *rel)
{
    size_t n = strlen(FUZZ_REPO_DIR) + strlen(rel) + 2;
    char *p = malloc(n);
    if (!p)
        abort();
    snprintf(p, n, "%s/%s", FUZZ_REPO_DIR, rel);
    return p;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_scratch(void)
{
    if (scratch[0])
        nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_scratch_dir(void)
{
    if (scratch[0])
        return scratch;
    struct stat st;
    const char *base =
        stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0
            ? "/dev/shm"
            : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    snprintf(scratch, sizeof scratch, "%s/mimir-fuzz-XXXXXX", base);
    if (!mkdtemp(scratch)) {
        fprintf(stderr, "fuzz: cannot create a scratch directory under %s: %s\n", base,
                strerror(errno));
        abort();
    }
    atexit(remove_scratch);
    return scratch;
}

static void make_parent_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "fuzz: mkdir %s: %s\n", path, strerror(errno));
            abort();
        }
        *p = '/';
    }
}

void fuzz_write_file(const char *dir, const char *rel, const uint8_t *data, size_t size)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    make_parent_dirs(path);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        fprintf(stderr, "fuzz: cannot write %s: %s\n", path, strerror(errno));
        abort();
    }
}

void fuzz_remove_file(const char *dir, const char *rel)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    unlink(path);
}
