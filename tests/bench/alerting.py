"""How fast the agent's own alerts reach Alertmanager with the default [alerting] settings (evaluation every 5 s,
resend every minute, the rules' own windows and `for`), and what happens while Alertmanager is down. A real
Alertmanager (Debian package prometheus-alertmanager) and the agent run on loopback ports; no Prometheus.

For each of several providers, one outbound bounce naming a blocklist is written to the agent's log, and the time
until MtaOutboundBlocklisted{provider=...} is in Alertmanager is printed (the writes fall at different points of
the evaluation cycle). Then Alertmanager is stopped, a bounce for one more provider is written, the agent's failed
sends and queue are read after 20 s, Alertmanager is started again and the times until it holds that alert, and the
alerts it lost in the restart, are printed.

    python3 tests/bench/alerting.py [--binary build/src/mta_exporter]
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request

sys.dont_write_bytecode = True
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../..")
sys.path.insert(0, os.path.join(ROOT, "tests/integration"))
import harness  # noqa: E402

HOSTS = {"google": "gmail-smtp-in.l.google.com", "microsoft": "example-com.mail.protection.outlook.com",
         "yahoo": "mta5.am0.yahoodns.net", "apple": "mx01.mail.icloud.com", "gmx": "mx.gmx.net",
         "comcast": "mxa-00.mail.comcast.net"}
WHILE_DOWN = "yandex", "mx.yandex.ru"


def bounce(number, host):
    return (f"Dec  6 17:50:01 mx1 postfix/smtp[123]: 4F8E2A1C{number:02X}: to=<u{number}@example.net>, "
            f"relay={host}[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host {host}[192.0.2.9] "
            f"said: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org "
            f"(in reply to RCPT TO command))\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, "build/src/mta_exporter"))
    args = parser.parse_args()
    harness.BINARY = os.path.abspath(args.binary)
    alertmanager = harness.require_program("prometheus-alertmanager", "prometheus-alertmanager")
    folder = tempfile.mkdtemp(prefix="mta_alerting_bench_")
    processes = []
    try:
        port = harness.free_port()
        with open(os.path.join(folder, "alertmanager.yml"), "w") as config:
            config.write("route:\n  receiver: none\nreceivers:\n  - name: none\n")
        os.makedirs(os.path.join(folder, "data"))

        def start_alertmanager():
            process = harness.Process("alertmanager", [
                alertmanager, f"--config.file={folder}/alertmanager.yml", f"--storage.path={folder}/data",
                f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="], folder)
            processes.append(process)
            harness.wait_for(lambda: ready(port), timeout=60, interval=0.1, what="Alertmanager")
            return process

        def holds(provider):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/alerts", timeout=10) as response:
                return any(alert["labels"].get("alertname") == "MtaOutboundBlocklisted"
                           and alert["labels"].get("provider") == provider for alert in json.load(response))

        am = start_alertmanager()
        log = os.path.join(folder, "mail.log")
        open(log, "w").close()
        agent = harness.Agent(folder, f'[[source]]\ntype = "file"\npath = "{log}"\nstart_at = "beginning"\n',
                              f'[alerting]\nalertmanager_urls = ["http://127.0.0.1:{port}"]\n')
        processes.append(agent)
        print("defaults: evaluation_interval 5s, resend_interval 1m; MtaOutboundBlocklisted: 15m window, no for")
        delays = []
        for number, (provider, host) in enumerate(HOSTS.items()):
            time.sleep(0.5 + 0.9 * number)  # a different point of the 5 s evaluation cycle each time
            written = time.monotonic()
            with open(log, "a") as out:
                out.write(bounce(number, host))
            harness.wait_for(lambda: holds(provider), timeout=60, interval=0.05, what=provider)
            delays.append(time.monotonic() - written)
            print(f"  {provider}: first bad line written -> alert in Alertmanager {delays[-1]:.2f} s")
        print(f"min {min(delays):.2f} s, median {statistics.median(delays):.2f} s, max {max(delays):.2f} s "
              f"over {len(delays)} alerts")

        am.stop()
        provider, host = WHILE_DOWN
        with open(log, "a") as out:
            out.write(bounce(len(HOSTS), host))
        time.sleep(20)
        samples = agent.metrics()
        failed = harness.metric_sum(samples, "mta_exporter_alert_notifications_total", result="failed")
        queued = harness.metric_sum(samples, "mta_exporter_alert_queue_length")
        firing = harness.metric_sum(samples, "mta_exporter_alerts", alertname="MtaOutboundBlocklisted",
                                    state="firing")
        print(f"Alertmanager down 20 s: agent firing MtaOutboundBlocklisted for {firing:.0f} providers, "
              f"{failed:.0f} alerts in failed sends (retried), queue {queued:.0f}")
        started = time.monotonic()
        start_alertmanager()
        harness.wait_for(lambda: holds(provider), timeout=120, interval=0.05, what=f"{provider} after the restart")
        print(f"Alertmanager started again: the alert raised while it was down is there "
              f"{time.monotonic() - started:.2f} s after the start (ready included)")
        # Alertmanager keeps no alerts across a restart: the agent's next resend of each firing alert brings it back.
        harness.wait_for(lambda: all(holds(name) for name in HOSTS), timeout=180, interval=0.2,
                         what="the earlier alerts after the restart")
        print(f"and every alert that was firing before it stopped is back {time.monotonic() - started:.2f} s after "
              f"the start (the next resend; resend_interval 1m)")
    finally:
        for process in reversed(processes):
            process.stop()
        shutil.rmtree(folder, ignore_errors=True)


def ready(port):
    try:
        return harness.http_get(f"http://127.0.0.1:{port}/-/ready")[0] == 200
    except OSError:
        return False


if __name__ == "__main__":
    main()
