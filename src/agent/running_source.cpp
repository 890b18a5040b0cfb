#include "agent/running_source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "agent/source_factory.hpp"
#include "logging/logfmt.hpp"
#include "source/interruptible_sleep.hpp"

namespace mta {
namespace {

// Standard input and a replay read one stream, and are done at its end; the others run until stopped.
bool ends_by_itself(SourceType type) { return type == SourceType::stdin_stream || type == SourceType::replay; }

}  // namespace

RunningSource::RunningSource(const SourceConfig& config, MetricFamilies& families,
                             SourceMetricFamilies& source_families, const SiteRulesHolder& site_rules,
                             CheckpointStore& checkpoints, bool resume, RestartBackoff backoff)
    : config_(config),
      checkpoints_(checkpoints),
      backoff_(backoff),
      processor_(families, config.name, site_rules),
      health_(source_families, config.name, config.type == SourceType::syslog, config.max_hosts),
      source_(make_source(config, processor_, health_, &checkpoints, resume)) {}

void RunningSource::start() {
  thread_ = std::jthread([this](std::stop_token stop) { supervise(stop); });
}

void RunningSource::join() {
  if (thread_.joinable()) thread_.join();
}

std::string RunningSource::not_ready_reason() const {
  std::lock_guard lock(mutex_);
  if (source_ == nullptr) return "failed, opening it again: " + failure_;
  if (source_->ready()) return {};
  const std::string reason = source_->not_ready_reason();
  return reason.empty() ? "not ready" : reason;
}

void RunningSource::supervise(std::stop_token stop) {
  using Clock = std::chrono::steady_clock;
  std::chrono::milliseconds wait = backoff_.first;
  while (true) {
    const Clock::time_point began = Clock::now();
    std::optional<std::string> error = run_source(stop);
    if (!error || stop.stop_requested()) return;
    if (Clock::now() - began >= backoff_.healthy_after) wait = backoff_.first;
    // A source opened anew may fail again at once (a replay file still missing): each try waits longer.
    while (error) {
      mark_down(*error);
      spdlog::error("msg=\"source failed\" source={} error={} retry_in_seconds={}", log_quoted(config_.name),
                    log_quoted(*error), std::chrono::duration<double>(wait).count());
      if (!sleep_unless_stopped(stop, wait)) return;
      wait = std::min(wait * 2, backoff_.longest);
      health_.count_restart();
      error = reopen();
    }
    spdlog::info("msg=\"source opened again\" source={}", log_quoted(config_.name));
  }
}

std::optional<std::string> RunningSource::run_source(std::stop_token stop) {
  // A reload may have opened this source before stopping the version it replaces, whose end set the
  // shared up series to 0.
  health_.set_up(source_->ready());
  try {
    source_->run(stop);
  } catch (const std::exception& error) {
    return error.what();
  }
  if (stop.stop_requested() || ends_by_itself(config_.type)) return std::nullopt;
  return "the source ended without being stopped";
}

std::optional<std::string> RunningSource::reopen() {
  try {
    std::unique_ptr<Source> fresh = make_source(config_, processor_, health_, &checkpoints_, true);
    fresh->prepare();
    std::lock_guard lock(mutex_);
    source_ = std::move(fresh);
    failure_.clear();
    return std::nullopt;
  } catch (const std::exception& error) {
    return error.what();
  }
}

void RunningSource::mark_down(const std::string& error) {
  std::unique_ptr<Source> failed;
  {
    std::lock_guard lock(mutex_);
    failed = std::move(source_);
    failure_ = error;
  }
  health_.set_up(false);
  // `failed` closes what it held here, before the wait: a socket must be free to be bound again.
}

}  // namespace mta
