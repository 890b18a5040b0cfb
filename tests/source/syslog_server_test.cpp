#include "source/syslog_server.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "metrics/exposition.hpp"
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

class SyslogTcpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SyslogServerOptions options;
    options.listen = parse_syslog_listen("tcp://127.0.0.1:0");
    options.max_frame_size = 64;
    server_ = std::make_unique<SyslogServer>(options, collect_, health_);
    server_->bind();
    thread_ = std::jthread([this](std::stop_token stop) { server_->run(stop); });
  }
  void TearDown() override {
    thread_.request_stop();
    thread_.join();
  }
  int connect_client() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(server_->port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    return fd;
  }
  void send_text(int fd, std::string_view text) {
    ASSERT_EQ(::send(fd, text.data(), text.size(), 0), static_cast<ssize_t>(text.size()));
  }

  prometheus::Registry registry_;
  SourceMetricFamilies families_{registry_};
  SourceHealth health_{families_, "tcp", true};
  Collect collect_;
  std::unique_ptr<SyslogServer> server_;
  std::jthread thread_;
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
  EXPECT_NE(render_exposition(registry_).find("mta_exporter_syslog_invalid_frames_total{source=\"tcp\"} 2"),
            std::string::npos)
      << render_exposition(registry_);
  ::close(long_lines);
  ::close(huge_count);
  ::close(fresh);
}

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
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(server.port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto send_datagram = [&](std::string_view text) {
    ::sendto(fd, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&address), sizeof address);
  };
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
  ::close(fd);
}

}  // namespace
}  // namespace mta
