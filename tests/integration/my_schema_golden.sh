# schema dump on MariaDB with every object kind: golden text, the same bytes twice, the
# engine's tables left out, and schema diff against the database.
. "$(dirname "$0")/lib.sh"
new_my_db
my_client "$MYDB" <"$MG_TEST_ROOT/tests/fixtures/schema/my_all_kinds.sql"
mkdir -p empty
mg -p empty up
assert_rc 0

mg schema dump
assert_rc 0
golden schema/my_all_kinds.txt
assert_no_out "migrate_history"
cp out dump1.txt
mg schema dump
cmp -s out dump1.txt || fail "a second dump differs from the first"
for kind in "table users" "view user_emails" "function score_band" "procedure purge_audit" \
    "event purge_audit_daily"; do
    grep -qx -- "$kind" dump1.txt || fail "the dump lacks the block '$kind'"
done
# view definitions do not name the database, so another database with the same schema is equal
assert_no_out "\`$MYDB\`"

mg schema diff dump1.txt "$DATABASE_URL"
assert_rc 0
assert_out "no differences"
my "CREATE INDEX users_score_idx ON users (score); ALTER TABLE accounts MODIFY name varchar(300) NOT NULL; DROP VIEW active_accounts"
mg schema diff dump1.txt "$DATABASE_URL"
assert_rc 3
assert_out "changed table users"
assert_out "  + index users_score_idx (score) using BTREE"
assert_out "  - column name varchar(200) not null"
assert_out "  + column name varchar(300) not null"
assert_out "removed view active_accounts"
