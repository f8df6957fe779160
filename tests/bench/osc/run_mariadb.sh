#!/usr/bin/env bash
# The MariaDB part of the online schema change benchmark (docs/benchmarks.md, section "osc"):
# on one throwaway MariaDB, a table of ROWS rows has its primary key changed from int to
# bigint while a light workload (one single-row UPDATE every 10ms) runs and its worst statement
# latency is recorded (the client's own timing, mariadb -vvv).  Per run, in turn,
# each from a fresh copy of the same table:
#
#   copy    INSERT INTO copy SELECT * FROM t, copy being CREATE TABLE copy LIKE t
#   bulk    the same with unique_checks = 0, foreign_key_checks = 0: InnoDB's bulk load into
#           an empty table (no row undo records), the floor of a copy done in ONE transaction
#   alter   ALTER TABLE t MODIFY id bigint, ALGORITHM=COPY (the reference; blocks writes)
#   osc     migrate osc --table t --alter "ALTER TABLE t MODIFY id bigint" --drop-old
#   osc_nv  the same with --no-verify (what the verification costs)
#   osc_t2, osc_t2_nv  the same two with --threads 2 (two sessions copy and verify at once)
#   ptosc   pt-online-schema-change --alter "MODIFY id bigint" (drops the old table too)
#
# Prints the medians over RUNS runs and writes every measurement to
# tests/bench/out-osc-mariadb.json.
#
#   [BUFFER_POOL=bytes] tests/bench/osc/run_mariadb.sh [ROWS] [RUNS]   (defaults 1000000 and 5)
#
# Needs pt-online-schema-change (Debian: percona-toolkit), python3, jq.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
rows=${1:-1000000} runs=${2:-5}
M=${MIGRATE_BIN:-$root/bin/migrate}
work=$(mktemp -d /tmp/migrate-bench-oscmy-XXXXXX)
chmod 755 "$work"
trap 'kill $(jobs -p) 2>/dev/null || true; "$M" sandbox stop "$work/my" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
for p in pt-online-schema-change python3 jq; do command -v $p >/dev/null || { echo "needs $p"; exit 1; }; done

"$M" -q sandbox start --driver mariadb --dir "$work/my" >/dev/null
sock=$work/my/sock/mysqld.sock
sql() { mariadb --no-defaults -uroot --socket="$sock" "$@"; }
# BUFFER_POOL=bytes resizes the InnoDB buffer pool (the sandbox starts with 64M)
if [ -n "${BUFFER_POOL:-}" ]; then
    sql -e "SET GLOBAL innodb_buffer_pool_size = $BUFFER_POOL"
    sleep 2
    echo "== innodb_buffer_pool_size: $(sql -N -e 'SELECT @@innodb_buffer_pool_size')"
fi
sql -e "CREATE DATABASE bench"
B="mysql://root@localhost/bench?socket=$sock"
now_ms() { date +%s%3N; }

echo "== setup: $rows rows"
sql bench -e "CREATE TABLE t0 (id int PRIMARY KEY, a int NOT NULL, b varchar(32), c datetime);
    INSERT INTO t0 SELECT seq, seq % 1000, md5(seq), NOW() FROM seq_1_to_$rows;"
reset() {
    sql bench -e "DROP TABLE IF EXISTS t, copy, _t_old, _t_new;
        CREATE TABLE t LIKE t0; INSERT INTO t SELECT * FROM t0; ANALYZE TABLE t;" >/dev/null
    for x in $(sql -N bench -e "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'bench' AND TABLE_NAME LIKE '\\_osc%'"); do
        sql bench -e "DROP TABLE \`$x\`"
    done
}
cat >"$work/update.py" <<PY
import random, sys, time
while True:
    sys.stdout.write("UPDATE t SET a = a + 1 WHERE id = %d;\n" % random.randint(1, $rows))
    sys.stdout.flush()
    time.sleep(0.01)
PY
workload_start() {
    mkfifo "$work/wl.fifo"
    sql --force -vvv bench <"$work/wl.fifo" >"$work/wl.out" 2>"$work/wl.err" &
    WLC=$!
    python3 "$work/update.py" >"$work/wl.fifo" &
    WLG=$!
    sleep 1
}
workload_stop() {
    kill "$WLG" 2>/dev/null || true
    wait "$WLG" "$WLC" 2>/dev/null || true
    rm -f "$work/wl.fifo"
    # "Query OK, 1 row affected (0.012 sec)": the slowest, in ms
    WORST=$(sed -n 's/.*affected.* (\([0-9.]*\) sec).*/\1/p' "$work/wl.out" | sort -g | tail -1 |
        awk '{printf "%d", $1 * 1000}')
    [ -n "$WORST" ] || { echo "the workload ran no statement"; exit 1; }
}

results=$work/results.jsonl
: >"$results"
record() { # method run seconds [extra json]
    echo "{\"method\":\"$1\",\"run\":$2,\"seconds\":$3,\"worst_ms\":$WORST${4:+,$4}}" >>"$results"
    printf '%-7s run %d: %6.2fs, worst workload latency %dms\n' "$1" "$2" "$3" "$WORST"
}
secs() { echo "scale=3; ($2 - $1) / 1000" | bc; }

for run in $(seq 1 "$runs"); do
    echo "== run $run of $runs"
    reset
    sql bench -e "CREATE TABLE copy LIKE t"
    workload_start
    a=$(now_ms); sql bench -e "INSERT INTO copy SELECT * FROM t"; b=$(now_ms)
    workload_stop
    record copy "$run" "$(secs "$a" "$b")"

    reset
    sql bench -e "CREATE TABLE copy LIKE t"
    workload_start
    a=$(now_ms); sql bench -e "SET unique_checks = 0, foreign_key_checks = 0; INSERT INTO copy SELECT * FROM t"; b=$(now_ms)
    workload_stop
    record bulk "$run" "$(secs "$a" "$b")"

    reset
    workload_start
    a=$(now_ms); sql bench -e "ALTER TABLE t MODIFY id bigint, ALGORITHM=COPY"; b=$(now_ms)
    workload_stop
    record alter "$run" "$(secs "$a" "$b")"

    # osc, osc_nv, osc_t2, osc_t2_nv
    for threads in 1 2; do
        for nv in "" --no-verify; do
            reset
            workload_start
            a=$(now_ms)
            "$M" -q --format json -d "$B" osc --table t --alter "ALTER TABLE t MODIFY id bigint" \
                --drop-old --threads "$threads" $nv >"$work/osc.json"
            b=$(now_ms)
            workload_stop
            m=osc
            [ "$threads" = 1 ] || m=osc_t$threads
            record "$m${nv:+_nv}" "$run" "$(secs "$a" "$b")" "\"job\":$(jq -c .job "$work/osc.json")"
        done
    done

    reset
    workload_start
    a=$(now_ms)
    pt-online-schema-change --alter "MODIFY id bigint" "D=bench,t=t,S=$sock,u=root" --execute \
        --recursion-method none >"$work/ptosc.out" 2>&1
    b=$(now_ms)
    workload_stop
    record ptosc "$run" "$(secs "$a" "$b")"
done

jq -s --arg rows "$rows" --arg cpu "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" \
    --arg cores "$(nproc)" --arg mem "$(free -g | awk '/Mem:/ {print $2}')GB" \
    --arg server "$(sql -N -e 'SELECT VERSION()')" \
    --arg pool "$(sql -N -e 'SELECT @@innodb_buffer_pool_size')" \
    --arg ptosc "$(pt-online-schema-change --version | head -1)" \
    --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
    '{rows: ($rows | tonumber), machine: {cpu: $cpu, cores: $cores, memory: $mem, load_after: $load},
      buffer_pool: $pool, server: $server, pt_online_schema_change: $ptosc, runs: .}' "$results" >"$root/tests/bench/out-osc-mariadb${BUFFER_POOL:+-pool$BUFFER_POOL}.json"

median() { jq -s "map(select(.method == \"$1\") | .$2) | sort | .[(length - 1) / 2 | floor]" "$results"; }
alter=$(median alter seconds)
echo
echo "| method | median time | vs. ALTER ... ALGORITHM=COPY | median worst workload latency |"
echo "|---|---|---|---|"
for m in copy bulk alter osc osc_nv osc_t2 osc_t2_nv ptosc; do
    t=$(median "$m" seconds)
    printf '| %s | %.2fs | %.2fx | %sms |\n' "$m" "$t" "$(echo "scale=3; $t / $alter" | bc)" \
        "$(median "$m" worst_ms)"
done
