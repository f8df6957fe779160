/* proc.c — fork/exec helpers (see proc.h). */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

char *mg_proc_which(const char *prog)
{
    const char *path = getenv("PATH");
    struct mg_buf b = MG_BUF_INIT;

    if (strchr(prog, '/'))
        return access(prog, X_OK) == 0 ? mg_strdup(prog) : NULL;
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        mg_buf_reset(&b);
        mg_buf_add(&b, path, len);
        mg_buf_addch(&b, '/');
        mg_buf_adds(&b, prog);
        if (len && access(b.ptr, X_OK) == 0)
            return mg_buf_detach(&b);
        path += len + (colon ? 1 : 0);
    }
    mg_buf_free(&b);
    return NULL;
}

/* In the child: drop to the target user; returns -1 on failure. */
static int become(const struct mg_runas *as)
{
    if (!as || as->uid == (uid_t)-1 || as->uid == geteuid())
        return 0;
    if (setgroups(0, NULL) < 0 || setgid(as->gid) < 0 || setuid(as->uid) < 0)
        return -1;
    /* some tools (initdb) read HOME and USER */
    if (as->name) {
        setenv("USER", as->name, 1);
        setenv("LOGNAME", as->name, 1);
    }
    return 0;
}

int mg_proc_run(const char *const *argv, const struct mg_runas *as, struct mg_buf *out,
                struct mg_err *err)
{
    int fds[2];
    pid_t pid;
    int status;

    if (pipe2(fds, O_CLOEXEC) < 0)
        return mg_err_set(err, MG_EFAIL, "cannot create a pipe: %s", strerror(errno));
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return mg_err_set(err, MG_EFAIL, "cannot fork: %s", strerror(errno));
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        if (become(as) < 0) {
            fprintf(stderr, "cannot switch to user %s: %s\n", as->name, strerror(errno));
            _exit(126);
        }
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    for (;;) {
        char buf[4096];
        ssize_t n = read(fds[0], buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (out && out->len < (1 << 20))
            mg_buf_add(out, buf, (size_t)n);
    }
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return mg_err_set(err, MG_EFAIL, "cannot wait for %s: %s", argv[0], strerror(errno));
    }
    if (WIFSIGNALED(status))
        return mg_err_set(err, MG_EFAIL, "%s was killed by signal %d", argv[0], WTERMSIG(status));
    return WEXITSTATUS(status);
}

int mg_proc_spawn(const char *const *argv, const struct mg_runas *as, const char *logfile,
                  pid_t *out_pid, struct mg_err *err)
{
    pid_t pid = fork();

    if (pid < 0)
        return mg_err_set(err, MG_EFAIL, "cannot fork: %s", strerror(errno));
    if (pid == 0) {
        setsid();
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        int log = open(logfile, O_WRONLY | O_CREAT | O_APPEND, 0640);
        if (log >= 0) {
            if (as && as->uid != (uid_t)-1)
                if (fchown(log, as->uid, as->gid) < 0) {
                    /* the server then cannot reopen it, but it still writes to the fd */
                }
            dup2(log, 1);
            dup2(log, 2);
        }
        if (become(as) < 0)
            _exit(126);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    *out_pid = pid;
    return 0;
}
