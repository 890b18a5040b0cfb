#include "source/syslog_server.hpp"

#include <arpa/inet.h>
#include <linux/sock_diag.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <vector>

#include "logging/logfmt.hpp"
#include "syslog/syslog_header.hpp"

namespace mta {
namespace {

// Datagrams read with one recvmmsg call: up to 64, their buffers bounded to 2 MiB in all.
std::size_t datagram_batch(std::size_t max_frame_size) {
  constexpr std::size_t kBatchBytes = 2 << 20;
  return std::clamp<std::size_t>(kBatchBytes / (max_frame_size + 1), 1, 64);
}

// The socket's own count of datagrams the kernel dropped for a full receive queue (SK_MEMINFO_DROPS).
// Unlike SO_RXQ_OVFL, which tells a drop only with the next datagram read, it is exact at any moment.
std::optional<std::uint32_t> socket_drops(int fd) {
  std::array<std::uint32_t, SK_MEMINFO_VARS> info{};
  socklen_t length = sizeof info;
  if (::getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info.data(), &length) != 0 ||
      length < (SK_MEMINFO_DROPS + 1) * sizeof(std::uint32_t)) {
    return std::nullopt;
  }
  return info[SK_MEMINFO_DROPS];
}

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
  if (!listen.is_stream()) size_receive_buffer();
  health_.set_up(true);
}

void SyslogServer::size_receive_buffer() {
  const int wanted = options_.receive_buffer > 0 ? options_.receive_buffer : kDefaultReceiveBuffer;
  // SO_RCVBUFFORCE goes past net.core.rmem_max when the agent may (CAP_NET_ADMIN); SO_RCVBUF is capped there.
  const bool forced = ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &wanted, sizeof wanted) == 0;
  if (!forced) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &wanted, sizeof wanted);
  int granted = 0;
  socklen_t length = sizeof granted;
  ::getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &granted, &length);
  // The kernel doubles what it is given, for its own bookkeeping, and reports the doubled size.
  receive_buffer_bytes_ = granted / 2;
  if (receive_buffer_bytes_ < wanted) {
    spdlog::warn(
        "msg=\"syslog receive buffer smaller than asked; bursts may be dropped (counted in "
        "mta_exporter_syslog_dropped_total): raise net.core.rmem_max or run with CAP_NET_ADMIN\" source={} "
        "requested_bytes={} granted_bytes={}",
        health_.source(), wanted, receive_buffer_bytes_);
  } else {
    spdlog::info("msg=\"syslog receive buffer\" source={} requested_bytes={} granted_bytes={} forced={}",
                 health_.source(), wanted, receive_buffer_bytes_, forced);
  }
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
  const std::size_t batch = datagram_batch(options_.max_frame_size);
  const std::size_t frame = options_.max_frame_size + 1;
  std::vector<char> buffers(batch * frame);
  std::vector<iovec> vectors(batch);
  std::vector<sockaddr_storage> senders(batch);
  std::vector<mmsghdr> messages(batch);
  std::uint32_t drops_seen = 0;  // since bind(): the datagrams dropped before this thread ran count too
  const auto count_drops = [&] {
    if (const std::optional<std::uint32_t> drops = socket_drops(fd_); drops && *drops != drops_seen) {
      health_.add_syslog_dropped(*drops - drops_seen);  // unsigned: right across the counter's wrap
      drops_seen = *drops;
    }
  };
  while (!stop.stop_requested()) {
    pollfd ready{fd_, POLLIN, 0};
    const int polled = ::poll(&ready, 1, 200);
    count_drops();  // once per batch, and every 200 ms when idle: drops show even when nothing follows them
    if (polled <= 0) continue;
    for (std::size_t i = 0; i < batch; ++i) {
      vectors[i] = {buffers.data() + i * frame, frame};
      messages[i] = {};
      messages[i].msg_hdr.msg_name = &senders[i];
      messages[i].msg_hdr.msg_namelen = sizeof senders[i];
      messages[i].msg_hdr.msg_iov = &vectors[i];
      messages[i].msg_hdr.msg_iovlen = 1;
    }
    const int received = ::recvmmsg(fd_, messages.data(), static_cast<unsigned>(batch), MSG_DONTWAIT, nullptr);
    for (int i = 0; i < received; ++i) {
      const mmsghdr& message = messages[static_cast<std::size_t>(i)];
      receive_datagram({static_cast<const char*>(message.msg_hdr.msg_iov->iov_base), message.msg_len},
                       senders[static_cast<std::size_t>(i)], (message.msg_hdr.msg_flags & MSG_TRUNC) != 0);
    }
  }
}

void SyslogServer::receive_datagram(std::string_view datagram, const sockaddr_storage& sender, bool truncated) {
  // A unix datagram names no network peer: allowed_peers applies to UDP only.
  if (const std::optional<PeerAddress> peer = peer_address(sender); peer && !options_.allowed_peers.allows(*peer)) {
    reject(SyslogRejection::peer_not_allowed, *peer);
    return;
  }
  if (truncated || datagram.size() > options_.max_frame_size) {
    health_.count_invalid_frame();
    return;
  }
  deliver(datagram);
}

}  // namespace mta
