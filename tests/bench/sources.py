#!/usr/bin/env python3
"""Input benchmark: pushes the product side's generated Postfix log (1M lines, seed 1, RFC 3164
timestamps) through a running `mta_exporter serve`, once per source type, and prints for each the lines
sent, the lines counted (mta_exporter_lines_total), the matched lines against `report` over the same
corpus, the kernel's UDP drops (mta_exporter_syslog_dropped_total), the wall time and the agent's peak
memory. Figures only, no pass/fail on speed. Not a ctest: it takes a few minutes.

usage: python3 tests/bench/sources.py [--binary build/src/mta_exporter] [--lines 1000000]
                                      [--only file,udp-burst,udp-bursts,udp-bursts-busy,udp-flood,udp-paced,tcp,tcp-octet,unix,
                                             journal,stdin]
                                      [--keep DIR]

Run it from anywhere; the corpus generator is ../shared/bench/gen_postfix_corpus.py next to the
repository (or $MTA_SHARED_DIR/bench). Everything listens on 127.0.0.1 or a socket in a temporary folder.

What each run measures (the clock starts when the agent is up and the first line is sent, and stops when
the agent has counted every line, or when its count has not moved for 5 s):
  file       the corpus appended in 1 MiB writes to a file the agent follows (start_at = "end")
  udp-burst  one datagram per line, "<22>" + line, sent as fast as Python can (default configuration:
             8 MiB receive buffer asked); what the kernel drops is reported, not hidden
  udp-bursts the same in bursts of 200 datagrams at 20k datagrams/s (what a forwarding rsyslog sends after
             a pause), default configuration: the goal is no drop
  udp-bursts-busy  50,000 datagrams in those bursts while a file source and a TCP source of the same agent
             each read the whole corpus, sent by processes of their own: the goal is no drop
  udp-flood  the same as udp-burst from two sender processes, with a 208 KiB receive buffer (Debian's
             rmem_max): the kernel drops datagrams, and sent = counted + dropped checks
             mta_exporter_syslog_dropped_total, read from the socket's own drop counter
  udp-paced  the same as udp-burst, with the sender keeping at most --window datagrams ahead of what the agent has
             counted (it reads /metrics every --window/4 datagrams): the loss-free rate
  tcp        one connection, newline framing, 1 MiB sends
  tcp-octet  one connection, RFC 6587 octet counting
  unix       a unix datagram socket (the kernel blocks the sender when the queue is full: no drops)
  journal    a journal file written beforehand by systemd-journal-remote from the corpus (not timed),
             read with directory = ..., start_at = "beginning"
  stdin      the corpus piped (cat) into the agent's standard input (the clock includes the agent's start)

The sender is Python on the same machine (two cores here), so the syslog figures are a lower bound of
what the agent takes: note the sender's own CPU time in the output.
"""

import argparse
import multiprocessing
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "../.."))
SHARED = os.environ.get("MTA_SHARED_DIR", os.path.join(ROOT, "../shared"))
RESULTS = ("matched", "ignored", "unmatched")


BUSY_DATAGRAMS = 50_000


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parse(text):
    samples = []
    for line in text.splitlines():
        match = re.match(r'^(\w+)(?:\{(.*)\})? (\S+)$', line)
        if match:
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
            samples.append((match.group(1), labels, float(match.group(3))))
    return samples


def total(samples, name, **labels):
    return sum(value for metric, metric_labels, value in samples
               if metric == name and all(metric_labels.get(k) == v for k, v in labels.items()))


class Agent:
    def __init__(self, binary, folder, sources, stdin=None):
        self.port = free_port()
        self.config = os.path.join(folder, "bench.toml")
        with open(self.config, "w") as config:
            config.write(f'[web]\nlisten_address = "127.0.0.1:{self.port}"\n[log]\nlevel = "warn"\n{sources}\n')
        self.log = open(os.path.join(folder, "agent.log"), "w")
        self.process = subprocess.Popen([binary, "serve", "--config", self.config], stdin=stdin,
                                        stdout=self.log, stderr=subprocess.STDOUT)

    def wait_up(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"agent exited with {self.process.returncode}, see {self.log.name}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/healthy", timeout=2).read()
                return
            except OSError:
                time.sleep(0.02)
        raise SystemExit("agent did not come up")

    def samples(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=10) as response:
            return parse(response.read().decode())

    def lines(self):
        return int(total(self.samples(), "mta_exporter_lines_total"))

    def peak_rss_mib(self):
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def rss_anon_mib(self):
        """Resident anonymous memory now: without the journal files sd-journal maps, which VmHWM counts."""
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    if line.startswith("RssAnon:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def cpu_seconds(self):
        try:
            with open(f"/proc/{self.process.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            return float("nan")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def cpu_seconds():
    """CPU time of this process (the sender) and its finished children (cat)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def wait_counted(agent, expected, stall=5.0):
    """Polls until the agent counted `expected` lines or its count stalls; returns (count, end time)."""
    last, moved = -1, time.monotonic()
    while True:
        count = agent.lines()
        now = time.monotonic()
        if count >= expected:
            return count, now
        if count != last:
            last, moved = count, now
        elif now - moved > stall:
            return count, moved
        time.sleep(0.02)


def read_lines(corpus):
    with open(corpus, "rb") as source:
        return source.read().splitlines()


# --- senders ----------------------------------------------------------------------------------------

def send_file(path, corpus):
    with open(corpus, "rb") as source, open(path, "ab", buffering=0) as out:
        while True:
            chunk = source.read(1 << 20)
            if not chunk:
                return
            out.write(chunk)


def send_stream(port, lines, octet):
    with socket.create_connection(("127.0.0.1", port)) as sock:
        batch, size = [], 0
        for line in lines:
            message = b"<22>" + line
            frame = b"%d %s" % (len(message), message) if octet else message + b"\n"
            batch.append(frame)
            size += len(frame)
            if size >= 1 << 20:
                sock.sendall(b"".join(batch))
                batch, size = [], 0
        sock.sendall(b"".join(batch))


def send_datagrams(family, address, lines, agent=None, window=0, burst=0, rate=0):
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        if family == socket.AF_INET:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        sendto = sock.sendto
        if burst:
            begun = time.monotonic()
            for start in range(0, len(lines), burst):
                for line in lines[start:start + burst]:
                    sendto(b"<22>" + line, address)
                pause = begun + (start + burst) / rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
            return
        if not window:
            for line in lines:
                sendto(b"<22>" + line, address)
            return
        check_every = max(1, window // 4)
        for start in range(0, len(lines), check_every):
            for line in lines[start:start + check_every]:
                sendto(b"<22>" + line, address)
            sent = min(start + check_every, len(lines))
            while sent - agent.lines() > window:
                time.sleep(0.001)


def journal_export(lines, out):
    """Journal Export Format of RFC 3164 lines "Mon dd hh:mm:ss HOST IDENT[PID]: MESSAGE"."""
    base = 1_709_510_400_000_000
    for i, line in enumerate(lines):
        text = line.decode(errors="replace")
        head, _, message = text.partition(": ")
        parts = head.split()
        host, tag = parts[3], parts[4] if len(parts) > 4 else "unknown"
        ident, _, pid = tag.partition("[")
        record = (f"__REALTIME_TIMESTAMP={base + i * 1000}\n__MONOTONIC_TIMESTAMP={1_000_000 + i * 1000}\n"
                  f"_BOOT_ID=4c6f6e6720746573742062c3b66f7421\n_HOSTNAME={host}\nSYSLOG_IDENTIFIER={ident}\n"
                  f"PRIORITY=6\nSYSLOG_FACILITY=2\n")
        if pid:
            record += f"SYSLOG_PID={pid.rstrip(']')}\n"
        out.write((record + f"MESSAGE={message}\n\n").encode())


def find_journal_remote():
    for candidate in ("/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"):
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("systemd-journal-remote")


# --- runs -------------------------------------------------------------------------------------------

def run(name, args, corpus, lines, folder, expected):
    udp_address = None
    agent = None
    started = None
    try:
        if name == "file":
            path = os.path.join(folder, "mail.log")
            open(path, "w").close()
            agent = Agent(args.binary, folder, f'[[source]]\ntype = "file"\nname = "b"\npath = "{path}"\n')
            agent.wait_up()
            started, sender_cpu = time.monotonic(), cpu_seconds()
            send_file(path, corpus)
        elif name in ("udp-burst", "udp-bursts", "udp-paced", "udp-flood"):
            port = free_port(socket.SOCK_DGRAM)
            udp_address = ("127.0.0.1", port)
            buffer = "receive_buffer = 212992\n" if name == "udp-flood" else ""
            agent = Agent(args.binary, folder, f'[[source]]\ntype = "syslog"\nname = "b"\n'
                                               f'listen = "udp://127.0.0.1:{port}"\n{buffer}')
            agent.wait_up()
            started, sender_cpu = time.monotonic(), cpu_seconds()
            if name == "udp-flood":
                senders = [multiprocessing.Process(target=send_datagrams,
                                                   args=(socket.AF_INET, udp_address, lines[i::2])) for i in (0, 1)]
                for sender in senders:
                    sender.start()
                for sender in senders:
                    sender.join()
            elif name == "udp-bursts":
                send_datagrams(socket.AF_INET, udp_address, lines, burst=200, rate=20_000)
            else:
                send_datagrams(socket.AF_INET, udp_address, lines, agent, args.window if name == "udp-paced" else 0)
        elif name == "udp-bursts-busy":
            # Issue 16's case: the bursts arrive while a file source and a TCP source are busy with the
            # whole corpus each (their senders are processes of their own).
            port, tcp_port = free_port(socket.SOCK_DGRAM), free_port()
            udp_address = ("127.0.0.1", port)
            path = os.path.join(folder, "mail.log")
            open(path, "w").close()
            agent = Agent(args.binary, folder,
                          f'[[source]]\ntype = "syslog"\nname = "b"\nlisten = "udp://127.0.0.1:{port}"\n'
                          f'[[source]]\ntype = "file"\nname = "f"\npath = "{path}"\n'
                          f'[[source]]\ntype = "syslog"\nname = "t"\nlisten = "tcp://127.0.0.1:{tcp_port}"\n')
            agent.wait_up()
            started, sender_cpu = time.monotonic(), cpu_seconds()
            busy = [multiprocessing.Process(target=send_file, args=(path, corpus)),
                    multiprocessing.Process(target=send_stream, args=(tcp_port, lines, False))]
            for sender in busy:
                sender.start()
            udp_lines = lines[:BUSY_DATAGRAMS]
            send_datagrams(socket.AF_INET, udp_address, udp_lines, burst=200, rate=20_000)
            for sender in busy:
                sender.join()
            sent_at = time.monotonic()
            count, finished = wait_counted(agent, 2 * len(lines) + len(udp_lines))
            time.sleep(0.3)
            samples = agent.samples()
            udp = int(total(samples, "mta_exporter_lines_total", source="b"))
            others = int(total(samples, "mta_exporter_lines_total")) - udp
            dropped = int(total(samples, "mta_exporter_syslog_dropped_total"))
            print(f"{name:10} sent {len(udp_lines):>8}  counted {udp:>8}  dropped {dropped:>7}  "
                  f"(sent = counted + dropped: {len(udp_lines) == udp + dropped}) while the file and TCP sources "
                  f"counted {others} of {2 * len(lines)}  wall {finished - started:6.2f}s  "
                  f"send {sent_at - started:5.2f}s", flush=True)
            return
        elif name in ("tcp", "tcp-octet"):
            port = free_port()
            agent = Agent(args.binary, folder, f'[[source]]\ntype = "syslog"\nname = "b"\n'
                                               f'listen = "tcp://127.0.0.1:{port}"\n')
            agent.wait_up()
            started, sender_cpu = time.monotonic(), cpu_seconds()
            send_stream(port, lines, name == "tcp-octet")
        elif name == "unix":
            path = os.path.join(folder, "syslog.sock")
            agent = Agent(args.binary, folder, f'[[source]]\ntype = "syslog"\nname = "b"\nlisten = "unix://{path}"\n'
                                               f'receive_buffer = 4194304\n')
            agent.wait_up()
            started, sender_cpu = time.monotonic(), cpu_seconds()
            send_datagrams(socket.AF_UNIX, path, lines)
        elif name == "journal":
            remote = find_journal_remote()
            if not remote:
                print(f"{name:10} skipped: systemd-journal-remote not found (apt-get install systemd-journal-remote)")
                return
            journal_dir = os.path.join(folder, "journal")
            shutil.rmtree(journal_dir, ignore_errors=True)  # a kept folder from an earlier run
            os.makedirs(journal_dir)
            made = time.monotonic()
            writer = subprocess.Popen([remote, f"--output={journal_dir}/bench.journal", "--split-mode=none", "-"],
                                      stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            journal_export(lines, writer.stdin)
            writer.stdin.close()
            error = writer.stderr.read().decode()
            if writer.wait() != 0:
                print(f"{name:10} skipped: systemd-journal-remote failed: {error.strip()[-300:]}")
                return
            size = sum(os.path.getsize(os.path.join(journal_dir, f)) for f in os.listdir(journal_dir))
            print(f"{'':10} (journal files written in {time.monotonic() - made:.1f}s, {size / 2**20:.0f} MiB, "
                  f"{len(os.listdir(journal_dir))} file(s), not timed)")
            started, sender_cpu = time.monotonic(), cpu_seconds()
            agent = Agent(args.binary, folder, f'[[source]]\ntype = "journal"\nname = "b"\n'
                                               f'directory = "{journal_dir}"\nstart_at = "beginning"\n')
            agent.wait_up()
        elif name == "stdin":
            started, sender_cpu = time.monotonic(), cpu_seconds()
            cat = subprocess.Popen(["cat", corpus], stdout=subprocess.PIPE)
            agent = Agent(args.binary, folder, '[[source]]\ntype = "stdin"\nname = "b"\n', stdin=cat.stdout)
            cat.stdout.close()
            agent.wait_up()
        else:
            raise SystemExit(f"unknown source type {name}")
        sent_at = time.monotonic()
        count, finished = wait_counted(agent, len(lines))
        if udp_address:
            time.sleep(0.3)  # the agent reads the socket's drop counter every 200 ms when idle
        samples = agent.samples()
        counted = {r: int(total(samples, "mta_exporter_lines_total", result=r)) for r in RESULTS}
        dropped = int(total(samples, "mta_exporter_syslog_dropped_total"))
        invalid = int(total(samples, "mta_exporter_syslog_invalid_frames_total"))
        wall = finished - started
        sender = cpu_seconds() - sender_cpu
        agreement = "agrees with report" if counted == expected else f"report says {expected}"
        if udp_address:
            agreement += f"; sent = counted + dropped: {len(lines) == count + dropped}"
        print(f"{name:10} sent {len(lines):>8}  counted {count:>8}  matched {counted['matched']:>7} "
              f"({agreement})  dropped {dropped:>7}  invalid {invalid}  wall {wall:6.2f}s "
              f"({count / wall if wall else 0:>9,.0f} lines/s)  send {sent_at - started:5.2f}s  "
              f"agent cpu {agent.cpu_seconds():5.1f}s  sender cpu {sender:5.1f}s  peak rss {agent.peak_rss_mib():.0f} MiB "
              f"(anon {agent.rss_anon_mib():.0f} MiB)",
              flush=True)
    finally:
        if agent:
            agent.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build/src/mta_exporter"))
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--only",
                        default="file,udp-burst,udp-bursts,udp-bursts-busy,udp-flood,udp-paced,tcp,tcp-octet,unix,journal,stdin")
    parser.add_argument("--window", type=int, default=4000,
                        help="udp-paced: datagrams the sender may be ahead of the agent's count")
    parser.add_argument("--keep", help="folder to keep the corpus and agent logs in (default: a temporary one)")
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    generator = os.path.join(SHARED, "bench/gen_postfix_corpus.py")
    if not os.path.exists(generator):
        raise SystemExit(f"{generator} not found (set MTA_SHARED_DIR)")
    top = args.keep or tempfile.mkdtemp(prefix="mta_exporter_bench_")
    os.makedirs(top, exist_ok=True)
    try:
        corpus = os.path.join(top, "corpus.log")
        if not os.path.exists(corpus):
            subprocess.run([sys.executable, generator, "--lines", str(args.lines), "--seed", "1", "--format", "rfc3164",
                            "--out", corpus], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lines = read_lines(corpus)
        result = subprocess.run([args.binary, "report", "--format", "prometheus", corpus], capture_output=True,
                                text=True, check=True)
        expected = {r: int(total(parse(result.stdout), "mta_exporter_lines_total", result=r)) for r in RESULTS}
        print(f"corpus: {len(lines)} lines, {os.path.getsize(corpus) / 2**20:.0f} MiB; report: {expected}; "
              f"{os.cpu_count()} CPUs, binary {args.binary}", flush=True)
        for name in args.only.split(","):
            folder = os.path.join(top, name)
            os.makedirs(folder, exist_ok=True)
            run(name, args, corpus, lines, folder, expected)
    finally:
        if not args.keep:
            shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
