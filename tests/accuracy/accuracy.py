#!/usr/bin/env python3
"""Agreement of the classifier with the hand-labelled cases in cases.jsonl.

Prints agreement per cause (by the hand label) and per MTA, and the disagreements. With --check it
exits non-zero when a case that is not listed in known-misses.txt disagrees (a regression), so the
test fails on any case that used to be right; cases listed there that now agree are reported so the
list can shrink.

usage: accuracy.py [--binary build/src/mta_exporter] [--check] [--show-misses]
"""

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))


def load_cases(path):
    with open(path, encoding="utf-8") as cases:
        return [json.loads(line) for line in cases if line.strip()]


def load_known_misses(path):
    misses = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as known:
            for line in known:
                line = line.split("#", 1)[0].strip() if not line.startswith("#") else ""
                if line:
                    case_id, _, reason = line.partition(" ")
                    misses[case_id] = reason.strip()
    return misses


def classify(binary, cases):
    data = "".join(case["input"].replace("\n", " ") + "\n" for case in cases).encode("utf-8", "surrogateescape")
    result = subprocess.run([binary, "classify", "--json"], input=data, capture_output=True, check=True)
    rows = [json.loads(row) for row in result.stdout.decode().splitlines()]
    if len(rows) != len(cases):
        sys.exit(f"classify printed {len(rows)} objects for {len(cases)} lines")
    return rows


def table(title, groups):
    print(title)
    total_right = total = 0
    for name in sorted(groups):
        right, count = groups[name]
        total_right += right
        total += count
        print(f"  {name:20} {right:4}/{count:<4} {100.0 * right / count:6.1f}%")
    print(f"  {'all':20} {total_right:4}/{total:<4} {100.0 * total_right / max(total, 1):6.1f}%")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(HERE, "../../build/src/mta_exporter"))
    parser.add_argument("--cases", default=os.path.join(HERE, "cases.jsonl"))
    parser.add_argument("--known-misses", default=os.path.join(HERE, "known-misses.txt"))
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    cases = load_cases(args.cases)
    known = load_known_misses(args.known_misses)
    rows = classify(args.binary, cases)
    by_cause = defaultdict(lambda: [0, 0])
    by_mta = defaultdict(lambda: [0, 0])
    misses = []
    for case, row in zip(cases, rows):
        right = row["matched"] and row["cause"] == case["cause"] and row["class"] == case["class"]
        for groups, key in ((by_cause, case["cause"]), (by_mta, case["mta"])):
            groups[key][0] += right
            groups[key][1] += 1
        if not right:
            got = f'{row["class"]}/{row["cause"]}' if row["matched"] else "no event"
            misses.append((case["id"], f'{case["class"]}/{case["cause"]}', got, case["input"]))
    table("Agreement by cause (hand label)", by_cause)
    table("Agreement by MTA", by_mta)

    regressions = [miss for miss in misses if miss[0] not in known]
    fixed = sorted(set(known) - {miss[0] for miss in misses})
    if args.show_misses or args.check:
        print(f"\n{len(misses)} disagreements ({len(misses) - len(regressions)} known):")
        for case_id, expected, got, text in misses:
            flag = "" if case_id in known else "NEW "
            print(f"  {flag}{case_id}: expected {expected}, got {got}: {text[:160]}")
    if fixed:
        print(f"\n{len(fixed)} known misses now agree; remove them from known-misses.txt: {' '.join(fixed)}")
    if args.check and regressions:
        print(f"\nFAIL: {len(regressions)} labelled cases disagree and are not known misses", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
