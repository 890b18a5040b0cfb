#include "pipeline/line_processor.hpp"

#include "mta/mta_parsers.hpp"

namespace mta {

LineProcessor::LineProcessor(MetricFamilies& families, std::string source, const SiteRules* site_rules,
                             const Knowledge& knowledge)
    : classifier_(knowledge, site_rules), recorder_(families, knowledge, std::move(source)) {}

void LineProcessor::process(std::string_view line) {
  SmtpEvent event;
  ParseOutcome outcome = parse_log_line(line, event);
  if (outcome == ParseOutcome::event) {
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
