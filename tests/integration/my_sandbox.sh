# `migrate sandbox --driver mariadb`: a throwaway MariaDB on a Unix socket and
# a loopback port, with binary logging on; url, status, stop; a clear refusal
# when the server programs are missing.
. "$(dirname "$0")/lib.sh"
dir="$T/sb"
chmod 755 "$T"
mkdir "$T/none"
# a failing test must not leave its server running
trap '"$MIGRATE_BIN" sandbox stop "$dir" >/dev/null 2>&1 || true' EXIT

# as root the server runs as another user, who must be able to reach the folder
if [ "$(id -u)" = 0 ]; then
    mkdir -m 700 "$T/closed"
    mg sandbox start --driver mariadb --dir "$T/closed/sb"
    assert_rc 2
    assert_err "cannot enter '$T/closed'"
    assert_err "chmod o+x"
fi

mg sandbox start --driver mariadb --dir "$dir"
assert_rc 0
url=$(cat out)
assert_eq "$url" "mysql://root@localhost/mysql?socket=$dir/sock/mysqld.sock"
mg sandbox url --tcp "$dir"
assert_rc 0
tcp=$(cat out)
echo "$tcp" | grep -qE '^mysql://root@127\.0\.0\.1:[0-9]+/mysql$' || fail "bad TCP URL: $tcp"
mg --format json sandbox status "$url"
assert_rc 0
assert_eq "$(jq -r '.driver + " " + (.running|tostring)' out)" "mariadb true"

# both URLs work; binary logging is on, so checkpoints have a position
mg -d "$tcp" -p "$T/none" status
assert_rc 0
assert_out "MariaDB"
sock="$dir/sock/mysqld.sock"
assert_eq "$(mariadb --no-defaults -uroot --socket="$sock" -N -e 'SELECT @@log_bin, @@character_set_server, @@tmpdir')" "1	utf8mb4	$dir/tmp"
mariadb --no-defaults -uroot --socket="$sock" -N -e 'SHOW MASTER STATUS' | grep -q binlog ||
    fail "no binary log position"

mg sandbox start --driver mariadb --dir "$dir"
assert_rc 2
assert_err "already holds a sandbox"

mg sandbox stop "$url"
assert_rc 0
[ ! -e "$dir" ] || fail "the sandbox folder is still there"
mg sandbox status "$url"
assert_rc 1

# the server programs are missing
MIGRATE_MARIADB_BINDIR="$T/nothing" mg sandbox start --driver mysql --dir "$T/sb2"
assert_rc 1
assert_err "has no mariadbd"
assert_err "make deps"
[ ! -e "$T/sb2" ] || fail "a failed start left its folder behind"
