# --dry-run and plan on MariaDB: the exact SQL a run would send, printed the
# way the mysql client takes it back (DELIMITER around bodies with
# semicolons), on a read-only session; nothing is written.
. "$(dirname "$0")/lib.sh"
new_my_db
export MIGRATE_PATH=m
mig m 1 t "CREATE TABLE t (id int PRIMARY KEY);" "DROP TABLE t;"
mkdir -p m
cat >m/2_proc.up.sql <<'SQL'
DELIMITER $$
CREATE PROCEDURE two()
BEGIN
  INSERT INTO t VALUES (1);
  INSERT INTO t VALUES (2);
END$$
DELIMITER ;
SQL
printf 'DROP PROCEDURE two;\n' >m/2_proc.down.sql

mg up --dry-run
assert_rc 0
assert_out "CREATE TABLE t (id int PRIMARY KEY);"
assert_out "SELECT GET_LOCK(?, 0);"
assert_out "--   ?1 = '$MYDB:migrate:migrate_history'"
assert_out "DELIMITER \$\$"
assert_out "END\$\$"
assert_out "DELIMITER ;"
assert_out "INSERT INTO migrate_history"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()")" 0 "(a dry run writes nothing)"

# the migrations' statements as printed run in the mysql client (the engine's own have
# ? placeholders, with their values in the comments below them)
{
    grep -x 'CREATE TABLE t (id int PRIMARY KEY);' out
    sed -n '/^DELIMITER \$\$$/,/^DELIMITER ;$/p' out
} | my_client "$MYDB" 2>"$T/client.err" || fail "the printed SQL does not run: $(cat "$T/client.err")"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = DATABASE() AND routine_name = 'two'")" 1
my "DROP PROCEDURE two; DROP TABLE t"

mg --format json up --dry-run
assert_rc 0
assert_eq "$(jq -r '.dry_run' out)" true

# plan reads on a read-only session
mg plan
assert_rc 0
assert_out "2 migrations to apply"
mg up
assert_rc 0
assert_out "applied 2_proc"
