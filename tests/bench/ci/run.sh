#!/usr/bin/env bash
# The ci benchmark of docs/benchmarks.md: `migrate ci` on a repository of 200 migrations whose
# pull request adds the last 10, sandbox start and stop included.
#
#   tests/bench/ci/run.sh [RUNS]      (default 5)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
runs=${1:-5}
M=${MIGRATE_BIN:-$root/bin/migrate}
work=$(mktemp -d /tmp/migrate-bench-ci-XXXXXX); chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
"$root/tests/bench/runner/gen.sh" "$work/gen" 200
cd "$work" && git init -q repo && cd repo
git config user.email b@example.com && git config user.name bench
mkdir -p db && cp -r "$work/gen/migrate" db/migrations
# the base holds the first 190; the pull request adds the last 10
for f in db/migrations/*; do
    n=$(basename "$f" | sed -E 's/^2026([0-9]{10})_.*/\1/' | sed 's/^0*//')
    [ "$n" -gt 190 ] && mv "$f" "$work/"
done
git add -A && git commit -qm base && git branch -M main
git checkout -q -b pr && mv "$work"/2026* db/migrations/ && git add -A && git commit -qm pr
"$M" -p db/migrations ci --base main >/dev/null 2>&1 || { echo "ci failed"; "$M" -p db/migrations ci --base main; exit 1; }
/usr/bin/time -v "$M" -q -p db/migrations ci --base main 2>&1 >/dev/null | grep -E "Elapsed|Maximum resident|User time|System time"
hyperfine --runs "$runs" --export-markdown "$work/ci.md" -n "migrate ci (200 migrations, 10 new)" \
    "$M -q -p db/migrations ci --base main"
cat "$work/ci.md"
