#include "source/syslog_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "metrics/exposition.hpp"
#include "source/tls_test_client.hpp"
#include "source/tls_test_pki.hpp"
#include "support/collect.hpp"
#include "support/eventually.hpp"

namespace mta {
namespace {

using test::Collect;
using test::eventually;

TEST(SyslogListenTest, ParsesAndRejects) {
  const SyslogListen udp = parse_syslog_listen("udp://127.0.0.1:5514");
  EXPECT_EQ(udp.transport, SyslogListen::Transport::udp);
  EXPECT_EQ(udp.host, "127.0.0.1");
  EXPECT_EQ(udp.port, 5514);
  EXPECT_EQ(parse_syslog_listen("tcp://[::1]:601").host, "::1");
  EXPECT_EQ(parse_syslog_listen("tcp://:601").host, "0.0.0.0");
  EXPECT_EQ(parse_syslog_listen("unix:///run/x.sock").path, "/run/x.sock");
  for (const char* bad : {"http://x:1", "udp://x", "udp://x:99999", "unix://relative", "tcp://h:port"}) {
    EXPECT_THROW(parse_syslog_listen(bad), std::invalid_argument) << bad;
  }
}

// A TCP connection to ADDRESS:port (IPv4 or IPv6), from the loopback address `from` when given.
int connect_tcp(const std::string& address, int port, const std::string& from = "") {
  sockaddr_storage target{};
  socklen_t length = 0;
  const auto fill = [](const std::string& ip, int ip_port, sockaddr_storage& storage) -> socklen_t {
    if (ip.find(':') != std::string::npos) {
      auto& ipv6 = reinterpret_cast<sockaddr_in6&>(storage);
      ipv6.sin6_family = AF_INET6;
      ipv6.sin6_port = htons(static_cast<std::uint16_t>(ip_port));
      ::inet_pton(AF_INET6, ip.c_str(), &ipv6.sin6_addr);
      return sizeof ipv6;
    }
    auto& ipv4 = reinterpret_cast<sockaddr_in&>(storage);
    ipv4.sin_family = AF_INET;
    ipv4.sin_port = htons(static_cast<std::uint16_t>(ip_port));
    ::inet_pton(AF_INET, ip.c_str(), &ipv4.sin_addr);
    return sizeof ipv4;
  };
  length = fill(address, port, target);
  const int fd = ::socket(target.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (!from.empty()) {
    sockaddr_storage local{};
    const socklen_t local_length = fill(from, 0, local);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&local), local_length), 0) << std::strerror(errno);
  }
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&target), length), 0) << std::strerror(errno);
  return fd;
}

void send_text(int fd, std::string_view text) {
  ASSERT_EQ(::send(fd, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size()));
}

// True once the server has closed the connection (end of stream or reset).
bool closed_by_server(int fd) {
  return eventually([fd] {
    char byte;
    const ssize_t count = ::recv(fd, &byte, 1, MSG_DONTWAIT);
    return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  });
}

// A syslog server of the test's own on a thread; metrics and delivered lines to check.
class SyslogServerFixture : public ::testing::Test {
 protected:
  static SyslogServerOptions options_for(const std::string& listen, std::size_t max_frame_size = 64 * 1024) {
    SyslogServerOptions options;
    options.listen = parse_syslog_listen(listen);
    options.max_frame_size = max_frame_size;
    return options;
  }
  void start(const SyslogServerOptions& options) {
    server_ = std::make_unique<SyslogServer>(options, collect_, health_);
    server_->bind();
    thread_ = std::jthread([this](std::stop_token stop) { server_->run(stop); });
  }
  void TearDown() override {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return server_->port(); }
  // True when the exposition holds `sample` ("name{labels} value") as a whole line.
  bool has_sample(const std::string& sample) {
    return render_exposition(registry_).find("\n" + sample + "\n") != std::string::npos;
  }
  bool rejected(const std::string& reason, int count) {
    return has_sample("mta_exporter_syslog_rejected_total{reason=\"" + reason + "\",source=\"test\"} " +
                      std::to_string(count));
  }
  // Sends a newline-framed `text` on `fd`: true once it is delivered, false when the server closes instead.
  bool delivered(int fd, const std::string& text) {
    send_text(fd, text + "\n");
    bool closed = false;
    eventually([&] {
      const std::vector<std::string> lines = collect_.snapshot();
      if (std::find(lines.begin(), lines.end(), text) != lines.end()) return true;
      char byte;
      const ssize_t count = ::recv(fd, &byte, 1, MSG_DONTWAIT);
      closed = count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
      return closed;
    });
    return !closed;
  }

  prometheus::Registry registry_;
  SourceMetricFamilies families_{registry_};
  SourceHealth health_{families_, "test", true};
  Collect collect_;
  std::unique_ptr<SyslogServer> server_;
  std::jthread thread_;
};

class SyslogTcpTest : public SyslogServerFixture {
 protected:
  void SetUp() override { start(options_for("tcp://127.0.0.1:0", 64)); }
  int connect_client() { return connect_tcp("127.0.0.1", port()); }
};

TEST_F(SyslogTcpTest, OctetCountingAndNewlineFramingPerFrame) {
  const int fd = connect_client();
  send_text(fd, "11 hello world");  // octet counted
  send_text(fd, "<13>Mar  4 00:00:00 h p: newline framed\n");
  send_text(fd, "5 sp");  // a counted frame in two pieces
  send_text(fd, "lit");
  send_text(fd, "2026-11-24T10:00:00Z h p: iso\r\n");  // starts with digits but is not a length
  ASSERT_TRUE(eventually([&] { return collect_.size() == 4; }));
  EXPECT_EQ(collect_.snapshot(), (std::vector<std::string>{"hello world", "<13>Mar  4 00:00:00 h p: newline framed",
                                                           "split", "2026-11-24T10:00:00Z h p: iso"}));
  ::close(fd);
}

TEST_F(SyslogTcpTest, OversizeFramesAreCountedAndDoNotStopTheServer) {
  const int long_lines = connect_client();
  send_text(long_lines, std::string(100, 'x') + "\nafter long line\n");
  const int huge_count = connect_client();
  send_text(huge_count, "99999 x");  // more than max_frame_size: the peer is dropped
  ASSERT_TRUE(eventually([&] { return collect_.size() == 1; }));
  EXPECT_EQ(collect_.snapshot()[0], "after long line");
  char byte;
  ASSERT_TRUE(eventually([&] { return ::recv(huge_count, &byte, 1, MSG_DONTWAIT) == 0; }));
  const int fresh = connect_client();
  send_text(fresh, std::string_view("\0\xff garbage\nok\n", 14));
  ASSERT_TRUE(eventually([&] { return collect_.size() == 3; }));
  EXPECT_EQ(collect_.snapshot().back(), "ok");
  // The long newline frame and the oversize octet count.
  EXPECT_NE(render_exposition(registry_).find("mta_exporter_syslog_invalid_frames_total{source=\"test\"} 2"),
            std::string::npos)
      << render_exposition(registry_);
  ::close(long_lines);
  ::close(huge_count);
  ::close(fresh);
}

// A UDP socket that sends datagrams to a port on 127.0.0.1.
class LoopbackUdpSender {
 public:
  explicit LoopbackUdpSender(int port) : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
    address_.sin_family = AF_INET;
    address_.sin_port = htons(static_cast<std::uint16_t>(port));
    address_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  ~LoopbackUdpSender() { ::close(fd_); }
  LoopbackUdpSender(const LoopbackUdpSender&) = delete;
  LoopbackUdpSender& operator=(const LoopbackUdpSender&) = delete;
  void send(std::string_view text) const {
    ::sendto(fd_, text.data(), text.size(), 0, reinterpret_cast<const sockaddr*>(&address_), sizeof address_);
  }

 private:
  int fd_;
  sockaddr_in address_{};
};

TEST(SyslogUdpTest, DatagramsAreMessages) {
  prometheus::Registry registry;
  SourceMetricFamilies families(registry);
  SourceHealth health(families, "udp", true, 2);
  Collect collect;
  SyslogServerOptions options;
  options.listen = parse_syslog_listen("udp://127.0.0.1:0");
  options.max_frame_size = 128;
  options.count_hosts = true;
  SyslogServer server(options, collect, health);
  server.bind();
  std::jthread thread([&](std::stop_token stop) { server.run(stop); });
  const LoopbackUdpSender sender(server.port());
  const auto send_datagram = [&](std::string_view text) { sender.send(text); };
  send_datagram("<22>Mar  4 00:00:00 mx1 postfix/smtp[1]: one\n");
  send_datagram(std::string(500, 'y'));  // over max_frame_size
  send_datagram("<22>Mar  4 00:00:00 mx2 postfix/smtp[1]: two");
  send_datagram("<22>Mar  4 00:00:00 mx3 postfix/smtp[1]: three");
  ASSERT_TRUE(eventually([&] { return collect.size() == 3; }));
  EXPECT_EQ(collect.snapshot()[0], "<22>Mar  4 00:00:00 mx1 postfix/smtp[1]: one");
  const std::string metrics = render_exposition(registry);
  // The oversize datagram is counted as invalid; hosts past max_hosts = 2 count as "other".
  EXPECT_NE(metrics.find("mta_exporter_syslog_invalid_frames_total{source=\"udp\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("mta_exporter_syslog_messages_total{host=\"mx1\",source=\"udp\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("mta_exporter_syslog_messages_total{host=\"other\",source=\"udp\"} 1"), std::string::npos);
}

// Holds every line until opened, so that the kernel's receive queue fills and drops datagrams.
class GatedCounter : public LineHandler {
 public:
  void on_line(std::string_view) override {
    std::unique_lock lock(mutex_);
    opened_.wait(lock, [this] { return open_; });
    ++lines_;
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    opened_.notify_all();
  }
  int lines() const { return lines_.load(); }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
  std::atomic<int> lines_{0};
};

double counter_value(const std::string& metrics, const std::string& series) {
  const std::size_t at = metrics.find(series + ' ');
  return at == std::string::npos ? 0 : std::stod(metrics.substr(at + series.size() + 1));
}

// Issue 16: the socket's own drop counter makes sent = counted + dropped hold exactly, also for the drops
// that no later datagram follows (SO_RXQ_OVFL only told of those with the next datagram read).
TEST(SyslogUdpTest, SentEqualsCountedPlusDroppedExactly) {
  prometheus::Registry registry;
  SourceMetricFamilies families(registry);
  SourceHealth health(families, "udp", true, 0);
  GatedCounter counter;
  SyslogServerOptions options;
  options.listen = parse_syslog_listen("udp://127.0.0.1:0");
  options.receive_buffer = 4096;  // a few datagrams: the rest of a burst is dropped while the handler waits
  SyslogServer server(options, counter, health);
  server.bind();
  std::jthread thread([&](std::stop_token stop) { server.run(stop); });
  constexpr int kSent = 2000;
  const std::string datagram = "<22>Mar  4 00:00:00 mx1 postfix/smtp[1]: " + std::string(200, 'x');
  {
    const LoopbackUdpSender sender(server.port());
    for (int i = 0; i < kSent; ++i) sender.send(datagram);
  }
  counter.open();
  const std::string dropped_series = "mta_exporter_syslog_dropped_total{source=\"udp\"}";
  double dropped = 0;
  ASSERT_TRUE(eventually([&] {
    dropped = counter_value(render_exposition(registry), dropped_series);
    return counter.lines() + static_cast<int>(dropped) == kSent;
  })) << "counted "
      << counter.lines() << " dropped " << dropped << " of " << kSent;
  EXPECT_GT(dropped, 0) << "the burst was meant to overflow the receive queue";
  EXPECT_GT(counter.lines(), 0);
}

// Without a receive_buffer key a datagram listener asks for kDefaultReceiveBuffer; it gets that when it may
// force it (CAP_NET_ADMIN, as root here), else as much as net.core.rmem_max allows.
TEST(SyslogUdpTest, AsksForTheDefaultReceiveBuffer) {
  prometheus::Registry registry;
  SourceMetricFamilies families(registry);
  SourceHealth health(families, "udp", true, 0);
  Collect collect;
  SyslogServerOptions options;
  options.listen = parse_syslog_listen("udp://127.0.0.1:0");
  SyslogServer server(options, collect, health);
  server.bind();
  int rmem_max = 0;
  std::ifstream("/proc/sys/net/core/rmem_max") >> rmem_max;
  if (::geteuid() == 0) {
    EXPECT_EQ(server.receive_buffer_bytes(), kDefaultReceiveBuffer);
  } else {
    EXPECT_GE(server.receive_buffer_bytes(), std::min(kDefaultReceiveBuffer, rmem_max));
  }
}

// --- allowed_peers and connection limits ------------------------------------------------------------

PeerAddress address_of(const std::string& ip) {
  sockaddr_storage storage{};
  if (ip.find(':') != std::string::npos) {
    auto& ipv6 = reinterpret_cast<sockaddr_in6&>(storage);
    ipv6.sin6_family = AF_INET6;
    ::inet_pton(AF_INET6, ip.c_str(), &ipv6.sin6_addr);
  } else {
    auto& ipv4 = reinterpret_cast<sockaddr_in&>(storage);
    ipv4.sin_family = AF_INET;
    ::inet_pton(AF_INET, ip.c_str(), &ipv4.sin_addr);
  }
  return *peer_address(storage);
}

PeerFilter filter_of(std::initializer_list<const char*> ranges) {
  std::vector<PeerRange> parsed;
  for (const char* range : ranges) parsed.push_back(parse_peer_range(range));
  return PeerFilter(std::move(parsed));
}

TEST(PeerFilterTest, Ipv4AndIpv6Ranges) {
  const PeerFilter filter = filter_of({"10.0.0.0/8", "192.0.2.7", "2001:db8::/32", "::1/128"});
  for (const char* allowed : {"10.0.0.0", "10.255.255.255", "192.0.2.7", "2001:db8::1", "2001:db8:ffff::9", "::1"}) {
    EXPECT_TRUE(filter.allows(address_of(allowed))) << allowed;
  }
  for (const char* refused : {"11.0.0.1", "9.255.255.255", "192.0.2.8", "2001:db9::1", "::2", "127.0.0.1"}) {
    EXPECT_FALSE(filter.allows(address_of(refused))) << refused;
  }
  EXPECT_TRUE(PeerFilter().allows(address_of("203.0.113.1")));  // no list: every peer
  EXPECT_TRUE(filter_of({"0.0.0.0/0"}).allows(address_of("203.0.113.1")));
  EXPECT_FALSE(filter_of({"0.0.0.0/0"}).allows(address_of("2001:db8::1")));
  EXPECT_TRUE(filter_of({"10.1.2.0/23"}).allows(address_of("10.1.3.255")));
  EXPECT_FALSE(filter_of({"10.1.2.0/23"}).allows(address_of("10.1.4.0")));
}

TEST(PeerFilterTest, MappedIpv4PeersMatchIpv4Ranges) {
  // A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d.
  EXPECT_EQ(address_of("::ffff:10.1.2.3"), address_of("10.1.2.3"));
  EXPECT_TRUE(filter_of({"10.0.0.0/8"}).allows(address_of("::ffff:10.1.2.3")));
  EXPECT_TRUE(filter_of({"::ffff:10.0.0.0/104"}).allows(address_of("10.1.2.3")));
  EXPECT_FALSE(filter_of({"10.0.0.0/8"}).allows(address_of("::a01:203")));  // IPv4-compatible, not mapped
  EXPECT_EQ(format_peer(address_of("::ffff:10.1.2.3")), "10.1.2.3");
  EXPECT_EQ(format_peer(address_of("2001:db8::1")), "2001:db8::1");
}

TEST(PeerFilterTest, MalformedRangesAreRefusedWithAReason) {
  for (const char* bad : {"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/8x", "example.org",
                          "10.0.0/8", "fe80::1%lo/64"}) {
    EXPECT_THROW(parse_peer_range(bad), std::invalid_argument) << bad;
  }
  try {
    parse_peer_range("10.1.2.3/8");
    ADD_FAILURE() << "host bits past the prefix accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("10.0.0.0/8"), std::string::npos) << error.what();
  }
}

class SyslogPeerTest : public SyslogServerFixture {};

TEST_F(SyslogPeerTest, TcpPeersOutsideAllowedPeersAreClosedAtAccept) {
  SyslogServerOptions options = options_for("tcp://127.0.0.1:0");
  options.allowed_peers = filter_of({"127.0.0.2/32", "::1/128"});
  start(options);
  const int refused = connect_tcp("127.0.0.1", port());
  EXPECT_TRUE(closed_by_server(refused));
  const int allowed = connect_tcp("127.0.0.1", port(), "127.0.0.2");
  EXPECT_TRUE(delivered(allowed, "from 127.0.0.2"));
  EXPECT_TRUE(eventually([&] { return rejected("peer_not_allowed", 1); })) << render_exposition(registry_);
  EXPECT_TRUE(has_sample("mta_exporter_syslog_connections_total{source=\"test\"} 1"));
  EXPECT_EQ(collect_.snapshot(), std::vector<std::string>{"from 127.0.0.2"});
  ::close(refused);
  ::close(allowed);
}

TEST_F(SyslogPeerTest, IPv4PeersOfADualStackSocketMatchIpv4Ranges) {
  SyslogServerOptions options = options_for("tcp://[::ffff:127.0.0.1]:0");
  options.allowed_peers = filter_of({"127.0.0.2/32"});
  start(options);
  const int allowed = connect_tcp("127.0.0.1", port(), "127.0.0.2");  // seen as ::ffff:127.0.0.2
  EXPECT_TRUE(delivered(allowed, "mapped"));
  const int refused = connect_tcp("127.0.0.1", port());
  EXPECT_TRUE(closed_by_server(refused));
  EXPECT_TRUE(eventually([&] { return rejected("peer_not_allowed", 1); }));
  ::close(allowed);
  ::close(refused);
}

TEST_F(SyslogPeerTest, Ipv6PeersMatchIpv6Ranges) {
  SyslogServerOptions options = options_for("tcp://[::1]:0");
  options.allowed_peers = filter_of({"::1/128"});
  start(options);
  const int allowed = connect_tcp("::1", port());
  EXPECT_TRUE(delivered(allowed, "over IPv6"));
  ::close(allowed);
  EXPECT_TRUE(rejected("peer_not_allowed", 0));
}

TEST_F(SyslogPeerTest, PerPeerAndTotalConnectionLimits) {
  SyslogServerOptions options = options_for("tcp://127.0.0.1:0");
  options.max_connections_per_peer = 2;
  options.max_connections = 3;
  start(options);
  const int first = connect_tcp("127.0.0.1", port());
  const int second = connect_tcp("127.0.0.1", port());
  ASSERT_TRUE(delivered(first, "first"));
  ASSERT_TRUE(delivered(second, "second"));
  const int third = connect_tcp("127.0.0.1", port());  // a third from the same peer
  EXPECT_TRUE(closed_by_server(third));
  EXPECT_TRUE(eventually([&] { return rejected("peer_connection_limit", 1); }));
  const int other = connect_tcp("127.0.0.1", port(), "127.0.0.2");
  ASSERT_TRUE(delivered(other, "other peer"));
  const int over_total = connect_tcp("127.0.0.1", port(), "127.0.0.3");
  EXPECT_TRUE(closed_by_server(over_total));
  EXPECT_TRUE(eventually([&] { return rejected("connection_limit", 1); }));
  // A closed connection gives its peer's slot back (once the server has seen the close).
  ::close(first);
  int again = -1;
  EXPECT_TRUE(eventually([&] {
    if (again >= 0) ::close(again);
    again = connect_tcp("127.0.0.1", port());
    return delivered(again, "again");
  }));
  EXPECT_TRUE(has_sample("mta_exporter_syslog_connections_total{source=\"test\"} 4")) << render_exposition(registry_);
  for (const int fd : {second, third, other, over_total, again}) ::close(fd);
}

TEST_F(SyslogPeerTest, UdpDatagramsOutsideAllowedPeersAreDropped) {
  SyslogServerOptions options = options_for("udp://127.0.0.1:0");
  options.allowed_peers = filter_of({"127.0.0.2/32"});
  start(options);
  const auto send_from = [&](const char* from, std::string_view text) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, from, &local.sin_addr);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local), 0);
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_port = htons(static_cast<std::uint16_t>(port()));
    target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::sendto(fd, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&target), sizeof target);
    ::close(fd);
  };
  send_from("127.0.0.1", "refused one");
  send_from("127.0.0.3", "refused two");
  send_from("127.0.0.2", "allowed");
  ASSERT_TRUE(eventually([&] { return rejected("peer_not_allowed", 2) && collect_.size() == 1; }));
  EXPECT_EQ(collect_.snapshot(), std::vector<std::string>{"allowed"});
}

// --- TLS ----------------------------------------------------------------------------------------------

class SyslogTlsTest : public SyslogServerFixture {
 protected:
  static void SetUpTestSuite() {
    folder_ = std::filesystem::temp_directory_path() / ("syslog_tls_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder_);
    pki_ = std::make_unique<test::TestPki>(folder_);
  }
  static void TearDownTestSuite() {
    pki_.reset();
    std::filesystem::remove_all(folder_);
  }
  static SyslogServerOptions tls_options(bool client_certificates = false) {
    SyslogServerOptions options = options_for("tls://127.0.0.1:0");
    options.tls = {pki_->server_cert, pki_->server_key, client_certificates ? pki_->ca_cert : ""};
    return options;
  }

  static inline std::filesystem::path folder_;
  static inline std::unique_ptr<test::TestPki> pki_;
};

TEST_F(SyslogTlsTest, FramesArriveAfterTheHandshake) {
  start(tls_options());
  test::TlsTestClient client(port(), pki_->ca_cert);
  ASSERT_TRUE(client.handshake());
  ASSERT_TRUE(client.send("11 hello world"));  // RFC 5425: octet counted
  ASSERT_TRUE(client.send("26 <13>Mar  4 00:00:00 h p: "));
  ASSERT_TRUE(client.send("x"));  // a frame in two records
  ASSERT_TRUE(client.send("<13>Mar  4 00:00:00 h p: newline framed\n"));
  ASSERT_TRUE(eventually([&] { return collect_.size() == 3; }));
  EXPECT_EQ(collect_.snapshot(), (std::vector<std::string>{"hello world", "<13>Mar  4 00:00:00 h p: x",
                                                           "<13>Mar  4 00:00:00 h p: newline framed"}));
  EXPECT_TRUE(has_sample("mta_exporter_syslog_connections_total{source=\"test\"} 1"));
  EXPECT_TRUE(rejected("tls_handshake", 0));
}

TEST_F(SyslogTlsTest, ClientCertificatesAreRequiredAndVerified) {
  start(tls_options(true));
  test::TlsTestClient trusted(port(), pki_->ca_cert, pki_->client_cert, pki_->client_key);
  ASSERT_TRUE(trusted.handshake());
  ASSERT_TRUE(trusted.send("7 trusted"));
  ASSERT_TRUE(eventually([&] { return collect_.size() == 1; }));

  test::TlsTestClient without_certificate(port(), pki_->ca_cert);
  if (without_certificate.handshake()) without_certificate.send("9 anonymous");
  EXPECT_TRUE(without_certificate.closed_by_server());
  EXPECT_TRUE(eventually([&] { return rejected("tls_handshake", 1); })) << render_exposition(registry_);

  test::TlsTestClient stranger(port(), pki_->ca_cert, pki_->stranger_cert, pki_->stranger_key);
  if (stranger.handshake()) stranger.send("8 stranger");
  EXPECT_TRUE(stranger.closed_by_server());
  EXPECT_TRUE(eventually([&] { return rejected("tls_handshake", 2); })) << render_exposition(registry_);
  EXPECT_EQ(collect_.snapshot(), std::vector<std::string>{"trusted"});
}

TEST_F(SyslogTlsTest, PlainTcpToTheTlsPortIsRefusedAndCounted) {
  start(tls_options());
  const int plain = connect_tcp("127.0.0.1", port());
  send_text(plain, "<13>Mar  4 00:00:00 h p: not encrypted\n");
  EXPECT_TRUE(closed_by_server(plain));
  EXPECT_TRUE(eventually([&] { return rejected("tls_handshake", 1); }));
  EXPECT_EQ(collect_.size(), 0u);
  ::close(plain);
}

TEST_F(SyslogTlsTest, AStalledHandshakeTimesOutWithoutHoldingUpOthers) {
  SyslogServerOptions options = tls_options();
  options.tls_handshake_timeout = std::chrono::milliseconds(1500);
  start(options);
  const int stalled = connect_tcp("127.0.0.1", port());
  send_text(stalled, std::string_view("\x16\x03\x01", 3));  // the start of a ClientHello, then nothing
  test::TlsTestClient client(port(), pki_->ca_cert);
  ASSERT_TRUE(client.handshake());
  ASSERT_TRUE(client.send("6 prompt"));
  ASSERT_TRUE(eventually([&] { return collect_.size() == 1; }));
  EXPECT_TRUE(closed_by_server(stalled));
  EXPECT_TRUE(eventually([&] { return rejected("tls_handshake_timeout", 1); }));
  ::close(stalled);
}

TEST_F(SyslogTlsTest, UnusableFilesNameTheFileAtFault) {
  const auto file_at_fault = [](const TlsServerFiles& files) {
    try {
      TlsServerContext context(files);
    } catch (const TlsFileError& error) {
      return std::make_pair(error.file(), std::string(error.what()));
    }
    ADD_FAILURE() << "no TlsFileError";
    return std::make_pair(TlsFileError::File::cert, std::string());
  };
  using File = TlsFileError::File;
  const std::string missing = (folder_ / "missing.pem").string();
  auto [file, what] = file_at_fault({missing, pki_->server_key, ""});
  EXPECT_EQ(file, File::cert);
  EXPECT_NE(what.find("cannot read " + missing), std::string::npos) << what;
  std::tie(file, what) = file_at_fault({pki_->server_cert, pki_->client_key, ""});
  EXPECT_EQ(file, File::key);
  EXPECT_NE(what.find("holds no PEM private key of the certificate in " + pki_->server_cert), std::string::npos)
      << what;
  std::tie(file, what) = file_at_fault({pki_->server_key, pki_->server_key, ""});
  EXPECT_EQ(file, File::cert);
  std::tie(file, what) = file_at_fault({pki_->server_cert, pki_->server_key, pki_->server_key});
  EXPECT_EQ(file, File::client_ca);
}

}  // namespace
}  // namespace mta
