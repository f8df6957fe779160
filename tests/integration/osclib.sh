# osclib.sh — helpers of the online schema change tests (pg_osc_*.sh), sourced after lib.sh.
#
# The workload: table t (the one the tests change) and its control table c get the same
# inserts, updates, deletes and key changes in the same transaction, from pgbench sessions
# running in the background; after a change, t must hold exactly c's rows.

# osc_tables N: t and c with N equal rows, and the workload function osc_work().
osc_tables() {
    psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" >/dev/null <<SQL
CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, s text);
CREATE TABLE c (id int PRIMARY KEY, v int NOT NULL, s text);
INSERT INTO t SELECT g, 0, md5(g::text) FROM generate_series(1, $1) g;
INSERT INTO c SELECT * FROM t;
CREATE SEQUENCE ids START $(($1 + 1));
CREATE SEQUENCE ops;
ANALYZE t;
CREATE FUNCTION osc_work() RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE
    r float8 := random();
    k bigint := 1 + floor(random() * (SELECT last_value FROM ids));
    n bigint;
    val text := md5(random()::text);
BEGIN
    PERFORM nextval('ops');
    IF r < 0.25 THEN
        n := nextval('ids');
        INSERT INTO t VALUES (n, 0, val);
        INSERT INTO c VALUES (n, 0, val);
    ELSIF r < 0.75 THEN
        UPDATE t SET v = v + 1, s = val WHERE id = k;
        UPDATE c SET v = v + 1, s = val WHERE id = k;
    ELSIF r < 0.9 THEN
        DELETE FROM t WHERE id = k;
        DELETE FROM c WHERE id = k;
    ELSE
        n := nextval('ids');
        UPDATE t SET id = n WHERE id = k;
        UPDATE c SET id = n WHERE id = k;
    END IF;
END \$\$;
SQL
    echo "SELECT osc_work();" >"$T/work.sql"
}

# ops: how many workload transactions have started so far.
ops() { pg "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM ops"; }

# workload_start: two pgbench sessions in the background, at most 400 transactions a second.
workload_start() {
    pgbench -n -c 2 -j 1 -R 400 -T 3600 -f "$T/work.sql" "$DATABASE_URL" >"$T/pgbench.out" 2>&1 &
    WL=$!
    local before
    before=$(ops)
    wait_until "[ \$(ops) -gt $((before + 20)) ]" "the workload to start"
}

# workload_more N: waits until the workload ran N more transactions.
workload_more() {
    local before
    before=$(ops)
    wait_until "[ \$(ops) -gt $((before + $1)) ]" "$1 more workload transactions"
}

# workload_stop: ends the sessions (a transaction in flight rolls back in both tables).
workload_stop() {
    kill -TERM "$WL" 2>/dev/null
    wait "$WL" 2>/dev/null
    grep -q "failed transactions: [1-9]" "$T/pgbench.out" && fail "workload transactions failed: $(cat "$T/pgbench.out")"
    return 0
}

# assert_same_rows: t holds exactly the rows of c.
assert_same_rows() {
    local a b
    a=$(pg "SELECT count(*) FROM (SELECT id, v, s FROM t EXCEPT SELECT id, v, s FROM c) x")
    b=$(pg "SELECT count(*) FROM (SELECT id, v, s FROM c EXCEPT SELECT id, v, s FROM t) x")
    [ "$a" = 0 ] && [ "$b" = 0 ] || fail "t and c differ: $a rows only in t, $b only in c"
}

# job_field ID COLUMN: a column of the job's row.
job_field() { pg "SELECT $2 FROM migrate_osc_jobs WHERE id = $1"; }

# no_session_of_job ID: the job's advisory lock is free (its process is gone).
job_unlocked() {
    [ "$(pg "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")" = 0 ]
}

# --- MariaDB ---

# my_osc_tables N: t and c with N equal rows.
my_osc_tables() {
    my "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, s varchar(40));
        CREATE TABLE c (id int PRIMARY KEY, v int NOT NULL, s varchar(40));
        INSERT INTO t SELECT seq, 0, md5(seq) FROM seq_1_to_$1;
        INSERT INTO c SELECT * FROM t;" || fail "setup"
    MY_ROWS=$1
}

# my_workload_start: two clients, about 200 transactions a second each (my_osc_work.py), each
# a generator feeding a mariadb client through a FIFO.
my_workload_start() {
    local here i
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    MYWL=()
    for i in 1 2; do
        mkfifo "$T/wl$i.fifo"
        mariadb --no-defaults -uroot --socket="$MG_MY_DIR/sock/mysqld.sock" --force "$MYDB" \
            <"$T/wl$i.fifo" >"$T/wl$i.out" 2>"$T/wl$i.err" &
        MYWL+=($!)
        python3 "$here/my_osc_work.py" "$MY_ROWS" $i 2 200 >"$T/wl$i.fifo" &
        MYWL+=($!)
    done
    my_workload_more 20
}

# my_workload_more N: waits until the workload made N more new keys.
my_workload_more() {
    local before
    before=$(my "SELECT MAX(id) FROM c")
    wait_until "[ \$(my 'SELECT MAX(id) FROM c') -gt $((before + $1 * 2)) ]" "$1 more workload transactions"
}

# my_workload_stop: ends the generators (a transaction in flight rolls back in both tables);
# none of the clients' statements may have failed.
my_workload_stop() {
    kill -TERM "${MYWL[1]}" "${MYWL[3]}" 2>/dev/null
    wait "${MYWL[@]}" 2>/dev/null
    if grep -q ERROR "$T/wl1.err" "$T/wl2.err"; then
        fail "workload statements failed: $(grep -h ERROR "$T/wl1.err" "$T/wl2.err" | head -5)"
    fi
    return 0
}

# my_assert_same_rows: t holds exactly the rows of c.
my_assert_same_rows() {
    local a b
    a=$(my "SELECT COUNT(*) FROM (SELECT id, v, s FROM t EXCEPT SELECT id, v, s FROM c) x")
    b=$(my "SELECT COUNT(*) FROM (SELECT id, v, s FROM c EXCEPT SELECT id, v, s FROM t) x")
    [ "$a" = 0 ] && [ "$b" = 0 ] || fail "t and c differ: $a rows only in t, $b only in c"
}

my_job_field() { my "SELECT $2 FROM migrate_osc_jobs WHERE id = $1"; }

# my_hold_table: a transaction (READ COMMITTED, so it sees rel change) that read t and stays
# open until the table rel (which the test creates) has a row; its pid in HOLDER.
my_hold_table() {
    my "DELETE FROM rel"
    my_client "$MYDB" >"$T/holder.out" 2>&1 <<'SQL' &
SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED;
START TRANSACTION;
SELECT COUNT(*) FROM t;
DELIMITER //
BEGIN NOT ATOMIC
    DECLARE n INT DEFAULT 0;
    WHILE n = 0 DO
        SELECT COUNT(*) INTO n FROM rel;
        IF n = 0 THEN DO SLEEP(0.05); END IF;
    END WHILE;
END //
DELIMITER ;
COMMIT;
SQL
    HOLDER=$!
    wait_until "[ \"\$(my \"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '$MYDB' AND INFO LIKE '%FROM rel%'\")\" -ge 1 ]" "the holder"
}
