"""Helpers for tests that run the real mta_exporter binary: a temporary folder, a free loopback
port, an agent process that is always stopped, polling instead of sleeping, a failure that names a
missing piece of the test machine, and main() for the exit codes ctest reads."""

import gzip
import json
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
import urllib.error
import urllib.request

BINARY = os.environ.get("MTA_EXPORTER", "mta_exporter")
SHARED_DIR = os.environ.get("MTA_SHARED_DIR", os.path.join(os.path.dirname(__file__), "../../../shared"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Generous: the waits are polls that end as soon as their condition holds, and ctest runs other tests
# on the same two cores meanwhile.
def port_open(port):
    """True when something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_for(condition, timeout=60.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last value: {last!r})")


def http_get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def parse_metrics(text):
    """{(name, frozenset(labels)): value} of the sample lines of an exposition."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line)
        if not match:
            raise AssertionError(f"unparseable exposition line: {line!r}")
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(3) or ""))
        samples[(match.group(1), labels)] = float(match.group(4))
    return samples


def metric_sum(samples, name, **labels):
    wanted = set(labels.items())
    return sum(value for (metric, metric_labels), value in samples.items()
               if metric == name and wanted <= set(metric_labels))


def peak_rss_kib(pid):
    """The process's peak resident memory (VmHWM) in KiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc/PID/status")


def sanitized(pid):
    """True when the process runs under AddressSanitizer or ThreadSanitizer, whose shadow memory and
    quarantine of freed memory are no part of the agent's own footprint (an idle ASan agent is near
    64 MiB already): absolute memory limits hold for the uninstrumented builds."""
    with open(f"/proc/{pid}/maps") as maps:
        libraries = maps.read()
    return "libasan" in libraries or "libtsan" in libraries


class Process:
    """A child process with its output in a file, stopped with SIGTERM (then SIGKILL)."""

    def __init__(self, name, command, folder):
        self.name = name
        self.log_path = os.path.join(folder, f"{name}.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)

    def check(self):
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited with {self.process.returncode}:\n{self.output()[-3000:]}")

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as log:
            return log.read()

    def stop(self, timeout=30):
        """The exit code (after SIGTERM, or -9 when it took longer than `timeout`)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.log.closed:
            self.log.close()
        return self.process.returncode


class Agent(Process):
    """An mta_exporter serve process on a loopback port with a config written to a temp folder."""

    def __init__(self, folder, sources_toml, extra_toml=""):
        self.port = free_port()
        self.config = os.path.join(folder, "mta_exporter.toml")
        with open(self.config, "w") as config:
            config.write(f'[web]\nlisten_address = "127.0.0.1:{self.port}"\n{extra_toml}\n{sources_toml}\n')
        super().__init__("agent", [BINARY, "serve", "--config", self.config], folder)
        wait_for(lambda: self._up(), what="the agent to answer /-/healthy")

    def _up(self):
        if self.process.poll() is not None:
            raise AssertionError(f"agent exited with {self.process.returncode}: {self.agent_log()}")
        try:
            return http_get(self.url("/-/healthy"))[0] == 200
        except OSError:
            return False

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def metrics_text(self):
        status, headers, body = http_get(self.url("/metrics"))
        assert status == 200, status
        return body.decode()

    def metrics(self):
        return parse_metrics(self.metrics_text())

    def agent_log(self):
        return self.output()

    def stop(self, timeout=30):
        running = self.process.poll() is None
        returncode = super().stop(timeout)
        if running and returncode == -signal.SIGKILL:
            raise AssertionError(f"agent did not stop within {timeout}s of SIGTERM")
        return returncode


class TempFolder:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="mta_exporter_test_")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


def counted_replies(lines, env=None):
    """For each line, whether `classify` finds a reply the counters count: --json's verdict with a class, unless
    --explain says the line is "not counted" (one failed try whose outcome another line carries). An independent
    count of what report and serve add up."""
    text = "\n".join(lines) + "\n"
    verdicts = [json.loads(row) for row in subprocess.run([BINARY, "classify", "--json"], input=text,
                                                          capture_output=True, text=True, check=True,
                                                          env=env).stdout.split("\n")[:-1]]
    assert len(verdicts) == len(lines)
    uncounted = set()
    number = -1
    for row in subprocess.run([BINARY, "classify", "--explain"], input=text, capture_output=True, text=True,
                              check=True, env=env).stdout.split("\n"):  # a log line may hold \x0c or \x1c
        if row.startswith("input:"):
            number += 1
        elif row.startswith("not counted:"):
            uncounted.add(number)
    return [bool(verdict["matched"] and verdict["class"]) and number not in uncounted
            for number, verdict in enumerate(verdicts)]


def gunzip(data):
    return gzip.decompress(data)


def require(present, piece):
    """Fails the test (never skips it) when a piece that deploy/install-deps.sh puts on the machine is
    missing: tests install nothing themselves, and a missing piece must not pass for a green run."""
    if not present:
        raise AssertionError(f"missing: {piece}. Run deploy/install-deps.sh (as root).")


def require_program(name, package, *other_paths):
    """The path of a program that deploy/install-deps.sh installs (Debian package `package`): `name` on
    PATH, or the first of `other_paths` that exists."""
    path = next(filter(None, map(shutil.which, (name, *other_paths))), None)
    require(path, f"{name} (Debian package {package})")
    return path


SKIP_RETURN_CODE = 77  # the SKIP_RETURN_CODE of every Python test in the CMakeLists


def main():
    """unittest.main for a test file that ctest runs: verbose, exit code 1 on a failure or an error, 77
    when a test was skipped (or none ran) and none failed, so that ctest reports Skipped, not Passed."""
    result = unittest.main(verbosity=2, exit=False).result
    if not result.wasSuccessful():
        sys.exit(1)
    sys.exit(SKIP_RETURN_CODE if result.skipped or not result.testsRun else 0)
