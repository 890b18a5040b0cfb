"""The agent's own alerting ([alerting]) against real Alertmanagers (Debian package prometheus-alertmanager, started
here on loopback ports): no Prometheus anywhere.

- test_rules_agree_with_the_prometheus_files: the rules the agent evaluates (/api/v1/rules) are the alerts of
  alerts/mta_exporter.alerts.yml, with the same `for`, labels and annotation templates, and compare with the values
  of alerts/mta_exporter.thresholds.yml: every mta:threshold:* an alert's PromQL uses, and no other.
- test_wave_and_blocklisting_reach_both_alertmanagers_then_resolve: outbound 5xx replies, some naming a blocklist,
  are written to the log; MtaOutbound5xxShareHigh and MtaOutboundBlocklisted must reach both Alertmanagers with
  the labels Prometheus' rules would give them, then be resolved in both once the (shortened) window has passed.
  Prints the time from the first bad line written to the alert in Alertmanager.
- test_alertmanager_down_then_back_still_gets_the_alert: an Alertmanager is stopped, a mailbox-full wave fires
  MtaMailboxFullWave; the agent's sends to it fail and are retried; started again, it receives the alert.
- test_tls_client_certificate_and_basic_auth: an Alertmanager that serves HTTPS only, requires a client certificate
  from the test CA and basic auth (its web config file) receives the alert of a second agent configured with
  tls_config and basic_auth; a third agent with a wrong password gets its sends refused (counted as failed).

Windows and `for` are shortened through [alerting.rules.NAME] (the overrides the README documents)."""

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import base64
import contextlib
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

import yaml

import monitoring
from monitoring import harness
import web_tls_test  # tests/integration: the test PKI made with the openssl CLI, bcrypt

Process = harness.Process
INSTANCE = "mx1.example.org:10154"
WAIT = 90  # seconds, for each wait of the test
WAVE_WINDOW = 20  # seconds: the shortened window of the wave's rules, long enough for the checks while it fires


def outbound_bounce(queue_id, reply):
    return (f"Dec  6 17:50:01 mx1 postfix/smtp[123]: {queue_id}: to=<u{queue_id}@gmail.com>, "
            f"relay=gmail-smtp-in.l.google.com[142.250.1.1]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced "
            f"(host gmail-smtp-in.l.google.com[142.250.1.1] said: {reply} (in reply to RCPT TO command))\n")


def mailbox_full(queue_id):
    return (f"Dec  6 17:50:01 mx1 postfix/virtual[7]: {queue_id}: to=<v{queue_id}@example.org>, relay=virtual, "
            f"delay=0.1, delays=0/0/0/0.1, dsn=5.2.2, status=bounced (mailbox full)\n")


def prometheus_label_names(alertname):
    """The label names of `alertname` as Prometheus raises it: the expected labels of its first firing case in the
    promtool unit tests (tests/alerts/mta_exporter.test.yml), plus alertname."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "mta_exporter.test.yml")) as source:
        for case in yaml.safe_load(source)["tests"]:
            for check in case.get("alert_rule_test", []):
                if check["alertname"] == alertname and check.get("exp_alerts"):
                    return set(check["exp_alerts"][0]["exp_labels"]) | {"alertname"}
    raise AssertionError(f"no firing case of {alertname} in mta_exporter.test.yml")


class AlertmanagerProcess:
    """A real Alertmanager on a loopback port; stop() and start() keep its port and data."""

    def __init__(self, binary, folder, name):
        self.binary = binary
        self.name = name
        self.folder = os.path.join(folder, name)
        os.makedirs(os.path.join(self.folder, "data"))
        self.config = os.path.join(self.folder, "alertmanager.yml")
        with open(self.config, "w") as out:
            yaml.safe_dump({"route": {"receiver": "none", "group_wait": "1s"}, "receivers": [{"name": "none"}]}, out)
        self.port = harness.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.start()

    def start(self):
        self.process = Process(self.name, [
            self.binary, f"--config.file={self.config}", f"--storage.path={self.folder}/data",
            f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address=", "--log.level=info"],
            self.folder)
        harness.wait_for(self.ready, timeout=60, interval=0.2, what=f"{self.name} to be ready")

    def ready(self):
        self.process.check()
        try:
            return harness.http_get(f"{self.url}/-/ready")[0] == 200
        except OSError:
            return False

    def stop(self):
        if self.process is not None:
            self.process.stop()
            self.process = None

    @contextlib.contextmanager
    def down(self):
        """Stopped, its port held by a socket that does not listen (connections are refused) so that no other
        process takes it meanwhile; started again on the same port at the end."""
        self.stop()
        placeholder = socket.socket()
        placeholder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        placeholder.bind(("127.0.0.1", self.port))
        try:
            yield
        finally:
            placeholder.close()
            self.start()

    def alerts(self, alertname, active=True):
        """The alerts named `alertname` that Alertmanager holds as active (or, with active=False, resolved ones
        are left out by Alertmanager itself once their endsAt passed)."""
        query = "active=true&silenced=true&inhibited=true&unprocessed=true"
        with urllib.request.urlopen(f"{self.url}/api/v2/alerts?{query}", timeout=10) as response:
            alerts = json.load(response)
        return [alert for alert in alerts if alert["labels"].get("alertname") == alertname]


class TlsAlertmanager:
    """An Alertmanager serving HTTPS only, with a client certificate signed by the test CA and basic auth required
    (exporter-toolkit web config file)."""

    def __init__(self, binary, folder, pki, user, password):
        self.folder = os.path.join(folder, "am-tls")
        os.makedirs(os.path.join(self.folder, "data"))
        with open(os.path.join(self.folder, "alertmanager.yml"), "w") as out:
            yaml.safe_dump({"route": {"receiver": "none", "group_wait": "1s"}, "receivers": [{"name": "none"}]}, out)
        with open(os.path.join(self.folder, "web.yml"), "w") as out:
            yaml.safe_dump({"tls_server_config": {"cert_file": pki.crt("server"), "key_file": pki.key("server"),
                                                  "client_auth_type": "RequireAndVerifyClientCert",
                                                  "client_ca_file": pki.crt("ca")},
                            "basic_auth_users": {user: web_tls_test.bcrypt(password)}}, out)
        self.port = harness.free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.context = ssl.create_default_context(cafile=pki.crt("ca"))
        self.context.load_cert_chain(pki.crt("client"), pki.key("client"))
        self.authorization = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.process = Process("am-tls", [
            binary, f"--config.file={self.folder}/alertmanager.yml", f"--storage.path={self.folder}/data",
            f"--web.listen-address=127.0.0.1:{self.port}", f"--web.config.file={self.folder}/web.yml",
            "--cluster.listen-address=", "--log.level=info"], self.folder)
        harness.wait_for(self.ready, timeout=60, interval=0.2, what="the TLS Alertmanager to be ready")

    def get(self, path):
        request = urllib.request.Request(f"{self.url}{path}", headers={"Authorization": self.authorization})
        with urllib.request.urlopen(request, timeout=10, context=self.context) as response:
            return json.load(response)

    def ready(self):
        self.process.check()
        try:
            self.get("/api/v2/status")
            return True
        except OSError:
            return False

    def alerts(self, alertname):
        return [alert for alert in self.get("/api/v2/alerts") if alert["labels"].get("alertname") == alertname]

    def stop(self):
        self.process.stop()


class AgentAlertingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="mta_exporter_agent_alerting_")
        cls.addClassCleanup(shutil.rmtree, cls.folder, ignore_errors=True)
        binary = harness.require_program("prometheus-alertmanager", "prometheus-alertmanager")
        cls.alertmanagers = [AlertmanagerProcess(binary, cls.folder, name) for name in ("am1", "am2")]
        for alertmanager in cls.alertmanagers:
            cls.addClassCleanup(alertmanager.stop)
        cls.log = os.path.join(cls.folder, "mail.log")
        open(cls.log, "w").close()
        urls = ", ".join(f'"{alertmanager.url}"' for alertmanager in cls.alertmanagers)
        cls.agent = harness.Agent(cls.folder, f'[[source]]\ntype = "file"\nname = "mail"\npath = "{cls.log}"\n'
                                               f'start_at = "beginning"\n', f"""
[alerting]
alertmanager_urls = [{urls}]
evaluation_interval = "1s"
resend_interval = "2s"
external_labels = {{ instance = "{INSTANCE}", job = "mta_exporter" }}
[alerting.rules.MtaOutbound5xxShareHigh]
for = "0s"
window = "{WAVE_WINDOW}s"
[alerting.rules.MtaOutboundBlocklisted]
window = "{WAVE_WINDOW}s"
[alerting.rules.MtaMailboxFullWave]
threshold = 3
window = "10m"
""")
        cls.addClassCleanup(cls.agent.stop)

    @contextlib.contextmanager
    def logs_on_failure(self):
        """On a failure, the tails of the agent's and the Alertmanagers' logs go with it (ctest shows them)."""
        try:
            yield
        except Exception:
            for name, text in [("agent", self.agent.agent_log())] + [
                    (am.name, am.process.output()) for am in self.alertmanagers if am.process is not None]:
                print(f"\n--- {name} log (tail) ---\n{text[-4000:]}", file=sys.stderr)
            raise

    def write(self, lines):
        with open(self.log, "a") as log:
            log.write("".join(lines))

    def agent_json(self, path):
        status, _, body = harness.http_get(self.agent.url(path))
        self.assertEqual(status, 200, path)
        return json.loads(body)

    def test_rules_agree_with_the_prometheus_files(self):
        alerts = {rule["alert"]: rule for rule in monitoring.alert_rules()}
        with open(monitoring.THRESHOLDS_FILE) as source:
            thresholds = {rule["record"].removeprefix("mta:threshold:"): float(re.fullmatch(r"vector\((.*)\)",
                                                                                               rule["expr"])[1])
                          for group in yaml.safe_load(source)["groups"] for rule in group["rules"]}
        groups = self.agent_json("/api/v1/rules")["data"]["groups"]
        agent_rules = {rule["name"]: rule for group in groups for rule in group["rules"]}
        self.assertEqual(set(agent_rules), set(alerts) - {"MtaExporterDown", "MtaAlertThresholdsMissing"},
                         "the agent evaluates every alert of the file but the two only Prometheus can")
        overridden_for = {"MtaOutbound5xxShareHigh": 0}
        overridden_threshold = {"MtaMailboxFullWave": ("quota_replies_15m", 3)}
        for name, rule in agent_rules.items():
            with self.subTest(rule=name):
                expected = alerts[name]
                self.assertEqual(rule["duration"], overridden_for.get(
                    name, monitoring.go_duration_seconds(expected.get("for", "0s"))))
                self.assertEqual(rule["labels"], expected.get("labels", {}))
                self.assertEqual(rule["annotations"], expected["annotations"])
                used = set(re.findall(r"mta:threshold:([a-z0-9_]+)", expected["expr"]))
                self.assertEqual(set(rule["thresholds"]), used, "the thresholds the PromQL expression compares with")
                for threshold, value in rule["thresholds"].items():
                    if overridden_threshold.get(name, (None,))[0] == threshold:
                        self.assertEqual(value, overridden_threshold[name][1])
                    else:
                        self.assertEqual(value, thresholds[threshold], threshold)

    def test_wave_and_blocklisting_reach_both_alertmanagers_then_resolve(self):
        with self.logs_on_failure():
            self.wave_and_blocklisting()

    def wave_and_blocklisting(self):
        blocklisted = "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org"
        written = time.monotonic()
        self.write([outbound_bounce(f"4F8E2A1C{i:02X}", blocklisted) for i in range(6)])
        # The wave goes on, a bounce a second, while its alerts are checked, so that a slow machine cannot see them
        # resolve before the checks; its last line starts the window after which they must resolve.
        wave_over = threading.Event()
        last_line = [written]

        def keep_bouncing():
            number = 6
            while not wave_over.wait(1.0):
                self.write([outbound_bounce(f"4F8E2A1C{number:02X}", blocklisted)])
                last_line[0] = time.monotonic()
                number += 1

        writer = threading.Thread(target=keep_bouncing)
        writer.start()
        try:
            self.check_firing(written)
        finally:
            wave_over.set()
            writer.join()
        self.check_resolution(last_line[0])

    def check_firing(self, written):
        arrived = {}
        expected = {"MtaOutbound5xxShareHigh": {"alertname": "MtaOutbound5xxShareHigh", "severity": "warning",
                                                "instance": INSTANCE, "job": "mta_exporter", "direction": "outbound",
                                                "class": "5xx"},
                    "MtaOutboundBlocklisted": {"alertname": "MtaOutboundBlocklisted", "severity": "critical",
                                               "instance": INSTANCE, "job": "mta_exporter", "provider": "google"}}
        for alertmanager in self.alertmanagers:
            for alertname, labels in expected.items():
                harness.wait_for(lambda: alertmanager.alerts(alertname), timeout=WAIT, interval=0.1,
                                 what=f"{alertname} in {alertmanager.name}")
                arrived[(alertmanager.name, alertname)] = time.monotonic() - written
                [alert] = alertmanager.alerts(alertname)
                self.assertEqual(alert["labels"], labels)
                self.assertEqual(set(alert["labels"]), prometheus_label_names(alertname),
                                 "the labels Prometheus' rule gives the same alert")
                self.assertIn(INSTANCE, alert["annotations"]["summary"])
                self.assertTrue(alert["annotations"]["runbook_url"].startswith("alerts/RUNBOOK.md#"))
        for (name, alertname), seconds in sorted(arrived.items()):
            print(f"\n{alertname} in {name} {seconds:.1f} s after the first bad line was written", end="")

        # The agent shows them too: its API, its landing page and the ALERTS-like gauge.
        firing = {alert["labels"]["alertname"] for alert in self.agent_json("/api/v1/alerts")["data"]["alerts"]
                  if alert["state"] == "firing"}
        self.assertLessEqual(set(expected), firing)
        self.assertIn("MtaOutboundBlocklisted", harness.http_get(self.agent.url("/"))[2].decode())
        samples = self.agent.metrics()
        self.assertEqual(harness.metric_sum(samples, "mta_exporter_alerts", alertname="MtaOutboundBlocklisted",
                                            state="firing"), 1)
        for alertmanager in self.alertmanagers:
            self.assertGreater(harness.metric_sum(samples, "mta_exporter_alert_notifications_total",
                                                  alertmanager=alertmanager.url, result="sent"), 0)
        promtool = harness.require_program("promtool", "prometheus")
        check = subprocess.run([promtool, "check", "metrics"], input=self.agent.metrics_text().encode(),
                               capture_output=True)
        self.assertEqual(check.returncode, 0, check.stdout.decode() + check.stderr.decode())

    def check_resolution(self, last_line):
        """No new 5xx: once the window has passed, both resolve in both Alertmanagers."""
        expected = ("MtaOutbound5xxShareHigh", "MtaOutboundBlocklisted")
        for alertmanager in self.alertmanagers:
            for alertname in expected:
                harness.wait_for(lambda: not alertmanager.alerts(alertname), timeout=WAIT, interval=0.2,
                                 what=f"{alertname} resolved in {alertmanager.name}")
        resolved_after = time.monotonic() - last_line
        self.assertGreater(resolved_after, WAVE_WINDOW - 1, "resolved before the window passed")
        print(f"\nresolved in both {resolved_after:.1f} s after the last bad line (window {WAVE_WINDOW} s)", end="")
        self.assertFalse({alert["labels"]["alertname"] for alert in self.agent_json("/api/v1/alerts")["data"]["alerts"]}
                         & set(expected))

    def test_alertmanager_down_then_back_still_gets_the_alert(self):
        with self.logs_on_failure():
            self.down_then_back()

    def down_then_back(self):
        down = self.alertmanagers[1]
        with down.down():
            self.write([mailbox_full(f"5A7E2A1C{i:02X}") for i in range(4)])
            up = self.alertmanagers[0]
            harness.wait_for(lambda: up.alerts("MtaMailboxFullWave"), timeout=WAIT, interval=0.1,
                             what="MtaMailboxFullWave in the Alertmanager that is up")
            harness.wait_for(lambda: harness.metric_sum(self.agent.metrics(), "mta_exporter_alert_notifications_total",
                                                        alertmanager=down.url, result="failed") > 0,
                             timeout=WAIT, interval=0.2, what="a failed send to the Alertmanager that is down")
        harness.wait_for(lambda: down.alerts("MtaMailboxFullWave"), timeout=WAIT, interval=0.2,
                         what="MtaMailboxFullWave in the Alertmanager that came back")
        [alert] = down.alerts("MtaMailboxFullWave")
        self.assertEqual(set(alert["labels"]), prometheus_label_names("MtaMailboxFullWave"))
        self.assertEqual(alert["labels"]["direction"], "local")
        self.assertEqual(alert["labels"]["instance"], INSTANCE)

    def test_tls_client_certificate_and_basic_auth(self):
        with harness.TempFolder() as folder:
            pki = web_tls_test.Pki(folder)
            binary = harness.require_program("prometheus-alertmanager", "prometheus-alertmanager")
            alertmanager = TlsAlertmanager(binary, folder, pki, "agent", "s3cret")
            self.addCleanup(alertmanager.stop)
            for name, password in (("good", "s3cret"), ("wrong", "guess")):
                os.makedirs(os.path.join(folder, name))
                with open(os.path.join(folder, name, "password"), "w") as out:
                    out.write(password + "\n")
            agents = {}
            for name in ("good", "wrong"):
                log = os.path.join(folder, name, "mail.log")
                with open(log, "w") as out:
                    out.write(outbound_bounce(f"6C0FFEE{'1' if name == 'good' else '2'}", "554 5.7.1 Service "
                                              "unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org"))
                agents[name] = harness.Agent(os.path.join(folder, name), f'[[source]]\ntype = "file"\npath = "{log}"\n'
                                                                         f'start_at = "beginning"\n', f"""
[alerting]
alertmanager_urls = ["{alertmanager.url}"]
evaluation_interval = "1s"
resend_interval = "2s"
external_labels = {{ instance = "{name}.example.org:10154" }}
basic_auth = {{ username = "agent", password_file = "password" }}
tls_config = {{ ca_file = "{pki.crt('ca')}", cert_file = "{pki.crt('client')}", key_file = "{pki.key('client')}" }}
""")
                self.addCleanup(agents[name].stop)
            harness.wait_for(lambda: alertmanager.alerts("MtaOutboundBlocklisted"), timeout=WAIT, interval=0.2,
                             what="the alert over TLS with a client certificate and basic auth")
            harness.wait_for(lambda: harness.metric_sum(agents["wrong"].metrics(), "mta_exporter_alert_notifications_"
                                                        "total", result="failed") > 0,
                             timeout=WAIT, interval=0.2, what="the wrong password's sends to fail")
            time.sleep(3)  # more sends of both agents
            instances = {alert["labels"]["instance"] for alert in alertmanager.alerts("MtaOutboundBlocklisted")}
            self.assertEqual(instances, {"good.example.org:10154"})
            self.assertEqual(harness.metric_sum(agents["wrong"].metrics(), "mta_exporter_alert_notifications_total",
                                                result="sent"), 0)


if __name__ == "__main__":
    harness.main()
