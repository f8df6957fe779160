# An online type change (int -> bigint on the primary key) of a 200,000-row table while a
# workload inserts, updates, deletes and re-keys rows, mirrored in a control table in the same
# transactions: after the swap the table holds exactly the control table's rows.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/osclib.sh"
new_pg_db
osc_tables 200000
pg "CREATE INDEX t_v ON t (v)" >/dev/null

workload_start
before=$(ops)
mg --format json osc --table t --alter "ALTER TABLE t ALTER COLUMN id TYPE bigint" --chunk-time 50ms
assert_rc 0 "osc"
during=$(($(ops) - before))
workload_more 200 # writes to the new table after the swap count too
workload_stop

[ "$during" -gt 0 ] || fail "the workload did not run during the change"
assert_same_rows
assert_eq "$(pg "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'id'")" bigint
assert_eq "$(pg "SELECT string_agg(indexrelid::regclass::text, ',' ORDER BY indexrelid::regclass::text) FROM pg_index WHERE indrelid = 't'::regclass")" "t_pkey,t_v"
# the JSON summary
assert_eq "$(jq -r '.ok' "$T/out")" true
assert_eq "$(jq -r '.job.phase' "$T/out")" done
assert_eq "$(jq -r '.job.key' "$T/out")" id
[ "$(jq -r '.job.rows_copied' "$T/out")" -ge 150000 ] || fail "too few rows copied"
[ "$(jq -r '.job.ranges_verified' "$T/out")" -ge 1 ] || fail "nothing verified"
assert_eq "$(jq -r '.job.cutover_attempts' "$T/out")" 1
assert_eq "$(jq -r '.job.old_table' "$T/out")" '"migrate_osc_1_old"."t"'
# progress went to stderr
assert_err "osc job 1: copied"
grep -Eq "osc job 1: copied [0-9,]+ of ~[0-9,]+ rows \([0-9]+%\), [0-9,]+ rows/s, batch [0-9,]+" "$T/err" ||
    fail "no progress line with the rate: $(cat "$T/err")"
assert_err "osc job 1: swapped after 1 attempt"
# the original is kept, without the engine's triggers; the work schema is gone
assert_eq "$(pg "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'migrate_osc_1_old.t'::regclass AND NOT tgisinternal")" 0
assert_eq "$(pg "SELECT to_regnamespace('migrate_osc_1_new') IS NULL")" t
# and goes with --drop-old
mg osc --resume 1 --drop-old
assert_rc 0 "drop old"
assert_eq "$(pg "SELECT to_regnamespace('migrate_osc_1_old') IS NULL")" t
assert_eq "$(pg "SELECT phase FROM migrate_osc_jobs WHERE id = 1")" done
