#include "report/report_tally.hpp"

#include <cmath>

#include "metrics/mta_metrics.hpp"
#include "smtp/ascii.hpp"

namespace mta {
namespace {

std::size_t class_index(int klass) { return klass == 2 ? 0 : klass == 4 ? 1 : 2; }

// A line's time the report places: from 1970 to the end of year 9999 (a hostile stamp may lie anywhere).
bool usable(double time) { return std::isfinite(time) && time >= 0 && time < 253402300800.0; }

// "User@Example.COM" -> "example.com", into `buffer`; empty without an '@'.
std::string_view domain_of(std::string_view recipient, std::array<char, TopCounts::kMaxKeyBytes>& buffer) {
  const std::size_t at = recipient.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string_view domain = recipient.substr(at + 1);
  while (domain.ends_with('.')) domain.remove_suffix(1);
  domain = domain.substr(0, buffer.size());
  for (std::size_t i = 0; i < domain.size(); ++i) buffer[i] = to_lower(domain[i]);
  return {buffer.data(), domain.size()};
}

}  // namespace

std::uint64_t total_of(const ClassCounts& counts) { return counts[0] + counts[1] + counts[2]; }

void ReportTally::set_line(std::string_view file, std::uint64_t number, double time) {
  file_ = file;
  number_ = number;
  time_ = time;
  ++lines_;
  if (usable(time)) {
    first_time_ = std::min(first_time_, time);
    last_time_ = std::max(last_time_, time);
  }
}

void ReportTally::on_reply(const SmtpEvent& event, const Verdict& verdict) {
  const std::size_t klass = class_index(verdict.klass);
  ++replies_[klass];
  if (usable(time_)) {
    const auto seconds = static_cast<std::int64_t>(time_);
    ++replies_by_period_[seconds / period_seconds_ * period_seconds_][klass];
    if (replies_by_period_.size() > kMaxPeriods) lengthen_periods();
  } else {
    ++replies_without_time_;
  }
  ++replies_by_cause_[verdict.cause][klass];
  const bool failure = verdict.klass != 2;
  if (failure && event.direction == Direction::outbound) {
    ++outbound_failures_[{provider_label(knowledge_, event.direction, verdict.provider), verdict.cause}];
    std::array<char, TopCounts::kMaxKeyBytes> buffer;
    refusing_domains_.add(domain_of(event.recipient, buffer));
  }
  if (failure && event.direction == Direction::inbound) refused_clients_.add(event.client);
  if (event.status == Status::sent) delivery_delays_.add(event.delay_seconds);
  if (event.status == Status::deferred) deferral_ages_.add(event.delay_seconds);
}

void ReportTally::lengthen_periods() {
  while (replies_by_period_.size() > kMaxPeriods) {
    period_seconds_ *= 24;
    std::map<std::int64_t, ClassCounts> merged;
    for (const auto& [start, replies] : replies_by_period_) {
      ClassCounts& into = merged[start / period_seconds_ * period_seconds_];
      for (std::size_t klass = 0; klass < replies.size(); ++klass) into[klass] += replies[klass];
    }
    replies_by_period_ = std::move(merged);
  }
}

void ReportTally::on_unmatched(std::string_view line) {
  ++unmatched_;
  if (unmatched_examples_.size() < kMaxUnmatchedExamples) {
    unmatched_examples_.push_back({std::string(file_), number_, std::string(line.substr(0, kMaxExampleBytes))});
  }
}

}  // namespace mta
