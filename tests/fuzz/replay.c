/*
 * Runs a fuzz target over files without libFuzzer: the saved crash inputs
 * (tests/fuzz/regress) and the seed corpus, under any compiler and
 * sanitizer, as part of `make test`. Arguments are files or directories.
 */
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char buf[1 << 20];
static int files;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (f == NULL) {
        printf("FAIL cannot read %s\n", path);
        return -1;
    }
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    files++;
    return 0;
}

static int run_path(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    int rc = 0;
    if (stat(path, &st) != 0)
        return run_file(path);
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    d = opendir(path);
    if (d == NULL)
        return -1;
    while ((de = readdir(d)) != NULL) {
        char p[1024];
        if (de->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", path, de->d_name);
        if (run_file(p) != 0)
            rc = -1;
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    int i, failed = 0;
    for (i = 1; i < argc; i++)
        if (run_path(argv[i]) != 0)
            failed = 1;
    /* each input is one test: reaching here means none crashed or aborted */
    printf("%d passed, %d failed\n", files, failed);
    return failed;
}
