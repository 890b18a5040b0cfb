#pragma once
// A syslog receiver: UDP (RFC 5426), TCP with octet counting or newline framing detected per frame
// (RFC 6587), TLS (RFC 5425, the same framing inside), and unix datagram sockets. Every message goes
// to the pipeline as one log line. Network listeners can be limited to some peers, and TCP and TLS
// ones to a number of connections per peer.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>

#include "framing/line_handler.hpp"
#include "metrics/source_metrics.hpp"
#include "source/peer_filter.hpp"
#include "source/tls_server.hpp"

struct sockaddr_storage;

namespace mta {

struct SyslogListen {
  enum class Transport { udp, tcp, tls, unix_datagram } transport = Transport::udp;
  std::string host;
  int port = 0;
  std::string path;

  bool is_stream() const { return transport == Transport::tcp || transport == Transport::tls; }
};

// "udp://127.0.0.1:5514", "tcp://[::1]:5514", "tls://0.0.0.0:6514", "unix:///run/mta_exporter.sock";
// throws std::invalid_argument saying what is wrong.
SyslogListen parse_syslog_listen(const std::string& url);

// What a datagram listener asks the kernel for when the configuration names no receive_buffer: room for
// a forwarding rsyslog's burst after a pause (about 20k messages/s in bursts of 200) with no drop.
inline constexpr int kDefaultReceiveBuffer = 8 << 20;

struct SyslogServerOptions {
  SyslogListen listen;
  int receive_buffer = 0;  // udp, unix: receive buffer bytes asked for; 0 asks for kDefaultReceiveBuffer
  std::size_t max_frame_size = 64 * 1024;
  std::size_t max_connections = 256;
  std::size_t max_connections_per_peer = 16;
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds tls_handshake_timeout{std::chrono::seconds(10)};
  bool count_hosts = false;  // parse each header for mta_exporter_syslog_messages_total{host}
  PeerFilter allowed_peers;  // udp, tcp, tls; empty: every peer
  TlsServerFiles tls;        // tls only
};

class SyslogServer {
 public:
  SyslogServer(SyslogServerOptions options, LineHandler& handler, SourceHealth& health);
  ~SyslogServer();
  SyslogServer(const SyslogServer&) = delete;
  SyslogServer& operator=(const SyslogServer&) = delete;

  // Loads the TLS files, opens and binds the socket; throws std::runtime_error naming the file or the
  // address on failure.
  void bind();
  void run(std::stop_token stop);
  int port() const { return port_; }
  // What the kernel granted a datagram listener as receive buffer for payload, in bytes.
  int receive_buffer_bytes() const { return receive_buffer_bytes_; }

 private:
  void size_receive_buffer();
  void run_datagrams(std::stop_token stop);
  void receive_datagram(std::string_view datagram, const sockaddr_storage& sender, bool truncated);
  void run_stream(std::stop_token stop);  // syslog_stream.cpp
  void deliver(std::string_view message);
  // Counts the rejection, with a log line for the first and then every hundredth of each reason.
  void reject(SyslogRejection reason, const PeerAddress& peer, std::string_view detail = {});

  SyslogServerOptions options_;
  LineHandler& handler_;
  SourceHealth& health_;
  std::unique_ptr<TlsServerContext> tls_;
  int fd_ = -1;
  int port_ = 0;
  int receive_buffer_bytes_ = 0;
  std::array<std::uint64_t, syslog_rejection_count> rejected_{};
};

}  // namespace mta
