# Layouts of dbmate, goose and Flyway run as they are; adopt reads each tool's history table,
# created here exactly as that tool creates it, and records the same applied set.
. "$(dirname "$0")/lib.sh"
F=$MG_TEST_ROOT/tests/fixtures/source

# dbmate layout: up and down sections of one file, transaction:false honoured, lines mapped
new_pg_db 1
cp -r "$F/dbmate" m; rm m/20260101000003_nosection.sql
mg -p m up
assert_rc 0
assert_err "applying 20260101000002_idx.sql (1 statement, no transaction: CREATE INDEX CONCURRENTLY"
assert_eq "$(pg "SELECT count(*) FROM pg_indexes WHERE indexname = 'users_id'")" 1
mg -p m --format json status
assert_eq "$(jq -r .layout out)" dbmate
mg -p m down --all
assert_rc 0
assert_eq "$(pg "SELECT to_regclass('users') IS NULL")" t
printf -- '-- a comment\n-- migrate:up\nCREATE TABLE a (id int);\nSELECT * FROM nope;\n-- migrate:down\nDROP TABLE a;\n' > m/20260101000009_bad.sql
mg -p m up
assert_rc 1
assert_err "at: m/20260101000009_bad.sql:4"

# goose layout: StatementBegin/End keeps two statements together, NO TRANSACTION honoured
new_pg_db 2
rm -rf m; cp -r "$F/goose" m; rm m/00003_code.go
mg -p m up
assert_rc 0
assert_eq "$(pg "SELECT f()")" 1
mg -p m down --all
assert_rc 0
cp "$F/goose/00003_code.go" m/
mg -p m up
assert_rc 2
assert_err "'00003_code.go' is a Go migration"

# Flyway layout: V and U files
new_pg_db 3
rm -rf m; mkdir m; cp "$F"/flyway/V1__* "$F"/flyway/U1__* "$F"/flyway/V2__* m/
mg -p m up
assert_rc 0
mg -p m down
assert_rc 2
assert_err "cannot revert version 2 (index): it has no down file"

# adopt from golang-migrate (clean, then dirty)
new_pg_db 4
rm -rf m; mig m 1 a "CREATE TABLE a (id int);" "DROP TABLE a;"; mig m 2 b "CREATE TABLE b (id int);" "DROP TABLE b;"; mig m 3 c "CREATE TABLE c (id int);" "DROP TABLE c;"
pg 'CREATE TABLE a (id int); CREATE TABLE b (id int);
CREATE TABLE IF NOT EXISTS "schema_migrations" (version bigint not null primary key, dirty boolean not null);
INSERT INTO schema_migrations VALUES (2, false)'
mg -p m adopt --from golang-migrate
assert_rc 0
assert_out "1_a: applied"
assert_out "2_b: applied"
assert_out "left untouched"
assert_eq "$(pg "SELECT string_agg(version || ':' || kind || ':' || (checksum <> ''), ',' ORDER BY version) FROM migrate_history")" "1:adopted:true,2:adopted:true"
assert_eq "$(pg "SELECT version || ' ' || dirty FROM schema_migrations")" "2 false"
mg -p m up
assert_rc 0
assert_out "applied 3_c"
mg -p m adopt --from golang-migrate
assert_rc 2
assert_err "already has history"

new_pg_db 5
pg 'CREATE TABLE a (id int);
CREATE TABLE IF NOT EXISTS "schema_migrations" (version bigint not null primary key, dirty boolean not null);
INSERT INTO schema_migrations VALUES (2, true)'
mg -p m adopt --from golang-migrate
assert_rc 5
assert_out "2_b: failed"
assert_err "1 adopted migrations were left failed by golang-migrate"
mg -p m status
assert_rc 5
assert_out "left failed by the tool whose history was adopted"
mg -p m up
assert_rc 5
assert_err "how much of it ran is unknown"

# adopt from dbmate
new_pg_db 6
pg 'CREATE TABLE a (id int); CREATE TABLE c (id int);
create table if not exists public.schema_migrations (version varchar(128) primary key);
INSERT INTO schema_migrations (version) VALUES ($$1$$), ($$3$$)'
mg -p m adopt --from dbmate
assert_rc 0
assert_eq "$(pg "SELECT string_agg(version::text, ',' ORDER BY version) FROM migrate_history")" "1,3"
mg -p m status
assert_out "out of order"

# adopt from goose: the last row per version decides
new_pg_db 7
pg 'CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id));
INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (3, true), (3, false)'
mg -p m adopt --from goose
assert_rc 0
assert_eq "$(pg "SELECT string_agg(version::text, ',' ORDER BY version) FROM migrate_history")" "1,2"

# adopt from Flyway: a failed row is reported; an undone one is not applied
new_pg_db 8
pg 'CREATE TABLE "public"."flyway_schema_history" ("installed_rank" INT NOT NULL, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER, "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(), "execution_time" INTEGER NOT NULL, "success" BOOLEAN NOT NULL);
ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");
INSERT INTO flyway_schema_history VALUES
 (1, $$1$$, $$a$$, $$SQL$$, $$V1__a.sql$$, 1, $$me$$, now(), 5, true),
 (2, $$2$$, $$b$$, $$SQL$$, $$V2__b.sql$$, 2, $$me$$, now(), 5, true),
 (3, $$2$$, $$b$$, $$UNDO_SQL$$, $$U2__b.sql$$, 2, $$me$$, now(), 5, true),
 (4, NULL, $$views$$, $$SQL$$, $$R__views.sql$$, 3, $$me$$, now(), 5, true),
 (5, $$3$$, $$c$$, $$SQL$$, $$V3__c.sql$$, 4, $$me$$, now(), 5, false)'
mg -p m adopt --from flyway
assert_rc 5
assert_err "repeatable migration 'views' is not adopted"
assert_eq "$(pg "SELECT string_agg(version || ':' || status, ',' ORDER BY version) FROM migrate_history")" "1:applied,3:failed"
assert_eq "$(pg "SELECT count(*) FROM flyway_schema_history")" 5

# errors: unknown tool, missing table
new_pg_db 9
mg -p m adopt --from liquibase
assert_rc 2
assert_err "cannot adopt from 'liquibase'"
mg -p m adopt --from dbmate
assert_rc 1
assert_err 'relation "schema_migrations" does not exist'
assert_err "name the table with --table"
mg -p m adopt --from dbmate --table nope.history
assert_rc 1
assert_err 'relation "nope.history" does not exist'
