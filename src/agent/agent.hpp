#pragma once
// Everything `serve` keeps running: the sources with their pipelines, the metrics they count into,
// the site rules and the checkpoint store; and how a new configuration replaces the running one.

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "agent/running_source.hpp"
#include "config/config.hpp"
#include "metrics/process_metrics.hpp"

namespace mta {

struct ReloadSummary {
  std::vector<std::string> kept;     // unchanged: still running, position and counters untouched
  std::vector<std::string> stopped;  // removed, renamed, or changed and so started anew
  std::vector<std::string> started;  // added, renamed, or changed
  std::vector<std::string> failed;   // could not be opened: not running, or still running as it was
};

class Agent {
 public:
  explicit Agent(Config config, RestartBackoff restart_backoff = {});
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Opens every configured source and starts its thread; throws std::runtime_error naming the first
  // source that cannot be opened (nothing is left running then).
  void start();
  // Applies a freshly loaded configuration as a transaction per source: sources whose table is unchanged
  // keep running; a changed one is replaced only once its new version opened (else the running version
  // stays, and the failure is reported), continuing from its positions; a file or journal source whose
  // table differs only by its name continues from the old name's positions. A removed source's series
  // and checkpoint entries are dropped (its positions stay in memory: added again by a later reload, it
  // continues where it was, counting nothing twice). Site rules take effect at once; [web],
  // [checkpoint], [metrics] and [alerting] keep the values the agent started with.
  ReloadSummary reload(const Config& fresh);
  void stop();

  // Why /-/ready answers 503: "reloading", "stopping", and "source NAME: why" for each source that cannot
  // read. Empty when ready.
  std::vector<std::string> not_ready_reasons() const;
  bool ready() const { return not_ready_reasons().empty(); }
  std::vector<std::string> running_source_names() const;
  void save_checkpoint();
  // Reads the process_* metrics anew; called before each scrape, from any web thread.
  void update_process_metrics() { process_metrics_.update(); }

  const Config& config() const { return config_; }
  const prometheus::Registry& registry() const { return registry_; }
  // For the web server's own metrics.
  prometheus::Registry& registry() { return registry_; }
  // For the agent's own alert rules, which read the counters.
  MetricFamilies& reply_families() { return families_; }
  SourceMetricFamilies& source_families() { return source_families_; }

 private:
  struct Replacement;
  std::unique_ptr<RunningSource> open_source(const SourceConfig& source, bool resume);
  // Opens, while every source still runs, the new versions that can be opened beside the running ones; a
  // failure leaves the running version in `kept`.
  void open_before_stops(std::vector<Replacement>& replacements, std::vector<std::unique_ptr<RunningSource>>& kept);
  // Opens, once the sources that leave are stopped, the others; a failure opens the previous version
  // again.
  void open_after_stops(std::vector<Replacement>& replacements, ReloadSummary& summary);
  // Drops every series of these sources, whose pipelines are gone.
  void remove_series(const std::set<std::string>& sources);
  static void stop_sources(std::vector<std::unique_ptr<RunningSource>>& sources);

  Config config_;
  prometheus::Registry registry_;
  MetricFamilies families_;
  SourceMetricFamilies source_families_;
  SiteRulesHolder site_rules_;
  CheckpointStore checkpoints_;
  CheckpointStore removed_positions_{std::string()};  // of removed sources; in memory only, not in the file
  prometheus::Gauge* checkpoint_last_write_;          // null without [checkpoint]
  ProcessMetrics process_metrics_;
  RestartBackoff restart_backoff_;
  mutable std::mutex sources_mutex_;  // the web thread reads sources_ for /-/ready
  bool reloading_ = false;            // guarded by sources_mutex_
  bool stopping_ = false;             // guarded by sources_mutex_
  std::vector<std::unique_ptr<RunningSource>> sources_;
};

}  // namespace mta
