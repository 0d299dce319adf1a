/*
 * Run a command N times; print the median wall time (ms) and the largest
 * peak RSS (KiB) the runs reported. Built static with musl so that its own
 * footprint, which a forked child inherits until exec, is tiny next to the
 * programs measured (a Python parent would add ~10 MB to every child).
 *
 * Peak RSS comes from /proc/PID/status (VmHWM) read while the child is
 * stopped at its exit under ptrace: on current kernels the rusage figure
 * is computed from per-CPU counters that round small processes to 0.
 *
 * usage: spawn N program [args...]
 */
#define _GNU_SOURCE 1
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* VmHWM of a live (stopped) process, in KiB, or -1 */
static long vm_hwm(pid_t pid)
{
    char path[64], buf[4096], *p;
    ssize_t n;
    int fd;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    p = strstr(buf, "VmHWM:");
    return p != NULL ? atol(p + 6) : -1;
}

/* Run once under ptrace, stop at exit, read the peak RSS. */
static long peak_rss(char **argv)
{
    int status;
    long rss = -1;
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        dup2(fd, 2);
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        raise(SIGSTOP);
        execv(argv[0], argv);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)PTRACE_O_TRACEEXIT);
    ptrace(PTRACE_CONT, pid, NULL, NULL);
    for (;;) {
        if (waitpid(pid, &status, 0) < 0 || WIFEXITED(status) || WIFSIGNALED(status))
            break;
        if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8)))
            rss = vm_hwm(pid);
        ptrace(PTRACE_CONT, pid, NULL,
               (void *)(long)(WIFSTOPPED(status) && WSTOPSIG(status) != SIGTRAP
                                  ? WSTOPSIG(status) : 0));
    }
    return rss;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    static double walls[10000];
    long n, i, maxrss = 0;
    if (argc < 3 || (n = atol(argv[1])) < 1 || n > 10000)
        return 2;
    for (i = 0; i < n; i++) {
        struct rusage ru;
        int status;
        double t0 = now_ms();
        pid_t pid = fork();
        if (pid == 0) {
            int fd = open("/dev/null", O_WRONLY);
            dup2(fd, 1);
            dup2(fd, 2);
            execv(argv[2], argv + 2);
            _exit(127);
        }
        if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            fprintf(stderr, "spawn: %s failed\n", argv[2]);
            return 1;
        }
        walls[i] = now_ms() - t0;
    }
    for (i = 0; i < 3; i++) {
        long r = peak_rss(argv + 2);
        if (r > maxrss)
            maxrss = r;
    }
    qsort(walls, (size_t)n, sizeof walls[0], cmp);
    printf("%.3f %ld\n", walls[n / 2], maxrss);
    return 0;
}
