#include "history/progress_meter.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

namespace mta {
namespace {

constexpr auto kRedraw = std::chrono::milliseconds(200);

std::string megabytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

std::string minutes_and_seconds(double seconds) {
  const auto whole = static_cast<long long>(seconds + 0.5);
  char text[32];
  std::snprintf(text, sizeof text, "%lld:%02lld", whole / 60, whole % 60);
  return text;
}

}  // namespace

std::uint64_t total_size(const std::vector<std::string>& files) {
  std::uint64_t total = 0;
  for (const std::string& file : files) {
    std::error_code error;
    const std::uintmax_t size = file == "-" ? 0 : std::filesystem::file_size(file, error);
    if (file == "-" || error) return 0;
    total += size;
  }
  return total;
}

ProgressMeter::ProgressMeter(std::ostream& out, bool enabled, std::uint64_t total_bytes)
    : out_(out), enabled_(enabled), total_bytes_(total_bytes) {}

void ProgressMeter::update(std::uint64_t bytes_done) {
  const auto now = std::chrono::steady_clock::now();
  if (now - drawn_ < kRedraw) return;
  drawn_ = now;
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  std::string text = megabytes(bytes_done);
  if (total_bytes_ > 0) {
    const double done = std::min(1.0, static_cast<double>(bytes_done) / static_cast<double>(total_bytes_));
    char percent[16];
    std::snprintf(percent, sizeof percent, " (%.0f %%)", 100 * done);
    text += " of " + megabytes(total_bytes_) + percent;
    if (done > 0) text += ", " + minutes_and_seconds(elapsed / done - elapsed) + " left";
  }
  char rate[48];
  std::snprintf(rate, sizeof rate, ", %.0f lines/s", static_cast<double>(lines_) / elapsed);
  out_ << "\r\x1b[K" << text << rate << std::flush;
}

void ProgressMeter::finish(std::uint64_t bytes_done) {
  if (!enabled_) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.0f lines/s", elapsed > 0 ? static_cast<double>(lines_) / elapsed : 0.0);
  out_ << "\r\x1b[K"
       << "read " << megabytes(bytes_done) << ", " << lines_ << " lines in " << minutes_and_seconds(elapsed) << ", "
       << rate << '\n'
       << std::flush;
}

}  // namespace mta
