"""End-to-end tests of `mta_exporter serve`: endpoints, promtool on /metrics, waiting for a missing
file, log rotation while lines are appended, hostile bytes, config errors, SIGHUP and SIGTERM."""

import os
import signal
import socket
import subprocess
import threading
import unittest

import harness
from harness import (Agent, TempFolder, SHARED_DIR, BINARY, gunzip, http_get, metric_sum, parse_metrics,
                     require_program, wait_for)

POSTFIX_LINES = [
    "Mar  4 00:00:00 mx1 postfix/smtp[123]: D016D64F490: to=<a@gmail.com>, relay=gmail-smtp-in.l.google.com"
    "[142.251.9.27]:25, delay=0.98, delays=0.47/0.01/0.3/0.2, dsn=5.1.1, status=bounced (host "
    "gmail-smtp-in.l.google.com[142.251.9.27] said: 550-5.1.1 The email account that you tried to reach does "
    "not exist. 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser - gsmtp (in reply to RCPT TO command))",
    "Mar  4 00:00:01 mx1 postfix/postscreen[1]: NOQUEUE: reject: RCPT from [198.51.100.7]:28833: 550 5.7.1 "
    "Service unavailable; client [198.51.100.7] blocked using zen.spamhaus.org; from=<x@example.net>, "
    "to=<y@example.org>, proto=ESMTP, helo=<example.net>",
    "Mar  4 00:00:02 mx1 postfix/smtpd[9]: warning: unknown[203.0.113.5]: SASL LOGIN authentication failed: "
    "UGFzc3dvcmQ6",
    "Mar  4 00:00:03 mx1 CRON[5]: (root) CMD (true)",
]


def lines_total(agent):
    return metric_sum(agent.metrics(), "mta_exporter_lines_total")


class ServeTest(unittest.TestCase):
    def test_endpoints_and_metrics(self):
        with TempFolder() as folder:
            log = os.path.join(folder, "mail.log")
            with open(log, "w") as out:
                out.write("\n".join(POSTFIX_LINES) + "\n")
            agent = Agent(folder, f'[[source]]\ntype = "file"\npath = "{log}"\nstart_at = "beginning"\n')
            try:
                wait_for(lambda: lines_total(agent) == len(POSTFIX_LINES), what="all lines counted")
                samples = agent.metrics()
                self.assertEqual(metric_sum(samples, "mta_smtp_replies_total", cause="mailbox_unknown",
                                            provider="google", direction="outbound", code="550",
                                            enhanced_code="5.1.1"), 1)
                self.assertEqual(metric_sum(samples, "mta_rejects_total", stage="rcpt", cause="blocklist"), 1)
                self.assertEqual(metric_sum(samples, "mta_auth_failures_total", mechanism="LOGIN"), 1)
                self.assertEqual(metric_sum(samples, "mta_exporter_lines_total", result="ignored"), 1)
                self.assertEqual(metric_sum(samples, "mta_exporter_build_info"), 1)

                status, headers, body = http_get(agent.url("/"))
                self.assertEqual(status, 200)
                self.assertIn(b'href="/metrics"', body)
                self.assertEqual(http_get(agent.url("/-/healthy"))[0], 200)
                self.assertEqual(http_get(agent.url("/-/ready"))[0], 200)
                status, headers, body = http_get(agent.url("/metrics"), {"Accept-Encoding": "gzip"})
                self.assertEqual(headers.get("Content-Encoding"), "gzip")
                self.assertIn(b"mta_smtp_replies_total", gunzip(body))
            finally:
                self.assertEqual(agent.stop(), 0, agent.agent_log())

    def test_metrics_pass_promtool(self):
        corpus = os.path.join(SHARED_DIR, "corpus/real/postfix-pixelpark-events.log")
        if not os.path.exists(corpus):
            self.skipTest(f"{corpus} not found")
        with TempFolder() as folder:
            agent = Agent(folder, f'[[source]]\ntype = "file"\npath = "{corpus}"\nstart_at = "beginning"\n')
            try:
                with open(corpus, "rb") as corpus_file:
                    expected = sum(1 for _ in corpus_file)
                wait_for(lambda: lines_total(agent) == expected, what="the corpus to be read")
                text = agent.metrics_text()
                promtool = require_program("promtool", "prometheus")
                check = subprocess.run([promtool, "check", "metrics"], input=text.encode(), capture_output=True)
                self.assertEqual(check.returncode, 0, check.stdout.decode() + check.stderr.decode())
            finally:
                agent.stop()

    def test_missing_file_is_waited_for(self):
        with TempFolder() as folder:
            log = os.path.join(folder, "later.log")
            agent = Agent(folder, f'[[source]]\ntype = "file"\npath = "{log}"\n')
            try:
                # The reason is known once the source has tried the path (its first poll, a moment after start).
                reason = f"{log}: No such file or directory"
                wait_for(lambda: reason in http_get(agent.url("/-/ready"))[2].decode(), what="the reason on /-/ready")
                status, _, body = http_get(agent.url("/-/ready"))
                self.assertEqual(status, 503)
                self.assertIn(reason, body.decode())
                with open(log, "w") as out:
                    out.write(POSTFIX_LINES[0] + "\n")
                wait_for(lambda: http_get(agent.url("/-/ready"))[0] == 200, what="ready after the file appeared")
                wait_for(lambda: lines_total(agent) == 1, what="the first line of the new file")
                self.assertIn('msg="cannot read log file, retrying"', agent.agent_log())
                self.assertIn('msg="log file readable"', agent.agent_log())
            finally:
                self.assertEqual(agent.stop(), 0)

    def test_rotation_while_appending_counts_every_line_once(self):
        with TempFolder() as folder:
            log = os.path.join(folder, "mail.log")
            open(log, "w").close()
            agent = Agent(folder, f'[[source]]\ntype = "file"\npath = "{log}"\n')
            written = 0
            out = open(log, "a")
            lock = threading.Lock()

            def write(count):
                nonlocal written
                for i in range(count):
                    line = POSTFIX_LINES[i % len(POSTFIX_LINES)] + "\n"
                    # Split some lines in two writes so the reader sees partial lines.
                    with lock:
                        out.write(line[:40])
                        out.flush()
                        out.write(line[40:])
                        out.flush()
                        written += 1

            try:
                wait_for(lambda: http_get(agent.url("/-/ready"))[0] == 200, what="ready")
                write(500)
                # Rename-and-create, as logrotate's default: the writer keeps appending to the renamed
                # file for a while before it reopens the path.
                os.rename(log, log + ".1")
                write(200)
                with lock:
                    out.close()
                    out = open(log, "a")
                write(300)
                # copytruncate: copy, truncate in place, keep appending to the same file.
                wait_for(lambda: lines_total(agent) == written, what="reader caught up before copytruncate")
                with lock:
                    with open(log, "rb") as source, open(log + ".2", "wb") as copy:
                        copy.write(source.read())
                    out.truncate(0)
                    out.seek(0)
                write(250)
                wait_for(lambda: lines_total(agent) == written, what=f"{written} lines counted")
                samples = agent.metrics()
                self.assertEqual(metric_sum(samples, "mta_exporter_lines_total"), written)
                self.assertEqual(metric_sum(samples, "mta_deliveries_total", status="bounced"),
                                 sum(1 for i in range(500) if i % 4 == 0) + sum(1 for i in range(200) if i % 4 == 0)
                                 + sum(1 for i in range(300) if i % 4 == 0) + sum(1 for i in range(250) if i % 4 == 0))
                log_text = agent.agent_log()
                self.assertIn("rotated", log_text)
                self.assertIn("truncated", log_text)
            finally:
                out.close()
                self.assertEqual(agent.stop(), 0)

    def test_hostile_bytes_do_not_stop_counting(self):
        with TempFolder() as folder:
            log = os.path.join(folder, "mail.log")
            with open(log, "wb") as out:
                out.write(b"\x00\x01\xff\xfe garbage \x00\n")
                out.write(b"Mar  4 00:00:00 mx1 postfix/smtp[1]: \xc3\x28 to=<\xff>, status=bounced (\x00)\n")
                out.write(b"A" * 200000 + b"\n")
                out.write(POSTFIX_LINES[0].encode() + b"\n")
            agent = Agent(folder, f'[[source]]\ntype = "file"\npath = "{log}"\nstart_at = "beginning"\n'
                                  f'max_line_length = 65536\n')
            try:
                # The over-long line is dropped; the three others are counted.
                wait_for(lambda: lines_total(agent) == 3, what="the three readable lines")
                samples = agent.metrics()
                self.assertEqual(metric_sum(samples, "mta_smtp_replies_total", cause="mailbox_unknown"), 1)
            finally:
                self.assertEqual(agent.stop(), 0)

    # Issue 16 item 3: a renamed file source continues where its old name was, a removed one leaves no
    # series, a changed syslog source whose new socket cannot be bound keeps its running version, and
    # /-/ready names the source it waits for.
    def test_sighup_renames_removes_and_keeps_a_source_whose_new_version_fails(self):
        with TempFolder() as folder:
            paths = {name: os.path.join(folder, f"{name}.log") for name in ("a", "b")}
            for path in paths.values():
                with open(path, "w") as out:
                    out.write(POSTFIX_LINES[0] + "\n")
            socket_path = os.path.join(folder, "s.sock")

            def file_source(name, path):
                return f'[[source]]\nname = "{name}"\ntype = "file"\npath = "{path}"\nstart_at = "beginning"\n'

            def syslog_source(listen):
                return f'[[source]]\nname = "s"\ntype = "syslog"\nlisten = "unix://{listen}"\n'

            agent = Agent(folder, file_source("a", paths["a"]) + file_source("b", paths["b"])
                          + syslog_source(socket_path))
            try:
                wait_for(lambda: lines_total(agent) == 2, what="the first line of each file")
                with open(agent.config) as config:
                    web = config.read().split("[[source]]")[0]
                missing = os.path.join(folder, "later.log")
                with open(agent.config, "w") as config:
                    config.write(web + file_source("renamed", paths["a"]) + file_source("later", missing)
                                 + syslog_source(os.path.join(folder, "missing", "s.sock")))
                agent.process.send_signal(signal.SIGHUP)
                wait_for(lambda: "configuration reloaded" in agent.agent_log(), what="the reload")
                self.assertIn("kept=0 stopped=2 started=2 failed=1", agent.agent_log())

                status, headers, body = http_get(agent.url("/-/ready"))
                self.assertEqual(status, 503)
                self.assertTrue(body.decode().startswith("Not ready\nsource later: "), body)

                with open(paths["a"], "a") as out:
                    out.write(POSTFIX_LINES[1] + "\n")
                with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
                    sender.sendto((POSTFIX_LINES[2] + "\n").encode(), socket_path)
                wait_for(lambda: metric_sum(agent.metrics(), "mta_exporter_lines_total", source="renamed") == 1,
                         what="the renamed source to read only the new line")
                wait_for(lambda: metric_sum(agent.metrics(), "mta_exporter_lines_total", source="s") == 1,
                         what="the syslog source to go on receiving")
                text = agent.metrics_text()
                for gone in ("a", "b"):
                    self.assertNotIn(f'source="{gone}"', text)
                self.assertEqual(metric_sum(agent.metrics(), "mta_exporter_source_up", source="s"), 1)
            finally:
                self.assertEqual(agent.stop(), 0, agent.agent_log())

    def test_config_error_names_file_line_and_key(self):
        with TempFolder() as folder:
            config = os.path.join(folder, "bad.toml")
            with open(config, "w") as out:
                out.write('[web]\nlisten_address = ":10154"\n\n[[source]]\ntype = "file"\npath = "/x"\nstrat_at = "end"\n')
            result = subprocess.run([BINARY, "serve", "--config", config], capture_output=True, timeout=10)
            self.assertEqual(result.returncode, 2)
            message = result.stderr.decode()
            self.assertIn(f"{config}:7:", message)
            self.assertIn("strat_at", message)
            check = subprocess.run([BINARY, "check-config", config], capture_output=True, timeout=10)
            self.assertNotEqual(check.returncode, 0)
            self.assertIn("strat_at", check.stderr.decode())

    def test_help_and_version_flags(self):
        # Every command answers --help with the usage (exit 0), without reading a file named --help.
        for command in ([], ["serve"], ["report"], ["classify"], ["check-config"], ["version"]):
            result = subprocess.run([BINARY, *command, "--help"], capture_output=True, text=True, timeout=10)
            self.assertEqual(result.returncode, 0, (command, result.stderr))
            self.assertTrue(result.stdout.startswith("usage: mta_exporter [COMMAND]"), command)
        version = subprocess.run([BINARY, "--version"], capture_output=True, text=True, timeout=10)
        self.assertEqual(version.returncode, 0, version.stderr)
        self.assertEqual(version.stdout, subprocess.run([BINARY, "version"], capture_output=True, text=True,
                                                        timeout=10).stdout)
        self.assertRegex(version.stdout, r"^mta_exporter \d+\.\d+\.\d+ \(revision ")


if __name__ == "__main__":
    harness.main()
