#include "report/report_sections.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>

namespace mta {

TimeLine time_line(const ReportTally& tally, std::size_t max_buckets) {
  TimeLine line;
  const auto& periods = tally.replies_by_period();
  if (periods.empty() || max_buckets == 0) return line;
  const std::int64_t first = periods.begin()->first;
  const std::int64_t last = periods.rbegin()->first;
  const auto buckets_of = [&](std::int64_t width) {
    return static_cast<std::size_t>(last / width - first / width) + 1;
  };
  // Widths that hold whole periods of the tally: its own, then whole days (or whole multiples of its periods once
  // they are longer than a day), the first as many as it takes.
  line.width = tally.period_seconds();
  const std::int64_t step = std::max<std::int64_t>(line.width, 86400);
  if (buckets_of(line.width) > max_buckets) {
    const std::int64_t span = last - first + line.width;
    line.width = std::max<std::int64_t>(1, span / step / static_cast<std::int64_t>(max_buckets)) * step;
    while (buckets_of(line.width) > max_buckets) line.width += step;
  }
  const std::int64_t origin = first / line.width * line.width;
  line.buckets.resize(buckets_of(line.width));
  for (std::size_t i = 0; i < line.buckets.size(); ++i)
    line.buckets[i].start = origin + static_cast<std::int64_t>(i) * line.width;
  for (const auto& [start, replies] : periods) {
    TimeBucket& bucket = line.buckets[static_cast<std::size_t>((start - origin) / line.width)];
    for (std::size_t klass = 0; klass < replies.size(); ++klass) bucket.replies[klass] += replies[klass];
  }
  return line;
}

std::string time_line_title(const TimeLine& line, const ReportWords& words) {
  if (line.width == 3600) return std::string(words.replies_per_hour);
  if (line.width == 86400) return std::string(words.replies_per_day);
  std::string title(words.replies_per_days);
  return title.replace(title.find("{}"), 2, std::to_string(line.width / 86400));
}

std::vector<CauseRow> failure_causes(const ReportTally& tally) {
  std::vector<CauseRow> rows;
  for (const auto& [cause, replies] : tally.replies_by_cause()) {
    if (replies[1] + replies[2] > 0) rows.push_back({cause, {0, replies[1], replies[2]}});
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const CauseRow& a, const CauseRow& b) { return total_of(a.replies) > total_of(b.replies); });
  return rows;
}

ProviderMatrix provider_matrix(const ReportTally& tally, std::size_t top, std::size_t max_causes) {
  std::map<std::string_view, std::uint64_t> by_provider;
  std::map<Cause, std::uint64_t> by_cause;
  for (const auto& [key, count] : tally.outbound_failures()) {
    by_provider[key.first] += count;
    by_cause[key.second] += count;
  }
  const auto most_first = [](auto& entries) {
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  };
  std::vector<std::pair<std::string_view, std::uint64_t>> providers(by_provider.begin(), by_provider.end());
  std::vector<std::pair<Cause, std::uint64_t>> causes(by_cause.begin(), by_cause.end());
  most_first(providers);
  most_first(causes);
  ProviderMatrix matrix;
  for (std::size_t i = 0; i < providers.size() && i < top; ++i) {
    matrix.providers.push_back(providers[i].first);
    matrix.totals.push_back(providers[i].second);
  }
  for (std::size_t i = 0; i < causes.size() && i < max_causes; ++i) matrix.causes.push_back(causes[i].first);
  for (const std::string_view provider : matrix.providers) {
    std::vector<std::uint64_t>& row = matrix.cells.emplace_back();
    for (const Cause cause : matrix.causes) {
      const auto found = tally.outbound_failures().find({provider, cause});
      row.push_back(found == tally.outbound_failures().end() ? 0 : found->second);
    }
  }
  return matrix;
}

std::string utc_time(std::int64_t seconds, bool with_hour) {
  const std::time_t time = seconds;
  std::tm fields{};
  ::gmtime_r(&time, &fields);
  char text[40];
  std::strftime(text, sizeof text, with_hour ? "%Y-%m-%d %H:%M UTC" : "%Y-%m-%d", &fields);
  return text;
}

std::string human_duration(double seconds) {
  char text[48];
  if (!(seconds < 1e9)) {  // past thirty years (or infinite): only a hostile line says so, in seconds
    std::snprintf(text, sizeof text, "%.3g s", seconds);
  } else if (seconds < 10) {
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  } else if (seconds < 60) {
    std::snprintf(text, sizeof text, "%.0f s", seconds);
  } else {
    const auto whole = static_cast<std::uint64_t>(std::llround(seconds));
    const auto days = whole / 86400, hours = whole / 3600 % 24, minutes = whole / 60 % 60, rest = whole % 60;
    if (days > 0) {
      std::snprintf(text, sizeof text, "%llu d %llu h", static_cast<unsigned long long>(days),
                    static_cast<unsigned long long>(hours));
    } else if (hours > 0) {
      std::snprintf(text, sizeof text, "%llu h %llu min", static_cast<unsigned long long>(hours),
                    static_cast<unsigned long long>(minutes));
    } else {
      std::snprintf(text, sizeof text, "%llu min %llu s", static_cast<unsigned long long>(minutes),
                    static_cast<unsigned long long>(rest));
    }
  }
  return text;
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "0 %";
  char text[24];
  std::snprintf(text, sizeof text, "%.1f %%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return text;
}

}  // namespace mta
