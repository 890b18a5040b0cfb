#pragma once
// One configured source with its own pipeline and health metrics, run on a thread of its own that opens
// the source anew, with a growing wait, whenever it fails.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "metrics/mta_metrics.hpp"
#include "metrics/source_metrics.hpp"
#include "pipeline/line_processor.hpp"
#include "source/checkpoint.hpp"
#include "source/source.hpp"

namespace mta {

// How long a failed source waits before it is opened again: `first`, doubled after each failure up to
// `longest`, and `first` again once the source ran `healthy_after` before failing.
struct RestartBackoff {
  std::chrono::milliseconds first{1000};
  std::chrono::milliseconds longest{60'000};
  std::chrono::milliseconds healthy_after{60'000};
};

class RunningSource {
 public:
  // `resume`: the source ran before a reload; it continues from the positions in `checkpoints`.
  RunningSource(const SourceConfig& config, MetricFamilies& families, SourceMetricFamilies& source_families,
                const SiteRulesHolder& site_rules, CheckpointStore& checkpoints, bool resume,
                RestartBackoff backoff = {});

  // Opens what must exist before the source counts as started (sockets); throws std::runtime_error.
  // Before start() only.
  void prepare() { source_->prepare(); }
  void start();
  void request_stop() { thread_.request_stop(); }
  void join();
  bool ready() const { return not_ready_reason().empty(); }
  // Empty while ready. Called from the web threads.
  std::string not_ready_reason() const;
  const SourceConfig& config() const { return config_; }

 private:
  void supervise(std::stop_token stop);
  // Runs the source until it ends; the error when it failed, nothing when it ended as it should.
  std::optional<std::string> run_source(std::stop_token stop);
  // Makes the source anew and prepares it; the error when it cannot.
  std::optional<std::string> reopen();
  void mark_down(const std::string& error);

  SourceConfig config_;
  CheckpointStore& checkpoints_;
  RestartBackoff backoff_;
  LineProcessor processor_;
  SourceHealth health_;
  mutable std::mutex mutex_;        // the web threads read source_ and failure_ while the thread replaces them
  std::unique_ptr<Source> source_;  // null while failed, until opened anew
  std::string failure_;             // why source_ is null
  std::jthread thread_;
};

}  // namespace mta
