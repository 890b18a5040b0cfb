"""report --format openmetrics against the real promtool and Prometheus: the largest real log of the corpus
backfilled into TSDB blocks, which a real Prometheus then serves; its total and its hour-by-hour shape are checked
against report --format prometheus and an independent count of the log's lines (classify --json and their
timestamps read here). Also the year of year-less syslog stamps across a December -> January turn, compressed
rotated files, and files merged in time order."""

import calendar
import datetime
import gzip
import json
import os
import pty
import shutil
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse

import harness
from harness import Process, TempFolder, http_get

# The largest file of ../shared/corpus/real: RFC 3164 stamps of February 2018 (SOURCES.md).
CORPUS_FILE = "postfix-blockbadip.log"
CORPUS_YEAR = 2018
UTC = dict(os.environ, TZ="UTC")  # the year-less stamps are local time


def backfill(*arguments, check=True):
    run = subprocess.run([harness.BINARY, "report", "--format", "openmetrics", *arguments], capture_output=True,
                         text=True, env=UTC)
    if check and run.returncode != 0:
        raise AssertionError(f"backfill failed ({run.returncode}): {run.stderr}")
    return run


def samples(openmetrics, name):
    """{(labels, timestamp): value} of the samples of `name` in an OpenMetrics text."""
    found = {}
    for line in openmetrics.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            series, value, stamp = line.rsplit(" ", 2)
            found[(series, int(stamp))] = float(value)
    return found


def classic_seconds(stamp, year):
    return calendar.timegm(time.strptime(f"{year} {stamp}", "%Y %b %d %H:%M:%S"))


class BackfillIntoPrometheusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.temp = TempFolder()
        cls.folder = cls.temp.__enter__()
        cls.addClassCleanup(cls.temp.__exit__, None, None, None)
        promtool = harness.require_program("promtool", "prometheus")
        prometheus = harness.require_program("prometheus", "prometheus")
        cls.log = os.path.join(harness.SHARED_DIR, "corpus/real", CORPUS_FILE)
        harness.require(os.path.exists(cls.log), cls.log)

        started = time.monotonic()
        run = backfill("--year", str(CORPUS_YEAR), cls.log)
        cls.backfill_seconds = time.monotonic() - started
        cls.openmetrics = run.stdout
        print(f"backfill of {CORPUS_FILE}: {cls.backfill_seconds:.2f} s; {run.stderr.strip()}", file=sys.stderr)
        input_path = os.path.join(cls.folder, "history.om")
        with open(input_path, "w") as out:
            out.write(cls.openmetrics)
        data = os.path.join(cls.folder, "data")
        blocks = subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", input_path, data],
                                capture_output=True, text=True)
        if blocks.returncode != 0:
            raise AssertionError(f"promtool refused the backfill: {blocks.stdout}{blocks.stderr}")

        config = os.path.join(cls.folder, "prometheus.yml")
        with open(config, "w") as out:
            out.write("global:\n  scrape_interval: 1m\n")
        cls.port = harness.free_port()
        cls.prometheus = Process("prometheus", [
            prometheus, f"--config.file={config}", f"--storage.tsdb.path={data}",
            "--storage.tsdb.retention.time=100y", f"--web.listen-address=127.0.0.1:{cls.port}"], cls.folder)
        cls.addClassCleanup(cls.prometheus.stop)
        harness.wait_for(cls.ready, timeout=60, interval=0.2, what="Prometheus to be ready")

    @classmethod
    def ready(cls):
        cls.prometheus.check()
        try:
            return http_get(f"http://127.0.0.1:{cls.port}/-/ready")[0] == 200
        except OSError:
            return False

    def query(self, path, **parameters):
        status, _, body = http_get(f"http://127.0.0.1:{self.port}/api/v1/{path}?{urllib.parse.urlencode(parameters)}")
        self.assertEqual(status, 200, body)
        answer = json.loads(body)
        self.assertEqual(answer["status"], "success", answer)
        return answer["data"]["result"]

    def last_timestamp(self):
        return max(stamp for (_, stamp) in samples(self.openmetrics, "mta_smtp_replies_total"))

    def test_the_total_at_the_last_timestamp_is_the_reports(self):
        report = subprocess.run([harness.BINARY, "report", self.log], capture_output=True, text=True, check=True,
                                env=UTC).stdout
        total = harness.metric_sum(harness.parse_metrics(report), "mta_smtp_replies_total")
        self.assertGreater(total, 1000)
        result = self.query("query", query="sum(mta_smtp_replies_total)", time=self.last_timestamp())
        self.assertEqual(len(result), 1, result)
        self.assertEqual(float(result[0]["value"][1]), total)

    def test_every_hour_holds_the_replies_of_the_lines_written_by_then(self):
        # Independently: the time of every line that holds a reply, from its own stamp.
        with open(self.log, encoding="utf-8", errors="surrogateescape") as log:
            lines = log.read().splitlines()
        reply_times = sorted(classic_seconds(line[:15], CORPUS_YEAR)
                             for line, counted in zip(lines, harness.counted_replies(lines, UTC)) if counted)
        start = (reply_times[0] // 3600 + 1) * 3600
        end = self.last_timestamp() // 3600 * 3600
        result = self.query("query_range", query="sum(mta_smtp_replies_total)", start=start, end=end, step=3600)
        self.assertEqual(len(result), 1, result)
        points = {int(stamp): float(value) for stamp, value in result[0]["values"]}
        expected = {hour: float(sum(1 for t in reply_times if t <= hour)) for hour in range(start, end + 1, 3600)}
        self.assertGreater(len(expected), 100)  # the log spans six days
        self.assertEqual(points, expected)
        per_hour = [expected[hour] - expected.get(hour - 3600, expected[hour]) for hour in sorted(expected)]
        self.assertGreater(len(set(per_hour)), 5, "a flat line is no shape")


def write_lines(path, lines):
    with open(path, "w") as out:
        out.write("".join(line + "\n" for line in lines))


# Real Postfix lines of the corpus, re-dated.
DELIVERY = ("{stamp} mail postfix/smtp[2183]: 3B1F0C0E1A: to=<user@example.org>, relay=mx.example.org[192.0.2.25]:25,"
            " delay=0.9, delays=0.1/0/0.4/0.4, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.25] said: 550"
            " 5.1.1 <user@example.org>: Recipient address rejected: User unknown (in reply to RCPT TO command))")


class BackfillFilesTest(unittest.TestCase):
    def setUp(self):
        self.temp = TempFolder()
        self.folder = self.temp.__enter__()
        self.addCleanup(self.temp.__exit__, None, None, None)

    def stamps(self, openmetrics):
        return sorted({stamp for (_, stamp) in samples(openmetrics, "mta_smtp_replies_total")})

    def test_the_year_counts_up_from_december_to_january(self):
        path = os.path.join(self.folder, "mail.log")
        write_lines(path, [DELIVERY.format(stamp="Dec 31 23:59:30"), DELIVERY.format(stamp="Jan  1 00:00:30")])
        given = backfill("--year", "2025", path).stdout
        new_year = calendar.timegm((2026, 1, 1, 0, 0, 0))
        self.assertEqual(self.stamps(given), [new_year, new_year + 60])
        values = {stamp: value for (_, stamp), value in samples(given, "mta_smtp_replies_total").items()}
        self.assertEqual(values, {new_year: 1, new_year + 60: 2})
        # Without --year: from the file's modification time, January 2nd 2026.
        os.utime(path, (new_year + 86400, new_year + 86400))
        self.assertEqual(backfill(path).stdout, given)

    def test_a_december_log_rotated_in_january_keeps_its_year(self):
        path = os.path.join(self.folder, "mail.log.1")
        write_lines(path, [DELIVERY.format(stamp="Dec 31 23:59:30")])
        january = calendar.timegm((2026, 1, 1, 6, 25, 0))
        os.utime(path, (january, january))
        self.assertEqual(self.stamps(backfill(path).stdout), [calendar.timegm((2026, 1, 1, 0, 0, 0))])

    def test_a_compressed_rotated_file_reads_as_the_plain_one(self):
        log = os.path.join(harness.SHARED_DIR, "corpus/real", "postfix-pixelpark-2023-03-15.log")
        harness.require(os.path.exists(log), log)
        compressed = os.path.join(self.folder, "mail.log.2.gz")
        with open(log, "rb") as plain, gzip.open(compressed, "wb") as out:
            out.write(plain.read())
        plain_history = backfill(log).stdout
        # The source label names the file; everything else is the same.
        self.assertEqual(backfill(compressed).stdout.replace("mail.log.2.gz", os.path.basename(log)), plain_history)
        self.assertGreater(len(samples(plain_history, "mta_smtp_replies_total")), 1000)
        # report's other formats read it too.
        for format in ("prometheus", "text"):
            plain_report, compressed_report = (
                subprocess.run([harness.BINARY, "report", "--format", format, path], capture_output=True, text=True,
                               check=True).stdout for path in (log, compressed))
            self.assertEqual(compressed_report.replace("mail.log.2.gz", os.path.basename(log)), plain_report)
        cut = os.path.join(self.folder, "cut.gz")
        with open(compressed, "rb") as whole, open(cut, "wb") as out:
            out.write(whole.read()[:20000])
        run = backfill(cut, check=False)
        self.assertEqual(run.returncode, 1)
        self.assertIn("cut.gz", run.stderr)

    def test_files_are_merged_in_time_order(self):
        log = os.path.join(harness.SHARED_DIR, "corpus/real", "postfix-pixelpark-2023-03-15.log")
        harness.require(os.path.exists(log), log)
        with open(log, encoding="utf-8", errors="surrogateescape") as source:
            lines = source.read().splitlines()
        # Two hosts' logs, interleaved in time: every other line.
        first, second = os.path.join(self.folder, "mx1.log"), os.path.join(self.folder, "mx2.log")
        write_lines(first, lines[0::2])
        write_lines(second, lines[1::2])
        whole = samples(backfill(log).stdout, "mta_smtp_replies_total")
        merged = samples(backfill(second, first).stdout, "mta_smtp_replies_total")
        self.assertEqual(merged, whole)

    def test_a_log_without_timestamps_is_an_error(self):
        path = os.path.join(self.folder, "bare.log")
        write_lines(path, ["550 5.1.1 user unknown"])
        run = backfill(path, check=False)
        self.assertEqual(run.returncode, 1)
        self.assertIn("no line holds a timestamp", run.stderr)

    def test_bad_options_are_refused(self):
        for arguments in (["--step", "1.5s"], ["--step", "0s"], ["--year", "18"], ["--year", "twenty"]):
            run = backfill(*arguments, "x.log", check=False)
            self.assertEqual(run.returncode, 2, arguments)
            self.assertIn(arguments[0], run.stderr)
        run = subprocess.run([harness.BINARY, "report", "--step", "1m", "x.log"], capture_output=True, text=True)
        self.assertEqual(run.returncode, 2)
        self.assertIn("--format openmetrics", run.stderr)
        for option in ("--since", "--until"):
            run = subprocess.run([harness.BINARY, "report", option, "yesterday", "x.log"], capture_output=True,
                                 text=True)
            self.assertEqual(run.returncode, 2)
            self.assertIn(f'{option} "yesterday" is not a time', run.stderr)


class ReportTimeRangeTest(unittest.TestCase):
    """--since and --until against an independent count: classify --json per line, the line's own stamp."""

    def replies_between(self, log, stamp_of, since, until):
        with open(log, encoding="utf-8", errors="surrogateescape") as source:
            lines = source.read().splitlines()
        return sum(1 for line, counted in zip(lines, harness.counted_replies(lines, UTC))
                   if counted and since <= stamp_of(line) < until)

    def report_total(self, *arguments):
        run = subprocess.run([harness.BINARY, "report", *arguments], capture_output=True, text=True, check=True,
                             env=UTC)
        return harness.metric_sum(harness.parse_metrics(run.stdout), "mta_smtp_replies_total")

    def test_rfc3339_stamps_with_their_zone(self):
        log = os.path.join(harness.SHARED_DIR, "corpus/real", "postfix-pixelpark-2023-03-15.log")
        harness.require(os.path.exists(log), log)
        since = datetime.datetime.fromisoformat("2023-03-15T06:00:00+01:00").timestamp()
        until = datetime.datetime.fromisoformat("2023-03-15T17:30:00+01:00").timestamp()
        expected = self.replies_between(log, lambda line: datetime.datetime.fromisoformat(line.split(" ", 1)[0])
                                        .timestamp(), since, until)
        self.assertGreater(expected, 50)
        total = self.report_total("--since", "2023-03-15T06:00+01:00", "--until", "2023-03-15T16:30:00Z", log)
        self.assertEqual(total, expected)
        self.assertLess(total, self.report_total(log))
        # A pipe (<(zcat mail.log.2.gz)) is read once: no scan for the year uses its lines up.
        with TempFolder() as folder:
            pipe = os.path.join(folder, "pipe")
            os.mkfifo(pipe)
            def write_pipe():
                with open(log, "rb") as source, open(pipe, "wb") as out:
                    shutil.copyfileobj(source, out)

            writer = threading.Thread(target=write_pipe)
            writer.start()
            try:
                self.assertEqual(self.report_total("--since", "2023-03-15T06:00+01:00", "--until",
                                                   "2023-03-15T16:30:00Z", pipe), expected)
            finally:
                writer.join(timeout=30)

    def test_year_less_stamps_in_local_time(self):
        log = os.path.join(harness.SHARED_DIR, "corpus/real", CORPUS_FILE)
        harness.require(os.path.exists(log), log)
        since, until = calendar.timegm((2018, 2, 12, 0, 0, 0)), calendar.timegm((2018, 2, 14, 0, 0, 0))
        expected = self.replies_between(log, lambda line: classic_seconds(line[:15], CORPUS_YEAR), since, until)
        self.assertGreater(expected, 1000)
        for extra in ([], ["--format", "text"]):
            run = subprocess.run([harness.BINARY, "report", "--since", "2018-02-12", "--until", "2018-02-14", "--year",
                                  str(CORPUS_YEAR), *extra, log], capture_output=True, text=True, check=True, env=UTC)
            if extra:
                self.assertIn("SMTP replies by class", run.stdout)
            else:
                self.assertEqual(harness.metric_sum(harness.parse_metrics(run.stdout), "mta_smtp_replies_total"),
                                 expected)
        history = backfill("--since", "2018-02-12", "--until", "2018-02-14", "--year", str(CORPUS_YEAR), log).stdout
        stamps = {stamp for (_, stamp) in samples(history, "mta_smtp_replies_total")}
        self.assertGreaterEqual(min(stamps), since)
        self.assertLessEqual(max(stamps), until)
        last = max(stamps)
        self.assertEqual(sum(value for (_, stamp), value in samples(history, "mta_smtp_replies_total").items()
                             if stamp == last), expected)


def run_with_terminal(command):
    """(exit code, what the command wrote to standard error), standard error being a pseudo-terminal."""
    master, terminal = pty.openpty()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=terminal, env=UTC)
    os.close(terminal)
    written = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        written += chunk
    os.close(master)
    return process.wait(), written.decode()


class ReportProgressTest(unittest.TestCase):
    def test_a_terminal_sees_what_was_read_and_a_pipe_nothing(self):
        log = os.path.join(harness.SHARED_DIR, "corpus/real", CORPUS_FILE)
        harness.require(os.path.exists(log), log)
        with open(log, "rb") as source:
            data = source.read()
        lines, megabytes = data.count(b"\n"), len(data) / 1e6
        for extra in ([], ["--format", "openmetrics", "--year", str(CORPUS_YEAR)]):
            code, terminal = run_with_terminal([harness.BINARY, "report", *extra, log])
            self.assertEqual(code, 0, terminal)
            self.assertRegex(terminal, rf"\r\x1b\[Kread {megabytes:.1f} MB, {lines} lines in \d+:\d\d, \d+ lines/s\r?\n",
                             extra)
            piped = subprocess.run([harness.BINARY, "report", *extra, log], capture_output=True, text=True, env=UTC)
            self.assertEqual(piped.returncode, 0)
            self.assertNotIn("lines/s", piped.stderr)
            self.assertNotIn("\x1b", piped.stderr)


if __name__ == "__main__":
    harness.main()
