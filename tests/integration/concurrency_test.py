"""Everything the agent does at once, for the ThreadSanitizer build: a file source and a TCP syslog
source reading while /metrics is scraped (plain and gzip) and SIGHUP reloads add and remove a source and
swap the site rules, with the agent's own alerting on: its rules read the counters every second (the mailbox-full
bounces fire MtaMailboxFullWave) and send to an Alertmanager address where nothing listens, so every send fails and
is retried, while /api/v1/alerts and the landing page are read. Every line must be counted exactly once, the agent
must stay up, stop cleanly, and write no sanitizer report."""

import os
import signal
import socket
import threading
import time
import unittest

import harness
from harness import Agent, TempFolder, free_port, http_get, metric_sum, port_open, wait_for

SENT = ("Nov 24 10:00:{second:02d} mx postfix/smtp[42]: 4A1B2C{n:04X}: to=<u{n}@example.org>, "
        "relay=mx.example.org[192.0.2.1]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=5.2.2, "
        "status=bounced (host mx.example.org[192.0.2.1] said: 552 5.2.2 Mailbox full (in reply to RCPT TO command))")
FILE_LINES = 20000
TCP_LINES = 20000
RELOADS = 20
SANITIZER_MARKERS = ("WARNING: ThreadSanitizer", "ERROR: AddressSanitizer", "runtime error:")


def alerting(alertmanager_port):
    return (f'[alerting]\nalertmanager_urls = ["http://127.0.0.1:{alertmanager_port}"]\nevaluation_interval = "1s"\n'
            'resend_interval = "1s"\n')


def config(folder, tcp_port, with_extra):
    """The sources' tables; `with_extra` adds a third source and a site rule, so each reload changes both."""
    toml = (f'[[source]]\ntype = "file"\nname = "file"\npath = "{folder}/mail.log"\nstart_at = "beginning"\n'
            f'[[source]]\ntype = "syslog"\nname = "tcp"\nlisten = "tcp://127.0.0.1:{tcp_port}"\n')
    if with_extra:
        toml += (f'[[source]]\ntype = "file"\nname = "extra"\npath = "{folder}/extra.log"\nstart_at = "beginning"\n'
                 '[[rule]]\nname = "partner-full"\ncause = "quota"\n[rule.match]\ntext = "mailbox full"\n')
    return toml


class ConcurrencyTest(unittest.TestCase):
    def test_sources_scrapes_and_reloads_at_once(self):
        with TempFolder() as folder:
            tcp_port = free_port()
            alertmanager_port = free_port()  # nothing listens there
            with open(os.path.join(folder, "extra.log"), "w") as extra:
                extra.write(SENT.format(second=0, n=0) + "\n")
            agent = Agent(folder, config(folder, tcp_port, with_extra=False), alerting(alertmanager_port))
            failures = []

            def guarded(work):
                def run():
                    try:
                        work()
                    except Exception as error:  # reported by the main thread
                        failures.append(f"{work.__name__}: {error!r}")
                return run

            def write_file():
                with open(os.path.join(folder, "mail.log"), "a") as log:
                    for n in range(FILE_LINES):
                        log.write(SENT.format(second=n % 60, n=n) + "\n")
                        if n % 200 == 0:
                            log.flush()
                            time.sleep(0.01)

            def send_tcp():
                wait_for(lambda: port_open(tcp_port), timeout=60, what="the TCP syslog source")
                with socket.create_connection(("127.0.0.1", tcp_port), timeout=30) as sock:
                    for start in range(0, TCP_LINES, 100):
                        batch = "".join(f"<22>{SENT.format(second=n % 60, n=n)}\n"
                                        for n in range(start, min(start + 100, TCP_LINES)))
                        sock.sendall(batch.encode())
                        time.sleep(0.005)

            stop_scraping = threading.Event()

            def scrape():
                while not stop_scraping.is_set():
                    for headers in ({}, {"Accept-Encoding": "gzip"}):
                        status = http_get(agent.url("/metrics"), headers)[0]
                        if status != 200:
                            raise AssertionError(f"/metrics answered {status}")
                    http_get(agent.url("/-/ready"))
                    for path in ("/api/v1/alerts", "/"):
                        if http_get(agent.url(path))[0] != 200:
                            raise AssertionError(f"{path} did not answer 200")

            def reload():
                for n in range(RELOADS):
                    with open(agent.config, "w") as out:
                        out.write(f'[web]\nlisten_address = "127.0.0.1:{agent.port}"\n' + alerting(alertmanager_port)
                                  + config(folder, tcp_port, with_extra=n % 2 == 0))
                    agent.process.send_signal(signal.SIGHUP)
                    # One at a time: signals sent faster than the agent takes them would merge into one.
                    wait_for(lambda: agent.agent_log().count("configuration reloaded") == n + 1, timeout=120,
                             what=f"reload {n + 1}")

            workers = [threading.Thread(target=guarded(work)) for work in (write_file, send_tcp, reload)]
            scraper = threading.Thread(target=guarded(scrape))
            try:
                scraper.start()
                for worker in workers:
                    worker.start()
                for worker in workers:
                    worker.join()
                samples_of = agent.metrics
                wait_for(lambda: metric_sum(samples_of(), "mta_exporter_lines_total", source="file") == FILE_LINES
                         and metric_sum(samples_of(), "mta_exporter_lines_total", source="tcp") == TCP_LINES,
                         timeout=300, what="every line of both sources counted once")
                stop_scraping.set()
                scraper.join()
                self.assertEqual(failures, [])
                samples = agent.metrics()
                # The extra source is removed and added again ten times; its series go with each removal,
                # and it resumes where it was, so its one line counts at most once over all its lives.
                self.assertLessEqual(metric_sum(samples, "mta_exporter_lines_total", source="extra"), 1)
                self.assertIn(metric_sum(samples, "mta_deliveries_total", status="bounced"),
                              (FILE_LINES + TCP_LINES, FILE_LINES + TCP_LINES + 1))
                wait_for(lambda: metric_sum(samples_of(), "mta_exporter_alerts", alertname="MtaMailboxFullWave",
                                            state="firing") == 1, timeout=60, what="MtaMailboxFullWave firing")
                wait_for(lambda: metric_sum(samples_of(), "mta_exporter_alert_notifications_total",
                                            result="failed") > 0, timeout=60, what="a failed send, retried")
            finally:
                stop_scraping.set()
                if scraper.is_alive():
                    scraper.join()
                code = agent.stop(timeout=60)
                log = agent.agent_log()
            self.assertEqual(code, 0, log)
            for marker in SANITIZER_MARKERS:
                self.assertNotIn(marker, log)


if __name__ == "__main__":
    harness.main()
