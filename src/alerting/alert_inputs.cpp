#include "alerting/alert_inputs.hpp"

#include <map>
#include <mutex>
#include <string>

namespace mta {
namespace {

std::string label_value(const prometheus::ClientMetric& metric, std::string_view name) {
  for (const prometheus::ClientMetric::Label& label : metric.label) {
    if (label.name == name) return label.value;
  }
  return {};
}

}  // namespace

const AlertInputs& AlertInputReader::read() {
  {
    // Only the series created since the last read are copied under the lock.
    std::lock_guard lock(families_.reply_series_mutex);
    for (std::size_t i = counters_.size(); i < families_.reply_series_index.size(); ++i) {
      const MetricFamilies::ReplySeries& series = families_.reply_series_index[i];
      counters_.push_back(series.counter);
      inputs_.replies.push_back({series.direction, series.klass, series.cause, series.provider, 0});
    }
  }
  for (std::size_t i = 0; i < counters_.size(); ++i) inputs_.replies[i].total = counters_[i]->Value();

  inputs_.auth_failures = 0;
  for (const prometheus::MetricFamily& family : families_.auth_failures.Collect()) {
    for (const prometheus::ClientMetric& metric : family.metric) inputs_.auth_failures += metric.counter.value;
  }
  std::map<std::string, SourceCounts> sources;
  for (const prometheus::MetricFamily& family : families_.lines.Collect()) {
    for (const prometheus::ClientMetric& metric : family.metric) {
      const std::string name = label_value(metric, "source");
      SourceCounts& counts = sources[name];
      counts.name = name;
      const std::string result = label_value(metric, "result");
      (result == "matched"     ? counts.matched
       : result == "unmatched" ? counts.unmatched
                               : counts.ignored) = metric.counter.value;
    }
  }
  for (const prometheus::MetricFamily& family : source_families_.last_line_timestamp.Collect()) {
    for (const prometheus::ClientMetric& metric : family.metric) {
      if (const auto found = sources.find(label_value(metric, "source")); found != sources.end()) {
        found->second.last_line_timestamp = metric.gauge.value;
      }
    }
  }
  inputs_.sources.clear();
  for (auto& [name, counts] : sources) inputs_.sources.push_back(std::move(counts));
  return inputs_;
}

}  // namespace mta
