#pragma once
// A log file read with the time of each line (LogClock), and the time range report's --since and --until select.

#include <optional>
#include <string>
#include <string_view>

#include "history/log_clock.hpp"
#include "history/log_file_reader.hpp"

namespace mta {

// The year of the first year-less line of `path`: `year` when given; else from the file's modification time
// (FirstYearScan, which reads the whole file once); for standard input ("-") and other files that are no regular
// file (a pipe: <(zcat ...)) the current year.
int first_year_of(const std::string& path, std::optional<int> year);

class TimedLog {
 public:
  // Throws std::runtime_error naming the file when it cannot be read.
  TimedLog(const std::string& path, std::optional<int> year);

  // Reads the next line; false at the end of the file. A line without a timestamp keeps the time of the line before
  // it: -infinity at the start of the file.
  bool advance();
  std::string_view line() const { return *line_; }
  double time() const { return time_; }
  bool stamped() const { return stamped_; }  // the line had a timestamp of its own
  LogFileReader& reader() { return reader_; }

 private:
  LogFileReader reader_;
  LogClock clock_;
  std::optional<std::string_view> line_;
  double time_;
  bool stamped_ = false;
};

// The lines of [since, until), open at an end that is not given.
struct TimeRange {
  std::optional<double> since;
  std::optional<double> until;

  bool limits() const { return since || until; }
  bool holds(double time) const { return (!since || time >= *since) && (!until || time < *until); }
};

// "2024-05-01" (local midnight), "2024-05-01T10:00:00", "2024-05-01 10:00" with an optional zone ("Z", "+02:00"):
// seconds since the epoch, or nothing.
std::optional<double> parse_time_argument(std::string_view text);

}  // namespace mta
