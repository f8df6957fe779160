# The MariaDB lock matrix: for each kind of ALTER, the cheapest ALGORITHM (and LOCK) the clone
# accepts, the metadata lock that implies, and whether the table was rebuilt, as
# `migrate estimate --format json` reports them.
. "$(dirname "$0")/lib.sh"
new_my_db target
TARGET=$DATABASE_URL
new_my_db clone
CLONE=$DATABASE_URL
CLONE_DB=$MYDB
export MIGRATE_PATH=m

mig m 1 base "CREATE TABLE t (id INT PRIMARY KEY, v INT, n INT, pid INT, s VARCHAR(20), d TEXT) ENGINE=InnoDB;
CREATE TABLE p (id INT PRIMARY KEY) ENGINE=InnoDB;
CREATE TABLE u (id INT NOT NULL, k INT) ENGINE=InnoDB;
CREATE TABLE w (id INT, s VARCHAR(10)) ENGINE=InnoDB;"
for url in "$TARGET" "$CLONE"; do
    mg -d "$url" up
    assert_rc 0 "up of the base schema"
done
my_client "$CLONE_DB" -e "INSERT INTO p SELECT seq FROM seq_1_to_3000;
INSERT INTO t SELECT seq, seq, seq, seq, CONCAT('s', seq), CONCAT('some text ', seq) FROM seq_1_to_3000;
INSERT INTO u SELECT seq, seq FROM seq_1_to_3000;
INSERT INTO w SELECT seq, seq FROM seq_1_to_100;
ANALYZE TABLE t, p, u, w;" >/dev/null || fail "loading the clone"

n=1
k() { n=$((n + 1)); mig m $n "$1" "$2"; }
k add_column "ALTER TABLE t ADD COLUMN a INT;"                       # 2
k add_column_middle "ALTER TABLE t ADD COLUMN b INT AFTER id;"       # 3
k drop_column "ALTER TABLE t DROP COLUMN b;"                         # 4
k rename_column "ALTER TABLE t RENAME COLUMN a TO a2;"               # 5
k set_default "ALTER TABLE t ALTER COLUMN v SET DEFAULT 5;"          # 6
k varchar_grow "ALTER TABLE t MODIFY s VARCHAR(30);"                 # 7
k int_bigint "ALTER TABLE t MODIFY v BIGINT;"                        # 8
k add_index "ALTER TABLE t ADD INDEX t_s (s);"                       # 9
k drop_index "ALTER TABLE t DROP INDEX t_s;"                         # 10
k not_null "ALTER TABLE t MODIFY n INT NOT NULL;"                    # 11
k add_primary_key "ALTER TABLE u ADD PRIMARY KEY (id);"              # 12
k fulltext "ALTER TABLE t ADD FULLTEXT INDEX t_ft (d);"              # 13
k convert "ALTER TABLE w CONVERT TO CHARACTER SET latin1;"           # 14
k force "ALTER TABLE u FORCE;"                                       # 15
k foreign_key "ALTER TABLE t ADD CONSTRAINT t_p FOREIGN KEY (pid) REFERENCES p (id);" # 16
k create_index "CREATE INDEX t_n ON t (n);"                          # 17
k update "UPDATE t SET n = n + 1;"                                   # 18
k rename_table "RENAME TABLE w TO w2;"                               # 19

mg -d "$TARGET" --format json estimate --clone "$CLONE"
assert_rc 0 "estimate of the MariaDB lock matrix"
cp "$T/out" est.json
assert_eq "$(jq '.summary.migrations' est.json)" 18

field() { jq -r --argjson v "$1" ".migrations[] | select(.version == \$v) | .statements[0].$2" est.json; }
# expect V ALGORITHM LOCK MODE REWRITE: the algorithm and LOCK found, a lock of MODE on the
# statement's table, and the rewrite flag
expect() {
    local got
    got="$(field "$1" 'algorithm // "-"') $(field "$1" 'lock // "-"')"
    [ "$got" = "$2 $3" ] || fail "version $1 ($(field "$1" sql)): algorithm and lock '$got', expected '$2 $3' (refused: $(field "$1" refused))"
    got=$(jq -r --argjson v "$1" --arg m "$4" '[.migrations[] | select(.version == $v) | .statements[0].locks[] | select(.mode == $m)] | length' est.json)
    [ "$got" -ge 1 ] || fail "version $1 ($(field "$1" sql)): no $4 lock: $(field "$1" locks)"
    got=$(field "$1" rewrite)
    [ "$got" = "$5" ] || fail "version $1 ($(field "$1" sql)): rewrite $got, expected $5 ($(field "$1" rewrites))"
}

expect 2 INSTANT - EXCLUSIVE false
expect 3 INSTANT - EXCLUSIVE false
expect 4 INSTANT - EXCLUSIVE false
expect 5 INSTANT - EXCLUSIVE false
expect 6 INSTANT - EXCLUSIVE false
expect 7 INSTANT - EXCLUSIVE false
expect 8 COPY - SHARED_NO_WRITE true
expect 9 INPLACE NONE SHARED_UPGRADABLE false
expect 10 INPLACE NONE SHARED_UPGRADABLE false
expect 11 INPLACE NONE SHARED_UPGRADABLE true
expect 12 INPLACE NONE SHARED_UPGRADABLE true
expect 13 INPLACE SHARED SHARED_NO_WRITE true
expect 14 COPY - SHARED_NO_WRITE true
expect 15 INPLACE NONE SHARED_UPGRADABLE true
expect 16 COPY - SHARED_NO_WRITE true
expect 17 INPLACE NONE SHARED_UPGRADABLE false
assert_eq "$(field 18 'algorithm // "-"')" - "(an UPDATE has no algorithm)"
assert_eq "$(field 18 'locks[0].mode')" SHARED_WRITE
assert_eq "$(field 18 'work[0] | .kind + " " + (.rows_written | tostring)')" "write 3000"
assert_eq "$(field 19 'locks | map(select(.relation == "w")) | .[0].mode')" EXCLUSIVE

# the refusals say why, in the server's words
field 8 refused | grep -q "ALGORITHM=INSTANT is not supported" || fail "no reason for refusing INSTANT: $(field 8 refused)"
# what blocks what, and the verdicts
# (where the server shows metadata locks, a COPY's final exclusive moment blocks reads too)
[ "$(field 8 verdict)" != safe ] || fail "a COPY that blocks writes called safe"
assert_eq "$(field 8 'locks[] | select(.mode == "SHARED_NO_WRITE") | .blocks | join(",")')" "INSERT,UPDATE,DELETE"
assert_eq "$(field 2 verdict)" blocks_reads_writes
assert_eq "$(field 18 verdict)" safe
# scaled by the row estimates; an index build is work on its table
assert_eq "$(field 9 'work[0] | .kind + " " + .measure')" "index_build rows"
assert_eq "$(field 8 'work[0].kind')" rewrite

# the clone is at the new version; the target is untouched
assert_eq "$(my_client -N -B "$CLONE_DB" -e "SELECT COUNT(*) FROM migrate_history WHERE status = 'applied'")" 19
MYDB=t_${MG_TEST_NAME}_target
assert_eq "$(my "SELECT MAX(version) FROM migrate_history")" 1
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'a2'")" 0

# the clone is the target: refused, whatever the URL
mg -d "$TARGET" estimate --clone "$(echo "$TARGET" | sed 's|^mysql://|mariadb://|')"
assert_rc 2
assert_err "the clone and the target are the same database"
