#include "source/tls_server.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace mta {
namespace {

// The reasons OpenSSL queued for the failure of the last call, oldest first; empties the queue.
std::string openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    std::array<char, 256> reason{};
    ERR_error_string_n(code, reason.data(), reason.size());
    text += (text.empty() ? "" : "; ") + std::string(reason.data());
  }
  return text.empty() ? "no reason given" : text;
}

// OpenSSL's messages for a missing file are obscure ("system library"): say it plainly first.
void require_readable(TlsFileError::File which, const std::string& path) {
  if (path.empty()) throw TlsFileError(which, "no file given");
  std::ifstream file(path, std::ios::binary);
  if (!file) throw TlsFileError(which, "cannot read " + path + ": " + std::strerror(errno));
}

}  // namespace

TlsConnection::~TlsConnection() { SSL_free(ssl_); }

TlsStatus TlsConnection::status_of(int result) {
  const int error = SSL_get_error(ssl_, result);
  switch (error) {
    case SSL_ERROR_WANT_READ: return TlsStatus::want_read;
    case SSL_ERROR_WANT_WRITE: return TlsStatus::want_write;
    case SSL_ERROR_ZERO_RETURN: error_ = "closed by the peer"; return TlsStatus::closed;
    case SSL_ERROR_SYSCALL:
      error_ = errno != 0 ? std::strerror(errno) : "connection closed";
      ERR_clear_error();
      return TlsStatus::failed;
    default: error_ = openssl_errors(); return TlsStatus::failed;
  }
}

TlsStatus TlsConnection::handshake() {
  ERR_clear_error();
  errno = 0;
  const int result = SSL_do_handshake(ssl_);
  return result == 1 ? TlsStatus::done : status_of(result);
}

std::size_t TlsConnection::read(std::span<char> buffer, TlsStatus& status) {
  ERR_clear_error();
  errno = 0;
  const int result = SSL_read(ssl_, buffer.data(), static_cast<int>(buffer.size()));
  if (result > 0) {
    status = TlsStatus::done;
    return static_cast<std::size_t>(result);
  }
  status = status_of(result);
  return 0;
}

// SSL_pending, not SSL_has_pending: the latter is also true for half a record, which only more bytes
// from the socket complete, and the poll loop would spin on it.
bool TlsConnection::pending() const { return SSL_pending(ssl_) > 0; }

void TlsConnection::shutdown() {
  if (SSL_is_init_finished(ssl_) != 1) return;
  ERR_clear_error();
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

TlsServerContext::TlsServerContext(const TlsServerFiles& files) {
  using File = TlsFileError::File;
  require_readable(File::cert, files.cert_file);
  require_readable(File::key, files.key_file);
  if (!files.client_ca_file.empty()) require_readable(File::client_ca, files.client_ca_file);
  ERR_clear_error();
  context_ = SSL_CTX_new(TLS_server_method());
  if (context_ == nullptr) throw std::runtime_error("cannot create a TLS context: " + openssl_errors());
  const auto fail = [this](File which, const std::string& what) {
    const std::string reasons = openssl_errors();
    SSL_CTX_free(context_);
    context_ = nullptr;
    throw TlsFileError(which, what + " (" + reasons + ")");
  };
  SSL_CTX_set_min_proto_version(context_, TLS1_2_VERSION);
  // No renegotiation (a client could make the server compute handshakes at will), no session
  // tickets (nothing for the server to write after the handshake), and a peer that closes without
  // close_notify is an ordinary end of stream: frames are delimited, a cut one is never delivered.
  SSL_CTX_set_options(context_, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET | SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_num_tickets(context_, 0);
  // Idle connections give their read and write buffers back.
  SSL_CTX_set_mode(context_, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_use_certificate_chain_file(context_, files.cert_file.c_str()) != 1) {
    fail(File::cert, files.cert_file + " holds no usable PEM certificate");
  }
  // OpenSSL checks here as well that the key belongs to the certificate.
  if (SSL_CTX_use_PrivateKey_file(context_, files.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    fail(File::key, files.key_file + " holds no PEM private key of the certificate in " + files.cert_file);
  }
  if (!files.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(context_, files.client_ca_file.c_str(), nullptr) != 1) {
      fail(File::client_ca, files.client_ca_file + " holds no usable PEM CA certificate");
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca_file.c_str());
    if (names == nullptr) fail(File::client_ca, files.client_ca_file + " holds no usable PEM CA certificate");
    SSL_CTX_set_client_CA_list(context_, names);
    SSL_CTX_set_verify(context_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
}

TlsServerContext::~TlsServerContext() { SSL_CTX_free(context_); }

std::unique_ptr<TlsConnection> TlsServerContext::accept(int fd) {
  ERR_clear_error();
  SSL* ssl = SSL_new(context_);
  if (ssl == nullptr) return nullptr;
  if (SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return nullptr;
  }
  SSL_set_accept_state(ssl);
  return std::make_unique<TlsConnection>(ssl);
}

}  // namespace mta
