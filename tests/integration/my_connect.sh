# Connecting to MariaDB: bad URLs, an unreachable server, a wrong password, a
# database that does not exist, TLS demands the server cannot meet; a
# password never shows in any output.
. "$(dirname "$0")/lib.sh"
new_my_db
mig m 1 a "CREATE TABLE a (id int);" "DROP TABLE a;"
export MIGRATE_PATH=m
sock="$MG_MY_DIR/sock/mysqld.sock"
port=$(echo "$MG_MY_TCP" | sed -E 's|.*:([0-9]+)/.*|\1|')
user="mig_${MG_TEST_NAME}"
my_client -e "DROP USER IF EXISTS '$user'@'localhost', '$user'@'127.0.0.1';
  CREATE USER '$user'@'localhost' IDENTIFIED BY 'p@ss:w/rd S3cret';
  CREATE USER '$user'@'127.0.0.1' IDENTIFIED BY 'p@ss:w/rd S3cret';
  GRANT ALL ON \`$MYDB\`.* TO '$user'@'localhost';
  GRANT ALL ON \`$MYDB\`.* TO '$user'@'127.0.0.1';"
enc='p%40ss%3Aw%2Frd%20S3cret'

# a percent-encoded password works over the socket and over TCP (mariadb:// too)
mg -d "mysql://$user:$enc@localhost/$MYDB?socket=$sock" up
assert_rc 0
assert_out "applied 1_a"
mg -d "mariadb://$user:$enc@127.0.0.1:$port/$MYDB" status
assert_rc 0
assert_out "mariadb://$user:***@127.0.0.1:$port/$MYDB"
assert_no_out "S3cret"

# wrong password: connection error with a hint, and the password is nowhere
mg -d "mysql://$user:WrongS3cret@localhost/$MYDB?socket=$sock" status
assert_rc 1
assert_err "Access denied for user '$user'@'localhost'"
assert_err "server error: 1045"
assert_err "hint: check the user and password"
assert_err "$user:***@"
assert_no_err "WrongS3cret"
mg -d "mysql://$user:WrongS3cret@127.0.0.1:$port/$MYDB" --format json up
assert_rc 1
assert_no_out "WrongS3cret"
assert_no_err "WrongS3cret"

# a database that does not exist
mg -d "mysql://root@localhost/no_such_db_here?socket=$sock" up
assert_rc 1
assert_err "Unknown database 'no_such_db_here'"
assert_err "server error: 1049"
assert_err "CREATE DATABASE"

# unreachable servers: a closed port, a missing socket
mg -d "mysql://root@127.0.0.1:1/$MYDB" status
assert_rc 1
assert_err "cannot connect to MySQL/MariaDB"
assert_err "check that the server is running"
mg -d "mysql://root@localhost/$MYDB?socket=$T/none.sock" status
assert_rc 1
assert_err "$T/none.sock"
assert_err "hint: check that the server is running"

# malformed URLs and options are usage errors (exit 2) with a hint
mg -d "mysql://root@localhost/$MYDB?socket=$sock&sslmode=require" status
assert_rc 2
assert_err "unknown connection parameter 'sslmode'"
assert_err "ssl-mode"
mg -d "mysql://root@localhost?socket=$sock" status
assert_rc 2
assert_err "the database URL names no database"
mg -d "mysql://root@db.example/$MYDB?socket=$sock" status
assert_rc 2
assert_err "names both a host"
mg -d "mysql://root@127.0.0.1:$port/$MYDB?ssl-mode=sometimes" status
assert_rc 2
assert_err "unknown ssl-mode 'sometimes'"
mg -d "mysql://root@127.0.0.1:$port/$MYDB?ssl-mode=VERIFY_IDENTITY" status
assert_rc 2
assert_err "needs ssl-ca"
mg -d "mysql://root@127.0.0.1:$port/$MYDB?ssl-mode=DISABLED&ssl-ca=/etc/ca.pem" status
assert_rc 2
assert_err "contradicts"
mg -d "mysql://root@127.0.0.1:$port/$MYDB?connect-timeout=soon" status
assert_rc 2

# TLS: the sandbox has none; REQUIRED refuses the plain connection, PREFERRED takes it,
# and over the Unix socket TLS is not needed
mg -d "mysql://root@127.0.0.1:$port/$MYDB?ssl-mode=REQUIRED&connect-timeout=5" status
assert_rc 1
assert_err "did not agree to TLS"
mg -d "mysql://root@127.0.0.1:$port/$MYDB?ssl-mode=PREFERRED&connect-timeout=5s" status
assert_rc 0
mg -d "mysql://root@localhost/$MYDB?socket=$sock&ssl-mode=REQUIRED" status
assert_rc 0
