#pragma once
// The server side of syslog over TLS (RFC 5425) with OpenSSL, driven by a poll loop: every call
// returns at once on a non-blocking socket and says what it waits for, so that one slow or hostile
// peer never holds up the others. OpenSSL's headers stay in tls_server.cpp.

#include <cstddef>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>

struct ssl_ctx_st;
struct ssl_st;

namespace mta {

struct TlsServerFiles {
  std::string cert_file;       // PEM, the server certificate first, then its chain
  std::string key_file;        // PEM private key of the certificate
  std::string client_ca_file;  // PEM; when set, clients must present a certificate this CA signed

  bool operator==(const TlsServerFiles&) const = default;
};

// Says which of the files could not be used, so that the configuration can name its key.
class TlsFileError : public std::runtime_error {
 public:
  enum class File { cert, key, client_ca };
  TlsFileError(File file, const std::string& what) : std::runtime_error(what), file_(file) {}
  File file() const { return file_; }

 private:
  File file_;
};

enum class TlsStatus { done, want_read, want_write, closed, failed };

// One accepted connection. Owns the SSL object, not the socket.
class TlsConnection {
 public:
  explicit TlsConnection(ssl_st* ssl) : ssl_(ssl) {}
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  TlsStatus handshake();
  // Decrypted bytes into `buffer`: their count, or 0 with the status (never `done`).
  std::size_t read(std::span<char> buffer, TlsStatus& status);
  // Decrypted bytes OpenSSL holds that the socket no longer signals.
  bool pending() const;
  // Sends close_notify when it fits in the socket buffer; never waits.
  void shutdown();
  // Why the last call failed, for the log.
  const std::string& error() const { return error_; }

 private:
  TlsStatus status_of(int result);

  ssl_st* ssl_;
  std::string error_;
};

class TlsServerContext {
 public:
  // Loads and checks the files (TLS 1.2 and later only); throws TlsFileError naming the file at fault.
  explicit TlsServerContext(const TlsServerFiles& files);
  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  // A connection on the non-blocking socket `fd`, before its handshake.
  std::unique_ptr<TlsConnection> accept(int fd);

 private:
  ssl_ctx_st* context_ = nullptr;
};

}  // namespace mta
