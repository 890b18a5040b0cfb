#pragma once
// One pipeline per source: log line -> syslog header -> MTA parser -> classifier -> counters.

#include <string>
#include <string_view>

#include "classify/classifier.hpp"
#include "metrics/mta_metrics.hpp"
#include "source/line_handler.hpp"

namespace mta {

class LineProcessor final : public LineHandler {
 public:
  LineProcessor(MetricFamilies& families, std::string source, const SiteRules* site_rules = nullptr,
                const Knowledge& knowledge = Knowledge::builtin());

  void process(std::string_view line);
  void on_line(std::string_view line) override { process(line); }

 private:
  Classifier classifier_;
  MetricsRecorder recorder_;
};

}  // namespace mta
