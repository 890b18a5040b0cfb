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
import subprocess
import sys
import tempfile
import unittest

import package_harness
from package_harness import POSTFIX_LINE, free_port, http_get, replies_total, wait_for

DEB = None  # set by package_harness.main
CONTAINER_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../deploy/container"))










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
                out.write(POSTFIX_LINE)
            wait_for(lambda: http_get(base + "/-/ready")[0] == 200, "/-/ready")
            wait_for(lambda: replies_total(http_get(base + "/metrics")[1]) == 1, "the MTA's line counted")
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
    package_harness.main(sys.modules[__name__])
