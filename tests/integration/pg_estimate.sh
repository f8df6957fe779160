# estimate: refusals (no clone, clone is the target, versions differ), the text report,
# --max-blocking and its exit code, locks held until a transactional file commits,
# scaling by the target's sizes, a statement failing on the clone, no target at all.
. "$(dirname "$0")/lib.sh"
new_pg_db target
TARGET=$DATABASE_URL
new_pg_db clone
CLONE=$DATABASE_URL
new_pg_db fresh
FRESH=$DATABASE_URL
unset DATABASE_URL
export MIGRATE_PATH=m
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$1" -c "$2"; }

mig m 1 base "CREATE TABLE t (id int PRIMARY KEY, v int); CREATE TABLE small (id int);"
mig m 2 two "ALTER TABLE t ADD COLUMN note text; CREATE INDEX t_v ON t (v);"

# no clone given
mg -d "$TARGET" estimate
assert_rc 2
assert_err "estimate needs a clone: --clone URL"

# the clone is the target, by the same URL or another way to reach it: refused before any write
mg -d "$FRESH" estimate --clone "$FRESH"
assert_rc 2
assert_err "the clone and the target are the same database"
assert_err "system identifier"
tcp=$(echo "$MG_PG_TCP" | sed "s|/postgres\$|/t_${MG_TEST_NAME}_fresh|")
mg -d "$FRESH" estimate --clone "$tcp"
assert_rc 2
assert_err "the clone and the target are the same database"
assert_eq "$(q "$FRESH" "SELECT to_regclass('migrate_history') IS NULL")" t "(nothing written to the target)"

# both at version 1; the target has 10 times the clone's rows
mg -d "$TARGET" up 1
assert_rc 0
mg -d "$CLONE" up 1
assert_rc 0
q "$TARGET" "INSERT INTO t SELECT g, g FROM generate_series(1, 20000) g; ANALYZE t"
q "$CLONE" "INSERT INTO t SELECT g, g FROM generate_series(1, 2000) g; ANALYZE t"
before=$(q "$TARGET" "SELECT count(*) FROM migrate_events")

# the versions must match: a clone ahead of the target is refused
mkdir m_ahead; cp m/1_* m_ahead/
mig m_ahead 9 nine "CREATE TABLE nine (id int);"
mg -p m_ahead -d "$CLONE" up
mg -d "$TARGET" estimate --clone "$CLONE"
assert_rc 2
assert_err "the clone is not at the target's version (clone 9, target 1)"
assert_err "recorded on the clone only: 9"
q "$CLONE" "DROP TABLE nine; DELETE FROM migrate_history WHERE version = 9"

# the text report
mg -d "$TARGET" estimate --clone "$CLONE"
assert_rc 0 "estimate"
assert_out "version 1; sizes read in a read-only transaction"
assert_out "2_two (m/2_two.up.sql): one transaction, 2 statements"
assert_out "m/2_two.up.sql:1: ALTER TABLE t ADD COLUMN note text"
assert_out "public.t ACCESS EXCLUSIVE: blocks SELECT, INSERT, UPDATE, DELETE"
assert_out "public.t SHARE: blocks INSERT, UPDATE, DELETE"
assert_out "(held until the migration commits)"
assert_out "work:     index build of public.t_v"
assert_out "verdict:  blocks reads and writes"
assert_out "summary:"
assert_err "clone and target are both at version 1"
assert_err "the clone is now at version 2"
# the clone recorded it, the target did not change
assert_eq "$(q "$CLONE" "SELECT status || ' ' || stmts_done || '/' || stmts_total FROM migrate_history WHERE version = 2")" "applied 2/2"
assert_eq "$(q "$TARGET" "SELECT count(*) FROM migrate_events")" "$before"
assert_eq "$(q "$TARGET" "SELECT to_regclass('t_v') IS NULL")" t

# a clone serves one estimate: it is at version 2 now
mg -d "$TARGET" estimate --clone "$CLONE"
assert_rc 2
assert_err "the clone is not at the target's version (clone 2, target 1)"

# a fresh clone, and JSON: in a transactional file the first statement's lock lasts until
# the commit; the index build scales by the ratio of the table's sizes
reclone() {
    psql -X -q "$MG_PG_URL" -c "DROP DATABASE \"t_${MG_TEST_NAME}_clone\"" -c "CREATE DATABASE \"t_${MG_TEST_NAME}_clone\"" >/dev/null
    mg -d "$CLONE" up 1
    q "$CLONE" "INSERT INTO t SELECT g, g FROM generate_series(1, 2000) g; ANALYZE t"
}
reclone
mg -d "$TARGET" --format json estimate --clone "$CLONE"
assert_rc 0
cp "$T/out" est.json
assert_eq "$(jq '.migrations[0].transaction' est.json)" true
assert_eq "$(jq '.migrations[0].statements[0].blocking.until_commit' est.json)" true
assert_eq "$(jq '.migrations[0].statements[0].blocking.reads_ms >= .migrations[0].statements[1].predicted_ms' est.json)" true
assert_eq "$(jq '.migrations[0].statements[1].verdict' est.json)" '"blocks_writes"'
assert_eq "$(jq '.migrations[0].verdict' est.json)" '"blocks_reads_writes"'
assert_eq "$(jq -r '.migrations[0].blocking.relation' est.json)" public.t
w='.migrations[0].statements[1].work[0]'
assert_eq "$(jq -r "$w.kind + \" \" + $w.measure" est.json)" "index_build bytes"
assert_eq "$(jq "($w.target_size / $w.clone_size * 1000 | round) == (.migrations[0].statements[1].factor * 1000 | round)" est.json)" true
assert_eq "$(jq "$w.target_size > 5 * $w.clone_size" est.json)" true
assert_eq "$(jq '.migrations[0].statements[0].work | length' est.json)" 0 "(ADD COLUMN is metadata only)"
assert_eq "$(jq '.migrations[0].statements[0].factor == 1' est.json)" true

# --max-blocking: 0ms is exceeded by any blocking statement (exit 3), an hour is not
reclone
mg -d "$TARGET" estimate --clone "$CLONE" --max-blocking 0ms
assert_rc 3
assert_err "statements would block reads or writes for longer than --max-blocking 0ms"
assert_err "m/2_two.up.sql:1: blocks reads and writes"
reclone
mg -d "$TARGET" estimate --clone "$CLONE" --max-blocking 1h
assert_rc 0
mg -d "$TARGET" estimate --clone "$CLONE" --max-blocking soon
assert_rc 2

# a statement that fails on the clone: reported, recorded as failed there, exit 1
reclone
mig m 3 three "CREATE INDEX CONCURRENTLY t_id2 ON t (id);
ALTER TABLE missing ADD COLUMN x int;"
mg -d "$TARGET" estimate --clone "$CLONE"
assert_rc 1
assert_err 'relation "missing" does not exist'
assert_err "3_three.up.sql, statement 2 of 2 (line 2), on the clone"
assert_out "FAILED on the clone: relation \"missing\" does not exist"
assert_eq "$(q "$CLONE" "SELECT status || ' ' || stmts_done || ' ' || error_stmt FROM migrate_history WHERE version = 3")" "failed 1 2"
rm m/3_three.up.sql

# no target: measured, not scaled
reclone
mg estimate --clone "$CLONE"
assert_rc 0
assert_err "no target database"
assert_out "target: none given; durations are the clone's, not scaled"
assert_out "(no target given: not scaled)"
