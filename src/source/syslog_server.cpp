#include "source/syslog_server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

#include "syslog/syslog_header.hpp"
#include "logging/logfmt.hpp"

namespace mta {
namespace {

std::string_view trim_frame(std::string_view message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r' || message.back() == '\0')) {
    message.remove_suffix(1);
  }
  return message;
}

}  // namespace

SyslogListen parse_syslog_listen(const std::string& url) {
  SyslogListen listen;
  std::string rest;
  if (url.starts_with("udp://")) {
    listen.transport = SyslogListen::Transport::udp;
    rest = url.substr(6);
  } else if (url.starts_with("tcp://")) {
    listen.transport = SyslogListen::Transport::tcp;
    rest = url.substr(6);
  } else if (url.starts_with("tls://")) {
    listen.transport = SyslogListen::Transport::tls;
    rest = url.substr(6);
  } else if (url.starts_with("unix://")) {
    listen.transport = SyslogListen::Transport::unix_datagram;
    listen.path = url.substr(7);
    if (listen.path.empty() || listen.path.front() != '/') {
      throw std::invalid_argument("unix:// needs an absolute socket path, e.g. unix:///run/mta_exporter.sock");
    }
    if (listen.path.size() >= sizeof(sockaddr_un::sun_path)) throw std::invalid_argument("socket path too long");
    return listen;
  } else {
    throw std::invalid_argument("must start with udp://, tcp:// or unix:// (tls:// for syslog over TLS)");
  }
  const std::size_t colon = rest.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("needs HOST:PORT after the scheme");
  listen.host = rest.substr(0, colon);
  if (listen.host.size() >= 2 && listen.host.front() == '[' && listen.host.back() == ']') {
    listen.host = listen.host.substr(1, listen.host.size() - 2);
  }
  if (listen.host.empty()) listen.host = "0.0.0.0";
  const std::string port = rest.substr(colon + 1);
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), listen.port);
  if (error != std::errc{} || end != port.data() + port.size() || listen.port < 0 || listen.port > 65535) {
    throw std::invalid_argument("\"" + port + "\" is not a port number");
  }
  return listen;
}

SyslogServer::SyslogServer(SyslogServerOptions options, LineHandler& handler, SourceHealth& health)
    : options_(std::move(options)), handler_(handler), health_(health) {}

namespace {

// Removes a stale socket left by an earlier run; never anything else a mistyped path might name.
void remove_socket(const std::string& path) {
  struct stat status {};
  if (::lstat(path.c_str(), &status) == 0 && S_ISSOCK(status.st_mode)) ::unlink(path.c_str());
}

}  // namespace

SyslogServer::~SyslogServer() {
  if (options_.listen.transport == SyslogListen::Transport::unix_datagram && fd_ >= 0) {
    remove_socket(options_.listen.path);
  }
  if (fd_ >= 0) ::close(fd_);
}

void SyslogServer::bind() {
  const SyslogListen& listen = options_.listen;
  if (listen.transport == SyslogListen::Transport::tls) tls_ = std::make_unique<TlsServerContext>(options_.tls);
  const auto fail = [&](const std::string& what) {
    const std::string error = std::strerror(errno);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    throw std::runtime_error(what + ": " + error);
  };
  if (listen.transport == SyslogListen::Transport::unix_datagram) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) fail("socket");
    remove_socket(listen.path);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, listen.path.c_str(), listen.path.size() + 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) fail("bind " + listen.path);
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = listen.is_stream() ? SOCK_STREAM : SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(listen.port);
    if (::getaddrinfo(listen.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
      throw std::runtime_error("\"" + listen.host + "\" is not a numeric IP address");
    }
    fd_ = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      ::freeaddrinfo(found);
      fail("socket");
    }
    const int on = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    const int bound = ::bind(fd_, found->ai_addr, found->ai_addrlen);
    ::freeaddrinfo(found);
    if (bound != 0) fail("bind " + listen.host + ":" + port);
    if (listen.is_stream() && ::listen(fd_, 64) != 0) fail("listen");
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &length);
    port_ = ntohs(local.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&local)->sin6_port
                                              : reinterpret_cast<sockaddr_in*>(&local)->sin_port);
  }
  if (!listen.is_stream()) {
    if (options_.receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &options_.receive_buffer, sizeof options_.receive_buffer);
    }
    const int on = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);  // drop counter in each datagram's cmsg
  }
  health_.set_up(true);
}

void SyslogServer::run(std::stop_token stop) {
  if (options_.listen.is_stream()) {
    run_stream(stop);
  } else {
    run_datagrams(stop);
  }
  health_.set_up(false);
}

void SyslogServer::deliver(std::string_view message) {
  message = trim_frame(message);
  health_.add_bytes(message.size());
  if (message.empty()) return;
  if (options_.count_hosts) {
    SyslogRecord record;
    health_.count_host_message(parse_syslog_line(message, record) && !record.host.empty() ? record.host : "unknown");
  }
  handler_.on_line(message);
  health_.mark_line_now();
}

void SyslogServer::reject(SyslogRejection reason, const PeerAddress& peer, std::string_view detail) {
  health_.count_syslog_rejected(reason);
  std::uint64_t& count = rejected_[static_cast<std::size_t>(reason)];
  if (count++ % 100 == 0) {
    spdlog::warn("msg=\"syslog peer rejected\" source={} reason={} peer={} rejected={} detail={}", health_.source(),
                 syslog_rejection_name(reason), format_peer(peer), count, log_quoted(detail));
  }
}

void SyslogServer::run_datagrams(std::stop_token stop) {
  std::vector<char> buffer(options_.max_frame_size + 1);
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(std::uint32_t))> control{};
  std::uint32_t dropped_seen = 0;
  while (!stop.stop_requested()) {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, 200) <= 0) continue;
    iovec vector{buffer.data(), buffer.size()};
    sockaddr_storage sender{};
    msghdr header{};
    header.msg_name = &sender;
    header.msg_namelen = sizeof sender;
    header.msg_iov = &vector;
    header.msg_iovlen = 1;
    header.msg_control = control.data();
    header.msg_controllen = control.size();
    const ssize_t count = ::recvmsg(fd_, &header, MSG_DONTWAIT);
    if (count < 0) continue;
    for (cmsghdr* message = CMSG_FIRSTHDR(&header); message != nullptr; message = CMSG_NXTHDR(&header, message)) {
      if (message->cmsg_level == SOL_SOCKET && message->cmsg_type == SO_RXQ_OVFL) {
        std::uint32_t dropped = 0;
        std::memcpy(&dropped, CMSG_DATA(message), sizeof dropped);
        if (dropped > dropped_seen) health_.add_syslog_dropped(dropped - dropped_seen);
        dropped_seen = dropped;
      }
    }
    // A unix datagram names no network peer: allowed_peers applies to UDP only.
    if (const std::optional<PeerAddress> peer = peer_address(sender); peer && !options_.allowed_peers.allows(*peer)) {
      reject(SyslogRejection::peer_not_allowed, *peer);
      continue;
    }
    if ((header.msg_flags & MSG_TRUNC) != 0 || static_cast<std::size_t>(count) > options_.max_frame_size) {
      health_.count_invalid_frame();
      continue;
    }
    deliver({buffer.data(), static_cast<std::size_t>(count)});
  }
}

}  // namespace mta
