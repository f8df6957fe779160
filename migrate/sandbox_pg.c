/* sandbox_pg.c — a throwaway PostgreSQL: initdb, pg_ctl start/stop. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox.h"
#include "util.h"

static int has_initdb(const char *bindir)
{
    struct mg_buf p = MG_BUF_INIT;
    int ok;

    mg_buf_addf(&p, "%s/initdb", bindir);
    ok = access(p.ptr, X_OK) == 0;
    mg_buf_free(&p);
    return ok;
}

/* Finds the server binaries: MIGRATE_PG_BINDIR, Debian's layout, pg_config, then PATH. */
static int find_bindir(char *out, size_t size, struct mg_err *err)
{
    const char *env = getenv("MIGRATE_PG_BINDIR");
    DIR *d;
    struct dirent *de;
    long best = -1;

    if (env && *env) {
        if (!has_initdb(env))
            return mg_err_set(err, MG_EFAIL, "MIGRATE_PG_BINDIR='%s' has no initdb", env);
        snprintf(out, size, "%s", env);
        return 0;
    }
    d = opendir("/usr/lib/postgresql");
    while (d && (de = readdir(d))) {
        char cand[300];
        long v = strtol(de->d_name, NULL, 10);
        snprintf(cand, sizeof(cand), "/usr/lib/postgresql/%s/bin", de->d_name);
        if (v > best && has_initdb(cand)) {
            best = v;
            snprintf(out, size, "%s", cand);
        }
    }
    if (d)
        closedir(d);
    if (best >= 0)
        return 0;
    char *initdb = mg_proc_which("initdb");
    if (initdb) {
        char *slash = strrchr(initdb, '/');
        *slash = '\0';
        snprintf(out, size, "%s", initdb);
        free(initdb);
        return 0;
    }
    mg_err_set(err, MG_EFAIL, "the PostgreSQL server programs (initdb, pg_ctl) are not installed");
    mg_err_hint(err, "install them with 'make deps' (Debian package postgresql), or point "
                     "MIGRATE_PG_BINDIR at their folder");
    return MG_EFAIL;
}

static int append_file(const char *path, const char *text, struct mg_err *err)
{
    FILE *f = fopen(path, "a");

    if (!f)
        return mg_err_set(err, MG_EFAIL, "cannot write '%s': %s", path, strerror(errno));
    fputs(text, f);
    if (fclose(f) != 0)
        return mg_err_set(err, MG_EFAIL, "cannot write '%s': %s", path, strerror(errno));
    return 0;
}

/* Reads the postmaster's pid from its pid file. */
static void read_pid(struct mg_sandbox *sb)
{
    struct mg_buf pidfile = MG_BUF_INIT, pid = MG_BUF_INIT;
    struct mg_err ignored;

    mg_err_clear(&ignored);
    mg_buf_addf(&pidfile, "%s/data/postmaster.pid", sb->dir);
    if (mg_read_file(&pid, pidfile.ptr, 4096, &ignored) == 0)
        sb->pid = strtol(pid.ptr, NULL, 10);
    mg_buf_free(&pidfile);
    mg_buf_free(&pid);
}

static int pg_restart(struct mg_sandbox *sb, const struct mg_runas *as, struct mg_err *err)
{
    struct mg_buf data = MG_BUF_INIT, ctl = MG_BUF_INIT, log = MG_BUF_INIT, out = MG_BUF_INIT;
    int st;

    mg_buf_addf(&data, "%s/data", sb->dir);
    mg_buf_addf(&ctl, "%s/pg_ctl", sb->bindir);
    mg_buf_addf(&log, "%s/server.log", sb->dir);
    const char *argv[] = {ctl.ptr, "-D", data.ptr, "-l", log.ptr, "-w", "-t", "60", "start", NULL};
    /*
     * After a crash the pid file names a dead (possibly unreaped) process,
     * which the server would take for a live one; and the dead server's
     * backends need a moment to notice and let go of shared memory.
     */
    if (!mg_pid_alive(sb->pid)) {
        struct mg_buf pidfile = MG_BUF_INIT;
        mg_buf_addf(&pidfile, "%s/postmaster.pid", data.ptr);
        unlink(pidfile.ptr);
        mg_buf_reset(&pidfile);
        mg_buf_addf(&pidfile, "%s/sock/.s.PGSQL.%d.lock", sb->dir, sb->port);
        unlink(pidfile.ptr);
        mg_buf_free(&pidfile);
    }
    for (int attempt = 0; attempt < 40; attempt++) {
        struct mg_buf tail = MG_BUF_INIT;
        mg_buf_reset(&out);
        st = mg_proc_run(argv, as, &out, err);
        if (st <= 0)
            break;
        mg_sandbox_log_tail(&tail, log.ptr);
        int busy = strstr(tail.ptr, "shared memory block") != NULL;
        mg_buf_add(&out, "\n", 1);
        mg_buf_add(&out, tail.ptr, tail.len);
        mg_buf_free(&tail);
        if (!busy)
            break;
        mg_sleep_ms(250);
    }
    if (st > 0) {
        mg_buf_rtrim(&out);
        mg_err_set(err, MG_EFAIL, "the PostgreSQL sandbox did not restart (pg_ctl exit %d)", st);
        mg_err_detail(err, "%s", out.ptr);
        st = MG_EFAIL;
    }
    if (!st)
        read_pid(sb);
    mg_buf_free(&data);
    mg_buf_free(&ctl);
    mg_buf_free(&log);
    mg_buf_free(&out);
    return st < 0 ? st : 0;
}

static int pg_start(struct mg_sandbox *sb, const struct mg_runas *as, struct mg_err *err)
{
    struct mg_buf data = MG_BUF_INIT, sock = MG_BUF_INIT, log = MG_BUF_INIT, out = MG_BUF_INIT;
    struct mg_buf conf = MG_BUF_INIT, path = MG_BUF_INIT, ctl = MG_BUF_INIT, initdb = MG_BUF_INIT;
    int rc;

    rc = find_bindir(sb->bindir, sizeof(sb->bindir), err);
    if (rc)
        return rc;
    mg_buf_addf(&data, "%s/data", sb->dir);
    mg_buf_addf(&sock, "%s/sock", sb->dir);
    mg_buf_addf(&log, "%s/server.log", sb->dir);
    mg_buf_addf(&initdb, "%s/initdb", sb->bindir);
    mg_buf_addf(&ctl, "%s/pg_ctl", sb->bindir);
    if (mkdir(sock.ptr, 0700) < 0 && errno != EEXIST) {
        rc = mg_err_set(err, MG_EFAIL, "cannot create '%s': %s", sock.ptr, strerror(errno));
        goto out;
    }
    rc = mg_sandbox_chown(sock.ptr, as, err);
    if (rc)
        goto out;
    {
        const char *argv[] = {initdb.ptr, "-D", data.ptr, "-U",         "postgres",  "-A",
                              "trust",    "-E", "UTF8",   "--locale=C", "--no-sync", NULL};
        int st = mg_proc_run(argv, as, &out, err);
        if (st < 0) {
            rc = st;
            goto out;
        }
        if (st != 0) {
            mg_buf_rtrim(&out);
            rc = mg_err_set(err, MG_EFAIL, "initdb failed (exit %d)", st);
            mg_err_detail(err, "%s", out.ptr);
            goto out;
        }
    }
    /* local socket and the superuser trusted; other users need a password over TCP */
    mg_buf_addf(&path, "%s/pg_hba.conf", data.ptr);
    {
        const char *hba = "# migrate sandbox\n"
                          "local all all trust\n"
                          "host all postgres 127.0.0.1/32 trust\n"
                          "host all all 127.0.0.1/32 scram-sha-256\n";
        rc = mg_write_file_atomic(path.ptr, hba, strlen(hba), err);
        if (!rc)
            rc = mg_sandbox_chown(path.ptr, as, err);
        if (rc)
            goto out;
    }
    for (int attempt = 0; attempt < 5; attempt++) {
        rc = mg_sandbox_free_port(&sb->port, err);
        if (rc)
            goto out;
        mg_buf_reset(&conf);
        mg_buf_addf(&conf,
                    "\n# migrate sandbox: a throwaway server; fsync off (survives a server crash,\n"
                    "# not an OS crash)\n"
                    "port = %d\n"
                    "listen_addresses = '127.0.0.1'\n"
                    "unix_socket_directories = '%s'\n"
                    "fsync = off\n"
                    "full_page_writes = off\n"
                    "wal_level = replica\n"
                    "max_connections = 100\n"
                    "shared_buffers = 128MB\n"
                    "max_wal_size = 1GB\n"
                    "logging_collector = off\n",
                    sb->port, sock.ptr);
        mg_buf_reset(&path);
        mg_buf_addf(&path, "%s/postgresql.auto.conf", data.ptr);
        struct mg_buf full = MG_BUF_INIT;
        mg_buf_adds(&full, "# written by migrate sandbox\n");
        mg_buf_add(&full, conf.ptr, conf.len);
        rc = mg_write_file_atomic(path.ptr, full.ptr, full.len, err);
        mg_buf_free(&full);
        if (!rc)
            rc = mg_sandbox_chown(path.ptr, as, err);
        if (rc)
            goto out;
        const char *argv[] = {ctl.ptr, "-D", data.ptr, "-l",    log.ptr,
                              "-w",    "-t", "60",     "start", NULL};
        mg_buf_reset(&out);
        /* the log file must be writable by the server user */
        if (append_file(log.ptr, "", err) || mg_sandbox_chown(log.ptr, as, err)) {
            rc = err->code;
            goto out;
        }
        int st = mg_proc_run(argv, as, &out, err);
        if (st < 0) {
            rc = st;
            goto out;
        }
        if (st == 0) {
            rc = 0;
            break;
        }
        struct mg_buf tail = MG_BUF_INIT;
        mg_sandbox_log_tail(&tail, log.ptr);
        int in_use = strstr(tail.ptr, "Address already in use") != NULL;
        if (!in_use || attempt == 4) {
            mg_buf_rtrim(&out);
            rc = mg_err_set(err, MG_EFAIL, "the PostgreSQL sandbox did not start (pg_ctl exit %d)",
                            st);
            mg_err_detail(err, "%s\n%s", out.ptr, tail.ptr);
            mg_buf_free(&tail);
            goto out;
        }
        mg_buf_free(&tail);
    }
    read_pid(sb);
    snprintf(sb->url, sizeof(sb->url), "postgres://postgres@/postgres?host=%s&port=%d", sock.ptr,
             sb->port);
    snprintf(sb->tcp_url, sizeof(sb->tcp_url), "postgres://postgres@127.0.0.1:%d/postgres",
             sb->port);
out:
    mg_buf_free(&data);
    mg_buf_free(&sock);
    mg_buf_free(&log);
    mg_buf_free(&out);
    mg_buf_free(&conf);
    mg_buf_free(&path);
    mg_buf_free(&ctl);
    mg_buf_free(&initdb);
    return rc;
}

static int pg_stop(const struct mg_sandbox *sb, const struct mg_runas *as, struct mg_err *err)
{
    struct mg_buf data = MG_BUF_INIT, ctl = MG_BUF_INIT, out = MG_BUF_INIT;
    int st;

    mg_buf_addf(&data, "%s/data", sb->dir);
    mg_buf_addf(&ctl, "%s/pg_ctl", sb->bindir);
    const char *argv[] = {ctl.ptr, "-D", data.ptr, "-m", "fast", "-w", "-t", "30", "stop", NULL};
    st = mg_proc_run(argv, as, &out, err);
    if (st > 0) {
        /* a server that will not stop fast is a sandbox: stop it hard */
        const char *hard[] = {ctl.ptr, "-D", data.ptr, "-m", "immediate", "-w", "stop", NULL};
        mg_buf_reset(&out);
        st = mg_proc_run(hard, as, &out, err);
        if (st > 0) {
            mg_buf_rtrim(&out);
            mg_err_set(err, MG_EFAIL, "cannot stop the sandbox server in '%s'", sb->dir);
            mg_err_detail(err, "%s", out.ptr);
            st = MG_EFAIL;
        }
    }
    mg_buf_free(&data);
    mg_buf_free(&ctl);
    mg_buf_free(&out);
    return st < 0 ? st : 0;
}

const struct mg_sandbox_kind mg_sandbox_postgres = {
    .name = "postgres",
    .start = pg_start,
    .stop = pg_stop,
    .restart = pg_restart,
};
