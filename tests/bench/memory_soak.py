#!/usr/bin/env python3
"""Memory soak of `mta_exporter serve` (issue 16): a writer appends real-looking Postfix lines at a steady rate
(default 5,000 lines/s; failures with varied hosts, addresses, queue ids and codes, so that caches and label
sets are exercised), rotating the log every few minutes; the agent's resident memory (VmRSS) is printed every
--every seconds, with the lines counted so far. A flat RSS after warm-up is the goal.

usage: memory_soak.py BINARY [--seconds 3600] [--rate 5000] [--every 60]
"""
import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HOSTS = ["gmail-smtp-in.l.google.com", "mx1.hotmail.com", "mta5.am0.yahoodns.net", "mx.example.net", "mx.b.example"]
REPLIES = ["550 5.1.1 <{a}>: Recipient address rejected: User unknown in virtual mailbox table",
           "452 4.2.2 The email account that you tried to reach is over quota",
           "554 5.7.1 Service unavailable; Client host [{ip}] blocked using zen.spamhaus.org",
           "421 4.7.0 Try again later, closing connection. (EHLO)",
           "550 5.7.26 This message does not pass authentication checks (SPF and DKIM both do not pass)"]
STATUS = {"5": "bounced", "4": "deferred"}


def line(rng, i):
    host = rng.choice(HOSTS)
    ip = f"192.0.2.{rng.randrange(1, 255)}"
    address = f"user{rng.randrange(10**6)}@{host.split('.', 1)[1]}"
    reply = rng.choice(REPLIES).format(a=address, ip=ip)
    if rng.random() < 0.5:
        return (f"Nov 24 10:00:00 mx postfix/smtp[{rng.randrange(100, 65000)}]: {0x1A0000 + i:X}: to=<{address}>, "
                f"relay=none, delay=0.5, delays=0/0/0/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK {i})\n")
    return (f"Nov 24 10:00:00 mx postfix/smtp[{rng.randrange(100, 65000)}]: {0x1A0000 + i:X}: to=<{address}>, "
            f"relay={host}[{ip}]:25, delay=1, delays=0/0/0/1, dsn={reply[4:9]}, status={STATUS[reply[0]]} "
            f"(host {host}[{ip}] said: {reply} (in reply to RCPT TO command))\n")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for entry in status:
            if entry.startswith("VmRSS:"):
                return int(entry.split()[1])
    return 0


def counted(port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return int(sum(float(entry.rsplit(" ", 1)[1]) for entry in text.splitlines()
                   if entry.startswith("mta_exporter_lines_total{")))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--seconds", type=float, default=3600)
    parser.add_argument("--rate", type=int, default=5000)
    parser.add_argument("--every", type=float, default=60)
    parser.add_argument("--rotate-every", type=float, default=300)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="mta_memory_soak_")
    log = os.path.join(work, "mail.log")
    open(log, "w").close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = os.path.join(work, "mta_exporter.toml")
    with open(config, "w") as out:
        out.write(f'[web]\nlisten_address = "127.0.0.1:{port}"\n'
                  f'[[source]]\ntype = "file"\nname = "mail"\npath = "{log}"\n')
    agent = subprocess.Popen([os.path.abspath(args.binary), "serve", "--config", config],
                             stdout=open(os.path.join(work, "agent.out"), "w"), stderr=subprocess.STDOUT)
    time.sleep(1)
    running = True

    def writer():
        rng, i, started = random.Random(1), 0, time.monotonic()
        last_rotation = started
        while running:
            due = int((time.monotonic() - started) * args.rate)
            with open(log, "a") as out:
                while i < due:
                    out.write(line(rng, i))
                    i += 1
            if time.monotonic() - last_rotation >= args.rotate_every:
                os.replace(log, log + ".1")  # one archive kept: the disk stays small
                open(log, "w").close()
                last_rotation = time.monotonic()
            time.sleep(0.02)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    start = time.monotonic()
    print(f"memory soak: {args.rate} lines/s for {args.seconds:.0f} s", flush=True)
    print("elapsed_s\tlines_counted\trss_kib", flush=True)
    try:
        while time.monotonic() - start < args.seconds:
            time.sleep(args.every)
            print(f"{time.monotonic() - start:.0f}\t{counted(port)}\t{rss_kib(agent.pid)}", flush=True)
    finally:
        running = False
        thread.join()
        agent.terminate()
        agent.wait(30)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
