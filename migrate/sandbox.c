/* sandbox.c — the common part of throwaway servers (see sandbox.h). */
#define _XOPEN_SOURCE 700
#include "sandbox.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "url.h"
#include "util.h"

static const struct mg_sandbox_kind *kind_for(const char *driver)
{
    if (!strcmp(driver, "postgres") || !strcmp(driver, "postgresql") || !strcmp(driver, "pg"))
        return &mg_sandbox_postgres;
    if (!strcmp(driver, "mariadb") || !strcmp(driver, "mysql"))
        return &mg_sandbox_mariadb;
    return NULL;
}

int mg_sandbox_runas(struct mg_runas *out, const char *preferred, struct mg_err *err)
{
    struct passwd *pw;

    out->uid = (uid_t)-1;
    out->gid = (gid_t)-1;
    out->name = NULL;
    if (geteuid() != 0) {
        pw = getpwuid(geteuid());
        out->name = pw ? pw->pw_name : "self";
        return 0;
    }
    /* database servers refuse to run as root */
    pw = getpwnam(preferred);
    if (!pw)
        pw = getpwnam("nobody");
    if (!pw)
        return mg_err_set(err, MG_EFAIL,
                          "running as root, and neither user '%s' nor 'nobody' "
                          "exists to run the server as",
                          preferred);
    out->uid = pw->pw_uid;
    out->gid = pw->pw_gid;
    out->name = pw->pw_name;
    return 0;
}

int mg_sandbox_free_port(int *port, struct mg_err *err)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return mg_err_set(err, MG_EFAIL, "cannot create a socket: %s", strerror(errno));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        close(fd);
        return mg_err_set(err, MG_EFAIL, "cannot find a free port on 127.0.0.1: %s",
                          strerror(errno));
    }
    *port = ntohs(a.sin_port);
    close(fd);
    return 0;
}

static const struct mg_runas *chown_as;

static int chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return lchown(path, chown_as->uid, chown_as->gid) < 0 ? -1 : 0;
}

int mg_sandbox_chown(const char *path, const struct mg_runas *as, struct mg_err *err)
{
    if (as->uid == (uid_t)-1)
        return 0;
    chown_as = as;
    if (nftw(path, chown_one, 16, FTW_PHYS) < 0)
        return mg_err_set(err, MG_EFAIL, "cannot hand '%s' to user %s: %s", path, as->name,
                          strerror(errno));
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static int save_state(const struct mg_sandbox *sb, struct mg_err *err)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:i,s:I,s:s,s:s}", "driver", sb->driver, "dir", sb->dir,
                          "url", sb->url, "tcp_url", sb->tcp_url, "port", sb->port, "pid",
                          (json_int_t)sb->pid, "user", sb->user, "bindir", sb->bindir);
    char *s = json_dumps(o, JSON_INDENT(2));
    struct mg_buf path = MG_BUF_INIT;
    int rc;

    mg_buf_addf(&path, "%s/sandbox.json", sb->dir);
    rc = mg_write_file_atomic(path.ptr, s, strlen(s), err);
    mg_buf_free(&path);
    free(s);
    json_decref(o);
    return rc;
}

int mg_pid_alive(long pid)
{
    char path[64], buf[256];
    FILE *f;

    if (pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno != EPERM))
        return 0;
    /* a killed server whose parent has not reaped it yet is a zombie: dead */
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    f = fopen(path, "r");
    if (!f)
        return 1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *paren = strrchr(buf, ')');
    if (paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X'))
        return 0;
    /*
     * A killed one that is still on its way out (PF_EXITING in its flags, or SIGKILL pending)
     * is dead too: a restart right after a kill -9 must not find the old server "running".
     */
    unsigned flags = 0;
    if (paren && sscanf(paren + 2, "%*c %*d %*d %*d %*d %*d %u", &flags) == 1 && (flags & 0x4))
        return 0;
    snprintf(path, sizeof(path), "/proc/%ld/status", pid);
    f = fopen(path, "r");
    if (f) {
        char line[256];
        int killed = 0;
        while (fgets(line, sizeof(line), f)) {
            unsigned long long mask;
            if ((!strncmp(line, "SigPnd:", 7) || !strncmp(line, "ShdPnd:", 7)) &&
                sscanf(line + 7, "%llx", &mask) == 1 && (mask & (1ULL << (SIGKILL - 1))))
                killed = 1;
        }
        fclose(f);
        if (killed)
            return 0;
    }
    return 1;
}

int mg_sandbox_alive(const struct mg_sandbox *sb)
{
    return mg_pid_alive(sb->pid);
}

/* As root the server runs as another user, who must be able to enter every parent folder. */
static int check_reachable(const char *dir, const struct mg_runas *as, struct mg_err *err)
{
    char path[PATH_MAX];
    struct stat st;

    if (as->uid == (uid_t)-1)
        return 0;
    snprintf(path, sizeof(path), "%s", dir);
    for (char *slash = strrchr(path, '/'); slash && slash != path; slash = strrchr(path, '/')) {
        *slash = '\0';
        if (stat(path, &st) < 0)
            continue;
        int ok = (st.st_uid == as->uid && (st.st_mode & S_IXUSR)) ||
                 (st.st_gid == as->gid && (st.st_mode & S_IXGRP)) || (st.st_mode & S_IXOTH);
        if (!ok) {
            mg_err_set(err, MG_EUSAGE, "the server user '%s' cannot enter '%s' (mode %04o)",
                       as->name, path, (unsigned)(st.st_mode & 07777));
            mg_err_hint(err,
                        "put the sandbox under a folder that user can reach, such as /tmp, "
                        "or chmod o+x '%s'",
                        path);
            return MG_EUSAGE;
        }
    }
    return 0;
}

int mg_sandbox_start(struct mg_sandbox *out, const char *driver, const char *dir,
                     struct mg_err *err)
{
    const struct mg_sandbox_kind *k = kind_for(driver);
    struct mg_runas as;
    int created = 0, rc;

    memset(out, 0, sizeof(*out));
    if (!k) {
        mg_err_set(err, MG_EUSAGE, "no sandbox for driver '%s'", driver);
        mg_err_hint(err, "use --driver postgres or --driver mariadb");
        return MG_EUSAGE;
    }
    snprintf(out->driver, sizeof(out->driver), "%s", k->name);
    if (dir) {
        struct stat st;
        if (strlen(dir) > 80)
            return mg_err_set(err, MG_EUSAGE,
                              "the sandbox folder path is too long for a Unix "
                              "socket (over 80 bytes): '%s'",
                              dir);
        if (stat(dir, &st) == 0) {
            struct mg_buf state = MG_BUF_INIT;
            mg_buf_addf(&state, "%s/sandbox.json", dir);
            int has = access(state.ptr, F_OK) == 0;
            mg_buf_free(&state);
            if (has) {
                mg_err_set(err, MG_EUSAGE, "'%s' already holds a sandbox", dir);
                mg_err_hint(err,
                            "stop it first with 'migrate sandbox stop %s', or pick another "
                            "--dir",
                            dir);
                return MG_EUSAGE;
            }
        } else {
            if (mg_mkdirs(dir, err))
                return err->code;
            created = 1;
        }
        if (!realpath(dir, out->dir))
            return mg_err_set(err, MG_EFAIL, "cannot resolve '%s': %s", dir, strerror(errno));
    } else {
        const char *tmp = getenv("TMPDIR");
        if (!tmp || !*tmp || strlen(tmp) > 60)
            tmp = "/tmp";
        snprintf(out->dir, sizeof(out->dir), "%s/migrate-sandbox-XXXXXX", tmp);
        if (!mkdtemp(out->dir))
            return mg_err_set(err, MG_EFAIL, "cannot create a temporary folder in %s: %s", tmp,
                              strerror(errno));
        created = 1;
    }
    rc = mg_sandbox_runas(&as, !strcmp(k->name, "postgres") ? "postgres" : "mysql", err);
    if (!rc)
        snprintf(out->user, sizeof(out->user), "%s", as.name);
    if (!rc)
        rc = check_reachable(out->dir, &as, err);
    if (!rc)
        rc = mg_sandbox_chown(out->dir, &as, err);
    if (!rc)
        rc = k->start(out, &as, err);
    if (!rc)
        rc = save_state(out, err);
    if (rc) {
        if (mg_sandbox_alive(out)) {
            struct mg_err ignored;
            mg_err_clear(&ignored);
            k->stop(out, &as, &ignored);
        }
        if (created)
            nftw(out->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    }
    return rc;
}

int mg_sandbox_load(struct mg_sandbox *out, const char *arg, struct mg_err *err)
{
    struct mg_buf path = MG_BUF_INIT;
    char dir[PATH_MAX];
    json_t *o;
    json_error_t je;

    memset(out, 0, sizeof(*out));
    if (strstr(arg, "://")) {
        /* a sandbox URL names its socket folder in ?host= (postgres) or ?socket= */
        struct mg_url u;
        const char *h;
        if (mg_url_parse(&u, arg, err))
            return err->code;
        h = mg_url_param(&u, "host");
        if (!h)
            h = mg_url_param(&u, "socket");
        if (!h || h[0] != '/') {
            mg_url_free(&u);
            mg_err_set(err, MG_EUSAGE, "the URL does not point into a sandbox folder");
            mg_err_hint(err, "pass the sandbox folder, or the URL 'migrate sandbox start' printed");
            return MG_EUSAGE;
        }
        snprintf(dir, sizeof(dir), "%s", h);
        mg_url_free(&u);
        char *slash = strrchr(dir, '/');
        if (slash && !strcmp(slash, "/sock"))
            *slash = '\0';
        else if (slash && strstr(slash, ".sock")) {
            *slash = '\0';
            slash = strrchr(dir, '/');
            if (slash && !strcmp(slash, "/sock"))
                *slash = '\0';
        }
    } else {
        snprintf(dir, sizeof(dir), "%s", arg);
    }
    mg_buf_addf(&path, "%s/sandbox.json", dir);
    o = json_load_file(path.ptr, 0, &je);
    if (!o) {
        mg_err_set(err, MG_ENOTFOUND, "no sandbox in '%s'", dir);
        mg_err_detail(err, "%s: %s", path.ptr, je.text);
        mg_buf_free(&path);
        return MG_ENOTFOUND;
    }
    mg_buf_free(&path);
    const char *driver = NULL, *d = NULL, *url = NULL, *tcp = NULL, *user = NULL, *bindir = NULL;
    int port = 0;
    json_int_t pid = 0;
    if (json_unpack(o, "{s:s,s:s,s:s,s:s,s:i,s:I,s:s,s:s}", "driver", &driver, "dir", &d, "url",
                    &url, "tcp_url", &tcp, "port", &port, "pid", &pid, "user", &user, "bindir",
                    &bindir) < 0) {
        json_decref(o);
        return mg_err_set(err, MG_EFAIL, "'%s/sandbox.json' is damaged", dir);
    }
    snprintf(out->driver, sizeof(out->driver), "%s", driver);
    snprintf(out->dir, sizeof(out->dir), "%s", d);
    snprintf(out->url, sizeof(out->url), "%s", url);
    snprintf(out->tcp_url, sizeof(out->tcp_url), "%s", tcp);
    snprintf(out->user, sizeof(out->user), "%s", user);
    snprintf(out->bindir, sizeof(out->bindir), "%s", bindir);
    out->port = port;
    out->pid = (long)pid;
    json_decref(o);
    return 0;
}

int mg_sandbox_restart(struct mg_sandbox *sb, struct mg_err *err)
{
    const struct mg_sandbox_kind *k = kind_for(sb->driver);
    struct mg_runas as;
    int rc;

    if (!k)
        return mg_err_set(err, MG_EFAIL, "unknown sandbox driver '%s'", sb->driver);
    if (mg_sandbox_alive(sb))
        return 0;
    rc = mg_sandbox_runas(&as, sb->user, err);
    if (!rc)
        rc = k->restart(sb, &as, err);
    if (!rc)
        rc = save_state(sb, err);
    return rc;
}

int mg_sandbox_stop(const struct mg_sandbox *sb, int keep, struct mg_err *err)
{
    const struct mg_sandbox_kind *k = kind_for(sb->driver);
    struct mg_runas as;
    int rc = 0;

    if (!k)
        return mg_err_set(err, MG_EFAIL, "unknown sandbox driver '%s'", sb->driver);
    rc = mg_sandbox_runas(&as, sb->user, err);
    if (!rc && mg_sandbox_alive(sb))
        rc = k->stop(sb, &as, err);
    if (!rc && !keep && nftw(sb->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
        rc = mg_err_set(err, MG_EFAIL, "cannot remove '%s': %s", sb->dir, strerror(errno));
    return rc;
}

void mg_sandbox_log_tail(struct mg_buf *out, const char *path)
{
    struct mg_buf log = MG_BUF_INIT;
    struct mg_err ignored;

    mg_err_clear(&ignored);
    if (mg_read_file(&log, path, 1 << 24, &ignored) == 0) {
        size_t from = log.len > 1500 ? log.len - 1500 : 0;
        mg_buf_add(out, log.ptr + from, log.len - from);
        mg_buf_rtrim(out);
    }
    mg_buf_free(&log);
}
