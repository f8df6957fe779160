# lib.sh — helpers for integration tests; sourced by every test script.
#
# A test gets a fresh database named after the test (new_pg_db / new_my_db),
# a scratch folder $T, and assertions that print what was expected and what
# the user saw.  `mg` runs the binary and keeps stdout, stderr and the exit
# code in $T/out, $T/err and $RC.
set -u
T=$(mktemp -d "$MG_TEST_WORK/t.XXXXXX")
chmod 755 "$T" # a sandbox of its own runs as another user when root
cd "$T"
RC=0

fail() {
    echo "FAILED: $*" >&2
    if [ -f "$T/out" ]; then echo "--- stdout:" >&2; cat "$T/out" >&2; fi
    if [ -f "$T/err" ]; then echo "--- stderr:" >&2; cat "$T/err" >&2; fi
    exit 1
}

# mg ARGS...: runs migrate; never fails by itself.
mg() {
    "$MIGRATE_BIN" "$@" >"$T/out" 2>"$T/err"
    RC=$?
    return 0
}

assert_rc() { [ "$RC" = "$1" ] || fail "exit code $RC, expected $1 (after: ${2:-last command})"; }
assert_out() { grep -qF -- "$1" "$T/out" || fail "stdout lacks: $1"; }
assert_err() { grep -qF -- "$1" "$T/err" || fail "stderr lacks: $1"; }
assert_no_out() { ! grep -qF -- "$1" "$T/out" || fail "stdout has: $1"; }
assert_no_err() { ! grep -qF -- "$1" "$T/err" || fail "stderr has: $1"; }
assert_eq() { [ "$1" = "$2" ] || fail "got '$1', expected '$2' ${3:-}"; }

# new_pg_db: a fresh database for this test; sets DATABASE_URL and PGDB.
new_pg_db() {
    PGDB="t_${MG_TEST_NAME}_${1:-0}"
    PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$MG_PG_URL" -c "DROP DATABASE IF EXISTS \"$PGDB\"" -c "CREATE DATABASE \"$PGDB\"" >/dev/null
    DATABASE_URL=$(echo "$MG_PG_URL" | sed "s|/postgres?|/$PGDB?|")
    export DATABASE_URL PGDB
}

# pg SQL: one value (or rows, tab-separated) from the test database.
pg() { psql -X -q -A -t -F $'\t' -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "$1"; }

# new_my_db [N]: a fresh MariaDB database for this test; sets DATABASE_URL and MYDB.
new_my_db() {
    MYDB="t_${MG_TEST_NAME}_${1:-0}"
    my_client -e "DROP DATABASE IF EXISTS \`$MYDB\`; CREATE DATABASE \`$MYDB\`"
    DATABASE_URL=$(echo "$MG_MY_URL" | sed "s|/mysql?|/$MYDB?|")
    export DATABASE_URL MYDB
}

# my_client ARGS...: the mariadb client as root over the sandbox's socket.
my_client() { mariadb --no-defaults -uroot --socket="$MG_MY_DIR/sock/mysqld.sock" "$@"; }

# my SQL: one value (or rows, tab-separated) from the test database.
my() { my_client -N -B -e "$1" "$MYDB"; }

# wait_until COMMAND [WHAT]: polls until COMMAND succeeds (up to 60s), else fails the test.
wait_until() {
    local i=0
    until eval "$1" >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -lt 600 ] || fail "timed out waiting for ${2:-$1}"
        sleep 0.1
    done
}

# mig DIR VERSION NAME UP [DOWN]: writes a migration pair.
mig() {
    mkdir -p "$1"
    printf '%s\n' "$4" >"$1/$2_$3.up.sql"
    if [ $# -ge 5 ]; then printf '%s\n' "$5" >"$1/$2_$3.down.sql"; fi
}

# golden NAME: compares stdout (with volatile parts masked) to tests/fixtures/golden/NAME.
golden() {
    local want="$MG_TEST_ROOT/tests/fixtures/golden/$1"
    sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/<time>/g' \
        -e 's/[0-9]+ms/<ms>/g' -e 's/[0-9a-f]{8}-[0-9a-f-]{27}/<uuid>/g' \
        -e "s|$MG_TEST_WORK[^ \"]*|<work>|g" "$T/out" >"$T/out.masked"
    if [ "${MG_UPDATE_GOLDEN:-}" = 1 ]; then
        mkdir -p "$(dirname "$want")"
        cp "$T/out.masked" "$want"
    fi
    diff -u "$want" "$T/out.masked" >&2 || fail "stdout differs from golden file $1"
}
