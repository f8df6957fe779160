#!/usr/bin/env bash
# Lint benchmark: migrate lint against squawk (squawk-cli 2.x from npm) on a generated corpus.
#
#   tests/bench/lint/run.sh [WORKDIR]        (default /tmp/migrate-lint-bench)
#
# Needs: bin/migrate (make), python3, npm, hyperfine and /usr/bin/time (Debian packages
# hyperfine and time); valgrind for INSTRUCTIONS=1.  squawk is installed into WORKDIR/squawk
# with npm --prefix: it is never a dependency of the project.  Prints CPU times (hyperfine:
# user+sys, mean of RUNS runs; /usr/bin/time: user+sys and peak memory of RUNS runs per
# command, the tools alternating, with the minimum and the median), with INSTRUCTIONS=1 the
# instructions each tool executes (valgrind --tool=callgrind: repeatable where CPU times are
# not), and the file-by-file comparison on the rules both tools have (compare.py).  squawk is
# timed both through npm's launcher (node starts it: what a user runs) and as its native binary
# (the launcher's node start-up left out).  Results are kept in WORKDIR.
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
SQBIN=$(find "$work/squawk/node_modules/@squawk-cli" -path '*/bin/squawk' -type f | head -n 1)
[ -x "$SQBIN" ] || { echo "run.sh: squawk's native binary is missing under $work/squawk" >&2; exit 2; }
echo "squawk: $($SQ --version)   migrate: $("$bin" --version)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

# Timing: both tools lint every file and write machine-readable output; both exit non-zero
# because they find problems (hyperfine -i).
hyperfine -i --warmup 1 --runs "$runs" --export-json "$work/hyperfine.json" \
    -n "squawk --reporter json" "$SQ --assume-in-transaction --reporter json $corpus/*.sql > /dev/null" \
    -n "squawk binary --reporter json" "$SQBIN --assume-in-transaction --reporter json $corpus/*.sql > /dev/null" \
    -n "migrate lint --format json" "$bin lint --format json $corpus > /dev/null" \
    -n "migrate lint --enable all --format json" "$bin lint --enable all --format json $corpus > /dev/null" \
    -n "squawk (tty)" "$SQ --assume-in-transaction $corpus/*.sql > /dev/null" \
    -n "migrate lint (text)" "$bin lint $corpus > /dev/null" >/dev/null 2>&1
python3 - "$work/hyperfine.json" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
cpu = {r["command"]: r["user"] + r["system"] for r in res}  # means over the runs
print("hyperfine, mean of the runs:")
print("%-42s %10s %10s" % ("command", "CPU s", "wall s"))
for r in res:
    print("%-42s %10.3f %10.3f" % (r["command"], cpu[r["command"]], r["mean"]))
for sq in ("squawk --reporter json", "squawk binary --reporter json"):
    for name in ("migrate lint --format json", "migrate lint --enable all --format json"):
        print("%s / %s: %.2f" % (name, sq, cpu[name] / cpu[sq]))
print("migrate lint (text) / squawk (tty): %.2f" % (cpu["migrate lint (text)"] / cpu["squawk (tty)"]))
PY

# /usr/bin/time: user+sys and peak RSS of each run, the commands alternating so that a burst of
# load on the shared machine hits all of them alike.
names=("squawk --reporter json" "squawk binary --reporter json" "migrate lint --format json")
cmds=("$SQ --assume-in-transaction --reporter json $corpus/*.sql"
      "$SQBIN --assume-in-transaction --reporter json $corpus/*.sql"
      "$bin lint --format json $corpus")
: > "$work/time.tsv"
for run in $(seq "$runs"); do
    for k in "${!cmds[@]}"; do
        sh -c "/usr/bin/time -f '%U %S %M' -o '$work/time.txt' ${cmds[$k]} > /dev/null" 2>/dev/null || true
        printf '%s\t%s\n' "${names[$k]}" "$(tail -n 1 "$work/time.txt")" >> "$work/time.tsv"
    done
done
python3 - "$work/time.tsv" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, t = line.rstrip("\n").split("\t")
    u, s, m = t.split()
    runs.setdefault(name, []).append((float(u) + float(s), int(m)))
print("/usr/bin/time, %d runs each:" % len(next(iter(runs.values()))))
print("%-32s %8s %8s %10s   %s" % ("command", "min s", "median s", "peak RSS", "user+sys of each run"))
for name, v in runs.items():
    cpu = [c for c, _ in v]
    print("%-32s %8.2f %8.2f %7d MB   %s" % (name, min(cpu), statistics.median(cpu),
                                               max(m for _, m in v) // 1024,
                                               " ".join("%.2f" % c for c in cpu)))
mig = statistics.median(c for c, _ in runs["migrate lint --format json"])
for sq in ("squawk --reporter json", "squawk binary --reporter json"):
    print("median migrate lint --format json / median %s: %.2f"
          % (sq, mig / statistics.median(c for c, _ in runs[sq])))
PY

# Instructions (INSTRUCTIONS=1): callgrind counts them exactly, whatever the load; squawk's
# native binary (node's start-up would only add to squawk's count).
if [ "${INSTRUCTIONS:-0}" = 1 ]; then
    command -v valgrind >/dev/null || { echo "run.sh: valgrind is missing" >&2; exit 2; }
    count() { # name command... -> prints the count
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" >/dev/null 2>"$work/vg.txt" || true
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/vg.txt" | tail -n 1
    }
    mi=$(count "$bin" lint --format json "$corpus")
    si=$(count "$SQBIN" --assume-in-transaction --reporter json "$corpus"/*.sql)
    python3 -c "
m, s = $mi, $si
print('instructions (callgrind): squawk binary --reporter json %.2f G, migrate lint --format json %.2f G, ratio %.2f' % (s / 1e9, m / 1e9, m / s))"
fi

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
