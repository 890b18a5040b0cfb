#!/usr/bin/env python3
"""Throughput benchmark: `mta_exporter report` over the product side's generated Postfix log
(1M lines, seed 1, in both timestamp formats). Prints lines/s, peak memory, and whether the counts
agree with the generator's ground truth. Figures only, no pass/fail on speed.

--mix failures keeps only the generated lines that report a failure (deferred, bounced, expired,
rejects), so nearly every line reaches the classifier; --mix real-failures repeats the failure lines
of the hand-labelled dev set (tests/accuracy/cases.jsonl: every MTA, hundreds of distinct replies)
up to --lines; --mix series writes --lines outbound bounces and deferrals spread at random over every known
provider, registered basic code and enhanced code (tests/bench/exposition.py's hostile spread: as many label sets as
the default reply_series_limit of 20,000 allows). All print the cost per line in nanoseconds; compare binaries in one run with
--baseline. Every binary's start-up (loading and compiling the classifier's rules, timed on an empty
file) is printed too, and "net" is the cost per line without it: a corpus of 50k failure lines is
otherwise dominated by it.

usage: throughput.py [--binary build/src/mta_exporter] [--baseline OTHER_BINARY] [--lines 1000000]
                     [--runs 3] [--mix all|failures|real-failures|series]
"""

import argparse
import itertools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "../.."))


def parse(text):
    samples = []
    for line in text.splitlines():
        match = re.match(r'^(\w+)\{(.*)\} (\S+)$', line)
        if match:
            samples.append((match.group(1), dict(re.findall(r'(\w+)="([^"]*)"', match.group(2))), float(match.group(3))))
    return samples


def truth_check(samples, truth):
    status = Counter()
    codes = Counter()
    enhanced = Counter()
    rejects = 0
    for name, labels, value in samples:
        if name == "mta_deliveries_total":
            status[labels["status"]] += value
        if name == "mta_rejects_total":
            rejects += value
        if name == "mta_smtp_replies_total" and not (labels["direction"] == "inbound" and labels["cause"] == "auth_failed"):
            if labels["code"]:
                codes[labels["code"]] += value
            if labels["enhanced_code"]:
                enhanced[labels["enhanced_code"]] += value
    checks = {
        "deliveries by status": (dict(status), truth["by_status"]),
        "rejects": (rejects, truth["reject"]["total"]),
        "reply codes": (dict(codes), truth["by_code"]),
        "enhanced codes": (dict(enhanced), truth["by_enhanced"]),
    }
    for name, (ours, theirs) in checks.items():
        if isinstance(ours, dict):
            ours = {key: int(value) for key, value in ours.items()}
        print(f"  {name:22} {'agrees' if ours == theirs else 'DIFFERS: ' + str(ours) + ' vs ' + str(theirs)}")


FAILURE_LINE = re.compile(r"status=(?:deferred|bounced|expired)|\breject(?:ed)?:")


def best_run(binary, corpus, runs):
    best, peak_kib, exposition = None, 0, ""
    for _ in range(runs):
        with tempfile.TemporaryFile() as output:
            start = time.perf_counter()
            process = subprocess.Popen([binary, "report", "--format", "prometheus", corpus], stdout=output)
            _, status, usage = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - start
            if status != 0:
                sys.exit(f"report failed with status {status}")
            output.seek(0)
            exposition = output.read().decode()
        best = elapsed if best is None else min(best, elapsed)
        peak_kib = max(peak_kib, usage.ru_maxrss)
    return best, peak_kib, exposition


def real_failure_corpus(path, lines):
    with open(os.path.join(ROOT, "tests/accuracy/cases.jsonl"), encoding="utf-8") as cases:
        failures = [case["input"] for case in map(json.loads, cases) if case["class"] in ("4xx", "5xx")]
    with open(path, "w", encoding="utf-8") as corpus:
        for line in itertools.islice(itertools.cycle(failures), lines):
            corpus.write(line + "\n")
    return len(failures)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, "build/src/mta_exporter"))
    parser.add_argument("--baseline", help="a second binary, run alternately on the same corpus")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mix", choices=("all", "failures", "real-failures", "series"), default="all")
    parser.add_argument("--shared", default=os.path.join(ROOT, "../shared"))
    args = parser.parse_args()
    binaries = [("binary", args.binary)] + ([("baseline", args.baseline)] if args.baseline else [])
    generator = os.path.join(args.shared, "bench/gen_postfix_corpus.py")
    formats = {"real-failures": ("real",), "series": ("spread",)}.get(args.mix, ("rfc3164", "iso"))
    with tempfile.TemporaryDirectory(prefix="mta_bench_") as folder:
        empty = os.path.join(folder, "empty.log")
        open(empty, "w").close()
        startup = {}
        for name, binary in binaries:
            startup[name], startup_kib, _ = best_run(binary, empty, args.runs)
            print(f"start-up [{name}]: {startup[name] * 1e3:.0f} ms, peak RSS {startup_kib / 1024:.1f} MiB (empty file)")
        for fmt in formats:
            corpus = os.path.join(folder, f"corpus-{fmt}.log")
            truth_path = corpus + ".truth.json"
            if fmt == "spread":
                sys.path.insert(0, HERE)
                import exposition as exposition_bench  # noqa: E402 (its generator of a hostile spread of label sets)
                rng = random.Random(1)
                with open(corpus, "w", encoding="utf-8") as spread:  # in batches: this process stays small
                    for first in range(0, args.lines, 10000):
                        spread.write(exposition_bench.bounces(first, min(10000, args.lines - first), rng))
            elif fmt == "real":
                distinct = real_failure_corpus(corpus, args.lines)
                print(f"real failures: {distinct} distinct failure lines of the dev set, repeated")
            else:
                subprocess.run([sys.executable, generator, "--lines", str(args.lines), "--seed", "1", "--format", fmt,
                                "--out", corpus, "--truth", truth_path], check=True, capture_output=True)
            if args.mix == "failures":
                with open(corpus, encoding="utf-8") as source, open(corpus + ".failures", "w", encoding="utf-8") as kept:
                    kept.writelines(line for line in source if FAILURE_LINE.search(line))
                corpus += ".failures"
            with open(corpus, "rb") as counted:
                lines = sum(1 for _ in counted)
            size = os.path.getsize(corpus)
            for name, binary in binaries:
                best, peak_kib, exposition = best_run(binary, corpus, args.runs)
                print(f"{fmt} {args.mix} [{name}]: {lines} lines, {size / 1e6:.1f} MB: best of {args.runs} "
                      f"{best:.3f} s = {lines / best:,.0f} lines/s, {best / lines * 1e9:,.0f} ns/line, "
                      f"{size / best / 1e6:.0f} MB/s, net {(best - startup[name]) / lines * 1e9:,.0f} ns/line, "
                      f"peak RSS {peak_kib / 1024:.1f} MiB")
                if args.mix == "series":
                    series = re.search(r"^mta_exporter_reply_series (\S+)$", exposition, re.M)
                    print(f"  reply series at the end: {series.group(1) if series else 'none'}")
                if args.mix == "all":
                    with open(truth_path) as truth_file:
                        truth_check(parse(exposition), json.load(truth_file))


if __name__ == "__main__":
    main()
