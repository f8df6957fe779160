#!/usr/bin/env bash
# Runs the integration tests against sandboxes that this script starts with
# `migrate sandbox` and stops on exit.  Each test file is a bash script named
# <driver>_<topic>.sh; it gets a database of its own (see lib.sh).
#
#   tests/integration/run.sh [PATTERN]      e.g. run.sh pg_lock
#
# MIGRATE_BIN selects the binary (default bin/migrate), JOBS the parallelism.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export MIGRATE_BIN=${MIGRATE_BIN:-$root/bin/migrate}
export MG_TEST_ROOT=$root
jobs=${JOBS:-2}
pattern=${1:-}

work=$(mktemp -d /tmp/migrate-it-XXXXXX)
export MG_TEST_WORK=$work
chmod 755 "$work"
pids_to_stop=()

cleanup() {
    for d in "${pids_to_stop[@]}"; do
        "$MIGRATE_BIN" sandbox stop "$d" >/dev/null 2>&1 || true
    done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Runs in a command substitution (a subshell), so the caller records the folder to stop.
start_sandbox() { # driver dir -> prints URL
    local driver=$1 dir=$2 url
    if ! url=$("$MIGRATE_BIN" -q sandbox start --driver "$driver" --dir "$dir"); then
        echo "run.sh: cannot start the $driver sandbox" >&2
        return 1
    fi
    echo "$url"
}

tests=()
for t in "$here"/*_*.sh; do
    name=$(basename "$t" .sh)
    [ -n "$pattern" ] && [[ "$name" != *$pattern* ]] && continue
    tests+=("$t")
done
need_pg=0; need_my=0
for t in "${tests[@]}"; do
    case $(basename "$t") in
        pg_*) need_pg=1 ;;
        my_*) need_my=1 ;;
    esac
done

if [ $need_pg = 1 ]; then
    pids_to_stop+=("$work/pg")
    MG_PG_URL=$(start_sandbox postgres "$work/pg") || exit 1
    MG_PG_TCP=$("$MIGRATE_BIN" sandbox url --tcp "$work/pg")
    export MG_PG_URL MG_PG_TCP MG_PG_DIR="$work/pg"
fi
if [ $need_my = 1 ]; then
    pids_to_stop+=("$work/my")
    MG_MY_URL=$(start_sandbox mariadb "$work/my") || exit 1
    MG_MY_TCP=$("$MIGRATE_BIN" sandbox url --tcp "$work/my")
    export MG_MY_URL MG_MY_TCP MG_MY_DIR="$work/my"
fi

mkdir -p "$work/results"
run_one() {
    local t=$1 name
    name=$(basename "$t" .sh)
    local log="$MG_TEST_WORK/results/$name.log"
    local start=$(date +%s.%N)
    local pid rc
    # a session of its own: whatever the test left running (a workload client after a failed
    # assertion) is stopped with it
    MG_TEST_NAME=$name setsid bash "$t" >"$log" 2>&1 &
    pid=$!
    wait "$pid"
    rc=$?
    pkill -KILL -s "$pid" 2>/dev/null
    if [ "$rc" = 0 ]; then
        printf 'ok   %-40s %5.1fs\n' "$name" "$(echo "$(date +%s.%N) - $start" | bc)"
    else
        printf 'FAIL %-40s\n' "$name"
        sed 's/^/    | /' "$log" | tail -40
        touch "$MG_TEST_WORK/results/$name.failed"
    fi
}
export -f run_one
printf '%s\n' "${tests[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {}

failed=$(ls "$work/results/"*.failed 2>/dev/null | wc -l)
echo "integration: ${#tests[@]} tests, $failed failed"
[ "$failed" = 0 ]
