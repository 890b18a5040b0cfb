"""End-to-end tests of syslog over TLS (RFC 5425) against a real rsyslogd with its OpenSSL network stream
driver (Debian package rsyslog-openssl), forwarding with omfwd to a `listen = "tls://..."` source:

  1. with a client certificate from the CA the agent trusts (tls_client_ca_file): every line is counted,
     exactly, and classified as `mta_exporter report` classifies the same lines;
  2. without a client certificate: the agent refuses the handshakes and counts them, and no line arrives.

Certificates are made by the openssl command for each test. Everything runs on 127.0.0.1, in a temporary
folder, and is stopped by the test.

Debian 12 package versions these tests were written and run against:
  rsyslog, rsyslog-openssl  8.2302.0-1+deb12u2
  openssl                   3.0.19-1~deb12u2

Environment: MTA_EXPORTER (the binary).
"""

import os
import subprocess
import unittest

import harness
from harness import TempFolder, free_port, metric_sum, require, require_program, wait_for
from sources_test import (FULL_TAG_TEMPLATE, Rsyslog, RunAgent, report_counts, sample_lines, source_counts,
                          source_lines, stays, syslog_sender)

OSSL_DRIVER = "/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so"
REJECTION_REASONS = ("peer_not_allowed", "peer_connection_limit", "connection_limit", "tls_handshake",
                     "tls_handshake_timeout")


def make_pki(folder):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, signed by the CA (P-256)."""
    require_program("openssl", "openssl")
    script = r'''set -e
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
key ca.key
openssl req -x509 -new -key ca.key -out ca.crt -days 2 -subj /CN=test-ca
leaf() {
  key "$1.key"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$1"
  printf '%s\n' "$2" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 2 -extfile "$1.ext"
}
leaf server "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth"
leaf client "extendedKeyUsage=clientAuth"
'''
    result = subprocess.run(["bash", "-c", script], cwd=folder, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"openssl could not make the test certificates:\n{result.stderr}")
    return {name: os.path.join(folder, name) for name in ("ca.crt", "server.crt", "server.key", "client.crt",
                                                          "client.key")}


class RsyslogTlsTest(unittest.TestCase):
    def forward_over_tls(self, folder, pki, lines, client_certificate):
        """A TLS source that requires client certificates, and an rsyslogd forwarding `lines` to it over
        TLS (octet-counted frames, as RFC 5425 says), with or without its client certificate. Returns the
        agent, the rsyslogd and the source's name; the caller stops both."""
        rsyslogd = require_program("rsyslogd", "rsyslog", "/usr/sbin/rsyslogd")
        require(os.path.exists(OSSL_DRIVER), f"{OSSL_DRIVER} (Debian package rsyslog-openssl)")
        port, rsyslog_in = free_port(), free_port()
        agent = RunAgent(folder, f'''[[source]]
type = "syslog"
name = "rs-tls"
listen = "tls://127.0.0.1:{port}"
tls_cert_file = "{pki["server.crt"]}"
tls_key_file = "{pki["server.key"]}"
tls_client_ca_file = "{pki["ca.crt"]}"
allowed_peers = ["127.0.0.0/8", "::1/128"]
max_hosts = 10
''')
        identity = (f'DefaultNetstreamDriverCertFile="{pki["client.crt"]}" '
                    f'DefaultNetstreamDriverKeyFile="{pki["client.key"]}"' if client_certificate else "")
        # The input is bound to its own ruleset, so rsyslogd's own messages are not forwarded.
        rsyslog = Rsyslog(folder, rsyslogd, f'''global(DefaultNetstreamDriverCAFile="{pki["ca.crt"]}" {identity})
{FULL_TAG_TEMPLATE}
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="{rsyslog_in}" ruleset="forward")
ruleset(name="forward") {{
  action(type="omfwd" target="127.0.0.1" port="{port}" protocol="tcp" StreamDriver="ossl" StreamDriverMode="1"
         StreamDriverAuthMode="x509/certvalid" TCP_Framing="octet-counted" template="FullTagForward")
}}
''')
        try:
            rsyslog.wait_listening(rsyslog_in)
            syslog_sender(rsyslog_in, lines)
        except BaseException:
            rsyslog.stop()
            agent.stop()
            raise
        return agent, rsyslog, "rs-tls"

    def test_rsyslog_over_tls_is_counted_exactly(self):
        lines = sample_lines(2000)
        expected = report_counts(lines)
        with TempFolder() as folder:
            agent, rsyslog, name = self.forward_over_tls(folder, make_pki(folder), lines, client_certificate=True)
            try:
                wait_for(lambda: source_lines(agent, name) >= len(lines), timeout=90,
                         what=f"{len(lines)} lines over TLS (rsyslogd: {rsyslog.output()[-800:]})")
                self.assertTrue(stays(lambda: source_lines(agent, name) == len(lines), 1.5),
                                f"{source_lines(agent, name)} lines counted, {len(lines)} sent")
                samples = agent.metrics()
                self.assertEqual(source_counts(samples, name), expected)
                self.assertEqual(metric_sum(samples, "mta_exporter_syslog_messages_total", source=name, host="mx1"),
                                 len(lines))
                self.assertEqual(metric_sum(samples, "mta_exporter_syslog_invalid_frames_total", source=name), 0)
                self.assertGreaterEqual(metric_sum(samples, "mta_exporter_syslog_connections_total", source=name), 1)
                for reason in REJECTION_REASONS:  # every series present from the start, none counted
                    self.assertIn(("mta_exporter_syslog_rejected_total",
                                   frozenset({("source", name), ("reason", reason)})), samples)
                    self.assertEqual(metric_sum(samples, "mta_exporter_syslog_rejected_total", source=name,
                                                reason=reason), 0, reason)
            finally:
                rsyslog.stop()
                self.assertEqual(agent.stop(), 0, agent.agent_log())

    def test_rsyslog_without_a_client_certificate_is_refused(self):
        lines = sample_lines(50)
        with TempFolder() as folder:
            agent, rsyslog, name = self.forward_over_tls(folder, make_pki(folder), lines, client_certificate=False)
            try:
                wait_for(lambda: metric_sum(agent.metrics(), "mta_exporter_syslog_rejected_total", source=name,
                                            reason="tls_handshake") >= 1,
                         timeout=60, what=f"a refused handshake (rsyslogd: {rsyslog.output()[-800:]})")
                self.assertEqual(source_lines(agent, name), 0)
                self.assertIn("peer did not return a certificate", agent.agent_log())
            finally:
                rsyslog.stop()
                self.assertEqual(agent.stop(), 0, agent.agent_log())


if __name__ == "__main__":
    harness.main()
