#!/usr/bin/env python3
"""The Debian package on this machine (issue 11, item 1), as root: lintian finds no error; `apt-get install` of the
.deb creates the service user in adm and systemd-journal, its state folder, a conffile, the hardened unit (enabled,
not started where systemd does not run; `systemd-analyze security` exposure at most 2.0, `verify` clean), the man
page, alert rules, dashboards and docs; the service user runs check-config, a report of a root:adm 0640 log, and
serves with a checkpoint in /var/lib/mta_exporter, a unix syslog socket in /run/mta_exporter and a SIGHUP reload;
the package upgrades over itself keeping the admin's configuration; remove keeps configuration and state; purge
removes both.

  deb_test.py PATH_TO_DEB     (deploy/build-deb.sh prints the path; the package must not be installed yet)"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import package_harness
from package_harness import POSTFIX_LINE, free_port, http_get, replies_total, wait_for

DEB = None  # set by package_harness.main
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
SAMPLE = os.path.join(REPO, "config/sample/mail.log")
USER = "mta_exporter"
BINARY = "/usr/bin/mta_exporter"
CONFIG = "/etc/mta_exporter/mta_exporter.toml"
UNIT = "/lib/systemd/system/mta_exporter.service"
STATE = "/var/lib/mta_exporter"
RUNTIME = "/run/mta_exporter"


def run(*command, check=True, **kwargs):
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)}: exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def as_service_user(*command, **kwargs):
    return run("runuser", "-u", USER, "--", *command, **kwargs)


def installed():
    result = run("dpkg-query", "-W", "-f=${Status}", "mta-exporter", check=False)
    return result.returncode == 0 and "install ok installed" in result.stdout










def adm_readable_copy(folder):
    """The sample log as Debian's rsyslog writes /var/log/mail.log: root:adm 0640, in a folder others may enter."""
    os.chmod(folder, 0o755)
    log = os.path.join(folder, "mail.log")
    shutil.copy(SAMPLE, log)
    shutil.chown(log, "root", "adm")
    os.chmod(log, 0o640)
    return log


class DebianPackageTest(unittest.TestCase):
    """One test, in order: each step needs the state the one before left."""

    def test_lifecycle(self):
        self.assertFalse(installed(), "mta-exporter is installed already: purge it before the test")
        self.lintian()
        run("apt-get", "install", "-y", "-qq", "--no-install-recommends", DEB)
        self.assertTrue(installed())
        self.contents()
        self.unit()
        self.service_user()
        self.serve_as_service_user()
        self.upgrade_over_itself()
        self.remove_and_purge()

    def lintian(self):
        result = run("lintian", "--fail-on", "error", "--info", DEB, check=False)
        print("lintian:\n" + (result.stdout or "(no tags)"), file=sys.stderr)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        errors = [line for line in result.stdout.splitlines() if line.startswith("E:")]
        self.assertEqual(errors, [])

    def contents(self):
        for path in (BINARY, CONFIG, "/etc/mta_exporter/web-config.example.yml", UNIT,
                     "/usr/share/man/man1/mta_exporter.1.gz", "/usr/share/doc/mta-exporter/README.md.gz",
                     "/usr/share/doc/mta-exporter/changelog.gz", "/usr/share/doc/mta-exporter/copyright",
                     "/usr/share/mta-exporter/alerts/mta_exporter.alerts.yml",
                     "/usr/share/mta-exporter/alerts/mta_exporter.rules.yml",
                     "/usr/share/mta-exporter/dashboards/mta-overview.json"):
            self.assertTrue(os.path.isfile(path), path)
        conffiles = run("dpkg-query", "-W", "-f=${Conffiles}", "mta-exporter").stdout
        self.assertIn(CONFIG, conffiles)
        self.assertRegex(run(BINARY, "version").stdout, r"^mta_exporter \d+\.\d+\.\d+ \(revision [0-9a-f]{12}\)")
        # Every file the package ships belongs to root.
        for path in run("dpkg", "-L", "mta-exporter").stdout.split():
            if os.path.isfile(path):
                self.assertEqual(os.stat(path).st_uid, 0, path)

    def unit(self):
        # Enabled by the maintainer scripts; not started, as no systemd runs here (deb-systemd-invoke).
        wants = "/etc/systemd/system/multi-user.target.wants/mta_exporter.service"
        self.assertTrue(os.path.islink(wants), wants)
        self.assertEqual(run("pgrep", "-u", USER, check=False).stdout, "")
        security = run("systemd-analyze", "security", "--offline=true", UNIT, check=False)
        exposure = re.search(r"Overall exposure level for mta_exporter\.service: (\d+\.\d+)", security.stdout)
        self.assertIsNotNone(exposure, security.stdout + security.stderr)
        print(f"systemd-analyze security --offline=true: exposure {exposure.group(1)}", file=sys.stderr)
        self.assertLessEqual(float(exposure.group(1)), 2.0, security.stdout)
        verify = run("systemd-analyze", "verify", UNIT, check=False)
        self.assertEqual((verify.returncode, verify.stdout + verify.stderr), (0, ""))

    def service_user(self):
        groups = run("id", "-nG", USER).stdout.split()
        self.assertIn("adm", groups)
        self.assertIn("systemd-journal", groups)
        status = os.stat(STATE)
        self.assertEqual((status.st_uid, status.st_mode & 0o777), (int(run("id", "-u", USER).stdout), 0o750))
        check = as_service_user(BINARY, "check-config", CONFIG)
        self.assertTrue(check.stdout.startswith(f"{CONFIG}: OK (1 source(s)"), check.stdout)
        self.assertRegex(check.stdout, r"\nsource journal \(journal\): (ready|not ready): ")
        # The adm group reads a root:adm 0640 log.
        with tempfile.TemporaryDirectory() as folder:
            log = adm_readable_copy(folder)
            self.assertEqual(as_service_user(BINARY, "report", log).stdout, run(BINARY, "report", SAMPLE).stdout)

    def serve_as_service_user(self):
        # What the unit gives the service: StateDirectory= and RuntimeDirectory= (made here as systemd would).
        os.makedirs(RUNTIME, exist_ok=True)
        shutil.chown(RUNTIME, USER, USER)
        os.chmod(RUNTIME, 0o750)
        port = free_port()
        with tempfile.TemporaryDirectory() as folder:
            log = adm_readable_copy(folder)
            config = os.path.join(folder, "agent.toml")
            with open(config, "w") as out:
                out.write(f'[web]\nlisten_address = "127.0.0.1:{port}"\n'
                          f'[checkpoint]\npath = "{STATE}/checkpoint"\ninterval_seconds = 1\n'
                          f'[[source]]\ntype = "file"\nname = "mail"\npath = "{log}"\nstart_at = "checkpoint"\n'
                          f'[[source]]\ntype = "syslog"\nname = "local"\nlisten = "unix://{RUNTIME}/syslog.sock"\n')
            os.chmod(config, 0o644)
            agent_log = os.path.join(folder, "agent.log")
            with open(agent_log, "w") as log_file:
                # setpriv execs the agent as the service user with its groups (runuser would stand between).
                agent = subprocess.Popen(["setpriv", f"--reuid={USER}", f"--regid={USER}", "--init-groups", BINARY,
                                          "serve", "--config", config], stdout=subprocess.DEVNULL, stderr=log_file)

            def log_text():
                with open(agent_log) as written:
                    return written.read()

            try:
                base = f"http://127.0.0.1:{port}"
                wait_for(lambda: http_get(base + "/-/ready")[0] == 200, "/-/ready")
                # First run: a checkpoint source starts at the end; a line appended is counted.
                line = POSTFIX_LINE
                with open(log, "a") as out:
                    out.write(line)
                wait_for(lambda: replies_total(http_get(base + "/metrics")[1]) == 1, "the appended line")
                with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as syslog:
                    syslog.connect(f"{RUNTIME}/syslog.sock")
                    syslog.send(b"<22>" + line.encode().rstrip(b"\n"))
                wait_for(lambda: replies_total(http_get(base + "/metrics")[1]) == 2, "the syslog datagram")
                # systemctl reload (ExecReload=) sends SIGHUP.
                agent.send_signal(signal.SIGHUP)
                wait_for(lambda: 'msg="configuration reloaded"' in log_text(), "a reload")
            finally:
                agent.send_signal(signal.SIGTERM)
                agent.wait(timeout=30)
            self.assertEqual(agent.returncode, 0, log_text())
            self.assertNotIn("level=error", log_text())
        checkpoint = f"{STATE}/checkpoint"
        self.assertTrue(os.path.isfile(checkpoint))
        self.assertEqual(os.stat(checkpoint).st_uid, int(run("id", "-u", USER).stdout))

    def upgrade_over_itself(self):
        with open(CONFIG, "a") as out:
            out.write("# edited by the admin\n")
        run("dpkg", "-i", DEB)
        self.assertTrue(installed())
        with open(CONFIG) as config:
            self.assertTrue(config.read().endswith("# edited by the admin\n"))
        self.assertTrue(os.path.isfile(f"{STATE}/checkpoint"))
        self.assertEqual(run("id", "-u", USER, check=False).returncode, 0)
        self.assertFalse(os.path.exists(CONFIG + ".dpkg-dist"))

    def remove_and_purge(self):
        run("apt-get", "remove", "-y", "-qq", "mta-exporter")
        self.assertFalse(os.path.exists(BINARY))
        self.assertTrue(os.path.isfile(CONFIG), "remove keeps the configuration")
        self.assertTrue(os.path.isdir(STATE), "remove keeps the state")
        run("apt-get", "purge", "-y", "-qq", "mta-exporter")
        self.assertFalse(os.path.exists("/etc/mta_exporter"), "purge removes the configuration")
        self.assertFalse(os.path.exists(STATE), "purge removes the state")
        self.assertFalse(installed())


if __name__ == "__main__":
    package_harness.main(sys.modules[__name__])
