#!/usr/bin/env python3
"""Rotation and restart soak of `mta_exporter serve` (issue 16; after ../shared/bench/rotation_soak.py).

A writer appends numbered Postfix lines to mail.log; rename-and-create and copytruncate rotations (logrotate's
two modes, done the way logrotate does them) alternate every --rotate-every seconds while the writer runs;
every --restart-every seconds the agent is stopped and started again with start_at = "checkpoint": by SIGTERM,
or every third time by SIGKILL a checkpoint interval later, with the writer paused for the moment of the stop
(so that each run's count is exact), then appending and rotating while the agent is down.

Truth: the complete lines the files hold at the end (copytruncate itself loses what is appended between its
copy and its truncate, and the agent may have read some of those: counted above present by those is not a
double count). Prints lines written, present, counted, and counted - present.

usage: soak.py BINARY [--seconds 600] [--rotate-every 2] [--restart-every 15]
"""
import argparse
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

LINE = ("Nov 24 10:00:00 mx postfix/smtp[{p}]: {q:X}: to=<u{i}@b.example>, relay=mx.b.example[192.0.2.1]:25, delay=1, "
        "delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.b.example[192.0.2.1] said: 550 5.1.1 <u{i}@b.example>: "
        "User unknown (in reply to RCPT TO command))\n")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Soak:
    def __init__(self, binary, work):
        self.binary, self.work = binary, work
        self.log = os.path.join(work, "mail.log")
        open(self.log, "w").close()
        self.port = free_port()
        self.config = os.path.join(work, "mta_exporter.toml")
        with open(self.config, "w") as out:
            out.write(f'[web]\nlisten_address = "127.0.0.1:{self.port}"\n'
                      f'[checkpoint]\npath = "{work}/checkpoint"\ninterval_seconds = 1\n'
                      f'[[source]]\ntype = "file"\nname = "mail"\npath = "{self.log}"\nstart_at = "checkpoint"\n')
        self.lock = threading.Lock()  # a rotation and a write never interleave within a line
        self.written = 0
        self.running = True
        self.rotations = {"rename": 0, "copytruncate": 0}
        self.counted_before = 0  # by the agents already stopped
        self.process = None

    def lines_counted(self):
        try:
            text = urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=5).read().decode()
        except OSError:
            return None
        return int(sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                       if line.startswith("mta_exporter_lines_total{") and 'source="mail"' in line))

    def start(self):
        out = open(os.path.join(self.work, "agent.out"), "a")
        self.process = subprocess.Popen([self.binary, "serve", "--config", self.config], stdout=out,
                                        stderr=subprocess.STDOUT)
        for _ in range(200):
            if self.lines_counted() is not None:
                return
            time.sleep(0.05)
        raise SystemExit("soak: the agent did not answer")

    def stop(self, kill):
        """Stops the agent with the writer paused (the caller holds the lock), once it has read everything,
        and returns its count: exact, as no line arrives between the scrape and the stop. SIGKILL comes a
        checkpoint interval later, so a SIGKILL restart re-reads nothing either."""
        counted = self.settled()
        if kill:
            time.sleep(1.5)
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        self.process.wait(30)
        return counted

    def writer(self):
        i = 0
        while self.running:
            with self.lock:
                with open(self.log, "a") as out:
                    for _ in range(50):
                        out.write(LINE.format(p=100 + i % 900, q=0x1A0000 + i, i=i))
                        i += 1
                self.written = i
            time.sleep(0.01)

    def rotate(self, kind):
        with self.lock:
            n = len(glob.glob(self.log + ".*")) + 1
            if kind == "rename":
                os.rename(self.log, f"{self.log}.{n}")
                open(self.log, "a").close()
            else:
                shutil.copyfile(self.log, f"{self.log}.{n}")
                with open(self.log, "r+") as out:
                    out.truncate(0)
            self.rotations[kind] += 1

    def settled(self):
        last, same = -1, 0
        for _ in range(600):
            n = self.lines_counted()
            same = same + 1 if n == last else 0
            if same >= 5:
                return n
            last = n
            time.sleep(0.1)
        return last


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--rotate-every", type=float, default=2)
    parser.add_argument("--restart-every", type=float, default=15)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="mta_soak_")
    soak = Soak(os.path.abspath(args.binary), work)
    soak.start()
    threading.Thread(target=soak.writer, daemon=True).start()
    kinds, restarts, kills = ["rename", "copytruncate"], 0, 0
    end = time.time() + args.seconds
    next_restart = time.time() + args.restart_every
    rotation = 0
    try:
        while time.time() < end:
            time.sleep(args.rotate_every)
            soak.rotate(kinds[rotation % 2])
            rotation += 1
            if time.time() < next_restart:
                continue
            next_restart = time.time() + args.restart_every
            # Half-way to the next rotation: a stop just after a copytruncate, before the writer appended
            # anything, leaves a checkpoint of an empty file, which a copytruncate while down cannot be
            # told from (the README's known limit); that case is not what this soak measures.
            time.sleep(args.rotate_every / 2)
            kill = (restarts + kills) % 3 == 2
            with soak.lock:
                soak.counted_before += soak.stop(kill)
            kills, restarts = (kills + 1, restarts) if kill else (kills, restarts + 1)
            time.sleep(0.3)  # the writer appends while the agent is down
            soak.rotate(kinds[rotation % 2])  # and a rotation happens
            rotation += 1
            soak.start()
    finally:
        soak.running = False
        time.sleep(0.1)
    with soak.lock:
        counted = soak.counted_before + soak.settled()
        soak.process.send_signal(signal.SIGTERM)
        soak.process.wait(30)
    present = sum(1 for path in glob.glob(soak.log + "*") for line in open(path, errors="replace")
                  if line.endswith("\n"))
    if not os.environ.get("MTA_SOAK_KEEP"):
        shutil.rmtree(work, ignore_errors=True)
    print(f"soak: {args.seconds:.0f} s, {soak.rotations['rename']} rename and {soak.rotations['copytruncate']} "
          f"copytruncate rotations, {restarts} SIGTERM and {kills} SIGKILL restarts (one every "
          f"{args.restart_every:.0f} s)")
    # Each run's count is exact (the writer pauses for the stop), so what a restart counts twice and what
    # is lost show together, as counted - present: duplicated when above, lost when below.
    print(f"soak: lines written {soak.written}, present {present}, counted {counted}, "
          f"duplicated {max(counted - present, 0)}, lost {max(present - counted, 0)} (counted - present "
          f"{counted - present:+d})")
    return 0 if counted >= present else 1


if __name__ == "__main__":
    sys.exit(main())
