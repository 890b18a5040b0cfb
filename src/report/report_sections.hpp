#pragma once
// The sections of the report a person reads, computed once from a ReportTally for both of its forms (html_report,
// text_report): the chart's time buckets, the causes in order, the provider by cause matrix, and how times and
// durations are written.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "report/report_tally.hpp"
#include "report/report_words.hpp"

namespace mta {

// What the reader asked for besides the counts.
struct ReportPage {
  std::vector<std::string> files;
  ReportWords words;
  std::size_t top = 10;  // rows of the domain, client and provider tables
};

struct TimeBucket {
  std::int64_t start;  // seconds since the epoch
  ClassCounts replies;
};

// Replies over the whole period in buckets of whole hours or days, the smallest width that needs at most
// `max_buckets` of them; empty buckets between the first and the last are included.
struct TimeLine {
  std::int64_t width = 3600;
  std::vector<TimeBucket> buckets;
};
TimeLine time_line(const ReportTally& tally, std::size_t max_buckets);
// "Replies per hour, by class", "Replies per day, ..." or "Replies per 7 days, ...".
std::string time_line_title(const TimeLine& line, const ReportWords& words);

struct CauseRow {
  Cause cause;
  ClassCounts replies;
};
// The causes of 4xx and 5xx replies, most first.
std::vector<CauseRow> failure_causes(const ReportTally& tally);

// Outbound failures: the `top` providers with most of them (rows) by the causes among them (columns, most first,
// at most `max_causes`); cells[row][column], totals per row over all causes.
struct ProviderMatrix {
  std::vector<std::string_view> providers;
  std::vector<Cause> causes;
  std::vector<std::vector<std::uint64_t>> cells;
  std::vector<std::uint64_t> totals;
};
ProviderMatrix provider_matrix(const ReportTally& tally, std::size_t top, std::size_t max_causes);

// Quantiles the delay tables show, and their names.
inline constexpr double kDelayQuantiles[] = {0.5, 0.9, 0.95, 0.99};
inline constexpr std::string_view kDelayQuantileNames[] = {"p50", "p90", "p95", "p99"};

// "2024-05-01 10:00 UTC" (`with_hour`) or "2024-05-01".
std::string utc_time(std::int64_t seconds, bool with_hour);
// "0.4 s", "12 s", "4 min 10 s", "3 h 5 min", "2 d 4 h".
std::string human_duration(double seconds);
// "12.5 %" of `part` in `whole`, "0 %" when whole is 0.
std::string percent(std::uint64_t part, std::uint64_t whole);
// Class names in ClassCounts order.
inline constexpr std::string_view kClassNames[] = {"2xx", "4xx", "5xx"};

}  // namespace mta
