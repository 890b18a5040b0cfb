// Tests for the agent's lifecycle (src/agent/agent.hpp): sources started, kept, stopped and started anew
// by a reload, readiness, and a source that cannot be opened.

#include "agent/agent.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "metrics/exposition.hpp"
#include "support/eventually.hpp"
#include "support/temp_folder.hpp"

namespace mta {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr const char* kSentLine =
    "Nov 24 10:00:00 mx postfix/smtp[42]: 4A1B2C3D: to=<u@example.org>, relay=mx.example.org[192.0.2.1]:25, "
    "delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 99)\n";

class AgentTest : public test::TempFolderTest {
 protected:
  AgentTest() : TempFolderTest("mta_agent_test") {}

  void append(const std::string& name, int lines) {
    std::ofstream out(path(name), std::ios::app);
    for (int i = 0; i < lines; ++i) out << kSentLine;
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
    source.listen = "unix://" + path("missing-folder/syslog.sock");
    return source;
  }

  static Config config_of(std::vector<SourceConfig> sources) {
    Config config;
    config.sources = std::move(sources);
    return config;
  }

  // mta_exporter_lines_total of one source, all results together.
  static double lines_counted(const Agent& agent, const std::string& source) {
    const std::string page = render_exposition(agent.registry());
    const std::regex sample("^mta_exporter_lines_total\\{(.*)\\} (\\S+)$");
    double total = 0;
    std::size_t start = 0;
    while (start < page.size()) {
      std::size_t end = page.find('\n', start);
      if (end == std::string::npos) end = page.size();
      const std::string line = page.substr(start, end - start);
      std::smatch match;
      if (std::regex_match(line, match, sample) &&
          match[1].str().find("source=\"" + source + "\"") != std::string::npos) {
        total += std::stod(match[2].str());
      }
      start = end + 1;
    }
    return total;
  }

  static bool counts(const Agent& agent, const std::string& source, double expected) {
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
  EXPECT_EQ(lines_counted(agent, "b"), 1) << "a removed source went on reading";
}

TEST_F(AgentTest, ReloadStartsARenamedSourceAnewUnderItsNewName) {
  append("a.log", 2);
  Agent agent(config_of({file_source("a", "a.log")}));
  agent.start();
  ASSERT_TRUE(counts(agent, "a", 2));
  const ReloadSummary summary = agent.reload(config_of({file_source("renamed", "a.log")}));
  EXPECT_THAT(summary.stopped, ElementsAre("a"));
  EXPECT_THAT(summary.started, ElementsAre("renamed"));
  EXPECT_THAT(agent.running_source_names(), ElementsAre("renamed"));
  // A new name is a new source: it has no position of its own and starts where its table says.
  EXPECT_TRUE(counts(agent, "renamed", 2));
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
    const std::string page = render_exposition(agent.registry());
    return page.find("cause=\"quota\"") != std::string::npos;
  };
  EXPECT_FALSE(quota_replies());
  agent.reload(parse_config(source + "[[rule]]\nname = \"partner\"\ncause = \"quota\"\n[rule.match]\n"
                                     "text = \"partner says no\"\n",
                            path("mta_exporter.toml")));
  std::ofstream(path("a.log"), std::ios::app) << bounce;
  ASSERT_TRUE(counts(agent, "a", 2));
  EXPECT_TRUE(quota_replies()) << render_exposition(agent.registry());
}

TEST_F(AgentTest, ASourceRemovedAndAddedAgainCountsNothingTwice) {
  append("a.log", 1);
  append("b.log", 2);
  Agent agent(config_of({file_source("a", "a.log"), file_source("b", "b.log")}));
  agent.start();
  ASSERT_TRUE(counts(agent, "b", 2));
  agent.reload(config_of({file_source("a", "a.log")}));
  const ReloadSummary summary = agent.reload(config_of({file_source("a", "a.log"), file_source("b", "b.log")}));
  EXPECT_THAT(summary.started, ElementsAre("b"));
  append("b.log", 1);
  EXPECT_TRUE(counts(agent, "b", 3)) << "b read its file from the start again, or lost its new line";
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
