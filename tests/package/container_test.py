#!/usr/bin/env python3
"""The container image's root file system, built without a registry (issue 11, item 4): mmdebstrap makes a Debian
12 system from Debian's repositories and runs deploy/container/install.sh in it with the .deb, as the Containerfile
does; the agent then runs in it as the non-root user mta_exporter with the container's configuration, follows a
log in the /var/log/mail volume, answers the Containerfile's HEALTHCHECK command, and writes its checkpoint into
/var/lib/mta_exporter. As root:

  container_test.py PATH_TO_DEB"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

DEB = None
CONTAINER_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../deploy/container"))
LINE = ("Dec  6 10:00:00 mx1 postfix/smtp[1]: 4A1B2C3D: to=<a@example.org>, relay=mx.example.org[192.0.2.1]:25, "
        "delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.1] said: 550 5.1.1 No such "
        "user (in reply to RCPT TO command))\n")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:
        return None, ""


def wait_for(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def replies(metrics):
    return sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
               if line.startswith("mta_smtp_replies_total{"))


class ContainerRootTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="mta_exporter_container_")
        self.root = os.path.join(self.work, "root")

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def build_root(self):
        with open(os.path.join(CONTAINER_DIR, "Containerfile")) as containerfile:
            recipe = containerfile.read()
        # The test repeats the Containerfile's steps: its base, the files it copies, the script it runs.
        self.assertIn("FROM debian:12-slim", recipe)
        self.assertIn("COPY mta-exporter_*.deb install.sh mta_exporter.toml /tmp/mta-exporter/", recipe)
        self.assertIn("RUN sh /tmp/mta-exporter/install.sh /tmp/mta-exporter", recipe)
        # install.sh takes the package by the name Debian gives it.
        deb = os.path.join(self.work, "mta-exporter_" + os.path.basename(DEB).removeprefix("mta-exporter_"))
        shutil.copy(DEB, deb)
        files = [deb, os.path.join(CONTAINER_DIR, "install.sh"), os.path.join(CONTAINER_DIR, "mta_exporter.toml")]
        result = subprocess.run(
            ["mmdebstrap", "--mode=root", "--variant=apt", "--format=directory", "--quiet",
             "--customize-hook=mkdir -p \"$1/tmp/mta-exporter\"",
             "--customize-hook=copy-in " + " ".join(files) + " /tmp/mta-exporter",
             "--customize-hook=chroot \"$1\" sh /tmp/mta-exporter/install.sh /tmp/mta-exporter",
             "--customize-hook=rm -rf \"$1/tmp/mta-exporter\"",
             "bookworm", self.root, "http://deb.debian.org/debian"],
            capture_output=True, text=True, timeout=900)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_agent_runs_in_the_image_root(self):
        self.build_root()
        self.assertTrue(os.path.isfile(os.path.join(self.root, "usr/bin/mta_exporter")))
        self.assertTrue(os.path.isfile(os.path.join(self.root, "etc/mta_exporter/container.toml")))
        port = free_port()
        agent_log = os.path.join(self.work, "agent.log")
        with open(agent_log, "w") as log_file:
            # Its own mount and PID namespaces with /proc, the host's network (loopback) as a container port.
            agent = subprocess.Popen(
                ["unshare", "--mount", "--pid", "--fork", "--kill-child", f"--mount-proc={self.root}/proc", "chroot",
                 self.root,
                 "setpriv", "--reuid=mta_exporter", "--regid=mta_exporter", "--init-groups", "/usr/bin/mta_exporter",
                 "serve", "--config", "/etc/mta_exporter/container.toml", f"--web.listen-address=127.0.0.1:{port}"],
                stdout=subprocess.DEVNULL, stderr=log_file)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(lambda: http_get(base + "/-/healthy")[0] == 200, "/-/healthy")
            log = os.path.join(self.root, "var/log/mail/mail.log")
            with open(log, "a") as out:  # the MTA's first line, after the agent started
                out.write(LINE)
            wait_for(lambda: http_get(base + "/-/ready")[0] == 200, "/-/ready")
            wait_for(lambda: replies(http_get(base + "/metrics")[1]) == 1, "the MTA's line counted")
            # The Containerfile's HEALTHCHECK command, run inside the image's root.
            health = subprocess.run(["chroot", self.root, "curl", "-fsS", "-o", "/dev/null",
                                     f"http://127.0.0.1:{port}/-/healthy"], capture_output=True, text=True, timeout=30)
            self.assertEqual(health.returncode, 0, health.stderr)
        finally:
            # The agent is the first process of its PID namespace, unshare's child: the signal goes to it (a
            # container runtime's stop does the same), and unshare ends with it.
            children = subprocess.run(["pgrep", "-P", str(agent.pid)], capture_output=True, text=True).stdout.split()
            for child in children:
                os.kill(int(child), signal.SIGTERM)
            agent.wait(timeout=30)
        with open(agent_log) as written:
            log_text = written.read()
        self.assertEqual(agent.returncode, 0, log_text)
        checkpoint = os.path.join(self.root, "var/lib/mta_exporter/checkpoint")
        self.assertTrue(os.path.isfile(checkpoint), log_text)
        with open(os.path.join(self.root, "etc/passwd")) as passwd:
            uid = next(int(entry.split(":")[2]) for entry in passwd if entry.startswith("mta_exporter:"))
        self.assertNotEqual(uid, 0)
        self.assertEqual(os.stat(checkpoint).st_uid, uid, "the agent ran as mta_exporter")


if __name__ == "__main__":
    if len(sys.argv) != 2 or os.geteuid() != 0:
        sys.exit(__doc__)
    DEB = os.path.abspath(sys.argv.pop())
    result = unittest.main(verbosity=2, exit=False).result
    sys.exit(0 if result.wasSuccessful() and result.testsRun == 1 else 1)
