"""The web server under attack, against the real binary on loopback: a gzip bomb sent over and over, 64
slow clients (one header byte every 2 s, reconnecting when closed), a connection flood, each alone and
all at once, while a well-behaved scraper asks for /metrics twice a second. The figures printed are the
scraper's /metrics times and the agent's peak memory (VmHWM); tests/bench/web_attack.py prints the same
with and without the connection guard.

The attackers connect from 127.0.0.2 and the scraper from 127.0.0.1, as a scraper and an attacker are
different hosts; one run has them share 127.0.0.1, where the scraper competes with the attack for the
address's share of connections: most scrapes are answered, some refused at once."""

import gzip
import http.client
import socket
import statistics
import threading
import time
import unittest

import harness
from harness import Agent, TempFolder, parse_metrics, peak_rss_kib, sanitized

PEAK_RSS_LIMIT_KIB = 64 * 1024
SCRAPE_LIMIT_SECONDS = 5.0  # generous: the aim is 1 s, and ctest runs other tests on the two cores meanwhile
ATTACK_SECONDS = 10.0
SLOW_CLIENTS = 64
SLOW_BYTE_INTERVAL = 2.0
FLOOD_THREADS = 3
FLOOD_HELD_PER_THREAD = 200  # connections each flood thread keeps open, closing the oldest beyond
IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)  # ports picked at connect, not bind

# 300 MiB of zeros in about 300 KiB.
_bomb = None


def gzip_bomb():
    global _bomb
    if _bomb is None:
        _bomb = gzip.compress(b"\0" * (300 << 20), compresslevel=9)
    return _bomb


def connect_from(source, port, timeout=2.0):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
    sock.bind((source, 0))
    sock.settimeout(timeout)
    try:
        sock.connect(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return sock


def send_gzip_bombs(port, source, stop, counts):
    """POST /metrics with the bomb as its body, again and again."""
    bomb = gzip_bomb()
    head = (f"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {len(bomb)}\r\n\r\n").encode()
    for _ in range(100000):
        if stop.is_set():
            return
        try:
            with connect_from(source, port, timeout=5) as sock:
                sock.sendall(head)
                sock.sendall(bomb)
                sock.recv(4096)
        except OSError:
            pass  # refused, or reset with the body unread: the point
        counts["gzip bombs"] += 1


def hold_slow_clients(port, source, stop, counts):
    """SLOW_CLIENTS connections that each send one header byte every SLOW_BYTE_INTERVAL and open again
    when the server closes them."""
    text = b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 4000
    clients = [None] * SLOW_CLIENTS  # [socket, bytes sent]
    for _ in range(int(ATTACK_SECONDS * 4 / SLOW_BYTE_INTERVAL) + 10):
        if stop.is_set():
            break
        for index, client in enumerate(clients):
            if client is not None and closed_by_peer(client[0]):
                client[0].close()
                client = clients[index] = None
            if client is None:
                try:
                    client = clients[index] = [connect_from(source, port), 0]
                    counts["slow connections"] += 1
                except OSError:
                    continue
            try:
                client[0].send(text[client[1] % len(text):][:1])
                client[1] += 1
            except OSError:
                client[0].close()
                clients[index] = None
        stop.wait(SLOW_BYTE_INTERVAL)
    for client in clients:
        if client is not None:
            client[0].close()


def closed_by_peer(sock):
    sock.setblocking(False)
    try:
        return sock.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


def flood_connections(port, source, stop, counts):
    """Opens connections as fast as it can and sends nothing on them, keeping FLOOD_HELD_PER_THREAD open."""
    held = []
    for _ in range(1000000):
        if stop.is_set():
            break
        try:
            held.append(connect_from(source, port, timeout=1))
            counts["flood connections"] += 1
        except OSError:
            pass
        if len(held) > FLOOD_HELD_PER_THREAD:
            held.pop(0).close()
    for sock in held:
        sock.close()


def send_endless_headers(port, source, stop, counts):
    """Four connections at a time, each sending one header line that never ends: cpp-httplib 0.11 would
    buffer it whole (1 GiB peak RSS in 2 minutes from one connection before the guard bounded it)."""
    chunk = b"a" * 65536
    sockets = []
    for _ in range(1000000):
        if stop.is_set():
            break
        while len(sockets) < 4:
            try:
                sock = connect_from(source, port, timeout=1)
                sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Long: ")
                sockets.append(sock)
                counts["endless header connections"] += 1
            except OSError:
                break
        for sock in list(sockets):
            try:
                sock.sendall(chunk)
                counts["endless header bytes"] += len(chunk)
            except OSError:
                sockets.remove(sock)
                sock.close()
    for sock in sockets:
        sock.close()


ATTACKS = {
    "gzip bomb": [send_gzip_bombs],
    "endless headers": [send_endless_headers],
    "64 slow clients": [hold_slow_clients],
    "connection flood": [flood_connections] * FLOOD_THREADS,
}
ATTACKS["all at once"] = [attack for attacks in ATTACKS.values() for attack in attacks]


def scrape(port, timeout):
    """(seconds, None) of one GET /metrics on a connection of its own, or (seconds, error)."""
    start = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/metrics")
        response = connection.getresponse()
        body = response.read()
        if response.status != 200 or b"mta_exporter_" not in body:
            return time.monotonic() - start, f"status {response.status}"
        return time.monotonic() - start, None
    except OSError as error:
        return time.monotonic() - start, f"{type(error).__name__}: {error}"
    finally:
        connection.close()


class Figures:
    def __init__(self, attack, times, outcomes, peak_kib, sanitized, refused, counts):
        self.attack, self.times, self.outcomes, self.peak_kib = attack, times, outcomes, peak_kib
        self.errors = [error for error in outcomes if error is not None]
        self.sanitized = sanitized
        self.refused, self.counts = refused, counts

    def line(self):
        counts = ", ".join(f"{value} {name}" for name, value in self.counts.items() if value)
        refused = ", ".join(f"{reason} {int(value)}" for reason, value in sorted(self.refused.items()) if value)
        return (f"{self.attack:<17} scrapes {len(self.times) - len(self.errors)}/{len(self.times)} ok, "
                f"/metrics median {statistics.median(self.times):.3f} s max {max(self.times):.3f} s; "
                f"peak RSS {self.peak_kib / 1024:.1f} MiB{' (sanitizer build)' if self.sanitized else ''}; sent {counts or 'nothing'}; "
                f"refused {refused or 'none'}")


def run_attack(attack, attacker_address, extra_toml="", seconds=ATTACK_SECONDS, scrape_timeout=10.0):
    """Figures of one attack on a fresh agent (so that its peak memory is the attack's)."""
    with TempFolder() as folder:
        agent = Agent(folder, "", extra_toml)
        stop = threading.Event()
        counts = {"gzip bombs": 0, "endless header connections": 0, "endless header bytes": 0,
                  "slow connections": 0, "flood connections": 0}
        attackers = [threading.Thread(target=attack_function, args=(agent.port, attacker_address, stop, counts))
                     for attack_function in ATTACKS[attack]]
        try:
            for attacker in attackers:
                attacker.start()
            stop.wait(1.0)  # the attack under way
            times, outcomes = [], []
            deadline = time.monotonic() + seconds
            for _ in range(int(seconds * 2) + 1):
                if time.monotonic() >= deadline:
                    break
                elapsed, error = scrape(agent.port, scrape_timeout)
                times.append(elapsed)
                outcomes.append(error)
                stop.wait(max(0.0, 0.5 - elapsed))
        finally:
            stop.set()
            for attacker in attackers:
                attacker.join(30)
        # Once the attack has stopped (and the connections it left are closed), every scrape is answered.
        recovery = time.monotonic() + 5.0
        while scrape(agent.port, scrape_timeout)[1] is not None and time.monotonic() < recovery:
            time.sleep(0.2)
        after_attack_errors = [error for error in (scrape(agent.port, scrape_timeout)[1] for _ in range(3)) if error]
        peak_kib = peak_rss_kib(agent.process.pid)
        instrumented = sanitized(agent.process.pid)
        samples = parse_metrics(agent.metrics_text())
        refused = {dict(labels)["reason"]: value for (name, labels), value in samples.items()
                   if name == "mta_exporter_web_connections_refused_total"}
        returncode = agent.stop()
        if returncode != 0:
            raise AssertionError(f"agent exited with {returncode}: {agent.agent_log()}")
        figures = Figures(attack, times, outcomes, peak_kib, instrumented, refused, counts)
        figures.after_attack_errors = after_attack_errors
        return figures


class WebAttackTest(unittest.TestCase):
    def check(self, figures):
        print(f"\n  {figures.line()}", flush=True)
        self.assertEqual(figures.errors, [], "every scrape succeeds")
        self.assertEqual(figures.after_attack_errors, [], "scrapes once the attack has stopped")
        self.assertLess(max(figures.times), SCRAPE_LIMIT_SECONDS)
        if not figures.sanitized:
            self.assertLess(figures.peak_kib, PEAK_RSS_LIMIT_KIB)

    def test_gzip_bomb(self):
        figures = run_attack("gzip bomb", "127.0.0.2")
        self.check(figures)
        self.assertGreater(figures.counts["gzip bombs"], 0)

    def test_endless_headers(self):
        figures = run_attack("endless headers", "127.0.0.2")
        self.check(figures)
        # Each connection is closed once the server has read 64 KiB of it without a complete request.
        self.assertGreater(figures.refused["request_too_large"], 0)
        self.assertGreater(figures.counts["endless header bytes"], 16 << 20)

    def test_slow_clients(self):
        figures = run_attack("64 slow clients", "127.0.0.2")
        self.check(figures)
        # More than 8 from one address: the oldest of them closed to make room.
        self.assertGreater(figures.refused["evicted"] + figures.refused["request_timeout"], 0)

    def test_connection_flood(self):
        figures = run_attack("connection flood", "127.0.0.2")
        self.check(figures)
        self.assertGreater(figures.counts["flood connections"], 1000)

    def test_all_at_once(self):
        self.check(run_attack("all at once", "127.0.0.2"))

    def test_all_at_once_from_the_scrapers_address(self):
        # Attack and scraper on one address share its 8 connections: while the flood's connections hold
        # them, a scrape may be closed at once (how many are is printed, and varies from run to run).
        # What must hold: memory stays bounded, answered scrapes are quick, and once the attack stops
        # every scrape is answered.
        figures = run_attack("all at once", "127.0.0.1")
        print(f"\n  {figures.line()}", flush=True)
        answered = [elapsed for elapsed, error in zip(figures.times, figures.outcomes) if error is None]
        if answered:
            self.assertLess(max(answered), SCRAPE_LIMIT_SECONDS)
        if not figures.sanitized:
            self.assertLess(figures.peak_kib, PEAK_RSS_LIMIT_KIB)
        self.assertEqual(figures.after_attack_errors, [], "scrapes once the attack has stopped")


if __name__ == "__main__":
    harness.main()
