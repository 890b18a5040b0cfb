// Tests for the alert rules the agent evaluates itself (src/alerting/alert_engine.hpp), on a fake clock: each test
// grows cumulative counters second by second, has the engine observe them and evaluate every 5 seconds as the
// agent's loop does, and checks the alerts' states, labels and annotations, and what is due to Alertmanager when.
// The rules are the compiled-in ones (alerts/mta_exporter.alerts.yml and thresholds.yml); a test switches off the
// rules it does not judge and shortens `for` and the window of those it does, through [alerting.rules] overrides.

#include "alerting/alert_engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mta {
namespace {

using Labels = std::map<std::string, std::string>;

constexpr double kStart = 1'000'000;  // when the agent began counting, seconds since the epoch
constexpr std::int64_t kEvaluationInterval = 5;
constexpr double kResendInterval = 60;
const Labels kExternalLabels = {{"instance", "mx1:10154"}, {"job", "mta_exporter"}};

// Only the named rules, with their overrides: a test judges its rules alone, so that another rule over the same
// counts (a high 5xx share is also a 5xx spike) does not get in the way.
AlertingConfig only(const std::map<std::string, AlertRuleOverride>& rules) {
  AlertingConfig config;
  for (const BuiltinRule& rule : kBuiltinRules) config.rules[std::string(rule.name)].enabled = false;
  for (const auto& [name, changes] : rules) config.rules[name] = changes;
  return config;
}

class AlertEngineTest : public ::testing::Test {
 protected:
  void start(const AlertingConfig& config) {
    engine_ = std::make_unique<AlertEngine>(builtin_alert_rules(config), Knowledge::builtin(), kExternalLabels, kStart);
    inputs_ = {};
    elapsed_ = 0;
    due_.clear();
    sent_.clear();
  }

  // A new reply series, 0 so far; returns its index in the inputs. `provider`: a name of providers.tsv, "other", or
  // "" (no provider: inbound and local replies).
  std::size_t series(Direction direction, int klass, Cause cause = Cause::none, std::string_view provider = "") {
    inputs_.replies.push_back({direction, klass, cause, Knowledge::builtin().find_provider(provider), 0});
    return inputs_.replies.size() - 1;
  }
  void add(std::size_t series, double count) { inputs_.replies[series].total += count; }

  SourceCounts& source(const std::string& name) {
    for (SourceCounts& counts : inputs_.sources) {
      if (counts.name == name) return counts;
    }
    inputs_.sources.push_back({.name = name});
    return inputs_.sources.back();
  }

  // Counts up to `elapsed` seconds after the start: each second `each_second` grows the counters, then the engine
  // observes them; every 5th second it evaluates, and what is due is kept (due_: the last evaluation's).
  void run_until(
      std::int64_t elapsed, const std::function<void()>& each_second = [] {}) {
    while (elapsed_ < elapsed) {
      ++elapsed_;
      each_second();
      engine_->observe(static_cast<std::int64_t>(now()), inputs_);
      if (elapsed_ % kEvaluationInterval == 0) {
        due_ = engine_->evaluate(now(), static_cast<double>(kEvaluationInterval), kResendInterval);
        for (const Alert& alert : due_) sent_.push_back({elapsed_, alert});
      }
    }
  }

  double now() const { return at(elapsed_); }
  static double at(std::int64_t elapsed) { return kStart + static_cast<double>(elapsed); }

  static bool has_labels(const Alert& alert, const Labels& labels) {
    return std::all_of(labels.begin(), labels.end(), [&](const auto& label) {
      const auto found = alert.labels.find(label.first);
      return found != alert.labels.end() && found->second == label.second;
    });
  }

  // The alerts of rule `name` (pending, firing or resolved) whose labels include `labels`.
  std::vector<Alert> alerts(std::string_view name, const Labels& labels = {}) const {
    std::vector<Alert> found;
    for (const Alert& alert : engine_->alerts()) {
      if (alert.rule == name && has_labels(alert, labels)) found.push_back(alert);
    }
    return found;
  }
  std::optional<Alert> alert(std::string_view name, const Labels& labels = {}) const {
    const std::vector<Alert> found = alerts(name, labels);
    EXPECT_LE(found.size(), 1u) << name;
    if (found.empty()) return std::nullopt;
    return found[0];
  }
  bool active(std::string_view name) const {
    const std::vector<Alert> found = alerts(name);
    return std::any_of(found.begin(), found.end(), [](const Alert& a) { return a.state != AlertState::resolved; });
  }

  struct Sent {
    std::int64_t elapsed;
    Alert alert;
  };
  // When the alerts of rule `name` were due, in seconds since the start.
  std::vector<std::int64_t> sent_times(std::string_view name) const {
    std::vector<std::int64_t> times;
    for (const Sent& sent : sent_) {
      if (sent.alert.rule == name) times.push_back(sent.elapsed);
    }
    return times;
  }

  std::unique_ptr<AlertEngine> engine_;
  AlertInputs inputs_;
  std::int64_t elapsed_ = 0;
  std::vector<Alert> due_;
  std::vector<Sent> sent_;
};

// --- shares and rates of a class ------------------------------------------------------------------------------

TEST_F(AlertEngineTest, OutboundShareGoesPendingThenFiresAfterFor) {
  start(only({{"MtaOutbound5xxShareHigh", {.for_seconds = 30, .window_seconds = 60}}}));
  const std::size_t delivered = series(Direction::outbound, 2, Cause::none, "google");
  const std::size_t refused = series(Direction::outbound, 5, Cause::blocklist, "google");
  const auto traffic = [&] {  // 5 replies a second, one in five refused: a 20 % share, above 10 %
    add(delivered, 4);
    add(refused, 1);
  };

  run_until(5, traffic);
  std::optional<Alert> pending = alert("MtaOutbound5xxShareHigh");
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->state, AlertState::pending);
  EXPECT_EQ(pending->active_at, at(5));
  EXPECT_DOUBLE_EQ(pending->value, 0.2);
  EXPECT_TRUE(due_.empty()) << "a pending alert is not sent";

  run_until(30, traffic);  // pending for 25 seconds, `for` is 30
  ASSERT_TRUE(alert("MtaOutbound5xxShareHigh"));
  EXPECT_EQ(alert("MtaOutbound5xxShareHigh")->state, AlertState::pending);
  EXPECT_TRUE(sent_.empty());

  run_until(35, traffic);
  ASSERT_EQ(due_.size(), 1u);
  const Alert& firing = due_[0];
  EXPECT_EQ(firing.rule, "MtaOutbound5xxShareHigh");
  EXPECT_EQ(firing.state, AlertState::firing);
  EXPECT_EQ(firing.active_at, at(5));
  EXPECT_EQ(firing.fired_at, at(35));
  // The series the PromQL expression compares keep their direction and class labels, and so does its alert.
  EXPECT_EQ(firing.labels, (Labels{{"alertname", "MtaOutbound5xxShareHigh"},
                                   {"class", "5xx"},
                                   {"direction", "outbound"},
                                   {"instance", "mx1:10154"},
                                   {"job", "mta_exporter"},
                                   {"severity", "warning"}}));
  EXPECT_EQ(firing.annotations.at("summary"), "Remote servers refuse much of the mail mx1:10154 sends");
  // The threshold comes from thresholds.yml (0.10); the "Most of them" sentence asks Prometheus and is left out.
  EXPECT_EQ(firing.annotations.at("description"),
            "20% of the replies that remote servers gave mx1:10154 in the last 5 minutes were permanent failures "
            "(5xx), above the threshold of 10%.");
  EXPECT_EQ(firing.annotations.at("runbook_url"), "alerts/RUNBOOK.md#mtaoutbound5xxsharehigh");
  EXPECT_EQ(firing.ends_at, at(35) + 4 * kResendInterval);
}

TEST_F(AlertEngineTest, ShareIsNotJudgedBelowTheMinimumRate) {
  start(only({{"MtaOutbound5xxShareHigh", {.for_seconds = 0, .window_seconds = 60}}}));
  const std::size_t refused = series(Direction::outbound, 5, Cause::spam, "other");
  // Every reply is a refusal, but 3 in 60 seconds is 0.05 a second: not above min_replies_per_second (0.05).
  run_until(3, [&] { add(refused, 1); });
  for (std::int64_t elapsed = 5; elapsed <= 60; elapsed += 5) {
    run_until(elapsed);
    EXPECT_FALSE(alert("MtaOutbound5xxShareHigh")) << elapsed;
  }
  // A fourth inside one window is.
  run_until(64, [&] { add(refused, 1); });  // seconds 61..64; at 65 the window (6..65) holds only these
  run_until(65);
  ASSERT_TRUE(alert("MtaOutbound5xxShareHigh"));
  EXPECT_EQ(alert("MtaOutbound5xxShareHigh")->state, AlertState::firing);
  EXPECT_DOUBLE_EQ(alert("MtaOutbound5xxShareHigh")->value, 1.0);
}

TEST_F(AlertEngineTest, FiringAlertResolvesOnceTheWindowHoldsTooFewRefusals) {
  start(only({{"MtaOutbound5xxShareHigh", {.for_seconds = 30, .window_seconds = 60}}}));
  const std::size_t delivered = series(Direction::outbound, 2, Cause::none, "google");
  const std::size_t refused = series(Direction::outbound, 5, Cause::blocklist, "google");
  run_until(35, [&] {
    add(delivered, 4);
    add(refused, 1);
  });
  ASSERT_EQ(alert("MtaOutbound5xxShareHigh")->state, AlertState::firing);

  // From second 36 only deliveries. At second t >= 60 the window (t-59..t) holds 95-t refusals among 240
  // deliveries: at 65 30/270 = 11 % (still above 10 %), at 70 25/265 = 9.4 %.
  const auto deliveries = [&] { add(delivered, 4); };
  run_until(65, deliveries);
  EXPECT_EQ(alert("MtaOutbound5xxShareHigh")->state, AlertState::firing);
  EXPECT_TRUE(due_.empty()) << "sent at 35, the resend interval is 60";

  run_until(70, deliveries);
  ASSERT_EQ(due_.size(), 1u) << "an alert resolved since it was last sent is due at once";
  EXPECT_EQ(due_[0].state, AlertState::resolved);
  EXPECT_EQ(due_[0].resolved_at, at(70));
  EXPECT_EQ(due_[0].ends_at, at(70));
  EXPECT_EQ(due_[0].active_at, at(5));

  run_until(75, deliveries);
  EXPECT_TRUE(due_.empty()) << "resolved and already sent";

  // Kept, and re-sent as resolved every resend interval, for 15 minutes after the resolution; then dropped.
  run_until(70 + static_cast<std::int64_t>(AlertEngine::kResolvedRetention), deliveries);
  ASSERT_TRUE(alert("MtaOutbound5xxShareHigh"));
  EXPECT_EQ(alert("MtaOutbound5xxShareHigh")->state, AlertState::resolved);
  run_until(75 + static_cast<std::int64_t>(AlertEngine::kResolvedRetention), deliveries);
  EXPECT_FALSE(alert("MtaOutbound5xxShareHigh"));

  const std::vector<std::int64_t> times = sent_times("MtaOutbound5xxShareHigh");
  ASSERT_GE(times.size(), 3u);
  EXPECT_EQ(times[0], 35);
  EXPECT_EQ(times[1], 70);
  for (std::size_t i = 2; i < times.size(); ++i) {
    EXPECT_GE(times[i] - times[i - 1], kResendInterval) << times[i];
    EXPECT_LE(times[i] - times[i - 1], kResendInterval + kEvaluationInterval) << times[i];
  }
  for (const Sent& sent : sent_) {
    if (sent.elapsed >= 70) {
      EXPECT_EQ(sent.alert.ends_at, at(70)) << sent.elapsed;
    }
  }
}

TEST_F(AlertEngineTest, PendingAlertThatClearsIsDroppedWithoutBeingSent) {
  start(only({{"MtaOutboundBlocklisted", {.for_seconds = 60, .window_seconds = 10}}}));
  const std::size_t refused = series(Direction::outbound, 5, Cause::blocklist, "google");
  run_until(1, [&] { add(refused, 1); });
  run_until(5);
  ASSERT_TRUE(alert("MtaOutboundBlocklisted"));
  EXPECT_EQ(alert("MtaOutboundBlocklisted")->state, AlertState::pending);
  run_until(15);  // the refusal of second 1 left the 10-second window
  EXPECT_FALSE(alert("MtaOutboundBlocklisted"));
  EXPECT_TRUE(sent_.empty());
}

TEST_F(AlertEngineTest, InboundShareCountsLocalDeliveriesAmongTheReplies) {
  // 8 refusals against 4 local deliveries a second: 67 %, below 80 %; without the local ones it would be 100 %.
  start(only({{"MtaInbound5xxShareHigh", {.for_seconds = 0, .window_seconds = 60}}}));
  std::size_t refused = series(Direction::inbound, 5, Cause::spam);
  std::size_t local = series(Direction::local, 2);
  run_until(60, [&] {
    add(refused, 8);
    add(local, 4);
  });
  EXPECT_FALSE(alert("MtaInbound5xxShareHigh"));

  // 9 against 1: 90 %.
  start(only({{"MtaInbound5xxShareHigh", {.for_seconds = 0, .window_seconds = 60}}}));
  refused = series(Direction::inbound, 5, Cause::spam);
  local = series(Direction::local, 2);
  run_until(10, [&] {
    add(refused, 9);
    add(local, 1);
  });
  ASSERT_TRUE(alert("MtaInbound5xxShareHigh"));
  EXPECT_DOUBLE_EQ(alert("MtaInbound5xxShareHigh")->value, 0.9);
  EXPECT_EQ(alert("MtaInbound5xxShareHigh")->annotations.at("summary"),
            "mx1:10154 refuses an unusual share of the mail offered to it");
}

// --- Alertmanager notifications -------------------------------------------------------------------------------

TEST_F(AlertEngineTest, FiringAlertIsResentEveryResendIntervalWithEndsAtAhead) {
  start(only({{"MtaOutboundBlocklisted", {}}}));  // no `for`: fires at its first evaluation
  const std::size_t refused = series(Direction::outbound, 5, Cause::blocklist, "google");
  run_until(1, [&] { add(refused, 1); });
  run_until(300);  // the window is 15 minutes: firing all along

  const std::vector<std::int64_t> times = sent_times("MtaOutboundBlocklisted");
  ASSERT_GE(times.size(), 4u);
  EXPECT_EQ(times[0], 5);
  for (std::size_t i = 1; i < times.size(); ++i) {
    EXPECT_GE(times[i] - times[i - 1], kResendInterval) << times[i];
    EXPECT_LE(times[i] - times[i - 1], kResendInterval + kEvaluationInterval) << times[i];
  }
  for (const Sent& sent : sent_) {
    EXPECT_EQ(sent.alert.state, AlertState::firing);
    EXPECT_EQ(sent.alert.last_sent_at, at(sent.elapsed));
    // Valid for four intervals: Alertmanager resolves it by itself if the agent stops sending.
    EXPECT_EQ(sent.alert.ends_at, at(sent.elapsed) + 4 * kResendInterval) << sent.elapsed;
  }

  // With the evaluation interval the longer one, that one counts.
  const double last = at(times.back());
  const std::vector<Alert> due = engine_->evaluate(last + 20, 120, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].ends_at, last + 20 + 4 * 120);
  EXPECT_TRUE(engine_->evaluate(last + 25, 120, 10).empty()) << "sent 5 seconds ago, the resend interval is 10";
}

// --- rate spike ---------------------------------------------------------------------------------------------------

TEST_F(AlertEngineTest, RateSpikeIsJudgedOnlyAfterThreeWindowsOfUptime) {
  // A 20-second window: the baseline is the 240 seconds that ended 60 seconds ago.
  start(only({{"MtaOutbound5xxRateSpike", {.for_seconds = 0, .window_seconds = 20}}}));
  const std::size_t refused = series(Direction::outbound, 5, Cause::spam, "other");
  const auto one_a_second = [&] { add(refused, 1); };
  run_until(55, one_a_second);
  EXPECT_FALSE(alert("MtaOutbound5xxRateSpike")) << "uptime 55 s, under three windows";
  run_until(60, one_a_second);
  ASSERT_TRUE(alert("MtaOutbound5xxRateSpike"));
  EXPECT_EQ(alert("MtaOutbound5xxRateSpike")->state, AlertState::firing);
  EXPECT_DOUBLE_EQ(alert("MtaOutbound5xxRateSpike")->value, 1.0);  // replies a second over the window
  EXPECT_TRUE(has_labels(*alert("MtaOutbound5xxRateSpike"), {{"direction", "outbound"}, {"class", "5xx"}}));
  EXPECT_EQ(alert("MtaOutbound5xxRateSpike")->annotations.at("description"),
            "Remote servers gave mx1:10154 1.00 permanent failures (5xx) a second over the last 5 minutes, more than "
            "3 times the hourly rate that ended 15 minutes ago.");

  // The baseline catches up with a steady rate: at second t (< 300) it is (t-60)/240 a second, and the rule needs
  // the rate above 3 times that.
  run_until(130, one_a_second);  // baseline 70/240: 3 x 0.29 < 1
  EXPECT_EQ(alert("MtaOutbound5xxRateSpike")->state, AlertState::firing);
  run_until(150, one_a_second);  // baseline 90/240: 3 x 0.375 > 1
  EXPECT_EQ(alert("MtaOutbound5xxRateSpike")->state, AlertState::resolved);
}

TEST_F(AlertEngineTest, RateSpikeComparesWithTheBaselineFactor) {
  start(only({{"MtaOutbound5xxRateSpike", {.for_seconds = 0, .window_seconds = 20}}}));
  const std::size_t refused = series(Direction::outbound, 5, Cause::spam, "other");
  run_until(400, [&] { add(refused, 1); });  // a steady baseline of 1 a second
  EXPECT_FALSE(active("MtaOutbound5xxRateSpike"));

  // Twice the baseline is no spike (factor 3) ...
  for (std::int64_t elapsed = 405; elapsed <= 480; elapsed += 5) {
    run_until(elapsed, [&] { add(refused, 2); });
    EXPECT_FALSE(active("MtaOutbound5xxRateSpike")) << elapsed;
  }
  // ... four times is: at 500 the window holds 4 a second, the baseline (seconds 201..440) 280/240.
  run_until(500, [&] { add(refused, 4); });
  ASSERT_TRUE(active("MtaOutbound5xxRateSpike"));
  const std::optional<Alert> spike = alert("MtaOutbound5xxRateSpike");
  EXPECT_EQ(spike->state, AlertState::firing);
  EXPECT_DOUBLE_EQ(spike->value, 4.0);
  EXPECT_GT(spike->active_at, at(480)) << "a new alert, not the one resolved after the start";
}

TEST_F(AlertEngineTest, RateSpikeNeedsTheMinimumRate) {
  start(only({{"MtaOutbound5xxRateSpike", {.for_seconds = 0, .window_seconds = 20}}}));
  const std::size_t refused = series(Direction::outbound, 5, Cause::spam, "other");
  // No baseline, but one refusal every 30 seconds is at most 1/20 = 0.05 a second in a window: not above the
  // minimum of 0.05.
  for (std::int64_t elapsed = 30; elapsed <= 300; elapsed += 30) {
    run_until(elapsed - 1);
    run_until(elapsed, [&] { add(refused, 1); });
  }
  EXPECT_FALSE(alert("MtaOutbound5xxRateSpike"));
}

// --- cause counts ----------------------------------------------------------------------------------------------

TEST_F(AlertEngineTest, BlocklistRefusalsAlertOncePerProvider) {
  start(only({{"MtaOutboundBlocklisted", {}}}));
  const std::size_t google = series(Direction::outbound, 5, Cause::blocklist, "google");
  const std::size_t microsoft = series(Direction::outbound, 5, Cause::blocklist, "microsoft");
  const std::size_t microsoft_deferred = series(Direction::outbound, 4, Cause::blocklist, "microsoft");
  const std::size_t other = series(Direction::outbound, 5, Cause::blocklist, "other");
  const std::size_t inbound = series(Direction::inbound, 5, Cause::blocklist);    // our own refusals
  const std::size_t spam = series(Direction::outbound, 5, Cause::spam, "yahoo");  // another cause
  run_until(1, [&] {
    add(google, 1);
    add(microsoft, 1);
    add(microsoft_deferred, 1);
    add(other, 1);
    add(inbound, 7);
    add(spam, 3);
  });
  run_until(5);

  ASSERT_EQ(alerts("MtaOutboundBlocklisted").size(), 3u);
  const std::optional<Alert> by_microsoft = alert("MtaOutboundBlocklisted", {{"provider", "microsoft"}});
  ASSERT_TRUE(by_microsoft);
  EXPECT_EQ(by_microsoft->state, AlertState::firing);
  EXPECT_EQ(by_microsoft->value, 2);
  EXPECT_EQ(by_microsoft->labels, (Labels{{"alertname", "MtaOutboundBlocklisted"},
                                          {"instance", "mx1:10154"},
                                          {"job", "mta_exporter"},
                                          {"provider", "microsoft"},
                                          {"severity", "critical"}}));
  EXPECT_EQ(by_microsoft->annotations.at("summary"), "mx1:10154 is blocklisted (provider microsoft)");
  EXPECT_EQ(by_microsoft->annotations.at("description"),
            "Servers of provider microsoft refused mail from mx1:10154 because our sending IP address or domain is "
            "on a blocklist (refusals in the last 15 minutes: 2). The bounce text in the mail log names the list "
            "and its delisting page.");
  ASSERT_TRUE(alert("MtaOutboundBlocklisted", {{"provider", "google"}}));
  EXPECT_EQ(alert("MtaOutboundBlocklisted", {{"provider", "google"}})->value, 1);
  ASSERT_TRUE(alert("MtaOutboundBlocklisted", {{"provider", "other"}}));
  EXPECT_EQ(alert("MtaOutboundBlocklisted", {{"provider", "other"}})->value, 1);
  EXPECT_EQ(due_.size(), 3u);
}

TEST_F(AlertEngineTest, ReputationThrottlingCountsOnlyKnownProviders) {
  start(only({{"MtaOutboundReputationThrottled", {}}}));  // threshold 5 in 15 minutes
  const std::size_t google_reputation = series(Direction::outbound, 4, Cause::reputation, "google");
  const std::size_t google_rate_limit = series(Direction::outbound, 4, Cause::rate_limit, "google");
  const std::size_t microsoft = series(Direction::outbound, 4, Cause::reputation, "microsoft");
  const std::size_t other = series(Direction::outbound, 4, Cause::reputation, "other");
  run_until(1, [&] {
    add(google_reputation, 3);
    add(google_rate_limit, 3);
    add(microsoft, 4);
    add(other, 50);
  });
  run_until(5);
  const std::vector<Alert> found = alerts("MtaOutboundReputationThrottled");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].labels.at("provider"), "google");
  EXPECT_EQ(found[0].value, 6);  // both causes together
  EXPECT_EQ(found[0].annotations.at("summary"), "google throttles mail from mx1:10154");
}

TEST_F(AlertEngineTest, AuthenticationRefusalsAlertPerCause) {
  start(only({{"MtaOutboundAuthenticationFailing", {}}}));  // threshold 5 in 15 minutes
  const std::size_t dmarc_google = series(Direction::outbound, 5, Cause::dmarc, "google");
  const std::size_t dmarc_yahoo = series(Direction::outbound, 5, Cause::dmarc, "yahoo");
  const std::size_t spf = series(Direction::outbound, 5, Cause::spf, "google");
  const std::size_t inbound_dkim = series(Direction::inbound, 5, Cause::dkim);
  run_until(1, [&] {
    add(dmarc_google, 3);
    add(dmarc_yahoo, 2);   // the providers add up: 5 for dmarc
    add(spf, 4);           // below 5
    add(inbound_dkim, 9);  // our own refusals
  });
  run_until(5);
  const std::vector<Alert> found = alerts("MtaOutboundAuthenticationFailing");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].labels.at("cause"), "dmarc");
  EXPECT_FALSE(found[0].labels.contains("provider"));
  EXPECT_EQ(found[0].value, 5);
  EXPECT_EQ(found[0].annotations.at("summary"), "Receivers refuse mail from mx1:10154 for failed DMARC");
}

TEST_F(AlertEngineTest, TlsFailuresAlertPerDirection) {
  start(only({{"MtaTlsFailures", {}}}));  // threshold 10 in 15 minutes
  const std::size_t inbound = series(Direction::inbound, 4, Cause::tls);
  const std::size_t outbound_google = series(Direction::outbound, 4, Cause::tls, "google");
  const std::size_t outbound_other = series(Direction::outbound, 5, Cause::tls, "other");
  run_until(1, [&] {
    add(inbound, 10);
    add(outbound_google, 5);
    add(outbound_other, 4);  // 9 outbound
  });
  run_until(5);
  const std::vector<Alert> found = alerts("MtaTlsFailures");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].labels.at("direction"), "inbound");
  EXPECT_EQ(found[0].annotations.at("summary"), "TLS failures on mx1:10154 (inbound)");
  EXPECT_EQ(found[0].annotations.at("description"),
            "Inbound SMTP replies on mx1:10154 in the last 15 minutes that were TLS failures (handshake, "
            "certificate, or TLS required but not offered): 10, threshold 10.");

  run_until(6, [&] { add(outbound_other, 1); });
  run_until(10);
  ASSERT_TRUE(alert("MtaTlsFailures", {{"direction", "outbound"}}));
  EXPECT_EQ(alert("MtaTlsFailures", {{"direction", "outbound"}})->value, 10);
}

TEST_F(AlertEngineTest, UngroupedCauseCountAddsUpEveryDirection) {
  start(only({{"MtaDnsblLookupErrors", {}}}));  // threshold 1
  const std::size_t inbound = series(Direction::inbound, 5, Cause::dnsbl_error);
  run_until(1, [&] { add(inbound, 1); });
  run_until(5);
  const std::optional<Alert> found = alert("MtaDnsblLookupErrors");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->labels, (Labels{{"alertname", "MtaDnsblLookupErrors"},
                                   {"instance", "mx1:10154"},
                                   {"job", "mta_exporter"},
                                   {"severity", "critical"}}));
}

TEST_F(AlertEngineTest, CounterThatWentDownCountsItsNewValue) {
  start(only({{"MtaOutboundBlocklisted", {}}}));
  const std::size_t refused = series(Direction::outbound, 5, Cause::blocklist, "google");
  run_until(1, [&] { inputs_.replies[refused].total = 5; });
  run_until(2, [&] { inputs_.replies[refused].total = 2; });  // the series was created anew: 2 new refusals
  run_until(3, [&] { inputs_.replies[refused].total = 3; });
  run_until(5);
  ASSERT_TRUE(alert("MtaOutboundBlocklisted"));
  EXPECT_EQ(alert("MtaOutboundBlocklisted")->value, 5 + 2 + 1);
}

// --- failed SMTP AUTH, sources ------------------------------------------------------------------------------------

TEST_F(AlertEngineTest, AuthFailureRateAboveTheThreshold) {
  start(only({{"MtaAuthBruteForce", {.for_seconds = 0, .window_seconds = 10}}}));  // more than 0.5 a second
  // One failure every 2 seconds is 0.5 a second: not above.
  run_until(60, [&] {
    if (elapsed_ % 2 == 0) inputs_.auth_failures += 1;
  });
  EXPECT_FALSE(alert("MtaAuthBruteForce"));
  // At 65 the window (56..65) holds the failures of 56, 58, 60 and one a second from 61: 8 in 10 seconds.
  run_until(65, [&] { inputs_.auth_failures += 1; });
  const std::optional<Alert> found = alert("MtaAuthBruteForce");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->state, AlertState::firing);
  EXPECT_DOUBLE_EQ(found->value, 0.8);
  EXPECT_EQ(found->annotations.at("description"),
            "mx1:10154 saw 0.80 failed SMTP AUTH attempts a second over the last 5 minutes (threshold 0.5/s): "
            "someone is guessing passwords.");
}

TEST_F(AlertEngineTest, SilentSourceAlertsAndResolvesWhenRemoved) {
  // The threshold override (1 minute instead of 30) also shows in the description.
  start(only({{"MtaExporterNoLogLines", {.for_seconds = 0, .threshold = 60}}}));
  source("old") = {.name = "old", .matched = 500, .last_line_timestamp = kStart - 100};
  const auto live = [&] {
    SourceCounts& main = source("main");
    main.matched += 1;
    main.last_line_timestamp = now();
  };
  run_until(5, live);
  EXPECT_FALSE(alert("MtaExporterNoLogLines", {{"source", "main"}}));
  const std::optional<Alert> silent = alert("MtaExporterNoLogLines", {{"source", "old"}});
  ASSERT_TRUE(silent);
  EXPECT_EQ(silent->state, AlertState::firing);
  EXPECT_EQ(silent->value, 105);  // seconds since its last line
  EXPECT_EQ(silent->labels, (Labels{{"alertname", "MtaExporterNoLogLines"},
                                    {"instance", "mx1:10154"},
                                    {"job", "mta_exporter"},
                                    {"severity", "warning"},
                                    {"source", "old"}}));
  EXPECT_EQ(silent->annotations.at("summary"), "mta_exporter on mx1:10154 reads no log lines from old");
  EXPECT_EQ(silent->annotations.at("description"),
            "The agent on mx1:10154 answers scrapes but source old has delivered no line for more than 1m 0s (or "
            "none in the 30 minutes since the agent started): its counters stand still whatever the mail server "
            "does. The log may have moved, the syslog daemon may write elsewhere, or the mail server stopped.");

  // A reload removed the source: its alert resolves.
  std::erase_if(inputs_.sources, [](const SourceCounts& counts) { return counts.name == "old"; });
  run_until(10, live);
  ASSERT_TRUE(alert("MtaExporterNoLogLines", {{"source", "old"}}));
  EXPECT_EQ(alert("MtaExporterNoLogLines", {{"source", "old"}})->state, AlertState::resolved);
  EXPECT_EQ(alert("MtaExporterNoLogLines", {{"source", "old"}})->resolved_at, at(10));
  ASSERT_EQ(due_.size(), 1u);
  EXPECT_EQ(due_[0].state, AlertState::resolved);
}

TEST_F(AlertEngineTest, SourceWithoutAnyLineAlertsAfterAWindow) {
  start(only({{"MtaExporterNoLogLines", {.for_seconds = 0, .window_seconds = 30}}}));
  source("quiet");  // no line yet: last_line_timestamp 0
  run_until(25);
  EXPECT_FALSE(alert("MtaExporterNoLogLines"));
  run_until(35);  // first seen at second 1: a whole window without a line
  const std::optional<Alert> found = alert("MtaExporterNoLogLines", {{"source", "quiet"}});
  ASSERT_TRUE(found);
  EXPECT_EQ(found->value, 0);
}

TEST_F(AlertEngineTest, UnmatchedLineShareAndCount) {
  start(only({{"MtaExporterUnmatchedLinesHigh", {.for_seconds = 0}}}));  // above 2 % and at least 10 in 15 min
  const auto lines = [&] {
    SourceCounts& bad = source("bad");  // 1 in 11 outcome lines unreadable; the ignored ones do not count
    bad.matched += 10;
    bad.unmatched += 1;
    bad.ignored += 100;
    SourceCounts& good = source("good");  // 1 in 100
    good.matched += 99;
    good.unmatched += 1;
  };
  run_until(5, lines);
  EXPECT_FALSE(alert("MtaExporterUnmatchedLinesHigh")) << "5 unmatched lines, fewer than 10";
  run_until(10, lines);
  const std::vector<Alert> found = alerts("MtaExporterUnmatchedLinesHigh");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].labels.at("source"), "bad");
  EXPECT_DOUBLE_EQ(found[0].value, 1.0 / 11);
  EXPECT_EQ(found[0].annotations.at("description"),
            "9.091% of the lines of source bad on mx1:10154 that looked like an SMTP outcome could not be read over "
            "the last 15 minutes (threshold 2%). Those outcomes are not counted: the mail server's log format "
            "probably changed.");
}

// --- overrides ------------------------------------------------------------------------------------------------

TEST_F(AlertEngineTest, DisabledRuleIsNotEvaluated) {
  AlertingConfig config;
  config.rules["MtaOutboundBlocklisted"].enabled = false;
  start(config);
  EXPECT_EQ(engine_->rules().size(), std::size(kBuiltinRules) - 1);
  for (const AlertRule& rule : engine_->rules()) EXPECT_NE(rule.name, "MtaOutboundBlocklisted");
  const std::size_t refused = series(Direction::outbound, 5, Cause::blocklist, "google");
  run_until(1, [&] { add(refused, 5); });
  run_until(5);
  EXPECT_FALSE(alert("MtaOutboundBlocklisted"));
}

TEST_F(AlertEngineTest, ThresholdAndSeverityOverrides) {
  const std::map<std::string, AlertRuleOverride> lowered = {
      {"MtaOutboundAuthenticationFailing", {.threshold = 2, .severity = "page"}}};
  start(only(lowered));
  const std::size_t dmarc = series(Direction::outbound, 5, Cause::dmarc, "google");
  run_until(1, [&] { add(dmarc, 2); });  // below the file's 5, at the override's 2
  run_until(5);
  const std::optional<Alert> found = alert("MtaOutboundAuthenticationFailing");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->labels.at("severity"), "page");
  EXPECT_EQ(found->annotations.at("description"),
            "Remote servers refused mail from mx1:10154 because it failed sender authentication (cause dmarc; "
            "sender_auth when several checks failed or none is named): refusals in the last 15 minutes 2, "
            "threshold 2.");

  start(only({{"MtaOutboundAuthenticationFailing", {}}}));
  const std::size_t dmarc_again = series(Direction::outbound, 5, Cause::dmarc, "google");
  run_until(1, [&] { add(dmarc_again, 2); });
  run_until(5);
  EXPECT_FALSE(alert("MtaOutboundAuthenticationFailing")) << "the file's threshold is 5";
}

}  // namespace
}  // namespace mta
