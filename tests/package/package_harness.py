"""What the package tests share: a Postfix delivery line, loopback HTTP, polling with a deadline, the sum of the
reply counters on a metrics page, and the command line they all take (the .deb, as root)."""

import os
import socket
import sys
import time
import unittest
import urllib.error
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

# postfix-blockbadip.log's form: a remote 550 5.1.1, one outbound mailbox_unknown reply.
POSTFIX_MESSAGE = ("4A1B2C3D: to=<a@example.org>, relay=mx.example.org[192.0.2.1]:25, delay=1, delays=0/0/0/1, "
                   "dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.1] said: 550 5.1.1 No such user (in reply "
                   "to RCPT TO command))")
POSTFIX_LINE = f"Dec  6 10:00:00 mx1 postfix/smtp[1]: {POSTFIX_MESSAGE}\n"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(url):
    """(status, body); status None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:
        return None, ""


def wait_for(condition, what, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def replies_total(metrics):
    return sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
               if line.startswith("mta_smtp_replies_total{"))


def main(module):
    """Runs the one test of a package test file, with module.DEB the .deb its only argument names."""
    if len(sys.argv) != 2 or os.geteuid() != 0:
        sys.exit(module.__doc__)
    module.DEB = os.path.abspath(sys.argv[1])
    result = unittest.main(module=module, verbosity=2, exit=False, argv=[sys.argv[0]]).result
    sys.exit(0 if result.wasSuccessful() and result.testsRun == 1 else 1)
