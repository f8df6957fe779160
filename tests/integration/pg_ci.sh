# migrate ci on a pull request: an edited merged migration, a dangerous index, a down that does
# not undo its up and an out-of-order version are each reported with the right severity in text,
# SARIF and JUnit; a clean change passes.
. "$(dirname "$0")/lib.sh"
git init -q repo
cd repo
git config user.email ci@example.com
git config user.name ci
mkdir -p db/migrations
M=db/migrations
mig $M 10 users "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);" "DROP TABLE users;"
mig $M 20 orders "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users);" "DROP TABLE orders;"
mig $M 30 notes "CREATE TABLE notes (id bigint PRIMARY KEY, body text);" "DROP TABLE notes;"
git add -A && git commit -qm base && git branch -M main
git checkout -q -b pr
# a clean change passes
mig $M 40 tags "CREATE TABLE tags (id bigint PRIMARY KEY, name text NOT NULL);" "DROP TABLE tags;"
git add -A && git commit -qm "clean change"
"$MIGRATE_BIN" -p $M ci --base main >"$T/out" 2>"$T/err"; RC=$?
assert_rc 0
assert_out "files new: 2, changed: 0 since main"
assert_out "test-rollback on postgres: 1 passed, 0 failed"
assert_out "result: passed"

# (a) edit a merged migration, (b) a dangerous index on an old table,
# (c) a down that forgets an index, (d) an out-of-order version
printf 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text);\n' > $M/10_users.up.sql
mig $M 50 idx "CREATE INDEX orders_user ON orders (user_id);" "DROP INDEX orders_user;"
mig $M 60 wrongdown "CREATE TABLE audit (id bigint PRIMARY KEY, at timestamptz); CREATE INDEX CONCURRENTLY audit_at ON audit (at);" "DROP TABLE IF EXISTS nothing;"
printf -- '-- migrate:no-transaction\nCREATE TABLE audit (id bigint PRIMARY KEY, at timestamptz);\nCREATE INDEX CONCURRENTLY audit_at ON audit (at);\n' > $M/60_wrongdown.up.sql
printf 'DROP INDEX audit_at;\n' > $M/60_wrongdown.down.sql
mig $M 25 late "CREATE TABLE late (id bigint PRIMARY KEY);" "DROP TABLE late;"
git add -A && git commit -qm "bad change"
GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$T/summary.md "$MIGRATE_BIN" -p $M ci --base main --sarif $T/ci.sarif --junit $T/ci.xml >"$T/out" 2>"$T/err"; RC=$?
assert_rc 3
assert_out "error: edited-merged-migration: '10_users.up.sql' was merged in main and this change edits it"
assert_out "error: require-concurrent-index"
assert_out "error: down-does-not-undo-up"
assert_out "60_wrongdown.down.sql"
assert_out "error: out-of-order: '25_late.up.sql' is new but its version is below 30, the highest in main"
assert_out "result: FAILED"
assert_err "::error file=$M/10_users.up.sql,line=1,title=edited-merged-migration::"
assert_err "::error file=$M/50_idx.up.sql,line=1"
grep -q "## migrate ci: failed" "$T/summary.md" || fail "no step summary"
# SARIF: valid against the 2.1.0 schema, with every finding
python3 - "$T/ci.sarif" "$MG_TEST_ROOT/tests/fixtures/sarif/sarif-schema-2.1.0-rtm.5.json" <<'PY' || fail "SARIF"
import json, sys, jsonschema
doc = json.load(open(sys.argv[1]))
jsonschema.validate(doc, json.load(open(sys.argv[2])))
ids = {r["ruleId"]: r["level"] for r in doc["runs"][0]["results"]}
for rule in ("ci/edited-merged-migration", "ci/down-does-not-undo-up", "ci/out-of-order", "MG101"):
    assert ids.get(rule) == "error", (rule, ids)
PY
# JUnit: well-formed, failures where expected
python3 - "$T/ci.xml" <<'PY' || fail "JUnit"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = {s.get("name"): s for s in root}
assert int(suites["validate"].get("failures")) >= 2
assert int(suites["lint"].get("failures")) >= 1
rb = suites["replay-postgres"]
failed = [c.get("name") for c in rb if c.find("failure") is not None]
assert failed == ["60_wrongdown"], failed
PY
# the out-of-order version is allowed when asked
"$MIGRATE_BIN" -p $M ci --base main --allow-out-of-order >"$T/out" 2>"$T/err"; RC=$?
assert_rc 3
assert_out "warning: out-of-order"
# without git, everything is checked as new
cd "$T" && mkdir nogit && cp repo/$M/10_users.* repo/$M/20_orders.* nogit/
"$MIGRATE_BIN" -p nogit ci >"$T/out" 2>"$T/err"; RC=$?
assert_rc 0
assert_err "no git repository"
assert_out "test-rollback on postgres: 2 passed, 0 failed"
