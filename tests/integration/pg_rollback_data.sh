# test-rollback --data: rows of tables that existed before an up must survive up and down.
. "$(dirname "$0")/lib.sh"
mig m 1 codes "CREATE TABLE codes (id int PRIMARY KEY, code text);
INSERT INTO codes VALUES (1, '007'), (2, '42'), (3, 'x''y');" "DROP TABLE codes;"
# a type change whose down does not give the old text back ('007' comes back as '7')
mig m 2 codes_int "ALTER TABLE codes ALTER COLUMN code TYPE integer USING CASE WHEN code ~ '^[0-9]+\$' THEN code::integer END;" \
    "ALTER TABLE codes ALTER COLUMN code TYPE text;"
# a data fix whose down cannot bring the rows back
mig m 3 purge "CREATE TABLE purged (id int);
DELETE FROM codes WHERE code IS NULL;" "DROP TABLE purged;"
# a round trip that keeps every row
mig m 4 note "ALTER TABLE codes ADD COLUMN note text DEFAULT 'n';" "ALTER TABLE codes DROP COLUMN note;"

# the schema alone cannot see it
mg -p m test-rollback
assert_rc 0
assert_out "4 migrations: 4 passed, 0 failed"

mg -p m test-rollback --data
assert_rc 3
assert_out "schema and rows compared"
assert_out "ok   1_codes"
assert_out "FAIL 2_codes_int"
assert_out "     down: rows of tables that existed before the up are not the same after the down"
assert_out "       public.codes: the 3 rows differ after the down"
assert_out "FAIL 3_purge"
assert_out "       public.codes: 3 rows before the up, 2 after the down"
assert_out "ok   4_note"
assert_out "4 migrations: 2 passed, 2 failed"

mg -p m --format json test-rollback --data
assert_rc 3
assert_eq "$(jq -r '.migrations[2].steps[1].data_lost[0]' out)" "public.codes: 3 rows before the up, 2 after the down"
assert_eq "$(jq -r '.data' out)" true

# over the row bound only counts are compared: the changed text goes unseen, the lost row not
mg -p m test-rollback --data --data-max-rows 2
assert_rc 3
assert_out "ok   2_codes_int"
assert_out "FAIL 3_purge"
mg -p m test-rollback --data-max-rows lots
assert_rc 2
assert_err "--data-max-rows wants a number of rows"
