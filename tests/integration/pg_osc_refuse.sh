# What an online change refuses, before it creates anything, and why: no usable key, objects
# the swap cannot carry over, a view that would change type, statements that are not one
# ALTER TABLE or that the engine cannot apply to a shadow table, a second job on a table.
. "$(dirname "$0")/lib.sh"
new_pg_db
pg "CREATE TABLE nokey (a int, b text); INSERT INTO nokey VALUES (1, 'x')" >/dev/null
pg "CREATE TABLE nullkey (a int UNIQUE, b text)" >/dev/null
pg "CREATE TABLE t (id int PRIMARY KEY, v int, s text); INSERT INTO t SELECT g, g, 'x' FROM generate_series(1, 100) g" >/dev/null

nothing_left() {
    assert_eq "$(pg "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'migrate_osc%'")" 0 "(work schemas left behind)"
    assert_eq "$(pg "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'migrate_osc%'")" 0 "(triggers left behind)"
    assert_eq "$(pg "SELECT count(*) FROM migrate_osc_jobs WHERE phase <> 'aborted' AND phase <> 'done'")" 0 "(jobs left behind)"
}

mg osc --table nokey --alter "ALTER TABLE nokey ALTER COLUMN a TYPE bigint"
assert_rc 2 "no key"
assert_err "cannot change \"public\".\"nokey\" online: it has no primary key or unique index over NOT NULL columns"
assert_err "hint: add a primary key first"
mg osc --table nullkey --alter "ALTER TABLE nullkey ADD COLUMN c int"
assert_rc 2 "nullable key"
assert_err "its unique indexes cannot order a copy"

# a materialized view would go stale; a function uses the row type
pg "CREATE MATERIALIZED VIEW mv AS SELECT * FROM t" >/dev/null
mg osc --table t --alter "ALTER TABLE t ALTER COLUMN v TYPE bigint"
assert_rc 2 "matview"
assert_err "objects depend on it that the swap cannot carry over"
assert_err "materialized view mv (a materialized view: its data would go stale)"
pg "DROP MATERIALIZED VIEW mv; CREATE FUNCTION f(t) RETURNS int LANGUAGE sql AS 'SELECT 1'" >/dev/null
mg osc --table t --alter "ALTER TABLE t ALTER COLUMN v TYPE bigint"
assert_rc 2 "rowtype"
assert_err "function f(t) (uses the table's row type)"
pg "DROP FUNCTION f(t)" >/dev/null

# a view over a column whose type changes cannot be re-created over the new table
pg "CREATE VIEW v AS SELECT id, v FROM t" >/dev/null
mg osc --table t --alter "ALTER TABLE t ALTER COLUMN v TYPE bigint"
assert_rc 2 "view column type"
assert_err "view v uses column 'v', which the ALTER gives another type"
mg osc --table t --alter "ALTER TABLE t DROP COLUMN v"
assert_rc 2 "view column dropped"
assert_err "view v uses column 'v', which the ALTER drops"
pg "DROP VIEW v" >/dev/null

# a self-reference, a partitioned table, row security
pg "CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree)" >/dev/null
mg osc --table tree --alter "ALTER TABLE tree ADD COLUMN x int"
assert_rc 2 "self fk"
assert_err "it has a foreign key that references itself"
pg "CREATE TABLE part (id int PRIMARY KEY) PARTITION BY RANGE (id)" >/dev/null
mg osc --table part --alter "ALTER TABLE part ADD COLUMN x int"
assert_rc 2 "partitioned"
assert_err "it is partitioned"
pg "CREATE TABLE sec (id int PRIMARY KEY); ALTER TABLE sec ENABLE ROW LEVEL SECURITY" >/dev/null
mg osc --table sec --alter "ALTER TABLE sec ADD COLUMN x int"
assert_rc 2 "rls"
assert_err "it has row security enabled or policies"

# the statement itself
mg osc --table t --alter "ALTER TABLE t ADD COLUMN x int; DROP TABLE t"
assert_rc 2 "two statements"
assert_err "--alter must be exactly one ALTER TABLE statement"
mg osc --table t --alter "ALTER TABLE t ADD COLUMN"
assert_rc 2 "syntax"
assert_err "--alter is not valid SQL: syntax error at end of input"
mg osc --table t --alter "ALTER TABLE t OWNER TO postgres"
assert_rc 2 "owner"
assert_err "the online schema change cannot apply AT_ChangeOwner"
assert_err "it does not rewrite or block the table for long; run it as a plain statement"
mg osc --table nokey --alter "ALTER TABLE t ADD COLUMN x int"
assert_rc 2 "other table"
assert_err "--table names \"public\".\"nokey\", but the ALTER changes public.t"
mg osc --table missing --alter "ALTER TABLE missing ADD COLUMN x int"
assert_rc 1 "missing table"
assert_err "table missing does not exist"
mg osc --table t --alter "ALTER TABLE t ALTER COLUMN id TYPE text"
assert_rc 2 "key reordered"
assert_err "the ALTER changes key column 'id' from integer to text, which may order rows differently"
mg osc --table t --alter "ALTER TABLE t ALTER COLUMN id TYPE bigint USING id * 2"
assert_rc 2 "key with USING"
assert_err "the ALTER computes key column 'id' with USING"
mg osc --table t --alter "ALTER TABLE t DROP CONSTRAINT t_pkey"
assert_rc 2 "key dropped"
assert_err "the ALTER leaves no unique index on (id)"
mg osc --table t --alter "ALTER TABLE t ALTER COLUMN v SET NOT NULL, ALTER COLUMN nope TYPE int"
assert_rc 1 "server error"
assert_err "column \"nope\" of relation \"t\" does not exist"
assert_err "applying the ALTER to the shadow table"
nothing_left

# options
mg osc --table t
assert_rc 2 "nothing to do"
assert_err "nothing to do"
mg osc --alter "ALTER TABLE t ADD COLUMN x int" --backfill "SET v = 1"
assert_rc 2 "two modes"
mg osc --table t --alter "ALTER TABLE t ADD COLUMN x int" --cut-over-lock-timeout 0
assert_rc 2 "no lock timeout"
assert_err "--cut-over-lock-timeout must be at least 1ms"
mg osc --resume 99
assert_rc 1 "no such job"
assert_err "there is no osc job 99"

# one job per table at a time
touch "$T/pause"
"$MIGRATE_BIN" osc --table t --alter "ALTER TABLE t ADD COLUMN x int" --pause-file "$T/pause" >/dev/null 2>&1 &
first=$!
wait_until "[ \"\$(pg \"SELECT count(*) FROM migrate_osc_jobs WHERE phase = 'copy'\")\" = 1 ]" "the first job"
mg osc --table t --alter "ALTER TABLE t ADD COLUMN y int"
assert_rc 5 "second job"
assert_err "\"public\".\"t\" has an unfinished osc job"
kill -TERM $first
wait $first
assert_eq "$?" 1 "(the interrupted first job)"

# the table altered by someone else while the job runs: the cut-over refuses to swap (the
# shadow lacks the change), and --abort leaves the table as it was
pg "CREATE TABLE alt (id int PRIMARY KEY, v int); INSERT INTO alt SELECT g, g FROM generate_series(1, 100) g" >/dev/null
touch "$T/pause"
"$MIGRATE_BIN" osc --alter "ALTER TABLE alt ALTER COLUMN v TYPE bigint" --pause-file "$T/pause" >"$T/alt.out" 2>"$T/alt.err" &
pid=$!
wait_until "grep -q 'paused' '$T/alt.err'" "the job to pause"
pg "ALTER TABLE alt ADD COLUMN z int DEFAULT 7" >/dev/null
rm "$T/pause"
wait $pid; rc=$?
[ "$rc" != 0 ] || fail "the swap went ahead: $(cat "$T/alt.err")"
grep -q "was altered while the job ran" "$T/alt.err" || fail "no reason: $(cat "$T/alt.err")"
job=$(pg "SELECT max(id) FROM migrate_osc_jobs")
mg osc --abort "$job"
assert_rc 0 "abort"
assert_eq "$(pg "SELECT format_type(atttypid, atttypmod) || ' ' || (SELECT sum(z) FROM alt) FROM pg_attribute WHERE attrelid = 'alt'::regclass AND attname = 'v'")" "integer 700"
assert_eq "$(pg "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'migrate\\_osc\\_${job}\\_%'")" 0
assert_eq "$(pg "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'alt'::regclass")" 0
