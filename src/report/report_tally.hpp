#pragma once
// What a report a person reads shows beyond the counters (report --format html and text): replies over time by class,
// failures by cause and by provider, the remote domains and the clients refused most, delivery delays, the ages of
// deferred messages, and the lines that could not be read. Memory is bounded whatever the input holds.

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "classify/knowledge.hpp"
#include "pipeline/line_processor.hpp"
#include "report/delay_distribution.hpp"
#include "report/top_counts.hpp"

namespace mta {

// Replies of class 2xx, 4xx and 5xx, in that order.
using ClassCounts = std::array<std::uint64_t, 3>;
std::uint64_t total_of(const ClassCounts& counts);

struct UnmatchedLine {
  std::string file;
  std::uint64_t number;
  std::string text;  // cut to ReportTally::kMaxExampleBytes
};

class ReportTally final : public LineObserver {
 public:
  static constexpr std::size_t kMaxUnmatchedExamples = 10;
  static constexpr std::size_t kMaxExampleBytes = 300;

  explicit ReportTally(const Knowledge& knowledge = Knowledge::builtin()) : knowledge_(knowledge) {}

  // The line about to be processed: its file, 1-based number, and time in seconds since the epoch (not finite when
  // the line's time is unknown; a time before 1970 or after 9999 counts as unknown). Every line read is announced, so
  // lines() counts them.
  void set_line(std::string_view file, std::uint64_t number, double time);
  void on_reply(const SmtpEvent& event, const Verdict& verdict) override;
  void on_unmatched(std::string_view line) override;

  std::uint64_t lines() const { return lines_; }
  // Seconds since the epoch of the first and last line with a time; not finite when none had one.
  double first_time() const { return first_time_; }
  double last_time() const { return last_time_; }

  static constexpr std::size_t kMaxPeriods = 20000;

  const ClassCounts& replies() const { return replies_; }
  // By the period they fall in (its first second since the epoch), of period_seconds() each: an hour, until more than
  // kMaxPeriods of them would be held (years of logs, or hostile timestamps), then 24 times as long as before, as
  // often as needed. Replies of lines without a time are in none.
  const std::map<std::int64_t, ClassCounts>& replies_by_period() const { return replies_by_period_; }
  std::int64_t period_seconds() const { return period_seconds_; }
  std::uint64_t replies_without_time() const { return replies_without_time_; }
  const std::map<Cause, ClassCounts>& replies_by_cause() const { return replies_by_cause_; }
  // Outbound replies of class 4xx and 5xx by provider label and cause.
  const std::map<std::pair<std::string_view, Cause>, std::uint64_t>& outbound_failures() const {
    return outbound_failures_;
  }
  // Outbound replies of class 4xx and 5xx by the recipient's domain (lower case).
  const TopCounts& refusing_domains() const { return refusing_domains_; }
  // Inbound replies of class 4xx and 5xx (rejects, AUTH failures) by the client as logged.
  const TopCounts& refused_clients() const { return refused_clients_; }
  // The delay= of sent messages, and of deferred ones: how long they had waited in the queue.
  const DelayDistribution& delivery_delays() const { return delivery_delays_; }
  const DelayDistribution& deferral_ages() const { return deferral_ages_; }

  std::uint64_t unmatched() const { return unmatched_; }
  // The first kMaxUnmatchedExamples of them.
  const std::vector<UnmatchedLine>& unmatched_examples() const { return unmatched_examples_; }

  const Knowledge& knowledge() const { return knowledge_; }

 private:
  void lengthen_periods();

  const Knowledge& knowledge_;
  std::string_view file_;
  std::uint64_t number_ = 0;
  double time_ = -std::numeric_limits<double>::infinity();
  std::uint64_t lines_ = 0;
  double first_time_ = std::numeric_limits<double>::infinity();
  double last_time_ = -std::numeric_limits<double>::infinity();
  ClassCounts replies_{};
  std::map<std::int64_t, ClassCounts> replies_by_period_;
  std::int64_t period_seconds_ = 3600;
  std::uint64_t replies_without_time_ = 0;
  std::map<Cause, ClassCounts> replies_by_cause_;
  std::map<std::pair<std::string_view, Cause>, std::uint64_t> outbound_failures_;
  TopCounts refusing_domains_;
  TopCounts refused_clients_;
  DelayDistribution delivery_delays_;
  DelayDistribution deferral_ages_;
  std::uint64_t unmatched_ = 0;
  std::vector<UnmatchedLine> unmatched_examples_;
};

}  // namespace mta
