#pragma once
// One pipeline per source: log line -> syslog header -> MTA parser -> classifier -> counters.

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "classify/classifier.hpp"
#include "framing/line_handler.hpp"
#include "metrics/mta_metrics.hpp"
#include "syslog/record_handler.hpp"
#include "syslog/syslog_header.hpp"

namespace mta {

// Told of each line's result beside the counters, for a report that needs more than they hold (report --format html).
class LineObserver {
 public:
  // A reply counted in mta_smtp_replies_total, with the verdict it was counted under.
  virtual void on_reply(const SmtpEvent& event, const Verdict& verdict) = 0;
  // A line given to process() that is counted as unmatched: mail-server output with an outcome that could not be read
  // (an entry of on_record() has no line of its own to show).
  virtual void on_unmatched(std::string_view line) = 0;

 protected:
  ~LineObserver() = default;
};

class LineProcessor final : public LineHandler, public RecordHandler {
 public:
  LineProcessor(MetricFamilies& families, std::string source, const SiteRules* site_rules = nullptr,
                const Knowledge& knowledge = Knowledge::builtin());
  // Follows the rules of a holder that a reload may replace.
  LineProcessor(MetricFamilies& families, std::string source, const SiteRulesHolder& site_rules,
                const Knowledge& knowledge = Knowledge::builtin());

  void process(std::string_view line);
  void on_line(std::string_view line) override { process(line); }
  // An entry that arrives already split (the journal): no header to parse.
  void on_record(const SyslogRecord& record) override;
  // Not owned; nullptr (the default) for none.
  void set_observer(LineObserver* observer) { observer_ = observer; }

 private:
  // The outcome the line is counted under.
  ParseOutcome count(ParseOutcome outcome, const SmtpEvent& event);
  void count_failure(const std::exception& error);
  void refresh_site_rules();

  const SiteRulesHolder* holder_ = nullptr;
  std::uint64_t generation_ = 0;
  std::shared_ptr<const SiteRules> site_rules_;
  Classifier classifier_;
  MetricsRecorder recorder_;
  std::string source_;
  std::uint64_t failures_ = 0;
  LineObserver* observer_ = nullptr;
};

}  // namespace mta
