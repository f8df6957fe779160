# The lock matrix: for each kind of PostgreSQL statement, the locks, rewrite flag and
# sampling the estimator reports, as `migrate estimate --format json` gives them.
. "$(dirname "$0")/lib.sh"
new_pg_db target
TARGET=$DATABASE_URL
new_pg_db clone
CLONE=$DATABASE_URL
export MIGRATE_PATH=m

mig m 1 base "CREATE TABLE t (id int PRIMARY KEY, v int, n int, s varchar(20), d text);
CREATE INDEX t_d_idx ON t (d);
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE p2 (id int);
CREATE TABLE u (id int NOT NULL, k int, n int);
CREATE TABLE w (id int);
CREATE TABLE parted (id int, k int) PARTITION BY RANGE (k);
CREATE TABLE part1 PARTITION OF parted FOR VALUES FROM (0) TO (100);
CREATE TABLE part2 (id int, k int);
CREATE FUNCTION trg_fn() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NEW; END \$\$;"
for url in "$TARGET" "$CLONE"; do
    mg -d "$url" up
    assert_rc 0 "up of the base schema"
done
# rows on the clone, so that scans, builds and rewrites have work to do
psql -X -q -v ON_ERROR_STOP=1 "$CLONE" -c "
INSERT INTO p SELECT g FROM generate_series(1, 2000) g;
INSERT INTO t SELECT g, g, g, 's' || g, 'd' || g FROM generate_series(1, 2000) g;
INSERT INTO u SELECT g, g, g FROM generate_series(1, 2000) g;
INSERT INTO w SELECT g FROM generate_series(1, 2000) g;
INSERT INTO part2 SELECT g, 100 + g % 100 FROM generate_series(1, 500) g;
ANALYZE" >/dev/null || fail "loading the clone"

n=1
k() { n=$((n + 1)); mig m $n "$1" "$2"; }
k add_column "ALTER TABLE t ADD COLUMN a1 int;"                                  # 2
k add_column_default "ALTER TABLE t ADD COLUMN a2 int DEFAULT 7;"                # 3
k add_column_volatile "ALTER TABLE t ADD COLUMN a3 float8 DEFAULT random();"    # 4
k set_not_null "ALTER TABLE t ALTER COLUMN n SET NOT NULL;"                      # 5
k check "ALTER TABLE t ADD CONSTRAINT t_v_pos CHECK (v > 0);"                    # 6
k check_not_valid "ALTER TABLE t ADD CONSTRAINT t_v_nn CHECK (v > -1) NOT VALID;" # 7
k validate "ALTER TABLE t VALIDATE CONSTRAINT t_v_nn;"                           # 8
k foreign_key "ALTER TABLE t ADD CONSTRAINT t_p_fk FOREIGN KEY (v) REFERENCES p (id);" # 9
k create_index "CREATE INDEX t_v_idx ON t (v);"                                   # 10
k create_index_conc "CREATE INDEX CONCURRENTLY t_n_idx ON t (n);"                 # 11
k drop_index "DROP INDEX t_v_idx;"                                                # 12
k drop_index_conc "DROP INDEX CONCURRENTLY t_n_idx;"                              # 13
k varchar_grow "ALTER TABLE t ALTER COLUMN s TYPE varchar(50);"                   # 14
k varchar_text "ALTER TABLE t ALTER COLUMN s TYPE text;"                          # 15
k int_bigint "ALTER TABLE t ALTER COLUMN id TYPE bigint;"                         # 16
k rename_column "ALTER TABLE t RENAME COLUMN d TO d2;"                            # 17
k rename_table "ALTER TABLE p2 RENAME TO p3;"                                     # 18
k drop_column "ALTER TABLE t DROP COLUMN a1;"                                     # 19
k primary_key "ALTER TABLE u ADD PRIMARY KEY (id);"                               # 20
k unique "ALTER TABLE u ADD CONSTRAINT u_k_key UNIQUE (k);"                       # 21
k unique_index "CREATE UNIQUE INDEX u_n_idx ON u (n);"                            # 22
k unique_using "ALTER TABLE u ADD CONSTRAINT u_n_key UNIQUE USING INDEX u_n_idx;" # 23
k set_default "ALTER TABLE t ALTER COLUMN v SET DEFAULT 1;"                       # 24
k drop_default "ALTER TABLE t ALTER COLUMN v DROP DEFAULT;"                       # 25
k fillfactor "ALTER TABLE t SET (fillfactor = 80);"                               # 26
k vacuum_full "VACUUM FULL p;"                                                    # 27
k cluster "CLUSTER u USING u_pkey;"                                               # 28
k truncate "TRUNCATE w;"                                                          # 29
k reindex "REINDEX INDEX t_d_idx;"                                                # 30
k reindex_conc "REINDEX INDEX CONCURRENTLY t_d_idx;"                              # 31
k create_trigger "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg_fn();" # 32
k disable_trigger "ALTER TABLE t DISABLE TRIGGER trg;"                            # 33
k enable_trigger "ALTER TABLE t ENABLE TRIGGER trg;"                              # 34
k attach_partition "ALTER TABLE parted ATTACH PARTITION part2 FOR VALUES FROM (100) TO (200);" # 35
k comment "COMMENT ON TABLE t IS 'the t table';"                                  # 36
k grant "GRANT SELECT ON t TO PUBLIC;"                                            # 37
k add_serial "ALTER TABLE w ADD COLUMN ser serial;"                               # 38
k detach_conc "ALTER TABLE parted DETACH PARTITION part2 CONCURRENTLY;"           # 39

mg -d "$TARGET" --format json estimate --clone "$CLONE"
assert_rc 0 "estimate of the lock matrix"
cp "$T/out" est.json
jq -e . est.json >/dev/null || fail "estimate did not print one JSON document"
assert_eq "$(jq '.summary.migrations' est.json)" 38 "(migrations estimated)"

rank='{"AccessShareLock":1,"RowShareLock":2,"RowExclusiveLock":3,"ShareUpdateExclusiveLock":4,"ShareLock":5,"ShareRowExclusiveLock":6,"ExclusiveLock":7,"AccessExclusiveLock":8}'
# strongest V REL: the strongest mode the statement of version V held on REL (not created by it)
strongest() {
    jq -r --argjson v "$1" --arg r "$2" --argjson rank "$rank" \
        '[.migrations[] | select(.version == $v) | .statements[0].locks[] | select(.relation == $r and (.created | not)) | .mode] | max_by($rank[.]) // "none"' est.json
}
field() { jq -r --argjson v "$1" ".migrations[] | select(.version == \$v) | .statements[0].$2" est.json; }
# expect V REL MODE REWRITE [sampled]
expect() {
    local got
    got=$(strongest "$1" "$2")
    [ "$got" = "$3" ] || fail "version $1 ($(field "$1" sql)): strongest lock on $2 is $got, expected $3"
    got=$(field "$1" rewrite)
    [ "$got" = "$4" ] || fail "version $1 ($(field "$1" sql)): rewrite $got, expected $4"
    got=$(field "$1" sampled)
    [ "$got" = "${5:-false}" ] || fail "version $1 ($(field "$1" sql)): sampled $got, expected ${5:-false}"
}
# has_work V KIND TABLE: the statement did work of KIND on TABLE
has_work() {
    [ "$(jq --argjson v "$1" --arg k "$2" --arg t "$3" '[.migrations[] | select(.version == $v) | .statements[0].work[] | select(.kind == $k and .schema + "." + .table == $t)] | length' est.json)" -ge 1 ] ||
        fail "version $1 ($(field "$1" sql)): no $2 work on $3: $(field "$1" work)"
}

expect 2 public.t AccessExclusiveLock false
expect 3 public.t AccessExclusiveLock false
expect 4 public.t AccessExclusiveLock true
has_work 4 rewrite public.t
expect 5 public.t AccessExclusiveLock false
has_work 5 scan public.t
expect 6 public.t AccessExclusiveLock false
has_work 6 scan public.t
expect 7 public.t AccessExclusiveLock false
assert_eq "$(field 7 'work | length')" 0 "(NOT VALID scans nothing)"
expect 8 public.t ShareUpdateExclusiveLock false
has_work 8 scan public.t
expect 9 public.t ShareRowExclusiveLock false
expect 9 public.p ShareRowExclusiveLock false
has_work 9 scan public.p
expect 10 public.t ShareLock false
has_work 10 index_build public.t
expect 11 public.t ShareUpdateExclusiveLock false true
has_work 11 index_build public.t
expect 12 public.t AccessExclusiveLock false
expect 12 public.t_v_idx AccessExclusiveLock false
expect 13 public.t ShareUpdateExclusiveLock false true
expect 14 public.t AccessExclusiveLock false
expect 15 public.t AccessExclusiveLock false
expect 16 public.t AccessExclusiveLock true
has_work 16 rewrite public.t
expect 17 public.t AccessExclusiveLock false
expect 18 public.p2 AccessExclusiveLock false
expect 19 public.t AccessExclusiveLock false
expect 20 public.u AccessExclusiveLock false
has_work 20 index_build public.u
expect 21 public.u AccessExclusiveLock false
has_work 21 index_build public.u
expect 22 public.u ShareLock false
expect 23 public.u AccessExclusiveLock false
assert_eq "$(field 23 'work | length')" 0 "(USING INDEX builds nothing)"
expect 24 public.t AccessExclusiveLock false
expect 25 public.t AccessExclusiveLock false
expect 26 public.t ShareUpdateExclusiveLock false
expect 27 public.p AccessExclusiveLock true true
has_work 27 rewrite public.p
expect 28 public.u AccessExclusiveLock true
expect 29 public.w AccessExclusiveLock false
has_work 29 truncate public.w
expect 30 public.t ShareLock true
expect 30 public.t_d_idx AccessExclusiveLock true
assert_eq "$(field 30 'rewrites | join(",")')" "index public.t_d_idx"
expect 31 public.t ShareUpdateExclusiveLock true true
assert_eq "$(field 31 'rewrites | join(",")')" "index public.t_d_idx"
expect 32 public.t ShareRowExclusiveLock false
expect 33 public.t ShareRowExclusiveLock false
expect 34 public.t ShareRowExclusiveLock false
expect 35 public.parted ShareUpdateExclusiveLock false
expect 35 public.part2 AccessExclusiveLock false
expect 36 public.t ShareUpdateExclusiveLock false
expect 37 public.t none false
expect 38 public.w AccessExclusiveLock true
expect 39 public.parted ShareUpdateExclusiveLock false true

# what the modes block, and the verdicts
assert_eq "$(field 2 'locks[] | select(.relation == "public.t") | .blocks | join(",")')" "SELECT,INSERT,UPDATE,DELETE"
assert_eq "$(field 10 'locks[] | select(.relation == "public.t") | .blocks | join(",")')" "INSERT,UPDATE,DELETE"
assert_eq "$(field 8 'locks[] | select(.relation == "public.t") | .blocks | length')" 0
assert_eq "$(field 2 verdict)" blocks_reads_writes
assert_eq "$(field 10 verdict)" blocks_writes
assert_eq "$(field 8 verdict)" safe
assert_eq "$(field 11 verdict)" safe
assert_eq "$(field 9 verdict)" blocks_writes
# locks on relations the statement created block nobody
assert_eq "$(field 10 'locks[] | select(.relation == "public.t_v_idx") | .created')" true
assert_eq "$(field 10 'locks[] | select(.relation == "public.t_v_idx") | .blocks | length')" 0

# the clone is at the new version and says so in its history; the target is untouched
assert_eq "$(psql -X -A -t "$CLONE" -c "SELECT count(*) FROM migrate_history WHERE status = 'applied'")" 39
assert_eq "$(psql -X -A -t "$CLONE" -c "SELECT count(*) FROM migrate_events WHERE meta::jsonb->>'command' = 'estimate'")" 38
assert_eq "$(psql -X -A -t "$TARGET" -c "SELECT max(version) FROM migrate_history")" 1
assert_eq "$(psql -X -A -t "$TARGET" -c "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'a2'")" 0
