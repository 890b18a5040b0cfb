#pragma once
// A syslog receiver: UDP (RFC 5426), TCP with octet counting or newline framing detected per frame
// (RFC 6587), and unix datagram sockets. Every message goes to the pipeline as one log line.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <stop_token>
#include <string>

#include "framing/line_handler.hpp"
#include "metrics/source_metrics.hpp"

namespace mta {

struct SyslogListen {
  enum class Transport { udp, tcp, unix_datagram } transport = Transport::udp;
  std::string host;
  int port = 0;
  std::string path;
};

// "udp://127.0.0.1:5514", "tcp://[::1]:5514", "unix:///run/mta_exporter.sock"; throws
// std::invalid_argument saying what is wrong.
SyslogListen parse_syslog_listen(const std::string& url);

struct SyslogServerOptions {
  SyslogListen listen;
  int receive_buffer = 0;  // SO_RCVBUF in bytes; 0 keeps the system default
  std::size_t max_frame_size = 64 * 1024;
  std::size_t max_connections = 256;
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
  bool count_hosts = false;  // parse each header for mta_exporter_syslog_messages_total{host}
};

class SyslogServer {
 public:
  SyslogServer(SyslogServerOptions options, LineHandler& handler, SourceHealth& health);
  ~SyslogServer();
  SyslogServer(const SyslogServer&) = delete;
  SyslogServer& operator=(const SyslogServer&) = delete;

  // Opens and binds the socket; throws std::runtime_error naming the address on failure.
  void bind();
  void run(std::stop_token stop);
  int port() const { return port_; }

 private:
  void run_datagrams(std::stop_token stop);
  void run_stream(std::stop_token stop);
  void deliver(std::string_view message);

  SyslogServerOptions options_;
  LineHandler& handler_;
  SourceHealth& health_;
  int fd_ = -1;
  int port_ = 0;
  std::uint64_t refused_ = 0;  // connections over max_connections, for a log line per hundred
};

}  // namespace mta
