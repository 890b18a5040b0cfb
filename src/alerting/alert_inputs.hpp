#pragma once
// Reads what the agent's alert rules need from the agent's own metrics, without touching the hot path: the reply
// series through their creation index (one atomic load each), the few line, AUTH and source series through
// their families.

#include <cstddef>
#include <vector>

#include "alerting/alert_engine.hpp"
#include "metrics/mta_metrics.hpp"
#include "metrics/source_metrics.hpp"

namespace mta {

class AlertInputReader {
 public:
  AlertInputReader(MetricFamilies& families, SourceMetricFamilies& source_families)
      : families_(families), source_families_(source_families) {}

  const AlertInputs& read();

 private:
  MetricFamilies& families_;
  SourceMetricFamilies& source_families_;
  std::vector<prometheus::Counter*> counters_;
  AlertInputs inputs_;
};

}  // namespace mta
