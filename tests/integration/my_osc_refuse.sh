# MariaDB: what an online change refuses, and why; a dry run; a backfill; an online migration
# file; names that need backticks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/osclib.sh"
new_my_db
my "CREATE TABLE nokey (a int, b text); INSERT INTO nokey VALUES (1, 'x');
    CREATE TABLE t (id int PRIMARY KEY, v int, s varchar(20));
    INSERT INTO t SELECT seq, seq, 'x' FROM seq_1_to_1000;
    CREATE TABLE trig (id int PRIMARY KEY); CREATE TRIGGER tr AFTER INSERT ON trig FOR EACH ROW SET @x = 1;
    CREATE TABLE parent (id int PRIMARY KEY);
    CREATE TABLE child (id int PRIMARY KEY, p int, FOREIGN KEY (p) REFERENCES parent (id));
    CREATE TABLE ar (id int PRIMARY KEY) ENGINE = Aria;"

mg osc --table nokey --alter "ALTER TABLE nokey MODIFY a bigint"
assert_rc 2 "no key"
assert_err "it has no primary key or unique index over NOT NULL columns"
my "CREATE TABLE bin (id varbinary(16) PRIMARY KEY, v int); INSERT INTO bin VALUES (UNHEX('FFFE'), 1)"
mg osc --alter "ALTER TABLE bin MODIFY v bigint"
assert_rc 2 "binary key"
assert_err "none of its keys can be walked in order"
assert_err "its key column 'id' has type varbinary(16)"
mg osc --alter "ALTER TABLE trig ADD COLUMN x int"
assert_rc 2 "triggers"
assert_err "it has triggers of its own"
mg osc --alter "ALTER TABLE parent ADD COLUMN x int"
assert_rc 2 "referenced"
assert_err "foreign keys point at it"
mg osc --alter "ALTER TABLE ar ADD COLUMN x int"
assert_rc 2 "not innodb"
assert_err "it is not an InnoDB table"
mg osc --alter "ALTER TABLE t RENAME TO t2"
assert_rc 2 "rename"
assert_err "the online schema change cannot rename the table"
mg osc --alter "ALTER TABLE t ADD COLUMN n int NOT NULL"
assert_rc 2 "new NOT NULL column without a default"
assert_err "the ALTER adds column 'n' as NOT NULL without a DEFAULT"
mg osc --alter "ALTER TABLE t RENAME COLUMN v TO w"
assert_rc 2 "column rename"
assert_err "the online schema change cannot rename column 'v' to 'w'"
mg osc --alter "ALTER TABLE t CHANGE COLUMN IF EXISTS \`s\` s2 varchar(30), ADD COLUMN z int"
assert_rc 2 "column rename by CHANGE"
assert_err "the online schema change cannot rename column 's' to 's2'"
mg osc --alter "ALTER TABLE t CHANGE s S varchar(30), ADD INDEX sx (s)" --dry-run
assert_rc 0 "CHANGE without a new name"
mg osc --alter "ALTER TABLE t ADD COLUMN x int; DROP TABLE t"
assert_rc 2 "two statements"
assert_err "--alter must be exactly one ALTER TABLE statement"
mg osc --alter "ALTER TABLE t MODIFY id varchar(10)"
assert_rc 2 "key reordered"
assert_err "the ALTER changes key column 'id' from int(11) to varchar(10)"
mg osc --alter "ALTER TABLE t MODIFY nope int"
assert_rc 1 "server error"
assert_err "applying the ALTER to the shadow table"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME LIKE '\\_osc%'")" 0

# a dry run creates the shadow only to learn the change, and drops it again
mg osc --alter "ALTER TABLE t MODIFY v bigint, ADD COLUMN w int" --dry-run
assert_rc 0 "dry run"
assert_out "column:    v: convert (int(11) -> bigint(20))"
assert_out "column:    w: new (int(11))"
assert_out "RENAME TABLE \`$MYDB\`.\`t\` WAIT 0 TO"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME LIKE '\\_osc%'")" 0
# two dry runs of one table at once (two pull requests' CI) take turns on the scratch shadow
pids=()
for i in 1 2 3; do
    "$MIGRATE_BIN" osc --alter "ALTER TABLE t MODIFY v bigint" --dry-run >"$T/dry$i.out" 2>&1 &
    pids+=($!)
done
for i in 1 2 3; do
    wait "${pids[i - 1]}" || fail "concurrent dry run $i failed: $(cat "$T/dry$i.out")"
done
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME LIKE '\\_osc%'")" 0
# a dry run whose ALTER fails on the scratch shadow leaves nothing behind either
mg osc --alter "ALTER TABLE t ADD COLUMN v int" --dry-run
assert_rc 1 "failing dry run"
assert_err "Duplicate column name 'v'"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME LIKE '\\_osc%'")" 0

# a view that uses a column the change drops would break after the swap: refused; a column the
# view does not use may go, and the view reads the new table afterwards
my "CREATE TABLE vt (id int PRIMARY KEY, a int, b int); INSERT INTO vt VALUES (1, 1, 1), (2, 2, 2);
    CREATE VIEW vv AS SELECT id, b FROM vt"
mg osc --alter "ALTER TABLE vt DROP COLUMN b"
assert_rc 2 "view uses the column"
assert_err "the ALTER drops column 'b', which view \`$MYDB\`.\`vv\` uses"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME LIKE '\\_osc%new\\_vt'")" 0
mg osc --alter "ALTER TABLE vt DROP COLUMN a" --drop-old
assert_rc 0 "column the view does not use"
assert_eq "$(my "SELECT SUM(b) FROM vv")" 3

# names that need backticks, and a foreign key of the table itself
my 'CREATE TABLE `Order Items` (`Id` int PRIMARY KEY, `Parent` int, q int, FOREIGN KEY (`Parent`) REFERENCES parent (id));
    INSERT INTO parent VALUES (1); INSERT INTO `Order Items` VALUES (1, 1, 1), (2, 1, 2)'
mg osc --table '`Order Items`' --alter 'ALTER TABLE `Order Items` MODIFY q bigint'
assert_rc 0 "backticked name"
assert_eq "$(my 'SELECT SUM(q) FROM `Order Items`')" 3
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = '$MYDB' AND TABLE_NAME = 'Order Items' AND REFERENCED_TABLE_NAME = 'parent'")" 1
# the kept old table no longer checks its rows against the parent: deleting a parent row that
# only the old table still names works
assert_err "dropped the 1 foreign key(s) of the old table"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = '$MYDB' AND TABLE_NAME LIKE '\\_osc%'")" 0
my 'INSERT INTO parent VALUES (2); UPDATE `Order Items` SET `Parent` = 2; DELETE FROM parent WHERE id = 1' || fail "the old table's foreign key still checked"

# a backfill; a condition that would escape the key range is refused
mg osc --table t --backfill "SET s = 'x'" --where "v = 1) OR (1 = 1"
assert_rc 2 "unbalanced where"
assert_err "--where must be only a condition"
# a backfill
mg osc --table t --backfill "SET s = CONCAT('v', v)" --where "v % 2 = 0" --chunk-time 10ms --max-lag 1s
assert_rc 0 "backfill"
assert_err "--max-lag: the server is not a replica, and a MySQL/MariaDB primary cannot see its replicas' lag"
assert_out "backfilled \`$MYDB\`.\`t\`: 500 rows updated"
assert_eq "$(my "SELECT COUNT(*) FROM t WHERE s = CONCAT('v', v)")" 500
# run again, it finds the same rows (counted as PostgreSQL counts them, changed or not)
mg osc --table t --backfill "SET s = CONCAT('v', v)" --where "v % 2 = 0"
assert_rc 0 "backfill again"
assert_out "backfilled \`$MYDB\`.\`t\`: 500 rows updated"
mg osc --table t --backfill "SET s = 'x' WHERE v = 1"
assert_rc 2 "backfill with where inside"
# a table without transactions could see a batch applied twice by a retry: refused, as is a view
mg osc --table ar --backfill "SET id = id + 1"
assert_rc 2 "backfill of an Aria table"
assert_err "cannot backfill \`$MYDB\`.\`ar\`: it is not an InnoDB table (engine Aria)"
mg osc --table vv --backfill "SET b = 1"
assert_rc 2 "backfill of a view"
assert_err "it is not a base table (VIEW)"
# a system-versioned table: its rows may be backfilled (the history keeps the old values), but
# a copy would leave the history behind
my "CREATE TABLE sv (id int PRIMARY KEY, v int) WITH SYSTEM VERSIONING; INSERT INTO sv VALUES (1, 1), (2, 2)"
mg osc --table sv --backfill "SET v = v * 10"
assert_rc 0 "backfill of a system-versioned table"
assert_eq "$(my "SELECT CONCAT(SUM(v), ' ', (SELECT COUNT(*) FROM sv FOR SYSTEM_TIME ALL)) FROM sv")" "30 4"
mg osc --alter "ALTER TABLE sv MODIFY v bigint"
assert_rc 2 "change of a system-versioned table"
assert_err "it is system-versioned"

# an online migration file
export MIGRATE_PATH=m
mig m 1 widen "-- migrate:online
ALTER TABLE t MODIFY v bigint;
CREATE TABLE after_it (id int);" "DROP TABLE after_it;"
mg up
assert_rc 0 "up"
assert_err "statement 1 of 2 (line 2): online schema change"
assert_eq "$(my "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 't' AND COLUMN_NAME = 'v'")" bigint
assert_eq "$(my "SELECT CONCAT(status, ' ', stmts_done) FROM migrate_history WHERE version = 1")" "applied 2"

# the table altered by someone else while the job runs: the cut-over refuses to swap (the
# shadow lacks the change), and --abort leaves the table as it was
my "CREATE TABLE alt (id int PRIMARY KEY, v int); INSERT INTO alt SELECT seq, seq FROM seq_1_to_100"
touch "$T/pause"
"$MIGRATE_BIN" osc --alter "ALTER TABLE alt MODIFY v bigint" --pause-file "$T/pause" >"$T/alt.out" 2>"$T/alt.err" &
pid=$!
wait_until "grep -q 'paused' '$T/alt.err'" "the job to pause"
my "ALTER TABLE alt ADD COLUMN z int DEFAULT 7"
rm "$T/pause"
wait $pid; rc=$?
[ "$rc" != 0 ] || fail "the swap went ahead: $(cat "$T/alt.err")"
grep -q "was altered while the job ran" "$T/alt.err" || fail "no reason: $(cat "$T/alt.err")"
job=$(my "SELECT MAX(id) FROM migrate_osc_jobs")
mg osc --abort "$job"
assert_rc 0 "abort"
assert_eq "$(my "SELECT CONCAT(DATA_TYPE, ' ', (SELECT SUM(z) FROM alt)) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 'alt' AND COLUMN_NAME = 'v'")" "int 700"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME LIKE '\\\\_osc${job}\\\\_%'")" 0
