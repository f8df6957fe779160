#!/usr/bin/env python3
"""Compares squawk's findings with migrate lint's, file by file, on the rules both have.

    compare.py MIGRATE_JSON SQUAWK_JSON...

MIGRATE_JSON is `migrate lint --format json` output, each SQUAWK_JSON is
`squawk --reporter json` output over some of the same files (run.sh lints the
files migrate runs in one transaction with --assume-in-transaction, the others
without, so both tools judge the same transaction semantics).  For every squawk rule that has a
counterpart, every file squawk flags with it must be flagged by migrate with
one of the counterpart rules.  Prints a table and the misses; exits 1 on a miss.
"""
import json
import os
import re
import subprocess
import sys

CREATES = re.compile(r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:UNIQUE\s+)?(?:TEMP\w*\s+)?"
                     r"(?:TABLE|INDEX|TYPE|VIEW|DOMAIN|SEQUENCE)\s+(?:CONCURRENTLY\s+)?"
                     r"(?:IF\s+NOT\s+EXISTS\s+)?(?:ON\s+ONLY\s+)?(?:\w+\.)?(\w+)", re.I)
TIMEOUT_RULES = ("require-lock-timeout", "require-statement-timeout", "require-timeout-settings")

# squawk rule -> migrate lint rules that cover it
MAP = {
    "require-concurrent-index-creation": ["require-concurrent-index"],
    "require-concurrent-index-deletion": ["require-concurrent-index-drop"],
    "require-concurrent-reindex": ["require-concurrent-reindex"],
    "require-concurrent-partition-detach": ["require-concurrent-partition-detach"],
    "adding-foreign-key-constraint": ["add-foreign-key-not-valid"],
    "constraint-missing-not-valid": ["add-foreign-key-not-valid", "add-check-not-valid",
                                     "validate-in-same-transaction"],
    "disallowed-unique-constraint": ["add-unique-constraint-without-index"],
    "adding-serial-primary-key-field": ["add-primary-key-without-index"],
    "adding-not-nullable-field": ["set-not-null"],
    "adding-required-field": ["add-required-column"],
    "adding-field-with-default": ["add-column-volatile-default", "add-column-rewrite-type"],
    "changing-column-type": ["change-column-type"],
    "ban-drop-column": ["ban-drop-column"],
    "ban-drop-table": ["ban-drop-table"],
    "ban-drop-database": ["ban-drop-database"],
    "ban-drop-schema": ["ban-drop-schema"],
    "ban-drop-not-null": ["drop-not-null"],
    "ban-drop-default": ["drop-default"],
    "ban-truncate-cascade": ["ban-truncate-cascade"],
    "renaming-column": ["rename-column"],
    "renaming-table": ["rename-table"],
    "renaming-object": ["rename-object"],
    "ban-set-schema": ["set-schema"],
    "ban-char-field": ["ban-char"],
    "prefer-timestamptz": ["prefer-timestamptz"],
    "prefer-timestamp-tz": ["prefer-timestamptz"],
    "prefer-identity": ["prefer-identity"],
    "prefer-bigint-over-int": ["prefer-bigint-key", "prefer-bigint"],
    "prefer-bigint-over-smallint": ["prefer-bigint-key", "prefer-bigint"],
    "prefer-big-int": ["prefer-bigint-key", "prefer-bigint"],
    "prefer-text-field": ["prefer-text"],
    "transaction-nesting": ["transaction-nesting"],
    "ban-uncommitted-transaction": ["uncommitted-transaction"],
    "ban-concurrent-index-creation-in-transaction": ["non-transactional-statement-in-transaction"],
    "identifier-too-long": ["identifier-too-long"],
    "prefer-robust-stmts": ["prefer-robust-statements"],
    "ban-create-domain-with-constraint": ["ban-domain-constraint"],
    "ban-alter-domain-with-add-constraint": ["add-check-not-valid"],
    "require-enum-value-ordering": ["enum-value-ordering"],
    "ban-duplicate-column-assignments": ["duplicate-column-assignment"],
    "require-lock-timeout": ["require-lock-timeout"],
    "require-statement-timeout": ["require-statement-timeout"],
    "require-timeout-settings": ["require-lock-timeout", "require-statement-timeout"],
    "syntax-error": ["syntax-error"],
    "prefer-repack": ["table-rewrite"],
    "ban-drop-view": ["drop-dependent-object"],
    "ban-drop-function": ["drop-dependent-object"],
    "ban-drop-type": ["drop-dependent-object"],
    "ban-drop-trigger": ["drop-dependent-object"],
    "ban-drop-sequence": ["drop-dependent-object"],
    "ban-drop-domain": ["drop-dependent-object"],
    "ban-drop-extension": ["drop-dependent-object"],
    "ban-drop-generated-expression": ["drop-dependent-object"],
    "ban-replica-identity": ["replica-identity-change"],
    "ban-drop-index": ["drop-index"],
    "ban-drop-constraint": ["drop-constraint"],
}
# squawk reports constraint-missing-not-valid on UNIQUE/PRIMARY KEY/EXCLUDE too, which cannot be
# NOT VALID; migrate reports those statements with the rule that names the real fix
MAP["constraint-missing-not-valid"] += ["add-unique-constraint-without-index",
                                        "add-primary-key-without-index", "add-exclusion-constraint"]


def statement_at(lines, line):
    """The statement squawk points at: from its line (comments skipped) to the next ';'."""
    i = max(line - 1, 0)
    out = []
    while i < len(lines):
        l = lines[i]
        i += 1
        if not out and (not l.strip() or l.strip().startswith("--")):
            continue
        out.append(l)
        if ";" in l:
            break
    return "\n".join(out)


def why_missed(rule, path, line, migrate_bin):
    """A reason for a file squawk flags and migrate does not, or 'unexplained'."""
    lines = open(path).read().splitlines()
    stmt = statement_at(lines, line)
    before = "\n".join(lines[:max(line - 1, 0)])
    created = {m.lower() for m in CREATES.findall(before)}
    words = {w.lower() for w in re.findall(r"\w+", stmt)}
    for m in re.finditer(r"--\s*migrate:ignore\s+(\S+)", "\n".join(lines[:max(line - 1, 0)])):
        if set(m.group(1).lower().split(",")) & set(MAP[rule]):
            return "silenced by a -- migrate:ignore comment"
    if re.search(r"\bCONCURRENTLY\b", stmt, re.I) and re.search(r"^\s*BEGIN\b", before, re.I | re.M):
        return "CONCURRENTLY after BEGIN (reported as non-transactional-statement-in-transaction)"
    if rule == "prefer-robust-stmts" and not re.search(r"\b(CREATE|DROP|ADD)\b", stmt, re.I):
        return "the statement (VALIDATE, SET, ALTER ... TYPE) succeeds when run again"
    if rule in TIMEOUT_RULES:
        return "no statement locks a table that existed before the file"
    if created & words:
        return "the object was created earlier in the same file"
    text = "\n".join(lines)
    if rule == "renaming-table" and re.search(r"\bCREATE\s+VIEW\b", text, re.I):
        return "a view with the old name follows the rename"
    if re.search(r"^\s*(BEGIN|COMMIT|ROLLBACK)\b", text, re.I | re.M) and \
            "-- migrate:no-transaction" not in text:
        return "transaction control migrate refuses (reported as transaction-nesting)"
    if migrate_bin:
        out = subprocess.run([migrate_bin, "lint", "--enable", "all", "--format", "json", path],
                             capture_output=True, text=True).stdout
        alone = {f["rule"] for f in json.loads(out)["findings"]}
        if alone & set(MAP[rule]):
            return "earlier migrations in the directory make it safe (schema they define)"
    return "unexplained"



def norm(p):
    return os.path.normpath(os.path.abspath(p))


def main():
    args = sys.argv[1:]
    migrate_bin = None
    if args and args[0].startswith("--migrate="):
        migrate_bin = args.pop(0).split("=", 1)[1]
    ours = json.load(open(args[0]))
    squawk = [v for path in args[1:] for v in json.load(open(path))]
    flagged = {}
    for f in ours["findings"]:
        flagged.setdefault(norm(f["file"]), set()).add(f["rule"])
    by_rule = {}
    first_line = {}
    unmapped = {}
    for v in squawk:
        rule = v["rule_name"]
        if rule in MAP:
            by_rule.setdefault(rule, set()).add(norm(v["file"]))
            # squawk's JSON lines and columns are 0-based
            first_line.setdefault((rule, norm(v["file"])), v["line"] + 1)
        else:
            unmapped[rule] = unmapped.get(rule, 0) + 1
    total = missed = 0
    print("| squawk rule | migrate lint rule(s) | files squawk flags | also flagged by migrate | missed |")
    print("|---|---|---|---|---|")
    misses = []
    for rule in sorted(by_rule):
        files = by_rule[rule]
        hit = [f for f in files if flagged.get(f, set()) & set(MAP[rule])]
        miss = sorted(set(files) - set(hit))
        total += len(files)
        missed += len(miss)
        print("| %s | %s | %d | %d | %d |" % (rule, ", ".join(MAP[rule]), len(files), len(hit), len(miss)))
        misses += [(rule, m) for m in miss]
    print()
    print("files flagged by squawk on shared rules: %d, also flagged by migrate lint: %d, missed: %d"
          % (total, total - missed, missed))
    if unmapped:
        print("squawk rules without a counterpart here: " +
              ", ".join("%s (%d)" % kv for kv in sorted(unmapped.items())))
    reasons = {}
    for rule, f in misses:
        why = why_missed(rule, f, first_line[(rule, f)], migrate_bin)
        reasons.setdefault(why, []).append((rule, f))
    print()
    print("| why migrate lint does not flag the file | files |")
    print("|---|---|")
    for why, v in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
        print("| %s | %d |" % (why, len(v)))
    for rule, f in reasons.get("unexplained", []):
        print("UNEXPLAINED %s %s" % (rule, f))
    sys.exit(1 if reasons.get("unexplained") else 0)


if __name__ == "__main__":
    main()
