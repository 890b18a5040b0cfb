#!/usr/bin/env python3
"""Stop during a catch-up: `mta_exporter serve` reads a large log from its beginning (1 GiB of the product
side's generated Postfix log by default), gets SIGTERM after --after seconds, and the script prints how long
the agent took to exit, how far it had read (the checkpoint), and whether a restart from that checkpoint
reads the rest exactly once (lines counted by both runs = lines in the file). Figures only, no pass/fail on
speed (issue 16: SIGTERM within 1 s during a 1 GB catch-up).

usage: python3 tests/bench/catchup_stop.py [--binary build/src/mta_exporter] [--megabytes 1024] [--after 1]
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "../.."))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lines_counted(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("mta_exporter_lines_total{"))


def start(binary, folder, log, start_at):
    port = free_port()
    config = os.path.join(folder, "bench.toml")
    with open(config, "w") as out:
        out.write(f'[web]\nlisten_address = "127.0.0.1:{port}"\n[log]\nlevel = "warn"\n'
                  f'[checkpoint]\npath = "{folder}/checkpoint"\ninterval_seconds = 1\n'
                  f'[[source]]\ntype = "file"\nname = "m"\npath = "{log}"\nstart_at = "{start_at}"\n')
    process = subprocess.Popen([binary, "serve", "--config", config],
                               stdout=open(os.path.join(folder, f"agent-{start_at}.log"), "w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/-/healthy", timeout=2).read()
            return process, port
        except OSError:
            time.sleep(0.02)
    raise SystemExit("agent did not come up")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, "build/src/mta_exporter"))
    parser.add_argument("--megabytes", type=int, default=1024)
    parser.add_argument("--after", type=float, default=1.0)
    parser.add_argument("--shared", default=os.path.join(ROOT, "../shared"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mta_catchup_") as folder:
        piece = os.path.join(folder, "piece.log")
        subprocess.run([sys.executable, os.path.join(args.shared, "bench/gen_postfix_corpus.py"), "--lines", "500000",
                        "--seed", "1", "--out", piece], check=True, capture_output=True)
        log = os.path.join(folder, "mail.log")
        with open(piece, "rb") as source:
            chunk = source.read()
        with open(log, "wb") as out:
            written = 0
            while written < args.megabytes << 20:
                out.write(chunk)
                written += len(chunk)
        total_lines = chunk.count(b"\n") * (written // len(chunk))
        print(f"log: {written / 2**20:.0f} MiB, {total_lines} lines")

        process, port = start(args.binary, folder, log, "beginning")
        time.sleep(args.after)
        before_stop = lines_counted(port)
        sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait()
        stop_seconds = time.monotonic() - sent
        # The checkpoint's file lines: "file", key, device, inode, fingerprint, its length, offset.
        with open(os.path.join(folder, "checkpoint")) as saved:
            offset = next(int(line.rstrip("\n").split("\t")[6]) for line in saved if line.startswith("file\t"))
        print(f"SIGTERM after {args.after:.1f} s ({before_stop:,.0f} lines counted): exited in {stop_seconds:.3f} s, "
              f"status {process.returncode}; checkpoint at byte {offset:,} of {written:,}")

        # The first run's count is gone with it; the checkpoint says where it stopped, in lines.
        with open(log, "rb") as source:
            first_run_lines = source.read(offset).count(b"\n")
        process, port = start(args.binary, folder, log, "checkpoint")
        deadline = time.monotonic() + 600
        counted = 0
        while time.monotonic() < deadline:
            counted = lines_counted(port)
            if first_run_lines + counted >= total_lines:
                break
            time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        process.wait()
        print(f"restart from the checkpoint: {first_run_lines:,} lines before it + {counted:,.0f} after = "
              f"{first_run_lines + counted:,.0f} of {total_lines:,} ({'exact' if first_run_lines + counted == total_lines else 'DIFFERS'})")


if __name__ == "__main__":
    main()
