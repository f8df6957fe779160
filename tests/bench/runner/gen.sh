#!/usr/bin/env bash
# gen.sh DIR N [postgres|mariadb]: N small migrations (a table and an index each) in three forms:
#   DIR/migrate/  golang-migrate layout for migrate
#   DIR/dbmate/   dbmate layout (one file, -- migrate:up / -- migrate:down)
#   DIR/floor-up.sql, DIR/floor-down.sql: the same SQL for psql -f, one transaction per migration
set -eu
dir=$1 n=$2 dialect=${3:-postgres}
ts=timestamptz
[ "$dialect" = postgres ] || ts=timestamp
rm -rf "$dir"; mkdir -p "$dir/migrate" "$dir/dbmate"
: >"$dir/floor-up.sql"; : >"$dir/floor-down.sql"
for i in $(seq 1 "$n"); do
    v=$(printf '2026%010d' "$i")
    up="CREATE TABLE t_$i (id bigint PRIMARY KEY, name varchar(100) NOT NULL, created_at $ts NOT NULL DEFAULT now());
CREATE INDEX t_${i}_name ON t_$i (name);"
    down="DROP TABLE t_$i;"
    printf '%s\n' "$up" >"$dir/migrate/${v}_t_$i.up.sql"
    printf '%s\n' "$down" >"$dir/migrate/${v}_t_$i.down.sql"
    printf -- '-- migrate:up\n%s\n\n-- migrate:down\n%s\n' "$up" "$down" >"$dir/dbmate/${v}_t_$i.sql"
    printf 'BEGIN;\n%s\nCOMMIT;\n' "$up" >>"$dir/floor-up.sql"
done
for i in $(seq "$n" -1 1); do
    printf 'BEGIN;\nDROP TABLE t_%s;\nCOMMIT;\n' "$i" >>"$dir/floor-down.sql"
done
