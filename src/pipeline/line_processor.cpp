#include "pipeline/line_processor.hpp"

#include <spdlog/spdlog.h>

#include "logging/logfmt.hpp"
#include "mta/mta_parsers.hpp"

namespace mta {

LineProcessor::LineProcessor(MetricFamilies& families, std::string source, const SiteRules* site_rules,
                             const Knowledge& knowledge)
    : classifier_(knowledge, site_rules), recorder_(families, knowledge, source), source_(std::move(source)) {}

LineProcessor::LineProcessor(MetricFamilies& families, std::string source, const SiteRulesHolder& site_rules,
                             const Knowledge& knowledge)
    : holder_(&site_rules),
      generation_(site_rules.generation()),
      site_rules_(site_rules.current()),
      classifier_(knowledge, site_rules_.get()),
      recorder_(families, knowledge, source),
      source_(std::move(source)) {}

void LineProcessor::refresh_site_rules() {
  if (holder_ == nullptr || holder_->generation() == generation_) return;
  generation_ = holder_->generation();
  site_rules_ = holder_->current();
  classifier_.set_site_rules(site_rules_.get());
}

// A line the parsers trip over is counted as unmatched and logged; it never stops the source.
void LineProcessor::process(std::string_view line) {
  ParseOutcome outcome = ParseOutcome::unmatched;
  try {
    SmtpEvent event;
    outcome = count(parse_log_line(line, event), event);
  } catch (const std::exception& error) {
    count_failure(error);
  }
  if (observer_ != nullptr && outcome == ParseOutcome::unmatched) observer_->on_unmatched(line);
}

void LineProcessor::on_record(const SyslogRecord& record) {
  try {
    SmtpEvent event;
    count(parse_mta_record(record, event), event);
  } catch (const std::exception& error) {
    count_failure(error);
  }
}

void LineProcessor::count_failure(const std::exception& error) {
  recorder_.count_line(ParseOutcome::unmatched);
  if (failures_++ % 1000 == 0) {
    spdlog::error("msg=\"line could not be read\" source={} error={} failures={}", log_quoted(source_),
                  log_quoted(error.what()), failures_);
  }
}

ParseOutcome LineProcessor::count(ParseOutcome outcome, const SmtpEvent& event) {
  if (outcome == ParseOutcome::event) {
    refresh_site_rules();
    const Verdict verdict = classifier_.classify(event);
    if (verdict.klass == 0) {
      outcome = ParseOutcome::unmatched;
    } else {
      recorder_.count_event(event, verdict);
      if (observer_ != nullptr) observer_->on_reply(event, verdict);
    }
  }
  recorder_.count_line(outcome);
  return outcome;
}

}  // namespace mta
