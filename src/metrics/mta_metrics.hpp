#pragma once
// The metric families the agent exports, and a per-pipeline recorder that reaches each time series
// through a small cache keyed by packed label values, so the hot path never builds label maps or
// takes the registry lock once a series exists.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "classify/classifier.hpp"
#include "mta/parse_outcome.hpp"
#include "smtp/smtp_event.hpp"

namespace mta {

// mta_smtp_replies_total has no `source` label: every pipeline, and a pipeline re-created by a reload,
// reaches the same series for the same labels. Its series are therefore counted once, here, by the
// packed key of their (bounded) labels. The series with codes are held to a limit, a safety valve on
// top of the bounded labels: past it, a reply that would create a new one is counted without its
// codes (and in mta_exporter_reply_series_overflow_total). The last tenth of the limit is a reserve
// that only series of a known provider (a provider label other than "" and "other") with exact codes
// (a registered basic code, an enhanced code not collapsed to "x") may use, so that a remote server
// minting code combinations cannot crowd out the codes of the big providers. Series without codes,
// where the others fall back to, are always created and do not take from the limit: their number is
// bounded by the other labels, and they must not eat the reserve.
inline constexpr std::string_view kRepliesName = "mta_smtp_replies_total";
inline constexpr std::string_view kRepliesHelp =
    "SMTP replies found in mail logs, by MTA, direction, class, basic and enhanced code, cause and provider.";

struct MetricFamilies {
  static constexpr std::size_t kDefaultReplySeriesLimit = 20000;

  explicit MetricFamilies(prometheus::Registry& registry, std::size_t reply_series_limit = kDefaultReplySeriesLimit);

  // mta_smtp_replies_total, the family of up to the series limit, is held in a registry of its own: the page writes
  // it from reply_series_by_labels (render_exposition), not through prometheus-cpp's collect, which copies every
  // label of every series at each scrape.
  prometheus::Registry reply_registry;
  prometheus::Family<prometheus::Counter>& replies;
  prometheus::Family<prometheus::Counter>& deliveries;
  prometheus::Family<prometheus::Histogram>& delivery_delay;
  prometheus::Family<prometheus::Counter>& rejects;
  prometheus::Family<prometheus::Counter>& auth_failures;
  prometheus::Family<prometheus::Counter>& lines;
  prometheus::Family<prometheus::Counter>& class_mismatches;
  prometheus::Family<prometheus::Gauge>& build_info;
  prometheus::Counter& series_overflow;
  prometheus::Gauge& reply_series;

  const std::size_t reply_series_limit;
  // The part of the limit kept for known providers' exact codes.
  const std::size_t reply_series_reserve;

  // Taken only when a pipeline meets a reply series its own cache does not hold.
  std::mutex reply_series_mutex;
  // The packed label keys of every mta_smtp_replies_total series created; guarded by reply_series_mutex.
  std::unordered_set<std::uint64_t> reply_series_keys;
  // How many of them have codes, the series the limit counts; guarded by reply_series_mutex.
  std::size_t reply_series_with_codes = 0;

  // Every mta_smtp_replies_total series in the order it was created, with the labels the agent's own alert rules
  // group by; guarded by reply_series_mutex. Reply series are never removed, so an index stays valid.
  struct ReplySeries {
    prometheus::Counter* counter;
    Direction direction;
    int klass;
    Cause cause;
    ProviderId provider;
  };
  std::vector<ReplySeries> reply_series_index;

  // The same series in the page's order, by their label values in label-name order joined by '\0', each with its
  // label text as the page writes it ({cause="...",...}); guarded by reply_series_mutex.
  struct ReplySeriesText {
    std::string labels;
    prometheus::Counter* counter;
  };
  std::map<std::string, ReplySeriesText> reply_series_by_labels;
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
  // The mta_smtp_replies_total series of a reply whose key this pipeline's cache does not hold: one that
  // exists, a new one within the limit, or else the one without codes (see MetricFamilies).
  // `key`: the reply's series key; `basic`, `enhanced`, `provider`: the bounded values of its labels.
  prometheus::Counter& reply_series_on_miss(const SmtpEvent& event, const Verdict& verdict, std::uint64_t key,
                                            int basic, EnhancedCode enhanced, ProviderId provider);

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
  // Replies past the series limit: their key with codes, to the series without codes they are counted in.
  Cache<prometheus::Counter> overflowed_;
  static constexpr std::size_t kMaxOverflowed = 4096;
  Cache<prometheus::Counter> deliveries_;
  Cache<prometheus::Counter> rejects_;
  Cache<prometheus::Counter> auth_failures_;
  Cache<prometheus::Counter> mismatches_;
  Cache<prometheus::Histogram> delays_;
};

}  // namespace mta
