"""The web configuration file (exporter-toolkit format: TLS, client certificates, basic auth) and the
exporter flags (--web.listen-address, --web.config.file, --web.telemetry-path, --log.format), against
the real binary, a real Prometheus (Debian package prometheus) and Python's TLS client, on loopback.

Certificates are made when the test starts with the openssl CLI, in a temporary folder: a CA, a server
certificate (SAN localhost, 127.0.0.1, ::1), a renewed server certificate, a client certificate from
the CA and one from another CA. Passwords are hashed with bcrypt (Python's crypt). Nothing secret is
in the source tree.

- Prometheus scrapes the agent over HTTPS with basic auth (a wrong password: up == 0), then with
  client certificates (RequireAndVerifyClientCert).
- 401 without or with wrong credentials; a handshake without client certificate, or with one from
  another CA, is refused; plain HTTP to the TLS port gets no HTTP answer.
- A renewed certificate on disk is served by the next connection, without restart.
- config/web-config.example.yml passes `promtool check web-config` (a copy whose certificate paths
  name the test's certificates: promtool reads the files) and `mta_exporter check-config`.
- Errors in a web config exit 2 and name file, line and key.
- Flags: several listen addresses, ":PORT" on IPv4 and IPv6, the telemetry path, flags over the
  [web] and [log] tables, JSON logs."""

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import base64
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import unittest
import urllib.parse
import warnings

import yaml

import harness
from harness import BINARY, Process, free_port, wait_for

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # crypt: "deprecated ... removed in Python 3.13"
    import crypt

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
EXAMPLE_WEB_CONFIG = os.path.join(REPO, "config", "web-config.example.yml")
USER = "prometheus"
TIME_LIMIT = 60  # seconds, for each wait

OPENSSL_CONFIG = """
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def bcrypt(password):
    return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10))


class Pki:
    """Certificates and keys (PEM files in `folder`): ca, server, server2 (the renewal: same CA, other
    key, serial and CN), client (signed by ca), other_ca and other_client (signed by other_ca)."""

    def __init__(self, folder):
        self.folder = folder
        self.openssl = harness.require_program("openssl", "openssl")
        self.config = self.path("openssl.cnf")
        with open(self.config, "w") as out:
            out.write(OPENSSL_CONFIG)
        self.make_ca("ca", "mta_exporter test CA")
        self.make_ca("other_ca", "some other CA")
        self.make_leaf("server", "localhost", "ca", "server_ext", serial=0x1001)
        self.make_leaf("server2", "localhost renewed", "ca", "server_ext", serial=0x1002)
        self.make_leaf("client", "prometheus", "ca", "client_ext", serial=0x2001)
        self.make_leaf("other_client", "prometheus", "other_ca", "client_ext", serial=0x3001)

    def path(self, name):
        return os.path.join(self.folder, name)

    def crt(self, name):
        return self.path(f"{name}.crt")

    def key(self, name):
        return self.path(f"{name}.key")

    def run(self, *args):
        result = subprocess.run([self.openssl, *args], cwd=self.folder, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError(f"openssl {' '.join(args)}: {result.stderr}")

    def make_ca(self, name, common_name):
        self.run("req", "-x509", "-config", self.config, "-extensions", "ca_ext", "-newkey", "ec",
                 "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", self.key(name), "-out", self.crt(name),
                 "-days", "2", "-subj", f"/CN={common_name}")

    def make_leaf(self, name, common_name, ca, extensions, serial):
        csr = self.path(f"{name}.csr")
        self.run("req", "-new", "-config", self.config, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", self.key(name), "-out", csr, "-subj", f"/CN={common_name}")
        self.run("x509", "-req", "-in", csr, "-CA", self.crt(ca), "-CAkey", self.key(ca), "-set_serial", str(serial),
                 "-days", "2", "-extfile", self.config, "-extensions", extensions, "-out", self.crt(name))


class WebAgent(Process):
    """mta_exporter serve with a TOML file ([web] on 127.0.0.1:port, config_file = web.yml beside it)
    and the web config `web_yaml`; `arguments` are added to the command line."""

    def __init__(self, folder, web_yaml, arguments=(), toml_extra=""):
        self.port = free_port()
        self.web_config = os.path.join(folder, "web.yml")
        with open(self.web_config, "w") as out:
            out.write(web_yaml)
        self.config = os.path.join(folder, "mta_exporter.toml")
        with open(self.config, "w") as out:
            out.write(f'[web]\nlisten_address = "127.0.0.1:{self.port}"\nconfig_file = "web.yml"\n{toml_extra}\n')
        super().__init__("agent", [BINARY, "serve", "--config", self.config, *arguments], folder)
        wait_for(self.listening, timeout=TIME_LIMIT, what="the agent to listen")

    def listening(self):
        self.check()
        return harness.port_open(self.port)


def tls_web_yaml(pki, users=None, client_ca=None, cert="server.crt", key="server.key"):
    """A web config in pki.folder's terms (relative paths: they resolve against the web config's folder,
    which the caller makes pki.folder by writing it there, or absolute paths)."""
    document = {"tls_server_config": {"cert_file": cert, "key_file": key}}
    if client_ca:
        document["tls_server_config"].update({"client_auth_type": "RequireAndVerifyClientCert",
                                              "client_ca_file": client_ca})
    if users:
        document["basic_auth_users"] = {user: bcrypt(password) for user, password in users.items()}
    return yaml.safe_dump(document, sort_keys=False)


def client_context(pki, client=None):
    """A TLS client context that trusts the test CA (and checks the host name), with a client
    certificate `client` (a Pki name) or none."""
    context = ssl.create_default_context(cafile=pki.crt("ca"))
    if client:
        context.load_cert_chain(pki.crt(client), pki.key(client))
    return context


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def https_get(port, path, context, authorization=None, host="127.0.0.1"):
    """(status, headers, body, DER certificate of the server) of one request on its own connection."""
    connection = http.client.HTTPSConnection(host, port, context=context, timeout=30)
    try:
        connection.request("GET", path, headers={"Authorization": authorization} if authorization else {})
        certificate = connection.sock.getpeercert(binary_form=True)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read(), certificate
    finally:
        connection.close()


def served_certificate(port, context):
    """(SHA-256 of the DER certificate, its subject CN) that a new connection to the port sees."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            der = tls.getpeercert(binary_form=True)
            subject = dict(pair[0] for pair in tls.getpeercert()["subject"])
            return hashlib.sha256(der).hexdigest(), subject["commonName"]


def der_digest(pem_path):
    with open(pem_path) as pem:
        return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem.read())).hexdigest()


def replace_file(source, destination):
    """Replaces `destination` in one step (as certbot's symlink switch or an `install` does)."""
    temporary = destination + ".new"
    shutil.copyfile(source, temporary)
    os.replace(temporary, destination)


def ipv6_loopback_works():
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


def free_port_v6():
    with socket.socket(socket.AF_INET6) as sock:
        sock.bind(("::1", 0))
        return sock.getsockname()[1]


def http_status(host, port, path):
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def line_of(text, needle):
    """The 1-based number of the first line of `text` that contains `needle`."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {text!r}")


class WebTlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="mta_exporter_web_tls_")
        cls.addClassCleanup(shutil.rmtree, cls.folder, ignore_errors=True)
        os.makedirs(os.path.join(cls.folder, "pki"))
        cls.pki = Pki(os.path.join(cls.folder, "pki"))
        cls.password = secrets.token_urlsafe(16)

    def setUp(self):
        # Each test works in a folder of its own holding a copy of the certificates: a test that
        # replaces one leaves the others alone.
        self.work = tempfile.mkdtemp(prefix="case_", dir=self.folder)
        for name in os.listdir(self.pki.folder):
            shutil.copy(os.path.join(self.pki.folder, name), self.work)

    def start_agent(self, web_yaml, arguments=(), toml_extra=""):
        agent = WebAgent(self.work, web_yaml, arguments, toml_extra)
        self.addCleanup(self.stop_agent, agent)
        return agent

    def stop_agent(self, agent):
        self.assertEqual(agent.stop(), 0, agent.output()[-3000:])

    # --- Prometheus ---------------------------------------------------------------------------------
    def start_prometheus(self, jobs):
        """A Prometheus scraping every second, with `jobs` (scrape configs), ready, in self.work."""
        prometheus = harness.require_program("prometheus", "prometheus")
        promtool = harness.require_program("promtool", "prometheus")
        config = os.path.join(self.work, "prometheus.yml")
        with open(config, "w") as out:
            yaml.safe_dump({"global": {"scrape_interval": "1s", "scrape_timeout": "1s"}, "scrape_configs": jobs}, out)
        check = subprocess.run([promtool, "check", "config", config], capture_output=True, text=True, timeout=60)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.prom_port = free_port()
        self.prometheus = Process("prometheus", [
            prometheus, f"--config.file={config}", f"--storage.tsdb.path={self.work}/prometheus-data",
            f"--web.listen-address=127.0.0.1:{self.prom_port}", "--log.level=info"], self.work)
        self.addCleanup(self.prometheus.stop)

        def ready():
            self.prometheus.check()
            try:
                return harness.http_get(f"http://127.0.0.1:{self.prom_port}/-/ready")[0] == 200
            except OSError:
                return False
        wait_for(ready, timeout=TIME_LIMIT, interval=0.2, what="Prometheus to be ready")

    def prom_query(self, query):
        self.prometheus.check()
        url = f"http://127.0.0.1:{self.prom_port}/api/v1/query?" + urllib.parse.urlencode({"query": query})
        status, _, body = harness.http_get(url)
        self.assertEqual(status, 200, body[:500])
        return json.loads(body)["data"]["result"]

    def prom_targets(self):
        url = f"http://127.0.0.1:{self.prom_port}/api/v1/targets"
        targets = json.loads(harness.http_get(url)[2])["data"]["activeTargets"]
        return {target["labels"]["job"]: target for target in targets}

    def wait_for_up(self, job, value):
        def scraped():
            result = self.prom_query(f'up{{job="{job}"}}')
            return bool(result) and result[0]["value"][1] == value
        try:
            wait_for(scraped, timeout=TIME_LIMIT, interval=0.25, what=f'up{{job="{job}"}} == {value}')
        except AssertionError as error:
            target = self.prom_targets().get(job, {})
            raise AssertionError(f"{error}; Prometheus' target: health={target.get('health')!r} "
                                 f"lastError={target.get('lastError')!r}") from None
        return self.prom_targets()[job]

    def assert_agent_metrics_in_prometheus(self, job):
        result = wait_for(lambda: self.prom_query(f'mta_exporter_build_info{{job="{job}"}}'), timeout=TIME_LIMIT,
                          interval=0.25, what="mta_exporter_build_info in Prometheus")
        self.assertEqual(result[0]["value"][1], "1")
        self.assertIn("version", result[0]["metric"])

    # --- 1, 2: a real Prometheus ----------------------------------------------------------------------
    def test_prometheus_scrapes_over_https_with_basic_auth(self):
        agent = self.start_agent(tls_web_yaml(self.pki, users={USER: self.password}))
        target = f"127.0.0.1:{agent.port}"
        tls_config = {"ca_file": os.path.join(self.work, "ca.crt")}
        self.start_prometheus([
            {"job_name": "mta", "scheme": "https", "basic_auth": {"username": USER, "password": self.password},
             "tls_config": tls_config, "static_configs": [{"targets": [target]}]},
            {"job_name": "mta_wrong_password", "scheme": "https",
             "basic_auth": {"username": USER, "password": self.password + "x"},
             "tls_config": tls_config, "static_configs": [{"targets": [target]}]},
            {"job_name": "mta_plain_http", "scheme": "http",
             "basic_auth": {"username": USER, "password": self.password},
             "static_configs": [{"targets": [target]}]},
        ])
        self.wait_for_up("mta", "1")
        self.assert_agent_metrics_in_prometheus("mta")
        wrong = self.wait_for_up("mta_wrong_password", "0")
        self.assertIn("401", wrong["lastError"])
        self.wait_for_up("mta_plain_http", "0")

    def test_prometheus_scrapes_with_a_client_certificate(self):
        agent = self.start_agent(tls_web_yaml(self.pki, client_ca="ca.crt"))
        self.start_prometheus([
            {"job_name": "mta", "scheme": "https",
             "tls_config": {"ca_file": os.path.join(self.work, "ca.crt"),
                            "cert_file": os.path.join(self.work, "client.crt"),
                            "key_file": os.path.join(self.work, "client.key")},
             "static_configs": [{"targets": [f"127.0.0.1:{agent.port}"]}]},
            {"job_name": "mta_no_client_certificate", "scheme": "https",
             "tls_config": {"ca_file": os.path.join(self.work, "ca.crt")},
             "static_configs": [{"targets": [f"127.0.0.1:{agent.port}"]}]},
        ])
        self.wait_for_up("mta", "1")
        self.assert_agent_metrics_in_prometheus("mta")
        self.wait_for_up("mta_no_client_certificate", "0")

    # --- 3, 4, 5: Python's TLS client ------------------------------------------------------------------
    def test_basic_auth(self):
        agent = self.start_agent(tls_web_yaml(self.pki, users={USER: self.password, "other": "other password"}))
        context = client_context(self.pki)
        for what, authorization in (("no credentials", None), ("wrong password", basic(USER, self.password + "x")),
                                    ("another user's password", basic("other", self.password)),
                                    ("unknown user", basic("nobody", self.password)),
                                    ("empty password", basic(USER, "")),
                                    ("not base64", "Basic !!!"), ("another scheme", f"Bearer {self.password}")):
            for path in ("/metrics", "/", "/-/healthy"):
                status, headers, _, _ = https_get(agent.port, path, context, authorization)
                self.assertEqual(status, 401, f"{what}, {path}")
                self.assertEqual(headers.get("WWW-Authenticate"), "Basic", f"{what}, {path}")
        status, headers, body, _ = https_get(agent.port, "/metrics", context, basic(USER, self.password))
        self.assertEqual(status, 200)
        self.assertIn(b"mta_exporter_build_info{", body)
        self.assertEqual(https_get(agent.port, "/metrics", context, basic("other", "other password"))[0], 200)
        # The server checks host names too: "localhost" is in the certificate.
        self.assertEqual(https_get(agent.port, "/-/healthy", context, basic(USER, self.password), host="localhost")[0],
                         200)

    def test_a_changed_password_takes_effect_without_restart(self):
        agent = self.start_agent(tls_web_yaml(self.pki, users={USER: self.password}))
        context = client_context(self.pki)
        self.assertEqual(https_get(agent.port, "/metrics", context, basic(USER, self.password))[0], 200)
        rotated = self.password + " rotated"
        with open(agent.web_config + ".new", "w") as out:
            out.write(tls_web_yaml(self.pki, users={USER: rotated}))
        os.replace(agent.web_config + ".new", agent.web_config)

        def rotated_in_force():
            return https_get(agent.port, "/metrics", context, basic(USER, rotated))[0] == 200
        wait_for(rotated_in_force, timeout=TIME_LIMIT, what="the new password to be accepted")
        self.assertEqual(https_get(agent.port, "/metrics", context, basic(USER, self.password))[0], 401)

        # A broken change (a plain password) keeps the rules in force, and says why in the log.
        with open(agent.web_config + ".new", "w") as out:
            out.write(tls_web_yaml(self.pki) + f"basic_auth_users:\n  {USER}: plain\n")
        os.replace(agent.web_config + ".new", agent.web_config)
        def reported():
            # The file is looked at when a request comes, no more than once a second.
            https_get(agent.port, "/-/healthy", context, basic(USER, rotated))
            return "changed web config cannot be used" in agent.output()
        wait_for(reported, timeout=TIME_LIMIT, what="the agent to report the broken web config")
        self.assertEqual(https_get(agent.port, "/metrics", context, basic(USER, rotated))[0], 200)
        self.assertEqual(https_get(agent.port, "/metrics", context, basic(USER, "plain"))[0], 401)

    def assert_refused(self, port, context, what):
        """The request gets no HTTP response: the handshake (or, with TLS 1.3, the first read after
        it, when the server has checked the client's certificate) fails."""
        try:
            status = https_get(port, "/-/healthy", context)[0]
        except (ssl.SSLError, ConnectionError, http.client.HTTPException) as error:
            return error
        self.fail(f"{what}: HTTP {status}, expected the TLS handshake to be refused")

    def test_client_certificates(self):
        agent = self.start_agent(tls_web_yaml(self.pki, client_ca="ca.crt"))
        error = self.assert_refused(agent.port, client_context(self.pki), "no client certificate")
        print(f"\n  no client certificate: {error!r}", flush=True)
        error = self.assert_refused(agent.port, client_context(self.pki, "other_client"), "another CA's certificate")
        print(f"  a client certificate from another CA: {error!r}", flush=True)
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            context = client_context(self.pki)
            context.maximum_version = version
            self.assert_refused(agent.port, context, f"no client certificate, {version.name}")
            context = client_context(self.pki, "other_client")
            context.maximum_version = version
            self.assert_refused(agent.port, context, f"another CA's certificate, {version.name}")
            context = client_context(self.pki, "client")
            context.maximum_version = version
            status, _, body, _ = https_get(agent.port, "/metrics", context)
            self.assertEqual(status, 200, version.name)
            self.assertIn(b"mta_exporter_build_info{", body)

    def test_plain_http_to_the_tls_port_gets_no_http_answer(self):
        agent = self.start_agent(tls_web_yaml(self.pki, users={USER: self.password}))
        with socket.create_connection(("127.0.0.1", agent.port), timeout=30) as sock:
            sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " +
                         basic(USER, self.password).encode() + b"\r\n\r\n")
            received = b""
            try:
                while chunk := sock.recv(65536):
                    received += chunk
            except ConnectionResetError:
                pass
        self.assertFalse(received.startswith(b"HTTP/"), received[:200])
        self.assertNotIn(b"mta_exporter", received)
        with self.assertRaises((ConnectionError, http.client.HTTPException)):
            http_status("127.0.0.1", agent.port, "/-/healthy")
        # And the agent still serves HTTPS.
        self.assertEqual(https_get(agent.port, "/-/healthy", client_context(self.pki), basic(USER, self.password))[0],
                         200)

    # --- 6: renewal -----------------------------------------------------------------------------------
    def test_a_renewed_certificate_is_served_without_restart(self):
        agent = self.start_agent(tls_web_yaml(self.pki, users={USER: self.password}))
        context = client_context(self.pki)
        self.assertEqual(served_certificate(agent.port, context), (der_digest(self.pki.crt("server")), "localhost"))
        # The new certificate first: with the old key it is no usable pair, and the agent keeps serving
        # the old one (and says so) rather than failing handshakes.
        replace_file(self.pki.crt("server2"), os.path.join(self.work, "server.crt"))
        self.assertEqual(served_certificate(agent.port, context), (der_digest(self.pki.crt("server")), "localhost"))
        replace_file(self.pki.key("server2"), os.path.join(self.work, "server.key"))
        self.assertEqual(served_certificate(agent.port, context),
                         (der_digest(self.pki.crt("server2")), "localhost renewed"))
        status, _, _, certificate = https_get(agent.port, "/metrics", context, basic(USER, self.password))
        self.assertEqual((status, hashlib.sha256(certificate).hexdigest()), (200, der_digest(self.pki.crt("server2"))))
        # Rewritten in place (same inode), as `cp` does: seen too.
        shutil.copyfile(self.pki.crt("server"), os.path.join(self.work, "server.crt"))
        shutil.copyfile(self.pki.key("server"), os.path.join(self.work, "server.key"))
        self.assertEqual(served_certificate(agent.port, context), (der_digest(self.pki.crt("server")), "localhost"))
        self.assertEqual(agent.process.poll(), None)
        log = agent.output()
        self.assertIn("TLS certificate read again", log)
        self.assertIn("keeping the previous one", log)

    # --- 7: the shipped example -------------------------------------------------------------------------
    def example_with_test_certificates(self, name):
        """config/web-config.example.yml with its certificate paths naming the test's certificates, and
        the commented client certificate lines switched on, as web config `name` in self.work."""
        with open(EXAMPLE_WEB_CONFIG) as example:
            text = example.read()
        text = text.replace("/etc/mta_exporter/tls/mta_exporter.crt", os.path.join(self.work, "server.crt"))
        text = text.replace("/etc/mta_exporter/tls/mta_exporter.key", os.path.join(self.work, "server.key"))
        text = text.replace("/etc/mta_exporter/tls/prometheus-ca.crt", os.path.join(self.work, "ca.crt"))
        self.assertNotIn("/etc/", re.sub(r"#.*", "", text), "a path of the example was not rewritten")
        path = os.path.join(self.work, name)
        with open(path, "w") as out:
            out.write(text)
        return path, text

    def check_config(self, web_config):
        toml = os.path.join(self.work, f"{os.path.basename(web_config)}.toml")
        with open(toml, "w") as out:
            out.write(f'[web]\nlisten_address = "127.0.0.1:{free_port()}"\nconfig_file = "{web_config}"\n')
        return subprocess.run([BINARY, "check-config", toml], capture_output=True, text=True, timeout=60)

    def test_the_shipped_example(self):
        promtool = harness.require_program("promtool", "prometheus")
        # promtool loads the certificate and key it names: the example's /etc/mta_exporter/... paths do
        # not exist here, so a copy names the test's certificates instead.
        good, text = self.example_with_test_certificates("web-config.yml")
        client_certificates = text.replace("# client_auth_type:", "client_auth_type:").replace(
            "# client_ca_file:", "client_ca_file:")
        ciphers = text.replace("# cipher_suites:", "cipher_suites:").replace(
            "# curve_preferences:", "curve_preferences:")
        for variant, content in (("as shipped", text), ("client certificates switched on", client_certificates),
                                 ("cipher suites and curves switched on", ciphers)):
            if variant != "as shipped":
                self.assertNotEqual(content, text, f"{variant}: the example has no such commented lines")
            with open(good, "w") as out:
                out.write(content)
            result = subprocess.run([promtool, "check", "web-config", good], capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 0, f"{variant}: {result.stdout}{result.stderr}")
            result = self.check_config(good)
            self.assertEqual(result.returncode, 0, f"{variant}: {result.stdout}{result.stderr}")
            self.assertIn(f"web config {good}", result.stdout)
        # A bad copy: a password where the hash goes. Both tools refuse it.
        bad = os.path.join(self.work, "web-config-bad.yml")
        with open(bad, "w") as out:
            out.write(re.sub(r"(prometheus: )\$2y\$\S+", r"\1my plaintext password", text))
        result = subprocess.run([promtool, "check", "web-config", bad], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(result.returncode, 0, "promtool accepted a plaintext password")
        result = self.check_config(bad)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        with open(bad) as bad_file:
            self.assertIn(f"{bad}:{line_of(bad_file.read(), 'my plaintext password')}:", result.stderr)
        self.assertIn("basic_auth_users.prometheus", result.stderr)
        self.assertNotIn("my plaintext password", result.stderr)

    # --- 8: errors -------------------------------------------------------------------------------------
    def test_errors_name_file_line_and_key(self):
        toml = os.path.join(self.work, "mta_exporter.toml")
        with open(toml, "w") as out:
            out.write(f'[web]\nlisten_address = "127.0.0.1:{free_port()}"\n')
        tls = "tls_server_config:\n  min_version: TLS12\n"
        cases = [
            ("an unknown key", tls + "  cert_file: server.crt\n  key_file: server.key\n  cert_flie: x.crt\n",
             "cert_flie", "tls_server_config.cert_flie", "unknown key"),
            ("an unknown top-level key", tls + "  cert_file: server.crt\n  key_file: server.key\nbasic_auth:\n  a: b\n",
             "basic_auth:", "basic_auth", "unknown key"),
            ("a plaintext password", "basic_auth_users:\n  prometheus: my-secret-password\n",
             "my-secret-password", "basic_auth_users.prometheus", "bcrypt"),
            # Nothing to point at: the line of the table (or of its first entry, where yaml-cpp marks it).
            ("no key_file", tls + "  cert_file: server.crt\n", ("tls_server_config:", "min_version"),
             "tls_server_config.key_file", "missing"),
            ("a key that does not match the certificate", tls + "  cert_file: server.crt\n  key_file: server2.key\n",
             "key_file", "tls_server_config.key_file", "does not match"),
            ("a certificate file that does not exist", tls + "  cert_file: nowhere.crt\n  key_file: server.key\n",
             "cert_file", "tls_server_config.cert_file", "nowhere.crt"),
            ("client_ca_file without client_auth_type", tls + "  cert_file: server.crt\n  key_file: server.key\n"
             "  client_ca_file: ca.crt\n", "client_ca_file", "tls_server_config.client_ca_file", "client_auth_type"),
        ]
        failures = []
        for what, content, line_marker, key, problem in cases:
            web = os.path.join(self.work, "web.yml")
            with open(web, "w") as out:
                out.write(content)
            lines = [line_of(content, marker) for marker in
                     (line_marker if isinstance(line_marker, tuple) else (line_marker,))]
            try:
                result = subprocess.run([BINARY, "serve", "--config", toml, "--web.config.file", web],
                                        capture_output=True, text=True, timeout=30)
            except subprocess.TimeoutExpired:
                failures.append(f"{what}: the agent started (no exit within 30 s)")
                continue
            print(f"\n  {what}: exit {result.returncode}: {result.stderr.strip()}", end="", flush=True)
            if result.returncode != 2:
                failures.append(f"{what}: exit {result.returncode}, expected 2")
            if not any(f"{web}:{line}:" in result.stderr for line in lines):
                failures.append(f"{what}: the error does not name {web}:{' or '.join(map(str, lines))}: "
                                f"{result.stderr!r}")
            if key not in result.stderr or problem not in result.stderr:
                failures.append(f"{what}: the error does not name {key!r} and {problem!r}: {result.stderr!r}")
            if "my-secret-password" in result.stderr:
                failures.append(f"{what}: the error shows the password")
            check = subprocess.run([BINARY, "check-config", self.toml_naming(web)], capture_output=True, text=True,
                                   timeout=30)
            if check.returncode != 1 or key not in check.stderr:
                failures.append(f"{what}: check-config exit {check.returncode}: {check.stderr!r}")
        print(flush=True)
        self.assertEqual(failures, [], "\n".join(failures))

    def toml_naming(self, web_config):
        toml = os.path.join(self.work, "check.toml")
        with open(toml, "w") as out:
            out.write(f'[web]\nconfig_file = "{web_config}"\n')
        return toml

    # --- 9: flags -------------------------------------------------------------------------------------
    def write_toml(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w") as out:
            out.write(text)
        return path

    def serve(self, toml, *arguments, ready=None):
        agent = Process("agent", [BINARY, "serve", "--config", toml, *arguments], self.work)
        self.addCleanup(lambda: self.assertEqual(agent.stop(), 0, agent.output()[-3000:]))

        def up():
            agent.check()
            try:
                return ready()
            except OSError:
                return False
        wait_for(up, timeout=TIME_LIMIT, interval=0.1, what="the agent to serve")
        return agent

    def test_several_listen_addresses(self):
        toml = self.write_toml("mta_exporter.toml", "")
        port = free_port()
        if not ipv6_loopback_works():
            agent = self.serve(toml, "--web.listen-address", f"127.0.0.1:{port}",
                               f"--web.listen-address=127.0.0.1:{free_port()}",
                               ready=lambda: http_status("127.0.0.1", port, "/-/healthy") == 200)
            self.skipTest("no IPv6 loopback (::1) on this machine: the [::1]:PORT half is not tested")
        port6 = free_port_v6()
        agent = self.serve(toml, "--web.listen-address", f"127.0.0.1:{port}", f"--web.listen-address=[::1]:{port6}",
                           ready=lambda: http_status("127.0.0.1", port, "/-/healthy") == 200)
        self.assertEqual(http_status("::1", port6, "/metrics"), 200)
        self.assertEqual(http_status("127.0.0.1", port, "/metrics"), 200)
        self.assertEqual(agent.process.poll(), None)

    def test_port_only_listens_on_ipv4_and_ipv6(self):
        if not ipv6_loopback_works():
            self.skipTest("no IPv6 loopback (::1) on this machine")
        toml = self.write_toml("mta_exporter.toml", "")
        port = free_port()
        self.serve(toml, "--web.listen-address", f":{port}",
                   ready=lambda: http_status("127.0.0.1", port, "/-/healthy") == 200)
        self.assertEqual(http_status("::1", port, "/metrics"), 200)
        self.assertEqual(http_status("127.0.0.1", port, "/metrics"), 200)

    def test_telemetry_path_flag(self):
        toml = self.write_toml("mta_exporter.toml", "")
        port = free_port()
        self.serve(toml, f"--web.listen-address=127.0.0.1:{port}", "--web.telemetry-path", "/m",
                   ready=lambda: http_status("127.0.0.1", port, "/-/healthy") == 200)
        self.assertEqual(http_status("127.0.0.1", port, "/m"), 200)
        self.assertEqual(http_status("127.0.0.1", port, "/metrics"), 404)

    def test_flags_win_over_the_toml_file(self):
        toml_port, flag_port = free_port(), free_port()
        # [web] names a TLS web config; the flag names one with basic auth over plain HTTP.
        self.write_toml("web-tls.yml", tls_web_yaml(self.pki))
        self.write_toml("web-auth.yml", yaml.safe_dump({"basic_auth_users": {USER: bcrypt(self.password)}}))
        toml = self.write_toml("mta_exporter.toml", f'[web]\nlisten_address = ["127.0.0.1:{toml_port}"]\n'
                                                    f'telemetry_path = "/toml-metrics"\nconfig_file = "web-tls.yml"\n')
        self.serve(toml, f"--web.listen-address=127.0.0.1:{flag_port}", "--web.telemetry-path=/flag-metrics",
                   f"--web.config.file={os.path.join(self.work, 'web-auth.yml')}",
                   ready=lambda: harness.port_open(flag_port))
        auth = {"Authorization": basic(USER, self.password)}
        url = f"http://127.0.0.1:{flag_port}"
        self.assertEqual(harness.http_get(f"{url}/flag-metrics", auth)[0], 200)
        self.assertEqual(harness.http_get(f"{url}/flag-metrics")[0], 401)
        self.assertEqual(harness.http_get(f"{url}/toml-metrics", auth)[0], 404)
        self.assertFalse(harness.port_open(toml_port), "the [web] listen_address is served too")

    def test_json_logs(self):
        port = free_port()
        toml_text = f'[web]\nlisten_address = "127.0.0.1:{free_port()}"\n[log]\nlevel = "warn"\nformat = "logfmt"\n'
        toml = self.write_toml("mta_exporter.toml", toml_text)
        stdout = open(os.path.join(self.work, "stdout.log"), "w")
        stderr = open(os.path.join(self.work, "stderr.log"), "w")
        process = subprocess.Popen([BINARY, "serve", "-c", toml, "--log.format", "json", "--log.level=info",
                                    f"--web.listen-address=127.0.0.1:{port}"], stdout=stdout, stderr=stderr)

        def output():
            for stream in (stdout, stderr):
                if not stream.closed:
                    stream.flush()
            with open(stdout.name) as out, open(stderr.name) as err:
                return out.read() + err.read()
        try:
            wait_for(lambda: process.poll() is None and harness.port_open(port), timeout=TIME_LIMIT,
                     what="the agent to listen")
            # A reload that works, then one that fails with an error text full of quotes.
            process.send_signal(signal.SIGHUP)
            wait_for(lambda: "configuration reloaded" in output(), timeout=TIME_LIMIT, what="the reload")
            self.write_toml("mta_exporter.toml", '[web]\nlisten_address = "nowhere"\n')
            process.send_signal(signal.SIGHUP)
            wait_for(lambda: "reload failed" in output(), timeout=TIME_LIMIT, what="the failed reload")
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            stdout.close()
            stderr.close()
        self.assertEqual(process.returncode, 0, output())
        lines = [line for line in output().splitlines() if line.strip()]
        self.assertGreaterEqual(len(lines), 4, lines)

        def no_duplicates(pairs):
            keys = [key for key, _ in pairs]
            if len(keys) != len(set(keys)):
                raise ValueError(f"duplicate keys {keys}")
            return dict(pairs)
        messages = {}
        for line in lines:
            try:
                entry = json.loads(line, object_pairs_hook=no_duplicates)
            except ValueError as error:
                self.fail(f"not a JSON object: {line!r} ({error})")
            self.assertIsInstance(entry, dict, line)
            self.assertLessEqual({"ts", "level", "msg"}, set(entry), line)
            self.assertRegex(entry["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", line)
            self.assertIn(entry["level"], ("debug", "info", "warn", "warning", "error"), line)
            messages[entry["msg"]] = entry
        self.assertIn("configuration reloaded", messages, lines)
        failed = messages.get("reload failed, keeping the running configuration")
        self.assertIsNotNone(failed, lines)
        self.assertIn('"nowhere"', failed.get("error", ""), failed)


if __name__ == "__main__":
    harness.main()
