"""Invariants every golden file must hold, whatever the code that wrote it: they are checked on the
checked-in expected/*.prom and, line by line, on what `mta_exporter classify --json` says of the corpus
file behind it, so a regeneration cannot lock in labels that are wrong by construction.

  1. matched + ignored + unmatched lines equal the corpus file's line count (the line splitting: every
     line read is counted once in one of the three);
  2. no reply with a registered, specific enhanced code (X.Y.Z with Y and Z not 0) has cause="other";
  3. a line that says `reject:` (a refusal by our server) is never direction="outbound";
  4. mta="generic" never appears for a line whose program has a parser of its own;
  5. the golden's replies by (mta, direction) are those the line-by-line answers add up to, so the
     checks of 3 and 4 hold for the golden itself; a line that `classify --explain` says is "not counted"
     (one failed try whose outcome another line carries, or that got no reply) never adds to the golden.

Environment: MTA_EXPORTER (the binary), MTA_SHARED_DIR (the product side's shared/ folder)."""

import collections
import csv
import json
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "expected")
KNOWLEDGE = os.path.join(HERE, "../../src/classify/knowledge/enhanced-status-codes.csv")
BINARY = os.environ.get("MTA_EXPORTER", "mta_exporter")
CORPUS = os.path.join(os.environ.get("MTA_SHARED_DIR", os.path.join(HERE, "../../../shared")), "corpus/real")

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
# The program of a syslog line (BSD or RFC 3339 stamp, host, TAG[pid]:), or of a program's own output
# without a header ("./smtpd_check: ...").
SYSLOG_PROGRAM = re.compile(r'^(?:<\d+>)?(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\S+) \S+ '
                            r'([^\s:\[]+)(?:\[\d+\])?: ')
BARE_PROGRAM = re.compile(r'^([^\s:\[]+)(?:\[\d+\])?: ')
# Programs with a parser of their own (src/mta/): Postfix (postfix/*, instances such as postfix-out/*,
# smtpd_check, its test driver), Exim, Sendmail, Dovecot. OpenSMTPD logs as "smtpd", a name other servers
# share, so it is left out.
PARSED_PROGRAM = re.compile(r'^(?:postfix[^/]*/.+|(?:.*/)?smtpd_check|exim4?|sendmail|sm-mta|sm-msp-queue|dovecot)$')
REJECT = re.compile(r'\breject: ')
OUTCOME_MARK = re.compile(r', status=|\breject: |\bmilter-reject: | (?:=>|->|\*\*|==) \S+@')


def registered_specific_codes():
    """Enhanced codes of the IANA registry whose subject and detail are both set: "X.1.1" -> "1.1"."""
    with open(KNOWLEDGE, newline="") as table:
        codes = (row["code"] for row in csv.DictReader(table))
        return {code[2:] for code in codes if re.fullmatch(r"X\.[1-9]\d*\.[1-9]\d*", code)}


def samples_of(path):
    samples = []
    with open(path) as exposition:
        for line in exposition:
            match = SAMPLE.match(line.strip())
            if match:
                samples.append((match.group(1), dict(LABEL.findall(match.group(2))), float(match.group(3))))
    return samples


def program_of(line):
    match = SYSLOG_PROGRAM.match(line) or BARE_PROGRAM.match(line)
    return match.group(1) if match else ""


class GoldenInvariantsTest(unittest.TestCase):
    def test_goldens_exist(self):
        self.assertTrue(self.goldens(), f"no golden files in {EXPECTED}")

    @staticmethod
    def goldens():
        return sorted(name for name in os.listdir(EXPECTED) if name.endswith(".prom"))

    def corpus_lines(self, golden):
        path = os.path.join(CORPUS, golden[:-len(".prom")])
        self.assertTrue(os.path.isfile(path), f"{path} is missing (the shared/ folder must sit next to the repository)")
        with open(path, "rb") as corpus:
            data = corpus.read()
        # Lines as the agent splits them: at LF only (str.splitlines would split at CR, FF, U+2028, ...).
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        return [line.decode("utf-8", "replace") for line in lines], path

    def test_every_line_is_counted_once(self):
        for golden in self.goldens():
            with self.subTest(golden=golden):
                lines, _ = self.corpus_lines(golden)
                counted = sum(value for name, _, value in samples_of(os.path.join(EXPECTED, golden))
                              if name == "mta_exporter_lines_total")
                self.assertEqual(counted, len(lines))

    def test_reply_series_gauge_counts_the_series(self):
        for golden in self.goldens():
            with self.subTest(golden=golden):
                path = os.path.join(EXPECTED, golden)
                series = sum(1 for name, _, _ in samples_of(path) if name == "mta_smtp_replies_total")
                with open(path) as exposition:
                    gauge = [float(line.split()[1]) for line in exposition
                             if line.startswith("mta_exporter_reply_series ")]
                self.assertEqual(gauge, [series])

    def test_no_cause_other_for_a_specific_registered_code(self):
        specific = registered_specific_codes()
        self.assertIn("1.1", specific)
        for golden in self.goldens():
            with self.subTest(golden=golden):
                wrong = [labels for name, labels, _ in samples_of(os.path.join(EXPECTED, golden))
                         if name == "mta_smtp_replies_total" and labels["cause"] == "other"
                         and labels["enhanced_code"][2:] in specific]
                self.assertEqual(wrong, [])

    @staticmethod
    def uncounted_lines(path):
        """The numbers of the lines `classify --explain` describes as failed tries it does not count."""
        with open(path, "rb") as corpus:
            result = subprocess.run([BINARY, "classify", "--explain"], stdin=corpus, capture_output=True, timeout=300)
        numbers = set()
        number = 0
        for line in result.stdout.decode(errors="replace").split("\n"):  # not splitlines(): a line may hold \x0c
            if line.startswith("input:"):
                number += 1
            elif line.startswith("not counted:"):
                numbers.add(number)
        return numbers

    def test_labels_line_by_line(self):
        for golden in self.goldens():
            with self.subTest(golden=golden):
                lines, path = self.corpus_lines(golden)
                with open(path, "rb") as corpus:
                    result = subprocess.run([BINARY, "classify", "--json"], stdin=corpus, capture_output=True,
                                            timeout=300)
                self.assertEqual(result.returncode, 0, result.stderr)
                rows = [json.loads(row) for row in result.stdout.decode().splitlines()]
                self.assertEqual(len(rows), len(lines), "classify --json must print one object per line")
                wrong = []
                for number, (line, row) in enumerate(zip(lines, rows), 1):
                    if row.get("matched") is False:
                        continue
                    if REJECT.search(line) and row["direction"] == "outbound":
                        wrong.append(f"{golden}:{number}: a reject: line counted outbound: {line[:160]}")
                    if row["mta"] == "generic" and PARSED_PROGRAM.match(program_of(line)):
                        wrong.append(f"{golden}:{number}: {program_of(line)} has a parser, counted generic: "
                                     f"{line[:160]}")
                self.assertEqual(wrong[:20], [], f"{len(wrong)} lines break the invariants")
                # A line read as a text on its own (no program, "mta": "") is a bare diagnostic, never a log line
                # the agent counts: a header-less fragment such as "connect to mx[192.0.2.1]:25: Connection refused".
                attempts = self.uncounted_lines(path)
                # What the binary calls a failed try must not be an outcome by its own marks: a delivery's status=,
                # our refusal, an Exim delivery or bounce line.
                marked = [f"{golden}:{number}: {lines[number - 1][:160]}" for number in sorted(attempts)
                          if OUTCOME_MARK.search(lines[number - 1])]
                self.assertEqual(marked, [], "outcome lines taken for a failed try")
                by_line = collections.Counter((row["mta"], row["direction"]) for number, row in enumerate(rows, 1)
                                              if row.get("matched") is not False and row["mta"] != ""
                                              and number not in attempts)
                in_golden = collections.Counter()
                for name, labels, value in samples_of(os.path.join(EXPECTED, golden)):
                    if name == "mta_smtp_replies_total":
                        in_golden[(labels["mta"], labels["direction"])] += int(value)
                self.assertEqual(dict(in_golden), dict(by_line), "replies by (mta, direction): golden vs classify")


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../integration"))
    import harness
    harness.main()
