/*
 * cmd_create.c — migrate create NAME: a new pair of files.  The version is
 * the UTC time (YYYYMMDDHHMMSS) by default, or the next number with --seq
 * (zero-padded like the existing files).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "source.h"
#include "util.h"

static int write_new(const char *path, const char *text, struct mg_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    size_t len = strlen(text);

    if (fd < 0)
        return mg_err_set(err, MG_EFAIL, "cannot create '%s': %s", path, strerror(errno));
    if (write(fd, text, len) != (ssize_t)len) {
        close(fd);
        return mg_err_set(err, MG_EFAIL, "cannot write '%s': %s", path, strerror(errno));
    }
    close(fd);
    return 0;
}

int cmd_create(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"seq", no_argument, NULL, 'S'},
        {"timestamp", no_argument, NULL, 'T'},
        {0, 0, 0, 0},
    };
    struct mg_source src;
    struct mg_buf name = MG_BUF_INIT, up = MG_BUF_INIT, down = MG_BUF_INIT, text = MG_BUF_INIT;
    int c, seq = 0, rc;
    uint64_t version;
    char vbuf[32];

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        if (c == 'S')
            seq = 1;
        else if (c == 'T')
            seq = 0;
        else
            return MG_EUSAGE;
    }
    if (argc - optind != 1)
        return mg_err_set(err, MG_EUSAGE, "usage: migrate create NAME [--seq]");
    for (const char *p = argv[optind]; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (isalnum(ch))
            mg_buf_addch(&name, (char)tolower(ch));
        else if (name.len && name.ptr[name.len - 1] != '_')
            mg_buf_addch(&name, '_');
    }
    while (name.len && name.ptr[name.len - 1] == '_')
        mg_buf_setlen(&name, name.len - 1);
    if (!name.len) {
        mg_buf_free(&name);
        mg_err_set(err, MG_EUSAGE, "'%s' makes an empty migration name", argv[optind]);
        mg_err_hint(err, "use letters and digits, e.g. 'migrate create add_users_email'");
        return MG_EUSAGE;
    }
    if (mg_ctx_prepare(ctx, err)) {
        mg_buf_free(&name);
        return err->code;
    }
    if (mg_mkdirs(ctx->path, err)) {
        mg_buf_free(&name);
        return err->code;
    }
    rc = mg_ctx_load_source(ctx, &src, err);
    if (rc) {
        mg_buf_free(&name);
        return rc;
    }
    uint64_t last = src.n ? src.v[src.n - 1].version : 0;
    int width = 0;
    if (seq) {
        version = last + 1;
        /* keep the zero padding the directory already uses */
        if (src.n) {
            const struct mg_migration *m = &src.v[src.n - 1];
            const char *fname = m->up ? m->up->name : m->down->name;
            if (fname[0] == '0')
                width = (int)(strchr(fname, '_') - fname);
        } else {
            width = 6;
        }
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        version = (uint64_t)(tm.tm_year + 1900) * 10000000000ULL +
                  (uint64_t)(tm.tm_mon + 1) * 100000000ULL + (uint64_t)tm.tm_mday * 1000000ULL +
                  (uint64_t)tm.tm_hour * 10000ULL + (uint64_t)tm.tm_min * 100ULL +
                  (uint64_t)tm.tm_sec;
        if (version <= last)
            version = last + 1; /* two in one second, or a directory from the future */
    }
    snprintf(vbuf, sizeof(vbuf), "%0*llu", width, (unsigned long long)version);
    mg_buf_addf(&up, "%s/%s_%s.up.sql", ctx->path, vbuf, name.ptr);
    mg_buf_addf(&down, "%s/%s_%s.down.sql", ctx->path, vbuf, name.ptr);
    mg_buf_addf(&text, "-- %s: write the change here.\n", name.ptr);
    rc = write_new(up.ptr, text.ptr, err);
    if (!rc) {
        mg_buf_reset(&text);
        mg_buf_addf(&text, "-- %s: write here what undoes the up file.\n", name.ptr);
        rc = write_new(down.ptr, text.ptr, err);
        if (rc)
            unlink(up.ptr);
    }
    if (!rc) {
        if (ctx->format == MG_FMT_JSON)
            mg_print_json(json_pack("{s:I,s:s,s:s}", "version", (json_int_t)version, "up", up.ptr,
                                    "down", down.ptr));
        else
            printf("%s\n%s\n", up.ptr, down.ptr);
    }
    mg_source_free(&src);
    mg_buf_free(&name);
    mg_buf_free(&up);
    mg_buf_free(&down);
    mg_buf_free(&text);
    return rc;
}
