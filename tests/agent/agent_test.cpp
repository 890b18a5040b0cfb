// Tests for the agent's lifecycle (src/agent/agent.hpp): sources started, kept, stopped and started anew
// by a reload (renamed, removed, a new version that cannot be opened), readiness and its reasons, and a
// source that fails while running and is opened again.

#include "agent/agent.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http/http_server.hpp"
#include "metrics/exposition.hpp"
#include "support/eventually.hpp"
#include "support/temp_folder.hpp"

namespace mta {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// Fast enough for a test to see several restarts.
constexpr RestartBackoff kQuickRestarts{.first = std::chrono::milliseconds(10),
                                        .longest = std::chrono::milliseconds(50),
                                        .healthy_after = std::chrono::milliseconds(60'000)};

// A port on 127.0.0.1 that was free a moment ago.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// Sends `text` to a unix datagram socket; false when nothing listens there.
bool send_datagram(const std::string& socket_path, const std::string& text) {
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
  const bool sent = ::sendto(fd, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&address), sizeof address) ==
                    static_cast<ssize_t>(text.size());
  ::close(fd);
  return sent;
}

// A TCP connection to 127.0.0.1:port; -1 when refused.
int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
  ::close(fd);
  return -1;
}

// Writes `text` over a connection of its own; false when nothing listens on the port.
bool send_over_tcp(int port, const std::string& text) {
  const int fd = connect_to(port);
  if (fd < 0) return false;
  const bool sent = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return sent;
}

// The whole answer to a GET of `target` ("Connection: close": read until the server closes).
std::string http_get(int port, const std::string& target) {
  const int fd = connect_to(port);
  if (fd < 0) return {};
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  std::string answer;
  if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    for (ssize_t count; (count = ::read(fd, buffer, sizeof buffer)) > 0;) answer.append(buffer, count);
  }
  ::close(fd);
  return answer;
}

constexpr const char* kSentLine =
    "Nov 24 10:00:00 mx postfix/smtp[42]: 4A1B2C3D: to=<u@example.org>, relay=mx.example.org[192.0.2.1]:25, "
    "delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 99)\n";

class AgentTest : public test::TempFolderTest {
 protected:
  AgentTest() : TempFolderTest("mta_agent_test") {}

  // kSentLine with this test's name in its recipient. Readers take over where the last reader of a file (an inode)
  // stopped when its first bytes are the same; the files of an earlier test in this process are deleted, so their
  // inodes come back, and with the same lines they would pass for the same file.
  void append(const std::string& name, int lines) {
    std::string line = kSentLine;
    line.replace(line.find("u@example.org"), 13,
                 std::string("u@") + ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".example");
    std::ofstream out(path(name), std::ios::app);
    for (int i = 0; i < lines; ++i) out << line;
  }

  SourceConfig file_source(const std::string& name, const std::string& file) const {
    SourceConfig source;
    source.name = name;
    source.type = SourceType::file;
    source.path = path(file);
    source.start_at = StartAt::beginning;
    return source;
  }

  // A source whose socket cannot be bound: its folder does not exist.
  SourceConfig unopenable_source(const std::string& name) const {
    SourceConfig source;
    source.name = name;
    source.type = SourceType::syslog;
    source.listen = "unix://" + path("missing/s.sock");
    return source;
  }

  static Config config_of(std::vector<SourceConfig> sources) {
    Config config;
    config.sources = std::move(sources);
    return config;
  }

  // The sum of the samples of `metric` labelled with `source`; none when there is no such series.
  static std::optional<double> sample_sum(Agent& agent, const std::string& metric, const std::string& source) {
    std::istringstream page(render_exposition(agent.registry(), &agent.reply_families()));
    const std::regex sample("^" + metric + "\\{(.*)\\} (\\S+)$");
    std::optional<double> total;
    for (std::string line; std::getline(page, line);) {
      std::smatch match;
      if (std::regex_match(line, match, sample) &&
          match[1].str().find("source=\"" + source + "\"") != std::string::npos) {
        total = total.value_or(0) + std::stod(match[2].str());
      }
    }
    return total;
  }

  // mta_exporter_lines_total of one source, all results together.
  static double lines_counted(Agent& agent, const std::string& source) {
    return sample_sum(agent, "mta_exporter_lines_total", source).value_or(0);
  }

  // Whether the registry holds any series labelled with `source`.
  static bool has_series(Agent& agent, const std::string& source) {
    return render_exposition(agent.registry(), &agent.reply_families()).find("source=\"" + source + "\"") !=
           std::string::npos;
  }

  // A replay of `file`, which fails while the file is missing.
  SourceConfig replay_source(const std::string& name, const std::string& file) const {
    SourceConfig source;
    source.name = name;
    source.type = SourceType::replay;
    source.path = path(file);
    source.lines_per_second = 1000;
    return source;
  }

  SourceConfig syslog_source(const std::string& name, const std::string& listen) const {
    SourceConfig source;
    source.name = name;
    source.type = SourceType::syslog;
    source.listen = listen;
    return source;
  }

  static bool counts(Agent& agent, const std::string& source, double expected) {
    return test::eventually([&] { return lines_counted(agent, source) == expected; });
  }
};

TEST_F(AgentTest, StartsEverySourceAndIsReadyWhenTheyCanRead) {
  append("a.log", 2);
  append("b.log", 3);
  Agent agent(config_of({file_source("a", "a.log"), file_source("b", "b.log")}));
  agent.start();
  EXPECT_THAT(agent.running_source_names(), ElementsAre("a", "b"));
  EXPECT_TRUE(counts(agent, "a", 2));
  EXPECT_TRUE(counts(agent, "b", 3));
  EXPECT_TRUE(test::eventually([&] { return agent.ready(); }));
}

TEST_F(AgentTest, NotReadyWhileAFileIsMissing) {
  Agent agent(config_of({file_source("a", "later.log")}));
  agent.start();
  EXPECT_FALSE(agent.ready());
  append("later.log", 1);
  EXPECT_TRUE(test::eventually([&] { return agent.ready(); }));
}

TEST_F(AgentTest, StartNamesTheSourceThatCannotBeOpenedAndLeavesNothingRunning) {
  append("a.log", 1);
  Agent agent(config_of({file_source("a", "a.log"), unopenable_source("broken")}));
  try {
    agent.start();
    FAIL() << "start() opened a socket in a missing folder";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), ::testing::HasSubstr("broken"));
  }
  EXPECT_THAT(agent.running_source_names(), IsEmpty());
}

TEST_F(AgentTest, ReloadWithTheSameConfigurationKeepsEverySource) {
  append("a.log", 2);
  Agent agent(config_of({file_source("a", "a.log")}));
  agent.start();
  ASSERT_TRUE(counts(agent, "a", 2));
  const ReloadSummary summary = agent.reload(config_of({file_source("a", "a.log")}));
  EXPECT_THAT(summary.kept, ElementsAre("a"));
  EXPECT_THAT(summary.stopped, IsEmpty());
  EXPECT_THAT(summary.started, IsEmpty());
  append("a.log", 1);
  EXPECT_TRUE(counts(agent, "a", 3));
}

TEST_F(AgentTest, ReloadStartsAnAddedSource) {
  append("a.log", 1);
  append("b.log", 4);
  Agent agent(config_of({file_source("a", "a.log")}));
  agent.start();
  const ReloadSummary summary = agent.reload(config_of({file_source("a", "a.log"), file_source("b", "b.log")}));
  EXPECT_THAT(summary.kept, ElementsAre("a"));
  EXPECT_THAT(summary.started, ElementsAre("b"));
  EXPECT_THAT(agent.running_source_names(), UnorderedElementsAre("a", "b"));
  EXPECT_TRUE(counts(agent, "b", 4));
}

TEST_F(AgentTest, ReloadStopsARemovedSource) {
  append("a.log", 1);
  append("b.log", 1);
  Agent agent(config_of({file_source("a", "a.log"), file_source("b", "b.log")}));
  agent.start();
  ASSERT_TRUE(counts(agent, "b", 1));
  const ReloadSummary summary = agent.reload(config_of({file_source("a", "a.log")}));
  EXPECT_THAT(summary.stopped, ElementsAre("b"));
  EXPECT_THAT(agent.running_source_names(), ElementsAre("a"));
  append("b.log", 5);
  append("a.log", 1);
  ASSERT_TRUE(counts(agent, "a", 2));
  EXPECT_FALSE(has_series(agent, "b")) << render_exposition(agent.registry(), &agent.reply_families());
}

// Issue 16 item 3: a file source renamed (its table otherwise unchanged) continues from the old name's
// position, and the old name's series go.
TEST_F(AgentTest, ARenamedFileSourceContinuesWhereTheOldNameWas) {
  append("a.log", 2);
  Agent agent(config_of({file_source("a", "a.log")}));
  agent.start();
  ASSERT_TRUE(counts(agent, "a", 2));
  const ReloadSummary summary = agent.reload(config_of({file_source("renamed", "a.log")}));
  EXPECT_THAT(summary.stopped, ElementsAre("a"));
  EXPECT_THAT(summary.started, ElementsAre("renamed"));
  EXPECT_THAT(agent.running_source_names(), ElementsAre("renamed"));
  append("a.log", 1);
  ASSERT_TRUE(counts(agent, "renamed", 1)) << "the renamed source read the file again, or lost the new line";
  append("a.log", 1);
  EXPECT_TRUE(counts(agent, "renamed", 2));
  EXPECT_FALSE(has_series(agent, "a"));
}

TEST_F(AgentTest, ReloadRestartsAChangedSourceWhereItWasWithoutCountingAgain) {
  append("a.log", 3);
  Agent agent(config_of({file_source("a", "a.log")}));
  agent.start();
  ASSERT_TRUE(counts(agent, "a", 3));
  SourceConfig changed = file_source("a", "a.log");
  changed.max_line_length = 4096;
  const ReloadSummary summary = agent.reload(config_of({changed}));
  EXPECT_THAT(summary.stopped, ElementsAre("a"));
  EXPECT_THAT(summary.started, ElementsAre("a"));
  append("a.log", 2);
  EXPECT_TRUE(counts(agent, "a", 5)) << "the changed source read its file again from the start, or lost lines";
}

TEST_F(AgentTest, ReloadKeepsTheOtherSourcesWhenANewOneCannotBeOpened) {
  append("a.log", 1);
  Agent agent(config_of({file_source("a", "a.log")}));
  agent.start();
  const ReloadSummary summary = agent.reload(config_of({file_source("a", "a.log"), unopenable_source("broken")}));
  EXPECT_THAT(summary.failed, ElementsAre("broken"));
  EXPECT_THAT(summary.kept, ElementsAre("a"));
  EXPECT_THAT(agent.running_source_names(), ElementsAre("a"));
  append("a.log", 1);
  EXPECT_TRUE(counts(agent, "a", 2));
}

TEST_F(AgentTest, ReloadKeepsRestartOnlySettings) {
  Agent agent(config_of({}));
  agent.start();
  Config fresh = config_of({});
  fresh.web.listen_addresses = {"127.0.0.1:1"};
  fresh.checkpoint.interval_seconds = 60;
  fresh.log_level = "debug";
  agent.reload(fresh);
  EXPECT_EQ(agent.config().web.listen_addresses, Config{}.web.listen_addresses);
  EXPECT_EQ(agent.config().checkpoint.interval_seconds, Config{}.checkpoint.interval_seconds);
  EXPECT_EQ(agent.config().log_level, "debug");
}

TEST_F(AgentTest, ReloadedSiteRulesClassifyTheNextLines) {
  const std::string bounce =
      "Nov 24 10:00:00 mx postfix/smtp[42]: 4A1B2C3D: to=<u@example.org>, relay=mx.example.org[192.0.2.1]:25, "
      "delay=1, delays=0.1/0/0.4/0.5, dsn=5.0.0, status=bounced (host mx.example.org[192.0.2.1] said: 550 "
      "5.0.0 partner says no (in reply to RCPT TO command))\n";
  std::ofstream(path("a.log")) << bounce;
  const std::string source =
      "[[source]]\nname = \"a\"\ntype = \"file\"\npath = \"" + path("a.log") + "\"\nstart_at = \"beginning\"\n";
  Agent agent(parse_config(source, path("mta_exporter.toml")));
  agent.start();
  ASSERT_TRUE(counts(agent, "a", 1));
  const auto quota_replies = [&] {
    const std::string page = render_exposition(agent.registry(), &agent.reply_families());
    return page.find("cause=\"quota\"") != std::string::npos;
  };
  EXPECT_FALSE(quota_replies());
  agent.reload(parse_config(source + "[[rule]]\nname = \"partner\"\ncause = \"quota\"\n[rule.match]\n"
                                     "text = \"partner says no\"\n",
                            path("mta_exporter.toml")));
  std::ofstream(path("a.log"), std::ios::app) << bounce;
  ASSERT_TRUE(counts(agent, "a", 2));
  EXPECT_TRUE(quota_replies()) << render_exposition(agent.registry(), &agent.reply_families());
}

// A removed source's series go; added again, it has series of its own and continues where it was.
TEST_F(AgentTest, ASourceRemovedAndAddedAgainCountsNothingTwice) {
  append("a.log", 1);
  append("b.log", 2);
  Agent agent(config_of({file_source("a", "a.log"), file_source("b", "b.log")}));
  agent.start();
  ASSERT_TRUE(counts(agent, "b", 2));
  agent.reload(config_of({file_source("a", "a.log")}));
  EXPECT_FALSE(has_series(agent, "b"));
  const ReloadSummary summary = agent.reload(config_of({file_source("a", "a.log"), file_source("b", "b.log")}));
  EXPECT_THAT(summary.started, ElementsAre("b"));
  append("b.log", 1);
  ASSERT_TRUE(counts(agent, "b", 1)) << "b read its file from the start again, or lost its new line";
  append("b.log", 1);
  EXPECT_TRUE(counts(agent, "b", 2));
}

// Issue 16 item 3: the checkpoint file holds no position of a removed source.
TEST_F(AgentTest, ARemovedSourceLeavesNoSeriesAndNoCheckpointEntries) {
  append("a.log", 1);
  append("b.log", 2);
  Config config = config_of({file_source("a", "a.log"), file_source("b", "b.log")});
  config.checkpoint.path = path("checkpoint");
  Agent agent(config);
  agent.start();
  ASSERT_TRUE(counts(agent, "a", 1));
  ASSERT_TRUE(counts(agent, "b", 2));
  Config fresh = config_of({file_source("a", "a.log")});
  fresh.checkpoint.path = config.checkpoint.path;
  agent.reload(fresh);
  agent.save_checkpoint();
  std::ifstream checkpoint(path("checkpoint"));
  const std::string entries((std::istreambuf_iterator<char>(checkpoint)), std::istreambuf_iterator<char>());
  EXPECT_THAT(entries, HasSubstr("\ta:" + path("a.log")));
  EXPECT_THAT(entries, ::testing::Not(HasSubstr("b.log")));
  const std::string page = render_exposition(agent.registry(), &agent.reply_families());
  EXPECT_THAT(page, ::testing::Not(HasSubstr("source=\"b\""))) << page;
  EXPECT_THAT(page, HasSubstr("mta_exporter_source_up{source=\"a\"} 1"));
}

// Issue 16 item 3: a changed source whose new version cannot be opened (a socket in a missing folder) keeps
// its running version, which goes on reading.
TEST_F(AgentTest, ReloadKeepsTheRunningVersionWhenTheNewOneFails) {
  const std::string socket = path("s.sock");
  Agent agent(config_of({syslog_source("s", "unix://" + socket)}));
  agent.start();
  const ReloadSummary summary = agent.reload(config_of({unopenable_source("s")}));
  EXPECT_THAT(summary.failed, ElementsAre("s"));
  EXPECT_THAT(summary.stopped, IsEmpty());
  EXPECT_THAT(agent.running_source_names(), ElementsAre("s"));
  EXPECT_TRUE(agent.ready());
  ASSERT_TRUE(send_datagram(socket, kSentLine));
  EXPECT_TRUE(counts(agent, "s", 1));
}

// A syslog source changed but for its socket, or another one taking the socket of a removed one: the new
// source binds it once the old one let it go.
TEST_F(AgentTest, ReloadReplacesASyslogSourceOnTheSameSocket) {
  const std::string socket = path("s.sock");
  Agent agent(config_of({syslog_source("s", "unix://" + socket)}));
  agent.start();
  SourceConfig changed = syslog_source("s", "unix://" + socket);
  changed.max_frame_size = 4096;
  ReloadSummary summary = agent.reload(config_of({changed}));
  EXPECT_THAT(summary.started, ElementsAre("s"));
  EXPECT_THAT(summary.failed, IsEmpty());
  EXPECT_TRUE(test::eventually([&] { return agent.ready(); }));
  ASSERT_TRUE(send_datagram(socket, kSentLine));
  EXPECT_TRUE(counts(agent, "s", 1));

  summary = agent.reload(config_of({syslog_source("t", "unix://" + socket)}));
  EXPECT_THAT(summary.stopped, ElementsAre("s"));
  EXPECT_THAT(summary.started, ElementsAre("t"));
  EXPECT_TRUE(test::eventually([&] { return agent.ready(); }));
  ASSERT_TRUE(send_datagram(socket, kSentLine));
  EXPECT_TRUE(counts(agent, "t", 1));
  EXPECT_FALSE(has_series(agent, "s"));
}

// The new version needs the old one's port, so the old one stops first; when the new one then cannot be
// opened (its certificate is missing), the old one is opened again on its port.
TEST_F(AgentTest, ReloadReopensTheOldVersionWhenTheNewOneFailsOnItsPort) {
  const std::string port = std::to_string(free_port());
  Agent agent(config_of({syslog_source("s", "tcp://127.0.0.1:" + port)}));
  agent.start();
  SourceConfig broken = syslog_source("s", "tls://127.0.0.1:" + port);
  broken.tls_cert_file = path("missing.crt");
  broken.tls_key_file = path("missing.key");
  const ReloadSummary summary = agent.reload(config_of({broken}));
  EXPECT_THAT(summary.failed, ElementsAre("s"));
  EXPECT_THAT(agent.running_source_names(), ElementsAre("s"));
  EXPECT_TRUE(test::eventually([&] { return agent.ready(); }));
  ASSERT_TRUE(send_over_tcp(std::stoi(port), kSentLine));
  EXPECT_TRUE(counts(agent, "s", 1));
}

// Issue 16 item 6: a source that fails while running (its replay file is missing) is opened again, with a
// growing wait, each time counted; it is down and not ready meanwhile, and reads once it can.
TEST_F(AgentTest, AFailedSourceIsOpenedAgainAndCounted) {
  Agent agent(config_of({replay_source("r", "replay.log")}), kQuickRestarts);
  agent.start();
  EXPECT_TRUE(
      test::eventually([&] { return sample_sum(agent, "mta_exporter_source_restarts_total", "r").value_or(0) >= 2; }));
  // Each try opens the source for an instant before it fails again: down is what it is the rest of the time.
  EXPECT_TRUE(test::eventually([&] {
    const std::vector<std::string> reasons = agent.not_ready_reasons();
    return sample_sum(agent, "mta_exporter_source_up", "r") == 0 && reasons.size() == 1 &&
           reasons.front().starts_with("source r: failed, opening it again: cannot read replay file");
  }));
  append("replay.log", 1);
  EXPECT_TRUE(test::eventually([&] { return lines_counted(agent, "r") >= 1; }));
  EXPECT_TRUE(test::eventually([&] { return agent.ready(); }));
  EXPECT_EQ(sample_sum(agent, "mta_exporter_source_up", "r"), 1);
}

TEST_F(AgentTest, StopDuringTheWaitBeforeARestartReturnsAtOnce) {
  Agent agent(config_of({replay_source("r", "replay.log")}), RestartBackoff{.first = std::chrono::hours(1)});
  agent.start();
  ASSERT_TRUE(test::eventually([&] { return !agent.not_ready_reasons().empty(); }));
  const auto began = std::chrono::steady_clock::now();
  agent.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(10));
}

// Issue 16 item 3: /-/ready says why it answers 503.
TEST_F(AgentTest, ReadyAnswersWithTheReasons) {
  Agent agent(config_of({file_source("a", "later.log")}));
  agent.start();
  WebConfig web;
  web.listen_addresses = {"127.0.0.1:0"};
  HttpServer server(web, std::nullopt, agent.registry(), [&agent] { return agent.not_ready_reasons(); });
  server.bind();
  server.start();
  const std::string not_ready = http_get(server.port(), "/-/ready");
  EXPECT_THAT(not_ready, HasSubstr("503"));
  EXPECT_THAT(not_ready, HasSubstr("\r\n\r\nNot ready\nsource a: "));
  append("later.log", 1);
  ASSERT_TRUE(test::eventually([&] { return agent.ready(); }));
  EXPECT_THAT(http_get(server.port(), "/-/ready"), HasSubstr("200 OK\r\n"));
  agent.stop();
  EXPECT_THAT(http_get(server.port(), "/-/ready"), HasSubstr("\r\n\r\nNot ready\nstopping\n"));
  server.stop();
}

// Issue 16 item 8: when the checkpoint file last held every position is a timestamp (an age set only at a
// save could not grow while saving fails), and the series exists only with [checkpoint].
TEST_F(AgentTest, CheckpointLastWriteIsATimestampOnlyWithACheckpoint) {
  const std::string series = "\nmta_exporter_checkpoint_last_write_timestamp_seconds ";  // a sample, not # HELP
  Agent without(config_of({}));
  without.save_checkpoint();
  EXPECT_EQ(render_exposition(without.registry()).find(series), std::string::npos);

  Config config = config_of({});
  config.checkpoint.path = path("checkpoint");
  Agent with(config);
  const auto seconds_now = [] {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  };
  const double before = seconds_now();
  with.save_checkpoint();
  const std::string page = render_exposition(with.registry());
  const std::size_t at = page.find(series);
  ASSERT_NE(at, std::string::npos) << page;
  const double written = std::stod(page.substr(at + series.size()));
  EXPECT_GE(written, before - 1);
  EXPECT_LE(written, seconds_now() + 1);
}

TEST_F(AgentTest, NotReadyOnceStopping) {
  append("a.log", 1);
  Agent agent(config_of({file_source("a", "a.log")}));
  agent.start();
  ASSERT_TRUE(test::eventually([&] { return agent.ready(); }));
  agent.stop();
  EXPECT_FALSE(agent.ready());
}

TEST_F(AgentTest, StopEndsEverySource) {
  append("a.log", 1);
  Agent agent(config_of({file_source("a", "a.log")}));
  agent.start();
  ASSERT_TRUE(counts(agent, "a", 1));
  agent.stop();
  EXPECT_THAT(agent.running_source_names(), IsEmpty());
  append("a.log", 1);
  // Watched for a while: a source thread left running would read the new line within milliseconds.
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_EQ(lines_counted(agent, "a"), 1);
  }
}

}  // namespace
}  // namespace mta
