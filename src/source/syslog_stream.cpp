// The connections of a TCP or TLS syslog listener, all on one poll loop: accepted only from allowed
// peers and within the connection limits, TLS handshakes advanced a step per wake-up, idle and slow
// connections closed.

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include "framing/syslog_framer.hpp"
#include "source/syslog_server.hpp"

namespace mta {
namespace {

using Clock = std::chrono::steady_clock;

struct Connection {
  int fd;
  PeerAddress peer;
  SyslogStreamFramer framer;
  Clock::time_point accepted;
  Clock::time_point last_activity;
  std::unique_ptr<TlsConnection> tls;  // tls:// only
  bool handshaking = false;
  short wanted = POLLIN;  // POLLOUT while OpenSSL waits to write
};

// OpenSSL writes with write(): to a peer that has gone, that raises SIGPIPE, which would end the
// process. Blocked in this thread, write() fails with EPIPE instead.
void block_sigpipe() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

short events_for(TlsStatus status) { return status == TlsStatus::want_write ? POLLOUT : POLLIN; }

}  // namespace

void SyslogServer::run_stream(std::stop_token stop) {
  if (tls_) block_sigpipe();
  std::vector<Connection> connections;
  std::map<PeerAddress, std::size_t> per_peer;
  std::vector<pollfd> polled;
  std::array<char, 64 * 1024> buffer;

  const auto close_connection = [&](std::size_t index) {
    Connection& connection = connections[index];
    if (connection.tls) connection.tls->shutdown();
    ::close(connection.fd);
    if (const auto held = per_peer.find(connection.peer); held != per_peer.end() && --held->second == 0) {
      per_peer.erase(held);
    }
    connections.erase(connections.begin() + static_cast<std::ptrdiff_t>(index));
  };

  const auto accept_connection = [&](Clock::time_point now) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    const int client = ::accept4(fd_, reinterpret_cast<sockaddr*>(&address), &length, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (client < 0) {
      // Out of file handles: the listening socket stays readable; wait instead of spinning.
      if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      return;
    }
    const PeerAddress peer = peer_address(address).value_or(PeerAddress{});
    const auto held = per_peer.find(peer);
    std::optional<SyslogRejection> refusal;
    if (!options_.allowed_peers.allows(peer)) {
      refusal = SyslogRejection::peer_not_allowed;
    } else if (held != per_peer.end() && held->second >= options_.max_connections_per_peer) {
      refusal = SyslogRejection::peer_connection_limit;
    } else if (connections.size() >= options_.max_connections) {
      refusal = SyslogRejection::connection_limit;
    }
    std::unique_ptr<TlsConnection> tls = !refusal && tls_ ? tls_->accept(client) : nullptr;
    if (!refusal && tls_ && !tls) refusal = SyslogRejection::tls_handshake;
    if (refusal) {
      reject(*refusal, peer);
      ::close(client);
      return;
    }
    ++per_peer[peer];
    const bool handshaking = tls != nullptr;
    connections.push_back(Connection{client, peer, SyslogStreamFramer(options_.max_frame_size), now, now,
                                     std::move(tls), handshaking, POLLIN});
    health_.count_syslog_connection();
  };

  // Handles a wake-up of the connection; false when it is to be closed.
  const auto service = [&](Connection& connection, Clock::time_point now) {
    if (connection.handshaking) {
      const TlsStatus status = connection.tls->handshake();
      if (status == TlsStatus::want_read || status == TlsStatus::want_write) {
        connection.wanted = events_for(status);
        return true;
      }
      if (status != TlsStatus::done) {
        reject(SyslogRejection::tls_handshake, connection.peer, connection.tls->error());
        return false;
      }
      // Data sent with the client's last handshake flight may be waiting already: read on.
      connection.handshaking = false;
    }
    std::size_t count = 0;
    if (connection.tls) {
      TlsStatus status = TlsStatus::done;
      count = connection.tls->read(buffer, status);
      if (count == 0) {
        connection.wanted = events_for(status);
        return status == TlsStatus::want_read || status == TlsStatus::want_write;
      }
      connection.wanted = POLLIN;
    } else {
      const ssize_t received = ::recv(connection.fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (received < 0 && (errno == EAGAIN || errno == EINTR)) return true;
      if (received <= 0) return false;
      count = static_cast<std::size_t>(received);
    }
    connection.last_activity = now;
    connection.framer.feed(
        {buffer.data(), count}, [this](std::string_view frame) { deliver(frame); },
        [this] { health_.count_invalid_frame(); });
    // An octet count we cannot honour leaves no way to find the next frame: drop the peer.
    return !connection.framer.broken();
  };

  while (!stop.stop_requested()) {
    polled.assign(1, pollfd{fd_, POLLIN, 0});
    bool decrypted_waiting = false;  // OpenSSL holds data the socket will not signal again
    for (const Connection& connection : connections) {
      polled.push_back({connection.fd, connection.wanted, 0});
      decrypted_waiting = decrypted_waiting || (connection.tls && connection.tls->pending());
    }
    if (::poll(polled.data(), polled.size(), decrypted_waiting ? 0 : 200) < 0 && errno != EINTR) break;
    const auto now = Clock::now();
    // A connection accepted now goes last, past the end of `polled`: it has no events yet.
    if ((polled[0].revents & POLLIN) != 0) accept_connection(now);
    // Walk backwards so that closing a connection leaves the indexes still to visit unchanged.
    for (std::size_t i = connections.size(); i-- > 0;) {
      Connection& connection = connections[i];
      // Checked before any reading: a peer trickling handshake bytes must not hold its slot.
      if (connection.handshaking && now - connection.accepted > options_.tls_handshake_timeout) {
        reject(SyslogRejection::tls_handshake_timeout, connection.peer);
        close_connection(i);
        continue;
      }
      const short events = i + 1 < polled.size() ? polled[i + 1].revents : 0;
      const bool ready =
          (events & (POLLIN | POLLOUT | POLLHUP | POLLERR)) != 0 || (connection.tls && connection.tls->pending());
      if (!ready) {
        if (now - connection.last_activity > options_.idle_timeout) close_connection(i);
        continue;
      }
      if (!service(connection, now)) close_connection(i);
    }
  }
  while (!connections.empty()) close_connection(connections.size() - 1);
}

}  // namespace mta
