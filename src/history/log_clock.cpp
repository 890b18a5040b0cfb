#include "history/log_clock.hpp"

#include <algorithm>
#include <charconv>

#include "smtp/ascii.hpp"
#include "syslog/syslog_header.hpp"

namespace mta {
namespace {

constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";

// Reads exactly `width` digits at `pos`.
bool read_digits(std::string_view text, std::size_t pos, std::size_t width, int& value) {
  if (pos + width > text.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (!is_digit(text[i])) return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

// ".046710" at `pos`: the fraction of a second, advancing `pos`; 0 when there is none.
double read_fraction(std::string_view text, std::size_t& pos) {
  if (pos >= text.size() || text[pos] != '.') return 0;
  std::size_t end = pos + 1;
  while (end < text.size() && is_digit(text[end])) ++end;
  double fraction = 0;
  std::from_chars(text.data() + pos, text.data() + end, fraction);  // ".046710" reads as 0.046710
  pos = end;
  return fraction;
}

// "HH:MM:SS" at `pos`, advancing past it.
bool read_clock(std::string_view text, std::size_t& pos, std::tm& fields) {
  if (!read_digits(text, pos, 2, fields.tm_hour) || pos + 8 > text.size() || text[pos + 2] != ':' ||
      !read_digits(text, pos + 3, 2, fields.tm_min) || text[pos + 5] != ':' ||
      !read_digits(text, pos + 6, 2, fields.tm_sec)) {
    return false;
  }
  pos += 8;
  return fields.tm_hour < 24 && fields.tm_min < 60 && fields.tm_sec <= 60;
}

// "Z", "+01:00", "+0100" at `pos`, ending the text: the zone's offset east of UTC in seconds into `offset`; nothing
// there (local time) leaves it empty. False for anything else.
bool read_zone(std::string_view text, std::size_t pos, std::optional<int>& offset) {
  offset.reset();
  const std::string_view zone = text.substr(pos);
  if (zone.empty()) return true;
  if (zone == "Z") {
    offset = 0;
    return true;
  }
  int hours = 0;
  int minutes = 0;
  const bool with_colon = zone.size() == 6 && zone[3] == ':';
  if ((zone[0] != '+' && zone[0] != '-') || !(with_colon || zone.size() == 5) || !read_digits(zone, 1, 2, hours) ||
      !read_digits(zone, with_colon ? 4 : 3, 2, minutes)) {
    return false;
  }
  offset = (zone[0] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
  return true;
}

std::optional<double> local_or_zoned(std::tm fields, double fraction, std::optional<int> zone,
                                     LocalTimes& local_times) {
  if (fields.tm_mon < 0 || fields.tm_mon > 11 || fields.tm_mday < 1 || fields.tm_mday > 31) return std::nullopt;
  std::optional<std::time_t> seconds;
  if (zone) {
    seconds = ::timegm(&fields) - *zone;
  } else {
    seconds = local_times.seconds(fields);
  }
  if (!seconds || *seconds == static_cast<std::time_t>(-1)) return std::nullopt;
  return static_cast<double>(*seconds) + fraction;
}

// "2023-03-15T00:00:06.046710+01:00" or "2024-01-01 00:00:00.123 +0100".
std::optional<double> dated_seconds(std::string_view text, LocalTimes& local_times) {
  std::tm fields{};
  int year = 0;
  int month = 0;
  if (!read_digits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' || !read_digits(text, 5, 2, month) ||
      text[7] != '-' || !read_digits(text, 8, 2, fields.tm_mday) || (text[10] != 'T' && text[10] != ' ')) {
    return std::nullopt;
  }
  std::size_t pos = 11;
  if (!read_clock(text, pos, fields)) return std::nullopt;
  const double fraction = read_fraction(text, pos);
  if (text[10] == ' ' && pos < text.size() && text[pos] == ' ') ++pos;  // "... 00:00:00 +0100"
  std::optional<int> zone;
  if (!read_zone(text, pos, zone)) return std::nullopt;
  fields.tm_year = year - 1900;
  fields.tm_mon = month - 1;
  return local_or_zoned(fields, fraction, zone, local_times);
}

}  // namespace

std::string_view line_timestamp(std::string_view line) {
  SyslogRecord record;
  // Both readers take the timestamp before the rest of the header, which an MTA's own log (Exim's mainlog) lacks.
  if (parse_syslog_line(line, record) || !record.timestamp.empty()) return record.timestamp;
  parse_partial_syslog_line(line, record);
  return record.timestamp;
}

std::optional<int> classic_month(std::string_view timestamp) {
  if (timestamp.size() < 15 || timestamp[3] != ' ') return std::nullopt;
  const std::size_t found = kMonths.find(timestamp.substr(0, 3));
  if (found == std::string_view::npos || found % 3 != 0) return std::nullopt;
  return static_cast<int>(found / 3);
}

std::optional<std::time_t> LocalTimes::seconds(const std::tm& fields) {
  std::tm as_utc = fields;
  const std::time_t naive = ::timegm(&as_utc);  // the local time's fields read as UTC
  if (offset_) {
    const std::time_t guess = naive - *offset_;
    std::tm local{};
    if (::localtime_r(&guess, &local) != nullptr && local.tm_sec == fields.tm_sec && local.tm_min == fields.tm_min &&
        local.tm_hour == fields.tm_hour && local.tm_mday == fields.tm_mday && local.tm_mon == fields.tm_mon &&
        local.tm_year == fields.tm_year) {
      return guess;
    }
  }
  std::tm local = fields;
  local.tm_isdst = -1;  // the zone's rule for that date
  const std::time_t converted = std::mktime(&local);
  if (converted == static_cast<std::time_t>(-1)) return std::nullopt;
  offset_ = naive - converted;
  return converted;
}

std::optional<double> timestamp_seconds(std::string_view timestamp, int year, LocalTimes* local_times) {
  LocalTimes own;
  LocalTimes& local = local_times != nullptr ? *local_times : own;
  const std::optional<int> month = classic_month(timestamp);
  if (!month) return dated_seconds(timestamp, local);
  // "Mar  4 00:00:00", "Mar 14 00:00:00", with fractional seconds if the writer adds them.
  std::tm fields{};
  std::size_t pos = timestamp[4] == ' ' ? 5 : 4;
  std::size_t digits = 0;
  while (pos + digits < timestamp.size() && is_digit(timestamp[pos + digits])) ++digits;
  if (digits == 0 || digits > 2 || !read_digits(timestamp, pos, digits, fields.tm_mday)) return std::nullopt;
  pos += digits;
  if (pos >= timestamp.size() || timestamp[pos] != ' ') return std::nullopt;
  ++pos;
  if (!read_clock(timestamp, pos, fields)) return std::nullopt;
  const double fraction = read_fraction(timestamp, pos);
  if (pos != timestamp.size()) return std::nullopt;
  fields.tm_year = year - 1900;
  fields.tm_mon = *month;
  return local_or_zoned(fields, fraction, std::nullopt, local);
}

MonthStep next_month(int last_month, int month) {
  if (last_month < 0) return MonthStep::same_year;
  if (month + 6 < last_month) return MonthStep::next_year;
  if (month > last_month + 6) return MonthStep::year_before;
  return MonthStep::same_year;
}

std::optional<double> LogClock::time_of(std::string_view line) {
  const std::string_view timestamp = line_timestamp(line);
  if (timestamp.empty()) return std::nullopt;
  const std::optional<int> month = classic_month(timestamp);
  if (!month) return timestamp_seconds(timestamp, year_, &local_times_);
  switch (next_month(last_month_, *month)) {
    case MonthStep::year_before: return timestamp_seconds(timestamp, year_ - 1, &local_times_);
    case MonthStep::next_year: ++year_; break;
    case MonthStep::same_year: break;
  }
  last_month_ = *month;
  return timestamp_seconds(timestamp, year_, &local_times_);
}

void FirstYearScan::see(std::string_view line) {
  const std::string_view timestamp = line_timestamp(line);
  const std::optional<int> month = classic_month(timestamp);
  if (!month) return;
  const MonthStep step = next_month(last_month_, *month);
  if (step == MonthStep::year_before) return;
  if (step == MonthStep::next_year) ++turns_;
  last_month_ = *month;
  last_timestamp_size_ = std::min(timestamp.size(), last_timestamp_.size());
  std::copy_n(timestamp.begin(), last_timestamp_size_, last_timestamp_.begin());
}

int FirstYearScan::first_year(std::time_t modified) const {
  std::tm local{};
  ::localtime_r(&modified, &local);
  int last_year = local.tm_year + 1900;
  const std::string_view last(last_timestamp_.data(), last_timestamp_size_);
  if (const std::optional<double> last_line = timestamp_seconds(last, last_year);
      last_line && *last_line > static_cast<double>(modified) + 86400) {
    --last_year;
  }
  return last_year - turns_;
}

}  // namespace mta
