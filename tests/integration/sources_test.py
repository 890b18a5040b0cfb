"""End-to-end tests of the production inputs of `mta_exporter serve`, against real programs:

  1. rsyslog forwarding to the agent's syslog sources over UDP, TCP (newline framing) and TCP with
     RFC 6587 octet counting, and with rsyslog's default and RFC 5424 forward formats;
  2. logrotate in rename-and-create mode (writer running) and in copytruncate mode;
  3. SIGKILL and SIGTERM with checkpoints, a rotation while the agent is down, and a SIGKILL after a
     rotation but before the writer reopened the log;
  4. the systemd journal, from journal files written by systemd-journal-remote, with a match and a
     checkpointed cursor;
  5. malformed input on the syslog sockets (TCP, UDP, unix datagram);
  6. Docker json-file and CRI container logs with partial records;
  7. SIGHUP reload (unchanged sources kept, changed ones resuming their position, new site rules);
  8. file globs (rotated and compressed archives left out, new files picked up, a file two globs
     reach read once).

Every test starts and stops what it uses itself, in a temporary folder, on 127.0.0.1 only. Programs
from Debian packages (rsyslog, logrotate, systemd-journal-remote) are installed by
deploy/install-deps.sh; a test whose program is missing fails and names it.

Debian 12 package versions these tests were written and run against:
  rsyslog                 8.2302.0-1+deb12u2
  logrotate               3.21.0-1
  systemd-journal-remote  252.39-1~deb12u2

Environment: MTA_EXPORTER (the binary).
"""

import gzip
import json
import os
import signal
import socket
import subprocess
import threading
import time
import unittest

import harness
from harness import (Agent, TempFolder, BINARY, free_port, http_get, metric_sum, parse_metrics, require_program,
                     wait_for)

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE_LOG = os.path.normpath(os.path.join(HERE, "../../config/sample/mail.log"))

# A Postfix bounce (one SMTP reply, cause mailbox_unknown, provider google) in classic syslog form.
BOUNCE = ("Mar  4 00:00:00 mx1 postfix/smtp[123]: D016D64F490: to=<a@gmail.com>, relay=gmail-smtp-in.l.google.com"
          "[142.251.9.27]:25, delay=0.98, delays=0.47/0.01/0.3/0.2, dsn=5.1.1, status=bounced (host "
          "gmail-smtp-in.l.google.com[142.251.9.27] said: 550-5.1.1 The email account that you tried to reach "
          "does not exist. 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser - gsmtp (in reply to RCPT TO "
          "command))")
RESULTS = ("matched", "ignored", "unmatched")


# --- helpers ----------------------------------------------------------------------------------------

def sample_lines(count=None):
    """Lines of config/sample/mail.log (4000 Postfix lines, ISO timestamps), repeated up to `count`."""
    with open(SAMPLE_LOG) as sample:
        lines = sample.read().splitlines()
    if count is None:
        return lines
    return [lines[i % len(lines)] for i in range(count)]


def report_counts(lines):
    """{result: count} that `mta_exporter report` gives for these lines: the oracle for the agent."""
    result = subprocess.run([BINARY, "report", "--format", "prometheus", "-"], input="".join(l + "\n" for l in lines),
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"report exited with {result.returncode}: {result.stderr}")
    samples = parse_metrics(result.stdout)
    return {r: int(metric_sum(samples, "mta_exporter_lines_total", result=r)) for r in RESULTS}


def source_counts(samples, source):
    return {r: int(metric_sum(samples, "mta_exporter_lines_total", source=source, result=r)) for r in RESULTS}


def source_lines(agent, source):
    return int(metric_sum(agent.metrics(), "mta_exporter_lines_total", source=source))


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stays(condition, seconds=1.5, interval=0.1):
    """True when `condition` holds during the whole period (nothing more arrives, nothing is doubled)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not condition():
            return False
        time.sleep(interval)
    return condition()


def settled_lines(agent, source, expected, timeout=60):
    """The source's line count once it reached `expected` and stayed there, or the count reached after
    `timeout` (so that a loss fails with the count reached). Not "once it stopped moving": an agent
    starved of CPU by other tests can pause for seconds."""
    try:
        wait_for(lambda: source_lines(agent, source) >= expected, timeout=timeout, interval=0.1)
    except AssertionError:
        return source_lines(agent, source)
    value = source_lines(agent, source)
    return value if stays(lambda: source_lines(agent, source) == value, 1.5) else source_lines(agent, source)


def count_newlines_before(path, offset):
    with open(path, "rb") as log:
        data = log.read(offset)
    return data.count(b"\n")


def count_newlines(path):
    with open(path, "rb") as log:
        return log.read().count(b"\n")


def read_checkpoint(path):
    """{("file", key): (dev, inode, fingerprint, fp_len, offset)} and {("journal", key): cursor}."""
    entries = {}
    if not os.path.exists(path):
        return entries
    with open(path) as checkpoint:
        for line in checkpoint.read().splitlines():
            fields = line.split("\t")
            if fields[0] == "file" and len(fields) == 7:
                entries[("file", fields[1])] = tuple(int(field) for field in fields[2:])
            elif fields[0] == "journal" and len(fields) == 3:
                entries[("journal", fields[1])] = fields[2]
            else:
                raise AssertionError(f"malformed checkpoint line in {path}: {line!r}")
    return entries


def checkpoint_offset(path, key):
    entry = read_checkpoint(path).get(("file", key))
    return None if entry is None else entry[4]


def modified_at(path):
    """The modification time of a file, 0 while it does not exist yet."""
    return os.path.getmtime(path) if os.path.exists(path) else 0


# --- processes --------------------------------------------------------------------------------------

class RunAgent(Agent):
    """harness.Agent with one log file per run (restarts keep the earlier logs), a config that can be
    rewritten for SIGHUP, SIGKILL, and a command prefix to run it as another user (`run_as`)."""

    def __init__(self, folder, sources_toml, extra_toml="", run="agent", run_as=()):
        self.port = free_port()
        self.config = os.path.join(folder, "mta_exporter.toml")
        self.write_config(sources_toml, extra_toml)
        self.log_path = os.path.join(folder, f"{run}.log")
        self.log = open(self.log_path, "w")
        wait_for(lambda: os.path.exists(BINARY) or "/" not in BINARY, timeout=600, what=f"{BINARY} to exist")
        self.process = subprocess.Popen([*run_as, BINARY, "serve", "--config", self.config],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: self._up(), what="the agent to answer /-/healthy")

    def write_config(self, sources_toml, extra_toml=""):
        with open(self.config + ".new", "w") as config:
            config.write(f'[web]\nlisten_address = "127.0.0.1:{self.port}"\n{extra_toml}\n{sources_toml}\n')
        os.replace(self.config + ".new", self.config)

    def signal(self, number):
        self.process.send_signal(number)

    def kill(self):
        """SIGKILL: no checkpoint is written on the way out."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.log.close()
        return self.process.returncode

    def alive(self):
        return self.process.poll() is None


class Rsyslog:
    """A private rsyslogd: its own config, pid file and work directory, in the foreground."""

    def __init__(self, folder, rsyslogd, body):
        self.folder = folder
        work = os.path.join(folder, "rsyslog-work")
        os.makedirs(work, exist_ok=True)
        self.conf = os.path.join(folder, "rsyslog.conf")
        with open(self.conf, "w") as conf:
            conf.write(f'global(workDirectory="{work}" net.enableDNS="off" maxMessageSize="64k")\n{body}\n')
        check = subprocess.run([rsyslogd, "-N1", "-f", self.conf], capture_output=True, text=True, timeout=60)
        if check.returncode != 0:
            raise AssertionError(f"rsyslogd -N1 rejected the config:\n{check.stdout}{check.stderr}\n{body}")
        self.out_path = os.path.join(folder, "rsyslogd.out")
        out = open(self.out_path, "wb")
        self.process = subprocess.Popen([rsyslogd, "-n", "-f", self.conf, "-i", os.path.join(folder, "rsyslogd.pid")],
                                        stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        out.close()

    def output(self):
        with open(self.out_path, "rb") as out:
            return out.read().decode(errors="replace")

    def wait_listening(self, port):
        def listening():
            if self.process.poll() is not None:
                raise AssertionError(f"rsyslogd exited with {self.process.returncode}: {self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return True
            except OSError:
                return False
        wait_for(listening, what=f"rsyslogd to listen on 127.0.0.1:{port}")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class LogWriter(threading.Thread):
    """Appends lines to a log file the way a syslog daemon does: bursts of unbuffered writes, every
    third line in two write() calls (the reader sees partial lines), and reopening the path when
    `reopen_flag` appears (what rsyslog does on the HUP of logrotate's postrotate)."""

    def __init__(self, path, lines, burst=4, interval=0.001, reopen_flag=None):
        super().__init__(daemon=True)
        self.path = path
        self.lines = lines
        self.burst = burst
        self.interval = interval
        self.reopen_flag = reopen_flag
        self.written = []  # every line completely written, in order
        self.reopens = 0
        self.reopened_at = []  # len(written) when the writer reopened the path
        self.error = None
        self.lock = threading.Lock()
        self.enabled = threading.Event()
        self.stopping = threading.Event()
        self.out = open(path, "ab", buffering=0)

    def run(self):
        try:
            while not self.stopping.is_set():
                if not self.enabled.wait(0.05):
                    continue
                with self.lock:
                    if not self.enabled.is_set() or self.stopping.is_set():
                        continue
                    for _ in range(self.burst):
                        line = self.lines[len(self.written) % len(self.lines)]
                        data = (line + "\n").encode()
                        if len(self.written) % 3 == 0:
                            self.out.write(data[:40])
                            self.out.write(data[40:])
                        else:
                            self.out.write(data)
                        self.written.append(line)
                    if self.reopen_flag and os.path.exists(self.reopen_flag):
                        os.unlink(self.reopen_flag)
                        self.out.close()
                        self.out = open(self.path, "ab", buffering=0)
                        self.reopened_at.append(len(self.written))
                        self.reopens += 1
                time.sleep(self.interval)
        except Exception as error:  # reported by stop()
            self.error = error

    def write_now(self, count):
        """Writes `count` lines synchronously (with the thread paused or not started)."""
        with self.lock:
            for _ in range(count):
                line = self.lines[len(self.written) % len(self.lines)]
                self.out.write((line + "\n").encode())
                self.written.append(line)

    def resume(self):
        if not self.is_alive():
            self.start()
        self.enabled.set()

    def pause(self):
        """Returns when no write is in flight and none will start until resume()."""
        self.enabled.clear()
        with self.lock:
            pass

    def stop(self):
        self.stopping.set()
        self.enabled.set()
        if self.is_alive():
            self.join(10)
        self.out.close()
        if self.error:
            raise self.error
        return len(self.written)


def syslog_sender(port, lines, batch=50, pause=0.02):
    """Sends lines to a TCP syslog receiver as RFC 3164 messages (<22>: mail.info), newline framed, paced."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for start in range(0, len(lines), batch):
            sock.sendall("".join(f"<22>{line}\n" for line in lines[start:start + batch]).encode())
            time.sleep(pause)


def file_source(name, path, start_at="beginning", extra=""):
    return f'[[source]]\ntype = "file"\nname = "{name}"\npath = "{path}"\nstart_at = "{start_at}"\n{extra}\n'


# --- 1. rsyslog -------------------------------------------------------------------------------------

# rsyslog's traditional forward format without its 32-character cut of the TAG.
FULL_TAG_TEMPLATE = ('template(name="FullTagForward" type="string" '
                     'string="<%PRI%>%TIMESTAMP% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg%")')


class RsyslogTest(unittest.TestCase):
    """Lines go into a private rsyslogd (imtcp, newline framed, as a mail server's syslog would relay
    them) and rsyslogd forwards them with omfwd to the agent's syslog sources."""

    def forward(self, outputs, lines, global_extra="", templates=""):
        """`outputs`: (source name, "udp" | "tcp", extra omfwd parameters). Returns the agent's samples
        once every source has counted len(lines) lines and nothing more arrives."""
        rsyslogd = require_program("rsyslogd", "rsyslog", "/usr/sbin/rsyslogd")
        with TempFolder() as folder:
            rsyslog_in = free_port()
            sources, actions = "", ""
            for name, transport, params in outputs:
                port = free_udp_port() if transport == "udp" else free_port()
                sources += (f'[[source]]\ntype = "syslog"\nname = "{name}"\nlisten = "{transport}://127.0.0.1:{port}"\n'
                            f'max_hosts = 10\n' + ('receive_buffer = 4194304\n' if transport == "udp" else ""))
                actions += f'  action(type="omfwd" target="127.0.0.1" port="{port}" protocol="{transport}" {params})\n'
            agent = RunAgent(folder, sources)
            # The input is bound to its own ruleset, so rsyslogd's own messages are not forwarded.
            rsyslog = Rsyslog(folder, rsyslogd, f'''{global_extra}
{templates}
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="{rsyslog_in}" ruleset="forward")
ruleset(name="forward") {{
{actions}}}
''')
            names = [name for name, _, _ in outputs]
            try:
                rsyslog.wait_listening(rsyslog_in)
                syslog_sender(rsyslog_in, lines)
                for name in names:
                    wait_for(lambda: source_lines(agent, name) >= len(lines), timeout=60,
                             what=f"{len(lines)} lines on {name} (rsyslogd: {rsyslog.output()[-500:]})")
                self.assertTrue(stays(lambda: all(source_lines(agent, name) == len(lines) for name in names), 1.0))
                samples = agent.metrics()
                for name, transport, _ in outputs:
                    self.assertEqual(metric_sum(samples, "mta_exporter_syslog_invalid_frames_total", source=name), 0)
                    self.assertEqual(metric_sum(samples, "mta_exporter_source_up", source=name), 1)
                    if transport == "udp":
                        self.assertEqual(metric_sum(samples, "mta_exporter_syslog_dropped_total", source=name), 0)
                    else:
                        self.assertGreaterEqual(metric_sum(samples, "mta_exporter_syslog_connections_total",
                                                           source=name), 1)
                return samples
            finally:
                rsyslog.stop()
                self.assertEqual(agent.stop(), 0, agent.agent_log())

    def test_rsyslog_forwards_over_udp_tcp_and_octet_counted_tcp(self):
        lines = sample_lines(2000)
        expected = report_counts(lines)
        samples = self.forward([("rs-udp", "udp", 'template="FullTagForward"'),
                                ("rs-tcp", "tcp", 'template="FullTagForward"'),
                                ("rs-octet", "tcp", 'template="FullTagForward" TCP_Framing="octet-counted"')],
                               lines, templates=FULL_TAG_TEMPLATE)
        for name in ("rs-udp", "rs-tcp", "rs-octet"):
            self.assertEqual(source_counts(samples, name), expected, name)
            # rsyslog keeps the HOSTNAME of the messages it relays.
            self.assertEqual(metric_sum(samples, "mta_exporter_syslog_messages_total", source=name, host="mx1"),
                             len(lines), name)
        # Each source ran its own pipeline: the delivery metrics hold three times one source's.
        self.assertEqual(metric_sum(samples, "mta_deliveries_total") % 3, 0)

    def test_rsyslog_default_forward_format(self):
        # omfwd's default template (RSYSLOG_TraditionalForwardFormat, also what the legacy
        # "*.* @@host:port" line uses) cuts the TAG to 32 characters, as RFC 3164 allows:
        # "postfix/submission/smtpd[1139278]:" arrives as "postfix/submission/smtpd[1139278 warning: ...".
        # The message is intact and must still be read.
        lines = sample_lines(2000)
        samples = self.forward([("rs-default", "tcp", "")], lines)
        self.assertEqual(source_counts(samples, "rs-default"), report_counts(lines))
        self.assertEqual(metric_sum(samples, "mta_exporter_syslog_messages_total", source="rs-default", host="mx1"),
                         len(lines))

    def test_rsyslog_rfc5424_forward_format(self):
        # RSYSLOG_SyslogProtocol23Format is "... %MSGID% %STRUCTURED-DATA% %msg%": for a message received
        # in RFC 3164 form %msg% keeps the space after "tag:", so MSG starts with a space. (Without
        # parser.permitSlashInProgramName rsyslog's APP-NAME would be "postfix" for "postfix/smtp", which
        # no receiver can undo: a configuration matter, set here.)
        lines = sample_lines(2000)
        samples = self.forward([("rs-5424", "tcp", 'template="RSYSLOG_SyslogProtocol23Format" '
                                                   'TCP_Framing="octet-counted"')],
                               lines, global_extra='global(parser.permitSlashInProgramName="on")')
        self.assertEqual(source_counts(samples, "rs-5424"), report_counts(lines))
        self.assertEqual(metric_sum(samples, "mta_exporter_syslog_messages_total", source="rs-5424", host="mx1"),
                         len(lines))


# --- 2. logrotate -----------------------------------------------------------------------------------

def run_logrotate(logrotate, folder, conf_text):
    """Runs logrotate -f on `conf_text` with a state file in `folder`; returns the finished process."""
    conf = os.path.join(folder, "logrotate.conf")
    with open(conf, "w") as out:
        out.write(conf_text)
    os.chmod(conf, 0o644)
    return subprocess.run([logrotate, "-s", os.path.join(folder, "logrotate.state"), "-f", conf],
                          capture_output=True, text=True, timeout=120)


class LogrotateTest(unittest.TestCase):
    def run_logrotate(self, logrotate, folder, conf_text):
        result = run_logrotate(logrotate, folder, conf_text)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_logrotate_create_mode_with_writer_running(self):
        logrotate = require_program("logrotate", "logrotate", "/usr/sbin/logrotate")
        with TempFolder() as folder:
            log = os.path.join(folder, "mail.log")
            flag = os.path.join(folder, "reopen")
            open(log, "w").close()
            agent = RunAgent(folder, file_source("mail", log, "end"))
            # postrotate plays the daemon's HUP: the writer reopens the path when the flag appears,
            # and until then keeps appending to the renamed file, as rsyslog does.
            conf = (f"{log} {{\n  rotate 10\n  create 0644\n  nocompress\n  missingok\n"
                    f"  postrotate\n    touch {flag}\n  endscript\n}}\n")
            writer = LogWriter(log, sample_lines(), reopen_flag=flag)
            try:
                wait_for(lambda: http_get(agent.url("/-/ready"))[0] == 200, what="ready")
                writer.resume()
                started_at = []  # len(written) when logrotate was started
                for rotation in range(3):
                    time.sleep(0.7)
                    started_at.append(len(writer.written))
                    self.run_logrotate(logrotate, folder, conf)
                    wait_for(lambda: writer.reopens == rotation + 1, what="the writer to reopen the log")
                time.sleep(0.5)
                total = writer.stop()
                on_disk = sum(count_newlines(os.path.join(folder, name)) for name in os.listdir(folder)
                              if name.startswith("mail.log"))
                self.assertEqual(on_disk, total)
                counted = settled_lines(agent, "mail", total)
                # At most these lines went to the renamed file after logrotate had started.
                window = sum(end - start for start, end in zip(started_at, writer.reopened_at))
                print(f"\n  logrotate create: {total} lines written, {counted} counted; "
                      f"{window} written while logrotate ran and before the writer reopened", flush=True)
                self.assertEqual(counted, total,
                                 f"{total - counted} of the {window} lines the writer appended to the renamed file "
                                 f"before it reopened mail.log were not counted:\n{agent.agent_log()[-800:]}")
                samples = agent.metrics()
                self.assertEqual(source_counts(samples, "mail"), report_counts(writer.written))
                self.assertEqual(metric_sum(samples, "mta_exporter_source_rotations_total", source="mail"), 3)
            finally:
                writer.stopping.set()
                self.assertEqual(agent.stop(), 0)

    def test_logrotate_copytruncate(self):
        logrotate = require_program("logrotate", "logrotate", "/usr/sbin/logrotate")
        with TempFolder() as folder:
            log = os.path.join(folder, "mail.log")
            open(log, "w").close()
            agent = RunAgent(folder, file_source("mail", log, "end"))
            conf = f"{log} {{\n  rotate 10\n  copytruncate\n  nocompress\n  missingok\n}}\n"
            writer = LogWriter(log, sample_lines())
            try:
                wait_for(lambda: http_get(agent.url("/-/ready"))[0] == 200, what="ready")
                writer.resume()
                for rotation in range(3):
                    time.sleep(0.7)
                    # copytruncate cannot be exact with the writer running: what is appended between
                    # logrotate's copy and its truncate is in neither file, and what the reader had not
                    # read yet at the truncate is only in the copy, which a follower of the path does
                    # not read. Those losses are the mode's, not the agent's, so the writer pauses and
                    # the agent catches up around the logrotate call; everything else must be exact.
                    writer.pause()
                    wait_for(lambda: source_lines(agent, "mail") == len(writer.written), timeout=30,
                             what="the agent to catch up before copytruncate")
                    self.run_logrotate(logrotate, folder, conf)
                    writer.resume()
                time.sleep(0.5)
                total = writer.stop()
                wait_for(lambda: source_lines(agent, "mail") >= total, timeout=30, what=f"{total} lines counted")
                self.assertTrue(stays(lambda: source_lines(agent, "mail") == total), agent.agent_log()[-800:])
                samples = agent.metrics()
                self.assertEqual(source_counts(samples, "mail"), report_counts(writer.written))
                self.assertEqual(metric_sum(samples, "mta_exporter_source_truncations_total", source="mail"), 3)
                self.assertEqual(metric_sum(samples, "mta_exporter_source_rotations_total", source="mail"), 0)
                on_disk = sum(count_newlines(os.path.join(folder, name)) for name in os.listdir(folder)
                              if name.startswith("mail.log"))
                self.assertEqual(on_disk, total)
            finally:
                writer.stopping.set()
                self.assertEqual(agent.stop(), 0)


# --- 3. checkpoints ---------------------------------------------------------------------------------

CHECKPOINT_TOML = '[checkpoint]\npath = "checkpoint"\ninterval_seconds = 1\n'


class CheckpointTest(unittest.TestCase):
    def test_sigkill_restart_resumes_at_the_checkpoint(self):
        with TempFolder() as folder:
            log = os.path.join(folder, "mail.log")
            checkpoint = os.path.join(folder, "checkpoint")
            key = f"mail:{log}"
            open(log, "w").close()
            sources = file_source("mail", log, "checkpoint")
            agent = RunAgent(folder, sources, CHECKPOINT_TOML, run="run1")
            writer = LogWriter(log, sample_lines(), burst=2)
            try:
                writer.write_now(1000)
                wait_for(lambda: checkpoint_offset(checkpoint, key) == os.path.getsize(log),
                         what="the checkpoint to cover the first 1000 lines")
                self.assertEqual(source_lines(agent, "mail"), 1000)
                writer.resume()
                for _ in range(2):  # two more checkpoints while the writer appends
                    last = checkpoint_offset(checkpoint, key)
                    wait_for(lambda: checkpoint_offset(checkpoint, key) > last, what="a checkpoint further on")
                # The count is read with the writer paused, so the kill comes at a known count: a checkpoint
                # written between reading a moving count and the kill could cover lines it had not seen.
                writer.pause()
                wait_for(lambda: source_lines(agent, "mail") == len(writer.written), what="run1 caught up")
                counted_before_kill = source_lines(agent, "mail")
                self.assertEqual(agent.kill(), -signal.SIGKILL)
                writer.resume()
                offset = checkpoint_offset(checkpoint, key)
                time.sleep(0.5)  # the writer keeps appending while the agent is down
                with open(log, "rb") as data:
                    data.seek(offset - 1)
                    self.assertEqual(data.read(1), b"\n", "the checkpoint offset is not at a line end")
                checkpointed_lines = count_newlines_before(log, offset)
                self.assertGreaterEqual(checkpointed_lines, 1000)
                # Lines counted after the last checkpoint are counted again after the restart (at least
                # once): the checkpoint cannot be ahead of what was counted.
                self.assertLessEqual(checkpointed_lines, counted_before_kill)

                agent = RunAgent(folder, sources, CHECKPOINT_TOML, run="run2")
                time.sleep(0.5)
                total = writer.stop()
                self.assertEqual(count_newlines(log), total)
                expected = total - checkpointed_lines
                wait_for(lambda: source_lines(agent, "mail") >= expected, timeout=30,
                         what=f"{expected} lines in the second run")
                self.assertTrue(stays(lambda: source_lines(agent, "mail") == expected), agent.agent_log())
                self.assertEqual(source_counts(agent.metrics(), "mail"), report_counts(writer.written[checkpointed_lines:]))
                print(f"\n  sigkill: total {total} lines, run1 counted {counted_before_kill} before the kill, "
                      f"checkpoint at byte {offset} = {checkpointed_lines} lines, run2 counted {expected}", flush=True)
            finally:
                writer.stopping.set()
                agent.stop()

    def test_sigterm_restart_counts_every_line_once(self):
        with TempFolder() as folder:
            log = os.path.join(folder, "mail.log")
            checkpoint = os.path.join(folder, "checkpoint")
            open(log, "w").close()
            sources = file_source("mail", log, "checkpoint")
            agent = RunAgent(folder, sources, CHECKPOINT_TOML, run="run1")
            writer = LogWriter(log, sample_lines(), burst=2)
            try:
                writer.resume()
                time.sleep(1.5)
                writer.pause()
                wait_for(lambda: source_lines(agent, "mail") == len(writer.written), what="run1 caught up")
                run1 = source_lines(agent, "mail")
                self.assertEqual(agent.stop(), 0)
                # SIGTERM writes the checkpoint on the way out, at the end of what was counted.
                self.assertEqual(checkpoint_offset(checkpoint, f"mail:{log}"), os.path.getsize(log))
                writer.resume()  # appends while the agent is down and while it starts again
                time.sleep(0.7)
                agent = RunAgent(folder, sources, CHECKPOINT_TOML, run="run2")
                time.sleep(0.7)
                total = writer.stop()
                wait_for(lambda: run1 + source_lines(agent, "mail") >= total, timeout=30, what="run2 caught up")
                self.assertTrue(stays(lambda: run1 + source_lines(agent, "mail") == total), agent.agent_log())
                run2 = source_lines(agent, "mail")
                self.assertEqual(run1 + run2, total)
                print(f"\n  sigterm: total {total} = run1 {run1} + run2 {run2}", flush=True)
            finally:
                writer.stopping.set()
                agent.stop()

    def test_rotation_while_down_resumes_in_the_rotated_file(self):
        with TempFolder() as folder:
            log = os.path.join(folder, "mail.log")
            checkpoint = os.path.join(folder, "checkpoint")
            key = f"mail:{log}"
            open(log, "w").close()
            sources = file_source("mail", log, "checkpoint")
            agent = RunAgent(folder, sources, CHECKPOINT_TOML, run="run1")
            lines = sample_lines()
            writer = LogWriter(log, lines, burst=2)
            try:
                writer.resume()
                wait_for(lambda: checkpoint_offset(checkpoint, key), what="a checkpoint while the writer appends")
                self.assertEqual(agent.kill(), -signal.SIGKILL)  # the writer keeps appending
                offset = checkpoint_offset(checkpoint, key)
                time.sleep(0.3)
                # Rename-and-create while the agent is down: the writer finishes in the renamed file,
                # then reopens the path.
                os.rename(log, log + ".1")
                time.sleep(0.3)
                writer.pause()
                old_total = len(writer.written)
                writer.out.close()
                writer.out = open(log, "ab", buffering=0)
                writer.write_now(700)
                checkpointed_lines = count_newlines_before(log + ".1", offset)
                self.assertEqual(count_newlines(log + ".1"), old_total)
                expected = old_total - checkpointed_lines + 700

                agent = RunAgent(folder, sources, CHECKPOINT_TOML, run="run2")
                wait_for(lambda: source_lines(agent, "mail") >= expected, timeout=30,
                         what=f"{expected} lines: the rest of mail.log.1 and the new mail.log")
                self.assertTrue(stays(lambda: source_lines(agent, "mail") == expected), agent.agent_log())
                self.assertIn("resuming in the rotated file first", agent.agent_log())
                self.assertEqual(source_counts(agent.metrics(), "mail"),
                                 report_counts(writer.written[checkpointed_lines:]))
                # It follows the new file afterwards, and the checkpoint moves to it.
                writer.resume()
                time.sleep(1.0)
                total = writer.stop()
                expected = total - checkpointed_lines
                wait_for(lambda: source_lines(agent, "mail") == expected, timeout=30, what="appended lines")
                new_inode = os.stat(log).st_ino
                wait_for(lambda: read_checkpoint(checkpoint)[("file", key)][1:5:3] ==
                         (new_inode, os.path.getsize(log)), what="the checkpoint to move to the new file")
                print(f"\n  rotation while down: checkpoint at byte {offset} of mail.log.1 = {checkpointed_lines} "
                      f"of its {old_total} lines; run2 counted {old_total - checkpointed_lines} + 700 + "
                      f"{total - old_total - 700} = {expected}", flush=True)
            finally:
                writer.stopping.set()
                agent.stop()


    def test_sigkill_before_the_writer_reopened_after_a_rotation(self):
        # Rename-and-create as logrotate does it: the new file exists at once, the daemon keeps
        # appending to the renamed one until its HUP. An agent killed in between must find, after the
        # restart, what was appended to the renamed file meanwhile: the checkpoint may not point into the
        # new file while the old one can still grow (resuming in a renamed file is supported).
        with TempFolder() as folder:
            log = os.path.join(folder, "mail.log")
            checkpoint = os.path.join(folder, "checkpoint")
            key = f"mail:{log}"
            open(log, "w").close()
            sources = file_source("mail", log, "checkpoint")
            agent = RunAgent(folder, sources, CHECKPOINT_TOML, run="run1")
            writer = LogWriter(log, sample_lines(), burst=2)
            try:
                writer.resume()
                time.sleep(1.0)
                os.rename(log, log + ".1")
                open(log, "w").close()  # logrotate's "create"; the writer still appends to mail.log.1
                wait_for(lambda: "rotated" in agent.agent_log(), what="the agent to see the rotation")
                time.sleep(0.5)
                writer.pause()
                wait_for(lambda: source_lines(agent, "mail") == len(writer.written), what="run1 caught up")
                run1 = len(writer.written)
                before = modified_at(checkpoint)
                wait_for(lambda: modified_at(checkpoint) > before, what="a checkpoint after catching up")
                entry = read_checkpoint(checkpoint)[("file", key)]
                self.assertEqual(agent.kill(), -signal.SIGKILL)
                writer.resume()  # still into the renamed file: no HUP yet
                time.sleep(0.5)
                writer.pause()
                in_renamed = len(writer.written) - run1
                writer.out.close()
                writer.out = open(log, "ab", buffering=0)  # the HUP
                writer.resume()
                time.sleep(0.5)
                total = writer.stop()
                self.assertEqual(count_newlines(log + ".1") + count_newlines(log), total)

                agent = RunAgent(folder, sources, CHECKPOINT_TOML, run="run2")
                run2 = settled_lines(agent, "mail", total - run1)
                where = "mail.log (new)" if entry[1] == os.stat(log).st_ino else "mail.log.1 (renamed)"
                print(f"\n  SIGKILL before the writer reopened: run1 {run1}, checkpoint in {where} at byte {entry[4]}; "
                      f"then {in_renamed} lines into mail.log.1 and {total - run1 - in_renamed} into mail.log; "
                      f"run2 counted {run2} of {total - run1}", flush=True)
                self.assertEqual(run2, total - run1, f"checkpoint in {where}\n{agent.agent_log()}")
            finally:
                writer.stopping.set()
                agent.stop()


# --- 4. journal -------------------------------------------------------------------------------------

def journal_export(lines, first_index):
    """Journal Export Format for sample lines "TIMESTAMP HOST IDENT[PID]: MESSAGE"."""
    out = []
    base = 1_700_000_000_000_000
    for i, line in enumerate(lines, start=first_index):
        _, host, tag, message = line.split(" ", 3)
        tag = tag.rstrip(":")
        ident, _, pid = tag.partition("[")
        fields = [f"__REALTIME_TIMESTAMP={base + i * 1000}", f"__MONOTONIC_TIMESTAMP={1_000_000 + i * 1000}",
                  "_BOOT_ID=4c6f6e6720746573742062c3b66f7421", f"_HOSTNAME={host}", f"SYSLOG_IDENTIFIER={ident}",
                  "PRIORITY=6", "SYSLOG_FACILITY=2", f"MESSAGE={message}"]
        if pid:
            fields.append(f"SYSLOG_PID={pid.rstrip(']')}")
        out.append("\n".join(fields) + "\n\n")
    return "".join(out).encode()


class JournalTest(unittest.TestCase):
    def write_journal(self, remote, path, lines, first_index):
        result = subprocess.run([remote, f"--output={path}", "--split-mode=none", "-"],
                                input=journal_export(lines, first_index), capture_output=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr.decode())

    def test_journal_directory_match_and_cursor_checkpoint(self):
        remote = require_program("systemd-journal-remote", "systemd-journal-remote",
                                 "/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote")
        lines = sample_lines()
        identifiers = ("postfix/smtp", "postfix/smtpd")

        def selected(chunk):
            return [line for line in chunk if line.split(" ", 3)[2].split("[")[0].rstrip(":") in identifiers]

        batch1, batch2, batch3 = lines[:1500], lines[1500:2500], lines[2500:4000]
        with TempFolder() as folder:
            journal_dir = os.path.join(folder, "journal")
            os.makedirs(journal_dir)
            journal = os.path.join(journal_dir, "remote.journal")
            self.write_journal(remote, journal, batch1, 0)
            matches = ", ".join(f'"SYSLOG_IDENTIFIER={ident}"' for ident in identifiers)
            source = (f'[[source]]\ntype = "journal"\nname = "journal"\ndirectory = "journal"\n'
                      f'match = [{matches}]\nstart_at = "%s"\n')
            agent = RunAgent(folder, source % "beginning", CHECKPOINT_TOML, run="run1")
            try:
                expected1 = selected(batch1)
                wait_for(lambda: source_lines(agent, "journal") >= len(expected1), timeout=30,
                         what=f"{len(expected1)} journal entries")
                self.assertTrue(stays(lambda: source_lines(agent, "journal") == len(expected1)))
                self.assertEqual(source_counts(agent.metrics(), "journal"), report_counts(expected1))
                # Entries appended to the journal file while the agent runs (sd_journal_wait).
                self.write_journal(remote, journal, batch2, 1500)
                expected2 = selected(batch1 + batch2)
                wait_for(lambda: source_lines(agent, "journal") >= len(expected2), timeout=30,
                         what=f"{len(expected2)} entries after appending")
                self.assertTrue(stays(lambda: source_lines(agent, "journal") == len(expected2)))
                self.assertEqual(source_counts(agent.metrics(), "journal"), report_counts(expected2))
                self.assertEqual(agent.stop(), 0, agent.agent_log())
                cursor = read_checkpoint(os.path.join(folder, "checkpoint")).get(("journal", "journal"))
                self.assertTrue(cursor and cursor.startswith("s="), cursor)

                # Down: more entries, in a second journal file of the folder.
                self.write_journal(remote, os.path.join(journal_dir, "second.journal"), batch3, 2500)
                agent = RunAgent(folder, source % "checkpoint", CHECKPOINT_TOML, run="run2")
                expected3 = selected(batch3)
                wait_for(lambda: source_lines(agent, "journal") >= len(expected3), timeout=30,
                         what=f"{len(expected3)} new entries only ({agent.agent_log()[-500:]})")
                self.assertTrue(stays(lambda: source_lines(agent, "journal") == len(expected3)), agent.agent_log())
                samples = agent.metrics()
                self.assertEqual(source_counts(samples, "journal"), report_counts(expected3))
                self.assertEqual(metric_sum(samples, "mta_exporter_source_up", source="journal"), 1)
                print(f"\n  journal: run1 {len(expected2)} of {len(batch1) + len(batch2)} entries matched "
                      f"{identifiers}; run2 from the cursor {len(expected3)} of {len(batch3)}", flush=True)
            finally:
                agent.stop()


# --- 5. malformed input on the sockets --------------------------------------------------------------

def received_close(sock, timeout):
    """True when the peer closes the connection (EOF or reset) within `timeout` seconds."""
    sock.settimeout(timeout)
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


class MalformedSyslogTest(unittest.TestCase):
    def setUp(self):
        self.folder_context = TempFolder()
        self.folder = self.folder_context.__enter__()
        self.tcp, self.udp = free_port(), free_udp_port()
        self.unix = os.path.join(self.folder, "syslog.sock")
        self.agent = RunAgent(self.folder, (
            f'[[source]]\ntype = "syslog"\nname = "tcp"\nlisten = "tcp://127.0.0.1:{self.tcp}"\n'
            f'max_frame_size = 1024\nmax_connections = 4\nidle_timeout_seconds = 3\n'
            f'[[source]]\ntype = "syslog"\nname = "udp"\nlisten = "udp://127.0.0.1:{self.udp}"\nmax_frame_size = 1024\n'
            f'[[source]]\ntype = "syslog"\nname = "unix"\nlisten = "unix://{self.unix}"\nmax_frame_size = 1024\n'))
        self.valid = ("<22>" + BOUNCE).encode()

    def tearDown(self):
        try:
            self.assertTrue(self.agent.alive(), self.agent.agent_log())
            self.assertEqual(self.agent.stop(), 0, self.agent.agent_log())
        finally:
            self.folder_context.__exit__(None, None, None)

    def counters(self, source):
        samples = self.agent.metrics()
        return (int(metric_sum(samples, "mta_exporter_lines_total", source=source)),
                int(metric_sum(samples, "mta_exporter_lines_total", source=source, result="matched")),
                int(metric_sum(samples, "mta_exporter_syslog_invalid_frames_total", source=source)))

    def expect(self, source, lines, matched, invalid, what):
        """Waits for the source's (lines, matched, invalid frames); invalid None: not checked."""
        def reached():
            counters = self.counters(source)
            return counters if counters[:2] == (lines, matched) and invalid in (None, counters[2]) else False
        wait_for(reached, what=f"{source} (lines, matched, invalid) == {(lines, matched, invalid)} after {what}")

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.tcp), timeout=5)

    def tcp_connections(self):
        """How many TCP connections the agent accepted (refused ones are not counted)."""
        return metric_sum(self.agent.metrics(), "mta_exporter_syslog_connections_total", source="tcp")

    def accepted_connection(self, accepted):
        """A new TCP connection that the agent accepts as its `accepted`-th. One that it refuses (it
        accepts before it reads the closes of the same poll round, so it may still count connections
        that were just closed) is closed and replaced by another."""
        def attempt():
            conn = self.connect()
            outcome = wait_for(lambda: "accepted" if self.tcp_connections() == accepted
                               else "refused" if received_close(conn, 0.1) else None,
                               what=f"connection {accepted} to be accepted or refused")
            if outcome == "accepted":
                return conn
            conn.close()
            return None
        return wait_for(attempt, what=f"the agent to accept connection {accepted}")

    def test_tcp_garbage_nul_and_overlong_frames(self):
        with self.connect() as conn:
            conn.sendall(self.valid + b"\n" + self.valid + b"\n")
            self.expect("tcp", 2, 2, 0, "two valid frames")
            # Bytes that are no syslog message are still a line (ignored); a frame of NULs is empty.
            conn.sendall(b"\x00\x01\xff\xfe garbage \x00\n\x00\x00\x00\n" + self.valid + b"\n")
            self.expect("tcp", 4, 3, 0, "garbage, NULs, a valid frame")
            # A newline frame longer than max_frame_size is dropped, the connection goes on.
            conn.sendall(b"<22>" + b"A" * 3000 + b"\n" + self.valid + b"\n")
            self.expect("tcp", 5, 4, 1, "a 3004-byte newline frame")
            # Same, arriving in pieces (the reader skips to the next LF).
            conn.sendall(b"<22>" + b"B" * 1500)
            time.sleep(0.3)
            conn.sendall(b"B" * 1500)
            time.sleep(0.3)
            conn.sendall(b"B\n" + self.valid + b"\n")
            self.expect("tcp", 6, 5, 2, "a long newline frame sent in three pieces")
            # Octet counting on the same server: "LEN SP MSG".
            frame = b"%d %s" % (len(self.valid), self.valid)
            conn.sendall(frame)
            self.expect("tcp", 7, 6, 2, "an octet-counted frame")
            # The same in pieces: the length itself split, then the message.
            for piece in (frame[:1], frame[1:3], frame[3:50], frame[50:]):
                conn.sendall(piece)
                time.sleep(0.1)
            self.expect("tcp", 8, 7, 2, "an octet-counted frame sent in four pieces")
        self.assertTrue(self.agent.alive())

    def test_tcp_overlong_octet_count_drops_the_connection(self):
        with self.connect() as conn:
            conn.sendall(b"99999 <22>" + b"C" * 100)
            self.assertTrue(received_close(conn, 30), "the agent kept a connection whose octet count exceeds "
                                                     "max_frame_size")
        self.expect("tcp", 0, 0, 1, "an octet count over max_frame_size")
        with self.connect() as conn:
            conn.sendall(b"%d %s" % (len(self.valid), self.valid))
            self.expect("tcp", 1, 1, 1, "a valid frame on a new connection")

    def test_tcp_half_sent_octet_frame_then_close(self):
        with self.connect() as conn:
            conn.sendall(b"%d %s" % (len(self.valid), self.valid[:100]))
        with self.connect() as conn:
            conn.sendall(b"%d %s" % (len(self.valid), self.valid))
            self.expect("tcp", 1, 1, None, "a valid frame after a half-sent one")
        self.assertTrue(stays(lambda: self.counters("tcp")[:2] == (1, 1), 0.5))

    def test_tcp_newline_frame_after_an_overlong_one_starting_with_a_digit(self):
        # Lines without <PRI> (a relay that forwards file lines as they are) start with a digit when
        # their timestamp is ISO. The over-long frame before must not cost the lines after it.
        lines = [line.encode() for line in sample_lines(3)]
        with self.connect() as conn:
            conn.sendall(lines[0] + b"\n" + b"D" * 2000 + b"\n" + lines[1] + b"\n" + lines[2] + b"\n")
            matched = report_counts([line.decode() for line in lines])["matched"]
            self.expect("tcp", 3, matched, 1, "line, over-long line, line, line")

    def test_tcp_max_connections_and_idle_timeout(self):
        held = [self.connect() for _ in range(4)]
        try:
            wait_for(lambda: self.tcp_connections() == 4, what="4 connections accepted")
            refused = [self.connect() for _ in range(3)]
            for conn in refused:
                self.assertTrue(received_close(conn, 30), "a connection beyond max_connections was kept")
                conn.close()
            self.assertEqual(self.tcp_connections(), 4)
            self.assertEqual(metric_sum(self.agent.metrics(), "mta_exporter_syslog_rejected_total", source="tcp",
                                        reason="connection_limit"), 3)
            for conn in held:
                conn.sendall(self.valid + b"\n")
            self.expect("tcp", 4, 4, 0, "one frame on each of the 4 held connections")
        finally:
            for conn in held:
                conn.close()
        # Once they are gone, new connections are accepted again.
        with self.accepted_connection(5) as conn:
            conn.sendall(self.valid + b"\n")
            self.expect("tcp", 5, 5, 0, "a frame on a new connection")
        # A connection that sends nothing is closed after idle_timeout_seconds (3).
        idle = self.connect()
        started = time.monotonic()
        self.assertTrue(received_close(idle, 10), "an idle connection was not closed")
        elapsed = time.monotonic() - started
        idle.close()
        self.assertGreater(elapsed, 2.5)
        self.assertLess(elapsed, 8)
        # One that keeps sending more often than that is not.
        with self.connect() as conn:
            for _ in range(4):
                conn.sendall(self.valid + b"\n")
                time.sleep(1.0)
            self.expect("tcp", 9, 9, 0, "four frames one second apart on one connection")

    def test_datagrams(self):
        for source, family, address in (("udp", socket.AF_INET, ("127.0.0.1", self.udp)),
                                        ("unix", socket.AF_UNIX, self.unix)):
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.sendto(self.valid, address)
                self.expect(source, 1, 1, 0, "a valid datagram")
                sock.sendto(b"\x00\x01\xff\xfe garbage \x00", address)
                sock.sendto(b"\x00\x00\x00", address)
                sock.sendto(b"", address)
                self.expect(source, 2, 1, 0, "garbage, NULs and an empty datagram")
                sock.sendto(self.valid + b" " + b"E" * (1024 - len(self.valid) - 1), address)
                self.expect(source, 3, 2, 0, "a datagram of exactly max_frame_size")
                sock.sendto(self.valid + b" " + b"E" * (1024 - len(self.valid)), address)
                sock.sendto(b"F" * 60000, address)
                self.expect(source, 3, 2, 2, "datagrams over max_frame_size")
                sock.sendto(self.valid, address)
                self.expect(source, 4, 3, 2, "a valid datagram afterwards")


# --- 6. container formats ---------------------------------------------------------------------------

def docker_record(text, time_index):
    """One json-file record as dockerd writes it (<, >, & escaped as \\u003c, \\u003e, \\u0026)."""
    record = json.dumps({"log": text, "stream": "stdout", "time": f"2024-03-04T00:00:{time_index % 60:02d}.123456789Z"},
                        separators=(",", ":"))
    return record.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


class ContainerFormatTest(unittest.TestCase):
    def test_docker_and_cri_logs(self):
        lines = sample_lines(300) + [BOUNCE]
        with TempFolder() as folder:
            docker = os.path.join(folder, "container-json.log")
            cri = os.path.join(folder, "container-cri.log")
            with open(docker, "w") as out:
                for i, line in enumerate(lines):
                    if i % 50 == 0 or line is BOUNCE:
                        # dockerd splits lines longer than 16 KiB into records without the final \n.
                        out.write(docker_record(line[:30], i))
                        out.write(docker_record(line[30:] + "\n", i))
                    else:
                        out.write(docker_record(line + "\n", i))
            with open(cri, "w") as out:
                for i, line in enumerate(lines):
                    stamp = f"2024-03-04T00:00:{i % 60:02d}.123456789Z"
                    if i % 50 == 0 or line is BOUNCE:
                        out.write(f"{stamp} stdout P {line[:30]}\n{stamp} stdout P {line[30:60]}\n"
                                  f"{stamp} stdout F {line[60:]}\n")
                    else:
                        out.write(f"{stamp} {'stderr' if i % 7 == 0 else 'stdout'} F {line}\n")
            agent = RunAgent(folder, file_source("docker", docker, extra='format = "docker"') +
                             file_source("cri", cri, extra='format = "cri"'))
            try:
                expected = report_counts(lines)
                for source in ("docker", "cri"):
                    wait_for(lambda: source_lines(agent, source) >= len(lines), what=f"{len(lines)} lines on {source}")
                self.assertTrue(stays(lambda: all(source_lines(agent, s) == len(lines) for s in ("docker", "cri")),
                                      0.5))
                samples = agent.metrics()
                for source in ("docker", "cri"):
                    self.assertEqual(source_counts(samples, source), expected, source)
                # The split bounce is whole again: its reply is read with its address (\u003c decoded).
                self.assertEqual(metric_sum(samples, "mta_smtp_replies_total", cause="mailbox_unknown",
                                            provider="google", enhanced_code="5.1.1"), 2)
                # Appended records are decoded too (a partial record, then its end a moment later).
                with open(docker, "a") as out:
                    out.write(docker_record(BOUNCE[:50], 1))
                    out.flush()
                    time.sleep(0.5)
                    out.write(docker_record(BOUNCE[50:] + "\n", 1))
                with open(cri, "a") as out:
                    out.write(f"2024-03-04T00:01:00.1Z stdout P {BOUNCE[:50]}\n")
                    out.flush()
                    time.sleep(0.5)
                    out.write(f"2024-03-04T00:01:00.2Z stdout F {BOUNCE[50:]}\n")
                for source in ("docker", "cri"):
                    wait_for(lambda: source_lines(agent, source) == len(lines) + 1, what=f"the appended line on {source}")
                self.assertEqual(metric_sum(agent.metrics(), "mta_smtp_replies_total", cause="mailbox_unknown",
                                            provider="google", enhanced_code="5.1.1"), 4)
            finally:
                self.assertEqual(agent.stop(), 0)


# --- 7. SIGHUP reload -------------------------------------------------------------------------------

SITE_RULE = '[[rule]]\nname = "partner-full"\ncause = "quota"\n[rule.match]\ntext = "zorblax mailbox overflow"\n'
PARTNER_REPLY = ("Mar  4 00:00:09 mx1 postfix/smtp[124]: 4A1B2C3D4E: to=<b@partner.example>, relay=mx.partner.example"
                 "[192.0.2.25]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.0.0, status=bounced (host mx.partner.example"
                 "[192.0.2.25] said: 554 zorblax mailbox overflow (in reply to end of DATA command))")


class ReloadTest(unittest.TestCase):
    def test_sighup_keeps_unchanged_sources_and_applies_rules(self):
        with TempFolder() as folder:
            a, b, c = (os.path.join(folder, f"{name}.log") for name in "abc")
            with open(a, "w") as out:
                out.write("".join(line + "\n" for line in sample_lines(500)))
            with open(b, "w") as out:
                out.write("".join(line + "\n" for line in sample_lines(300)))
            with open(c, "w") as out:
                out.write("".join(line + "\n" for line in sample_lines(200)))
            agent = RunAgent(folder, file_source("a", a) + file_source("b", b))
            try:
                wait_for(lambda: source_lines(agent, "a") == 500 and source_lines(agent, "b") == 300,
                         what="both files read")
                with open(a, "a") as out:
                    out.write(BOUNCE + "\n" + PARTNER_REPLY + "\n")
                wait_for(lambda: source_lines(agent, "a") == 502, what="lines appended to a.log")
                before = agent.metrics()
                # Before the rule, the partner's 554 is not a quota reply.
                self.assertEqual(metric_sum(before, "mta_smtp_replies_total", code="554", cause="quota"), 0)
                partner_before = metric_sum(before, "mta_smtp_replies_total", code="554")
                self.assertGreaterEqual(partner_before, 1)

                agent.write_config(file_source("a", a) + file_source("b", c), SITE_RULE)
                agent.signal(signal.SIGHUP)
                wait_for(lambda: "configuration reloaded" in agent.agent_log(), what="the reload")
                self.assertIn("started=1", agent.agent_log())
                # b follows its new file (read from the beginning) and keeps its counters.
                wait_for(lambda: source_lines(agent, "b") == 500, what="b.log's 300 + c.log's 200 lines")
                # a did not re-read its file.
                self.assertTrue(stays(lambda: source_lines(agent, "a") == 502, 1.5), agent.agent_log())
                after = agent.metrics()
                self.assertEqual(source_counts(after, "a"), source_counts(before, "a"))
                self.assertEqual(metric_sum(after, "mta_smtp_replies_total", code="554", cause="quota"), 0)

                # New lines on a: counted once, and the new site rule classifies on the running source.
                with open(a, "a") as out:
                    out.write(PARTNER_REPLY + "\n" + BOUNCE + "\n")
                with open(b, "a") as out:  # the old file of b is no longer read
                    out.write(BOUNCE + "\n")
                with open(c, "a") as out:
                    out.write(PARTNER_REPLY + "\n")
                wait_for(lambda: source_lines(agent, "a") == 504 and source_lines(agent, "b") == 501,
                         what="the lines appended after the reload")
                self.assertTrue(stays(lambda: source_lines(agent, "a") == 504 and source_lines(agent, "b") == 501))
                samples = agent.metrics()
                # The rule classifies on the kept source (a) and on the restarted one (b, from c.log).
                self.assertEqual(metric_sum(samples, "mta_smtp_replies_total", code="554", cause="quota"), 2)
                self.assertEqual(metric_sum(samples, "mta_smtp_replies_total", code="554"), partner_before + 2)
                self.assertEqual(agent.stop(), 0, agent.agent_log())
            finally:
                agent.stop()


    def test_sighup_changed_file_source_resumes_its_position(self):
        # README: "changed or new ones start (files resume from the in-memory positions)". A file source
        # whose table changed in something else than its path must neither read its file again nor
        # skip what is appended while it restarts; the writer keeps appending across the SIGHUP.
        for start_at, extra in (("checkpoint", CHECKPOINT_TOML), ("beginning", ""), ("end", "")):
            with self.subTest(start_at=start_at), TempFolder() as folder:
                log = os.path.join(folder, "mail.log")
                open(log, "w").close()
                agent = RunAgent(folder, file_source("mail", log, start_at), extra)
                writer = LogWriter(log, sample_lines(), burst=2)
                try:
                    wait_for(lambda: http_get(agent.url("/-/ready"))[0] == 200, what="ready")
                    writer.resume()
                    time.sleep(1.0)
                    agent.write_config(file_source("mail", log, start_at, "max_line_length = 32768"), extra)
                    agent.signal(signal.SIGHUP)
                    wait_for(lambda: "configuration reloaded" in agent.agent_log(), what="the reload")
                    self.assertIn("started=1", agent.agent_log())
                    time.sleep(1.0)
                    total = writer.stop()
                    counted = settled_lines(agent, "mail", total)
                    print(f"\n  SIGHUP, changed file source, start_at={start_at}: {total} lines written, "
                          f"{counted} counted", flush=True)
                    self.assertEqual(counted, total, f"start_at={start_at}\n{agent.agent_log()}")
                finally:
                    writer.stopping.set()
                    agent.stop()


# --- 8. globs ---------------------------------------------------------------------------------------

class GlobTest(unittest.TestCase):
    def test_glob_skips_archives_and_picks_up_new_files(self):
        with TempFolder() as top:
            folder = os.path.join(top, "logs")  # not where the agent writes its own agent.log
            os.makedirs(folder)

            def write(name, count):
                with open(os.path.join(folder, name), "w") as out:
                    out.write("".join(line + "\n" for line in sample_lines(count)))

            write("a.log", 100)
            write("b.log", 200)
            write("a.log.1", 1000)
            write("a.log-20261124", 1000)
            write("b.log.old", 1000)
            with gzip.open(os.path.join(folder, "b.log.2.gz"), "wt") as out:
                out.write("".join(line + "\n" for line in sample_lines(1000)))
            agent = RunAgent(top, file_source("logs", os.path.join(folder, "*.log")) +
                             file_source("all", os.path.join(folder, "*.log*")))

            # Both globs reach a.log, b.log and c.log: each file is read once, by one of the two sources.
            def both():
                return source_lines(agent, "logs") + source_lines(agent, "all")
            try:
                wait_for(lambda: both() >= 300, what="a.log and b.log")
                self.assertTrue(stays(lambda: both() == 300))
                write("c.log", 50)
                wait_for(lambda: both() >= 350, what="c.log")
                with open(os.path.join(folder, "b.log"), "a") as out:
                    out.write(BOUNCE + "\n")
                wait_for(lambda: both() >= 351, what="a line appended to b.log")
                self.assertTrue(stays(lambda: both() == 351))
                self.assertIn("log file already read by another reader, not read twice", agent.agent_log())
                self.assertIn("following new file", agent.agent_log())
                self.assertEqual(http_get(agent.url("/-/ready"))[0], 200)
            finally:
                self.assertEqual(agent.stop(), 0)


if __name__ == "__main__":
    harness.main()
