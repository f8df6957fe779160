/*
 * checkpoint_restore.c — turning a checkpoint document into the arguments
 * of the tools that restore to it: pgBackRest, Barman, PostgreSQL's own
 * recovery settings, mysqlbinlog (see mg_checkpoint_restore_args).
 *
 * Every output restores the state BEFORE the checkpoint's run: a named
 * restore point is reached exactly (the restore point record was written
 * before anything ran), an LSN target is made exclusive, a binlog position
 * is where replay stops.  Option names follow each tool's documentation:
 * pgBackRest restore (--type, --target, --target-exclusive,
 * --target-timeline, --target-action), Barman recover (--target-name,
 * --target-lsn, --exclusive, --target-tli, --target-action), PostgreSQL's
 * recovery_target_* settings, mysqlbinlog --stop-position/--stop-datetime.
 */
#include <stdio.h>
#include <string.h>

#include "checkpoint.h"

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Appends s for a POSIX shell: bare when harmless, else in single quotes. */
static void shell_word(struct mg_buf *out, const char *s)
{
    int plain = *s != '\0';

    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+,-", *p))
            plain = 0;
    if (plain) {
        mg_buf_adds(out, s);
        return;
    }
    mg_buf_addch(out, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            mg_buf_adds(out, "'\\''");
        else
            mg_buf_addch(out, *p);
    }
    mg_buf_addch(out, '\'');
}

/* Appends a PostgreSQL configuration string value: quoted, quotes doubled. */
static void conf_value(struct mg_buf *out, const char *s)
{
    mg_buf_addch(out, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            mg_buf_addch(out, '\'');
        mg_buf_addch(out, *p);
    }
    mg_buf_addch(out, '\'');
}

void mg_checkpoint_describe_position(struct mg_buf *out, const json_t *doc)
{
    const json_t *pos = json_object_get(doc, "position_before");
    const json_t *rp = json_object_get(doc, "restore_point");
    const char *kind = str(pos, "kind");
    const char *note = str(pos, "note");

    if (!kind || !strcmp(kind, "unknown")) {
        mg_buf_addf(out, "log position unknown%s%s", note ? ": " : "", note ? note : "");
    } else if (!strcmp(kind, "none")) {
        mg_buf_addf(out, "no log position%s%s", note ? ": " : "", note ? note : "");
    } else if (!strcmp(kind, "wal")) {
        const json_t *tli = json_object_get(pos, "timeline");
        if (json_is_object(rp))
            mg_buf_addf(out, "restore point %s, ", str(rp, "name"));
        else
            mg_buf_adds(out, "no restore point, ");
        mg_buf_addf(out, "LSN %s", str(pos, "lsn") ? str(pos, "lsn") : "unknown");
        if (json_is_integer(tli))
            mg_buf_addf(out, ", timeline %lld", (long long)json_integer_value(tli));
    } else if (!strcmp(kind, "binlog")) {
        const char *file = str(pos, "binlog_file");
        const char *gtid = str(pos, "gtid_set");
        if (file)
            mg_buf_addf(out, "binlog %s:%lld", file,
                        (long long)json_integer_value(json_object_get(pos, "binlog_position")));
        else
            mg_buf_adds(out, "binlog position unknown");
        if (gtid && *gtid)
            mg_buf_addf(out, ", GTID %s", gtid);
    } else {
        mg_buf_addf(out, "log position of kind '%s'", kind);
    }
}

/* The comment lines every output starts with: which checkpoint, which database. */
static void header(struct mg_buf *out, const json_t *doc)
{
    const json_t *db = json_object_get(doc, "database");
    const char *host = str(db, "host"), *port = str(db, "port");
    const char *sysid = str(db, "system_identifier"), *uuid = str(db, "server_uuid");
    const json_t *sid = json_object_get(db, "server_id");

    mg_buf_addf(out, "# migrate checkpoint %s (%s): version %lld, before 'migrate %s' ran\n",
                str(doc, "id"), str(doc, "created_at") ? str(doc, "created_at") : "?",
                (long long)json_integer_value(json_object_get(doc, "version_before")),
                str(doc, "command") ? str(doc, "command") : "?");
    mg_buf_addf(out, "# %s database \"%s\"", str(db, "product") ? str(db, "product") : "?",
                str(db, "database") ? str(db, "database") : "?");
    if (host)
        mg_buf_addf(out, " on %s%s%s", host, port ? ":" : "", port ? port : "");
    if (sysid)
        mg_buf_addf(out, ", system identifier %s", sysid);
    if (uuid)
        mg_buf_addf(out, ", server UUID %s", uuid);
    if (json_is_integer(sid))
        mg_buf_addf(out, ", server_id %lld", (long long)json_integer_value(sid));
    mg_buf_addch(out, '\n');
}

/* Why the checkpoint has no restore point, from its warnings, as comment lines. */
static void no_restore_point_note(struct mg_buf *out, const json_t *doc)
{
    const json_t *w = json_object_get(doc, "warnings");
    const char *why = NULL;
    size_t i;
    const json_t *v;

    json_array_foreach(w, i, v)
    {
        const char *t = json_string_value(v);
        if (t && (strstr(t, "restore point") || strstr(t, "standby"))) {
            why = t;
            break;
        }
    }
    mg_buf_addf(out, "# no restore point: %s\n", why ? why : "none was recorded");
    mg_buf_adds(out, "# so this recovers to the LSN instead, stopping just before it\n");
}

struct target {
    const char *name; /* restore point, or NULL */
    const char *lsn;  /* LSN, or NULL */
    long long tli;    /* 0 when unknown */
};

/* The PostgreSQL target of a checkpoint, or an error saying why there is none. */
static int wal_target(struct target *t, const json_t *doc, const char *tool, struct mg_err *err)
{
    const json_t *pos = json_object_get(doc, "position_before");
    const json_t *rp = json_object_get(doc, "restore_point");
    const json_t *db = json_object_get(doc, "database");
    const char *kind = str(pos, "kind");

    memset(t, 0, sizeof(*t));
    if (kind && !strcmp(kind, "binlog")) {
        mg_err_set(err, MG_EUSAGE, "%s restores PostgreSQL, but checkpoint %s is of a %s database",
                   tool, str(doc, "id"), str(db, "product") ? str(db, "product") : "MySQL");
        mg_err_hint(err, "use --as mysqlbinlog");
        return MG_EUSAGE;
    }
    if (json_is_object(rp))
        t->name = str(rp, "name");
    t->lsn = str(pos, "lsn");
    t->tli = json_integer_value(json_object_get(pos, "timeline"));
    if (!t->name && !t->lsn) {
        const char *note = str(pos, "note");
        mg_err_set(err, MG_EINPUT, "checkpoint %s recorded neither a restore point nor an LSN",
                   str(doc, "id"));
        if (note)
            mg_err_detail(err, "%s", note);
        mg_err_hint(err, "restore by time instead, to just before %s (recovery_target_time)",
                    str(doc, "created_at") ? str(doc, "created_at") : "the checkpoint");
        return MG_EINPUT;
    }
    return 0;
}

static void pgbackrest(struct mg_buf *out, const json_t *doc, const struct target *t,
                       const struct mg_restore_opts *o)
{
    mg_buf_adds(out, "# pgBackRest: stop the server, run this on its host (add --delta to reuse "
                     "the data directory), then start it\n");
    if (!o->stanza)
        mg_buf_adds(out, "# STANZA: this cluster's stanza in pgbackrest.conf (or give "
                         "--stanza NAME to 'migrate checkpoint show')\n");
    if (!t->name)
        no_restore_point_note(out, doc);
    mg_buf_adds(out, "pgbackrest --stanza=");
    shell_word(out, o->stanza ? o->stanza : "STANZA");
    if (t->name) {
        mg_buf_adds(out, " --type=name --target=");
        shell_word(out, t->name);
    } else {
        mg_buf_adds(out, " --type=lsn --target=");
        shell_word(out, t->lsn);
        mg_buf_adds(out, " --target-exclusive");
    }
    if (t->tli)
        mg_buf_addf(out, " --target-timeline=%lld", t->tli);
    mg_buf_adds(out, " --target-action=promote restore\n");
}

static void barman(struct mg_buf *out, const json_t *doc, const struct target *t,
                   const struct mg_restore_opts *o)
{
    mg_buf_addf(out,
                "# Barman: BACKUP_ID is a base backup that finished before %s ('barman "
                "list-backups SERVER')\n",
                str(doc, "created_at") ? str(doc, "created_at") : "the checkpoint");
    mg_buf_adds(out, "# Barman 3.12 and later call this command 'barman restore'; the options "
                     "are the same\n");
    if (!t->name)
        no_restore_point_note(out, doc);
    mg_buf_adds(out, "barman recover");
    if (t->name) {
        mg_buf_adds(out, " --target-name ");
        shell_word(out, t->name);
    } else {
        mg_buf_adds(out, " --target-lsn ");
        shell_word(out, t->lsn);
        mg_buf_adds(out, " --exclusive");
    }
    if (t->tli)
        mg_buf_addf(out, " --target-tli %lld", t->tli);
    mg_buf_adds(out, " --target-action promote ");
    shell_word(out, o->server ? o->server : "SERVER");
    mg_buf_addch(out, ' ');
    shell_word(out, o->backup_id ? o->backup_id : "BACKUP_ID");
    mg_buf_addch(out, ' ');
    shell_word(out, o->destination ? o->destination : "DESTINATION_DIR");
    mg_buf_addch(out, '\n');
}

static void recovery_conf(struct mg_buf *out, const json_t *doc, const struct target *t)
{
    mg_buf_adds(out, "# PostgreSQL 12 and later: add to postgresql.conf of the restored base "
                     "backup (taken before the\n"
                     "# checkpoint), set restore_command to fetch the archived WAL, and create "
                     "an empty recovery.signal\n"
                     "# file in the data directory; PostgreSQL 11 and earlier read these from "
                     "recovery.conf\n");
    if (!t->name)
        no_restore_point_note(out, doc);
    if (t->name) {
        mg_buf_adds(out, "recovery_target_name = ");
        conf_value(out, t->name);
        mg_buf_addch(out, '\n');
    } else {
        mg_buf_adds(out, "recovery_target_lsn = ");
        conf_value(out, t->lsn);
        mg_buf_adds(out, "\nrecovery_target_inclusive = false\n");
    }
    if (t->tli)
        mg_buf_addf(out, "recovery_target_timeline = '%lld'\n", t->tli);
    mg_buf_adds(out, "recovery_target_action = 'promote'\n");
    if (t->name && t->lsn) {
        mg_buf_adds(out, "# the same point by position, should the restore point not be in the "
                         "archive (use instead of\n"
                         "# recovery_target_name: only one recovery target may be set):\n"
                         "# recovery_target_lsn = ");
        conf_value(out, t->lsn);
        mg_buf_adds(out, "\n# recovery_target_inclusive = false\n");
    }
}

static int mysqlbinlog(struct mg_buf *out, const json_t *doc, struct mg_err *err)
{
    const json_t *pos = json_object_get(doc, "position_before");
    const json_t *db = json_object_get(doc, "database");
    const char *kind = str(pos, "kind"), *file = str(pos, "binlog_file");
    const char *gtid = str(pos, "gtid_set"), *gvar = str(pos, "gtid_variable");
    const char *created = str(doc, "created_at");

    if (!kind || strcmp(kind, "binlog") != 0) {
        if (kind && !strcmp(kind, "wal")) {
            mg_err_set(err, MG_EUSAGE,
                       "mysqlbinlog replays MySQL and MariaDB binary logs, but checkpoint %s is "
                       "of a %s database",
                       str(doc, "id"), str(db, "product") ? str(db, "product") : "PostgreSQL");
            mg_err_hint(err, "use --as pgbackrest, --as barman or --as recovery-conf");
            return MG_EUSAGE;
        }
        mg_err_set(err, MG_EINPUT, "checkpoint %s has no binary log position", str(doc, "id"));
        if (str(pos, "note"))
            mg_err_detail(err, "%s", str(pos, "note"));
        mg_err_hint(err,
                    "with binary logging off there is no log to replay: restore a backup "
                    "taken before %s",
                    created ? created : "the checkpoint");
        return MG_EINPUT;
    }
    if (!file) {
        mg_err_set(err, MG_EINPUT, "checkpoint %s recorded no binary log file", str(doc, "id"));
        return MG_EINPUT;
    }
    mg_buf_addf(out,
                "# mysqlbinlog: restore the last full backup taken before %s, then replay the "
                "binary log\n"
                "# from the backup's position up to the checkpoint: name the binlog files from "
                "the backup's one\n"
                "# up to %s in order, with --start-position=<the backup's position> for the "
                "first\n",
                created ? created : "the checkpoint", file);
    mg_buf_addf(out, "mysqlbinlog --stop-position=%lld ",
                (long long)json_integer_value(json_object_get(pos, "binlog_position")));
    shell_word(out, file);
    mg_buf_adds(out, " | mysql\n");
    if (gtid && *gtid && gvar && !strcmp(gvar, "gtid_binlog_pos"))
        mg_buf_addf(out,
                    "# or by GTID, on MariaDB 10.8 and later (inclusive: up to the last "
                    "transaction before the run):\n"
                    "# mariadb-binlog --stop-position=%s <binlog files> | mysql\n",
                    gtid);
    else if (gtid && *gtid)
        mg_buf_addf(out, "# the GTID set executed at the checkpoint (%s): %s\n",
                    gvar ? gvar : "gtid_executed", gtid);
    if (created && strlen(created) >= 19)
        mg_buf_addf(out,
                    "# or by time, to the second (UTC): TZ=UTC mysqlbinlog "
                    "--stop-datetime='%.10s %.8s' <binlog files> | mysql\n",
                    created, created + 11);
    return 0;
}

int mg_checkpoint_restore_args(struct mg_buf *out, const json_t *doc, const char *tool,
                               const struct mg_restore_opts *opts, struct mg_err *err)
{
    static const struct mg_restore_opts none = {0};
    struct target t;
    struct mg_buf body = MG_BUF_INIT;
    int rc = 0;

    if (!opts)
        opts = &none;
    if (opts->stanza && strcmp(tool, "pgbackrest") != 0) {
        mg_err_set(err, MG_EUSAGE, "--stanza goes with --as pgbackrest");
        return MG_EUSAGE;
    }
    if ((opts->server || opts->backup_id || opts->destination) && strcmp(tool, "barman") != 0) {
        mg_err_set(err, MG_EUSAGE, "--server, --backup-id and --destination go with --as barman");
        return MG_EUSAGE;
    }
    if (!strcmp(tool, "mysqlbinlog")) {
        rc = mysqlbinlog(&body, doc, err);
    } else if (!strcmp(tool, "pgbackrest") || !strcmp(tool, "barman") ||
               !strcmp(tool, "recovery-conf")) {
        rc = wal_target(&t, doc, tool, err);
        if (!rc && !strcmp(tool, "pgbackrest"))
            pgbackrest(&body, doc, &t, opts);
        else if (!rc && !strcmp(tool, "barman"))
            barman(&body, doc, &t, opts);
        else if (!rc)
            recovery_conf(&body, doc, &t);
    } else {
        mg_err_set(err, MG_EUSAGE, "unknown restore tool '%s'", tool);
        mg_err_hint(err, "use --as pgbackrest, barman, recovery-conf or mysqlbinlog");
        rc = MG_EUSAGE;
    }
    if (!rc) {
        header(out, doc);
        mg_buf_add(out, body.ptr, body.len);
    }
    mg_buf_free(&body);
    return rc;
}
