#pragma once
// Evaluates the alert rules inside the agent. observe() takes the counters once a second and adds what they grew
// by to per-second sliding windows (fixed memory per rule input and label set); evaluate() judges every rule over
// its window, moves each alert through pending, firing and resolved like Prometheus' rule manager (`for`, a
// resolved alert kept and re-sent for 15 minutes), and returns the alerts due to Alertmanager like Prometheus'
// notifier (firing ones every resend interval with endsAt ahead, resolved ones with endsAt at resolution).
// Not thread-safe: one thread observes and evaluates; active() copies for the web threads are made by the caller.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "alerting/alert_rules.hpp"
#include "alerting/sliding_window.hpp"
#include "classify/knowledge.hpp"

namespace mta {

// Cumulative counts as the metrics hold them.
struct ReplyCount {
  Direction direction = Direction::unknown;
  int klass = 0;  // 2, 4 or 5
  Cause cause = Cause::none;
  ProviderId provider = kNoProvider;
  double total = 0;
};

struct SourceCounts {
  std::string name;
  double matched = 0;
  double unmatched = 0;
  double ignored = 0;
  double last_line_timestamp = 0;  // seconds since the epoch; 0: no line yet
};

struct AlertInputs {
  std::vector<ReplyCount> replies;  // append-only: the series at index i stays at index i
  double auth_failures = 0;
  std::vector<SourceCounts> sources;
};

enum class AlertState : std::uint8_t { pending, firing, resolved };
std::string_view to_string(AlertState state);

struct Alert {
  std::string rule;
  std::map<std::string, std::string> labels;  // alertname, severity, the rule's group label, external labels
  std::map<std::string, std::string> annotations;
  AlertState state = AlertState::pending;
  double value = 0;
  double active_at = 0;  // seconds since the epoch
  double fired_at = 0;
  double resolved_at = 0;
  double last_sent_at = 0;
  double ends_at = 0;  // of the last notification
};

class AlertEngine {
 public:
  // `start`: seconds since the epoch when the agent began counting.
  AlertEngine(std::vector<AlertRule> rules, const Knowledge& knowledge,
              std::map<std::string, std::string> external_labels, double start);

  void observe(std::int64_t second, const AlertInputs& inputs);
  // The alerts due to Alertmanager at `now`.
  std::vector<Alert> evaluate(double now, double evaluation_interval, double resend_interval);
  // Pending, firing and (for 15 minutes) resolved alerts, by rule name and labels.
  std::vector<Alert> alerts() const;
  const std::vector<AlertRule>& rules() const { return rules_; }

  static constexpr double kResolvedRetention = 15 * 60;

 private:
  struct Candidate {
    std::map<std::string, std::string> group;  // the rule's own label, if it groups
    double value;
  };
  struct SourceWindows {
    SlidingWindow matched, unmatched;
    double last_line_timestamp = 0;
    std::int64_t first_seen = 0;     // the second the source first showed up
    std::int64_t last_counted = -1;  // the last second in which it counted a line of any kind
  };

  std::vector<Candidate> judge(const AlertRule& rule, double now) const;
  double class_sum(Direction direction, int klass, std::int64_t length, std::int64_t offset = 0) const;
  void count_reply(const ReplyCount& reply, double delta);
  SlidingWindow& window_of(std::map<std::uint32_t, SlidingWindow>& windows, std::uint32_t key, std::int64_t horizon);

  std::vector<AlertRule> rules_;
  const Knowledge& knowledge_;
  std::map<std::string, std::string> external_labels_;
  double start_;
  std::int64_t second_ = 0;

  std::int64_t class_horizon_ = 1;
  std::int64_t cause_horizon_ = 1;
  std::vector<SlidingWindow> class_windows_;                        // [direction * 3 + class index]
  std::map<std::uint32_t, SlidingWindow> direction_cause_windows_;  // direction << 8 | cause
  std::map<std::uint32_t, SlidingWindow> provider_cause_windows_;   // outbound: provider << 8 | cause
  std::array<bool, 64> tracked_causes_{};
  std::array<bool, 64> provider_causes_{};
  SlidingWindow auth_failures_;
  std::map<std::string, SourceWindows> sources_;
  std::int64_t source_horizon_ = 1;

  std::vector<double> previous_replies_;
  double previous_auth_failures_ = 0;
  std::map<std::string, std::array<double, 3>> previous_lines_;

  std::map<std::string, Alert> alerts_;  // by rule name and labels
};

}  // namespace mta
