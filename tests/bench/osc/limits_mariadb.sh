#!/usr/bin/env bash
# What an online copy with verification cannot go below on this machine (docs/benchmarks.md,
# section "osc", MariaDB): on one throwaway MariaDB, a table of ROWS rows (the osc benchmark's
# table) is copied into a table with the new key type by plain SQL, as one statement and as
# 2 and 4 statements at once over key ranges (READ COMMITTED, like migrate osc's copy), and
# both tables are checksummed the way migrate osc verifies them (COUNT and SUM of a CRC32 per
# row), by 1, 2 and 4 sessions at once; ALTER TABLE ... ALGORITHM=COPY of the same table is the
# reference.  No workload runs; every copy starts from an empty table.  Prints the medians
# over RUNS runs and writes every measurement to tests/bench/out-osc-limits-mariadb.json.
#
#   tests/bench/osc/limits_mariadb.sh [ROWS] [RUNS]   (defaults 1000000 and 3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
rows=${1:-1000000} runs=${2:-3}
M=${MIGRATE_BIN:-$root/bin/migrate}
work=$(mktemp -d /tmp/migrate-bench-osclim-XXXXXX)
chmod 755 "$work"
trap '"$M" sandbox stop "$work/my" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
command -v jq >/dev/null || { echo "needs jq"; exit 1; }

"$M" -q sandbox start --driver mariadb --dir "$work/my" >/dev/null
sock=$work/my/sock/mysqld.sock
sql() { mariadb --no-defaults -uroot --socket="$sock" "$@"; }
sql -e "CREATE DATABASE bench"
now_ms() { date +%s%3N; }
echo "== setup: $rows rows"
sql bench -e "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL, b varchar(32), c datetime);
    INSERT INTO t SELECT seq, seq % 1000, md5(seq), NOW() FROM seq_1_to_$rows;"
newtable() {
    sql bench -e "DROP TABLE IF EXISTS $1; CREATE TABLE $1 (id bigint PRIMARY KEY, a int NOT NULL, b varchar(32), c datetime)"
}
# the row checksum migrate osc computes for this table (osc_my.c, row_text)
H="CRC32(CONCAT_WS('#', x.id, x.a, x.b, x.c, (ISNULL(x.b) << 0) | (ISNULL(x.c) << 1)))"

results=$work/results.jsonl
: >"$results"
record() { # what run seconds
    echo "{\"method\":\"$1\",\"run\":$2,\"seconds\":$3}" >>"$results"
    printf '%-12s run %d: %6.2fs\n' "$1" "$2" "$3"
}
secs() { echo "scale=3; ($2 - $1) / 1000" | bc; }
# streams N TABLE: N sessions at once, each copying an equal key range of t into TABLE
copy_streams() {
    local n=$1 i lo hi
    for i in $(seq 0 $((n - 1))); do
        lo=$((i * rows / n)) hi=$(((i + 1) * rows / n))
        sql bench -e "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED;
            INSERT INTO $2 SELECT * FROM t WHERE id > $lo AND id <= $hi" &
    done
    wait
}
# checksum_streams N: N sessions at once, each checksumming an equal key range of t and copy
checksum_streams() {
    local n=$1 i lo hi
    for i in $(seq 0 $((n - 1))); do
        lo=$((i * rows / n)) hi=$(((i + 1) * rows / n))
        sql -N bench -e "SELECT COUNT(*), SUM($H) FROM t AS x WHERE id > $lo AND id <= $hi;
            SELECT COUNT(*), SUM($H) FROM copy AS x WHERE id > $lo AND id <= $hi" >/dev/null &
    done
    wait
}

for run in $(seq 1 "$runs"); do
    echo "== run $run of $runs"
    sql bench -e "DROP TABLE IF EXISTS d; CREATE TABLE d LIKE t; INSERT INTO d SELECT * FROM t"
    a=$(now_ms); sql bench -e "ALTER TABLE d MODIFY id bigint, ALGORITHM=COPY"; b=$(now_ms)
    record alter "$run" "$(secs "$a" "$b")"
    for n in 1 2 4; do
        newtable copy
        a=$(now_ms); copy_streams "$n" copy; b=$(now_ms)
        record "copy_x$n" "$run" "$(secs "$a" "$b")"
    done
    for n in 1 2 4; do
        a=$(now_ms); checksum_streams "$n"; b=$(now_ms)
        record "checksum_x$n" "$run" "$(secs "$a" "$b")"
    done
done

jq -s --arg rows "$rows" --arg cpu "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" \
    --arg cores "$(nproc)" --arg server "$(sql -N -e 'SELECT VERSION()')" \
    --arg pool "$(sql -N -e 'SELECT @@innodb_buffer_pool_size')" \
    --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
    '{rows: ($rows | tonumber), machine: {cpu: $cpu, cores: $cores, load_after: $load},
      buffer_pool: $pool, server: $server, runs: .}' "$results" >"$root/tests/bench/out-osc-limits-mariadb.json"

median() { jq -s "map(select(.method == \"$1\") | .seconds) | sort | .[(length - 1) / 2 | floor]" "$results"; }
alter=$(median alter)
echo
echo "| what | median time | vs. ALTER ... ALGORITHM=COPY |"
echo "|---|---|---|"
for m in alter copy_x1 copy_x2 copy_x4 checksum_x1 checksum_x2 checksum_x4; do
    t=$(median "$m")
    printf '| %s | %.2f s | %.2fx |\n' "$m" "$t" "$(echo "$t / $alter" | bc -l)"
done
