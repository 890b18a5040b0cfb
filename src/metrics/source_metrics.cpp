#include "metrics/source_metrics.hpp"

#include <algorithm>
#include <chrono>

namespace mta {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;

}  // namespace

std::string_view syslog_rejection_name(SyslogRejection reason) {
  switch (reason) {
    case SyslogRejection::peer_not_allowed: return "peer_not_allowed";
    case SyslogRejection::peer_connection_limit: return "peer_connection_limit";
    case SyslogRejection::connection_limit: return "connection_limit";
    case SyslogRejection::tls_handshake: return "tls_handshake";
    case SyslogRejection::tls_handshake_timeout: return "tls_handshake_timeout";
  }
  return "unknown";
}

SourceMetricFamilies::SourceMetricFamilies(prometheus::Registry& registry)
    : up(BuildGauge()
             .Name("mta_exporter_source_up")
             .Help("1 while the source is open and readable (file open, socket bound, journal open), else 0.")
             .Register(registry)),
      bytes(
          BuildCounter().Name("mta_exporter_source_bytes_total").Help("Bytes read by the source.").Register(registry)),
      rotations(BuildCounter()
                    .Name("mta_exporter_source_rotations_total")
                    .Help("Log files the source moved on from after rename-and-create or delete-and-recreate rotation.")
                    .Register(registry)),
      truncations(BuildCounter()
                      .Name("mta_exporter_source_truncations_total")
                      .Help("Log files found truncated (copytruncate rotation) and read again from the start.")
                      .Register(registry)),
      lines_too_long(BuildCounter()
                         .Name("mta_exporter_source_lines_too_long_total")
                         .Help("Lines longer than max_line_length, dropped without being buffered.")
                         .Register(registry)),
      last_line_timestamp(BuildGauge()
                              .Name("mta_exporter_source_last_line_timestamp_seconds")
                              .Help("Unix time at which the source last delivered a line.")
                              .Register(registry)),
      restarts(BuildCounter()
                   .Name("mta_exporter_source_restarts_total")
                   .Help("Attempts to open the source anew after it failed (an error, or an end nobody asked for), "
                         "successful or not; each failure is logged with its error.")
                   .Register(registry)),
      syslog_dropped(BuildCounter()
                         .Name("mta_exporter_syslog_dropped_total")
                         .Help("Syslog datagrams the kernel dropped because the receive buffer was full.")
                         .Register(registry)),
      syslog_connections(BuildCounter()
                             .Name("mta_exporter_syslog_connections_total")
                             .Help("TCP connections accepted by a syslog source.")
                             .Register(registry)),
      syslog_invalid_frames(BuildCounter()
                                .Name("mta_exporter_syslog_invalid_frames_total")
                                .Help("Syslog frames rejected: malformed octet counts, frames over max_frame_size.")
                                .Register(registry)),
      syslog_messages(BuildCounter()
                          .Name("mta_exporter_syslog_messages_total")
                          .Help("Syslog messages received, by sending host (capped; the rest count as \"other\").")
                          .Register(registry)),
      syslog_rejected(BuildCounter()
                          .Name("mta_exporter_syslog_rejected_total")
                          .Help("Syslog datagrams and connections turned away, by reason: peer_not_allowed, "
                                "peer_connection_limit, connection_limit, tls_handshake, tls_handshake_timeout.")
                          .Register(registry)),
      checkpoint_last_write(BuildGauge()
                                .Name("mta_exporter_checkpoint_last_write_timestamp_seconds")
                                .Help("Unix time at which the checkpoint file last held every position: written "
                                      "then, or nothing had changed since. Absent without [checkpoint].")
                                .Register(registry)) {}

SourceHealth::SourceHealth(SourceMetricFamilies& families, std::string source, bool syslog, std::size_t max_hosts)
    : families_(families),
      source_(std::move(source)),
      max_hosts_(max_hosts),
      up_(families.up.Add({{"source", source_}})),
      bytes_(families.bytes.Add({{"source", source_}})),
      rotations_(families.rotations.Add({{"source", source_}})),
      truncations_(families.truncations.Add({{"source", source_}})),
      lines_too_long_(families.lines_too_long.Add({{"source", source_}})),
      last_line_timestamp_(families.last_line_timestamp.Add({{"source", source_}})),
      restarts_(families.restarts.Add({{"source", source_}})) {
  if (syslog) {
    syslog_dropped_ = &families.syslog_dropped.Add({{"source", source_}});
    syslog_connections_ = &families.syslog_connections.Add({{"source", source_}});
    syslog_invalid_frames_ = &families.syslog_invalid_frames.Add({{"source", source_}});
    // Every reason from the start, so that a rate() over them sees the first rejection.
    for (std::size_t reason = 0; reason < syslog_rejection_count; ++reason) {
      const std::string_view name = syslog_rejection_name(static_cast<SyslogRejection>(reason));
      syslog_rejected_[reason] = &families.syslog_rejected.Add({{"source", source_}, {"reason", std::string(name)}});
    }
  }
}

void remove_source_series(SourceMetricFamilies& families, const std::string& source) {
  remove_source_series(families.up, source);
  remove_source_series(families.bytes, source);
  remove_source_series(families.rotations, source);
  remove_source_series(families.truncations, source);
  remove_source_series(families.lines_too_long, source);
  remove_source_series(families.last_line_timestamp, source);
  remove_source_series(families.restarts, source);
  remove_source_series(families.syslog_dropped, source);
  remove_source_series(families.syslog_connections, source);
  remove_source_series(families.syslog_invalid_frames, source);
  remove_source_series(families.syslog_messages, source);
  remove_source_series(families.syslog_rejected, source);
}

void SourceHealth::mark_line_now() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  last_line_timestamp_.Set(std::chrono::duration<double>(now).count());
}

namespace {

// A host label must be a name or an address: anything else (invalid UTF-8 would break the whole
// scrape) counts as "invalid".
bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == ':' || c == '_';
  });
}

}  // namespace

void SourceHealth::count_host_message(std::string_view host) {
  if (max_hosts_ == 0) return;
  if (!is_host_name(host)) host = "invalid";
  if (const auto found = hosts_.find(host); found != hosts_.end()) {
    found->second->Increment();
    return;
  }
  if (hosts_.size() < max_hosts_) {
    prometheus::Counter& counter = families_.syslog_messages.Add({{"source", source_}, {"host", std::string(host)}});
    hosts_.emplace(std::string(host), &counter);
    counter.Increment();
    return;
  }
  if (other_hosts_ == nullptr) other_hosts_ = &families_.syslog_messages.Add({{"source", source_}, {"host", "other"}});
  other_hosts_->Increment();
}

}  // namespace mta
