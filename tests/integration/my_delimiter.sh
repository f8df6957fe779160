# MySQL statement splitting end to end: a procedure and a trigger whose bodies
# hold semicolons (DELIMITER $$ ... $$), a '#' comment with a semicolon,
# quotes with escaped quotes, and executable comments.
. "$(dirname "$0")/lib.sh"
new_my_db
export MIGRATE_PATH=m
mkdir m
cat >m/1_proc.up.sql <<'SQL'
-- a log table, a procedure that writes two rows, and a trigger
CREATE TABLE log (id int AUTO_INCREMENT PRIMARY KEY, msg varchar(100)); # the log; really

DELIMITER $$
CREATE PROCEDURE fill(IN n int)
BEGIN
  INSERT INTO log (msg) VALUES (CONCAT('first; ', n));
  INSERT INTO log (msg) VALUES ('it\'s; second');
END$$

CREATE TRIGGER log_bi BEFORE INSERT ON log FOR EACH ROW
BEGIN
  IF NEW.msg = 'x' THEN
    SET NEW.msg = 'was x; now y';
  END IF;
END$$
DELIMITER ;

/*!50001 CREATE VIEW log_v AS SELECT msg FROM log */;
CALL fill(1);
INSERT INTO log (msg) VALUES ('x'), ("dq \"; here"), ('a''b');
SQL
cat >m/1_proc.down.sql <<'SQL'
DROP VIEW log_v;
DROP TRIGGER log_bi;
DROP PROCEDURE fill;
DROP TABLE log;
SQL

mg up
assert_rc 0
assert_out "applied 1_proc (6 statements"
assert_eq "$(my "SELECT GROUP_CONCAT(msg ORDER BY id SEPARATOR '|') FROM log")" "first; 1|it's; second|was x; now y|dq \"; here|a'b"
assert_eq "$(my "SELECT COUNT(*) FROM log_v")" 5
assert_eq "$(my "SELECT CONCAT(stmts_done, '/', stmts_total) FROM migrate_history")" "6/6"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = DATABASE() AND routine_name = 'fill'")" 1

mg down
assert_rc 0
assert_out "reverted 1_proc (4 statements"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'log%'")" 0
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = DATABASE()")" 0
