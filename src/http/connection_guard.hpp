#pragma once
// Bounds the web server's connections, which cpp-httplib 0.11 (Debian 12) cannot do itself: its
// default task queue is a fixed pool of 8 threads behind an unbounded queue, so 8 clients that send a
// header byte every few seconds keep the scraper waiting for good.
//
// The guard replaces that queue (httplib::Server::new_task_queue, also used by SSLServer): each
// connection runs on a thread of its own, within a bound on concurrent connections overall and per
// peer IP. Past a bound, a connection still waiting for its request is closed to make room, the one
// waiting longest among those with no bytes unread (a scraper sends its request as it connects, so
// a flood of silent or slow connections goes first), else the new connection is closed at once;
// nothing is queued. A watchdog closes connections that take longer than request_timeout to
// deliver a request's headers (from accept, or from the previous response: slow clients) or longer
// than response_timeout to take the response (slow readers).
//
// cpp-httplib hands the queue a closure, not the connection's socket: the guard finds the socket just
// accepted among the process's descriptors (/proc/self/fd), as the one connected TCP socket on the
// listener's address that it does not track yet. It keeps a duplicate of each descriptor, so that
// shutdown() from the watchdog can never hit a descriptor number cpp-httplib has closed and the
// process has reused.

#include <dirent.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <sys/types.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_set>

namespace httplib {
class Server;
}  // namespace httplib

namespace mta {

struct ConnectionLimits {
  // Connections served at once; 0 turns the guard off (cpp-httplib's own pool and queue).
  std::size_t max_connections = 64;
  std::size_t max_connections_per_ip = 8;
  // From accept (TLS handshake included), or from the previous response, to a request's last header.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(5)};
  // Bytes the server may read before a request's headers are complete. cpp-httplib 0.11 checks the
  // length of a header line only once the line has ended, and counts no header lines: without this a
  // single connection sending one endless header line grows the process by hundreds of MiB. A request
  // body is not read (it is refused), so it does not count.
  std::uint64_t max_request_bytes = 64 * 1024;
  // From a request's last header to the end of its response.
  std::chrono::milliseconds response_timeout{std::chrono::seconds(30)};
  // cpp-httplib listens with a backlog of 5: a connection flood fills it and the kernel drops the
  // scraper's SYN (retried a second later).
  int listen_backlog = 1024;
};

// The `reason` label of mta_exporter_web_connections_refused_total.
enum class ConnectionRefusal {
  max_connections,         // at the bound, no connection waiting for a request to close instead
  max_connections_per_ip,  // the same, for the peer's IP
  evicted,                 // waiting for its request, closed to make room for a new connection
  request_timeout,         // no complete request within request_timeout
  response_timeout,        // the response not taken within response_timeout
  no_resources,            // no descriptor or thread left for it
  request_too_large,       // sent more than max_request_bytes without completing a request's headers
};
inline constexpr std::size_t connection_refusal_count = 7;
std::string_view connection_refusal_name(ConnectionRefusal reason);

// The web listener's socket options: SO_REUSEADDR, for a restart while old connections linger, but
// not cpp-httplib's SO_REUSEPORT, with which a second agent (or any process of the same user) binds
// the same port without an error and silently takes a share of the scrapes.
void set_listener_socket_options(int descriptor);

class ConnectionGuard {
 public:
  // Throws std::system_error when /proc/self/fd cannot be read (the guard would be blind).
  ConnectionGuard(ConnectionLimits limits, prometheus::Registry& registry);
  // Every protected server must have stopped listening (its task queue shut down) before.
  ~ConnectionGuard();
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  // Before the server binds: installs the task queue and the socket options hook (which keeps
  // cpp-httplib's default options) and a logger. Does nothing when the guard is off.
  void protect(httplib::Server& server);
  // After the server bound its listener: learns the listener's address and deepens its backlog.
  void listening(const httplib::Server& server);

  // Called on a connection's own thread: from the pre-routing handler, once a request's headers
  // are in; from the logger, once its response is written (`last`: the connection closes after it).
  void request_received();
  void response_sent(bool last = false);

 private:
  using Clock = std::chrono::steady_clock;
  using IpAddress = std::array<unsigned char, 16>;  // IPv4 as IPv4-mapped IPv6
  enum class Phase { awaiting_request, answering, closing };
  struct Listener;
  struct Connection;
  struct Accepted;
  class TaskQueue;

  void admit(const Listener& listener, std::function<void()> serve);
  void serve_connection(Connection& connection, const std::function<void()>& serve);
  void shut_down_connections(const Listener& listener);
  void watch();

  // All below with mutex_ held.
  Accepted find_accepted(const Listener& listener);
  bool inspect(const char* name, const Listener& listener, Accepted& accepted) const;
  Connection* waiting_longest(const IpAddress* peer);
  void close_connection(Connection& connection, ConnectionRefusal reason);
  void refuse(int descriptor, ConnectionRefusal reason);
  void reap_finished();
  bool sent_too_much(const Connection& connection) const;

  // The connection served by this thread, for the pre-routing handler and the logger.
  static thread_local Connection* current_connection_;

  const ConnectionLimits limits_;
  std::array<prometheus::Counter*, connection_refusal_count> refused_{};

  std::mutex mutex_;
  std::condition_variable connection_finished_;
  std::condition_variable watchdog_wake_;
  bool stopping_ = false;
  std::unique_ptr<DIR, int (*)(DIR*)> descriptors_;  // /proc/self/fd, read again at each accept
  int last_accepted_ = -1;                           // a flood reuses one descriptor number: tried first
  std::map<const httplib::Server*, std::unique_ptr<Listener>> listeners_;
  std::list<Connection> connections_;  // a list: the connection threads hold references
  std::unordered_set<ino_t> tracked_inodes_;
  std::thread watchdog_;
};

}  // namespace mta
