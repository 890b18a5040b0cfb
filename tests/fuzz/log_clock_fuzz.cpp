#include <cmath>
#include <cstdint>
#include <string_view>

#include "history/log_clock.hpp"

// The time of a log line as report --format openmetrics reads it: any bytes give a time or none, never a crash, and
// a time is a number.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  mta::LogClock clock(2024);
  for (int turn = 0; turn < 2; ++turn) {  // twice: the second read may count the year up
    if (const auto seconds = clock.time_of(line); seconds && !std::isfinite(*seconds)) __builtin_trap();
  }
  mta::FirstYearScan scan;
  scan.see(line);
  scan.first_year(0);
  return 0;
}
