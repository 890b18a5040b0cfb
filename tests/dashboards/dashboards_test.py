"""Checks of the Grafana dashboards in dashboards/: the conventions (datasource, job and instance
variables, $__rate_interval, a unit on every panel), every panel query parsed by promtool after the
Grafana variables are substituted, and every metric name a query uses exported by the real agent (or
recorded by the shipped rules)."""

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import os
import re
import subprocess
import sys
import tempfile
import unittest

import yaml

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "alerts"))
import monitoring  # noqa: E402
from monitoring import harness  # noqa: E402

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# Values for the variables of every dashboard, as Grafana would substitute them.
VARIABLES = {"job": "mta_exporter", "instance": "mx1.example.org:10154", "datasource": "prometheus",
             "__rate_interval": "1m", "__interval": "15s", "__range": "6h", "__range_s": "21600",
             "__interval_ms": "15000"}
# Grafana's unit ids used by the dashboards, plus its custom units (suffix:..., prefix:...).
UNITS = {"short", "none", "percent", "percentunit", "s", "ms", "bytes", "Bps", "reqps", "ops", "cps"}


def data_panels(dashboard):
    return [panel for panel in monitoring.panels(dashboard) if panel["type"] != "row"]


def targets():
    """(dashboard file, panel title, target) of every panel query."""
    for name, dashboard in monitoring.dashboards():
        for panel in data_panels(dashboard):
            for target in panel.get("targets", []):
                yield name, panel["title"], target


def selectors(expr):
    """The label-matcher blocks of an expression, with the metric name before each."""
    return re.findall(r"([A-Za-z_:][A-Za-z0-9_:]*)?\{([^}]*)\}", expr)


class DashboardConventionsTest(unittest.TestCase):
    def test_the_five_dashboards_exist(self):
        titles = {dashboard["title"] for _, dashboard in monitoring.dashboards()}
        self.assertEqual(titles, {"MTA / Overview", "MTA / Outbound deliverability", "MTA / Inbound protection",
                                  "MTA / Agent health", "MTA / Fleet"})

    def test_dashboard_model(self):
        uids = set()
        for name, dashboard in monitoring.dashboards():
            with self.subTest(dashboard=name):
                self.assertRegex(dashboard["uid"], r"^[a-z0-9-]{1,40}$")
                self.assertNotIn(dashboard["uid"], uids)
                uids.add(dashboard["uid"])
                self.assertIsNone(dashboard.get("id"))
                self.assertNotIn("__inputs", dashboard, "no hard-wired datasource: the variable picks it")
                self.assertIn("mta_exporter", dashboard["tags"])
                self.assertGreaterEqual(dashboard["schemaVersion"], 36)
                self.assertTrue(dashboard.get("description"))
                ids = [panel["id"] for panel in monitoring.panels(dashboard)]
                self.assertEqual(len(ids), len(set(ids)), "panel ids are unique")
                self.assertNoOverlap(dashboard)

    def assertNoOverlap(self, dashboard):
        cells = {}
        for panel in monitoring.panels(dashboard):
            pos = panel["gridPos"]
            self.assertLessEqual(pos["x"] + pos["w"], 24, panel["title"])
            for x in range(pos["x"], pos["x"] + pos["w"]):
                for y in range(pos["y"], pos["y"] + pos["h"]):
                    self.assertNotIn((x, y), cells, f"{panel['title']} overlaps {cells.get((x, y))}")
                    cells[(x, y)] = panel["title"]

    def test_variables(self):
        for name, dashboard in monitoring.dashboards():
            with self.subTest(dashboard=name):
                variables = {variable["name"]: variable for variable in dashboard["templating"]["list"]}
                self.assertEqual(list(variables), ["datasource", "job", "instance"])
                self.assertEqual(variables["datasource"]["type"], "datasource")
                self.assertEqual(variables["datasource"]["query"], "prometheus")
                for label in ("job", "instance"):
                    variable = variables[label]
                    self.assertEqual(variable["type"], "query")
                    self.assertEqual(variable["datasource"], DATASOURCE)
                    self.assertTrue(variable["multi"] and variable["includeAll"])
                    query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
                    self.assertRegex(query, r"^label_values\(mta_exporter_build_info.*, " + label + r"\)$")
                    self.assertEqual(variable["definition"], query)
                self.assertIn('job=~"$job"', variables["instance"]["definition"])

    def test_panels(self):
        for name, dashboard in monitoring.dashboards():
            for panel in data_panels(dashboard):
                with self.subTest(dashboard=name, panel=panel["title"]):
                    self.assertEqual(panel.get("datasource"), DATASOURCE)
                    self.assertTrue(panel.get("description"), "every panel says what it shows")
                    unit = panel["fieldConfig"]["defaults"].get("unit")
                    self.assertTrue(unit, "every panel has a unit")
                    self.assertTrue(unit in UNITS or re.match(r"^(suffix|prefix):\S", unit), unit)
                    self.assertTrue(panel.get("targets"))
                    for target in panel["targets"]:
                        self.assertEqual(target.get("datasource"), DATASOURCE)
                        self.assertTrue(target.get("expr"))

    def test_query_conventions(self):
        for name, title, target in targets():
            expr = target["expr"]
            with self.subTest(dashboard=name, panel=title, expr=expr):
                # Rates use Grafana's $__rate_interval; totals over the dashboard's range use $__range.
                for window in re.findall(r"\[([^\]]*)\]", expr):
                    self.assertIn(window, ("$__rate_interval", "$__range"))
                for call in re.finditer(r"\b(rate|irate)\s*\(", expr):
                    self.assertIn("[$__rate_interval]", expr[call.end():])
                # Every selector is filtered by the job and instance variables.
                found = selectors(expr)
                self.assertTrue(found)
                for metric, matchers in found:
                    self.assertIn('job=~"$job"', matchers, metric)
                    self.assertIn('instance=~"$instance"', matchers, metric)


class DashboardQueriesTest(unittest.TestCase):
    def test_queries_parse_with_promtool(self):
        """Each query, variables substituted, as a recording rule: promtool check rules parses it."""
        rules = []
        for index, (name, title, target) in enumerate(targets()):
            expr = monitoring.grafana_substitute(target["expr"], VARIABLES)
            self.assertNotIn("$", expr, f"unsubstituted variable in {name} / {title}")
            rules.append({"record": f"dashboard_query:{re.sub(r'[^a-z0-9]', '_', name[:-5])}:q{index}", "expr": expr})
        for name, dashboard in monitoring.dashboards():
            for variable in dashboard["templating"]["list"]:
                if variable["type"] == "query":
                    selector = re.match(r"^label_values\((.*), \w+\)$", variable["definition"]).group(1)
                    rules.append({"record": f"dashboard_variable:{variable['name']}:q{len(rules)}",
                                  "expr": monitoring.grafana_substitute(selector, VARIABLES)})
        self.assertGreater(len(rules), 40)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "dashboard_queries.yml")
            with open(path, "w") as out:
                yaml.safe_dump({"groups": [{"name": "dashboard_queries", "rules": rules}]}, out)
            promtool = harness.require_program("promtool", "prometheus")
            result = subprocess.run([promtool, "check", "rules", path], capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            self.assertIn(f"SUCCESS: {len(rules)} rules found", result.stdout)

    def test_metric_names_are_exported_by_the_agent(self):
        """Every metric name of every query is on the /metrics page of the real agent after it read
        config/sample/mail.log, or recorded by alerts/mta_exporter.rules.yml or mta_exporter.fleet.rules.yml
        (whose own expressions use the agent's metrics), or one of the series Prometheus writes for each scraped target."""
        exported = monitoring.exported_metric_names()
        recorded = monitoring.recorded_names([monitoring.RULES_FILE, monitoring.FLEET_RULES_FILE])
        self.assertIn("mta_smtp_replies_total", exported)
        self.assertIn("mta_delivery_delay_seconds_bucket", exported)
        used = set()
        for name, title, target in targets():
            for metric in monitoring.metric_names(target["expr"]):
                used.add(metric)
                with self.subTest(dashboard=name, panel=title):
                    self.assertIn(metric, exported | recorded | monitoring.SCRAPE_SERIES,
                                  f"{metric} is neither exported by the agent nor recorded by the rules")
        for rule in monitoring.rules([monitoring.RULES_FILE]):
            if rule["record"] in used:
                for metric in monitoring.metric_names(rule["expr"]):
                    self.assertIn(metric, exported | recorded, rule["record"])
        # The dashboards together show every family of the agent (directly or through a recording rule).
        for family in ("mta_smtp_replies_total", "mta_deliveries_total", "mta_delivery_delay_seconds_bucket",
                       "mta_rejects_total", "mta_auth_failures_total", "mta_exporter_lines_total",
                       "mta_exporter_build_info"):
            self.assertIn(family, used | {m for r in monitoring.rules([monitoring.RULES_FILE])
                                          if r["record"] in used for m in monitoring.metric_names(r["expr"])})


if __name__ == "__main__":
    harness.main()
