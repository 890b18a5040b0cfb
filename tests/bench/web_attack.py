#!/usr/bin/env python3
"""Web attack benchmark: the attacks of tests/integration/web_attack_test.py (a gzip bomb sent over and
over, 64 slow clients sending one header byte every 2 s, a connection flood, then all at once), each on a
fresh agent, before and after the connection guard. Prints per attack the scraper's /metrics times
(median, max, failures) and the agent's peak memory (VmHWM). Figures only, no pass/fail. Not a ctest:
it takes a few minutes.

usage: python3 tests/bench/web_attack.py --binary build/src/mta_exporter
           [--before-binary OTHER | --before-toml 'max_connections = 0'] [--seconds 10]
           [--attacker-address 127.0.0.2]

"Before" is another binary (one built without the guard), or the same binary with extra [web] settings
that turn the guard off; without either, only "after" is measured. The scraper connects from 127.0.0.1
and the attackers from --attacker-address (127.0.0.1 too: attackers on the scraper's own address).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

import harness  # noqa: E402
import web_attack_test  # noqa: E402


def measure(label, binary, extra_toml, attacker_address, seconds):
    harness.BINARY = binary
    print(f"== {label}: {binary}{' with ' + extra_toml if extra_toml else ''}", flush=True)
    for attack in web_attack_test.ATTACKS:
        figures = web_attack_test.run_attack(attack, attacker_address, extra_toml, seconds)
        failures = f"; failures: {sorted(set(figures.errors))[:3]}" if figures.errors else ""
        print(f"  {figures.line()}{failures}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default="build/src/mta_exporter")
    parser.add_argument("--before-binary")
    parser.add_argument("--before-toml", help="[web] settings that turn the guard off, e.g. 'max_connections = 0'")
    parser.add_argument("--attacker-address", default="127.0.0.2")
    parser.add_argument("--seconds", type=float, default=web_attack_test.ATTACK_SECONDS)
    options = parser.parse_args()
    if options.before_binary or options.before_toml:
        measure("before", options.before_binary or options.binary, options.before_toml or "",
                options.attacker_address, options.seconds)
    measure("after", options.binary, "", options.attacker_address, options.seconds)


if __name__ == "__main__":
    main()
