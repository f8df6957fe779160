# A 50 MB migration file on MariaDB is read, split and applied statement by
# statement (each under max_allowed_packet); a file over --max-file-size is refused.
. "$(dirname "$0")/lib.sh"
new_my_db
mkdir m
python3 - <<'PY'
rows = ",".join("(%d,'row %d of a big migration file')" % (i, i) for i in range(1050))
with open("m/2_big.up.sql", "w") as f:
    f.write("-- a data migration of about 50 MB; # and ; in comments are no statements\n")
    for k in range(1000):
        f.write("INSERT INTO big (id, note) VALUES " + rows.replace("(", "(%d*1050+" % k, 1050) + ";\n")
PY
mig m 1 table "CREATE TABLE big (id bigint, note varchar(100));" "DROP TABLE big;"
printf 'DELETE FROM big;\n' >m/2_big.down.sql
size=$(stat -c %s m/2_big.up.sql)
[ "$size" -gt 50000000 ] || fail "the file is only $size bytes"
mg -p m up
assert_rc 0
assert_out "applied 2_big (1000 statements"
assert_eq "$(my "SELECT COUNT(*) FROM big")" 1050000
assert_eq "$(my "SELECT CONCAT_WS(' ', checksum, stmts_done) FROM migrate_history WHERE version = 2")" "$(sha256sum m/2_big.up.sql | cut -d' ' -f1) 1000"
mg -p m --max-file-size 10M status
assert_rc 5
assert_err "is too large: $size bytes, the limit is 10485760"
mg -p m --max-file-size 10M down
assert_rc 2
assert_err "has errors; nothing was run"
