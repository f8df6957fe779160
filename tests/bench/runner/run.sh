#!/usr/bin/env bash
# The runner benchmark of docs/benchmarks.md: apply 1,000 small migrations (a table and an
# index each) and revert them all, against the floor (the same SQL through the database's own
# client, one transaction per migration) and dbmate 2.x, in one run, alternating: every round
# runs each command once on a fresh database.
#
#   tests/bench/runner/run.sh [postgres|mariadb] [N] [ROUNDS]     (defaults postgres 1000 5)
#
# dbmate is installed with npm into a temporary folder (never a project dependency).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
driver=${1:-postgres} n=${2:-1000} rounds=${3:-5}
M=${MIGRATE_BIN:-$root/bin/migrate}
work=$(mktemp -d /tmp/migrate-bench-XXXXXX); chmod 755 "$work"
trap '"$M" sandbox stop "$work/sb" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

npm install --silent --prefix "$work/peers" dbmate@2 >/dev/null 2>&1
DBMATE=$work/peers/node_modules/.bin/dbmate
echo "dbmate: $("$DBMATE" --version)"
"$here/gen.sh" "$work/m" "$n" "$driver"
url=$("$M" -q sandbox start --driver "$driver" --dir "$work/sb")
tcp=$("$M" sandbox url --tcp "$work/sb")

if [ "$driver" = postgres ]; then
    B=$(echo "$url" | sed "s|/postgres?|/bench?|")
    DB_URL=$(echo "$tcp" | sed "s|/postgres$|/bench?sslmode=disable|")
    reset() { psql -X -q "$url" -c 'DROP DATABASE IF EXISTS bench' -c 'CREATE DATABASE bench'; }
    floor_up() { psql -X -q -v ON_ERROR_STOP=1 "$B" -f "$work/m/floor-up.sql"; }
    floor_down() { psql -X -q -v ON_ERROR_STOP=1 "$B" -f "$work/m/floor-down.sql"; }
else
    sock=$(echo "$url" | sed -E 's|.*socket=([^&]*).*|\1|')
    B=$(echo "$url" | sed "s|/mysql?|/bench?|")
    port=$(echo "$tcp" | sed -E 's|.*:([0-9]+)/.*|\1|')
    DB_URL="mysql://root@127.0.0.1:$port/bench"
    my() { mariadb --socket="$sock" -uroot "$@"; }
    reset() { my -e 'DROP DATABASE IF EXISTS bench; CREATE DATABASE bench'; }
    floor_up() { my bench < "$work/m/floor-up.sql"; }
    floor_down() { my bench < "$work/m/floor-down.sql"; }
fi
migrate_up() { "$M" -q -d "$B" -p "$work/m/migrate" --no-checkpoint up >/dev/null; }
migrate_down() { "$M" -q -d "$B" -p "$work/m/migrate" --no-checkpoint down --all >/dev/null; }
dbmate_up() { "$DBMATE" --url "$DB_URL" --migrations-dir "$work/m/dbmate" --no-dump-schema up >/dev/null; }

t() { local s e; s=$(date +%s.%N); "$@"; e=$(date +%s.%N); echo "$e - $s" | bc; }
: >"$work/times"
for r in $(seq 1 "$rounds"); do
    for cmd in floor_up migrate_up dbmate_up; do
        reset
        echo "up $cmd $(t $cmd)" >>"$work/times"
    done
    for cmd in floor_down migrate_down; do
        reset
        if [ $cmd = floor_down ]; then floor_up; else migrate_up; fi
        echo "down $cmd $(t $cmd)" >>"$work/times"
    done
    echo "round $r done" >&2
done
python3 - "$work/times" "$driver" "$n" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
by = {}
for phase, cmd, sec in rows:
    by.setdefault((phase, cmd), []).append(float(sec))
print(f"{sys.argv[2]}, {sys.argv[3]} migrations, {len(by[('up','floor_up')])} alternating rounds")
print("| phase | command | median s | min s | mean s | median / floor |")
print("|---|---|---:|---:|---:|---:|")
for phase, floor in (("up", "floor_up"), ("down", "floor_down")):
    f = statistics.median(by[(phase, floor)])
    for (ph, cmd), v in sorted(by.items()):
        if ph != phase:
            continue
        print(f"| {phase} | {cmd} | {statistics.median(v):.2f} | {min(v):.2f} | {statistics.mean(v):.2f} | {statistics.median(v)/f:.2f} |")
PY
