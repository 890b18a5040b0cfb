#include "alerting/alert_engine.hpp"

#include <algorithm>
#include <cmath>

#include "alerting/prom_template.hpp"

namespace mta {
namespace {

constexpr int kDirections = 4;

int class_index(int klass) { return klass == 2 ? 0 : klass == 4 ? 1 : klass == 5 ? 2 : -1; }

std::int64_t seconds_of(double window) { return std::max<std::int64_t>(1, std::llround(window)); }

// The seconds of history a rule reads.
std::int64_t horizon_of(const AlertRule& rule) {
  const std::int64_t window = seconds_of(rule.window_seconds);
  return rule.builtin->kind == RuleKind::class_rate_spike ? 15 * window : window;
}

bool counts_cause(const BuiltinRule& rule, Cause cause) {
  const auto end = rule.causes.begin() + static_cast<std::ptrdiff_t>(rule.cause_count);
  return std::find(rule.causes.begin(), end, cause) != end;
}

// The series Prometheus' class alerts compare keep their direction and class labels, and so do their alerts.
std::map<std::string, std::string> class_labels(const BuiltinRule& rule) {
  return {{"direction", std::string(to_string(rule.direction))}, {"class", std::to_string(rule.klass) + "xx"}};
}

std::string key_of(const std::map<std::string, std::string>& labels) {
  std::string key;
  for (const auto& [name, value] : labels) key += name + '\x1f' + value + '\x1e';
  return key;
}

}  // namespace

std::string_view to_string(AlertState state) {
  switch (state) {
    case AlertState::pending: return "pending";
    case AlertState::firing: return "firing";
    case AlertState::resolved: return "resolved";
  }
  return "resolved";
}

AlertEngine::AlertEngine(std::vector<AlertRule> rules, const Knowledge& knowledge,
                         std::map<std::string, std::string> external_labels, double start)
    : rules_(std::move(rules)),
      knowledge_(knowledge),
      external_labels_(std::move(external_labels)),
      start_(start),
      auth_failures_(1) {
  std::int64_t auth_horizon = 1;
  bool reads_classes = false;
  for (const AlertRule& rule : rules_) {
    const BuiltinRule& builtin = *rule.builtin;
    switch (builtin.kind) {
      case RuleKind::class_share:
      case RuleKind::class_rate_spike:
        class_horizon_ = std::max(class_horizon_, horizon_of(rule));
        reads_classes = true;
        break;
      case RuleKind::cause_count:
        cause_horizon_ = std::max(cause_horizon_, horizon_of(rule));
        for (std::size_t i = 0; i < builtin.cause_count; ++i) {
          const auto cause = static_cast<std::size_t>(builtin.causes[i]);
          (builtin.group_by == GroupBy::provider ? provider_causes_ : tracked_causes_)[cause] = true;
        }
        break;
      case RuleKind::auth_failure_rate: auth_horizon = std::max(auth_horizon, horizon_of(rule)); break;
      case RuleKind::no_log_lines: break;  // reads the last second a source counted a line, not a window
      case RuleKind::unmatched_lines: source_horizon_ = std::max(source_horizon_, horizon_of(rule)); break;
    }
  }
  class_windows_.assign(reads_classes ? kDirections * 3 : 0, SlidingWindow(class_horizon_));
  auth_failures_ = SlidingWindow(auth_horizon);
}

SlidingWindow& AlertEngine::window_of(std::map<std::uint32_t, SlidingWindow>& windows, std::uint32_t key,
                                      std::int64_t horizon) {
  auto found = windows.find(key);
  if (found == windows.end()) {
    found = windows.emplace(key, SlidingWindow(horizon)).first;
    found->second.advance_to(second_);
  }
  return found->second;
}

void AlertEngine::count_reply(const ReplyCount& reply, double delta) {
  const int index = class_index(reply.klass);
  if (!class_windows_.empty() && index >= 0) {
    class_windows_[static_cast<std::size_t>(reply.direction) * 3 + static_cast<std::size_t>(index)].add(delta);
  }
  const auto cause = static_cast<std::uint32_t>(reply.cause);
  if (tracked_causes_[cause]) {
    window_of(direction_cause_windows_, static_cast<std::uint32_t>(reply.direction) << 8 | cause, cause_horizon_)
        .add(delta);
  }
  if (provider_causes_[cause] && reply.direction == Direction::outbound) {
    window_of(provider_cause_windows_, static_cast<std::uint32_t>(reply.provider) << 8 | cause, cause_horizon_)
        .add(delta);
  }
}

void AlertEngine::observe(std::int64_t second, const AlertInputs& inputs) {
  second_ = std::max(second_, second);
  for (SlidingWindow& window : class_windows_) window.advance_to(second_);
  for (auto& [key, window] : direction_cause_windows_) window.advance_to(second_);
  for (auto& [key, window] : provider_cause_windows_) window.advance_to(second_);
  auth_failures_.advance_to(second_);

  // A counter that went down was created anew (a removed source added again): all of it is new.
  const auto growth = [](double now, double before) { return now >= before ? now - before : now; };
  previous_replies_.resize(std::max(previous_replies_.size(), inputs.replies.size()), 0.0);
  for (std::size_t i = 0; i < inputs.replies.size(); ++i) {
    const double delta = growth(inputs.replies[i].total, previous_replies_[i]);
    previous_replies_[i] = inputs.replies[i].total;
    if (delta > 0) count_reply(inputs.replies[i], delta);
  }
  const double auth_delta = growth(inputs.auth_failures, previous_auth_failures_);
  previous_auth_failures_ = inputs.auth_failures;
  if (auth_delta > 0) auth_failures_.add(auth_delta);

  std::map<std::string, SourceWindows> sources;
  for (const SourceCounts& counts : inputs.sources) {
    auto found = sources_.find(counts.name);
    SourceWindows windows = found != sources_.end() ? std::move(found->second)
                                                    : SourceWindows{SlidingWindow(source_horizon_),
                                                                    SlidingWindow(source_horizon_), 0, second_, -1};
    windows.matched.advance_to(second_);
    windows.unmatched.advance_to(second_);
    std::array<double, 3>& previous = previous_lines_[counts.name];
    const double matched = growth(counts.matched, previous[0]);
    const double unmatched = growth(counts.unmatched, previous[1]);
    const double ignored = growth(counts.ignored, previous[2]);
    previous = {counts.matched, counts.unmatched, counts.ignored};
    windows.matched.add(matched);
    windows.unmatched.add(unmatched);
    if (matched + unmatched + ignored > 0) windows.last_counted = second_;
    windows.last_line_timestamp = counts.last_line_timestamp;
    sources.emplace(counts.name, std::move(windows));
  }
  // A source that is gone (a reload removed it) is forgotten, and so are its alerts' inputs.
  sources_ = std::move(sources);
  std::erase_if(previous_lines_, [this](const auto& entry) { return !sources_.contains(entry.first); });
}

double AlertEngine::class_sum(Direction direction, int klass, std::int64_t length, std::int64_t offset) const {
  const int index = class_index(klass);
  if (class_windows_.empty() || index < 0) return 0;
  return class_windows_[static_cast<std::size_t>(direction) * 3 + static_cast<std::size_t>(index)].sum(length, offset);
}

std::vector<AlertEngine::Candidate> AlertEngine::judge(const AlertRule& rule, double now) const {
  const BuiltinRule& builtin = *rule.builtin;
  const std::int64_t window = seconds_of(rule.window_seconds);
  const double uptime = now - start_;
  std::vector<Candidate> found;
  switch (builtin.kind) {
    case RuleKind::class_share: {
      // Inbound: our refusals against refusals plus local deliveries (mta_exporter.rules.yml explains why).
      double all = 0;
      for (int klass : {2, 4, 5}) {
        all += class_sum(builtin.direction, klass, window);
        if (builtin.direction == Direction::inbound) all += class_sum(Direction::local, klass, window);
      }
      const double share = all > 0 ? class_sum(builtin.direction, builtin.klass, window) / all : 0;
      if (all > 0 && share > rule.thresholds[0] && all / static_cast<double>(window) > rule.thresholds[1]) {
        found.push_back({class_labels(builtin), share});
      }
      break;
    }
    case RuleKind::class_rate_spike: {
      // The baseline is the rate of the 12 windows that ended 3 windows ago (1 h, 15 min for 5 min): judged only
      // once the agent has counted that long ago, as Prometheus needs the series 15 minutes back.
      if (uptime < 3.0 * static_cast<double>(window)) break;
      const double rate = class_sum(builtin.direction, builtin.klass, window) / static_cast<double>(window);
      const double baseline =
          class_sum(builtin.direction, builtin.klass, 12 * window, 3 * window) / static_cast<double>(12 * window);
      if (rate > baseline * rule.thresholds[0] && rate > rule.thresholds[1]) {
        found.push_back({class_labels(builtin), rate});
      }
      break;
    }
    case RuleKind::cause_count: {
      std::map<std::string, double> totals;  // by the group label's value
      if (builtin.group_by == GroupBy::provider) {
        for (const auto& [key, slots] : provider_cause_windows_) {
          const auto provider = static_cast<ProviderId>(key >> 8);
          const auto cause = static_cast<Cause>(key & 0xff);
          if (!counts_cause(builtin, cause)) continue;
          const std::string name(provider == kNoProvider ? "other" : knowledge_.provider_name(provider));
          if (builtin.known_provider_only && (name == "other" || name.empty())) continue;
          totals[name] += slots.sum(window);
        }
      } else {
        for (const auto& [key, slots] : direction_cause_windows_) {
          const auto direction = static_cast<Direction>(key >> 8);
          const auto cause = static_cast<Cause>(key & 0xff);
          if (!counts_cause(builtin, cause)) continue;
          if (builtin.outbound_only && direction != Direction::outbound) continue;
          const std::string group = builtin.group_by == GroupBy::cause       ? std::string(to_string(cause))
                                    : builtin.group_by == GroupBy::direction ? std::string(to_string(direction))
                                                                             : std::string();
          totals[group] += slots.sum(window);
        }
      }
      const std::string label = builtin.group_by == GroupBy::provider    ? "provider"
                                : builtin.group_by == GroupBy::cause     ? "cause"
                                : builtin.group_by == GroupBy::direction ? "direction"
                                                                         : "";
      for (const auto& [group, total] : totals) {
        if (total <= 0 || total < rule.thresholds[0]) continue;
        Candidate candidate{{}, total};
        if (!label.empty()) candidate.group[label] = group;
        found.push_back(std::move(candidate));
      }
      break;
    }
    case RuleKind::auth_failure_rate: {
      const double rate = auth_failures_.sum(window) / static_cast<double>(window);
      if (rate > rule.thresholds[0]) found.push_back({{}, rate});
      break;
    }
    case RuleKind::no_log_lines:
      for (const auto& [name, source] : sources_) {
        const double silent = now - source.last_line_timestamp;
        if (source.last_line_timestamp > 0 && silent > rule.thresholds[0]) {
          found.push_back({{{"source", name}}, silent});
        } else if (second_ - std::max(source.first_seen, source.last_counted) >= window) {
          // No line of any kind for the whole window since the source started: increase(...[30m]) == 0.
          found.push_back({{{"source", name}}, 0});
        }
      }
      break;
    case RuleKind::unmatched_lines:
      for (const auto& [name, source] : sources_) {
        const double unmatched = source.unmatched.sum(window);
        const double outcomes = unmatched + source.matched.sum(window);
        if (outcomes > 0 && unmatched / outcomes > rule.thresholds[0] && unmatched >= rule.thresholds[1]) {
          found.push_back({{{"source", name}}, unmatched / outcomes});
        }
      }
      break;
  }
  return found;
}

std::vector<Alert> AlertEngine::evaluate(double now, double evaluation_interval, double resend_interval) {
  std::map<std::string, bool> seen;
  for (const AlertRule& rule : rules_) {
    for (Candidate& candidate : judge(rule, now)) {
      std::map<std::string, std::string> labels = external_labels_;
      for (const auto& [name, value] : rule.labels) labels[name] = value;
      for (const auto& [name, value] : candidate.group) labels[name] = value;
      labels["alertname"] = rule.name;
      const std::string key = key_of(labels);
      seen[key] = true;
      Alert& alert = alerts_[key];
      if (alert.rule.empty() || alert.state == AlertState::resolved) {
        alert = Alert{.rule = rule.name, .labels = labels, .active_at = now};
      }
      alert.value = candidate.value;
      const TemplateData data{&alert.labels, alert.value, &rule.threshold_values};
      for (const auto& [name, text] : rule.annotations) alert.annotations[name] = render_template(text, data).text;
      if (alert.state == AlertState::pending && now - alert.active_at >= rule.for_seconds) {
        alert.state = AlertState::firing;
        alert.fired_at = now;
      }
    }
  }
  for (auto it = alerts_.begin(); it != alerts_.end();) {
    Alert& alert = it->second;
    if (!seen.contains(it->first)) {
      if (alert.state == AlertState::pending) {
        it = alerts_.erase(it);
        continue;
      }
      if (alert.state == AlertState::firing) {
        alert.state = AlertState::resolved;
        alert.resolved_at = now;
      } else if (now - alert.resolved_at > kResolvedRetention) {
        it = alerts_.erase(it);
        continue;
      }
    }
    ++it;
  }
  // Prometheus' notifier: an alert resolved since it was last sent goes at once, any other every resend interval;
  // a firing alert is valid for four intervals, so that Alertmanager resolves it by itself if the agent stops.
  std::vector<Alert> due;
  for (auto& [key, alert] : alerts_) {
    if (alert.state == AlertState::pending) continue;
    const bool resolved_since_sent = alert.state == AlertState::resolved && alert.resolved_at > alert.last_sent_at;
    if (!resolved_since_sent && alert.last_sent_at > 0 && alert.last_sent_at + resend_interval >= now) continue;
    alert.ends_at = alert.state == AlertState::firing ? now + 4 * std::max(evaluation_interval, resend_interval)
                                                      : alert.resolved_at;
    alert.last_sent_at = now;
    due.push_back(alert);
  }
  return due;
}

std::vector<Alert> AlertEngine::alerts() const {
  std::vector<Alert> result;
  result.reserve(alerts_.size());
  for (const auto& [key, alert] : alerts_) result.push_back(alert);
  return result;
}

}  // namespace mta
