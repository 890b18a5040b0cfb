"""report --format html rendered by a real headless Chromium (Debian `chromium`) to a PNG, with no network access and
no console message, its numbers checked against report --format prometheus on real logs; report --format text with
the same sections; --lang tr; hostile log content kept inert."""

import json
import os
import re
import subprocess
import tempfile
import unittest

import harness

SOURCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../..")
CORPUS = os.path.join(harness.SHARED_DIR, "corpus/real")
# Real logs of four MTAs with inbound rejects, outbound bounces and deferrals, sent mail with delays.
LOGS = ["postfix-pixelpark-2023-03-15.log", "postfix-infohtreasure.log", "exim-ddgrey-mainlog.log",
        "sendmail-infohtreasure.log"]
UTC = dict(os.environ, TZ="UTC")
YEAR = ["--year", "2023"]


def chromium():
    return harness.require_program("chromium", "chromium")


def render(page_path, folder):
    """Chromium's screenshot of the page, the URLs the page itself asked the network for (from its net log: requests
    whose isolation key is the file:// page, not Chromium's own background ones), its console messages and its DOM."""
    png = os.path.join(folder, "page.png")
    net_log = os.path.join(folder, "net.json")
    profile = tempfile.mkdtemp(dir=folder)
    common = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
              # Nothing reaches a network: every host name fails and every connection goes to a closed port.
              "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
              "--enable-logging=stderr", "--v=0"]
    url = "file://" + os.path.abspath(page_path)
    shot = subprocess.run(common + [f"--log-net-log={net_log}", f"--screenshot={png}", "--window-size=1200,2600",
                                    url], capture_output=True, text=True, timeout=120)
    console = [line for line in shot.stderr.splitlines() if ":CONSOLE" in line]
    with open(net_log) as log:
        events = json.load(log)["events"]
    requests = {event["params"]["url"] for event in events
                if "url" in event.get("params", {}) and "file://" in event["params"].get("network_isolation_key", "")
                and not event["params"]["url"].startswith("file:")}
    dom = subprocess.run(common + ["--dump-dom", url], capture_output=True, text=True, timeout=120).stdout
    with open(png, "rb") as image:
        header = image.read(24)
    return {"png": header, "png_size": os.path.getsize(png), "requests": requests, "console": console, "dom": dom}


def counts(dom, pattern):
    """{key: count} of the elements `pattern` finds (its group 1 the key) with a data-count cell after them."""
    return {match.group(1): int(match.group(2)) for match in re.finditer(pattern, dom, re.S)}


class HtmlReportTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="html-report-")
        self.logs = [os.path.join(CORPUS, name) for name in LOGS]
        for log in self.logs:
            harness.require(os.path.exists(log), log)

    def report(self, *arguments):
        return subprocess.run([harness.BINARY, "report", *YEAR, *arguments], capture_output=True, text=True,
                              check=True, env=UTC).stdout

    def page(self, *arguments):
        path = os.path.join(self.folder, "report.html")
        with open(path, "w") as out:
            out.write(self.report("--format", "html", *arguments))
        return path

    def test_the_control_page_shows_that_requests_and_console_messages_are_caught(self):
        control = os.path.join(self.folder, "control.html")
        with open(control, "w") as out:
            out.write('<!DOCTYPE html><html><body><img src="http://203.0.113.9/probe.png">'
                      '<script>console.error("control")</script></body></html>')
        rendered = render(control, self.folder)
        self.assertIn("http://203.0.113.9/probe.png", rendered["requests"])
        self.assertTrue(any("control" in line for line in rendered["console"]), rendered["console"])

    def test_the_page_renders_offline_and_its_numbers_are_the_exposition_s(self):
        rendered = render(self.page(*self.logs), self.folder)
        self.assertEqual(rendered["png"][:8], b"\x89PNG\r\n\x1a\n")
        self.assertGreater(rendered["png_size"], 20000)  # a page with a chart and tables, not a blank one
        self.assertEqual(rendered["requests"], set())
        self.assertEqual(rendered["console"], [])
        dom = rendered["dom"]
        self.assertNotIn("<script", dom)

        samples = harness.parse_metrics(self.report("--format", "prometheus", *self.logs))
        replies = "mta_smtp_replies_total"
        by_class = counts(dom, r'<tr id="replies-(\dxx)"><th>\dxx</th><td class="n" data-count="(\d+)"')
        self.assertEqual(by_class, {klass: harness.metric_sum(samples, replies, **{"class": klass})
                                    for klass in ("2xx", "4xx", "5xx")})
        self.assertGreater(by_class["5xx"], 100)
        self.assertGreater(by_class["4xx"], 10)
        # Every cause of a failure, with its 4xx and 5xx counts.
        causes = {match.group(1): (int(match.group(2)), int(match.group(3))) for match in re.finditer(
            r'<tr data-cause="(\w+)">.*?data-count="(\d+)".*?data-count="(\d+)"', dom)}
        expected = {}
        for (name, labels), value in samples.items():
            labels = dict(labels)
            if name == replies and labels["class"] != "2xx":
                four, five = expected.get(labels["cause"], (0, 0))
                expected[labels["cause"]] = (four + value, five) if labels["class"] == "4xx" else (four, five + value)
        self.assertEqual(causes, expected)
        self.assertGreaterEqual(len(causes), 5)
        # The providers' rows: their outbound failures over all causes.
        providers = {provider: int(re.findall(r'data-count="(\d+)"', row)[-1]) for provider, row in re.findall(
            r'<tr data-provider="([^"]+)">(.*?)</tr>', dom)}
        self.assertTrue(providers)
        for provider, total in providers.items():
            self.assertEqual(total, sum(harness.metric_sum(samples, replies, provider=provider, direction="outbound",
                                                           **{"class": klass}) for klass in ("4xx", "5xx")), provider)
        # Delays and deferrals: as many as the histogram counted.
        section = lambda name: dom.split(f'id="{name}"')[1].split("<h2")[0]
        for status, name in (("sent", "delays"), ("deferred", "deferrals")):
            count = int(re.search(r'data-count="(\d+)"', section(name)).group(1))
            self.assertEqual(count, harness.metric_sum(samples, "mta_delivery_delay_seconds_count", status=status))
            self.assertGreater(count, 0, status)
        bands = [int(value) for value in re.findall(r'data-count="(\d+)"', section("deferrals"))[1:]]
        self.assertEqual(sum(bands), harness.metric_sum(samples, "mta_delivery_delay_seconds_count", status="deferred"))
        unmatched = int(re.search(r'data-count="(\d+)"', section("unmatched")).group(1))
        self.assertEqual(unmatched, harness.metric_sum(samples, "mta_exporter_lines_total", result="unmatched"))
        lines = int(re.search(r'<th>Lines read</th><td class="n" data-count="(\d+)"', dom).group(1))
        self.assertEqual(lines, harness.metric_sum(samples, "mta_exporter_lines_total"))
        # The chart's bars hold every reply of a line with a time (all of these have one).
        bars = [tuple(int(value) for value in match) for match in
                re.findall(r"<title>[^<]*?, 2xx (\d+), 4xx (\d+), 5xx (\d+)</title>", dom)]
        self.assertEqual(tuple(map(sum, zip(*bars))), (by_class["2xx"], by_class["4xx"], by_class["5xx"]))
        # Top domains and clients: bounded tables with the largest counts first.
        for name in ("domains", "clients"):
            values = [int(value) for value in re.findall(r'data-count="(\d+)"', section(name))]
            self.assertTrue(values, name)
            self.assertLessEqual(len(values), 10)
            self.assertEqual(values, sorted(values, reverse=True))

    def test_turkish(self):
        dom = render(self.page("--lang", "tr", "--top", "3", *self.logs), self.folder)["dom"]
        self.assertIn('<html lang="tr">', dom)
        self.assertIn("E-posta teslim raporu", dom)
        with open(os.path.join(SOURCE_DIR, "src/classify/knowledge/remedies.tsv"), encoding="utf-8") as tsv:
            turkish = {row[0]: row[2] for row in (line.rstrip("\n").split("\t") for line in tsv if "\ttr\t" in line)}
        self.assertIn(turkish["blocklist"], dom)
        rows = re.findall(r'data-count="\d+">\d+</td><td><span class="bar"', dom.split('id="clients"')[1])
        self.assertEqual(len(rows), 3)

    def test_the_text_report_has_the_same_sections_and_totals(self):
        text = self.report("--format", "text", *self.logs)
        samples = harness.parse_metrics(self.report("--format", "prometheus", *self.logs))
        self.assertRegex(text, r"\nReplies per (hour|day|\d+ days), by class \(UTC\)\n-+\n")
        for heading in ("Top causes of failure",
                        "Failed outbound replies by provider and cause", "Remote domains with the most refusals",
                        "Client hosts refused most", "Delivery delay of sent messages",
                        "Queue age of deferred messages", "Unmatched lines"):
            self.assertIn(heading + "\n" + "-" * len(heading), text)
        total = int(harness.metric_sum(samples, "mta_smtp_replies_total"))
        self.assertIn(f"SMTP replies: {total}, 2xx ", text)
        # The counters' tables follow, as before.
        self.assertIn("SMTP replies by class", text)

    def test_hostile_log_content_stays_text(self):
        log = os.path.join(self.folder, "hostile.log")
        probe = "http://203.0.113.7/probe"
        with open(log, "w") as out:
            out.write(f'Mar 15 10:00:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from <img src="{probe}">'
                      '[192.0.2.1]: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using '
                      'zen.spamhaus.org; from=<a@example.org> to=<b@example.net> proto=ESMTP helo=<x>\n')
            out.write(f'Mar 15 10:01:00 mx postfix/smtp[2]: ABCDEF1234: to=<u@<script>{probe}</script>>, '
                      'relay=mx.example.net[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced '
                      '(host mx.example.net[192.0.2.2] said: 550 5.1.1 no such user (in reply to RCPT TO command))\n')
            out.write(f'Mar 15 10:02:00 mx postfix/smtp[2]: ABCDEF1235: to=<u@example.net>, status=strange '
                      f'<iframe src="{probe}"></iframe>\n')
        rendered = render(self.page(log), self.folder)
        self.assertEqual(rendered["requests"], set())
        self.assertEqual(rendered["console"], [])
        dom = rendered["dom"]
        for tag in ("<img", "<script", "<iframe"):
            self.assertNotIn(tag, dom)
        self.assertIn("&lt;img src=\"" + probe, dom.replace("&quot;", '"'))
        self.assertIn("&lt;iframe", dom)


if __name__ == "__main__":
    harness.main()
