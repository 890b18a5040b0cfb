"""Checks of the Prometheus rules in alerts/: promtool check and unit tests, naming and annotation
conventions, runbook sections, thresholds that can be overridden, metric names the agent exports, and the
deploy/monitoring example configuration (promtool check config, amtool check-config)."""

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os
import re
import subprocess
import tempfile
import unittest

import yaml

import monitoring
from monitoring import ALERTS_FILE, REPO, RULE_FILES, RULES_FILE, THRESHOLDS_FILE, harness

HERE = os.path.dirname(os.path.abspath(__file__))
UNIT_TESTS = [os.path.join(HERE, "mta_exporter.test.yml"), os.path.join(HERE, "thresholds_missing.test.yml")]
RUNBOOK = os.path.join(REPO, "alerts", "RUNBOOK.md")
SEVERITIES = {"critical", "warning", "info"}


# The Debian packages of the programs the tests run, which deploy/install-deps.sh installs.
PACKAGES = {"promtool": "prometheus", "amtool": "prometheus-alertmanager"}


def run(program, *args, cwd=None):
    path = harness.require_program(program, PACKAGES[program])
    result = subprocess.run([path, *args], capture_output=True, text=True, cwd=cwd, timeout=120)
    return result.returncode, result.stdout + result.stderr


def read(path):
    with open(path) as text_file:
        return text_file.read()


def runbook_sections():
    """{anchor: section text} of RUNBOOK.md, anchors as GitHub makes them from '## Heading'."""
    text = read(RUNBOOK)
    sections = {}
    for match in re.finditer(r"^## ([^\n]+)\n(.*?)(?=^## |\Z)", text, re.M | re.S):
        anchor = re.sub(r"[^a-z0-9 _-]", "", match.group(1).strip().lower()).replace(" ", "-")
        sections[anchor] = match.group(2)
    return sections


def thresholds():
    return sorted(monitoring.recorded_names([THRESHOLDS_FILE]))


class AlertRulesTest(unittest.TestCase):
    def test_promtool_check_rules(self):
        code, output = run("promtool", "check", "rules", *RULE_FILES)
        self.assertEqual(code, 0, output)
        self.assertNotIn("WARNING", output.upper().replace("SUCCESS", ""), output)

    def test_promtool_unit_tests(self):
        code, output = run("promtool", "test", "rules", *UNIT_TESTS)
        self.assertEqual(code, 0, output)

    def test_every_alert_fires_and_stays_silent_in_a_unit_test(self):
        fires, silent = set(), set()
        for path in UNIT_TESTS:
            with open(path) as unit_test:
                for group in yaml.safe_load(unit_test)["tests"]:
                    for case in group.get("alert_rule_test", []):
                        (fires if case["exp_alerts"] else silent).add(case["alertname"])
        for rule in monitoring.alert_rules():
            self.assertIn(rule["alert"], fires, f"{rule['alert']} has no unit test in which it fires")
            self.assertIn(rule["alert"], silent, f"{rule['alert']} has no unit test in which it stays silent")

    def test_alert_conventions(self):
        sections = runbook_sections()
        names = [rule["alert"] for rule in monitoring.alert_rules()]
        self.assertEqual(len(names), len(set(names)), "duplicate alert names")
        self.assertGreaterEqual(len(names), 15)
        for rule in monitoring.alert_rules():
            name = rule["alert"]
            with self.subTest(alert=name):
                self.assertRegex(name, r"^Mta[A-Z0-9][A-Za-z0-9]*$", "CamelCase with the prefix Mta")
                self.assertIn(rule.get("labels", {}).get("severity"), SEVERITIES)
                annotations = rule.get("annotations", {})
                self.assertTrue(annotations.get("summary"))
                self.assertIn("{{", annotations.get("description", ""), "the description is a template")
                if name != "MtaAlertThresholdsMissing":  # the only alert about Prometheus, not one server
                    self.assertIn("$labels.instance", annotations["summary"] + annotations["description"])
                anchor = name.lower()
                self.assertEqual(annotations.get("runbook_url"), f"alerts/RUNBOOK.md#{anchor}")
                self.assertIn(anchor, sections, f"RUNBOOK.md has no section '## {name}'")
                # Every threshold the alert compares against is documented in its runbook section.
                for threshold in re.findall(r"mta:threshold:\w+", rule["expr"]):
                    self.assertIn(threshold, sections[anchor], f"{threshold} not documented in the runbook")
                if "for" in rule:
                    self.assertIn(f"`{rule['for']}`", sections[anchor], "the for: duration is documented")

    def test_blocklist_alert_names_the_provider(self):
        rule = next(rule for rule in monitoring.alert_rules() if rule["alert"] == "MtaOutboundBlocklisted")
        self.assertIn("provider", re.search(r"sum by \(([^)]*)\)", rule["expr"]).group(1))
        self.assertIn("$labels.provider", rule["annotations"]["description"])

    def test_recording_rule_names(self):
        for name in monitoring.recorded_names([RULES_FILE]):
            self.assertRegex(name, r"^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$", "level:metric:operations")
        for name in thresholds():
            self.assertRegex(name, r"^mta:threshold:[a-z0-9_]+$")

    def test_every_threshold_is_used_documented_and_counted(self):
        alerts_text, readme, runbook = (read(path) for path in (ALERTS_FILE, os.path.join(REPO, "alerts", "README.md"),
                                                                RUNBOOK))
        for name in thresholds():
            with self.subTest(threshold=name):
                self.assertIn(name, alerts_text, "threshold used by no alert")
                self.assertIn(name, runbook)
        for rule in monitoring.rules([THRESHOLDS_FILE]):
            self.assertRegex(rule["expr"], r"^vector\([0-9.]+\)$")
        missing = next(rule for rule in monitoring.alert_rules() if rule["alert"] == "MtaAlertThresholdsMissing")
        count = len(thresholds())
        self.assertIn(f"< {count}", missing["expr"])
        self.assertIn(f"of the {count} ", missing["annotations"]["description"])
        self.assertIn(f"the {count} `mta:threshold:*`", readme)

    def test_threshold_override_changes_when_an_alert_fires(self):
        """The documented override: edit the expr line under a threshold's record line. The shipped unit test
        case "below the threshold" (a 4.8 % share) fires once the threshold is lowered to 2 %."""
        with open(UNIT_TESTS[0]) as unit_test:
            shipped = yaml.safe_load(unit_test)
        case = next(group for group in shipped["tests"]
                    if group.get("name") == "outbound 5xx share below the threshold stays silent")
        with tempfile.TemporaryDirectory() as folder:
            text = read(THRESHOLDS_FILE)
            patched = re.sub(r"(record: mta:threshold:outbound_5xx_share\n\s*expr: )vector\([^)]*\)",
                             r"\1vector(0.02)", text)
            self.assertNotEqual(text, patched)
            overridden = os.path.join(folder, "thresholds.yml")
            with open(overridden, "w") as out:
                out.write(patched)
            alert = {"__name__": "ALERTS", "alertname": "MtaOutbound5xxShareHigh", "alertstate": "firing",
                     "severity": "warning", "job": "mta_exporter", "instance": "mx1:10154",
                     "direction": "outbound", "class": "5xx"}
            labels = "{" + ", ".join(f'{k}="{v}"' for k, v in alert.items() if k != "__name__") + "}"
            test = {"rule_files": [RULES_FILE, overridden, ALERTS_FILE], "evaluation_interval": "1m",
                    "group_eval_order": ["mta_exporter.recording", "mta_exporter.thresholds", "mta_exporter.alerts"],
                    "tests": [{"interval": case["interval"], "input_series": case["input_series"],
                               "promql_expr_test": [
                                   {"expr": 'ALERTS{alertname="MtaOutbound5xxShareHigh"}', "eval_time": "40m",
                                    "exp_samples": [{"labels": "ALERTS" + labels, "value": 1}]},
                                   {"expr": "mta:threshold:outbound_5xx_share", "eval_time": "40m",
                                    "exp_samples": [{"labels": "mta:threshold:outbound_5xx_share", "value": 0.02}]}]}]}
            test_path = os.path.join(folder, "override.test.yml")
            with open(test_path, "w") as out:
                yaml.safe_dump(test, out)
            code, output = run("promtool", "test", "rules", test_path)
            self.assertEqual(code, 0, output)

    def test_rules_use_only_metrics_the_agent_exports(self):
        exported = monitoring.exported_metric_names()
        known = exported | monitoring.recorded_names() | {"up", "ALERTS"}
        for rule in monitoring.rules():
            for expr in [rule["expr"]] + monitoring.annotation_queries(rule):
                for name in monitoring.metric_names(expr):
                    self.assertIn(name, known, f"{name} in {rule.get('alert') or rule.get('record')}: {expr}")
        # The recording rules build on the agent's own series only.
        for rule in monitoring.rules([RULES_FILE]):
            for name in monitoring.metric_names(rule["expr"]):
                self.assertIn(name, exported | monitoring.recorded_names([RULES_FILE]), name)


class DeployExampleTest(unittest.TestCase):
    def test_prometheus_config(self):
        """deploy/monitoring/prometheus.yml passes promtool check config, with the rule glob pointed at
        alerts/ so that the rules are checked through it."""
        source = os.path.join(monitoring.DEPLOY_DIR, "prometheus.yml")
        with open(source) as config_file:
            config = yaml.safe_load(config_file)
        self.assertEqual(config["rule_files"], ["/etc/prometheus/mta_exporter/*.yml"])
        jobs = [job["job_name"] for job in config["scrape_configs"]]
        self.assertIn("mta_exporter", jobs, "MtaExporterDown watches job mta_exporter")
        self.assertTrue(config["alerting"]["alertmanagers"])
        with tempfile.TemporaryDirectory() as folder:
            config["rule_files"] = [os.path.join(monitoring.ALERTS_DIR, "*.yml")]
            path = os.path.join(folder, "prometheus.yml")
            with open(path, "w") as out:
                yaml.safe_dump(config, out)
            code, output = run("promtool", "check", "config", path)
            self.assertEqual(code, 0, output)
            self.assertIn("SUCCESS", output)

    def test_alertmanager_config(self):
        code, output = run("amtool", "check-config", os.path.join(monitoring.DEPLOY_DIR, "alertmanager.yml"))
        self.assertEqual(code, 0, output)

    def test_grafana_provisioning_and_compose(self):
        grafana = os.path.join(monitoring.DEPLOY_DIR, "grafana", "provisioning")
        with open(os.path.join(grafana, "datasources", "mta_exporter.yml")) as datasources_file:
            datasources = yaml.safe_load(datasources_file)
        self.assertEqual(datasources["apiVersion"], 1)
        self.assertEqual([source["type"] for source in datasources["datasources"]], ["prometheus"])
        with open(os.path.join(grafana, "dashboards", "mta_exporter.yml")) as providers_file:
            providers = yaml.safe_load(providers_file)
        self.assertEqual(providers["apiVersion"], 1)
        dashboard_path = providers["providers"][0]["options"]["path"]

        with open(os.path.join(monitoring.DEPLOY_DIR, "compose.yaml")) as compose_file:
            compose = yaml.safe_load(compose_file)
        self.assertEqual(set(compose["services"]), {"prometheus", "alertmanager", "grafana"})
        mounts = {}
        for service in compose["services"].values():
            for volume in service.get("volumes", []):
                host, container = volume.split(":")[:2]
                if host.startswith("."):
                    self.assertTrue(os.path.exists(os.path.join(monitoring.DEPLOY_DIR, host)), volume)
                    mounts[container] = os.path.normpath(os.path.join(monitoring.DEPLOY_DIR, host))
        self.assertEqual(mounts[dashboard_path], monitoring.DASHBOARDS_DIR)
        self.assertEqual(mounts["/etc/prometheus/mta_exporter"], monitoring.ALERTS_DIR)


if __name__ == "__main__":
    harness.main()
