#!/usr/bin/env bash
# Lint benchmark: migrate lint against squawk (squawk-cli 2.x from npm) on a generated corpus.
#
#   tests/bench/lint/run.sh [WORKDIR]        (default /tmp/migrate-lint-bench)
#
# Needs: bin/migrate (make), python3, npm, hyperfine and /usr/bin/time (Debian packages
# hyperfine and time).  squawk is installed into WORKDIR/squawk with npm --prefix: it is never
# a dependency of the project.  Prints CPU times (hyperfine: user+sys over 5 runs; /usr/bin/time
# -v: CPU and peak memory of one run) and the file-by-file comparison on the rules both tools
# have (compare.py).  Results are kept in WORKDIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
work=${1:-/tmp/migrate-lint-bench}
bin=${MIGRATE_BIN:-$root/bin/migrate}
runs=${RUNS:-5}
mkdir -p "$work"
corpus=$work/corpus

[ -x "$bin" ] || { echo "run.sh: build first (make): $bin is missing" >&2; exit 2; }
for t in hyperfine /usr/bin/time python3 npm; do
    command -v "$t" >/dev/null || { echo "run.sh: $t is missing" >&2; exit 2; }
done

rm -rf "$corpus"
python3 "$here/gen_corpus.py" "$corpus"
if [ ! -x "$work/squawk/node_modules/.bin/squawk" ]; then
    npm install --prefix "$work/squawk" --no-audit --no-fund squawk-cli@2 >/dev/null
fi
SQ=$work/squawk/node_modules/.bin/squawk
echo "squawk: $($SQ --version)   migrate: $("$bin" --version)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

# Timing: both tools lint every file and write machine-readable output; both exit non-zero
# because they find problems (hyperfine -i).
hyperfine -i --warmup 1 --runs "$runs" --export-json "$work/hyperfine.json" \
    -n "squawk --reporter json" "$SQ --assume-in-transaction --reporter json $corpus/*.sql > /dev/null" \
    -n "migrate lint --format json" "$bin lint --format json $corpus > /dev/null" \
    -n "migrate lint --enable all --format json" "$bin lint --enable all --format json $corpus > /dev/null" \
    -n "squawk (tty)" "$SQ --assume-in-transaction $corpus/*.sql > /dev/null" \
    -n "migrate lint (text)" "$bin lint $corpus > /dev/null" >/dev/null 2>&1
python3 - "$work/hyperfine.json" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
cpu = {r["command"]: r["user"] + r["system"] for r in res}  # means over the runs
print("%-42s %10s %10s" % ("command", "CPU s", "wall s"))
for r in res:
    print("%-42s %10.3f %10.3f" % (r["command"], cpu[r["command"]], r["mean"]))
sq = cpu["squawk --reporter json"]
for name in ("migrate lint --format json", "migrate lint --enable all --format json"):
    print("%s / squawk --reporter json: %.2f" % (name, cpu[name] / sq))
print("migrate lint (text) / squawk (tty): %.2f" % (cpu["migrate lint (text)"] / cpu["squawk (tty)"]))
PY
for cmd in "$SQ --assume-in-transaction --reporter json $corpus/*.sql" "$bin lint --format json $corpus"; do
    sh -c "/usr/bin/time -v $cmd" 2>"$work/time.txt" >/dev/null || true
    printf '%s\n    ' "/usr/bin/time -v ${cmd%% *}..."
    grep -E "User time|System time|Maximum resident" "$work/time.txt" | sed 's/^\s*//' | paste -sd';' | sed 's/;/; /g'
done

# Comparison: squawk judges files the way migrate runs them (one transaction unless the file
# says -- migrate:no-transaction or holds a statement that cannot run in one).
"$bin" lint --enable all --format json "$corpus" > "$work/migrate.json" || true
python3 -c "
import json, sys
d = json.load(open('$work/migrate.json'))
open('$work/txn.list', 'w').write(''.join(f['path'] + '\n' for f in d['files'] if f['transaction']))
open('$work/notxn.list', 'w').write(''.join(f['path'] + '\n' for f in d['files'] if not f['transaction']))"
xargs -a "$work/txn.list" "$SQ" --assume-in-transaction --reporter json > "$work/squawk-txn.json" || true
xargs -a "$work/notxn.list" "$SQ" --reporter json > "$work/squawk-notxn.json" || true
python3 "$here/compare.py" --migrate="$bin" "$work/migrate.json" "$work/squawk-txn.json" \
    "$work/squawk-notxn.json" | tee "$work/compare.txt"
