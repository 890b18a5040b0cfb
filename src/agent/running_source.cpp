#include "agent/running_source.hpp"

#include <spdlog/spdlog.h>

#include "agent/source_factory.hpp"
#include "logging/logfmt.hpp"

namespace mta {

RunningSource::RunningSource(const SourceConfig& config, MetricFamilies& families,
                             SourceMetricFamilies& source_families, const SiteRulesHolder& site_rules,
                             CheckpointStore& checkpoints, bool resume)
    : config_(config),
      processor_(families, config.name, site_rules),
      health_(source_families, config.name, config.type == SourceType::syslog, config.max_hosts),
      source_(make_source(config, processor_, health_, &checkpoints, resume)) {}

void RunningSource::start() {
  thread_ = std::jthread([this](std::stop_token stop) {
    try {
      source_->run(stop);
    } catch (const std::exception& error) {
      health_.set_up(false);
      spdlog::error("msg=\"source stopped\" source={} error={}", log_quoted(config_.name), log_quoted(error.what()));
    }
  });
}

void RunningSource::join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace mta
