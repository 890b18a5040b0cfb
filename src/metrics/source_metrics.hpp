#pragma once
// Self-metrics of the log sources, labelled by source: whether it is open, what it read, rotations,
// over-long lines, restarts after errors, syslog drops, connections and rejected peers, and when it last
// delivered a line.

#include <prometheus/client_metric.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mta {

// Why a syslog listener turned a peer away: the `reason` label of mta_exporter_syslog_rejected_total.
enum class SyslogRejection {
  peer_not_allowed,       // not in allowed_peers (a datagram or a connection)
  peer_connection_limit,  // the peer already holds max_connections_per_peer
  connection_limit,       // the listener already holds max_connections
  tls_handshake,          // the TLS handshake failed: plain TCP, a refused or missing client certificate
  tls_handshake_timeout,  // the TLS handshake did not finish in time
};
inline constexpr std::size_t syslog_rejection_count =
    static_cast<std::size_t>(SyslogRejection::tls_handshake_timeout) + 1;
std::string_view syslog_rejection_name(SyslogRejection reason);

struct SourceMetricFamilies {
  explicit SourceMetricFamilies(prometheus::Registry& registry);

  prometheus::Family<prometheus::Gauge>& up;
  prometheus::Family<prometheus::Counter>& bytes;
  prometheus::Family<prometheus::Counter>& rotations;
  prometheus::Family<prometheus::Counter>& truncations;
  prometheus::Family<prometheus::Counter>& lines_too_long;
  prometheus::Family<prometheus::Gauge>& last_line_timestamp;
  prometheus::Family<prometheus::Counter>& restarts;
  prometheus::Family<prometheus::Counter>& syslog_dropped;
  prometheus::Family<prometheus::Counter>& syslog_connections;
  prometheus::Family<prometheus::Counter>& syslog_invalid_frames;
  prometheus::Family<prometheus::Counter>& syslog_messages;
  prometheus::Family<prometheus::Counter>& syslog_rejected;
  prometheus::Family<prometheus::Gauge>& checkpoint_last_write;
};

// The series of one source, resolved once.
class SourceHealth {
 public:
  // `syslog` adds the series only a syslog receiver has (drops, connections, invalid frames, rejections).
  SourceHealth(SourceMetricFamilies& families, std::string source, bool syslog = false, std::size_t max_hosts = 0);

  void set_up(bool up) { up_.Set(up ? 1 : 0); }
  void add_bytes(std::size_t count) { bytes_.Increment(static_cast<double>(count)); }
  void count_rotation() { rotations_.Increment(); }
  void count_truncation() { truncations_.Increment(); }
  void add_lines_too_long(std::size_t count) {
    if (count != 0) lines_too_long_.Increment(static_cast<double>(count));
  }
  void mark_line_now();
  void count_restart() { restarts_.Increment(); }
  void add_syslog_dropped(std::size_t count) {
    if (syslog_dropped_ != nullptr) syslog_dropped_->Increment(static_cast<double>(count));
  }
  void count_syslog_connection() {
    if (syslog_connections_ != nullptr) syslog_connections_->Increment();
  }
  void count_invalid_frame() {
    if (syslog_invalid_frames_ != nullptr) syslog_invalid_frames_->Increment();
  }
  void count_syslog_rejected(SyslogRejection reason) {
    if (prometheus::Counter* counter = syslog_rejected_[static_cast<std::size_t>(reason)]) counter->Increment();
  }
  // Counts a message from `host`; hosts beyond the cap share the label "other". Only with max_hosts > 0.
  void count_host_message(std::string_view host);

  const std::string& source() const { return source_; }

 private:
  SourceMetricFamilies& families_;
  std::string source_;
  std::size_t max_hosts_;
  prometheus::Gauge& up_;
  prometheus::Counter& bytes_;
  prometheus::Counter& rotations_;
  prometheus::Counter& truncations_;
  prometheus::Counter& lines_too_long_;
  prometheus::Gauge& last_line_timestamp_;
  prometheus::Counter& restarts_;
  prometheus::Counter* syslog_dropped_ = nullptr;
  prometheus::Counter* syslog_connections_ = nullptr;
  prometheus::Counter* syslog_invalid_frames_ = nullptr;
  std::array<prometheus::Counter*, syslog_rejection_count> syslog_rejected_{};
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, prometheus::Counter*, StringHash, std::equal_to<>> hosts_;
  prometheus::Counter* other_hosts_ = nullptr;
};

// Removes every series of `family` labelled with `source`: a source gone from the configuration must not
// leave a frozen series behind (an alert on it would fire forever). Only once nothing counts into them.
template <typename Metric>
void remove_source_series(prometheus::Family<Metric>& family, const std::string& source) {
  for (const prometheus::MetricFamily& collected : family.Collect()) {
    for (const prometheus::ClientMetric& series : collected.metric) {
      prometheus::Labels labels;
      for (const prometheus::ClientMetric::Label& label : series.label) labels.emplace(label.name, label.value);
      const auto label = labels.find("source");
      // Add() finds the existing series: the family hands out no other pointer to it.
      if (label != labels.end() && label->second == source) family.Remove(&family.Add(labels));
    }
  }
}

// Every series SourceHealth made for `source`.
void remove_source_series(SourceMetricFamilies& families, const std::string& source);

}  // namespace mta
