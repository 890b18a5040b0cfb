#pragma once
// Certificates for the TLS tests, made at test time with the openssl command (Debian package openssl):
// a CA, a server certificate for 127.0.0.1 and a client certificate it signed, and a client certificate
// of another CA. P-256 keys, valid for two days.

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace mta::test {

struct TestPki {
  std::string ca_cert, server_cert, server_key, client_cert, client_key, stranger_cert, stranger_key;

  // Writes the files into `folder` (which must exist); throws std::runtime_error when openssl fails.
  explicit TestPki(const std::filesystem::path& folder) {
    const auto file = [&](const char* name) { return (folder / name).string(); };
    ca_cert = file("ca.crt");
    server_cert = file("server.crt");
    server_key = file("server.key");
    client_cert = file("client.crt");
    client_key = file("client.key");
    stranger_cert = file("stranger.crt");
    stranger_key = file("stranger.key");
    const std::string script = R"(set -e
cd ')" + folder.string() + R"('
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
ca() { key "$1.key"; openssl req -x509 -new -key "$1.key" -out "$1.crt" -days 2 -subj "/CN=$1"; }
leaf() {  # name, CA, extensions
  key "$1.key"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$1"
  printf '%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -out "$1.crt" -days 2 -extfile "$1.ext"
}
ca ca
ca other-ca
leaf server ca "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
leaf client ca "extendedKeyUsage=clientAuth"
leaf stranger other-ca "extendedKeyUsage=clientAuth"
)";
    const std::string command = "bash -c '" + escape(script) + "' >'" + file("openssl.out") + "' 2>&1";
    if (std::system(command.c_str()) != 0) {
      throw std::runtime_error("openssl could not make the test certificates; see " + file("openssl.out"));
    }
  }

 private:
  // The script inside single quotes: each ' becomes '\''.
  static std::string escape(const std::string& text) {
    std::string escaped;
    for (char c : text) escaped += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return escaped;
  }
};

}  // namespace mta::test
