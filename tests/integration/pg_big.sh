# A 50 MB migration file is read, split and applied; a file over --max-file-size is refused.
. "$(dirname "$0")/lib.sh"
new_pg_db
mkdir m
python3 - <<'PY'
rows = ",".join("(%d,'row %d of a big migration file')" % (i, i) for i in range(1050))
with open("m/2_big.up.sql", "w") as f:
    f.write("-- a data migration of about 50 MB\n")
    for k in range(1000):
        f.write("INSERT INTO big (id, note) VALUES " + rows.replace("(", "(%d*1050+" % k, 1050) + ";\n")
PY
mig m 1 table "CREATE TABLE big (id bigint, note text);" "DROP TABLE big;"
printf 'DELETE FROM big;\n' > m/2_big.down.sql
size=$(stat -c %s m/2_big.up.sql)
[ "$size" -gt 50000000 ] || fail "the file is only $size bytes"
mg -p m up
assert_rc 0
assert_out "applied 2_big (1000 statements"
assert_eq "$(pg "SELECT count(*) FROM big")" 1050000
assert_eq "$(pg "SELECT checksum FROM migrate_history WHERE version = 2")" "$(sha256sum m/2_big.up.sql | cut -d' ' -f1)"
mg -p m --max-file-size 10M status
assert_rc 5
assert_err "is too large: $size bytes, the limit is 10485760"
mg -p m --max-file-size 10M down
assert_rc 2
assert_err "has errors; nothing was run"
