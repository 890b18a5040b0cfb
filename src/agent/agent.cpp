#include "agent/agent.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "logging/logfmt.hpp"

namespace mta {

Agent::Agent(Config config)
    : config_(std::move(config)),
      families_(registry_),
      source_families_(registry_),
      site_rules_(config_.site_rules),
      checkpoints_(config_.checkpoint.path),
      checkpoint_last_write_(config_.checkpoint.path.empty() ? nullptr
                                                             : &source_families_.checkpoint_last_write.Add({})),
      process_metrics_(registry_) {}

Agent::~Agent() { stop(); }

std::unique_ptr<RunningSource> Agent::open_source(const SourceConfig& source, bool resume) {
  auto running =
      std::make_unique<RunningSource>(source, families_, source_families_, site_rules_, checkpoints_, resume);
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
  for (const auto& source : opened) {
    source->start();
    ran_before_.insert(source->config().name);
  }
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

bool Agent::ready() const {
  std::lock_guard lock(sources_mutex_);
  if (reloading_ || stopping_) return false;
  return std::all_of(sources_.begin(), sources_.end(), [](const auto& source) { return source->ready(); });
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

ReloadSummary Agent::reload(const Config& fresh) {
  if (fresh.web != config_.web) {
    spdlog::warn("msg=\"[web] changes need a restart\"");
  }
  if (fresh.checkpoint.path != config_.checkpoint.path ||
      fresh.checkpoint.interval_seconds != config_.checkpoint.interval_seconds) {
    spdlog::warn("msg=\"[checkpoint] changes need a restart\"");
  }
  site_rules_.replace(fresh.site_rules);
  ReloadSummary summary;
  std::vector<std::unique_ptr<RunningSource>> running;
  {
    std::lock_guard lock(sources_mutex_);
    reloading_ = true;
    running.swap(sources_);
  }
  std::vector<std::unique_ptr<RunningSource>> kept;
  std::vector<std::unique_ptr<RunningSource>> retired;
  for (auto& source : running) {
    const bool unchanged =
        std::find(fresh.sources.begin(), fresh.sources.end(), source->config()) != fresh.sources.end();
    (unchanged ? summary.kept : summary.stopped).push_back(source->config().name);
    (unchanged ? kept : retired).push_back(std::move(source));
  }
  stop_sources(retired);
  retired.clear();
  save_checkpoint();
  std::vector<std::unique_ptr<RunningSource>> started;
  for (const SourceConfig& source : fresh.sources) {
    const bool still_running =
        std::any_of(kept.begin(), kept.end(), [&](const auto& k) { return k->config() == source; });
    if (still_running) continue;
    // A source that ran before under the same name continues where it was (positions in memory).
    try {
      started.push_back(open_source(source, ran_before_.contains(source.name)));
    } catch (const std::exception& error) {
      spdlog::error("msg=\"cannot open source\" source={} error={}", log_quoted(source.name), log_quoted(error.what()));
      summary.failed.push_back(source.name);
      continue;
    }
    started.back()->start();
    ran_before_.insert(source.name);
    summary.started.push_back(source.name);
  }
  {
    std::lock_guard lock(sources_mutex_);
    sources_ = std::move(kept);
    for (auto& source : started) sources_.push_back(std::move(source));
    reloading_ = false;
  }
  const CheckpointConfig checkpoint = config_.checkpoint;
  const WebConfig web = config_.web;
  config_ = fresh;
  // What needs a restart stays as it was started.
  config_.checkpoint = checkpoint;
  config_.web = web;
  return summary;
}

}  // namespace mta
