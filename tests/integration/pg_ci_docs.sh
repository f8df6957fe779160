# The CI examples of docs/ci.md run as written: every run:/script: line of its YAML blocks,
# except the "Install migrate" steps, in a scratch repository with a pull request.
. "$(dirname "$0")/lib.sh"
mkdir bin && ln -s "$MIGRATE_BIN" bin/migrate
export PATH=$T/bin:$PATH
python3 - "$MG_TEST_ROOT/docs/ci.md" "$T/jobs" <<'PY' || fail "cannot read the YAML of docs/ci.md"
import os, re, sys, yaml
text = open(sys.argv[1]).read()
os.makedirs(sys.argv[2])
n = 0
for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
    doc = yaml.safe_load(block)
    jobs = doc.get("jobs", {}) if "jobs" in doc else {k: v for k, v in doc.items() if isinstance(v, dict) and "script" in v}
    for name, job in jobs.items():
        lines = []
        for step in job.get("steps", []):
            if "run" in step and step.get("name") != "Install migrate":
                env = step.get("env", {})
                lines += ["export %s=%s" % (k, "\"$DEPLOY_URL\"") for k in env]
                lines.append(step["run"])
        lines += job.get("script", [])
        if lines:
            n += 1
            open(os.path.join(sys.argv[2], "%02d-%s.sh" % (n, name.replace(":", "-"))), "w").write("set -e\n" + "\n".join(lines) + "\n")
print(n)
PY
[ "$(ls jobs | wc -l)" = 4 ] || fail "expected 4 jobs in docs/ci.md, found: $(ls jobs)"

# a repository with a merged base and a pull request
git init -q repo && cd repo
git config user.email ci@example.com && git config user.name ci
mig db/migrations 1 users "CREATE TABLE users (id bigint PRIMARY KEY);" "DROP TABLE users;"
git add -A && git commit -qm base && git branch -M main
git update-ref refs/remotes/origin/main main
git checkout -q -b pr
mig db/migrations 2 emails "CREATE TABLE emails (id bigint PRIMARY KEY, user_id bigint REFERENCES users);" "DROP TABLE emails;"
git add -A && git commit -qm pr

new_pg_db
export DEPLOY_URL=$DATABASE_URL
export GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$T/summary.md CI_PIPELINE_SOURCE=merge_request_event
for job in "$T"/jobs/*.sh; do
    bash "$job" >"$T/out" 2>"$T/err" || fail "$(basename "$job") failed as written"
done
[ -s migrate.sarif ] && [ -s migrate-junit.xml ] && [ -s gl-sast-migrate.sarif ] || fail "reports missing"
[ -s migrate.prom ] || fail "no metrics file"
ls checkpoints/*.json >/dev/null || fail "no checkpoint file"
grep -q "## migrate ci: passed" "$T/summary.md" || fail "no step summary"
assert_eq "$(pg "SELECT count(*) FROM migrate_history WHERE status = 'applied'")" 2
