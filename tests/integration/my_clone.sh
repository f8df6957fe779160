# clone on MariaDB: the schema by SHOW CREATE in the rows' snapshot, rows sampled (or the
# first N) and written as parameters, values byte for byte, foreign keys valid, AUTO_INCREMENT
# where the source's stands, history whole; refusals; into a sandbox.
. "$(dirname "$0")/lib.sh"
new_my_db source
SRC=$DATABASE_URL
SRC_DB=$MYDB
new_my_db dest
DEST=$DATABASE_URL
DEST_DB=$MYDB
new_my_db dest2
DEST2=$DATABASE_URL
unset DATABASE_URL
export MIGRATE_PATH=m
q() { my_client -N -B -e "$2" "$1"; }

mig m 1 base "CREATE TABLE parent (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(40), b BLOB, bits BIT(8), ts TIMESTAMP NULL, z DATE);
CREATE TABLE child (id BIGINT PRIMARY KEY AUTO_INCREMENT, parent_id INT, twice INT AS (parent_id * 2) STORED,
  KEY child_parent_i (parent_id), CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id));
CREATE TABLE tree (id INT PRIMARY KEY, up INT, CONSTRAINT tree_up FOREIGN KEY (up) REFERENCES tree (id));
CREATE VIEW b_names AS SELECT id, name FROM parent;
CREATE VIEW a_names AS SELECT name FROM b_names;
CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
CREATE TRIGGER child_touch BEFORE INSERT ON child FOR EACH ROW SET NEW.parent_id = NEW.parent_id;"
mg -d "$SRC" up
assert_rc 0
# a zero date, a TIMESTAMP inside a DST gap of the server's zone, bytes that are not text
q "$SRC_DB" "SET SESSION sql_mode = '';
INSERT INTO parent (name, b, bits, ts, z) SELECT CONCAT('p', seq, ' é'), UNHEX('00FF0A5C27'), b'10100101', '2021-03-28 02:30:00', '0000-00-00' FROM seq_1_to_4000;
INSERT INTO child (parent_id) SELECT 1 + seq % 4000 FROM seq_1_to_20000;
INSERT INTO child (parent_id) SELECT NULL FROM seq_1_to_100;
INSERT INTO tree VALUES (1, NULL); INSERT INTO tree SELECT seq, seq - 1 FROM seq_2_to_200;
DELETE FROM child WHERE id > 20050;
ANALYZE TABLE parent, child, tree" >/dev/null || fail "loading the source"
# objects whose definer does not exist (a user dropped since): the clone's belong to its user
q "$SRC_DB" "CREATE DEFINER=\`ghost\`@\`%\` SQL SECURITY DEFINER VIEW ghost_v AS SELECT 1 AS x;
CREATE DEFINER=\`ghost\`@\`%\` TRIGGER tree_touch BEFORE UPDATE ON tree FOR EACH ROW SET NEW.up = NEW.up" 2>/dev/null ||
    fail "creating objects of a missing definer"
state() { q "$SRC_DB" "SELECT CONCAT((SELECT COUNT(*) FROM child), ' ', (SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'child'), ' ', (SELECT COUNT(*) FROM migrate_events))"; }
before=$(state)

# usage errors
mg clone --from "$SRC"
assert_rc 2
assert_err "give one destination: --to an empty database, or --sandbox"
mg clone --from "$SRC" --to "$DEST" --sample 0%
assert_rc 2
assert_err "--sample wants a share of rows such as 10%"
mg clone --from "$SRC" --to "$DEST" --sample 5% --rows 10
assert_rc 2
# the destination is the source (under another scheme too), or not empty
mg clone --from "$SRC" --to "$(echo "$SRC" | sed 's|^mysql://|mariadb://|')"
assert_rc 2
assert_err "the destination and the source are the same database"
q "$MYDB" "CREATE TABLE leftover (id int)"
mg clone --from "$SRC" --to "$DEST2"
assert_rc 2
assert_err "is not empty (1 tables and views)"

# a half sample of every table (none is copied whole below 0 bytes)
mg clone --from "$SRC" --to "$DEST" --sample 50% --whole-under 0
assert_rc 0 "clone"
assert_eq "$(cat "$T/out")" "$DEST" "(prints the clone's URL)"
assert_err "reading the schema of $SRC_DB with SHOW CREATE, in the snapshot the rows come from"
assert_err "rows of child whose parent row was not copied"
assert_err "rows of tree whose tree row was not copied"
parents=$(q "$DEST_DB" "SELECT COUNT(*) FROM parent")
children=$(q "$DEST_DB" "SELECT COUNT(*) FROM child")
[ "$parents" -gt 0 ] && [ "$parents" -lt 4000 ] || fail "parent rows: $parents, expected a sample of 4000"
[ "$children" -gt 0 ] && [ "$children" -lt 20050 ] || fail "child rows: $children, expected a sample"
# every kept row has its parent, down the chain, and the keys are checked again
assert_eq "$(q "$DEST_DB" "SELECT COUNT(*) FROM child c LEFT JOIN parent p ON p.id = c.parent_id WHERE c.parent_id IS NOT NULL AND p.id IS NULL")" 0
assert_eq "$(q "$DEST_DB" "SELECT COUNT(*) FROM tree c LEFT JOIN tree p ON p.id = c.up WHERE c.up IS NOT NULL AND p.id IS NULL")" 0
assert_eq "$(q "$DEST_DB" "SELECT @@foreign_key_checks")" 1
# values byte for byte (bytes, bits, zero dates, a DST gap), generated columns computed
row() { q "$1" "SELECT CONCAT_WS('|', name, HEX(b), HEX(bits), ts, z) FROM parent WHERE id = $2"; }
id=$(q "$DEST_DB" "SELECT MIN(id) FROM parent")
assert_eq "$(row "$DEST_DB" "$id")" "$(row "$SRC_DB" "$id")"
assert_eq "$(q "$DEST_DB" "SELECT COUNT(*) FROM child WHERE twice <> parent_id * 2")" 0
# the schema is the source's: views (one reads the other), function, trigger, keys, options
"$MIGRATE_BIN" -d "$SRC" schema dump >src.schema
"$MIGRATE_BIN" -d "$DEST" schema dump >dest.schema
diff -u src.schema dest.schema >&2 || fail "the clone's schema differs from the source's"
grep -q "trigger child_touch" dest.schema || fail "no trigger in the clone's schema"
assert_eq "$(q "$DEST_DB" "SELECT COUNT(*) FROM a_names")" "$parents"
assert_eq "$(q "$DEST_DB" "SELECT x FROM ghost_v")" 1 "(a view of a missing definer works on the clone)"
q "$DEST_DB" "UPDATE tree SET up = up WHERE id = 2" || fail "a trigger of a missing definer fails on the clone"
# AUTO_INCREMENT goes on where the source's stands; the history is whole
ai() { q "$1" "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'child'"; }
assert_eq "$(ai "$DEST_DB")" "$(ai "$SRC_DB")"
q "$DEST_DB" "INSERT INTO child (parent_id) VALUES (999999)" 2>/dev/null && fail "the clone's foreign key does not hold"
assert_eq "$(q "$DEST_DB" "SELECT COUNT(*) FROM migrate_history")" 1
assert_eq "$(q "$DEST_DB" "SELECT COUNT(*) FROM migrate_events")" "$(q "$SRC_DB" "SELECT COUNT(*) FROM migrate_events")"
# the source did not change
assert_eq "$(state)" "$before"

# the clone is at the source's version: an estimate takes it
mig m 2 idx "CREATE INDEX parent_name ON parent (name);"
mg -d "$SRC" --format json estimate --clone "$DEST"
assert_rc 0 "estimate on the clone"
assert_eq "$(jq -r '.migrations[0].statements[0].algorithm' "$T/out")" INPLACE
assert_eq "$(q "$SRC_DB" "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'parent_name'")" 0

# the first N rows; JSON
my_client -e "DROP DATABASE \`$DEST_DB\`; CREATE DATABASE \`$DEST_DB\`"
mg --format json clone --from "$SRC" --to "$DEST" --rows 100 --whole-under 0
assert_rc 0
assert_eq "$(jq -r '.tables[] | select(.table == "parent") | .mode + " " + (.rows | tostring)' "$T/out")" "rows 100"
assert_eq "$(jq -r '.tables[] | select(.table == "migrate_history") | .mode' "$T/out")" whole
assert_eq "$(jq -r '.tables[] | select(.table == "parent") | .schema' "$T/out")" "$SRC_DB"
assert_eq "$(jq -r '.shared_snapshot' "$T/out")" true
assert_eq "$(jq -r '.sequences' "$T/out")" "$(q "$SRC_DB" "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND AUTO_INCREMENT IS NOT NULL")" "(AUTO_INCREMENT positions)"
[ "$(q "$DEST_DB" "SELECT COUNT(*) FROM child")" -le 100 ] || fail "more than 100 child rows"

# into a sandbox of its own: a database named like the source's, small tables whole
mg --format json clone --from "$SRC" --sandbox --dir "$T/sb"
assert_rc 0 "clone into a sandbox"
url=$(jq -r .url "$T/out")
assert_eq "$(jq -r .sandbox "$T/out")" "$T/sb"
assert_eq "$(mariadb --no-defaults -uroot --socket="$T/sb/sock/mysqld.sock" -N -B -e "SELECT COUNT(*) FROM parent" "$SRC_DB")" 4000 "(small tables are copied whole)"
"$MIGRATE_BIN" -d "$url" schema dump | diff -u src.schema - >&2 || fail "the sandbox clone's schema differs"
mg sandbox stop "$T/sb"
assert_rc 0
