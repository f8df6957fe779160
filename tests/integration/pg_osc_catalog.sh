# What the swap carries over, on a table whose schema and name need quoting (spaces, capitals,
# a double quote): index and constraint names, foreign keys both ways (validated after), a
# view, triggers and their enabled state, grants, comments, storage options, replica identity,
# serial and identity sequences.  Also --dry-run (changes nothing) and --abort.
. "$(dirname "$0")/lib.sh"
new_pg_db
psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" >/dev/null 2>&1 <<'SQL' || fail "setup"
DO $$ BEGIN CREATE ROLE osc_cat_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE SCHEMA "App Data";
SET search_path = "App Data", public;
CREATE TABLE parent (pid int PRIMARY KEY);
INSERT INTO parent SELECT generate_series(1, 10);
CREATE TABLE "Order ""Items""" (
  "Id" serial CONSTRAINT "my pk" PRIMARY KEY,
  seq int GENERATED ALWAYS AS IDENTITY,
  "Parent Id" int REFERENCES parent (pid) ON DELETE CASCADE,
  qty int NOT NULL CONSTRAINT "qty ok" CHECK (qty >= 0),
  price numeric(10,2),
  total numeric GENERATED ALWAYS AS (qty * price) STORED,
  note varchar(20) UNIQUE
);
COMMENT ON TABLE "Order ""Items""" IS 'the items';
COMMENT ON COLUMN "Order ""Items""".qty IS 'how many';
CREATE INDEX "qty idx" ON "Order ""Items""" (qty) WHERE qty > 0;
INSERT INTO "Order ""Items""" ("Parent Id", qty, price, note)
    SELECT 1 + g % 10, g % 7, g * 1.5, 'n' || g FROM generate_series(1, 3000) g;
CREATE TABLE child (cid int PRIMARY KEY, item int REFERENCES "Order ""Items""" ("Id"));
INSERT INTO child VALUES (1, 1), (2, 2);
CREATE VIEW "Item View" AS SELECT "Id", qty FROM "Order ""Items""" WHERE qty > 2 WITH CHECK OPTION;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.price := NEW.price + 0; RETURN NEW; END $$;
CREATE TRIGGER "Touch It" BEFORE UPDATE ON "Order ""Items""" FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER off_one AFTER INSERT ON "Order ""Items""" FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE "Order ""Items""" DISABLE TRIGGER off_one;
GRANT SELECT, UPDATE ON "Order ""Items""" TO osc_cat_reader;
GRANT INSERT (qty) ON "Order ""Items""" TO osc_cat_reader;
ALTER TABLE "Order ""Items""" SET (fillfactor = 80);
ALTER TABLE "Order ""Items""" REPLICA IDENTITY FULL;
ANALYZE "Order ""Items""";
SQL
TBL='"App Data"."Order ""Items"""'
rows_before=$(pg "SELECT md5(string_agg(concat_ws(',', \"Id\", seq, \"Parent Id\", qty, price, total), ';' ORDER BY \"Id\")) FROM $TBL")
ALTER="ALTER TABLE $TBL ALTER COLUMN \"Parent Id\" TYPE bigint, ADD COLUMN \"New Col\" text DEFAULT 'x', DROP COLUMN note"

# a dry run prints the plan and the SQL, and changes nothing
mg osc --table "$TBL" --alter "$ALTER" --dry-run
assert_rc 0 "dry run"
assert_out "plan (dry run, nothing was changed)"
assert_out "key:       Id (index my pk)"
assert_out "column:    Parent Id: convert (integer -> bigint)"
assert_out "column:    note: drop (character varying(20))"
assert_out "column:    New Col: new (text)"
assert_out "carries:   \"App Data\".\"Item View\": view: re-created over the new table at the cut-over"
assert_out "carries:   child_item_fkey on \"App Data\".child: foreign key: moved to the new table NOT VALID"
assert_out "carries:   trigger Touch It: re-created on the new table at the cut-over"
assert_out 'CREATE TABLE "migrate_osc_1_new"."Order ""Items""" (LIKE "App Data"."Order ""Items""" INCLUDING ALL EXCLUDING STATISTICS);'
assert_out 'ALTER TABLE "App Data"."Order ""Items""" SET SCHEMA "migrate_osc_1_old";'
assert_out 'ALTER INDEX "migrate_osc_1_new"."migrate_osc_index_1" RENAME TO "my pk";'
assert_out '"Order ""Items""_Parent Id_fkey" FOREIGN KEY ("Parent Id") REFERENCES "App Data".parent(pid) ON DELETE CASCADE NOT VALID;'
assert_out "-- cutover"
assert_out "-- build"
assert_out 'ALTER TABLE "migrate_osc_1_new"."Order ""Items""" ADD CONSTRAINT "my pk" PRIMARY KEY ("Id");'
assert_out 'CREATE INDEX "qty idx" ON migrate_osc_1_new."Order ""Items""" USING btree (qty) WHERE (qty > 0);'
assert_out 'ANALYZE "migrate_osc_1_new"."Order ""Items""";'
assert_out "-- replay"
assert_eq "$(pg "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'migrate_osc%'")" 0
assert_eq "$(pg "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'migrate_osc%'")" 0
mg --format json osc --table "$TBL" --alter "$ALTER" --dry-run
assert_rc 0 "dry run json"
assert_eq "$(jq -r '.plan.columns | map(.action) | join(",")' "$T/out")" "copy,copy,convert,copy,copy,generated,new,drop"
assert_eq "$(jq -r '.plan.sql | keys | join(",")' "$T/out")" "after_cutover,batch,build,cutover,replay,setup,verify"

# --abort removes a job's shadow and triggers; the table is as it was
touch "$T/pause"
"$MIGRATE_BIN" osc --table "$TBL" --alter "$ALTER" --pause-file "$T/pause" >/dev/null 2>"$T/paused.err" &
pid=$!
wait_until "grep -q paused '$T/paused.err'" "the paused job"
kill -TERM $pid
wait $pid
assert_eq "$(pg "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'migrate_osc_3%'")" 2
mg osc --abort 3
assert_rc 0 "abort"
assert_out "osc job 3 aborted"
assert_eq "$(pg "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'migrate_osc%'")" 0
assert_eq "$(pg "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'migrate_osc%'")" 0
assert_eq "$(pg "SELECT phase FROM migrate_osc_jobs WHERE id = 3")" aborted

# the change
mg osc --table "$TBL" --alter "$ALTER"
assert_rc 0 "osc"
assert_out "changed \"App Data\".\"Order \"\"Items\"\"\" online"
q() { pg "SET search_path = \"App Data\", public; $1"; }
assert_eq "$(q "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = '\"Order \"\"Items\"\"\"'::regclass")" "my pk,qty idx"
assert_eq "$(q "SELECT string_agg(conname || ':' || convalidated, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = '\"Order \"\"Items\"\"\"'::regclass")" "Order \"Items\"_Parent Id_fkey:true,my pk:true,qty ok:true"
assert_eq "$(q "SELECT confrelid::regclass::text || ':' || convalidated FROM pg_constraint WHERE conname = 'child_item_fkey'")" '"Order ""Items""":true'
assert_eq "$(q "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '\"Order \"\"Items\"\"\"'::regclass AND attname = 'Parent Id'")" bigint
assert_eq "$(q "SELECT count(*) FROM \"Item View\"")" "$(q "SELECT count(*) FROM \"Order \"\"Items\"\"\" WHERE qty > 2")"
assert_eq "$(q "SELECT string_agg(DISTINCT d.refobjid::regclass::text, ',') FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid WHERE r.ev_class = '\"Item View\"'::regclass AND d.refobjid <> r.ev_class AND d.refclassid = 'pg_class'::regclass")" '"Order ""Items"""'
assert_eq "$(q "SELECT reloptions::text FROM pg_class WHERE oid = '\"Item View\"'::regclass")" "{check_option=cascaded}"
assert_eq "$(q "SELECT string_agg(tgname || ':' || tgenabled::text, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = '\"Order \"\"Items\"\"\"'::regclass AND NOT tgisinternal")" "Touch It:O,off_one:D"
q "SELECT relacl::text FROM pg_class WHERE oid = '\"Order \"\"Items\"\"\"'::regclass" | grep -q "osc_cat_reader=rw/" || fail "table grant lost"
q "SELECT attacl::text FROM pg_attribute WHERE attrelid = '\"Order \"\"Items\"\"\"'::regclass AND attname = 'qty'" | grep -q "osc_cat_reader=a/" || fail "column grant lost"
assert_eq "$(q "SELECT obj_description('\"Order \"\"Items\"\"\"'::regclass) || '/' || col_description('\"Order \"\"Items\"\"\"'::regclass, 4)")" "the items/how many"
assert_eq "$(q "SELECT reloptions::text || relreplident::text FROM pg_class WHERE oid = '\"Order \"\"Items\"\"\"'::regclass")" "{fillfactor=80}f"
assert_eq "$(pg "SELECT md5(string_agg(concat_ws(',', \"Id\", seq, \"Parent Id\", qty, price, total), ';' ORDER BY \"Id\")) FROM $TBL")" "$rows_before" "(the rows)"

# the old table goes; the sequences stay with the new one and continue
mg osc --resume 4 --drop-old
assert_rc 0 "drop old"
assert_eq "$(q "INSERT INTO \"Order \"\"Items\"\"\" (\"Parent Id\", qty, price) VALUES (1, 3, 2) RETURNING \"Id\" || ',' || seq || ',' || total")" "3001,3001,6.00"
assert_eq "$(q "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'migrate_osc%'")" 0
# a parent delete cascades into the new table only
q "DELETE FROM child" >/dev/null
assert_eq "$(q "DELETE FROM parent WHERE pid = 1; SELECT count(*) FROM \"Order \"\"Items\"\"\" WHERE \"Parent Id\" = 1")" 0
