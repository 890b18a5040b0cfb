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
  std::vector<std::string> stopped;  // removed, or changed and so started anew
  std::vector<std::string> started;  // added, or changed
  std::vector<std::string> failed;   // could not be opened; not running
};

class Agent {
 public:
  explicit Agent(Config config);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Opens every configured source and starts its thread; throws std::runtime_error naming the first
  // source that cannot be opened (nothing is left running then).
  void start();
  // Applies a freshly loaded configuration: sources whose table is unchanged keep running; the others
  // are stopped, and new or changed ones started, resuming from the in-memory checkpoint positions
  // where a source of the same name ran before (since start, not only in the last configuration), so
  // that a source removed and added again counts nothing twice. Site rules take effect at once; [web]
  // and [checkpoint] keep the values the agent started with.
  ReloadSummary reload(const Config& fresh);
  void stop();

  // False while any source cannot read, during a reload, and once stopping.
  bool ready() const;
  std::vector<std::string> running_source_names() const;
  void save_checkpoint();
  // Reads the process_* metrics anew; called before each scrape, from any web thread.
  void update_process_metrics() { process_metrics_.update(); }

  const Config& config() const { return config_; }
  const prometheus::Registry& registry() const { return registry_; }
  // For the web server's own metrics.
  prometheus::Registry& registry() { return registry_; }

 private:
  std::unique_ptr<RunningSource> open_source(const SourceConfig& source, bool resume);
  static void stop_sources(std::vector<std::unique_ptr<RunningSource>>& sources);

  Config config_;
  prometheus::Registry registry_;
  MetricFamilies families_;
  SourceMetricFamilies source_families_;
  SiteRulesHolder site_rules_;
  CheckpointStore checkpoints_;
  prometheus::Gauge* checkpoint_last_write_;  // null without [checkpoint]
  ProcessMetrics process_metrics_;
  mutable std::mutex sources_mutex_;  // the web thread reads sources_ for /-/ready
  bool reloading_ = false;            // guarded by sources_mutex_
  bool stopping_ = false;             // guarded by sources_mutex_
  std::vector<std::unique_ptr<RunningSource>> sources_;
  std::set<std::string> ran_before_;  // names of every source started; touched by start() and reload() only
};

}  // namespace mta
