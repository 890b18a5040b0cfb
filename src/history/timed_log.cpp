#include "history/timed_log.hpp"

#include <sys/stat.h>

#include <ctime>
#include <limits>

namespace mta {

int first_year_of(const std::string& path, std::optional<int> year) {
  if (year) return *year;
  const std::time_t now = std::time(nullptr);
  // Only a regular file can be read twice: a pipe's lines would be used up by the scan.
  struct stat status {};
  if (path == "-" || ::stat(path.c_str(), &status) != 0 || !S_ISREG(status.st_mode)) {
    return FirstYearScan{}.first_year(now);  // a file that cannot be read: its reader names the error
  }
  FirstYearScan scan;
  LogFileReader reader(path);
  while (const std::optional<std::string_view> line = reader.next_line()) scan.see(*line);
  return scan.first_year(status.st_mtime);
}

TimedLog::TimedLog(const std::string& path, std::optional<int> year)
    : reader_(path), clock_(first_year_of(path, year)), time_(-std::numeric_limits<double>::infinity()) {}

bool TimedLog::advance() {
  line_ = reader_.next_line();
  if (!line_) return false;
  const std::optional<double> stamped = clock_.time_of(*line_);
  stamped_ = stamped.has_value();
  if (stamped) time_ = *stamped;
  return true;
}

std::optional<double> parse_time_argument(std::string_view text) {
  if (text.size() == 10) return timestamp_seconds(std::string(text) + " 00:00:00", 0);
  // "2024-05-01T10:00" without seconds, with or without a zone after it.
  if (text.size() >= 16 && (text.size() == 16 || text[16] != ':')) {
    std::string with_seconds(text);
    with_seconds.insert(16, ":00");
    return timestamp_seconds(with_seconds, 0);
  }
  return timestamp_seconds(text, 0);
}

}  // namespace mta
