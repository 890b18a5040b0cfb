#!/usr/bin/env python3
"""Agreement of `mta_exporter classify --json` with hand-labelled cases, on two sets kept apart:

- dev (cases.jsonl): lines of ../shared/corpus/real/; rules may be written from them. A case that
  disagrees must be listed in known-misses.txt with the reason for that line.
- blind (blind/cases.jsonl): labelled by a helper who never saw the rules, from sources the rules
  were not written from. It is scored and never tuned to: it has no known-misses list.

Every contract field a case labels is scored (mta, direction, status, class, code, enhanced_code,
cause, provider); a case is right when all of them agree. Agreement is printed per field, per cause
and per MTA. With --check the run fails when a set falls under a floor of floors.json (floors only
ever rise: when a set is well above one, the run says so) or a dev case outside known-misses.txt
disagrees.

usage: accuracy.py [--binary build/src/mta_exporter] [--set dev|blind|all] [--check] [--show-misses]
"""

import argparse
import csv
import json
import os
import subprocess
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
FIELDS = ("mta", "direction", "status", "class", "code", "enhanced_code", "cause", "provider")
SETS = {
    "dev": (os.path.join(HERE, "cases.jsonl"), os.path.join(HERE, "known-misses.txt")),
    "blind": (os.path.join(HERE, "blind", "cases.jsonl"), None),
}
FLOORS = os.path.join(HERE, "floors.json")
REGISTRY = os.path.join(HERE, "../../src/classify/knowledge/enhanced-status-codes.csv")


def load_cases(path):
    with open(path, encoding="utf-8") as cases:
        return [json.loads(line) for line in cases if line.strip()]


def load_known_misses(path):
    misses = {}
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as known:
            for line in known:
                if line.startswith("#") or not line.strip():
                    continue
                case_id, _, reason = line.strip().partition(" ")
                misses[case_id] = reason.strip()
    return misses


def registered_codes():
    """The subject.detail pairs of the IANA registry ("1.1", "7.26", ...)."""
    with open(REGISTRY, encoding="utf-8") as registry:
        rows = csv.reader(line for line in registry if not line.startswith("#"))
        return {row[0].strip().split(".", 1)[1] for row in rows if row and row[0].strip().count(".") == 2}


def classify(binary, cases):
    data = "".join(case["input"].replace("\n", " ") + "\n" for case in cases).encode("utf-8", "surrogateescape")
    result = subprocess.run([binary, "classify", "--json"], input=data, capture_output=True, check=True)
    rows = [json.loads(row) for row in result.stdout.decode().splitlines()]
    if len(rows) != len(cases):
        sys.exit(f"classify printed {len(rows)} objects for {len(cases)} lines")
    return rows


def expected(case, field):
    value = case[field]
    # The dev set names the program of a bare reply "reply"; classify reports no program for it.
    return "" if field == "mta" and value == "reply" else value


def agrees(field, label, got, registry):
    if label == got:
        return True
    # The contract bounds enhanced_code: a code outside the registry (and outside the provider codes
    # the classifier knows) is reported as class.subject.x, so that a remote server cannot mint series.
    if field == "enhanced_code" and label.count(".") == 2 and got.endswith(".x"):
        klass, subject, _ = label.split(".")
        return f"{subject}.{label.split('.')[2]}" not in registry and got == f"{klass}.{subject}.x"
    return False


def score(cases, rows, registry):
    """Per case: the labelled fields, and those that disagree."""
    results = []
    for case, row in zip(cases, rows):
        labelled = [field for field in FIELDS if field in case]
        wrong = [field for field in labelled
                 if not row["matched"] or not agrees(field, expected(case, field), row[field], registry)]
        results.append((labelled, wrong))
    return results


def percent(right, total):
    return 100.0 * right / total if total else 100.0


def table(title, groups):
    print(title)
    for name in sorted(groups):
        right, count = groups[name]
        print(f"  {name or '(none)':20} {right:5}/{count:<5} {percent(right, count):6.1f}%")


def report(name, cases, rows, results):
    """Prints the tables of one set; returns {"cases": %, field: %, ...}."""
    by_field, by_cause, by_mta = (defaultdict(lambda: [0, 0]) for _ in range(3))
    all_right = 0
    for case, (labelled, wrong) in zip(cases, results):
        for field in labelled:
            by_field[field][0] += field not in wrong
            by_field[field][1] += 1
        for groups, key in ((by_cause, case["cause"]), (by_mta, expected(case, "mta") if "mta" in case else "")):
            groups[key][0] += not wrong
            groups[key][1] += 1
        all_right += not wrong
    print(f"\n=== {name}: {len(cases)} cases, {all_right} right in every labelled field "
          f"({percent(all_right, len(cases)):.1f}%)")
    fields = sum(count for _, count in by_field.values())
    fields_right = sum(right for right, _ in by_field.values())
    print(f"labelled fields: {fields_right}/{fields} right ({percent(fields_right, fields):.1f}%)")
    table("by field", by_field)
    table("by cause (cases right in every field)", by_cause)
    table("by MTA (cases right in every field)", by_mta)
    measured = {"cases": percent(all_right, len(cases)), "fields": percent(fields_right, fields)}
    measured.update({field: percent(*by_field[field]) for field in by_field})
    return measured


def show_misses(cases, rows, results, known):
    for case, row, (_, wrong) in zip(cases, rows, results):
        if not wrong:
            continue
        flag = "" if case["id"] in known else "NEW "
        detail = ", ".join(f"{field}: {expected(case, field)!r} got {row[field]!r}" for field in wrong)
        print(f"  {flag}{case['id']}: {detail if row['matched'] else 'no event'}: {case['input'][:160]}")


def check_floors(name, measured, floors):
    failures = []
    for key, floor in floors.get(name, {}).items():
        value = measured.get(key)
        if value is None or value + 1e-9 < floor:
            failures.append(f"{name} {key}: {value if value is None else round(value, 1)}% is under the floor {floor}%")
        elif value >= floor + 1.0:
            print(f"note: {name} {key} is {value:.1f}%, the floor {floor}% can rise")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(HERE, "../../build/src/mta_exporter"))
    parser.add_argument("--set", choices=("dev", "blind", "all"), default="all")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    registry = registered_codes()
    with open(FLOORS, encoding="utf-8") as floors_file:
        floors = json.load(floors_file)
    failures = []
    for name, (cases_path, misses_path) in SETS.items():
        if args.set not in (name, "all"):
            continue
        cases = load_cases(cases_path)
        known = load_known_misses(misses_path)
        rows = classify(args.binary, cases)
        results = score(cases, rows, registry)
        measured = report(name, cases, rows, results)
        if args.show_misses:
            print(f"disagreements ({name}):")
            show_misses(cases, rows, results, known)
        failures += check_floors(name, measured, floors)
        if misses_path:
            missed = {case["id"] for case, (_, wrong) in zip(cases, results) if wrong}
            failures += [f"{name} {case_id}: disagrees and is not in known-misses.txt"
                         for case_id in sorted(missed - set(known))]
            fixed = sorted(set(known) - missed)
            if fixed:
                print(f"{len(fixed)} known misses now agree; remove them from known-misses.txt: {' '.join(fixed)}")
    if args.check and failures:
        print("\nFAIL:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
