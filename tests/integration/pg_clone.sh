# clone: schema by pg_dump, rows sampled (or the first N), foreign keys kept valid,
# sequences where the source's stand, history whole; refusals; into a sandbox.
. "$(dirname "$0")/lib.sh"
new_pg_db source
SRC=$DATABASE_URL
new_pg_db dest
DEST=$DATABASE_URL
new_pg_db dest2
DEST2=$DATABASE_URL
unset DATABASE_URL
export MIGRATE_PATH=m
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$1" -c "$2"; }

mig m 1 base "CREATE TABLE parent (id int PRIMARY KEY, name text);
CREATE TABLE child (id bigserial PRIMARY KEY, parent_id int REFERENCES parent (id), twice int GENERATED ALWAYS AS (parent_id * 2) STORED);
CREATE INDEX child_parent ON child (parent_id);
CREATE TABLE parted (id int, k int) PARTITION BY RANGE (k);
CREATE TABLE parted_a PARTITION OF parted FOR VALUES FROM (0) TO (1000);
CREATE TABLE parted_b PARTITION OF parted FOR VALUES FROM (1000) TO (2000);
CREATE VIEW parent_names AS SELECT name FROM parent;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NEW; END \$\$;
CREATE TRIGGER child_touch BEFORE INSERT ON child FOR EACH ROW EXECUTE FUNCTION touch();"
mg -d "$SRC" up
assert_rc 0
q "$SRC" "INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 4000) g;
INSERT INTO child (parent_id) SELECT 1 + g % 4000 FROM generate_series(1, 20000) g;
INSERT INTO child (parent_id) SELECT NULL FROM generate_series(1, 100) g;
INSERT INTO parted SELECT g, g % 2000 FROM generate_series(1, 4000) g;
ANALYZE"
before=$(q "$SRC" "SELECT (SELECT count(*) FROM child) || ' ' || (SELECT last_value FROM child_id_seq) || ' ' || (SELECT count(*) FROM migrate_events)")

# usage errors
mg clone --from "$SRC"
assert_rc 2
assert_err "give one destination: --to an empty database, or --sandbox"
mg clone --from "$SRC" --to "$DEST" --sample 0%
assert_rc 2
assert_err "--sample wants a share of rows such as 10%"
mg clone --from "$SRC" --to "$DEST" --sample 5% --rows 10
assert_rc 2
# the destination is the source, or not empty
mg clone --from "$SRC" --to "$SRC"
assert_rc 2
assert_err "the destination and the source are the same database"
q "$DEST2" "CREATE TABLE leftover (id int)"
mg clone --from "$SRC" --to "$DEST2"
assert_rc 2
assert_err "is not empty (1 relations)"

# a half sample of every table (none is copied whole below 0 bytes)
mg clone --from "$SRC" --to "$DEST" --sample 50% --whole-under 0
assert_rc 0 "clone"
assert_eq "$(cat "$T/out")" "$DEST" "(prints the clone's URL)"
assert_err "dumping the schema of t_${MG_TEST_NAME}_source with pg_dump"
assert_err "whose public.parent row was not copied"
parents=$(q "$DEST" "SELECT count(*) FROM parent")
children=$(q "$DEST" "SELECT count(*) FROM child")
[ "$parents" -gt 0 ] && [ "$parents" -lt 4000 ] || fail "parent rows: $parents, expected a sample of 4000"
[ "$children" -gt 0 ] && [ "$children" -lt 20100 ] || fail "child rows: $children, expected a sample"
# every kept child has its parent, so the foreign key was added (post-data) and holds
assert_eq "$(q "$DEST" "SELECT count(*) FROM child c WHERE parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM parent p WHERE p.id = c.parent_id)")" 0
assert_eq "$(q "$DEST" "SELECT count(*) FROM pg_constraint WHERE conname = 'child_parent_id_fkey' AND convalidated")" 1
assert_eq "$(q "$DEST" "SELECT count(*) FROM pg_indexes WHERE indexname IN ('child_parent', 'child_pkey', 'parent_pkey')")" 3
assert_eq "$(q "$DEST" "SELECT count(*) FROM pg_trigger WHERE tgname = 'child_touch'")" 1
assert_eq "$(q "$DEST" "SELECT count(*) FROM child WHERE twice <> parent_id * 2")" 0 "(generated columns computed on the clone)"
assert_eq "$(q "$DEST" "SELECT to_regclass('parent_names') IS NOT NULL")" t
[ "$(q "$DEST" "SELECT count(*) FROM parted")" -gt 0 ] || fail "no rows in the partitions"
# the sequence goes on where the source's stands; the history is whole
assert_eq "$(q "$DEST" "SELECT last_value FROM child_id_seq")" "$(q "$SRC" "SELECT last_value FROM child_id_seq")"
assert_eq "$(q "$DEST" "SELECT count(*) FROM migrate_history")" 1
assert_eq "$(q "$DEST" "SELECT count(*) FROM migrate_events")" "$(q "$SRC" "SELECT count(*) FROM migrate_events")"
# statistics are there for the estimate
[ "$(q "$DEST" "SELECT reltuples FROM pg_class WHERE relname = 'parent'")" != "-1" ] || fail "clone not analyzed"
# the source did not change
assert_eq "$(q "$SRC" "SELECT (SELECT count(*) FROM child) || ' ' || (SELECT last_value FROM child_id_seq) || ' ' || (SELECT count(*) FROM migrate_events)")" "$before"

# the clone is at the source's version: an estimate takes it
mig m 2 idx "CREATE INDEX parent_name ON parent (name);"
mg -d "$SRC" estimate --clone "$DEST"
assert_rc 0 "estimate on the clone"
assert_out "work:     index build of public.parent_name"

# the first N rows; JSON
psql -X -q "$MG_PG_URL" -c "DROP DATABASE \"t_${MG_TEST_NAME}_dest\"" -c "CREATE DATABASE \"t_${MG_TEST_NAME}_dest\"" >/dev/null
mg --format json clone --from "$SRC" --to "$DEST" --rows 100 --whole-under 0
assert_rc 0
assert_eq "$(jq -r '.tables[] | select(.table == "parent") | .mode + " " + (.rows | tostring)' "$T/out")" "rows 100"
assert_eq "$(jq -r '.tables[] | select(.table == "migrate_history") | .mode' "$T/out")" whole
assert_eq "$(jq -r '.shared_snapshot' "$T/out")" true
[ "$(q "$DEST" "SELECT count(*) FROM child")" -le 100 ] || fail "more than 100 child rows"

# into a sandbox of its own
mg --format json clone --from "$SRC" --sandbox --dir "$T/sb"
assert_rc 0 "clone into a sandbox"
url=$(jq -r .url "$T/out")
assert_eq "$(jq -r .sandbox "$T/out")" "$T/sb"
assert_eq "$(psql -X -A -t "$url" -c "SELECT count(*) FROM parent")" 4000 "(small tables are copied whole)"
mg sandbox stop "$T/sb"
assert_rc 0
