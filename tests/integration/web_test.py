"""The web server faces a hostile network: only GET and HEAD, request bodies refused before a byte of
them is read (a gzip bomb costs nothing), paths matched exactly, and the process_* metrics that show
the agent's own footprint. Figures (peak memory) are printed."""

import gzip
import http.client
import unittest

import harness
from harness import Agent, TempFolder, http_get, parse_metrics, peak_rss_kib, sanitized

PEAK_RSS_LIMIT_KIB = 64 * 1024
BOMB_GROWTH_LIMIT_KIB = 16 * 1024  # inflating one bomb would need 300 MiB


def request(agent, method, path, body=None, headers=None):
    """(status, headers, body) of one request on a connection of its own."""
    connection = http.client.HTTPConnection("127.0.0.1", agent.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class WebTest(unittest.TestCase):
    def test_only_get_and_head(self):
        with TempFolder() as folder:
            agent = Agent(folder, "")
            try:
                for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
                    status, headers, _ = request(agent, method, "/metrics")
                    self.assertEqual(status, 405, method)
                    self.assertEqual(headers.get("Allow"), "GET, HEAD", method)
                status, headers, body = request(agent, "HEAD", "/metrics")
                self.assertEqual((status, body), (200, b""))
                self.assertGreater(int(headers["Content-Length"]), 0)
            finally:
                self.assertEqual(agent.stop(), 0, agent.agent_log())

    def test_a_gzip_bomb_is_refused_unread(self):
        # 300 MB of zeros in about 300 KB: a server that inflates request bodies before routing them
        # needs hundreds of MiB for this one request.
        bomb = gzip.compress(b"\0" * (300 << 20), compresslevel=9)
        with TempFolder() as folder:
            agent = Agent(folder, "")
            try:
                before = peak_rss_kib(agent.process.pid)
                for method, path in (("POST", "/metrics"), ("POST", "/nowhere"), ("GET", "/metrics")):
                    status, _, _ = request(agent, method, path, body=bomb, headers={"Content-Encoding": "gzip"})
                    self.assertIn(status, (405, 413), f"{method} {path}")
                after = peak_rss_kib(agent.process.pid)
                print(f"\n  gzip bomb ({len(bomb)} bytes, 300 MiB inflated) x3: peak RSS {before} KiB before, "
                      f"{after} KiB after", flush=True)
                if sanitized(agent.process.pid):
                    self.assertLess(after - before, BOMB_GROWTH_LIMIT_KIB)  # ASan's own memory is no part of it
                else:
                    self.assertLess(after, PEAK_RSS_LIMIT_KIB)
                self.assertEqual(http_get(agent.url("/metrics"))[0], 200, "the agent still serves")
            finally:
                self.assertEqual(agent.stop(), 0, agent.agent_log())

    def test_request_bodies_are_refused(self):
        with TempFolder() as folder:
            agent = Agent(folder, "")
            try:
                status, headers, _ = request(agent, "GET", "/metrics", body=b"x" * 100)
                self.assertEqual(status, 413)
                self.assertEqual(headers.get("Connection"), "close")
            finally:
                self.assertEqual(agent.stop(), 0, agent.agent_log())

    def test_paths_match_exactly(self):
        with TempFolder() as folder:
            # Characters that a regular expression would read as patterns.
            agent = Agent(folder, "", 'telemetry_path = "/metr.cs"')
            try:
                self.assertEqual(http_get(agent.url("/metr.cs"))[0], 200)
                for path in ("/metrics", "/metr.csX", "/metr.cs/", "/-/healthyX", "/x/-/ready"):
                    self.assertEqual(http_get(agent.url(path))[0], 404, path)
                for path in ("/", "/-/healthy", "/-/ready"):
                    self.assertEqual(http_get(agent.url(path))[0], 200, path)
            finally:
                self.assertEqual(agent.stop(), 0, agent.agent_log())

    def test_process_metrics(self):
        with TempFolder() as folder:
            agent = Agent(folder, "")
            try:
                samples = parse_metrics(agent.metrics_text())
                values = {name: value for (name, labels), value in samples.items() if name.startswith("process_")}
                self.assertEqual(set(values), {"process_cpu_seconds_total", "process_resident_memory_bytes",
                                               "process_virtual_memory_bytes", "process_open_fds",
                                               "process_max_fds", "process_start_time_seconds"})
                # What the kernel says of the same process.
                self.assertAlmostEqual(values["process_resident_memory_bytes"] / 1024,
                                       peak_rss_kib(agent.process.pid), delta=32 * 1024)
                self.assertGreater(values["process_open_fds"], 3)
                self.assertGreater(values["process_max_fds"], values["process_open_fds"])
            finally:
                self.assertEqual(agent.stop(), 0, agent.agent_log())


if __name__ == "__main__":
    harness.main()
