#!/usr/bin/env bash
# The estimate accuracy benchmark of docs/benchmarks.md ("estimate"): a clone of
# CLONE_ROWS rows and a target of TARGET_ROWS rows of the same table; for a rewriting
# ALTER (int -> bigint), an index build and a VALIDATE CONSTRAINT, the duration
# `migrate estimate` predicts for the target against the duration `migrate up` then
# takes on it.  Each run starts from fresh copies of both databases (CREATE DATABASE
# ... TEMPLATE); medians over RUNS runs.
#
#   tests/bench/estimate/run.sh [RUNS] [CLONE_ROWS] [TARGET_ROWS]   (5, 100000, 1000000)
#
# Needs jq and python3.  Prints a table and writes tests/bench/estimate/out.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
runs=${1:-5} small=${2:-100000} big=${3:-1000000}
M=${MIGRATE_BIN:-$root/bin/migrate}
work=$(mktemp -d /tmp/migrate-bench-est-XXXXXX)
chmod 755 "$work"
trap '"$M" sandbox stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

url=$("$M" -q sandbox start --dir "$work/pg")
db() { echo "$url" | sed "s|/postgres?|/$1?|"; }
sql() { psql -X -q -v ON_ERROR_STOP=1 "$url" -c "$1" >/dev/null; }

mkdir "$work/m"
cat >"$work/m/1_base.up.sql" <<'SQL'
CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, w int NOT NULL, pad text NOT NULL);
ALTER TABLE t ADD CONSTRAINT t_w_pos CHECK (w >= 0) NOT VALID;
SQL
echo "ALTER TABLE t ALTER COLUMN v TYPE bigint;" >"$work/m/2_rewrite.up.sql"
echo "CREATE INDEX t_w ON t (w);" >"$work/m/3_index.up.sql"
echo "ALTER TABLE t VALIDATE CONSTRAINT t_w_pos;" >"$work/m/4_validate.up.sql"

# the two templates: the same schema at version 1, ten times the rows on the target
for pair in "tpl_clone $small" "tpl_target $big"; do
    set -- $pair
    sql "CREATE DATABASE $1"
    "$M" -q -p "$work/m" -d "$(db "$1")" up 1 >/dev/null
    psql -X -q -v ON_ERROR_STOP=1 "$(db "$1")" -c "INSERT INTO t SELECT g, g, (g::bigint * 7919) % 1000003, md5(g::text) FROM generate_series(1, $2) g" -c "VACUUM ANALYZE t" >/dev/null
done

for r in $(seq "$runs"); do
    sql "CREATE DATABASE clone_$r TEMPLATE tpl_clone"
    sql "CREATE DATABASE target_$r TEMPLATE tpl_target"
    "$M" -q -p "$work/m" -d "$(db "target_$r")" --format json estimate --clone "$(db "clone_$r")" >"$work/est_$r.json"
    psql -X -q -v ON_ERROR_STOP=1 "$(db "target_$r")" -c '\timing on' \
        -c "BEGIN" -f "$work/m/2_rewrite.up.sql" -c "COMMIT" \
        -c "BEGIN" -f "$work/m/3_index.up.sql" -c "COMMIT" \
        -c "BEGIN" -f "$work/m/4_validate.up.sql" -c "COMMIT" |
        grep '^Time:' | awk '{print $2}' | sed -n '2p;5p;8p' >"$work/actual_$r.txt"
    sql "DROP DATABASE clone_$r"
    sql "DROP DATABASE target_$r"
    echo "run $r of $runs done" >&2
done

python3 - "$work" "$runs" "$root/tests/bench/estimate/out.json" "$small" "$big" <<'PY'
import json, statistics, sys
work, runs, out, small, big = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
rows = {}
for r in range(1, runs + 1):
    est = json.load(open(f"{work}/est_{r}.json"))
    times = [float(x) for x in open(f"{work}/actual_{r}.txt").read().split()]
    actual = dict(zip((2, 3, 4), times))
    for m in est["migrations"]:
        s = m["statements"][0]
        d = rows.setdefault(m["name"], {"sql": s["sql"], "clone": [], "pred": [], "actual": [], "factor": []})
        d["clone"].append(s["clone_ms"]); d["pred"].append(s["predicted_ms"])
        d["actual"].append(actual[m["version"]]); d["factor"].append(s["factor"])
result = {"runs": runs, "clone_rows": int(small), "target_rows": int(big), "statements": []}
print(f"| statement | clone ms | factor | predicted ms | actual ms | error | per-run errors |")
print("|---|---|---|---|---|---|---|")
for name, d in rows.items():
    med = {k: statistics.median(v) for k, v in d.items() if k != "sql"}
    err = med["pred"] / med["actual"] - 1
    per = [p / a - 1 for p, a in zip(d["pred"], d["actual"])]
    print(f"| `{d['sql']}` | {med['clone']:.0f} | {med['factor']:.2f} | {med['pred']:.0f} | "
          f"{med['actual']:.0f} | {err:+.0%} | {' '.join(f'{e:+.0%}' for e in per)} |")
    result["statements"].append({"name": name, "sql": d["sql"], **{k: d[k] for k in ("clone", "pred", "actual", "factor")},
                                 "median_error": err})
json.dump(result, open(out, "w"), indent=2)
PY
