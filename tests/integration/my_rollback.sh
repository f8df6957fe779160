# test-rollback on a MariaDB sandbox: a correct set passes; a down that forgets an index,
# one that drops the wrong column, an up that cannot run again are caught and named;
# --data sees rows the down does not put back.
. "$(dirname "$0")/lib.sh"
mig good 1 users "CREATE TABLE users (id bigint PRIMARY KEY AUTO_INCREMENT, email varchar(200) NOT NULL,
    state enum('active', 'banned') NOT NULL DEFAULT 'active');" "DROP TABLE users;"
mig good 2 users_email "CREATE UNIQUE INDEX users_email_key ON users (email);" "DROP INDEX users_email_key ON users;"
mig good 3 active_users "CREATE VIEW active_users AS SELECT id, email FROM users WHERE state = 'active';" \
    "DROP VIEW active_users;"
mig good 4 touch "CREATE TRIGGER users_bi BEFORE INSERT ON users FOR EACH ROW SET NEW.email = LOWER(NEW.email);" \
    "DROP TRIGGER users_bi;"

mg -p good test-rollback --driver mysql
assert_rc 0 "test-rollback of a correct set"
assert_out "test-rollback on a MariaDB"
assert_out "4 migrations: 4 passed, 0 failed"
assert_err "starting a mariadb sandbox"

mig bad 1 users "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(200) NOT NULL, created_at datetime);
CREATE TABLE roles (name varchar(50) PRIMARY KEY);" "DROP TABLE roles;
DROP TABLE users;"
mig bad 2 users_indexes "CREATE INDEX users_email_idx ON users (email);
CREATE INDEX users_created_idx ON users (created_at);" "DROP INDEX users_email_idx ON users;"
mig bad 3 users_name "ALTER TABLE users ADD COLUMN name text;" "ALTER TABLE users DROP COLUMN email;"
mig bad 4 seed_roles "INSERT INTO roles (name) VALUES ('auditor');" "SELECT 1;"
mig bad 5 orders "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, FOREIGN KEY (user_id) REFERENCES users (id));" \
    "DROP TABLE orders;"

# the driver comes from the -d URL's scheme when --driver is not given
DATABASE_URL="mysql://nobody@localhost/none" mg -p bad test-rollback --data
assert_rc 3
assert_out "FAIL 2_users_indexes"
assert_out "         + index users_created_idx (created_at) using BTREE"
assert_out "FAIL 3_users_name"
assert_out "         - column email varchar(200) not null"
assert_out "         + column name text default NULL"
assert_out "FAIL 4_seed_roles"
assert_out "       roles: 0 rows before the up, 1 after the down"
assert_out "     up again: failed: Duplicate entry 'auditor' for key 'PRIMARY'"
assert_out "ok   5_orders"
assert_out "5 migrations: 2 passed, 3 failed"

mg -p bad --format json test-rollback --driver mariadb
assert_rc 3
assert_eq "$(jq -r '[.migrations[] | select(.status == "failed") | .version] | join(",")' out)" "2,3,4"
