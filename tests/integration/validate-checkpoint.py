#!/usr/bin/env python3
"""Validates checkpoint files against docs/checkpoint.schema.json (JSON Schema 2020-12).

usage: validate-checkpoint.py SCHEMA FILE...   exit 0 when every file is valid, 1 otherwise;
each problem is printed as FILE: PATH: MESSAGE.  Needs python3-jsonschema (Debian), which
`make deps` installs.
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    bad = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in err.absolute_path) or "(root)"
            print(f"{path}: {where}: {err.message}", file=sys.stderr)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
