"""Helpers shared by the alert, dashboard and end-to-end tests: where the rule files and dashboards are,
the metric names a PromQL expression uses, Grafana variable substitution, and the metric names the real
agent exports after reading the bundled sample log."""

import glob
import json
import os
import re
import sys
import urllib.parse

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
ALERTS_DIR = os.path.join(REPO, "alerts")
DASHBOARDS_DIR = os.path.join(REPO, "dashboards")
DEPLOY_DIR = os.path.join(REPO, "deploy", "monitoring")
SAMPLE_LOG = os.path.join(REPO, "config", "sample", "mail.log")
RULES_FILE = os.path.join(ALERTS_DIR, "mta_exporter.rules.yml")
THRESHOLDS_FILE = os.path.join(ALERTS_DIR, "mta_exporter.thresholds.yml")
ALERTS_FILE = os.path.join(ALERTS_DIR, "mta_exporter.alerts.yml")
FLEET_RULES_FILE = os.path.join(ALERTS_DIR, "mta_exporter.fleet.rules.yml")
RULE_FILES = [RULES_FILE, THRESHOLDS_FILE, ALERTS_FILE, FLEET_RULES_FILE]

# The binary under test: ctest sets MTA_EXPORTER; by hand, the default build folder.
os.environ.setdefault("MTA_EXPORTER", os.path.join(REPO, "build", "src", "mta_exporter"))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

import harness  # noqa: E402  (tests/integration/harness.py: Agent, free_port, wait_for, http_get)

# Series that Prometheus itself writes for every scraped target: a dashboard may use them for the agent.
SCRAPE_SERIES = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}

PROMQL_KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
                   "offset", "bool", "inf", "nan", "atan2", "start", "end"}


def load_rule_groups(paths=RULE_FILES):
    groups = []
    for path in paths:
        with open(path) as rule_file:
            groups.extend(yaml.safe_load(rule_file)["groups"])
    return groups


def rules(paths=RULE_FILES):
    return [rule for group in load_rule_groups(paths) for rule in group["rules"]]


def alert_rules():
    return [rule for rule in rules([ALERTS_FILE])]


def recorded_names(paths=RULE_FILES):
    return {rule["record"] for rule in rules(paths) if "record" in rule}


def dashboards():
    """[(file name, dashboard JSON)] of every dashboard."""
    result = []
    for path in sorted(glob.glob(os.path.join(DASHBOARDS_DIR, "*.json"))):
        with open(path) as dashboard:
            result.append((os.path.basename(path), json.load(dashboard)))
    return result


def panels(dashboard):
    """Every panel, rows' nested panels included."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def grafana_substitute(expr, values):
    """Replaces Grafana variables ($name, ${name}, ${name:format}, [[name]]) with values[name]."""
    def replace(match):
        name = match.group(1) or match.group(2) or match.group(3)
        if name not in values:
            raise KeyError(f"unknown Grafana variable {name!r} in {expr!r}")
        return values[name]
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)", replace, expr)


def metric_names(expr):
    """The metric names an expression selects (not functions, keywords, label names or strings)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)                   # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)                  # ranges and subqueries
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\boffset\s+-?[0-9a-z]+", " ", text)
    names = set()
    for match in re.finditer(r"(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*", text):
        token = match.group(0)
        if token.lower() in PROMQL_KEYWORDS or text[match.end():].lstrip().startswith("("):
            continue
        names.add(token)
    return names


def annotation_queries(rule):
    """The PromQL queries inside an alert's annotation templates (query "..." and printf `...`)."""
    queries = []
    for text in rule.get("annotations", {}).values():
        queries += re.findall(r'query "([^"]+)"', text)
        for template in re.findall(r"printf `([^`]+)`", text):
            queries.append(template.replace("%q", '"x"'))
    return queries


_exported = None


def exported_metric_names():
    """Metric names on the /metrics page of a real agent that read config/sample/mail.log, with the
    _bucket, _sum and _count series of its histograms and summaries."""
    global _exported
    if _exported is not None:
        return _exported
    with open(SAMPLE_LOG, "rb") as sample:
        expected = sum(1 for _ in sample)
    with harness.TempFolder() as folder:
        agent = harness.Agent(folder, f'[[source]]\ntype = "file"\nname = "sample"\npath = "{SAMPLE_LOG}"\n'
                                      f'start_at = "beginning"\n')
        try:
            harness.wait_for(lambda: harness.metric_sum(agent.metrics(), "mta_exporter_lines_total") == expected,
                             timeout=30, what="the sample log to be read")
            text = agent.metrics_text()
        finally:
            agent.stop()
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            names.add(name)
            if kind in ("histogram", "summary"):
                names.update({name + "_sum", name + "_count"})
                if kind == "histogram":
                    names.add(name + "_bucket")
        elif line and not line.startswith("#"):
            names.add(re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line).group(0))
    _exported = names
    return names


def go_duration_seconds(text):
    """Seconds of a Prometheus duration such as 10m, 1h30m, 15s."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
    total = 0.0
    for number, unit in re.findall(r"(\d+)(ms|s|m|h|d|w|y)", text):
        total += int(number) * units[unit]
    return total


def get_json(url):
    status, _, body = harness.http_get(url)
    if status != 200:
        raise AssertionError(f"{url}: HTTP {status}: {body[:500]!r}")
    return json.loads(body)


def prometheus_api(port, path, **params):
    """GET a Prometheus HTTP API path on a loopback port, with query parameters."""
    url = f"http://127.0.0.1:{port}{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    return get_json(url)
