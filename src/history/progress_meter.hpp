#pragma once
// What a long `report` run has done and has left, on a terminal: bytes read of the total, lines per second and
// the time left, redrawn in place on standard error a few times a second and summed up at the end. Nothing when
// standard error is no terminal (cron, pipes, tests of the output).

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace mta {

// The size of the files on disk, 0 (unknown) when one is standard input ("-") or cannot be read.
std::uint64_t total_size(const std::vector<std::string>& files);

class ProgressMeter {
 public:
  // `out`: where to draw, when `enabled` (isatty of standard error). `total_bytes`: of every file to read (on disk:
  // compressed for a .gz), 0 when unknown (standard input).
  ProgressMeter(std::ostream& out, bool enabled, std::uint64_t total_bytes);

  // Called for every line; true every few thousand lines on a terminal, when the caller is to call update().
  bool count_line() {
    ++lines_;
    return enabled_ && (lines_ & 0x3fff) == 0;
  }

  // Redraws the meter, at most five times a second.
  void update(std::uint64_t bytes_done);

  // Replaces the meter with a summary line.
  void finish(std::uint64_t bytes_done);

 private:
  std::ostream& out_;
  bool enabled_;
  std::uint64_t total_bytes_;
  std::uint64_t lines_ = 0;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point drawn_ = started_;
};

}  // namespace mta
