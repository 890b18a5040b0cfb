#include "http/connection_guard.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>
#include <system_error>

#include "http/tcp_bytes.hpp"

namespace mta {

std::string_view connection_refusal_name(ConnectionRefusal reason) {
  switch (reason) {
    case ConnectionRefusal::max_connections: return "max_connections";
    case ConnectionRefusal::max_connections_per_ip: return "max_connections_per_ip";
    case ConnectionRefusal::evicted: return "evicted";
    case ConnectionRefusal::request_timeout: return "request_timeout";
    case ConnectionRefusal::response_timeout: return "response_timeout";
    case ConnectionRefusal::no_resources: return "no_resources";
    case ConnectionRefusal::request_too_large: return "request_too_large";
  }
  return "unknown";
}

void set_listener_socket_options(int descriptor) {
  const int yes = 1;
  setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

namespace {

constexpr std::chrono::milliseconds kSizeCheckInterval{20};

struct SocketAddress {
  std::array<unsigned char, 16> ip{};  // IPv4 as IPv4-mapped IPv6
  int port = -1;
};

// Both families in one form: an IPv6 wildcard listener accepts IPv4 peers as IPv4-mapped addresses.
bool read_address(const sockaddr_storage& storage, SocketAddress& address) {
  if (storage.ss_family == AF_INET) {
    const auto& ipv4 = reinterpret_cast<const sockaddr_in&>(storage);
    address.ip = {};
    address.ip[10] = address.ip[11] = 0xff;
    std::memcpy(&address.ip[12], &ipv4.sin_addr, 4);
    address.port = ntohs(ipv4.sin_port);
    return true;
  }
  if (storage.ss_family == AF_INET6) {
    const auto& ipv6 = reinterpret_cast<const sockaddr_in6&>(storage);
    std::memcpy(address.ip.data(), &ipv6.sin6_addr, 16);
    address.port = ntohs(ipv6.sin6_port);
    return true;
  }
  return false;
}

bool local_address(int descriptor, SocketAddress& address) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  return getsockname(descriptor, reinterpret_cast<sockaddr*>(&storage), &length) == 0 && read_address(storage, address);
}

bool peer_address(int descriptor, SocketAddress& address) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  return getpeername(descriptor, reinterpret_cast<sockaddr*>(&storage), &length) == 0 && read_address(storage, address);
}

bool is_wildcard(const std::array<unsigned char, 16>& ip) {
  static constexpr std::array<unsigned char, 16> any6{};
  static constexpr std::array<unsigned char, 16> any4{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
  return ip == any6 || ip == any4;
}

}  // namespace

struct ConnectionGuard::Listener {
  int descriptor = -1;  // the last socket cpp-httplib created for the server: after bind, its listener
  SocketAddress address;
  bool any_address = false;
};

struct ConnectionGuard::Connection {
  const Listener* listener;
  int descriptor;  // our duplicate: its number stays ours until the connection's thread has ended
  ino_t inode;
  IpAddress peer;
  Phase phase = Phase::awaiting_request;
  Clock::time_point since;         // of the phase
  std::uint64_t bytes_before = 0;  // read before the request now awaited
  bool finished = false;
  std::thread thread;
};

struct ConnectionGuard::Accepted {
  int descriptor = -1;
  ino_t inode = 0;
  bool peer_known = false;  // not when the peer reset the connection before it was accepted
  IpAddress peer{};
};

class ConnectionGuard::TaskQueue : public httplib::TaskQueue {
 public:
  TaskQueue(ConnectionGuard& guard, const Listener& listener) : guard_(guard), listener_(listener) {}
  // Called by the accept loop right after accept(): the connection to find is the newest.
  void enqueue(std::function<void()> serve) override { guard_.admit(listener_, std::move(serve)); }
  void shutdown() override { guard_.shut_down_connections(listener_); }

 private:
  ConnectionGuard& guard_;
  const Listener& listener_;
};

thread_local ConnectionGuard::Connection* ConnectionGuard::current_connection_ = nullptr;

ConnectionGuard::ConnectionGuard(ConnectionLimits limits, prometheus::Registry& registry)
    : limits_(limits), descriptors_(opendir("/proc/self/fd"), closedir) {
  if (!descriptors_) throw std::system_error(errno, std::generic_category(), "/proc/self/fd");
  auto& family = prometheus::BuildCounter()
                     .Name("mta_exporter_web_connections_refused_total")
                     .Help("Web connections closed unserved: over a bound, too slow, or out of resources.")
                     .Register(registry);
  for (std::size_t reason = 0; reason < connection_refusal_count; ++reason) {
    refused_[reason] =
        &family.Add({{"reason", std::string(connection_refusal_name(static_cast<ConnectionRefusal>(reason)))}});
  }
  if (limits_.max_connections > 0) watchdog_ = std::thread([this] { watch(); });
}

ConnectionGuard::~ConnectionGuard() {
  for (const auto& [server, listener] : listeners_) shut_down_connections(*listener);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  watchdog_wake_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
}

void ConnectionGuard::protect(httplib::Server& server) {
  if (limits_.max_connections == 0) return;
  Listener* listener = nullptr;
  {
    std::lock_guard lock(mutex_);
    listener = (listeners_[&server] = std::make_unique<Listener>()).get();
  }
  server.set_socket_options([this, listener](int descriptor) {
    set_listener_socket_options(descriptor);
    std::lock_guard lock(mutex_);
    listener->descriptor = descriptor;
  });
  server.new_task_queue = [this, listener] { return new TaskQueue(*this, *listener); };
  server.set_logger([this](const httplib::Request& request, const httplib::Response& response) {
    response_sent(request.get_header_value("Connection") == "close" ||
                  response.get_header_value("Connection") == "close");
  });
}

void ConnectionGuard::listening(const httplib::Server& server) {
  std::lock_guard lock(mutex_);
  const auto found = listeners_.find(&server);
  if (found == listeners_.end()) return;
  Listener& listener = *found->second;
  if (!local_address(listener.descriptor, listener.address)) {
    throw std::system_error(errno, std::generic_category(), "web listener address");
  }
  listener.any_address = is_wildcard(listener.address.ip);
  // Listening again on a listening socket only changes its backlog.
  if (::listen(listener.descriptor, limits_.listen_backlog) != 0) {
    spdlog::warn("msg=\"cannot deepen the web listener's backlog\" error=\"{}\"", std::strerror(errno));
  }
}

void ConnectionGuard::request_received() {
  Connection* connection = current_connection_;
  if (connection == nullptr) return;
  std::lock_guard lock(mutex_);
  if (connection->phase == Phase::closing) return;
  connection->phase = Phase::answering;
  connection->since = Clock::now();
}

void ConnectionGuard::response_sent(bool last) {
  Connection* connection = current_connection_;
  if (connection == nullptr) return;
  std::lock_guard lock(mutex_);
  if (connection->phase == Phase::closing) return;
  if (last) {
    // cpp-httplib closes it now; what the peer still sends (a refused body) is never read.
    connection->phase = Phase::closing;
    return;
  }
  connection->phase = Phase::awaiting_request;
  connection->since = Clock::now();
  connection->bytes_before = tcp_bytes_read(connection->descriptor).value_or(0);
}

void ConnectionGuard::admit(const Listener& listener, std::function<void()> serve) {
  std::unique_lock lock(mutex_);
  reap_finished();
  const Accepted accepted = find_accepted(listener);
  last_accepted_ = accepted.descriptor;
  if (accepted.descriptor < 0) {
    // Cannot happen while /proc/self/fd lists the process's descriptors. Served here, unguarded,
    // rather than leaked or left to a thread that could outlive the server.
    spdlog::warn("msg=\"web connection not found among the descriptors\"");
    lock.unlock();
    serve();
    return;
  }
  if (!accepted.peer_known) {  // reset by the peer already: nothing to serve
    close(accepted.descriptor);
    return;
  }
  std::size_t open = 0;
  std::size_t same_peer = 0;
  std::size_t same_peer_threads = 0;
  for (const Connection& connection : connections_) {
    const bool is_open = connection.phase != Phase::closing;
    open += is_open ? 1 : 0;
    if (connection.peer == accepted.peer) {
      same_peer += is_open ? 1 : 0;
      ++same_peer_threads;
    }
  }
  // A closed connection keeps its thread until cpp-httplib notices, later under a flood: closed
  // connections count against a bound of threads, a peer's against its own share of them, so that
  // it cannot take the threads of every other peer.
  if (same_peer_threads >= 2 * limits_.max_connections_per_ip) {
    return refuse(accepted.descriptor, ConnectionRefusal::max_connections_per_ip);
  }
  if (connections_.size() >= 2 * limits_.max_connections) {
    return refuse(accepted.descriptor, ConnectionRefusal::max_connections);
  }
  // Over a bound: the connection that has waited longest for its request goes, or this one.
  if (same_peer >= limits_.max_connections_per_ip) {
    Connection* victim = waiting_longest(&accepted.peer);
    if (victim == nullptr) return refuse(accepted.descriptor, ConnectionRefusal::max_connections_per_ip);
    close_connection(*victim, ConnectionRefusal::evicted);
  } else if (open >= limits_.max_connections) {
    Connection* victim = waiting_longest(nullptr);
    if (victim == nullptr) return refuse(accepted.descriptor, ConnectionRefusal::max_connections);
    close_connection(*victim, ConnectionRefusal::evicted);
  }
  const int duplicate = fcntl(accepted.descriptor, F_DUPFD_CLOEXEC, 0);
  if (duplicate < 0) return refuse(accepted.descriptor, ConnectionRefusal::no_resources);
  Connection& connection = connections_.emplace_back(Connection{
      &listener, duplicate, accepted.inode, accepted.peer, Phase::awaiting_request, Clock::now(), 0, false, {}});
  tracked_inodes_.insert(accepted.inode);
  try {
    connection.thread =
        std::thread([this, &connection, serve = std::move(serve)] { serve_connection(connection, serve); });
  } catch (const std::system_error&) {
    tracked_inodes_.erase(connection.inode);
    close(connection.descriptor);
    connections_.pop_back();
    return refuse(accepted.descriptor, ConnectionRefusal::no_resources);
  }
  lock.unlock();
  watchdog_wake_.notify_one();
}

void ConnectionGuard::serve_connection(Connection& connection, const std::function<void()>& serve) {
  current_connection_ = &connection;
  serve();  // serves the connection and closes cpp-httplib's descriptor
  current_connection_ = nullptr;
  {
    std::lock_guard lock(mutex_);
    close(connection.descriptor);
    tracked_inodes_.erase(connection.inode);
    connection.finished = true;
  }
  connection_finished_.notify_all();
}

void ConnectionGuard::shut_down_connections(const Listener& listener) {
  std::unique_lock lock(mutex_);
  for (Connection& connection : connections_) {
    if (connection.listener == &listener && !connection.finished) {
      ::shutdown(connection.descriptor, SHUT_RDWR);
      connection.phase = Phase::closing;
    }
  }
  connection_finished_.wait(lock, [&] {
    return std::none_of(connections_.begin(), connections_.end(), [&](const Connection& connection) {
      return connection.listener == &listener && !connection.finished;
    });
  });
  reap_finished();
}

bool ConnectionGuard::sent_too_much(const Connection& connection) const {
  const std::optional<std::uint64_t> read = tcp_bytes_read(connection.descriptor);
  return read && *read > connection.bytes_before && *read - connection.bytes_before > limits_.max_request_bytes;
}

void ConnectionGuard::watch() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    reap_finished();
    const auto now = Clock::now();
    auto next = now + std::chrono::seconds(1);
    for (Connection& connection : connections_) {
      if (connection.finished || connection.phase == Phase::closing) continue;
      const bool awaiting = connection.phase == Phase::awaiting_request;
      const auto deadline = connection.since + (awaiting ? limits_.request_timeout : limits_.response_timeout);
      if (deadline <= now) {
        close_connection(connection,
                         awaiting ? ConnectionRefusal::request_timeout : ConnectionRefusal::response_timeout);
      } else if (awaiting && sent_too_much(connection)) {
        close_connection(connection, ConnectionRefusal::request_too_large);
      } else {
        // While a request is awaited its size is looked at often: what a peer sends between two
        // looks is what the process may buffer beyond the bound.
        next = std::min(next, awaiting ? now + kSizeCheckInterval : deadline);
      }
    }
    watchdog_wake_.wait_until(lock, next);
  }
}

ConnectionGuard::Accepted ConnectionGuard::find_accepted(const Listener& listener) {
  Accepted accepted;
  if (last_accepted_ >= 0 && inspect(std::to_string(last_accepted_).c_str(), listener, accepted)) return accepted;
  rewinddir(descriptors_.get());
  while (const dirent* entry = readdir(descriptors_.get())) {
    if (inspect(entry->d_name, listener, accepted)) return accepted;
  }
  return {};
}

// The socket just accepted is the only TCP socket on the listener's address, other than the listener,
// that is not tracked yet: every earlier one was tracked (or closed) when it was accepted. Sockets are
// told by their /proc/self/fd link ("socket:[inode]"), without touching descriptors of other parts
// of the process, which may be closing them meanwhile.
bool ConnectionGuard::inspect(const char* name, const Listener& listener, Accepted& accepted) const {
  std::array<char, 64> link{};
  const ssize_t length = readlinkat(dirfd(descriptors_.get()), name, link.data(), link.size());
  constexpr std::string_view socket_prefix = "socket:[";
  const std::string_view target(link.data(), length > 0 ? static_cast<std::size_t>(length) : 0);
  ino_t inode = 0;
  if (!target.starts_with(socket_prefix) ||
      std::from_chars(target.data() + socket_prefix.size(), target.data() + target.size(), inode).ec != std::errc{} ||
      tracked_inodes_.count(inode) > 0) {
    return false;
  }
  int descriptor = -1;
  if (std::from_chars(name, name + std::strlen(name), descriptor).ec != std::errc{}) return false;
  SocketAddress local;
  if (!local_address(descriptor, local) || local.port != listener.address.port) return false;
  if (!listener.any_address && local.ip != listener.address.ip) return false;
  int type = 0;
  int listening = 0;
  socklen_t option_length = sizeof(type);
  if (getsockopt(descriptor, SOL_SOCKET, SO_TYPE, &type, &option_length) != 0 || type != SOCK_STREAM) return false;
  option_length = sizeof(listening);
  if (getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &listening, &option_length) != 0 || listening != 0) {
    return false;
  }
  SocketAddress peer;
  accepted = {descriptor, inode, peer_address(descriptor, peer), peer.ip};
  return true;
}

// A connection with bytes unread has its request on the way (a scraper sends it as it connects): it
// goes only when every other one has some too.
ConnectionGuard::Connection* ConnectionGuard::waiting_longest(const IpAddress* peer) {
  Connection* longest = nullptr;
  bool longest_has_unread = true;
  for (Connection& connection : connections_) {
    if (connection.phase != Phase::awaiting_request || connection.finished) continue;
    if (peer != nullptr && connection.peer != *peer) continue;
    int unread = 0;
    const bool has_unread = ioctl(connection.descriptor, FIONREAD, &unread) == 0 && unread > 0;
    if (longest == nullptr || std::pair(has_unread, connection.since) < std::pair(longest_has_unread, longest->since)) {
      longest = &connection;
      longest_has_unread = has_unread;
    }
  }
  return longest;
}

// shutdown() wakes cpp-httplib's reads and writes on the connection, which then closes it.
void ConnectionGuard::close_connection(Connection& connection, ConnectionRefusal reason) {
  refused_[static_cast<std::size_t>(reason)]->Increment();
  connection.phase = Phase::closing;
  ::shutdown(connection.descriptor, SHUT_RDWR);
}

// The accept loop hands the socket over with the closure, which is dropped unrun: closing is ours.
void ConnectionGuard::refuse(int descriptor, ConnectionRefusal reason) {
  refused_[static_cast<std::size_t>(reason)]->Increment();
  close(descriptor);
}

void ConnectionGuard::reap_finished() {
  for (auto connection = connections_.begin(); connection != connections_.end();) {
    if (connection->finished) {
      connection->thread.join();  // the thread has only to return: it needs no lock
      connection = connections_.erase(connection);
    } else {
      ++connection;
    }
  }
}

}  // namespace mta
