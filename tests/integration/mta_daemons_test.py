"""Real mail servers from Debian 12 packages, run on loopback by the test itself: each makes sent,
deferred, bounced and rejected mail, and `mta_exporter report` must count exactly that in the log the
daemon actually wrote.

Debian 12 (bookworm) package versions these tests were written and run against:
  postfix             3.7.11-0+deb12u1      (installed: smtp-sink is in it too)
  exim4-daemon-light  4.96-15+deb12u10      with exim4-base and exim4-config of the same version,
                                            extracted with dpkg -x, not installed (they conflict
                                            with postfix as mail-transport-agent); needs libidn12
  sendmail-bin        8.17.1.9-2+deb12u2    with sendmail-base and sendmail-cf, extracted
  opensmtpd           6.8.0p2-4+b4          extracted; needs libevent-2.1-7
deploy/install-deps.sh installs and extracts them, and creates the system users the servers insist
on; the test installs nothing, and fails, naming the piece, where one is missing.

Every daemon listens on 127.0.0.1 only and relays only to sinks on loopback addresses (smtp-sink, or the
small SMTP responder below); every domain used is routed by configuration, so no DNS query leaves the
machine. No wait depends on a daemon's own queue-run or retry timers: while the test waits for the
deliveries it runs the daemon's queue itself. A test skips only where it cannot run here at all (not
root, no mount namespaces), with the reason.

Environment: MTA_EXPORTER (the binary), MTA_DAEMONS_DIR (where deploy/install-deps.sh extracted the
packages; default its default).
"""

import grp
import os
import pwd
import re
import shutil
import signal
import smtplib
import socket
import socketserver
import stat
import subprocess
import threading
import time
import unittest

import harness
from harness import (BINARY, TempFolder, free_port, metric_sum, parse_metrics, port_open, require, require_program,
                     wait_for)

# The programs of Postfix (postfix, postkick, smtp-sink) live in the sbin folders.
for folder in ("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"):
    if folder not in os.environ.get("PATH", "").split(":"):
        os.environ["PATH"] = os.environ.get("PATH", "") + ":" + folder

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "mta")
DAEMONS_DIR = os.environ.get("MTA_DAEMONS_DIR") or "/opt/mta_exporter-test/daemons"
# How long a test waits for its daemon's deliveries: they come in seconds, since the test runs the
# queue itself; the margin is for a machine whose cores are busy with other tests.
DELIVERY_TIMEOUT = 120


# --- what deploy/install-deps.sh puts in place ------------------------------------------------------

def extracted_root(name):
    """DAEMONS_DIR/name/root: where deploy/install-deps.sh extracted the packages of one mail server."""
    root = os.path.join(DAEMONS_DIR, name, "root")
    require(os.path.isdir(root), f"{root}, the extracted {name} packages")
    return root


def require_executable(path):
    require(os.access(path, os.X_OK), path)


def require_libraries(binary):
    """The shared libraries an extracted binary needs, which deploy/install-deps.sh installs."""
    result = subprocess.run(["ldd", binary], capture_output=True, text=True)
    missing = [line.split()[0] for line in result.stdout.splitlines() if "not found" in line]
    require(not missing, f"libraries of {binary}: {', '.join(missing)}")


def require_user(user):
    """A system user an MTA binary insists on (what its package's postinst would create)."""
    try:
        pwd.getpwnam(user)
    except KeyError:
        require(False, f"system user {user}")


# --- processes, files, SMTP -------------------------------------------------------------------------

class Processes:
    """Every process the test starts, each in its own process group, all stopped at cleanup."""

    def __init__(self, folder):
        self.folder = folder
        self.started = []

    def start(self, name, argv, **kwargs):
        log = open(os.path.join(self.folder, f"{name}.out"), "wb")
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, **kwargs)
        log.close()
        self.started.append((name, process))
        return process

    def output(self, name):
        path = os.path.join(self.folder, f"{name}.out")
        if not os.path.exists(path):
            return ""
        with open(path, "rb") as out:
            return out.read().decode(errors="replace")

    def stop_all(self):
        for name, process in reversed(self.started):
            stop_group(process.pid, process)


def stop_group(pgid, leader=None, timeout=10.0):
    """SIGTERM to a process group, SIGKILL to what is left of it after timeout. The leader, when it is
    our child, is reaped on the way (a zombie still counts as a member of its group)."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if leader is not None:
            leader.poll()
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if leader is not None:
        leader.wait()


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def read_text(path):
    if not os.path.exists(path):
        return ""
    with open(path, "rb") as source:
        return source.read().decode(errors="replace")


def count_lines(path, pattern):
    regex = re.compile(pattern)
    return sum(1 for line in read_text(path).splitlines() if regex.search(line))


def wait_port(port, process=None, what="daemon", output=lambda: "", timeout=30):
    def ready():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}: {output()}")
        return port_open(port)
    wait_for(ready, timeout=timeout, what=f"{what} to listen on 127.0.0.1:{port}")


def submit(port, sender, recipient, subject="test"):
    """One message with one recipient over SMTP; returns (code, text) of the refusal, or None."""
    body = f"From: <{sender}>\r\nTo: <{recipient}>\r\nSubject: {subject}\r\n\r\nmta_exporter integration test\r\n"
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.test", timeout=30) as smtp:
        try:
            smtp.sendmail(sender, [recipient], body)
            return None
        except smtplib.SMTPRecipientsRefused as refused:
            code, text = refused.recipients[recipient]
            return code, text.decode(errors="replace")
        except smtplib.SMTPResponseException as error:
            return error.smtp_code, error.smtp_error.decode(errors="replace")


def report(log_path):
    """`mta_exporter report --format prometheus LOG`: (samples, exposition text)."""
    wait_for(lambda: os.path.exists(BINARY) or "/" not in BINARY, timeout=300, what=f"{BINARY} to exist")
    result = subprocess.run([BINARY, "report", "--format", "prometheus", log_path], capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"report exited with {result.returncode}: {result.stderr}")
    return parse_metrics(result.stdout), result.stdout


def replies_by_key(samples, mta):
    """{(direction, class, code, enhanced_code, cause): count} of mta_smtp_replies_total for one MTA."""
    replies = {}
    for (name, labels), value in samples.items():
        if name != "mta_smtp_replies_total" or value == 0:
            continue
        label = dict(labels)
        if label.get("mta") != mta:
            continue
        key = (label["direction"], label["class"], label["code"], label["enhanced_code"], label["cause"])
        replies[key] = replies.get(key, 0) + int(value)
    return replies


def labelled(samples, name, mta, *keys):
    """{tuple of label values: count} of one family for one MTA."""
    found = {}
    for (metric, labels), value in samples.items():
        label = dict(labels)
        if metric != name or value == 0 or label.get("mta") != mta:
            continue
        key = tuple(label.get(k, "") for k in keys)
        found[key] = found.get(key, 0) + int(value)
    return found


class SmtpResponder:
    """A minimal SMTP server on a loopback port (of 127.0.0.1 unless address says) that plays a remote
    mail server: it accepts everything, or answers RCPT TO, or the end of DATA, with a fixed reply. No
    pipelining, no TLS."""

    def __init__(self, rcpt_reply=None, data_reply=None, greeting="220 sink.example.test ESMTP test sink",
                 address="127.0.0.1"):
        responder = self
        self.accepted = 0
        self.lock = threading.Lock()

        class Handler(socketserver.StreamRequestHandler):
            timeout = 60

            def send(self, reply):
                self.wfile.write(reply.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self):
                try:
                    self.converse()
                except OSError:  # the client went away mid-reply
                    pass

            def converse(self):
                self.send(greeting)
                if not greeting.startswith("220"):
                    return
                recipients = 0
                while True:
                    line = self.rfile.readline(4096)
                    if not line:
                        return
                    verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self.send("250-sink.example.test\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 SIZE 10240000")
                    elif verb == "HELO":
                        self.send("250 sink.example.test")
                    elif verb == "MAIL":
                        recipients = 0
                        self.send("250 2.1.0 Ok")
                    elif verb == "RCPT":
                        if rcpt_reply:
                            self.send(rcpt_reply)
                        else:
                            recipients += 1
                            self.send("250 2.1.5 Ok")
                    elif verb == "DATA":
                        if not recipients:
                            self.send("503 5.5.1 Error: need RCPT command")
                            continue
                        self.send("354 End data with <CR><LF>.<CR><LF>")
                        while True:
                            data = self.rfile.readline(65536)
                            if not data or data in (b".\r\n", b".\n"):
                                break
                        if data_reply:
                            self.send(data_reply)
                        else:
                            with responder.lock:
                                responder.accepted += 1
                            self.send("250 2.0.0 Ok: queued as 4A1B2C3D")
                    elif verb == "RSET":
                        recipients = 0
                        self.send("250 2.0.0 Ok")
                    elif verb == "NOOP":
                        self.send("250 2.0.0 Ok")
                    elif verb == "QUIT":
                        self.send("221 2.0.0 Bye")
                        return
                    else:
                        self.send("502 5.5.2 Error: command not recognized")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server((address, 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class SyslogReceiver:
    """Plays the system's syslog daemon for a server in mta/sandbox.sh: reads what syslog(3) sends to
    /dev/log (a link to ROOT/syslog.sock there) and writes each message to a file the way rsyslog's
    traditional file format does ("Mmm dd hh:mm:ss HOST TAG[PID]: MESSAGE"): the host name is added,
    the priority removed, the rest kept as the daemon sent it."""

    def __init__(self, root, log_path, host="mx"):
        self.path = os.path.join(root, "syslog.sock")
        self.log_path = log_path
        self.host = host
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(self.path)
        os.chmod(self.path, 0o666)  # the daemons log from unprivileged processes too
        self.out = open(log_path, "ab", buffering=0)
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        self.socket.settimeout(0.2)
        while self.running:
            try:
                datagram = self.socket.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            self.out.write(self.format(datagram) + b"\n")

    def format(self, datagram):
        message = datagram.rstrip(b"\n\0")
        match = re.match(rb"<\d{1,3}>", message)
        if match:
            message = message[match.end():]
        if re.match(rb"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d ", message):
            return message[:16] + self.host.encode() + b" " + message[16:]
        stamp = time.strftime("%b %e %H:%M:%S").encode()
        return stamp + b" " + self.host.encode() + b" " + message

    def stop(self):
        self.running = False
        self.thread.join(5)
        self.socket.close()
        self.out.close()


SANDBOX = os.path.join(TEMPLATES, "sandbox.sh")


def sandboxed(test, root, argv, dev_log=False, mounts=()):
    """argv run inside mta/sandbox.sh (private mount and UTS namespace); skips when namespaces are
    not available here."""
    probe = subprocess.run(["unshare", "--mount", "--uts", "--propagation", "private", "true"], capture_output=True,
                           text=True)
    if probe.returncode != 0:
        test.skipTest(f"cannot make a private mount namespace (unshare --mount --uts): {probe.stderr.strip()}")
    options = (["--dev-log"] if dev_log else []) + [f"{source}:{target}" for source, target in mounts]
    return ["unshare", "--mount", "--uts", "--propagation", "private", "sh", SANDBOX, root, *options, "--", *argv]


def in_sandbox_of(daemon, argv):
    """argv run in the mount and UTS namespaces of a daemon started with sandboxed() (sandbox.sh execs
    the daemon, so its pid is the daemon's): a queue-run command there sees the daemon's private /var,
    /run and /dev/log, its host name and its hosts file, as the daemon's own processes do."""
    return ["nsenter", f"--target={daemon.pid}", "--mount", "--uts", "--", *argv]


_running_test = None


def stop_on_signal(signum, frame):
    """ctest's TIMEOUT (SIGTERM) or ^C: stop what the running test started, then leave."""
    if _running_test is not None:
        _running_test.doCleanups()
    os._exit(128 + signum)


class MtaTestCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        global _running_test
        _running_test = self
        self.folder_context = TempFolder()
        self.folder = self.folder_context.__enter__()
        # The daemons drop privileges: let their users reach their files below the temp folder.
        os.chmod(self.folder, 0o755)
        self.processes = Processes(self.folder)
        self.addCleanup(self.folder_context.__exit__, None, None, None)
        self.addCleanup(self.processes.stop_all)

    def responder(self, **kwargs):
        responder = SmtpResponder(**kwargs)
        self.addCleanup(responder.stop)
        return responder

    def render(self, template, target, **values):
        with open(os.path.join(TEMPLATES, template)) as source:
            text = source.read()
        for key, value in values.items():
            text = text.replace(f"@{key}@", str(value))
        leftover = re.findall(r"@[A-Z_]+@", text)
        self.assertFalse(leftover, f"{template}: no value for {leftover}")
        with open(target, "w") as out:
            out.write(text)
        return target

    def run_command(self, argv):
        """Runs a command of the daemon (a queue run); its failure fails the test with its output."""
        result = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
        self.assertEqual(result.returncode, 0, f"{' '.join(argv)}: {result.stdout}{result.stderr}")

    def deliver_until(self, counts, expected, queue_run, what):
        """Polls until each of counts() is at least the matching one of expected, with a queue run
        (queue_run()) between looks: the mail the test waits for is delivered at the next forced run
        if not before, never at the daemon's own queue-run or retry timers, however busy the machine.
        Returns the counts reached."""
        deadline = time.monotonic() + DELIVERY_TIMEOUT
        while True:
            seen = counts()
            if all(have >= want for have, want in zip(seen, expected)):
                return seen
            if time.monotonic() > deadline:
                self.fail(f"{what}: wanted at least {expected}, had {seen} after {DELIVERY_TIMEOUT}s")
            queue_run()
            time.sleep(1.0)

    def assert_report(self, log_path, mta, deliveries, replies, rejects):
        """Exact counts: deliveries {(direction, status)}, replies {(direction, class, code,
        enhanced_code, cause)}, rejects {(stage, cause)}; and no unmatched line."""
        samples, text = report(log_path)
        context = (f"\n--- captured log {log_path} ---\n{read_text(log_path)}--- report ---\n"
                   + "\n".join(line for line in text.splitlines() if "_bucket{" not in line))
        actual = {
            "unmatched lines": int(metric_sum(samples, "mta_exporter_lines_total", result="unmatched")),
            "mta_deliveries_total": labelled(samples, "mta_deliveries_total", mta, "direction", "status"),
            "mta_smtp_replies_total": replies_by_key(samples, mta),
            "mta_rejects_total": labelled(samples, "mta_rejects_total", mta, "stage", "cause"),
        }
        def nonzero(counts):
            return {key: value for key, value in counts.items() if value}
        expected = {"unmatched lines": 0, "mta_deliveries_total": nonzero(deliveries),
                    "mta_smtp_replies_total": nonzero(replies), "mta_rejects_total": nonzero(rejects)}
        # One comparison, so that a failure shows every difference at once.
        self.assertEqual(actual, expected, context)
        return samples


# --- the test mail, and what the remote servers answer ----------------------------------------------

# What each test domain's remote server answers, and how many messages the tests send there.
SINK_REPLIES = {
    "ok.test": {},
    "hard.test": {"rcpt_reply": "550 5.1.1 <user@hard.test>: Recipient address rejected: User unknown"},
    "soft.test": {"rcpt_reply": "452 4.2.2 Mailbox full, try again later"},
    "spam.test": {"data_reply": "554 5.7.1 Message rejected as spam"},
    "busy.test": {"greeting": "421 4.3.2 System not accepting network messages"},
}
SENT = {"ok.test": 3, "hard.test": 2, "soft.test": 2, "spam.test": 2, "busy.test": 1, "down.test": 1}
SENDER = "sender@ok.test"


def closed_port(test, address="127.0.0.1"):
    """A port where connections are refused, held for the test: a socket bound there that does not listen.
    A port only found free could be handed to a daemon the test starts next (the MTA's own smtpd, looping
    its mail back to itself)."""
    holder = socket.socket()
    holder.bind((address, 0))
    test.addCleanup(holder.close)
    return holder.getsockname()[1]


def start_sinks(test, addresses=None):
    """({domain: port}, {domain: SmtpResponder}): a responder per domain of SINK_REPLIES, and
    down.test on a closed port; each on 127.0.0.1 or on its loopback address in addresses."""
    addresses = addresses or {}

    def address(domain):
        return addresses.get(domain, "127.0.0.1")
    responders = {domain: test.responder(**replies, address=address(domain))
                  for domain, replies in SINK_REPLIES.items()}
    routes = {domain: responder.port for domain, responder in responders.items()}
    routes["down.test"] = closed_port(test, address("down.test"))
    return routes, responders


def send_accepted_mail(test, port, domains):
    """The messages of SENT to these domains, each accepted by the server."""
    for domain in domains:
        for i in range(SENT[domain]):
            test.assertIsNone(submit(port, SENDER, f"user{i}@{domain}"), domain)


def send_test_mail(test, port, relay_attempt=True, domains=tuple(SENT)):
    """SENT (or its messages to `domains`), then the recipients the server itself refuses: blocked
    (550 5.1.1) twice, grey (4xx greylisting) once and, with relay_attempt, one relay attempt. Returns
    the refusals."""
    send_accepted_mail(test, port, domains)
    refused = ["blocked@ok.test", "blocked@ok.test", "grey@ok.test"] + (["someone@other.test"] if relay_attempt else [])
    return [submit(port, SENDER, rcpt) for rcpt in refused]


# --- Postfix ----------------------------------------------------------------------------------------

class PostfixTest(MtaTestCase):
    """A private Postfix instance (own config and queue folders, maillog_file through postlogd) that
    relays to smtp-sink instances answering with chosen codes, and rejects some recipients itself."""

    def setUp(self):
        super().setUp()
        for program in ("/usr/sbin/postfix", "/usr/sbin/smtp-sink", "/usr/sbin/postconf", "/usr/sbin/postkick"):
            require_executable(program)
        master_cf = read_text("/etc/postfix/master.cf") + read_text("/usr/share/postfix/master.cf.dist")
        require("postlogd" in master_cf, "Postfix's postlog service (maillog_file needs Postfix >= 3.4)")

    def sink(self, name, *options):
        port = free_port()
        process = self.processes.start(f"sink-{name}", ["/usr/sbin/smtp-sink", "-u", "nobody", *options,
                                                         f"127.0.0.1:{port}", "16"])
        wait_port(port, process, f"smtp-sink {name}", lambda: self.processes.output(f"sink-{name}"))
        return port

    def postfix(self, etc, *args, sandbox=False):
        """Runs a postfix command against the private instance; Postfix writes its errors to a terminal
        only, so a pseudo-terminal stands in for one. With sandbox, in mta/sandbox.sh (the daemons
        that `postfix start` leaves running stay in its namespace)."""
        import pty
        argv = ["/usr/sbin/postfix", "-c", etc, *args]
        if sandbox:
            argv = sandboxed(self, self.folder, argv)
        master, slave = pty.openpty()
        try:
            result = subprocess.run(argv, stdin=subprocess.DEVNULL,
                                    stdout=slave, stderr=slave, timeout=120)
            os.close(slave)
            slave = -1
            chunks = []
            while True:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            return result.returncode, b"".join(chunks).decode(errors="replace")
        finally:
            os.close(master)
            if slave >= 0:
                os.close(slave)

    def test_postfix_sent_deferred_bounced_rejected(self):
        etc = os.path.join(self.folder, "etc")
        os.makedirs(etc)
        os.makedirs(os.path.join(self.folder, "queue"))
        os.makedirs(os.path.join(self.folder, "data"))
        shutil.chown(os.path.join(self.folder, "data"), user="postfix")
        maillog = os.path.join(self.folder, "maillog")

        ok = self.sink("ok")
        hard = self.sink("hard", "-f", "RCPT", "-B", SINK_REPLIES["hard.test"]["rcpt_reply"])
        soft = self.sink("soft", "-r", "RCPT", "-b", SINK_REPLIES["soft.test"]["rcpt_reply"])
        spam = self.sink("spam", "-f", ".", "-B", SINK_REPLIES["spam.test"]["data_reply"])
        # -Q: "421 4.0.0 Server closing connection", smtp-sink's fixed text (a generic X.0.0 code: the
        # cause taxonomy's tier G says "other" before the basic code's tier B).
        busy = self.sink("busy", "-Q", "MAIL")
        closed = closed_port(self)

        with open(os.path.join(etc, "transport"), "w") as transport:
            transport.write(f"ok.test smtp:[127.0.0.1]:{ok}\n"
                            f"hard.test smtp:[127.0.0.1]:{hard}\n"
                            f"soft.test smtp:[127.0.0.1]:{soft}\n"
                            f"spam.test smtp:[127.0.0.1]:{spam}\n"
                            f"busy.test smtp:[127.0.0.1]:{busy}\n"
                            f"down.test smtp:[127.0.0.1]:{closed}\n"
                            # Anything else (nothing is sent there) fails here rather than leave the machine.
                            "* error:5.4.4 not routed by this test\n")
        with open(os.path.join(etc, "recipient_access"), "w") as access:
            access.write("blocked@ok.test 550 5.1.1 No such user here\n"
                         "grey@ok.test 450 4.7.1 Greylisted, see https://postgrey.schweikert.ch/help/ok.test.html\n")
        smtpd_port = free_port()
        self.render("postfix/main.cf.in", os.path.join(etc, "main.cf"), DIR=self.folder, SMTPD_PORT=smtpd_port)
        self.render("postfix/master.cf.in", os.path.join(etc, "master.cf"), DIR=self.folder, SMTPD_PORT=smtpd_port)

        code, output = self.postfix(etc, "check")
        self.assertEqual(code, 0, f"postfix check: {output}")

        def stop_postfix():
            self.postfix(etc, "stop")
            pid_file = os.path.join(self.folder, "queue", "pid", "master.pid")
            pid = int(read_text(pid_file).strip() or 0)
            if pid:
                try:
                    wait_for(lambda: not pid_alive(pid), timeout=20, what="postfix master to stop")
                except AssertionError:
                    self.postfix(etc, "abort")
                    os.kill(pid, signal.SIGKILL)
        self.addCleanup(stop_postfix)
        code, output = self.postfix(etc, "start", sandbox=True)
        self.assertEqual(code, 0, f"postfix start: {output}\n{read_text(maillog)}")
        wait_port(smtpd_port, what="postfix smtpd", output=lambda: read_text(maillog))

        refusals = send_test_mail(self, smtpd_port)
        self.assertEqual([code for code, _ in refusals], [550, 550, 450, 554], refusals)
        sent = SENT

        bounced = sent["hard.test"] + sent["spam.test"]
        deferred = sent["soft.test"] + sent["busy.test"] + sent["down.test"]
        # Each bounce sends a non-delivery notification to the sender, which the ok sink accepts.
        delivered = sent["ok.test"] + bounced
        # Every notification has been delivered: nothing but the deferred mail is left in the queue.
        finished = sum(sent.values()) - deferred + bounced

        def counts():
            return (count_lines(maillog, r" status=(sent|deferred|bounced) "),
                    count_lines(maillog, r"NOQUEUE: reject: "), count_lines(maillog, r": removed$"))

        def queue_run():
            # The queue manager takes in what waits in the incoming queue: mail not tried yet. Not
            # `postqueue -f`, which would also try the deferred mail again and log a second deferral
            # of each, where the test counts exactly one (the retry times of main.cf.in are an hour).
            # postkick writes to qmgr's FIFO; when master(8) is (re)starting qmgr at that moment, the
            # FIFO loses its reader and postkick dies of SIGPIPE: the next look kicks again.
            argv = ["/usr/sbin/postkick", "-c", etc, "public", "qmgr", "I"]
            result = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
            self.assertIn(result.returncode, (0, -signal.SIGPIPE), f"{' '.join(argv)}: {result.stdout}{result.stderr}")
        _, rejects, removed = self.deliver_until(
            counts, (delivered + bounced + deferred, len(refusals), finished), queue_run,
            f"delivery results, smtpd rejects and removed messages in {maillog}")
        self.assertEqual((rejects, removed), (len(refusals), finished), read_text(maillog))
        stop_postfix()

        self.assert_report(
            maillog, "postfix",
            deliveries={("outbound", "sent"): delivered,
                        ("outbound", "bounced"): bounced,
                        ("outbound", "deferred"): deferred},
            replies={
                ("outbound", "2xx", "250", "2.0.0", "none"): delivered,
                ("outbound", "5xx", "550", "5.1.1", "mailbox_unknown"): sent["hard.test"],
                ("outbound", "5xx", "554", "5.7.1", "spam"): sent["spam.test"],
                ("outbound", "4xx", "452", "4.2.2", "quota"): sent["soft.test"],
                ("outbound", "4xx", "421", "4.0.0", "other"): sent["busy.test"],
                ("outbound", "4xx", "", "4.4.1", "connection"): sent["down.test"],
                ("inbound", "5xx", "550", "5.1.1", "mailbox_unknown"): 2,
                ("inbound", "4xx", "450", "4.7.1", "greylist"): 1,
                ("inbound", "5xx", "554", "5.7.1", "relay_denied"): 1,
            },
            rejects={("rcpt", "mailbox_unknown"): 2, ("rcpt", "greylist"): 1, ("rcpt", "relay_denied"): 1})


# --- Exim -------------------------------------------------------------------------------------------

class EximTest(MtaTestCase):
    """The exim4 binary of exim4-daemon-light, extracted (not installed), as a daemon on loopback with
    its own config, spool and log folders, relaying to responders on loopback."""

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest("Exim must start as root")
        self.exim = os.path.join(extracted_root("exim"), "usr/sbin/exim4")
        require_executable(self.exim)
        require_libraries(self.exim)
        require_user("Debian-exim")
        result = subprocess.run([self.exim, "-bV", "-C", "/dev/null"], capture_output=True, text=True)
        self.assertIn("Exim version", result.stdout, f"{self.exim} does not run here: {result.stderr}")

    def test_exim_sent_deferred_bounced_rejected(self):
        for sub in ("spool", "log"):
            os.makedirs(os.path.join(self.folder, sub))
            shutil.chown(os.path.join(self.folder, sub), user="Debian-exim", group="Debian-exim")
        routes, responders = start_sinks(self)
        config = self.render("exim/exim.conf.in", os.path.join(self.folder, "exim.conf"), DIR=self.folder,
                             EXIM=self.exim, ROUTES=" ".join(f"{d}={p}" for d, p in routes.items()))
        os.chmod(config, 0o644)
        mainlog = os.path.join(self.folder, "log", "mainlog")
        port = free_port()
        daemon = self.processes.start("exim", sandboxed(self, self.folder,
                                                        [self.exim, "-C", config, "-bdf", "-oX", str(port)]))
        wait_port(port, daemon, "exim", lambda: self.processes.output("exim") + read_text(mainlog))

        refusals = send_test_mail(self, port)
        self.assertEqual([code for code, _ in refusals], [550, 550, 451, 550], refusals)

        bounced = SENT["hard.test"] + SENT["spam.test"]
        deferred = SENT["soft.test"] + SENT["busy.test"] + SENT["down.test"]
        delivered = SENT["ok.test"] + bounced  # each bounce message goes to the sender, at ok.test
        completed = sum(SENT.values()) - deferred + bounced  # every finished message, bounces included

        def counts():
            return (count_lines(mainlog, r" (=>|\*\*|==) "), count_lines(mainlog, r" Completed$"),
                    count_lines(mainlog, r" rejected RCPT "))

        def queue_run():
            # -qif: a delivery attempt for each message not tried yet, whatever the retry hints say.
            # Not -qff, which would also try the deferred mail again and log a second deferral of each,
            # where the test counts exactly one (the retry rule of exim.conf.in waits an hour).
            self.run_command(in_sandbox_of(daemon, [self.exim, "-C", config, "-qif"]))
        _, finished, rejects = self.deliver_until(
            counts, (delivered + bounced + deferred, completed, len(refusals)), queue_run,
            f"delivery results, completed messages and ACL rejects in {mainlog}")
        self.assertEqual((finished, rejects), (completed, len(refusals)), read_text(mainlog))
        stop_group(daemon.pid, daemon)

        # What the remote side saw: every message counted as sent reached the ok.test server.
        self.assertEqual(responders["ok.test"].accepted, delivered)
        self.assert_report(
            mainlog, "exim",
            deliveries={("outbound", "sent"): delivered, ("outbound", "bounced"): bounced,
                        ("outbound", "deferred"): deferred},
            replies={
                ("outbound", "2xx", "250", "2.0.0", "none"): delivered,
                ("outbound", "5xx", "550", "5.1.1", "mailbox_unknown"): SENT["hard.test"],
                ("outbound", "5xx", "554", "5.7.1", "spam"): SENT["spam.test"],
                ("outbound", "4xx", "452", "4.2.2", "quota"): SENT["soft.test"],
                # One 421 greeting, which Exim logs twice: on the host line "H=127.0.0.1 [127.0.0.1]: SMTP
                # error from remote mail server after initial connection: 421 ..." and on the == line.
                ("outbound", "4xx", "421", "4.3.2", "server_unavailable"): SENT["busy.test"],
                # "== user0@down.test R=to_sinks T=to_sink defer (111): Connection refused" has no H=,
                # but T= is the smtp transport (the line before: "H=127.0.0.1 [127.0.0.1] Connection
                # refused"): a remote delivery attempt.
                ("outbound", "4xx", "", "", "connection"): SENT["down.test"],
                ("inbound", "5xx", "550", "5.1.1", "mailbox_unknown"): 2,
                ("inbound", "4xx", "451", "4.7.1", "greylist"): 1,
                # Exim does not log the code of an ACL message without one ("Relay not permitted").
                ("inbound", "5xx", "", "", "relay_denied"): 1,
            },
            rejects={("rcpt", "mailbox_unknown"): 2, ("rcpt", "greylist"): 1, ("rcpt", "relay_denied"): 1})


# --- Sendmail ---------------------------------------------------------------------------------------

class SendmailTest(MtaTestCase):
    """sendmail of sendmail-bin, extracted (not installed), with a sendmail.cf made by m4 from
    sendmail-cf, as a daemon in mta/sandbox.sh logging through syslog(3) to the test."""

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest("Sendmail must start as root")
        root = extracted_root("sendmail")
        self.sendmail = os.path.join(root, "usr/libexec/sendmail/sendmail")
        self.makemap = os.path.join(root, "usr/libexec/sendmail/makemap")
        self.cf_dir = os.path.join(root, "usr/share/sendmail/cf")
        for program in (self.sendmail, self.makemap):
            require_executable(program)
            require_libraries(program)
        require(os.path.exists(os.path.join(self.cf_dir, "m4/cf.m4")), f"{self.cf_dir}/m4/cf.m4 (sendmail-cf)")
        require_program("m4", "m4")

    def test_sendmail_sent_deferred_bounced_rejected(self):
        folder = self.folder
        os.makedirs(os.path.join(folder, "mqueue"), mode=0o700)
        routes, responders = start_sinks(self)
        port = free_port()
        mc = self.render("sendmail/sendmail.mc.in", os.path.join(folder, "sendmail.mc"), DIR=folder, PORT=port,
                         **{domain.split(".")[0].upper(): p for domain, p in routes.items()})
        made = subprocess.run(["m4", f"-D_CF_DIR_={self.cf_dir}/", os.path.join(self.cf_dir, "m4/cf.m4"), mc],
                              capture_output=True, text=True)
        self.assertEqual(made.returncode, 0, made.stderr)
        cf = os.path.join(folder, "sendmail.cf")
        with open(cf, "w") as out:
            out.write(made.stdout)
        files = {
            "service.switch": "hosts files\naliases files\n",
            "aliases": "",
            "access": "To:blocked@ok.test\tERROR:5.1.1:550 No such user here\n"
                      # Sendmail answers and logs this as "Greylisted,please ...": its map values lose
                      # the space after a comma.
                      "To:grey@ok.test\tERROR:4.7.1:451 Greylisted, please try again later\n"
                      + "".join(f"To:{domain}\tRELAY\n" for domain in routes),
            # Each domain to the mailer of its sink; any other domain to the error mailer.
            "mailertable": "".join(f"{domain}\t{domain.split('.')[0]}:[127.0.0.1]\n" for domain in routes)
                           + ".\terror:5.4.4:554 not routed by this test\n",
        }
        for name, text in files.items():
            with open(os.path.join(folder, name), "w") as out:
                out.write(text)
        for name in ("access", "mailertable"):
            with open(os.path.join(folder, name)) as source:
                made = subprocess.run([self.makemap, "-C", cf, "hash", os.path.join(folder, name)], stdin=source,
                                      capture_output=True, text=True)
            self.assertEqual(made.returncode, 0, f"makemap {name}: {made.stderr}")

        maillog = os.path.join(folder, "mail.log")
        syslog = SyslogReceiver(folder, maillog)
        self.addCleanup(syslog.stop)
        daemon = self.processes.start("sendmail", sandboxed(self, folder, [self.sendmail, "-bD", "-C", cf, "-L",
                                                                           "sm-mta"], dev_log=True))
        wait_port(port, daemon, "sendmail", lambda: self.processes.output("sendmail") + read_text(maillog))

        # From 127.0.0.1 Sendmail relays anywhere ("originated locally" in its check_rcpt rules), so
        # there is no relay attempt to refuse.
        refusals = send_test_mail(self, port, relay_attempt=False)
        self.assertEqual([code for code, _ in refusals], [550, 550, 451], refusals)

        bounced = SENT["hard.test"] + SENT["spam.test"]
        deferred = SENT["soft.test"] + SENT["busy.test"] + SENT["down.test"]
        delivered = SENT["ok.test"] + bounced  # each DSN goes to the sender, at ok.test

        def counts():
            return (count_lines(maillog, r"\bto=.*, stat="), count_lines(maillog, r"ruleset=check_rcpt, .*reject="))

        def queue_run():
            # A queue run in the daemon's sandbox (its syslog, its host name): confMIN_QUEUE_AGE of
            # sendmail.mc.in (an hour since the last attempt) keeps the deferred mail out of it, so each
            # deferral is logged exactly once as the test counts, while mail never tried always runs.
            self.run_command(in_sandbox_of(daemon, [self.sendmail, "-C", cf, "-L", "sm-mta", "-q"]))
        _, rejects = self.deliver_until(counts, (delivered + bounced + deferred, len(refusals)), queue_run,
                                        f"delivery results and check_rcpt rejects in {maillog}")
        self.assertEqual(rejects, len(refusals), read_text(maillog))
        stop_group(daemon.pid, daemon)

        # What the remote side saw: every message counted as sent reached the ok.test server.
        self.assertEqual(responders["ok.test"].accepted, delivered)
        self.assert_report(
            maillog, "sendmail",
            deliveries={("outbound", "sent"): delivered, ("outbound", "bounced"): bounced,
                        ("outbound", "deferred"): deferred},
            replies={
                # "stat=Sent (Ok: queued as ...)": Sendmail drops the code of the remote 250.
                ("outbound", "2xx", "", "2.0.0", "none"): delivered,
                # "reply=550 5.1.1 ..., stat=User unknown" and "reply=554 5.7.1 ..., stat=Service unavailable"
                ("outbound", "5xx", "550", "5.1.1", "mailbox_unknown"): SENT["hard.test"],
                ("outbound", "5xx", "554", "5.7.1", "spam"): SENT["spam.test"],
                ("outbound", "4xx", "452", "4.2.2", "quota"): SENT["soft.test"],
                ("outbound", "4xx", "421", "4.3.2", "server_unavailable"): SENT["busy.test"],
                ("outbound", "4xx", "", "4.4.1", "connection"): SENT["down.test"],
                ("inbound", "5xx", "550", "5.1.1", "mailbox_unknown"): 2,
                ("inbound", "4xx", "451", "4.7.1", "greylist"): 1,
            },
            rejects={("rcpt", "mailbox_unknown"): 2, ("rcpt", "greylist"): 1})


# --- OpenSMTPD --------------------------------------------------------------------------------------

class OpenSmtpdTest(MtaTestCase):
    """smtpd of the opensmtpd package, extracted (not installed), in mta/sandbox.sh with a private /var
    and /run, logging through syslog(3) to the test, relaying to responders on loopback."""

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest("OpenSMTPD must start as root")
        root = extracted_root("opensmtpd")
        self.smtpd = os.path.join(root, "usr/sbin/smtpd")
        self.smtpctl = os.path.join(root, "usr/sbin/smtpctl")
        for program in (self.smtpd, self.smtpctl):
            require_executable(program)
            require_libraries(program)
        require_user("opensmtpd")
        require_user("opensmtpq")
        smtpctl = os.stat(self.smtpctl)
        require(smtpctl.st_mode & stat.S_ISGID and smtpctl.st_gid == grp.getgrnam("opensmtpq").gr_gid,
                f"{self.smtpctl} setgid opensmtpq")

    def untried_queue_run(self, daemon):
        """A queue run: `smtpctl schedule` for each envelope not tried yet. Not `smtpctl schedule all`,
        which would also try the deferred envelopes again: each try logs one more deferral, and the
        scheduler, which counts them as retries, soon sends the sender delay warnings on top."""
        def queue_run():
            shown = subprocess.run(in_sandbox_of(daemon, [self.smtpctl, "show", "queue"]), capture_output=True,
                                   text=True, timeout=60)
            self.assertEqual(shown.returncode, 0, shown.stderr)
            for line in shown.stdout.splitlines():
                # evpid|source|agent|flags|sender|recipient|destination|created|expires|last try|retries|runstate|...
                fields = line.split("|")
                if len(fields) > 11 and fields[10] == "0" and fields[11] == "pending":
                    self.run_command(in_sandbox_of(daemon, [self.smtpctl, "schedule", fields[0]]))
        return queue_run

    def test_opensmtpd_sent_deferred_bounced_rejected(self):
        var = os.path.join(self.folder, "var")
        run = os.path.join(self.folder, "run")
        for sub in ("spool", "lib/opensmtpd/empty", "tmp"):
            os.makedirs(os.path.join(var, sub), mode=0o755)
        os.symlink("/run", os.path.join(var, "run"))
        os.makedirs(run)
        # OpenSMTPD keeps a route per remote address, not per port, and a new route (none before, or the
        # last one's connections all closed) whose first connection fails before the session is ready
        # (busy.test's 421 greeting, down.test's refusal) is disabled for 15 s or more (mta.c,
        # mta_route_collect; mta_session.c calls mta_route_ok at MTA_READY). Mail for another sink on that address then fails with
        # "Network error on destination MXs" without a connection, and waits for the scheduler's retry
        # 400 s later: in a slow run busy.test's 421 kept down.test from ever connecting (and always
        # did with 15 s between the first mail and theirs). So each of the two has an address of its own.
        failing = {"busy.test": "127.0.0.2", "down.test": "127.0.0.3"}
        routes, responders = start_sinks(self, failing)
        port = free_port()
        config = self.render("opensmtpd/smtpd.conf.in", os.path.join(self.folder, "smtpd.conf"), PORT=port,
                             BUSY_ADDRESS=failing["busy.test"], DOWN_ADDRESS=failing["down.test"],
                             **{domain.split(".")[0].upper(): p for domain, p in routes.items()})
        maillog = os.path.join(self.folder, "mail.log")
        syslog = SyslogReceiver(self.folder, maillog)
        self.addCleanup(syslog.stop)

        check = subprocess.run(sandboxed(self, self.folder, [self.smtpd, "-n", "-f", config],
                                         mounts=[(var, "/var"), (run, "/run")]), capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, f"smtpd -n: {check.stdout}{check.stderr}")
        daemon = self.processes.start("smtpd", sandboxed(self, self.folder, [self.smtpd, "-F", "-f", config],
                                                         dev_log=True, mounts=[(var, "/var"), (run, "/run")]))
        wait_port(port, daemon, "smtpd", lambda: self.processes.output("smtpd") + read_text(maillog))

        # The other mail is done first, so that the counts of its results are exact.
        refusals = send_test_mail(self, port, domains=[domain for domain in SENT if domain not in failing])
        self.assertEqual([code for code, _ in refusals], [550, 550, 451, 550], refusals)

        bounced = SENT["hard.test"] + SENT["spam.test"]
        delivered = SENT["ok.test"] + bounced  # each bounce goes to the sender, at ok.test
        soft_pattern = r' mta delivery .* to=<user\d@soft\.test> .* result="TempFail" '

        def first_results():
            return (count_lines(maillog, r' mta delivery .* result="Ok" '),
                    count_lines(maillog, r' mta delivery .* result="PermFail" '),
                    count_lines(maillog, soft_pattern), count_lines(maillog, r" smtp failed-command "))
        expected = (delivered, bounced, SENT["soft.test"], len(refusals))
        reached = self.deliver_until(first_results, expected, self.untried_queue_run(daemon),
                                     f"(sent, bounced, soft.test deferred, refused) results in {maillog}")
        self.assertEqual(reached, expected, read_text(maillog))

        # busy.test (421 greeting) and down.test (connection refused): OpenSMTPD keeps the envelope and
        # reconnects, logging "mta error reason=BANNER rejected: 421 ..." or "mta error reason=IO Error:
        # Connection refused" each time, until it disables the route and gives up with 'result="TempFail"
        # stat="Network error on destination MXs"'. How many of those lines there are depends on the
        # timing: the expected counts are read from the captured log.
        send_accepted_mail(self, port, failing)
        self.deliver_until(lambda: (count_lines(maillog, r" mta error reason=BANNER rejected: 421 "),
                                    count_lines(maillog, r" mta error reason=IO Error: Connection refused")),
                           (1, 1), self.untried_queue_run(daemon), "the busy.test and down.test connection errors")
        stop_group(daemon.pid, daemon)
        syslog.stop()
        banners = count_lines(maillog, r" mta error reason=BANNER rejected: 421 ")
        network_errors = count_lines(maillog, r' result="TempFail" stat="Network error on destination MXs"')

        # What the remote side saw: every message counted as sent reached the ok.test server.
        self.assertEqual(responders["ok.test"].accepted, delivered)
        self.assert_report(
            maillog, "opensmtpd",
            deliveries={("outbound", "sent"): delivered, ("outbound", "bounced"): bounced,
                        ("outbound", "deferred"): SENT["soft.test"] + network_errors},
            replies={
                ("outbound", "2xx", "250", "2.0.0", "none"): delivered,
                ("outbound", "5xx", "550", "5.1.1", "mailbox_unknown"): SENT["hard.test"],
                ("outbound", "5xx", "554", "5.7.1", "spam"): SENT["spam.test"],
                ("outbound", "4xx", "452", "4.2.2", "quota"): SENT["soft.test"],
                # Each "mta error reason=BANNER rejected: 421 4.3.2 ..." is a reply of the remote server.
                ("outbound", "4xx", "421", "4.3.2", "server_unavailable"): banners,
                ("outbound", "4xx", "", "", "connection"): network_errors,
                ("inbound", "5xx", "550", "5.1.1", "mailbox_unknown"): 2,
                ("inbound", "4xx", "451", "4.7.1", "greylist"): 1,
                # OpenSMTPD's answer to a recipient no rule matches (the relay attempt).
                ("inbound", "5xx", "550", "", "mailbox_unknown"): 1,
            },
            # The client sent "rcpt TO:" (Python's smtplib, like many clients, sends lower case) and
            # OpenSMTPD logs the command as received; SMTP commands are case-insensitive.
            rejects={("rcpt", "mailbox_unknown"): 3, ("rcpt", "greylist"): 1})


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    harness.main()
