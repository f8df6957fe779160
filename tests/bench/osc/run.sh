#!/usr/bin/env bash
# The online schema change benchmark of docs/benchmarks.md (section "osc"): on one throwaway
# PostgreSQL, a table of ROWS rows has its primary key changed from int to bigint while a
# workload updates one random row every 10ms and records its latencies.  Per run, in turn:
#
#   copy    INSERT INTO copy SELECT * FROM t, copy being CREATE TABLE (LIKE t INCLUDING ALL)
#   alter   the plain ALTER TABLE t ALTER COLUMN id TYPE bigint (blocks the workload)
#   osc     migrate osc --table t --alter "ALTER TABLE t ALTER COLUMN id TYPE bigint"
#   osc_nv  the same with --no-verify (what the verification costs)
#   repack  pg_repack --table t (an online rewrite without a type change: the reference)
#
# Each starts from a fresh copy of the same table.  Prints the medians over RUNS runs and writes
# every measurement to tests/bench/out-osc.json.
#
#   tests/bench/osc/run.sh [ROWS] [RUNS] [OSC OPTIONS...]   (defaults 1000000 and 5)
#
# Needs pgbench and pg_repack (Debian: postgresql-client, postgresql-15-repack), jq.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
rows=${1:-1000000} runs=${2:-5}
shift $(($# < 2 ? $# : 2))
M=${MIGRATE_BIN:-$root/bin/migrate}
work=$(mktemp -d /tmp/migrate-bench-osc-XXXXXX)
chmod 755 "$work"
trap '"$M" sandbox stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
for p in pgbench pg_repack jq; do command -v $p >/dev/null || { echo "needs $p"; exit 1; }; done

url=$("$M" -q sandbox start --dir "$work/pg")
sock=$(echo "$url" | sed -E 's/.*host=([^&]*).*/\1/')
port=$(echo "$url" | sed -E 's/.*port=([0-9]+).*/\1/')
psql -X -q "$url" -c "CREATE DATABASE bench"
B=$(echo "$url" | sed "s|/postgres?|/bench?|")
sql() { psql -X -q -v ON_ERROR_STOP=1 "$B" "$@"; }
now_ms() { date +%s%3N; }

echo "== setup: $rows rows"
sql -c "CREATE EXTENSION pg_repack" \
    -c "CREATE TABLE t0 (id int PRIMARY KEY, a int NOT NULL, b text, c timestamptz)" \
    -c "INSERT INTO t0 SELECT g, g % 1000, md5(g::text), now() FROM generate_series(1, $rows) g" \
    -c "VACUUM ANALYZE t0"
reset() {
    sql -c "DROP TABLE IF EXISTS t, copy CASCADE" >/dev/null
    for s in $(psql -X -A -t "$B" -c "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'migrate_osc_%'"); do
        sql -c "DROP SCHEMA $s CASCADE" >/dev/null
    done
    sql -c "CREATE TABLE t (LIKE t0 INCLUDING ALL)" -c "INSERT INTO t SELECT * FROM t0" \
        -c "VACUUM ANALYZE t" -c "CHECKPOINT"
}
printf '\\set id random(1, %d)\nUPDATE t SET a = a + 1 WHERE id = :id;\n' "$rows" >"$work/update.sql"

# workload NAME: pgbench, one session, one update every 10ms, a log line per transaction
workload_start() {
    rm -f "$work"/wl.*
    pgbench -n -c 1 -R 100 -T 3600 -f "$work/update.sql" -l --log-prefix="$work/wl" "$B" \
        >"$work/pgbench.out" 2>&1 &
    WL=$!
    sleep 2
}
workload_stop() {
    sleep 1
    kill -TERM "$WL" 2>/dev/null || true
    wait "$WL" 2>/dev/null || true
}
# worst FROM_MS TO_MS: the worst latency (ms) of the updates that were running between the two
# times; under --rate pgbench measures it from the scheduled start, so it includes the lag
worst() {
    cat "$work"/wl.* | awk -v a="$1" -v b="$2" '{
        done = $5 * 1000 + $6 / 1000; lat = $3 / 1000;
        if (done >= a && done - lat <= b && lat > m) m = lat } END { printf "%.1f", m + 0 }'
}

results=$work/results.jsonl
: >"$results"
record() { # method run seconds worst_ms [extra json]
    echo "{\"method\":\"$1\",\"run\":$2,\"seconds\":$3,\"worst_ms\":$4${5:+,$5}}" >>"$results"
    printf '%-7s run %d: %6.2fs  worst workload latency %8.1fms\n' "$1" "$2" "$3" "$4"
}
secs() { echo "scale=3; ($2 - $1) / 1000" | bc; }

for run in $(seq 1 "$runs"); do
    echo "== run $run of $runs"
    reset
    sql -c "CREATE TABLE copy (LIKE t INCLUDING ALL)"
    workload_start # the same conditions as the others
    a=$(now_ms); sql -c "INSERT INTO copy SELECT * FROM t"; b=$(now_ms)
    workload_stop
    record copy "$run" "$(secs "$a" "$b")" "$(worst "$a" "$b")"

    reset
    workload_start
    a=$(now_ms); sql -c "ALTER TABLE t ALTER COLUMN id TYPE bigint"; b=$(now_ms)
    workload_stop
    record alter "$run" "$(secs "$a" "$b")" "$(worst "$a" "$b")"

    reset
    workload_start
    a=$(now_ms)
    "$M" -q --format json -d "$B" osc --table t --alter "ALTER TABLE t ALTER COLUMN id TYPE bigint" "$@" >"$work/osc.json"
    b=$(now_ms)
    workload_stop
    record osc "$run" "$(secs "$a" "$b")" "$(worst "$a" "$b")" "\"job\":$(jq -c .job "$work/osc.json")"

    reset
    workload_start
    a=$(now_ms)
    "$M" -q --format json -d "$B" osc --table t --alter "ALTER TABLE t ALTER COLUMN id TYPE bigint" --no-verify "$@" >"$work/osc.json"
    b=$(now_ms)
    workload_stop
    record osc_nv "$run" "$(secs "$a" "$b")" "$(worst "$a" "$b")" "\"job\":$(jq -c .job "$work/osc.json")"

    reset
    workload_start
    a=$(now_ms); pg_repack -h "$sock" -p "$port" -U postgres -d bench --table t >/dev/null 2>&1; b=$(now_ms)
    workload_stop
    record repack "$run" "$(secs "$a" "$b")" "$(worst "$a" "$b")"
done

jq -s --arg rows "$rows" --arg cpu "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" \
    --arg cores "$(nproc)" --arg mem "$(free -g | awk '/Mem:/ {print $2}')GB" \
    --arg pg "$(psql -X -A -t "$B" -c 'SHOW server_version')" --arg repack "$(pg_repack --version)" \
    --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
    '{rows: ($rows | tonumber), machine: {cpu: $cpu, cores: $cores, memory: $mem, load_after: $load},
      postgresql: $pg, pg_repack: $repack, runs: .}' "$results" >"$root/tests/bench/out-osc.json"

median() { jq -s "map(select(.method == \"$1\") | .$2) | sort | .[(length - 1) / 2 | floor]" "$results"; }
copy=$(median copy seconds)
echo
echo "| method | median time | vs. copy | median worst workload latency |"
echo "|---|---|---|---|"
for m in copy alter osc osc_nv repack; do
    t=$(median "$m" seconds)
    printf '| %s | %.2fs | %.2fx | %sms |\n' "$m" "$t" "$(echo "scale=3; $t / $copy" | bc)" "$(median "$m" worst_ms)"
done
