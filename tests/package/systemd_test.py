#!/usr/bin/env python3
"""The packaged unit under a real systemd (issue 11, item 3): a Debian 12 system made by mmdebstrap with systemd and
the .deb boots in systemd-nspawn (its own network: loopback only), and under the hardened unit the agent starts at
boot as mta_exporter, counts a Postfix line that a unit named postfix@-.service writes to the journal, keeps its
checkpoint in the StateDirectory across a restart (nothing counted twice), rereads its configuration on
`systemctl reload`, and binds a unix syslog socket in the RuntimeDirectory that `logger` sends to. systemd's own
`systemd-analyze security` scores the running unit. As root:

  systemd_test.py PATH_TO_DEB"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import package_harness
from package_harness import POSTFIX_MESSAGE, replies_total, wait_for

DEB = None  # set by package_harness.main




class PackagedUnitTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="mta_exporter_systemd_")
        self.root = os.path.join(self.work, "root")
        self.machine = None

    def tearDown(self):
        if self.machine is not None:
            self.machine.send_signal(signal.SIGTERM)  # nspawn asks the container's systemd to power off
            try:
                self.machine.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.machine.kill()
                self.machine.wait()
        shutil.rmtree(self.work, ignore_errors=True)

    def inside(self, *command, check=True):
        result = subprocess.run(["nsenter", "-t", str(self.leader), "-a", *command], capture_output=True, text=True,
                                timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(command)}: exit {result.returncode}\n{result.stdout}{result.stderr}")
        return result

    def metrics(self):
        return self.inside("curl", "-fsS", "http://127.0.0.1:10154/metrics", check=False).stdout

    def replies(self):
        return replies_total(self.metrics())

    def service_log(self):
        return self.inside("journalctl", "-u", "mta_exporter", "--no-pager", "-o", "cat").stdout

    def boot(self):
        deb = os.path.join(self.work, os.path.basename(DEB))
        shutil.copy(DEB, deb)
        built = subprocess.run(
            ["mmdebstrap", "--mode=root", "--variant=apt", "--format=directory", "--quiet",
             "--include=systemd,systemd-sysv,dbus,curl,man-db,bsdutils",
             "--customize-hook=mkdir -p \"$1/tmp/pkg\"", f"--customize-hook=copy-in {deb} /tmp/pkg",
             f"--customize-hook=chroot \"$1\" apt-get install -y -qq /tmp/pkg/{os.path.basename(deb)}",
             "bookworm", self.root, "http://deb.debian.org/debian"], capture_output=True, text=True, timeout=900)
        self.assertEqual(built.returncode, 0, built.stdout + built.stderr)
        self.machine = subprocess.Popen(
            ["systemd-nspawn", "--directory", self.root, "--boot", "--console=pipe", "--quiet", "--register=no",
             "--keep-unit", "--private-network", f"--machine=mta-test-{os.getpid()}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def leader():
            children = subprocess.run(["pgrep", "-P", str(self.machine.pid)], capture_output=True, text=True)
            return children.stdout.split()[0] if children.stdout.split() else None
        wait_for(lambda: self.machine.poll() is None and leader() is not None, "the container's systemd")
        self.leader = leader()
        wait_for(lambda: self.inside("systemctl", "is-system-running", check=False).stdout.strip()
                 in ("running", "degraded"), "the container's boot")

    def test_agent_under_the_unit(self):
        self.boot()
        self.assertEqual(self.inside("systemctl", "is-active", "mta_exporter", check=False).stdout.strip(), "active",
                         self.service_log())
        status = self.inside("systemctl", "show", "mta_exporter", "-p", "User", "-p", "MainPID").stdout
        self.assertIn("User=mta_exporter", status)
        wait_for(lambda: self.inside("curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:10154/-/ready",
                                     check=False).returncode == 0, "/-/ready")

        # The journal, through the shipped match on Postfix's unit.
        def postfix_writes():
            self.inside("systemd-run", "--wait", "--quiet", "--unit=postfix@-.service",
                        "-p", "SyslogIdentifier=postfix/smtp", "/bin/echo", POSTFIX_MESSAGE)
        postfix_writes()
        wait_for(lambda: self.replies() == 1, "the journal line counted")

        # A restart resumes at the checkpoint in the StateDirectory: the line is not counted again.
        self.inside("systemctl", "restart", "mta_exporter")
        checkpoint = self.inside("stat", "-c", "%U %a", "/var/lib/mta_exporter/checkpoint").stdout.split()
        self.assertEqual(checkpoint[0], "mta_exporter")
        wait_for(lambda: self.inside("curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:10154/-/ready",
                                     check=False).returncode == 0, "/-/ready after the restart")
        postfix_writes()
        wait_for(lambda: self.replies() == 1, "only the new line counted after the restart")
        time.sleep(2)
        self.assertEqual(self.replies(), 1, "a line was counted twice across the restart")

        # systemctl reload (ExecReload=, SIGHUP) with a unix syslog socket in the RuntimeDirectory.
        config = os.path.join(self.root, "etc/mta_exporter/mta_exporter.toml")
        with open(config, "a") as out:
            out.write('\n[[source]]\ntype = "syslog"\nname = "local"\nlisten = "unix:///run/mta_exporter/syslog.sock"\n')
        self.inside("systemctl", "reload", "mta_exporter")
        wait_for(lambda: 'msg="configuration reloaded"' in self.service_log(), "the reload")
        wait_for(lambda: self.inside("test", "-S", "/run/mta_exporter/syslog.sock", check=False).returncode == 0,
                 "the socket in the RuntimeDirectory")
        self.inside("logger", "--socket-errors=on", "-u", "/run/mta_exporter/syslog.sock", "-t", "postfix/smtp", POSTFIX_MESSAGE)
        wait_for(lambda: self.replies() == 2, "the syslog line counted")
        self.assertEqual(self.inside("systemctl", "is-active", "mta_exporter", check=False).stdout.strip(), "active")
        self.assertNotIn("level=error", self.service_log())

        security = self.inside("systemd-analyze", "security", "mta_exporter.service", "--no-pager", check=False)
        exposure = re.search(r"Overall exposure level for mta_exporter\.service: (\d+\.\d+)", security.stdout)
        self.assertIsNotNone(exposure, security.stdout + security.stderr)
        print(f"systemd-analyze security (running unit): exposure {exposure.group(1)}", file=sys.stderr)
        self.assertLessEqual(float(exposure.group(1)), 2.0)


if __name__ == "__main__":
    package_harness.main(sys.modules[__name__])
