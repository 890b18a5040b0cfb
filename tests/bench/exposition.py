"""The /metrics page at many series (issue 14): a log whose outbound replies spread over every known provider, the
registered basic codes and enhanced codes (a hostile spread: as many label sets as the limit allows) is read by a
running agent; then /metrics is fetched repeatedly, plain and gzip, and the time per page, per series, the page
size and the agent's resident memory after the scrapes are printed, at each of several series counts.

    python3 tests/bench/exposition.py [--binary build/src/mta_exporter] [--series 1000 10000 20000] [--scrapes 10]
"""

import argparse
import csv
import os
import random
import sys
import tempfile
import time

sys.dont_write_bytecode = True
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../..")
sys.path.insert(0, os.path.join(ROOT, "tests/integration"))
import harness  # noqa: E402

KNOWLEDGE = os.path.join(ROOT, "src/classify/knowledge")


def provider_hosts():
    hosts = ["mx.example.net"]  # provider other
    with open(os.path.join(KNOWLEDGE, "providers.tsv")) as table:
        for line in table:
            fields = line.rstrip("\n").split("\t")
            if len(fields) >= 3 and fields[1] == "host":
                hosts.append("mx1." + fields[2])
    return sorted(set(hosts))


def codes():
    with open(os.path.join(KNOWLEDGE, "reply-codes.csv")) as table:
        basic = sorted({row[0] for row in csv.reader(table) if row and row[0][:1] in "45" and row[0].isdigit()})
    with open(os.path.join(KNOWLEDGE, "enhanced-status-codes.csv")) as table:
        enhanced = sorted({row[0].split(".", 1)[1] for row in csv.reader(table)
                           if row and row[0].startswith("X.") and row[0].count(".") == 2})
    return basic, enhanced


def bounces(first, count, rng):
    """`count` outbound bounces and deferrals with random (provider, basic code, enhanced code) combinations."""
    hosts = provider_hosts()
    basic, enhanced = codes()
    lines = []
    for n in range(first, first + count):
        host = rng.choice(hosts)
        code = rng.choice(basic)
        detail = rng.choice(enhanced)
        klass = code[0]
        status = "deferred" if klass == "4" else "bounced"
        lines.append(f"Nov 24 10:{n // 60 % 60:02d}:{n % 60:02d} mx1 postfix/smtp[42]: {n:010X}: to=<u{n}@example.org>, "
                     f"relay={host}[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn={klass}.{detail}, status={status} "
                     f"(host {host}[192.0.2.1] said: {code} {klass}.{detail} refused (in reply to RCPT TO command))\n")
    return "".join(lines)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, "build/src/mta_exporter"))
    parser.add_argument("--series", type=int, nargs="+", default=[1000, 10000, 20000])
    parser.add_argument("--scrapes", type=int, default=10)
    args = parser.parse_args()
    harness.BINARY = os.path.abspath(args.binary)
    for wanted in args.series:
        with tempfile.TemporaryDirectory(prefix="mta_exposition_bench_") as folder:
            log = os.path.join(folder, "mail.log")
            open(log, "w").close()
            agent = harness.Agent(folder, f'[[source]]\ntype = "file"\npath = "{log}"\nstart_at = "beginning"\n',
                                  '[metrics]\nreply_series_limit = 1000000\n')
            try:
                rng = random.Random(wanted)
                written = 0
                series = 0
                # Random combinations repeat: append until the agent holds the series wanted (or a few more).
                while series < wanted:
                    batch = max(200, (wanted - series) // 2)
                    with open(log, "a") as out:
                        out.write(bounces(written, batch, rng))
                    written += batch
                    harness.wait_for(lambda: harness.metric_sum(agent.metrics(), "mta_exporter_lines_total") >= written,
                                     timeout=300, interval=0.2, what="the log to be read")
                    series = int(harness.metric_sum(agent.metrics(), "mta_exporter_reply_series"))
                times = {}
                for name, headers in (("plain", {}), ("gzip", {"Accept-Encoding": "gzip"})):
                    best = None
                    for _ in range(args.scrapes):
                        start = time.perf_counter()
                        status, _, body = harness.http_get(agent.url("/metrics"), headers)
                        elapsed = time.perf_counter() - start
                        assert status == 200, status
                        best = elapsed if best is None else min(best, elapsed)
                    times[name] = (best, len(body))
                print(f"{series} reply series: /metrics plain best of {args.scrapes} {times['plain'][0] * 1000:.1f} ms "
                      f"({times['plain'][0] / series * 1e6:.2f} us per series, {times['plain'][1] / 1e6:.2f} MB), "
                      f"gzip {times['gzip'][0] * 1000:.1f} ms ({times['gzip'][1] / 1e6:.2f} MB); "
                      f"RSS after {2 * args.scrapes} scrapes {rss_kib(agent.process.pid) / 1024:.1f} MiB")
            finally:
                agent.stop()


if __name__ == "__main__":
    main()
