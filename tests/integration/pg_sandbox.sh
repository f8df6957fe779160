# The sandbox command: start, url, status, restart, stop; clear refusals; as a normal user too.
. "$(dirname "$0")/lib.sh"
sb=$T/sb
mg sandbox start --dir "$sb"
assert_rc 0
url=$(cat out)
[[ "$url" == "postgres://postgres@/postgres?host=$sb/sock&port="* ]] || fail "unexpected URL $url"
psql -X -At "$url" -c "SELECT 1" >/dev/null || fail "cannot connect to $url"
mg sandbox url --tcp "$sb"
assert_rc 0
tcp=$(cat out)
psql -X -At "$tcp" -c "SELECT 1" >/dev/null || fail "cannot connect to $tcp"
mg --format json sandbox status "$url"
assert_rc 0
assert_eq "$(jq -r '.running, .driver' out | tr '\n' ' ')" "true postgres "
# a second start in the same folder is refused
mg sandbox start --dir "$sb"
assert_rc 2
assert_err "already holds a sandbox"
mg sandbox stop "$url"
assert_rc 0
[ ! -e "$sb" ] || fail "the folder was not removed"
mg sandbox status "$sb"
assert_rc 1
assert_err "no sandbox in"

# missing server programs
mkdir empty
MIGRATE_PG_BINDIR=$T/empty mg sandbox start --dir "$T/sb2"
assert_rc 1
assert_err "has no initdb"
[ ! -e "$T/sb2" ] || fail "a failed start left its folder behind"
mg sandbox start --driver oracle
assert_rc 2
assert_err "no sandbox for driver 'oracle'"
mg sandbox frobnicate x
assert_rc 2

# as a normal user (when the tests run as root and that user can reach the binary)
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null && runuser -u nobody -- test -x "$MIGRATE_BIN"; then
    mkdir "$T/own" && chown nobody "$T/own"
    out=$(runuser -u nobody -- "$MIGRATE_BIN" sandbox start --dir "$T/own/sb3") || fail "sandbox start as nobody failed"
    [ "$(stat -c %U "$T/own/sb3/data")" = nobody ] || fail "data not owned by nobody"
    runuser -u nobody -- psql -X -At "$out" -c "SELECT current_user" | grep -q postgres || fail "cannot connect as nobody"
    runuser -u nobody -- "$MIGRATE_BIN" sandbox stop "$T/own/sb3" || fail "stop as nobody failed"
else
    echo "skipped: the normal-user case needs root and runuser"
fi
