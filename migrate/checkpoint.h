/*
 * checkpoint.h — point-in-time checkpoints: before up, down or goto change
 * anything, the exact point in the database's history that a restore can
 * go back to, with what was about to run; completed after the run with
 * what did.
 *
 * A checkpoint is one JSON document (format in docs/checkpoint.md, schema
 * in docs/checkpoint.schema.json), kept twice, byte for byte the same: in
 * the table migrate_checkpoints and as <checkpoint-dir>/<id>.json, written
 * atomically.  The database's log position comes from the driver's
 * optional log_position and create_restore_point methods.
 */
#ifndef MG_CHECKPOINT_H
#define MG_CHECKPOINT_H

#include <jansson.h>
#include <stdint.h>

#include "buf.h"
#include "ctx.h"
#include "err.h"
#include "plan.h"
#include "run.h"

#define MG_CHECKPOINT_FORMAT         "migrate-checkpoint"
#define MG_CHECKPOINT_FORMAT_VERSION 1
#define MG_RESTORE_POINT_PREFIX      "migrate-"

/* A checkpoint being recorded around one run. */
struct mg_checkpoint {
    char id[37];
    json_t *doc; /* NULL until recorded */
    char *path;  /* its file */
    int in_db;   /* its row exists */
};

void mg_checkpoint_init(struct mg_checkpoint *cp);
void mg_checkpoint_free(struct mg_checkpoint *cp);

/*
 * Records the checkpoint before `plan` runs on the session (which holds the
 * runner lock): identity, version before, plan with checksums, schema hash,
 * log position and, where the server allows it, a restore point.  What the
 * server will not give (restore point not permitted, a standby ...) becomes
 * a warning in the document and on stderr.  Fails, before anything ran,
 * when the row or the file cannot be written or the connection is lost.
 */
int mg_checkpoint_begin(struct mg_checkpoint *cp, struct mg_session *s, const struct mg_ctx *ctx,
                        const struct mg_status *st, const struct mg_plan *plan, struct mg_err *err);

/*
 * Completes a recorded checkpoint after the run: the steps that ran, the
 * outcome (`run_err` is the run's failure or NULL), the version after
 * (`version_known` 0 when it could not be read) and the final position.
 * Never fails the run: what cannot be written is warned about.
 */
void mg_checkpoint_finish(struct mg_checkpoint *cp, struct mg_session *s, const struct mg_ctx *ctx,
                          const struct mg_run_report *rep, const struct mg_err *run_err,
                          uint64_t version_after, int version_known);

/* --- reading --- */

/*
 * Every checkpoint document of a directory (files <uuid>.json), oldest
 * first, as a new JSON array.  A missing directory holds none; a file that
 * is not a checkpoint is skipped with a warning.
 */
int mg_checkpoint_load_dir(json_t **out, const char *dir, struct mg_err *err);
/* Every checkpoint document of the database, oldest first; none when the table is missing. */
int mg_checkpoint_load_db(json_t **out, struct drv_conn *c, struct mg_err *err);
/*
 * The one document of `all` whose id is `id` or starts with it (case does
 * not matter); MG_ENOTFOUND when none, MG_EUSAGE when several match.
 * *out is borrowed from `all`.
 */
int mg_checkpoint_find(json_t **out, json_t *all, const char *id, struct mg_err *err);
/* Checks that a parsed document is a checkpoint this version reads. */
int mg_checkpoint_check_doc(const json_t *doc, const char *where, struct mg_err *err);

/* --- restore arguments --- */

/* Values for the placeholders of a restore command; NULL prints a placeholder. */
struct mg_restore_opts {
    const char *stanza;      /* pgBackRest --stanza */
    const char *server;      /* Barman server name */
    const char *backup_id;   /* Barman backup id */
    const char *destination; /* Barman destination directory */
};

/*
 * Appends what restores the state before the checkpoint's run for `tool`:
 * "pgbackrest", "barman", "recovery-conf" or "mysqlbinlog".  Comment lines
 * (#) say what it is; the rest is the exact command or settings.  Fails
 * with MG_EUSAGE for an unknown tool or one that does not fit the database,
 * and MG_EINPUT when the checkpoint has no position to restore to.
 */
int mg_checkpoint_restore_args(struct mg_buf *out, const json_t *doc, const char *tool,
                               const struct mg_restore_opts *opts, struct mg_err *err);

/* A one-line description of a document's log position ("restore point ..., LSN ..."). */
void mg_checkpoint_describe_position(struct mg_buf *out, const json_t *doc);

#endif
