"""End to end with the real parts: the agent, a real Prometheus and a real Alertmanager (Debian packages
prometheus and prometheus-alertmanager, installed by deploy/install-deps.sh) on loopback ports, with the
shipped rules loaded and Alertmanager sending to a webhook receiver in this test.

- test_5xx_spike_reaches_the_webhook: a log in which outbound 5xx replies spike; MtaOutbound5xxShareHigh
  must reach the webhook. Prints the timeline (first 5xx line written -> alert at the webhook).
- test_every_dashboard_query_returns_data: config/sample/mail.log is written into a second agent's log
  file; every query of every dashboard, Grafana variables substituted, must return data.

Scrapes and rule evaluations run every second; the rules are the shipped ones, except that a test copy of
the alerts file divides every `for:` by 60 (10m -> 10s). Processes are children of the test with their
own temporary folders, and are stopped at the end."""

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import http.server
import json
import math
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

import yaml

import monitoring
from monitoring import harness

Process = harness.Process

SCRAPE_INTERVAL = "1s"
FOR_DIVISOR = 60
SPIKE_ALERT = "MtaOutbound5xxShareHigh"
TIME_LIMIT = 150  # seconds, for each wait of the test


class Webhook:
    """An HTTP server on a loopback port that records Alertmanager's webhook notifications."""

    def __init__(self):
        self.notifications = []  # (monotonic time, payload)
        self.lock = threading.Lock()
        webhook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with webhook.lock:
                    webhook.notifications.append((time.monotonic(), json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def alerts(self, alertname, instance):
        """(arrival time, alert) of every notified firing alert with that name and instance."""
        with self.lock:
            return [(arrival, alert) for arrival, payload in self.notifications for alert in payload["alerts"]
                    if alert["labels"].get("alertname") == alertname and alert["labels"].get("instance") == instance
                    and alert["status"] == "firing"]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def shortened_alerts(path):
    """A copy of the alerts with every for: divided by FOR_DIVISOR (minutes become seconds)."""
    with open(monitoring.ALERTS_FILE) as alerts_file:
        document = yaml.safe_load(alerts_file)
    for group in document["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = f"{max(1, int(monitoring.go_duration_seconds(rule['for']) / FOR_DIVISOR))}s"
    with open(path, "w") as out:
        yaml.safe_dump(document, out, sort_keys=False)


def log_lines(predicate):
    with open(monitoring.SAMPLE_LOG) as sample:
        return [line for line in sample if predicate(line)]


class EndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="mta_exporter_e2e_")
        cls.addClassCleanup(shutil.rmtree, cls.folder, ignore_errors=True)
        alertmanager = harness.require_program("prometheus-alertmanager", "prometheus-alertmanager")
        prometheus = harness.require_program("prometheus", "prometheus")
        promtool = harness.require_program("promtool", "prometheus")

        # Two agents: "spike" follows a log the alert test writes; "sample" follows a log into which the
        # dashboard test writes config/sample/mail.log.
        cls.spike_log = os.path.join(cls.folder, "spike", "mail.log")
        cls.sample_log = os.path.join(cls.folder, "sample", "mail.log")
        cls.agents = {}
        for name, log in (("spike", cls.spike_log), ("sample", cls.sample_log)):
            os.makedirs(os.path.dirname(log))
            open(log, "w").close()
            agent = harness.Agent(os.path.dirname(log), f'[[source]]\ntype = "file"\nname = "mail"\n'
                                                         f'path = "{log}"\nstart_at = "beginning"\n')
            cls.addClassCleanup(agent.stop)
            cls.agents[name] = agent
        cls.instance = {name: f"127.0.0.1:{agent.port}" for name, agent in cls.agents.items()}

        cls.webhook = Webhook()
        cls.addClassCleanup(cls.webhook.stop)

        # Alertmanager: everything to the webhook, without waiting.
        cls.am_port = harness.free_port()
        am_config = os.path.join(cls.folder, "alertmanager.yml")
        with open(am_config, "w") as out:
            yaml.safe_dump({"route": {"receiver": "test", "group_by": ["alertname", "instance"], "group_wait": "1s",
                                      "group_interval": "1s", "repeat_interval": "1h"},
                            "receivers": [{"name": "test", "webhook_configs": [
                                {"url": f"http://127.0.0.1:{cls.webhook.port}/alerts", "send_resolved": False}]}]}, out)
        os.makedirs(os.path.join(cls.folder, "alertmanager-data"))
        cls.alertmanager = Process("alertmanager", [
            alertmanager, f"--config.file={am_config}", f"--storage.path={cls.folder}/alertmanager-data",
            f"--web.listen-address=127.0.0.1:{cls.am_port}", "--cluster.listen-address=", "--log.level=info"],
            cls.folder)
        cls.addClassCleanup(cls.alertmanager.stop)

        # Prometheus: the shipped rules (alerts with for: shortened), both agents, 1 s scrapes and evaluations.
        rules_folder = os.path.join(cls.folder, "rules")
        os.makedirs(rules_folder)
        shutil.copy(monitoring.RULES_FILE, rules_folder)
        shutil.copy(monitoring.THRESHOLDS_FILE, rules_folder)
        shutil.copy(monitoring.FLEET_RULES_FILE, rules_folder)  # the fleet dashboard's per-instance rules
        shortened_alerts(os.path.join(rules_folder, os.path.basename(monitoring.ALERTS_FILE)))
        cls.prom_port = harness.free_port()
        prom_config = os.path.join(cls.folder, "prometheus.yml")
        with open(prom_config, "w") as out:
            yaml.safe_dump({
                "global": {"scrape_interval": SCRAPE_INTERVAL, "evaluation_interval": SCRAPE_INTERVAL},
                "rule_files": [os.path.join(rules_folder, "*.yml")],
                "alerting": {"alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{cls.am_port}"]}]}]},
                "scrape_configs": [{"job_name": "mta_exporter",
                                    "static_configs": [{"targets": sorted(cls.instance.values())}]}]}, out)
        check = subprocess.run([promtool, "check", "config", prom_config], capture_output=True, text=True)
        if check.returncode != 0:
            raise AssertionError(check.stdout + check.stderr)
        cls.prometheus = Process("prometheus", [
            prometheus, f"--config.file={prom_config}", f"--storage.tsdb.path={cls.folder}/prometheus-data",
            f"--web.listen-address=127.0.0.1:{cls.prom_port}", "--log.level=info"], cls.folder)
        cls.addClassCleanup(cls.prometheus.stop)

        harness.wait_for(lambda: cls.ready(f"http://127.0.0.1:{cls.am_port}/-/ready", cls.alertmanager),
                         timeout=60, interval=0.2, what="Alertmanager to be ready")
        harness.wait_for(lambda: cls.ready(f"http://127.0.0.1:{cls.prom_port}/-/ready", cls.prometheus),
                         timeout=60, interval=0.2, what="Prometheus to be ready")
        harness.wait_for(cls.targets_up, timeout=60, interval=0.2, what="both agents to be scraped")
        harness.wait_for(lambda: cls.prom_alertmanagers(), timeout=60, interval=0.2,
                         what="Prometheus to discover Alertmanager")

    @classmethod
    def ready(cls, url, process):
        process.check()
        try:
            return harness.http_get(url)[0] == 200
        except OSError:
            return False

    @classmethod
    def prom(cls, path, **params):
        return monitoring.prometheus_api(cls.prom_port, path, **params)

    @classmethod
    def targets_up(cls):
        cls.prometheus.check()
        targets = cls.prom("/api/v1/targets")["data"]["activeTargets"]
        return len(targets) == 2 and all(target["health"] == "up" for target in targets)

    @classmethod
    def prom_alertmanagers(cls):
        return cls.prom("/api/v1/alertmanagers")["data"]["activeAlertmanagers"]

    def prom_alert_state(self, alertname, instance):
        for alert in self.prom("/api/v1/alerts")["data"]["alerts"]:
            if alert["labels"].get("alertname") == alertname and alert["labels"].get("instance") == instance:
                return alert["state"]
        return None

    def rule_evaluations(self):
        """{rule group: time of its last evaluation} in Prometheus."""
        return {group["name"]: group["lastEvaluation"] for group in self.prom("/api/v1/rules")["data"]["groups"]}

    def wait_for_rule_evaluations(self, count, what):
        """Waits until Prometheus has evaluated every rule group `count` more times (each second here,
        later on a machine whose cores are busy)."""
        for _ in range(count):
            before = self.rule_evaluations()
            harness.wait_for(lambda: all(self.rule_evaluations()[name] != at for name, at in before.items()),
                             timeout=TIME_LIMIT, interval=0.25, what=what)

    def am_has_alert(self, alertname, instance):
        alerts = monitoring.get_json(f"http://127.0.0.1:{self.am_port}/api/v2/alerts?" + urllib.parse.urlencode(
            {"filter": [f'alertname="{alertname}"', f'instance="{instance}"']}, doseq=True))
        return bool(alerts)

    # ----------------------------------------------------------------------------------------------
    def test_5xx_spike_reaches_the_webhook(self):
        instance = self.instance["spike"]
        agent = self.agents["spike"]
        sent = log_lines(lambda line: "postfix/smtp[" in line and "status=sent" in line)
        bounced = log_lines(lambda line: "postfix/smtp[" in line and "status=bounced" in line and "dsn=5.1.1" in line)
        self.assertGreater(len(sent), 50)
        self.assertGreaterEqual(len(bounced), 1)

        spiking = threading.Event()
        stop = threading.Event()
        first_spike_line = []

        def write():
            # Ten deliveries a second, as real Postfix lines of the sample log; once spiking, three
            # bounces (550 5.1.1, unknown user) a second more per delivery.
            with open(self.spike_log, "a") as log:
                tick = 0
                while not stop.is_set():
                    log.write(sent[tick % len(sent)])
                    if spiking.is_set():
                        for i in range(3):
                            log.write(bounced[(tick + i) % len(bounced)])
                        log.flush()
                        if not first_spike_line:
                            first_spike_line.append(time.monotonic())
                    log.flush()
                    tick += 1
                    stop.wait(0.1)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        try:
            # Normal traffic first: enough volume for the share to be judged, and the alert stays silent.
            share = (f'instance_direction_class:mta_smtp_replies:ratio_rate5m{{instance="{instance}", '
                     f'direction="outbound", class="2xx"}}')
            harness.wait_for(lambda: self.prom("/api/v1/query", query=share)["data"]["result"], timeout=TIME_LIMIT,
                             interval=0.25, what="the 2xx share of the normal traffic in Prometheus")
            volume = f'instance_direction:mta_smtp_replies:rate5m{{instance="{instance}", direction="outbound"}} > 0.05'
            harness.wait_for(lambda: self.prom("/api/v1/query", query=volume)["data"]["result"], timeout=TIME_LIMIT,
                             interval=0.25, what="the outbound volume above the minimum")
            self.wait_for_rule_evaluations(2, "two more evaluations of the rules on normal traffic")
            self.assertIsNone(self.prom_alert_state(SPIKE_ALERT, instance), "alert before the spike")
            self.assertFalse(self.webhook.alerts(SPIKE_ALERT, instance))

            spiking.set()
            events = {}
            checks = [
                ("agent counted the first 5xx reply", lambda: harness.metric_sum(
                    agent.metrics(), "mta_smtp_replies_total", direction="outbound", **{"class": "5xx"}) > 0),
                ("Prometheus has the 5xx share above 10 %", lambda: self.prom("/api/v1/query", query=(
                    f'instance_direction_class:mta_smtp_replies:ratio_rate5m{{instance="{instance}", '
                    f'direction="outbound", class="5xx"}} > 0.1'))["data"]["result"]),
                ("alert pending in Prometheus", lambda: self.prom_alert_state(SPIKE_ALERT, instance) in ("pending", "firing")),
                ("alert firing in Prometheus", lambda: self.prom_alert_state(SPIKE_ALERT, instance) == "firing"),
                ("alert in Alertmanager", lambda: self.am_has_alert(SPIKE_ALERT, instance)),
                ("alert at the webhook", lambda: self.webhook.alerts(SPIKE_ALERT, instance)),
            ]
            deadline = time.monotonic() + TIME_LIMIT
            while len(events) < len(checks) and time.monotonic() < deadline:
                for name, check in checks:
                    if name not in events and check():
                        events[name] = time.monotonic()
                self.prometheus.check()
                self.alertmanager.check()
                time.sleep(0.1)
        finally:
            stop.set()
            writer.join()

        self.assertTrue(first_spike_line)
        start = first_spike_line[0]
        if "alert at the webhook" in events:  # when it arrived, not when the loop looked
            events["alert at the webhook"] = self.webhook.alerts(SPIKE_ALERT, instance)[0][0]
        print(f"\nEnd-to-end timeline (scrape and evaluation every {SCRAPE_INTERVAL}, for: {FOR_DIVISOR}x shorter "
              f"than shipped, Alertmanager group_wait 1s), seconds after the first 5xx line was written:",
              file=sys.stderr)
        for name, _ in checks:
            at = f"{events[name] - start:6.2f}" if name in events else "   n/a"
            print(f"  {at}  {name}", file=sys.stderr)
        for name, _ in checks:
            self.assertIn(name, events, f"never happened within {TIME_LIMIT}s: {name}")

        _, alert = self.webhook.alerts(SPIKE_ALERT, instance)[0]
        self.assertEqual(alert["labels"]["severity"], "warning")
        self.assertEqual(alert["labels"]["direction"], "outbound")
        self.assertEqual(alert["annotations"]["runbook_url"], "alerts/RUNBOOK.md#mtaoutbound5xxsharehigh")
        self.assertIn(instance, alert["annotations"]["summary"])
        self.assertIn("cause mailbox_unknown", alert["annotations"]["description"])
        self.assertIn("above the threshold of 10%", alert["annotations"]["description"])

    # ----------------------------------------------------------------------------------------------
    def test_every_dashboard_query_returns_data(self):
        instance = self.instance["sample"]
        agent = self.agents["sample"]
        with open(monitoring.SAMPLE_LOG) as sample:
            lines = sample.readlines()
        started = time.time()
        # The sample log as the MTA would write it: 400 lines a second (10 seconds for 4000 lines).
        with open(self.sample_log, "a") as log:
            for i in range(0, len(lines), 40):
                log.writelines(lines[i:i + 40])
                log.flush()
                time.sleep(0.1)
        harness.wait_for(lambda: harness.metric_sum(agent.metrics(), "mta_exporter_lines_total") == len(lines),
                         timeout=TIME_LIMIT, what="the agent to read the sample log")
        ingested = time.time()
        # Prometheus has scraped the final counts and evaluated the rules on them.
        total = f'sum(mta_exporter_lines_total{{instance="{instance}"}})'
        harness.wait_for(lambda: [r for r in self.prom("/api/v1/query", query=total)["data"]["result"]
                                  if float(r["value"][1]) == len(lines)], timeout=TIME_LIMIT, interval=0.25,
                         what="Prometheus to scrape the final counts")
        self.wait_for_rule_evaluations(2, "the recording rules evaluated on the final counts")

        variables = {"job": "mta_exporter", "instance": instance, "datasource": "prometheus",
                     "__interval": "2s", "__interval_ms": "2000"}
        queries = []
        for name, dashboard in monitoring.dashboards():
            for panel in monitoring.panels(dashboard):
                for target in panel.get("targets", []):
                    queries.append((name, panel["title"], target))

        def empty_queries():
            now = time.time()
            window = f"{int(math.ceil(now - started)) + 5}s"
            values = dict(variables, __rate_interval="30s", __range=window, __range_s=window[:-1])
            missing = []
            for name, title, target in queries:
                expr = monitoring.grafana_substitute(target["expr"], values)
                if target.get("instant"):
                    result = self.prom("/api/v1/query", query=expr, time=f"{now:.3f}")["data"]["result"]
                    points = [sample["value"] for sample in result]
                else:
                    result = self.prom("/api/v1/query_range", query=expr, start=f"{started:.3f}",
                                       end=f"{now:.3f}", step="1")["data"]["result"]
                    points = [point for series in result for point in series["values"]]
                if not any(math.isfinite(float(value)) for _, value in points):
                    missing.append(f"{name} / {title}: {expr}")
            return missing

        last = []

        def all_have_data():
            last[:] = empty_queries()
            return not last

        try:
            harness.wait_for(all_have_data, timeout=60, interval=1, what="data for every dashboard query")
        except AssertionError:
            self.fail("dashboard queries without data:\n" + "\n".join(last))
        print(f"\n{len(queries)} dashboard queries returned data; the sample log was ingested in "
              f"{ingested - started:.1f}s", file=sys.stderr)

        # The variables' queries, as Grafana runs them (label values of mta_exporter_build_info).
        jobs = self.prom("/api/v1/label/job/values", **{"match[]": "mta_exporter_build_info"})["data"]
        self.assertIn("mta_exporter", jobs)
        instances = self.prom("/api/v1/label/instance/values",
                              **{"match[]": 'mta_exporter_build_info{job=~"mta_exporter"}'})["data"]
        self.assertIn(instance, instances)


if __name__ == "__main__":
    harness.main()
