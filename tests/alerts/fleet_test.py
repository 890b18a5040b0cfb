"""The fleet setup end to end: two real agents, each on its own log of Postfix and Exim replies, and one real
Prometheus (Debian package prometheus) that finds both through a file_sd targets file, with the configuration of
deploy/monitoring/prometheus-fleet.yml and the shipped rules (alerts/mta_exporter.rules.yml and
alerts/mta_exporter.fleet.rules.yml). Every fleet recording rule, and every query of dashboards/mta-fleet.json,
must equal the sums the test computes itself from the two agents' own /metrics pages.

Why the numbers can be exact. A rate over [5m] depends on when Prometheus scraped. The test makes that
dependence one number per agent, and reads it from a series the rules do not use:
- every series exists before Prometheus starts (the agents have read the first half of their logs by then),
  so all series of one agent have the same scrape timestamps;
- the second half of each log repeats the first, so every counter doubles (checked on /metrics), and rate()
  extrapolates every series of an agent in the same way;
- then the agents stop. Prometheus gets no more samples, and every rate stays constant: the extrapolation
  to the window's end is capped once the last sample is older than 1.1 scrape intervals, and the window's
  start stays before the first sample for five minutes.
So rate(series) = its increase on /metrics * scale(agent), where scale(agent) = rate(matched log lines) /
their increase on /metrics. The expected value of each rule follows from the increases on /metrics and
the two scales. The checks poll (at most TIME_LIMIT seconds) until the rates have settled; no check
depends on how fast anything happens.

Scrapes and rule evaluations run every second. Processes are children of the test with their own temporary
folders, and are stopped at the end."""

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import collections
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import yaml

import monitoring
from monitoring import harness

FLEET_RULES_FILE = monitoring.FLEET_RULES_FILE
FLEET_CONFIG = os.path.join(monitoring.DEPLOY_DIR, "prometheus-fleet.yml")
EXAMPLE_TARGETS = os.path.join(monitoring.DEPLOY_DIR, "targets", "mta_exporter.yml")
FLEET_DASHBOARD = os.path.join(monitoring.DASHBOARDS_DIR, "mta-fleet.json")
JOB = "mta_exporter"
INTERVAL = "1s"  # scrapes and rule evaluations
TIME_LIMIT = 60  # seconds, for each wait of the test
SCRAPES_BEFORE_GROWTH = 3  # rate() extrapolates every series alike from three samples on (see the docstring)

# One line per kind of reply; classify --json gives the labels in the comments.
LINES = {
    # postfix, outbound, 2xx, none, google
    "postfix_sent_google": "2026-03-04T10:00:01.000000+00:00 mx postfix/smtp[1001]: 1A2B3C4D5E: to=<ann@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.153.26]:25, delay=0.5, delays=0.1/0.01/0.2/0.19, dsn=2.0.0, status=sent (250 2.0.0 OK  1709510401 a1si123 - gsmtp)",
    # postfix, outbound, 5xx, sender_auth, google
    "postfix_unauthenticated_google": "2026-03-04T10:00:02.000000+00:00 mx postfix/smtp[1001]: 1A2B3C4D5F: to=<bob@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.153.26]:25, delay=0.5, delays=0.1/0.01/0.2/0.19, dsn=5.7.26, status=bounced (host gmail-smtp-in.l.google.com[142.250.153.26] said: 550-5.7.26 This mail has been blocked because the sender is unauthenticated. gsmtp (in reply to end of DATA command))",
    # postfix, outbound, 5xx, blocklist, microsoft
    "postfix_blocklist_microsoft": "2026-03-04T10:00:03.000000+00:00 mx postfix/smtp[1002]: 2A2B3C4D5E: to=<info.hr@hotmail.com>, relay=hotmail-com.olc.protection.outlook.com[52.101.42.10]:25, delay=0.69, delays=0.28/0.01/0.3/0.1, dsn=5.7.1, status=bounced (host hotmail-com.olc.protection.outlook.com[52.101.42.10] said: 550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). (in reply to MAIL FROM command))",
    # postfix, outbound, 4xx, dns, yahoo
    "postfix_deferred_yahoo": "2026-03-04T10:00:04.000000+00:00 mx postfix/smtp[1003]: 3A2B3C4D5E: to=<nina84@yahoo.com>, relay=none, delay=0.29, delays=0.26/0.01/0.02/0, dsn=4.4.1, status=deferred (connect to mta5.am0.yahoodns.net[98.136.96.75]:25: Connection timed out)",
    # postfix, inbound, 5xx, mailbox_unknown
    "postfix_reject_unknown_user": "2026-03-04T10:00:05.000000+00:00 mx postfix/smtpd[1004]: NOQUEUE: reject: RCPT from unknown[190.127.215.136]: 550 5.1.1 <info40@example.org>: Recipient address rejected: User unknown in virtual mailbox table; from=<peggy.alice@gmail.com> to=<info40@example.org> proto=ESMTP helo=<User>",
    # postfix, local, 2xx, none
    "postfix_local_sent": "2026-03-04T10:00:06.000000+00:00 mx postfix/local[1005]: 4A2B3C4D5E: to=<oscar268@mx.example.org>, orig_to=<oscar268>, relay=local, delay=1.3, delays=1.3/0.01/0/0.01, dsn=2.0.0, status=sent (delivered to mailbox)",
    # exim, outbound, 2xx, none, google
    "exim_sent_google": '2026-03-04 10:00:07 1jmH1s-000AVD-5t => dave@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [142.250.153.26] C="250 2.0.0 OK 1709510401 - gsmtp"',
    # exim, outbound, 5xx, mailbox_unknown, microsoft
    "exim_unknown_user_microsoft": "2026-03-04 10:00:08 1jmH1s-000AVE-5t ** carol@outlook.com R=dnslookup T=remote_smtp H=outlook-com.olc.protection.outlook.com [52.101.42.10]: SMTP error from remote mail server after RCPT TO:<carol@outlook.com>: 550 5.5.0 Requested action not taken: mailbox unavailable",
    # exim, outbound, 4xx, reputation, yahoo
    "exim_deferred_yahoo": "2026-03-04 10:00:09 1jmH1s-000AVF-5t == erin@yahoo.com R=dnslookup T=remote_smtp defer (-44) H=mta5.am0.yahoodns.net [98.136.96.75]: SMTP error from remote mail server after RCPT TO:<erin@yahoo.com>: 421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user complaints",
    # exim, inbound, 5xx, blocklist
    "exim_reject_blocklist": "2026-03-04 10:00:10 1jmH1s-000AVG-5t H=(spammer) [203.0.113.9] F=<x@spam.example> rejected RCPT <bob@example.org>: blocked using zen.spamhaus.org",
}

# How often each line is in each agent's log (first half; the second half repeats it). The two servers differ
# in volume and mix, so that a share averaged over the servers differs from the fleet's share.
LOGS = {
    "mx-a": {"postfix_sent_google": 6, "postfix_unauthenticated_google": 2, "postfix_blocklist_microsoft": 3,
             "postfix_deferred_yahoo": 2, "postfix_reject_unknown_user": 4, "postfix_local_sent": 5,
             "exim_sent_google": 3, "exim_unknown_user_microsoft": 1, "exim_deferred_yahoo": 2},
    "mx-b": {"postfix_sent_google": 2, "postfix_blocklist_microsoft": 1, "postfix_deferred_yahoo": 4,
             "postfix_reject_unknown_user": 1, "postfix_local_sent": 8, "exim_sent_google": 7,
             "exim_unknown_user_microsoft": 3, "exim_deferred_yahoo": 1, "exim_reject_blocklist": 5},
}


def log_text(counts):
    return "".join((LINES[name] + "\n") * count for name, count in counts.items())


def key(**labels):
    return frozenset(labels.items())


def without_name(labels):
    return frozenset((name, value) for name, value in labels.items() if name != "__name__")


class FleetModel:
    """The expected value of every fleet rule and dashboard query, from the increases of
    mta_smtp_replies_total on the agents' /metrics pages and each agent's rate scale."""

    def __init__(self, increases, scales):
        # {instance: [(labels dict, replies per second as Prometheus computes them)]}
        self.rates = {instance: [(dict(labels), increase * scales[instance]) for labels, increase in series.items()]
                      for instance, series in increases.items()}

    @staticmethod
    def total(pairs, by):
        """sum by (by) over [(labels, value)]: {frozenset(labels): value}."""
        sums = collections.defaultdict(float)
        for labels, value in pairs:
            sums[frozenset((name, labels[name]) for name in by)] += value
        return dict(sums)

    def replies(self, instances, where=lambda labels: True):
        return [(dict(labels, job=JOB, instance=instance), rate) for instance in instances
                for labels, rate in self.rates[instance] if where(labels)]

    # ---- mta_exporter.rules.yml, per instance -------------------------------------------------------------
    def instance_direction_class(self, instances):
        return self.total(self.replies(instances), ("job", "instance", "direction", "class"))

    def instance_direction(self, instances):
        """The share denominator: inbound = inbound refusals + local deliveries."""
        result = self.total(self.replies(instances, lambda labels: labels["direction"] != "inbound"),
                            ("job", "instance", "direction"))
        inbound = self.total(self.replies(instances, lambda labels: labels["direction"] in ("inbound", "local")),
                             ("job", "instance"))
        for labels, value in inbound.items():
            result[labels | {("direction", "inbound")}] = value
        return result

    def instance_direction_class_ratio(self, instances):
        denominators = self.instance_direction(instances)
        return {labels: value / denominators[self.only(labels, "job", "instance", "direction")]
                for labels, value in self.instance_direction_class(instances).items()}

    def instance_provider_class(self, instances):
        return self.total(self.replies(instances, lambda labels: labels["direction"] == "outbound"),
                          ("job", "instance", "provider", "class"))

    def instance_provider_class_ratio(self, instances):
        rates = self.instance_provider_class(instances)
        per_provider = self.total([(dict(labels), value) for labels, value in rates.items()], ("job", "instance", "provider"))
        return {labels: value / per_provider[self.only(labels, "job", "instance", "provider")]
                for labels, value in rates.items()}

    # ---- mta_exporter.fleet.rules.yml ---------------------------------------------------------------------
    def instance_direction_class_cause(self, instances):
        return self.total(self.replies(instances), ("job", "instance", "direction", "class", "cause"))

    def instance_direction_class_cause_ratio(self, instances):
        denominators = self.instance_direction(instances)
        return {labels: value / denominators[self.only(labels, "job", "instance", "direction")]
                for labels, value in self.instance_direction_class_cause(instances).items()}

    def fleet(self, per_instance, instances):
        """Summed over the instances: the labels without "instance"."""
        pairs = [(dict(labels), value) for labels, value in per_instance(instances).items()]
        return self.total(pairs, sorted({name for labels, _ in pairs for name in labels} - {"instance"}))

    def job_direction_class(self, instances):
        return self.fleet(self.instance_direction_class, instances)

    def job_direction(self, instances):
        return self.fleet(self.instance_direction, instances)

    def job_direction_class_ratio(self, instances):
        denominators = self.job_direction(instances)
        return {labels: value / denominators[self.only(labels, "job", "direction")]
                for labels, value in self.job_direction_class(instances).items()}

    def job_provider_class(self, instances):
        return self.fleet(self.instance_provider_class, instances)

    def job_provider_class_ratio(self, instances):
        rates = self.job_provider_class(instances)
        per_provider = self.total([(dict(labels), value) for labels, value in rates.items()], ("job", "provider"))
        return {labels: value / per_provider[self.only(labels, "job", "provider")] for labels, value in rates.items()}

    def job_direction_class_cause(self, instances):
        return self.fleet(self.instance_direction_class_cause, instances)

    def job_direction_class_cause_ratio(self, instances):
        denominators = self.job_direction(instances)
        return {labels: value / denominators[self.only(labels, "job", "direction")]
                for labels, value in self.job_direction_class_cause(instances).items()}

    @staticmethod
    def only(labels, *names):
        return frozenset((name, value) for name, value in labels if name in names)

    @staticmethod
    def where(result, **wanted):
        """The series of a result whose labels match: a value, or "!value" for "not this value"."""
        def matches(labels):
            labels = dict(labels)
            return all(labels.get(name) != value[1:] if value.startswith("!") else labels.get(name) == value
                       for name, value in wanted.items())
        return {labels: value for labels, value in result.items() if matches(labels)}

    def per_instance_column(self, result, instances):
        """sum by (job, instance) of a per-instance result (one series per instance in the table)."""
        return self.total([(dict(labels), value) for labels, value in result.items()], ("job", "instance"))


# The recording rules of mta_exporter.fleet.rules.yml and how to compute each (a rule without an entry fails).
FLEET_RULES = {
    "instance_direction_class_cause:mta_smtp_replies:rate5m": FleetModel.instance_direction_class_cause,
    "instance_direction_class_cause:mta_smtp_replies:ratio_rate5m": FleetModel.instance_direction_class_cause_ratio,
    "job_direction_class:mta_smtp_replies:rate5m": FleetModel.job_direction_class,
    "job_direction:mta_smtp_replies:rate5m": FleetModel.job_direction,
    "job_direction_class:mta_smtp_replies:ratio_rate5m": FleetModel.job_direction_class_ratio,
    "job_provider_class:mta_smtp_replies:rate5m": FleetModel.job_provider_class,
    "job_provider_class:mta_smtp_replies:ratio_rate5m": FleetModel.job_provider_class_ratio,
    "job_direction_class_cause:mta_smtp_replies:rate5m": FleetModel.job_direction_class_cause,
    "job_direction_class_cause:mta_smtp_replies:ratio_rate5m": FleetModel.job_direction_class_cause_ratio,
}


def dashboard_expectations(model, instances, up):
    """{(panel title, refId): expected result} of every query of the fleet dashboard, for the selected
    instances (`up`: {instance: value of up})."""
    m = model
    table_up = {key(job=JOB, instance=instance): up[instance] for instance in instances}
    return {
        ("Agents up", "A"): {key(): float(sum(up[instance] for instance in instances))},
        ("Agents down", "A"): {key(): float(sum(up[instance] == 0 for instance in instances))},
        ("Replies", "A"): {key(): sum(m.job_direction_class(instances).values())},
        ("Outbound 5xx share", "A"): m.where(m.job_direction_class_ratio(instances), direction="outbound", **{"class": "5xx"}),
        ("Outbound 4xx share", "A"): m.where(m.job_direction_class_ratio(instances), direction="outbound", **{"class": "4xx"}),
        ("Inbound 5xx share", "A"): m.where(m.job_direction_class_ratio(instances), direction="inbound", **{"class": "5xx"}),
        ("Replies by direction and class", "A"): m.job_direction_class(instances),
        ("4xx and 5xx shares by direction", "A"): m.where(m.job_direction_class_ratio(instances), **{"class": "!2xx"}),
        ("Outbound 5xx share by provider", "A"): m.where(m.job_provider_class_ratio(instances), **{"class": "5xx"}),
        ("5xx share by cause", "A"): m.where(m.job_direction_class_cause_ratio(instances), **{"class": "5xx"}),
        ("Outbound 4xx share by provider", "A"): m.where(m.job_provider_class_ratio(instances), **{"class": "4xx"}),
        ("4xx share by cause", "A"): m.where(m.job_direction_class_cause_ratio(instances), **{"class": "4xx"}),
        ("Instances", "A"): table_up,
        ("Instances", "B"): m.per_instance_column(m.where(m.instance_direction(instances), direction="outbound"), instances),
        ("Instances", "C"): m.per_instance_column(m.where(m.instance_direction_class_ratio(instances),
                                                          direction="outbound", **{"class": "5xx"}), instances),
        ("Instances", "D"): m.per_instance_column(m.where(m.instance_direction_class_ratio(instances),
                                                          direction="outbound", **{"class": "4xx"}), instances),
        ("Instances", "E"): m.per_instance_column(m.where(m.instance_direction_class_ratio(instances),
                                                          direction="inbound", **{"class": "5xx"}), instances),
        ("Outbound 5xx share by instance", "A"): m.where(m.instance_direction_class_ratio(instances),
                                                         direction="outbound", **{"class": "5xx"}),
        ("Inbound 5xx share by instance", "A"): m.where(m.instance_direction_class_ratio(instances),
                                                        direction="inbound", **{"class": "5xx"}),
        ("5xx share by cause and instance", "A"): m.where(m.instance_direction_class_cause_ratio(instances), **{"class": "5xx"}),
        ("Outbound 5xx share by provider and instance", "A"): m.where(m.instance_provider_class_ratio(instances),
                                                                      **{"class": "5xx"}),
    }


def differences(expected, actual):
    """What differs between two results ({labels: value}); empty when they are equal (floating-point sums in
    another order differ in the last bits only)."""
    problems = []
    for labels in sorted(set(expected) | set(actual), key=sorted):
        want, got = expected.get(labels), actual.get(labels)
        if want is None or got is None or not math.isclose(want, got, rel_tol=1e-9, abs_tol=1e-12):
            problems.append(f"{dict(sorted(labels))}: expected {want}, Prometheus has {got}")
    return problems


class FleetTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="mta_exporter_fleet_")
        cls.addClassCleanup(shutil.rmtree, cls.folder, ignore_errors=True)
        prometheus = harness.require_program("prometheus", "prometheus")
        cls.promtool = harness.require_program("promtool", "prometheus")

        # The agents, each on the first half of its log, read to the end before Prometheus starts.
        cls.agents, cls.logs, cls.instances = {}, {}, {}
        for name, counts in LOGS.items():
            log = os.path.join(cls.folder, name, "mail.log")
            os.makedirs(os.path.dirname(log))
            with open(log, "w") as out:
                out.write(log_text(counts))
            agent = harness.Agent(os.path.dirname(log), f'[[source]]\ntype = "file"\nname = "mail"\n'
                                                        f'path = "{log}"\nstart_at = "beginning"\n')
            cls.addClassCleanup(agent.stop)
            cls.agents[name], cls.logs[name] = agent, log
            cls.instances[name] = f"127.0.0.1:{agent.port}"
        cls.first_half = {name: cls.wait_for_lines(name, sum(LOGS[name].values())) for name in LOGS}

        # The targets file, as deploy/monitoring/targets/mta_exporter.yml has it, with a site label per agent.
        targets_folder = os.path.join(cls.folder, "targets")
        os.makedirs(targets_folder)
        with open(os.path.join(targets_folder, "mta_exporter.yml"), "w") as out:
            yaml.safe_dump([{"targets": [cls.instances[name]], "labels": {"site": f"site-{name}", "role": "mx"}}
                            for name in LOGS], out)

        # Prometheus: the shipped fleet configuration with the targets file of this test, the shipped rules,
        # no Alertmanager, scrapes and evaluations every second.
        with open(FLEET_CONFIG) as config_file:
            config = yaml.safe_load(config_file)
        config["global"].update(scrape_interval=INTERVAL, evaluation_interval=INTERVAL)
        config["rule_files"] = [monitoring.RULES_FILE, FLEET_RULES_FILE]
        del config["alerting"]
        job = next(job for job in config["scrape_configs"] if job["job_name"] == JOB)
        job["file_sd_configs"][0]["files"] = [os.path.join(targets_folder, "mta_exporter*.yml")]
        config["scrape_configs"] = [job]
        prom_config = os.path.join(cls.folder, "prometheus.yml")
        with open(prom_config, "w") as out:
            yaml.safe_dump(config, out)
        check = subprocess.run([cls.promtool, "check", "config", prom_config], capture_output=True, text=True,
                               timeout=120)
        if check.returncode != 0:
            raise AssertionError(check.stdout + check.stderr)
        cls.prom_port = harness.free_port()
        cls.prometheus = harness.Process("prometheus", [
            prometheus, f"--config.file={prom_config}", f"--storage.tsdb.path={cls.folder}/prometheus-data",
            f"--web.listen-address=127.0.0.1:{cls.prom_port}", "--log.level=info"], cls.folder)
        cls.addClassCleanup(cls.prometheus.stop)
        harness.wait_for(cls.prometheus_ready, timeout=TIME_LIMIT, interval=0.2, what="Prometheus to be ready")
        harness.wait_for(cls.targets_up, timeout=TIME_LIMIT, interval=0.2, what="both agents to be scraped")
        cls.discovered = cls.prom("/api/v1/targets")["data"]["activeTargets"]

        # A few scrapes of the first half, then the second half.
        samples = f'count_over_time(mta_exporter_build_info{{job="{JOB}"}}[5m])'
        harness.wait_for(lambda: len([result for result in cls.query(samples)
                                      if float(result["value"][1]) >= SCRAPES_BEFORE_GROWTH]) == len(LOGS),
                         timeout=TIME_LIMIT, interval=0.2, what=f"{SCRAPES_BEFORE_GROWTH} scrapes of each agent")
        for name, counts in LOGS.items():
            with open(cls.logs[name], "a") as out:
                out.write(log_text(counts))
        cls.final = {name: cls.wait_for_lines(name, 2 * sum(LOGS[name].values())) for name in LOGS}
        # A scrape begun after every line was counted: one that saw the last line's count may hold the reply
        # counters from before it (wait_for_lines).
        counted = time.time()
        for name in LOGS:
            harness.wait_for(lambda: [result for result in cls.query(f'timestamp(up{{instance="{cls.instances[name]}"}})')
                                      if float(result["value"][1]) > counted], timeout=TIME_LIMIT, interval=0.2,
                             what=f"a scrape of {name} after its last line")
        for name, agent_metrics in cls.final.items():
            matched = harness.metric_sum(agent_metrics, "mta_exporter_lines_total", result="matched")
            harness.wait_for(lambda: [result for result in cls.query(
                f'mta_exporter_lines_total{{instance="{cls.instances[name]}", result="matched"}}')
                if float(result["value"][1]) == matched], timeout=TIME_LIMIT, interval=0.2,
                what=f"Prometheus to scrape the final counts of {name}")

        # No more samples from here on: the rates settle and stay constant (see the docstring).
        for agent in cls.agents.values():
            agent.stop()

    @classmethod
    def wait_for_lines(cls, name, count):
        """The agent's /metrics once it has read `count` lines, all of them replies."""
        agent = cls.agents[name]

        def read():
            agent_metrics = agent.metrics()
            return agent_metrics if harness.metric_sum(agent_metrics, "mta_exporter_lines_total") == count else None
        harness.wait_for(read, timeout=TIME_LIMIT, what=f"{name} to read {count} lines")
        # The page is collected family by family while the agent counts: the read that saw the last line may hold
        # the reply counters from before its reply (counted first, then the line). A read begun after it is whole.
        agent_metrics = agent.metrics()
        assert harness.metric_sum(agent_metrics, "mta_exporter_lines_total", result="matched") == count
        return agent_metrics

    @classmethod
    def prom(cls, path, **params):
        return monitoring.prometheus_api(cls.prom_port, path, **params)

    @classmethod
    def query(cls, expr, **params):
        answer = cls.prom("/api/v1/query", query=expr, **params)
        if answer["status"] != "success":
            raise AssertionError(f"{expr}: {answer}")
        return answer["data"]["result"]

    @classmethod
    def result(cls, expr, **params):
        """{labels without __name__: value} of an instant query."""
        values = {}
        for series in cls.query(expr, **params):
            labels = without_name(series["metric"])
            assert labels not in values, f"{expr}: two series with the labels {dict(labels)}"
            values[labels] = float(series["value"][1])
        return values

    @classmethod
    def prometheus_ready(cls):
        cls.prometheus.check()
        try:
            return harness.http_get(f"http://127.0.0.1:{cls.prom_port}/-/ready")[0] == 200
        except OSError:
            return False

    @classmethod
    def targets_up(cls):
        cls.prometheus.check()
        targets = cls.prom("/api/v1/targets")["data"]["activeTargets"]
        return len(targets) == len(LOGS) and all(target["health"] == "up" for target in targets)

    def increases(self):
        """{instance: {labels: increase of mta_smtp_replies_total}} between the two halves, on /metrics."""
        increases = {}
        for name in LOGS:
            before = {labels: value for (metric, labels), value in self.first_half[name].items()
                      if metric == "mta_smtp_replies_total"}
            after = {labels: value for (metric, labels), value in self.final[name].items()
                     if metric == "mta_smtp_replies_total"}
            self.assertEqual(set(before), set(after), f"{name}: a series appeared in the second half")
            for labels, value in before.items():
                self.assertEqual(after[labels], 2 * value, f"{name}: the second half counted differently")
            increases[self.instances[name]] = before  # the second half repeats the first
        return increases

    def scales(self):
        """{instance: rate() / increase} of the matched log lines: the same for every series of an agent."""
        rates = self.result(f'rate(mta_exporter_lines_total{{job="{JOB}", result="matched"}}[5m])')
        scales = {}
        for name in LOGS:
            instance = self.instances[name]
            increase = sum(LOGS[name].values())
            scales[instance] = rates[key(job=JOB, instance=instance, source="mail", result="matched",
                                         site=f"site-{name}", role="mx")] / increase
        return scales

    def wait_until_equal(self, compare, what):
        """Polls compare() (a list of differences) until it is empty; fails with the last differences."""
        last = []

        def equal():
            self.prometheus.check()
            last[:] = compare()
            return not last
        try:
            harness.wait_for(equal, timeout=TIME_LIMIT, interval=0.5, what=what)
            return
        except AssertionError:
            pass
        self.fail(f"{what}: still different after {TIME_LIMIT}s:\n" + "\n".join(last[:40]))

    # ----------------------------------------------------------------------------------------------
    def test_file_sd_finds_both_agents_with_their_labels(self):
        found = {target["labels"]["instance"]: target["labels"] for target in self.discovered}
        self.assertEqual(set(found), set(self.instances.values()))
        for name, instance in self.instances.items():
            self.assertEqual(found[instance]["job"], JOB, "MtaExporterDown watches this job name")
            self.assertEqual(found[instance]["site"], f"site-{name}")
            self.assertEqual(found[instance]["role"], "mx")
        for target in self.discovered:
            self.assertTrue(target["discoveredLabels"]["__meta_filepath"].endswith("mta_exporter.yml"))

    def test_shipped_fleet_config_and_targets_pass_promtool(self):
        """deploy/monitoring/prometheus-fleet.yml with its paths pointed at this repository: the rules of
        alerts/ and the example targets file (promtool checks the targets file's content too)."""
        with open(FLEET_CONFIG) as config_file:
            config = yaml.safe_load(config_file)
        self.assertEqual(config["rule_files"], ["/etc/prometheus/mta_exporter/*.yml"])
        job = next(job for job in config["scrape_configs"] if job["job_name"] == JOB)
        self.assertEqual(len(job["file_sd_configs"]), 1)
        config["rule_files"] = [os.path.join(monitoring.ALERTS_DIR, "*.yml")]
        job["file_sd_configs"][0]["files"] = [EXAMPLE_TARGETS]
        path = os.path.join(self.folder, "prometheus-fleet-check.yml")
        with open(path, "w") as out:
            yaml.safe_dump(config, out)
        check = subprocess.run([self.promtool, "check", "config", path], capture_output=True, text=True, timeout=120)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertNotIn("WARNING", check.stdout + check.stderr)
        self.assertIn("mta_exporter.fleet.rules.yml", check.stdout)

    def test_every_fleet_rule_equals_the_sum_over_the_agents(self):
        with open(FLEET_RULES_FILE) as rules_file:
            recorded = [rule["record"] for group in yaml.safe_load(rules_file)["groups"] for rule in group["rules"]]
        self.assertEqual(sorted(recorded), sorted(FLEET_RULES), "every fleet rule has an expected value here")
        increases = self.increases()
        instances = sorted(self.instances.values())

        def compare():
            model = FleetModel(increases, self.scales())
            problems = []
            for name, expected in FLEET_RULES.items():
                problems += [f"{name} {problem}" for problem in differences(expected(model, instances),
                                                                              self.result(name))]
            return problems
        self.wait_until_equal(compare, "the fleet recording rules against the agents' /metrics")

        # What the sums are about: both agents count, and the fleet share is not the mean of the servers' shares.
        model = FleetModel(increases, self.scales())
        outbound_5xx = key(job=JOB, direction="outbound", **{"class": "5xx"})
        fleet_share = model.job_direction_class_ratio(instances)[outbound_5xx]
        server_shares = [model.job_direction_class_ratio([instance])[outbound_5xx] for instance in instances]
        self.assertNotAlmostEqual(fleet_share, sum(server_shares) / len(server_shares))
        self.assertEqual({dict(labels)["provider"] for labels in model.job_provider_class(instances)},
                         {"google", "microsoft", "yahoo"})
        self.assertEqual({dict(labels)["cause"] for labels in
                          model.where(model.job_direction_class_cause(instances), **{"class": "5xx"})},
                         {"sender_auth", "blocklist", "mailbox_unknown"})

    def test_every_dashboard_query_returns_the_sum(self):
        with open(FLEET_DASHBOARD) as dashboard_file:
            dashboard = json.load(dashboard_file)
        queries = [(panel["title"], target) for panel in monitoring.panels(dashboard)
                   for target in panel.get("targets", [])]
        increases = self.increases()
        # All instances as Grafana sends "All" (the variable's allValue), and each instance alone (drill-down),
        # its value regex-escaped as Grafana formats a regex variable.
        selections = [(".*", sorted(self.instances.values()))]
        selections += [(re.escape(instance).replace("\\", "\\\\"), [instance]) for instance in sorted(self.instances.values())]
        up = {instance: 0.0 for instance in self.instances.values()}  # the agents are stopped

        def compare():
            model = FleetModel(increases, self.scales())
            problems = []
            for instance_value, instances in selections:
                expected = dashboard_expectations(model, instances, up)
                self.assertEqual(sorted(expected), sorted((title, target["refId"]) for title, target in queries),
                                 "every dashboard query has an expected value here")
                variables = {"job": JOB, "instance": instance_value, "datasource": "prometheus",
                             "__rate_interval": "5m", "__interval": INTERVAL, "__range": "5m", "__range_s": "300",
                             "__interval_ms": "1000"}
                for title, target in queries:
                    expr = monitoring.grafana_substitute(target["expr"], variables)
                    problems += [f"{title} {target['refId']} (instance=~{instance_value}) {problem}" for problem in
                                 differences(expected[(title, target["refId"])], self.result(expr))]
            return problems
        self.wait_until_equal(compare, "the fleet dashboard's queries against the agents' /metrics")

        # Range queries, as the time series panels run them, are accepted too.
        now = time.time()
        for title, target in queries:
            expr = monitoring.grafana_substitute(target["expr"], {
                "job": JOB, "instance": ".*", "datasource": "prometheus", "__rate_interval": "5m"})
            answer = self.prom("/api/v1/query_range", query=expr, start=f"{now - 10:.3f}", end=f"{now:.3f}", step="1")
            self.assertEqual(answer["status"], "success", f"{title}: {answer}")
            self.assertTrue(answer["data"]["result"], f"{title}: no data over the last 10 s: {expr}")


if __name__ == "__main__":
    harness.main()
