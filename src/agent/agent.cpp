#include "agent/agent.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>

#include "agent/source_factory.hpp"
#include "logging/logfmt.hpp"

namespace mta {

Agent::Agent(Config config, RestartBackoff restart_backoff)
    : config_(std::move(config)),
      families_(registry_, config_.metrics.reply_series_limit),
      source_families_(registry_),
      site_rules_(config_.site_rules),
      checkpoints_(config_.checkpoint.path),
      checkpoint_last_write_(config_.checkpoint.path.empty() ? nullptr
                                                             : &source_families_.checkpoint_last_write.Add({})),
      process_metrics_(registry_),
      restart_backoff_(restart_backoff) {}

Agent::~Agent() { stop(); }

std::unique_ptr<RunningSource> Agent::open_source(const SourceConfig& source, bool resume) {
  auto running = std::make_unique<RunningSource>(source, families_, source_families_, site_rules_, checkpoints_, resume,
                                                 restart_backoff_);
  running->prepare();
  return running;
}

void Agent::start() {
  std::vector<std::unique_ptr<RunningSource>> opened;
  for (const SourceConfig& source : config_.sources) {
    try {
      opened.push_back(open_source(source, false));
    } catch (const std::exception& error) {
      throw std::runtime_error("cannot open source " + source.name + ": " + error.what());
    }
  }
  for (const auto& source : opened) source->start();
  std::lock_guard lock(sources_mutex_);
  sources_ = std::move(opened);
}

void Agent::stop_sources(std::vector<std::unique_ptr<RunningSource>>& sources) {
  for (const auto& source : sources) source->request_stop();
  for (const auto& source : sources) source->join();
}

void Agent::stop() {
  std::vector<std::unique_ptr<RunningSource>> running;
  {
    std::lock_guard lock(sources_mutex_);
    stopping_ = true;
    running.swap(sources_);
  }
  stop_sources(running);
}

std::vector<std::string> Agent::not_ready_reasons() const {
  std::lock_guard lock(sources_mutex_);
  std::vector<std::string> reasons;
  if (stopping_) reasons.emplace_back("stopping");
  if (reloading_) reasons.emplace_back("reloading");
  for (const auto& source : sources_) {
    if (std::string reason = source->not_ready_reason(); !reason.empty()) {
      reasons.push_back("source " + source->config().name + ": " + reason);
    }
  }
  return reasons;
}

std::vector<std::string> Agent::running_source_names() const {
  std::lock_guard lock(sources_mutex_);
  std::vector<std::string> names;
  for (const auto& source : sources_) names.push_back(source->config().name);
  return names;
}

void Agent::save_checkpoint() {
  if (config_.checkpoint.path.empty()) return;
  // A timestamp, not an age: a gauge set only when the checkpoint is saved could not grow while saving fails.
  if (checkpoints_.save()) checkpoint_last_write_->SetToCurrentTime();
}

namespace {

// Takes out of `sources` the first one whose configuration `matches`; null when none does.
template <typename Matches>
std::unique_ptr<RunningSource> take(std::vector<std::unique_ptr<RunningSource>>& sources, Matches matches) {
  const auto found = std::find_if(sources.begin(), sources.end(), [&](const auto& s) { return matches(s->config()); });
  if (found == sources.end()) return nullptr;
  std::unique_ptr<RunningSource> taken = std::move(*found);
  sources.erase(found);
  return taken;
}

// A file or journal source whose table changed only by its name continues from the old name's positions.
bool is_renamed(const SourceConfig& previous, const SourceConfig& next) {
  if (previous.type != SourceType::file && previous.type != SourceType::journal) return false;
  SourceConfig renamed = previous;
  renamed.name = next.name;
  return renamed == next;
}

void log_open_failure(const std::string& source, const std::exception& error, std::string_view outcome) {
  spdlog::error("msg=\"cannot open source\" source={} error={} outcome={}", log_quoted(source),
                log_quoted(error.what()), log_quoted(outcome));
}

}  // namespace

// A source of the fresh configuration that does not run as it is: added, changed or renamed.
struct Agent::Replacement {
  SourceConfig next;
  std::unique_ptr<RunningSource> previous;      // the running version it replaces; null for an added source
  std::optional<SourceConfig> previous_config;  // set once `previous` is stopped and gone
  bool resume = false;             // continues from the positions of `previous`, or of an earlier life under its name
  bool opens_after_stops = false;  // opened once the sources that leave are gone
  std::unique_ptr<RunningSource> opened;  // to start: `next`, or `previous` opened again
  bool failed = false;                    // `next` could not be opened
};

void Agent::open_before_stops(std::vector<Replacement>& replacements,
                              std::vector<std::unique_ptr<RunningSource>>& kept) {
  for (Replacement& replacement : replacements) {
    if (replacement.opens_after_stops) continue;
    try {
      replacement.opened = open_source(replacement.next, replacement.resume);
    } catch (const std::exception& error) {
      replacement.failed = true;
      log_open_failure(replacement.next.name, error,
                       replacement.previous ? "the running version stays" : "not running");
      if (replacement.previous) kept.push_back(std::move(replacement.previous));
    }
  }
}

void Agent::open_after_stops(std::vector<Replacement>& replacements, ReloadSummary& summary) {
  for (Replacement& replacement : replacements) {
    if (!replacement.opens_after_stops) continue;
    const std::optional<SourceConfig>& previous = replacement.previous_config;
    try {
      replacement.opened = open_source(replacement.next, replacement.resume);
      continue;
    } catch (const std::exception& error) {
      replacement.failed = true;
      log_open_failure(replacement.next.name, error, previous ? "opening the previous version again" : "not running");
    }
    if (!previous) continue;
    if (previous->name != replacement.next.name) {
      move_checkpoint_entries(checkpoints_, replacement.next, checkpoints_, previous->name);
    }
    try {
      replacement.opened = open_source(*previous, true);
    } catch (const std::exception& error) {
      log_open_failure(previous->name, error, "not running");
      summary.stopped.push_back(previous->name);
    }
  }
}

void Agent::remove_series(const std::set<std::string>& sources) {
  for (const std::string& source : sources) {
    remove_source_series(source_families_, source);
    remove_source_series(families_.lines, source);
  }
}

ReloadSummary Agent::reload(const Config& fresh) {
  if (fresh.web != config_.web) {
    spdlog::warn("msg=\"[web] changes need a restart\"");
  }
  if (fresh.checkpoint.path != config_.checkpoint.path ||
      fresh.checkpoint.interval_seconds != config_.checkpoint.interval_seconds) {
    spdlog::warn("msg=\"[checkpoint] changes need a restart\"");
  }
  if (fresh.metrics != config_.metrics) {
    spdlog::warn("msg=\"[metrics] changes need a restart\"");
  }
  if (fresh.alerting != config_.alerting) {
    spdlog::warn("msg=\"[alerting] changes need a restart\"");
  }
  site_rules_.replace(fresh.site_rules);
  std::vector<std::unique_ptr<RunningSource>> running;
  {
    std::lock_guard lock(sources_mutex_);
    reloading_ = true;
    running.swap(sources_);
  }
  // The series of every source known so far; those neither running nor configured afterwards are dropped.
  std::set<std::string> gone;
  for (const auto& source : running) gone.insert(source->config().name);
  for (const SourceConfig& source : config_.sources) gone.insert(source.name);

  ReloadSummary summary;
  std::vector<std::unique_ptr<RunningSource>> kept;
  std::vector<Replacement> replacements;
  for (const SourceConfig& source : fresh.sources) {
    if (auto same = take(running, [&](const SourceConfig& config) { return config == source; })) {
      summary.kept.push_back(source.name);
      kept.push_back(std::move(same));
      continue;
    }
    Replacement& replacement = replacements.emplace_back();
    replacement.next = source;
    replacement.previous = take(running, [&](const SourceConfig& config) { return config.name == source.name; });
  }
  // What is still in `running` has a name the fresh configuration no longer has: renamed, or removed.
  for (Replacement& replacement : replacements) {
    if (!replacement.previous) {
      replacement.previous =
          take(running, [&](const SourceConfig& config) { return is_renamed(config, replacement.next); });
    }
    // A source removed by an earlier reload and now added again continues where it was.
    replacement.resume =
        replacement.previous != nullptr ||
        move_checkpoint_entries(removed_positions_, replacement.next, checkpoints_, replacement.next.name);
  }
  std::vector<SourceConfig> leaving;  // removed, or replaced if the new version opens
  for (const auto& source : running) leaving.push_back(source->config());
  for (const Replacement& replacement : replacements) {
    if (replacement.previous) leaving.push_back(replacement.previous->config());
  }
  for (Replacement& replacement : replacements)
    replacement.opens_after_stops = opens_only_after(replacement.next, leaving);

  // Nothing stops before each new version that can be opened beside its running one is open.
  open_before_stops(replacements, kept);
  std::vector<std::unique_ptr<RunningSource>> stopping = std::move(running);
  std::vector<SourceConfig> removed;
  for (const auto& source : stopping) {
    removed.push_back(source->config());
    summary.stopped.push_back(source->config().name);
  }
  for (Replacement& replacement : replacements) {
    if (!replacement.previous) continue;
    replacement.previous_config = replacement.previous->config();
    stopping.push_back(std::move(replacement.previous));
  }
  stop_sources(stopping);
  stopping.clear();  // their sockets are free now
  // The final positions are in the store: they follow a renamed source, and leave it with a removed one.
  for (const Replacement& replacement : replacements) {
    const std::optional<SourceConfig>& previous = replacement.previous_config;
    if (previous && previous->name != replacement.next.name) {
      move_checkpoint_entries(checkpoints_, *previous, checkpoints_, replacement.next.name);
    }
  }
  for (const SourceConfig& source : removed) {
    move_checkpoint_entries(checkpoints_, source, removed_positions_, source.name);
  }
  open_after_stops(replacements, summary);
  save_checkpoint();

  for (Replacement& replacement : replacements) {
    if (replacement.failed) {
      summary.failed.push_back(replacement.next.name);
    } else {
      if (replacement.previous_config) summary.stopped.push_back(replacement.previous_config->name);
      summary.started.push_back(replacement.next.name);
    }
    if (replacement.opened) {
      replacement.opened->start();
      kept.push_back(std::move(replacement.opened));
    }
  }
  for (const SourceConfig& source : fresh.sources) gone.erase(source.name);
  for (const auto& source : kept) gone.erase(source->config().name);
  {
    std::lock_guard lock(sources_mutex_);
    sources_ = std::move(kept);
    reloading_ = false;
  }
  remove_series(gone);
  const CheckpointConfig checkpoint = config_.checkpoint;
  const WebConfig web = config_.web;
  const MetricsConfig metrics = config_.metrics;
  config_ = fresh;
  // What needs a restart stays as it was started.
  config_.checkpoint = checkpoint;
  config_.web = web;
  config_.metrics = metrics;
  return summary;
}

}  // namespace mta
