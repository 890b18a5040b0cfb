#pragma once
// The metric families the agent exports, and a per-pipeline recorder that reaches each time series
// through a small cache keyed by packed label values, so the hot path never builds label maps or
// takes the registry lock once a series exists.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "classify/classifier.hpp"
#include "mta/parse_outcome.hpp"
#include "smtp/smtp_event.hpp"

namespace mta {

struct MetricFamilies {
  explicit MetricFamilies(prometheus::Registry& registry);

  prometheus::Family<prometheus::Counter>& replies;
  prometheus::Family<prometheus::Counter>& deliveries;
  prometheus::Family<prometheus::Histogram>& delivery_delay;
  prometheus::Family<prometheus::Counter>& rejects;
  prometheus::Family<prometheus::Counter>& auth_failures;
  prometheus::Family<prometheus::Counter>& lines;
  prometheus::Family<prometheus::Counter>& class_mismatches;
  prometheus::Family<prometheus::Gauge>& build_info;
  prometheus::Counter& series_overflow;

  // A safety valve on top of the bounded labels: past this many mta_smtp_replies_total series (each
  // pipeline counts those it creates), new code combinations are counted without their codes.
  std::size_t max_reply_series = 20000;
  std::atomic<std::size_t> reply_series{0};
};

// Label text of a code, bounded: unregistered enhanced codes collapse to "5.7.x" (or "5.x.x" for an
// unknown subject), unknown basic codes to "5xx".
// `provider`: identified from the remote host; its documented codes stay exact.
std::string enhanced_code_label(const Knowledge& knowledge, EnhancedCode code, ProviderId provider = kNoProvider);
std::string basic_code_label(const Knowledge& knowledge, int basic);
// SASL mechanism label from a bounded list, "other" for the rest.
std::string_view mechanism_label(std::string_view mechanism);
// Provider label: set for outbound replies only.
std::string_view provider_label(const Knowledge& knowledge, Direction direction, ProviderId provider);

class MetricsRecorder {
 public:
  MetricsRecorder(MetricFamilies& families, const Knowledge& knowledge, std::string source);

  void count_line(ParseOutcome outcome);
  void count_event(const SmtpEvent& event, const Verdict& verdict);

 private:
  template <typename Metric>
  using Cache = std::unordered_map<std::uint64_t, Metric*>;

  // Finds the series for `key`, creating it with `make()` (which takes the registry lock) on a miss.
  template <typename Metric, typename Make>
  static Metric& lookup(Cache<Metric>& cache, std::uint64_t key, Make make) {
    if (const auto found = cache.find(key); found != cache.end()) return *found->second;
    Metric& metric = make();
    cache.emplace(key, &metric);
    return metric;
  }

  MetricFamilies& families_;
  const Knowledge& knowledge_;
  std::string source_;
  prometheus::Counter* line_counters_[3];
  Cache<prometheus::Counter> replies_;
  Cache<prometheus::Counter> deliveries_;
  Cache<prometheus::Counter> rejects_;
  Cache<prometheus::Counter> auth_failures_;
  Cache<prometheus::Counter> mismatches_;
  Cache<prometheus::Histogram> delays_;
};

}  // namespace mta
