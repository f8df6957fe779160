# migrate lint output: text, json, sarif (validated against the SARIF 2.1.0 schema), junit,
# GitHub annotations, exit codes and --fail-on; no database.
. "$(dirname "$0")/lib.sh"
F=$MG_TEST_ROOT/tests/fixtures/lint/formats
cp -r "$F" m
unset DATABASE_URL GITHUB_ACTIONS MIGRATE_DOCS_URL

# the version in SARIF changes with releases; the golden files say <version>
mask_version() { sed -i "s/\"version\": \"$(cat "$MG_TEST_ROOT/VERSION")\"/\"version\": \"<version>\"/" "$T/out"; }

mg lint m
assert_rc 3 "errors at the default --fail-on error"
golden lint/text
assert_err "3 findings at or above --fail-on error"

mg -p m lint
assert_rc 3
assert_out "3 files: 3 errors, 3 warnings, 1 info"

mg --format json lint m
assert_rc 3
golden lint/json
[ "$(jq -r ".findings | length" "$T/out")" = 7 ] || fail "json: 7 findings"
[ "$(jq -r '.findings[0].fingerprint | length' "$T/out")" = 32 ] || fail "json: fingerprints"

mg lint --format sarif m
assert_rc 3
cp "$T/out" lint.sarif
mask_version
golden lint/sarif
PY=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c "import jsonschema" 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || fail "no python3 with jsonschema (Debian: python3-jsonschema; make deps installs it)"
"$PY" - "$MG_TEST_ROOT/tests/fixtures/sarif/sarif-schema-2.1.0-rtm.5.json" lint.sarif <<'PYEOF' || fail "SARIF does not validate"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.Draft4Validator.check_schema(schema)
errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(doc), key=str)
for e in errors:
    print("SARIF schema:", list(e.path), e.message, file=sys.stderr)
run = doc["runs"][0]
rules = run["tool"]["driver"]["rules"]
# what GitHub code scanning relies on, beyond the schema
assert all(r["id"] and r["shortDescription"]["text"] and r["fullDescription"]["text"] and
           r["help"]["text"] and r["defaultConfiguration"]["level"] in ("error", "warning", "note")
           for r in rules)
for res in run["results"]:
    assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].startswith("m/")
    assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
    assert len(res["partialFingerprints"]["migrateLint/v1"]) == 32
sys.exit(1 if errors else 0)
PYEOF
# a schema violation is caught by the same check (the test can fail)
jq '.runs[0].results[0].level = "fatal"' lint.sarif > broken.sarif
! "$PY" -c "import json,sys,jsonschema; jsonschema.validate(json.load(open('broken.sarif')), json.load(open(sys.argv[1])))" \
    "$MG_TEST_ROOT/tests/fixtures/sarif/sarif-schema-2.1.0-rtm.5.json" 2>/dev/null || fail "a broken SARIF validated"

# helpUri from the configured docs URL
MIGRATE_DOCS_URL=https://docs.example.com/checks mg lint --format sarif m
[ "$(jq -r '.runs[0].tool.driver.rules[0].helpUri' "$T/out")" = "https://docs.example.com/checks/require-concurrent-index.md" ] || fail "helpUri"

mg lint --format junit m
assert_rc 3
golden lint/junit
"${PY:-python3}" -c "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); assert r.tag == 'testsuites' and r.get('failures') == '3'" "$T/out" || fail "junit: not XML"

# GitHub annotations go to stderr, next to the chosen format
GITHUB_ACTIONS=true mg lint --format sarif m
assert_rc 3
grep '^::' "$T/err" > annotations || true
cp annotations "$T/out"
golden lint/github
assert_no_out "::error file=m/1"
jq -e . lint.sarif >/dev/null || fail "sarif"
GITHUB_ACTIONS=true mg lint --format json m
jq -e . "$T/out" >/dev/null || fail "annotations leaked into stdout"

# --fail-on
mg lint --fail-on warning m/1_users.up.sql
assert_rc 3
mg lint m/1_users.up.sql
assert_rc 0
assert_out "1 file: 0 errors, 1 warning, 0 info (failing on error: 0)"
mg lint --fail-on info m/3_clean.up.sql
assert_rc 0

# configuration
printf '[lint]\nfail-on = warning\n[lint.severity]\nprefer-timestamptz = error\n' > migrate.ini
mg lint m/1_users.up.sql
assert_rc 3
assert_out "error: prefer-timestamptz"
printf '[lint]\ndisable = prefer-timestamptz\n' > other.ini
mg lint --config other.ini --fail-on warning m/1_users.up.sql
assert_rc 0
MIGRATE_CONFIG=other.ini mg lint --fail-on warning m/1_users.up.sql
assert_rc 0
mg --config other.ini lint --fail-on warning m/1_users.up.sql
assert_rc 0
rm migrate.ini
mg --config missing.ini lint m/1_users.up.sql
assert_rc 2
printf '[lint]\nfail-on = sometimes\n' > bad.ini
mg lint --config bad.ini m
assert_rc 2
assert_err "fail-on must be error, warning or info"
assert_err "bad.ini line 2"

# bad input: exit 2 with a clear message
mg lint --format yaml m
assert_rc 2
assert_err "unknown --format 'yaml'"
mg lint --disable no-such-rule m
assert_rc 2
assert_err "unknown rule 'no-such-rule'"
mg lint --dialect oracle m
assert_rc 2
mg lint m/nope.sql
assert_rc 2
assert_err "cannot read 'm/nope.sql'"
mg lint --pg-version fifteen m
assert_rc 2

# the dialect from the URL, and --dialect over it
printf 'ALTER TABLE t ADD COLUMN c INT NOT NULL;\n' > my.sql
DATABASE_URL=mysql://u@localhost/db mg lint --fail-on warning my.sql
assert_rc 3
assert_out "mysql-not-null-without-default"
DATABASE_URL=mysql://u@localhost/db mg lint --dialect postgres my.sql
assert_out "add-required-column"

# --new: a table created by a file new in this change is exempt later
mkdir n
printf 'CREATE TABLE t (id bigint, a text);\n' > n/1_t.up.sql
printf 'CREATE INDEX t_a ON t (a);\n' > n/2_i.up.sql
mg lint n
assert_rc 3
assert_out "require-concurrent-index"
mg lint --new n/1_t.up.sql n
assert_rc 0
echo "lint_formats: ok"
