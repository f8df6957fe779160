#!/bin/sh
# make demo: the main job end to end on the example migrations, against a
# throwaway PostgreSQL that this script starts and stops.
set -eu
M=${MIGRATE_BIN:-bin/migrate}
dir=$(mktemp -d /tmp/migrate-demo-XXXXXX)
chmod 755 "$dir"
trap '"$M" sandbox stop "$dir/pg" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT INT TERM
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step "migrate sandbox start --dir $dir/pg"
DATABASE_URL=$("$M" sandbox start --dir "$dir/pg")
export DATABASE_URL
echo "$DATABASE_URL"
export MIGRATE_PATH=sql/examples/postgres
export MIGRATE_CHECKPOINT_DIR="$dir/checkpoints" 

step "migrate validate"
"$M" validate
step "migrate lint"
"$M" lint
step "migrate status"
"$M" status || true
step "migrate plan"
"$M" plan
step "migrate up"
"$M" up
step "migrate status"
"$M" status
step "migrate down 2"
"$M" down 2
step "migrate goto 20261101090300"
"$M" goto 20261101090300
step "migrate --format json version"
"$M" --format json version
step "migrate checkpoint list"
"$M" checkpoint list
step "migrate test-rollback (each migration: up, down, up again on its own sandbox)"
"$M" test-rollback
step "migrate sandbox stop"
"$M" sandbox stop "$dir/pg"
echo "demo: done"
