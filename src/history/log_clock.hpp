#pragma once
// The time of a log line, from the timestamp the syslog header stage finds at its start: RFC 3164
// "Mar  4 00:00:00" (local time, without a year), RFC 3339 "2023-03-15T00:00:06.046710+01:00" (RFC 5424 and
// rsyslog's high-precision format; local time when no zone follows) and "2024-01-01 00:00:00[.frac][ +0100]" (Exim's
// own log, syslog-ng templates). The year RFC 3164 leaves out comes from outside: the year of the file's first such
// line, counted up at every December -> January turn (next_month), as a log grows in time.

#include <array>
#include <ctime>
#include <optional>
#include <string_view>

namespace mta {

// Local times to seconds since the epoch. std::mktime() looks at the zone file on every call (glibc stats
// /etc/localtime again when TZ is unset), which cost report --format html two thirds of its time. Log lines come in
// time order, so the offset from UTC that mktime() last found is tried first: a time is taken with it when
// localtime_r(), which reads no file, turns the result back into the same local time; else mktime() decides. In the
// hour a clock is set back, where a local time occurs twice, the offset of the lines before it is kept.
class LocalTimes {
 public:
  // `fields` as std::mktime() takes them (tm_isdst is ignored: the zone's rule for that date decides); nothing where
  // mktime() fails.
  std::optional<std::time_t> seconds(const std::tm& fields);

 private:
  std::optional<std::time_t> offset_;  // east of UTC
};

// The timestamp at the start of a log line, as the header stage reads it; empty when the line has none.
std::string_view line_timestamp(std::string_view line);

// Seconds since the epoch of a timestamp of line_timestamp(), or nothing for any other text. `year` is used only by
// the RFC 3164 form. `local_times`: where local times are converted (a LocalTimes of its own when null).
std::optional<double> timestamp_seconds(std::string_view timestamp, int year, LocalTimes* local_times = nullptr);

// The month (0-11) of an RFC 3164 timestamp, or nothing for the other forms.
std::optional<int> classic_month(std::string_view timestamp);

// How the month of a year-less line follows the month of the line before it. Logs are written in time order, but
// relays and queues let a few lines arrive late: only a step back of more than six months (December -> January)
// starts the next year, and a step forward of more than six months (a late line of December after January's)
// belongs to the year before.
enum class MonthStep { same_year, next_year, year_before };
MonthStep next_month(int last_month, int month);  // last_month -1: the first line

class LogClock {
 public:
  explicit LogClock(int first_year) : year_(first_year) {}

  // The time of the line, or nothing when its start holds no timestamp.
  std::optional<double> time_of(std::string_view line);

 private:
  int year_;
  int last_month_ = -1;
  LocalTimes local_times_;
};

// Reads a whole file's RFC 3164 timestamps to find the year of its first line from the file's modification time.
class FirstYearScan {
 public:
  void see(std::string_view line);

  // The year of `modified` (local time), or the one before when the last RFC 3164 line's date falls more than a day
  // after it (a December log rotated in January), minus the December -> January turns between the first line and
  // the last.
  int first_year(std::time_t modified) const;

 private:
  int turns_ = 0;
  int last_month_ = -1;
  std::array<char, 32> last_timestamp_{};
  std::size_t last_timestamp_size_ = 0;
};

}  // namespace mta
