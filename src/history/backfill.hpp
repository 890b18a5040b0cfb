#pragma once
// A log's history for Prometheus: the files read merged in the order of their lines' times (rotated files and the
// live one, several hosts), each through a pipeline of its own as `report` reads it, and the exposition scraped at
// the end of every step that had lines (OpenMetricsHistory).

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "history/progress_meter.hpp"
#include "history/timed_log.hpp"

namespace mta {

struct BackfillOptions {
  std::int64_t step_seconds = 60;
  // The year of each file's first RFC 3164 line; by default from the file's modification time (first_year_of).
  std::optional<int> year;
  TimeRange range;  // the lines outside it are not read
};

struct BackfillSummary {
  std::uint64_t lines = 0;               // of the range
  std::uint64_t lines_without_time = 0;  // counted at the time of the line before them in their file
  std::int64_t first_scrape = 0;
  std::int64_t last_scrape = 0;
  std::size_t series = 0;
  std::uint64_t samples = 0;
};

// Writes the OpenMetrics history of `files` ("-": standard input) to `out`. Throws std::runtime_error naming the
// file on a file that cannot be read, and when no line of any file holds a timestamp.
// `progress` hears of every line of the main read (not of the scan for the year).
BackfillSummary write_backfill(const std::vector<std::string>& files, const BackfillOptions& options, std::ostream& out,
                               ProgressMeter& progress);

}  // namespace mta
