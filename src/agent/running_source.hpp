#pragma once
// One configured source with its own pipeline and health metrics, run on a thread of its own.

#include <memory>
#include <stop_token>
#include <thread>

#include "config/config.hpp"
#include "metrics/mta_metrics.hpp"
#include "metrics/source_metrics.hpp"
#include "pipeline/line_processor.hpp"
#include "source/checkpoint.hpp"
#include "source/source.hpp"

namespace mta {

class RunningSource {
 public:
  // `resume`: the source ran before a reload; it continues from the positions in `checkpoints`.
  RunningSource(const SourceConfig& config, MetricFamilies& families, SourceMetricFamilies& source_families,
                const SiteRulesHolder& site_rules, CheckpointStore& checkpoints, bool resume);

  // Opens what must exist before the source counts as started (sockets); throws std::runtime_error.
  void prepare() { source_->prepare(); }
  void start();
  void request_stop() { thread_.request_stop(); }
  void join();
  bool ready() const { return source_->ready(); }
  const SourceConfig& config() const { return config_; }

 private:
  SourceConfig config_;
  LineProcessor processor_;
  SourceHealth health_;
  std::unique_ptr<Source> source_;
  std::jthread thread_;
};

}  // namespace mta
