#!/usr/bin/env python3
"""tests/schema/validate.py -- validates report.json files against
schema/report.schema.json (JSON Schema draft 2020-12) with python3-jsonschema.

  validate.py [--schema FILE] [--check-schema] [--quiet] [--ignore-vanished] PATH...

Each PATH is a report.json file, or a folder searched (recursively) for
files named report.json. Every file must be UTF-8 JSON without duplicate
keys, NaN or Infinity, with every number written as an integer (no
fraction, no exponent: JSON Schema's "integer" would take 3.0), and valid
against the schema, formats included
("date-time" is checked here, strictly as RFC 3339, whatever optional
format packages are installed). --check-schema checks the schema itself
against the 2020-12 meta-schema first (also alone, without a PATH).
--ignore-vanished: a listed file that no longer exists is not an error
(the sweep lists the files of a tree a daemon may still be cleaning).

Prints one line per invalid file and error (FILE: /json/pointer: message),
and "N report(s) valid" unless --quiet. Exit status: 0 all valid, 1 some
file invalid, 2 usage or unreadable schema, 3 python3-jsonschema missing
(or too old for draft 2020-12: Debian 12's 4.10 is enough); the callers
(tests/schema/sweep.sh) decide whether that fails or skips.
"""
import datetime
import json
import os
import re
import sys

EXIT_INVALID, EXIT_USAGE, EXIT_NO_JSONSCHEMA = 1, 2, 3

try:
    import jsonschema
    from jsonschema import Draft202012Validator, FormatChecker
except ImportError as e:  # the caller says how to install it
    print("validate.py: python3-jsonschema is not installed (%s)" % e, file=sys.stderr)
    sys.exit(EXIT_NO_JSONSCHEMA)

# RFC 3339 section 5.6 date-time, checked as a real date and time.
RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?"
    r"([Zz]|[+-](\d{2}):(\d{2}))$")


def is_date_time(s):
    if not isinstance(s, str):
        return True  # formats apply to strings only
    m = RFC3339.match(s)
    if not m:
        raise ValueError("not an RFC 3339 date-time")
    y, mo, d, h, mi, sec = (int(m.group(i)) for i in range(1, 7))
    # a leap second (60) is allowed by RFC 3339, nothing else past 59
    datetime.datetime(y, mo, d, h, mi, min(sec, 59))
    if sec > 60 or (m.group(9) and (int(m.group(9)) > 23 or int(m.group(10)) > 59)):
        raise ValueError("time out of range")
    return True


def no_duplicates(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise ValueError("duplicate key %r" % k)
        seen[k] = v
    return seen


def no_constant(name):
    raise ValueError("%s is not JSON" % name)


def no_float(text):
    raise ValueError("%s: a number with a fraction or an exponent (report.json "
                     "writes integers only)" % text[:40])


def load_json(path, integers_only=False):
    with open(path, "rb") as f:
        data = f.read()
    return json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates,
                      parse_constant=no_constant,
                      parse_float=no_float if integers_only else None)


def pointer(path):
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def reports(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                if "report.json" in files:
                    yield os.path.join(root, "report.json")
        else:
            yield p


def main(argv):
    schema_path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                               "..", "..", "schema", "report.schema.json")
    check_schema = quiet = ignore_vanished = False
    paths = []
    args = iter(argv[1:])
    for a in args:
        if a == "--schema":
            schema_path = next(args, None)
            if schema_path is None:
                print("validate.py: --schema needs a file", file=sys.stderr)
                return EXIT_USAGE
        elif a == "--check-schema":
            check_schema = True
        elif a == "--quiet":
            quiet = True
        elif a == "--ignore-vanished":
            ignore_vanished = True
        elif a.startswith("--"):
            print("validate.py: unknown option %s" % a, file=sys.stderr)
            return EXIT_USAGE
        else:
            paths.append(a)
    if not paths and not check_schema:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return EXIT_USAGE
    try:
        schema = load_json(schema_path)
    except (OSError, ValueError) as e:
        print("%s: cannot read the schema: %s" % (schema_path, e), file=sys.stderr)
        return EXIT_USAGE
    if check_schema:
        try:
            Draft202012Validator.check_schema(schema)
        except jsonschema.exceptions.SchemaError as e:
            print("%s: not a valid draft 2020-12 schema: %s at %s" %
                  (schema_path, e.message, pointer(e.absolute_path)), file=sys.stderr)
            return EXIT_INVALID
        if not quiet:
            print("%s: a valid draft 2020-12 schema" % schema_path)
    checker = FormatChecker()
    checker.checks("date-time", raises=ValueError)(is_date_time)
    validator = Draft202012Validator(schema, format_checker=checker)
    n = bad = 0
    for path in reports(paths):
        try:
            doc = load_json(path, integers_only=True)
        except (OSError, ValueError) as e:
            if ignore_vanished and isinstance(e, FileNotFoundError):
                # removed since it was listed (a daemon cleaning up a
                # temporary report folder): nothing left to check
                continue
            n += 1
            print("%s: not a JSON document: %s" % (path, e))
            bad += 1
            continue
        n += 1
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
        for e in errors[:20]:
            # within anyOf/oneOf/if, the branch that went deepest says why
            e = jsonschema.exceptions.best_match([e])
            print("%s: %s: %s" % (path, pointer(e.absolute_path), e.message[:300]))
        if len(errors) > 20:
            print("%s: ... %d more errors" % (path, len(errors) - 20))
        bad += bool(errors)
    if paths and not quiet:
        print("%d report(s) valid, %d invalid" % (n - bad, bad))
    return EXIT_INVALID if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
