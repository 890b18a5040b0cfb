#include "pipeline/line_processor.hpp"

#include "mta/mta_parsers.hpp"

namespace mta {

LineProcessor::LineProcessor(MetricFamilies& families, std::string source, const SiteRules* site_rules,
                             const Knowledge& knowledge)
    : classifier_(knowledge, site_rules), recorder_(families, knowledge, std::move(source)) {}

LineProcessor::LineProcessor(MetricFamilies& families, std::string source, const SiteRulesHolder& site_rules,
                             const Knowledge& knowledge)
    : holder_(&site_rules),
      generation_(site_rules.generation()),
      site_rules_(site_rules.current()),
      classifier_(knowledge, site_rules_.get()),
      recorder_(families, knowledge, std::move(source)) {}

void LineProcessor::refresh_site_rules() {
  if (holder_ == nullptr || holder_->generation() == generation_) return;
  generation_ = holder_->generation();
  site_rules_ = holder_->current();
  classifier_.set_site_rules(site_rules_.get());
}

void LineProcessor::process(std::string_view line) {
  SmtpEvent event;
  count(parse_log_line(line, event), event);
}

void LineProcessor::on_record(const SyslogRecord& record) {
  SmtpEvent event;
  count(parse_mta_record(record, event), event);
}

void LineProcessor::count(ParseOutcome outcome, const SmtpEvent& event) {
  if (outcome == ParseOutcome::event) {
    refresh_site_rules();
    const Verdict verdict = classifier_.classify(event);
    if (verdict.klass == 0) {
      outcome = ParseOutcome::unmatched;
    } else {
      recorder_.count_event(event, verdict);
    }
  }
  recorder_.count_line(outcome);
}

}  // namespace mta
