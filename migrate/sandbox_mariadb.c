/*
 * sandbox_mariadb.c — a throwaway MariaDB: mariadb-install-db into DIR/data,
 * then mariadbd in the background on DIR/sock/mysqld.sock and a free
 * loopback port, with binary logging on (checkpoints need a binlog
 * position) and durability traded for speed.  Root connects without a
 * password over the socket and from 127.0.0.1.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver.h"
#include "sandbox.h"
#include "util.h"

/* How long the server gets to accept connections, and to stop. */
#define START_TIMEOUT_MS 60000
#define STOP_TIMEOUT_MS  60000

/*
 * Finds one of `names`: in MIGRATE_MARIADB_BINDIR when set, else in PATH and
 * the sbin folders (mariadbd lives in /usr/sbin, which a normal user's PATH
 * often lacks).  Returns a malloc'ed path or NULL.
 */
static char *find_prog(const char *const *names)
{
    static const char *const dirs[] = {"/usr/sbin",      "/usr/local/sbin", "/usr/bin",
                                       "/usr/local/bin", "/usr/libexec",    "/usr/local/mysql/bin"};
    const char *env = getenv("MIGRATE_MARIADB_BINDIR");
    struct mg_buf p = MG_BUF_INIT;

    for (const char *const *n = names; *n; n++) {
        if (env && *env) {
            mg_buf_reset(&p);
            mg_buf_addf(&p, "%s/%s", env, *n);
            if (access(p.ptr, X_OK) == 0)
                return mg_buf_detach(&p);
            continue;
        }
        char *w = mg_proc_which(*n);
        if (w) {
            mg_buf_free(&p);
            return w;
        }
        for (size_t i = 0; i < MG_ARRAY_SIZE(dirs); i++) {
            mg_buf_reset(&p);
            mg_buf_addf(&p, "%s/%s", dirs[i], *n);
            if (access(p.ptr, X_OK) == 0)
                return mg_buf_detach(&p);
        }
    }
    mg_buf_free(&p);
    return NULL;
}

static int missing(struct mg_err *err, const char *what)
{
    const char *env = getenv("MIGRATE_MARIADB_BINDIR");

    if (env && *env)
        mg_err_set(err, MG_EFAIL, "MIGRATE_MARIADB_BINDIR='%s' has no %s", env, what);
    else
        mg_err_set(err, MG_EFAIL, "the MariaDB server programs (%s) are not installed", what);
    mg_err_hint(err, "install them with 'make deps' (Debian package mariadb-server), or point "
                     "MIGRATE_MARIADB_BINDIR at the folder that has mariadbd and "
                     "mariadb-install-db");
    return MG_EFAIL;
}

static int run_install_db(const char *prog, const struct mg_sandbox *sb, const struct mg_runas *as,
                          struct mg_err *err)
{
    struct mg_buf datadir = MG_BUF_INIT, tmpdir = MG_BUF_INIT, out = MG_BUF_INIT;
    int st;

    mg_buf_addf(&datadir, "--datadir=%s/data", sb->dir);
    mg_buf_addf(&tmpdir, "--tmpdir=%s/tmp", sb->dir);
    const char *argv[] = {prog,
                          "--no-defaults",
                          datadir.ptr,
                          tmpdir.ptr,
                          "--auth-root-authentication-method=normal",
                          "--skip-test-db",
                          "--skip-name-resolve",
                          NULL};
    st = mg_proc_run(argv, as, &out, err);
    if (st > 0) {
        mg_buf_rtrim(&out);
        mg_err_set(err, MG_EFAIL, "mariadb-install-db failed (exit %d)", st);
        mg_err_detail(err, "%s", out.ptr);
    }
    mg_buf_free(&datadir);
    mg_buf_free(&tmpdir);
    mg_buf_free(&out);
    return st > 0 ? MG_EFAIL : st;
}

/*
 * Waits until the server accepts a connection on its socket.  Returns 0,
 * 1 when the server exited (the caller reads the log), or MG_EFAIL on timeout.
 */
static int wait_ready(const struct mg_sandbox *sb, pid_t pid, struct mg_err *err)
{
    int64_t deadline = mg_monotonic_ms() + START_TIMEOUT_MS;
    struct drv_connect_opts o = {.application_name = "migrate sandbox", .connect_timeout_ms = 2000};

    for (;;) {
        struct drv_conn *c;
        struct mg_err e;
        int status;

        if (waitpid(pid, &status, WNOHANG) == pid)
            return 1;
        mg_err_clear(&e);
        if (drv_open(&c, sb->url, &o, &e) == 0) {
            drv_close(c);
            return 0;
        }
        if (mg_monotonic_ms() >= deadline) {
            mg_err_set(err, MG_EFAIL, "the MariaDB sandbox did not accept connections within %ds",
                       START_TIMEOUT_MS / 1000);
            mg_err_context(err, "last attempt: %s", e.msg);
            return MG_EFAIL;
        }
        mg_sleep_ms(100);
    }
}

static int my_stop_pid(pid_t pid, struct mg_err *err);

/*
 * Starts mariadbd on the sandbox's data directory and sb->port and waits
 * until it accepts connections.  Returns 0; 1 when the port was taken
 * (the caller may try another); or a negative code with err filled and the
 * end of the server log in the detail.
 */
static int launch(struct mg_sandbox *sb, const struct mg_runas *as, const char *server,
                  struct mg_err *err)
{
    struct mg_buf log = MG_BUF_INIT, a_data = MG_BUF_INIT, a_sock = MG_BUF_INIT,
                  a_port = MG_BUF_INIT, a_pid = MG_BUF_INIT, a_tmp = MG_BUF_INIT,
                  tail = MG_BUF_INIT;
    pid_t pid;
    int rc;

    mg_buf_addf(&log, "%s/server.log", sb->dir);
    mg_buf_addf(&a_data, "--datadir=%s/data", sb->dir);
    mg_buf_addf(&a_sock, "--socket=%s/sock/mysqld.sock", sb->dir);
    mg_buf_addf(&a_pid, "--pid-file=%s/mariadbd.pid", sb->dir);
    mg_buf_addf(&a_port, "--port=%d", sb->port);
    mg_buf_addf(&a_tmp, "--tmpdir=%s/tmp", sb->dir);
    const char *argv[] = {
        server, "--no-defaults", a_data.ptr, a_sock.ptr, a_port.ptr, "--bind-address=127.0.0.1",
        a_pid.ptr, a_tmp.ptr, "--skip-name-resolve", "--log-bin=binlog", "--server-id=1",
        "--binlog-format=ROW", "--character-set-server=utf8mb4",
        "--collation-server=utf8mb4_unicode_ci", "--max-connections=200",
        /*
         * a throwaway server: commits reach the OS at once but are
         * not flushed to disk, so it survives a crash of the server
         * (tests kill it), not of the machine
         */
        "--innodb-flush-log-at-trx-commit=2", "--sync-binlog=0", "--innodb-doublewrite=0",
        "--innodb-buffer-pool-size=64M", "--performance-schema=OFF", NULL};
    rc = mg_proc_spawn(argv, as, log.ptr, &pid, err);
    if (rc)
        goto out;
    sb->pid = pid;
    rc = wait_ready(sb, pid, err);
    if (rc == 0)
        goto out;
    mg_sandbox_log_tail(&tail, log.ptr);
    if (rc == 1 && strstr(tail.ptr, "already in use")) {
        sb->pid = 0;
        goto out; /* the port was taken between our probe and the server's bind */
    }
    if (rc == 1)
        mg_err_set(err, MG_EFAIL, "the MariaDB sandbox server exited while starting");
    else
        my_stop_pid(pid, err);
    mg_err_detail(err, "end of %s:\n%s", log.ptr, tail.ptr);
    sb->pid = 0;
    rc = MG_EFAIL;
out:
    mg_buf_free(&log);
    mg_buf_free(&a_data);
    mg_buf_free(&a_sock);
    mg_buf_free(&a_port);
    mg_buf_free(&a_pid);
    mg_buf_free(&a_tmp);
    mg_buf_free(&tail);
    return rc;
}

static const char *const server_names[] = {"mariadbd", "mysqld", NULL};

static int my_start(struct mg_sandbox *sb, const struct mg_runas *as, struct mg_err *err)
{
    static const char *const install_names[] = {"mariadb-install-db", "mysql_install_db", NULL};
    struct mg_buf sock = MG_BUF_INIT;
    char *server = find_prog(server_names), *install = find_prog(install_names);
    int rc = 0;

    if (!server || !install) {
        rc = missing(err, !server ? "mariadbd" : "mariadb-install-db");
        goto out;
    }
    snprintf(sb->bindir, sizeof(sb->bindir), "%s", server);
    *strrchr(sb->bindir, '/') = '\0';
    /* its own temporary folder: servers sharing /tmp have collided on temporary table names */
    for (int i = 0; i < 2; i++) {
        mg_buf_reset(&sock);
        mg_buf_addf(&sock, "%s/%s", sb->dir, i ? "tmp" : "sock");
        if (mkdir(sock.ptr, 0700) < 0 && errno != EEXIST) {
            rc = mg_err_set(err, MG_EFAIL, "cannot create '%s': %s", sock.ptr, strerror(errno));
            goto out;
        }
        rc = mg_sandbox_chown(sock.ptr, as, err);
        if (rc)
            goto out;
    }
    mg_buf_reset(&sock);
    mg_buf_addf(&sock, "%s/sock", sb->dir);
    rc = run_install_db(install, sb, as, err);
    if (rc)
        goto out;
    snprintf(sb->url, sizeof(sb->url), "mysql://root@localhost/mysql?socket=%s/mysqld.sock",
             sock.ptr);
    rc = 1;
    for (int attempt = 0; rc == 1 && attempt < 5; attempt++) {
        rc = mg_sandbox_free_port(&sb->port, err);
        if (!rc)
            rc = launch(sb, as, server, err);
    }
    if (rc == 1)
        rc = mg_err_set(err, MG_EFAIL, "no free port for the MariaDB sandbox after 5 tries");
    if (!rc)
        snprintf(sb->tcp_url, sizeof(sb->tcp_url), "mysql://root@127.0.0.1:%d/mysql", sb->port);
out:
    free(server);
    free(install);
    mg_buf_free(&sock);
    return rc;
}

/* Starts the server again on its data (after a stop or a crash): InnoDB recovers on its own. */
static int my_restart(struct mg_sandbox *sb, const struct mg_runas *as, struct mg_err *err)
{
    struct mg_buf server = MG_BUF_INIT;
    int rc = 1;

    for (const char *const *n = server_names; *n; n++) {
        mg_buf_reset(&server);
        mg_buf_addf(&server, "%s/%s", sb->bindir, *n);
        if (access(server.ptr, X_OK) == 0)
            break;
    }
    if (access(server.ptr, X_OK) != 0) {
        rc = missing(err, "mariadbd");
        mg_buf_free(&server);
        return rc;
    }
    /* the port is in the saved URLs: wait for it rather than move */
    for (int attempt = 0; rc == 1 && attempt < 40; attempt++) {
        if (attempt)
            mg_sleep_ms(250);
        rc = launch(sb, as, server.ptr, err);
    }
    if (rc == 1)
        rc = mg_err_set(err, MG_EFAIL, "port %d of the MariaDB sandbox stays in use", sb->port);
    mg_buf_free(&server);
    return rc;
}

/* SIGTERM (mariadbd shuts down cleanly on it), then SIGKILL if it does not go in time. */
static int my_stop_pid(pid_t pid, struct mg_err *err)
{
    int64_t deadline = mg_monotonic_ms() + STOP_TIMEOUT_MS;

    if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
        return mg_err_set(err, MG_EFAIL, "cannot stop the sandbox server (pid %ld): %s", (long)pid,
                          strerror(errno));
    while (mg_pid_alive(pid) && mg_monotonic_ms() < deadline) {
        waitpid(pid, NULL, WNOHANG);
        mg_sleep_ms(50);
    }
    if (!mg_pid_alive(pid))
        return 0;
    kill(pid, SIGKILL);
    deadline = mg_monotonic_ms() + 10000;
    while (mg_pid_alive(pid) && mg_monotonic_ms() < deadline) {
        waitpid(pid, NULL, WNOHANG);
        mg_sleep_ms(50);
    }
    if (!mg_pid_alive(pid))
        return 0;
    return mg_err_set(err, MG_EFAIL, "the sandbox server (pid %ld) does not stop", (long)pid);
}

static int my_stop(const struct mg_sandbox *sb, const struct mg_runas *as, struct mg_err *err)
{
    (void)as;
    return my_stop_pid((pid_t)sb->pid, err);
}

const struct mg_sandbox_kind mg_sandbox_mariadb = {
    .name = "mariadb",
    .start = my_start,
    .stop = my_stop,
    .restart = my_restart,
};
