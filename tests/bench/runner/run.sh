#!/usr/bin/env bash
# The runner benchmark of docs/benchmarks.md: apply 1,000 small migrations and revert them all,
# against the floor (psql -f, same SQL, one transaction per migration) and dbmate 2.x, in one
# run, alternating, on one throwaway PostgreSQL.
#
#   tests/bench/runner/run.sh [N] [RUNS]        (defaults 1000 and 5)
#
# Needs hyperfine (Debian package) and npm; dbmate is installed into a temporary folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
n=${1:-1000} runs=${2:-5}
M=${MIGRATE_BIN:-$root/bin/migrate}
work=$(mktemp -d /tmp/migrate-bench-XXXXXX); chmod 755 "$work"
trap '"$M" sandbox stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)"; exit 1; }
npm install --silent --prefix "$work/peers" dbmate@2 >/dev/null 2>&1
DBMATE=$work/peers/node_modules/.bin/dbmate
"$DBMATE" --version

"$here/gen.sh" "$work/m" "$n"
url=$("$M" -q sandbox start --dir "$work/pg")
tcp=$("$M" sandbox url --tcp "$work/pg")
db() { echo "$url" | sed "s|/postgres?|/$1?|"; }
reset="psql -X -q '$url' -c 'DROP DATABASE IF EXISTS bench' -c 'CREATE DATABASE bench'"
B=$(db bench)
BT=$(echo "$tcp" | sed "s|/postgres$|/bench?sslmode=disable|")

echo "== apply $n migrations"
hyperfine --runs "$runs" --export-markdown "$work/up.md" --export-json "$root/tests/bench/out-runner-up.json" \
    --prepare "$reset" \
    -n "floor: psql -f" "psql -X -q -v ON_ERROR_STOP=1 '$B' -f $work/m/floor-up.sql" \
    -n "migrate up" "$M -q -d '$B' -p $work/m/migrate up" \
    -n "dbmate up" "$DBMATE --url '$BT' --migrations-dir $work/m/dbmate --no-dump-schema up"
echo "== revert $n migrations"
hyperfine --runs "$runs" --export-markdown "$work/down.md" --export-json "$root/tests/bench/out-runner-down.json" \
    -n "floor: psql -f" --prepare "$reset; psql -X -q '$B' -f $work/m/floor-up.sql" \
    "psql -X -q -v ON_ERROR_STOP=1 '$B' -f $work/m/floor-down.sql" \
    -n "migrate down --all" --prepare "$reset; $M -q -d '$B' -p $work/m/migrate up" \
    "$M -q -d '$B' -p $work/m/migrate down --all"
cat "$work/up.md" "$work/down.md"
