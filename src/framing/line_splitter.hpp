#pragma once
// Cuts a byte stream into lines. A partial last line is held until its newline arrives; a line
// longer than the limit is dropped (and counted) instead of being buffered without bound.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mta {

class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line_length = 64 * 1024) : max_line_length_(max_line_length) {}

  // Calls on_line(std::string_view) for every complete line in `chunk`, without its "\n" or "\r\n".
  template <typename OnLine>
  void feed(std::string_view chunk, OnLine&& on_line);

  // Hands over a held partial line (at the end of a file that will not grow any more).
  template <typename OnLine>
  void flush(OnLine&& on_line);

  // Forgets a held partial line (the file was truncated or replaced).
  void discard_partial() {
    partial_.clear();
    skipping_ = false;
  }

  bool has_partial() const { return !partial_.empty(); }
  // Bytes held back: of a partial line, or of an over-long line being skipped (unknown, so 0).
  std::size_t partial_size() const { return partial_.size(); }
  std::uint64_t lines_too_long() const { return lines_too_long_; }

 private:
  static std::string_view trim_cr(std::string_view line) {
    return !line.empty() && line.back() == '\r' ? line.substr(0, line.size() - 1) : line;
  }

  std::size_t max_line_length_;
  std::string partial_;
  bool skipping_ = false;  // inside a line that exceeded the limit
  std::uint64_t lines_too_long_ = 0;
};

template <typename OnLine>
void LineSplitter::feed(std::string_view chunk, OnLine&& on_line) {
  while (!chunk.empty()) {
    const std::size_t newline = chunk.find('\n');
    if (newline == std::string_view::npos) {
      if (skipping_) return;
      if (partial_.size() + chunk.size() > max_line_length_) {
        partial_.clear();
        skipping_ = true;
        ++lines_too_long_;
        return;
      }
      partial_.append(chunk);
      return;
    }
    const std::string_view piece = chunk.substr(0, newline);
    chunk.remove_prefix(newline + 1);
    if (skipping_) {
      skipping_ = false;
      continue;
    }
    if (partial_.empty()) {
      if (piece.size() > max_line_length_) {
        ++lines_too_long_;
        continue;
      }
      on_line(trim_cr(piece));
      continue;
    }
    if (partial_.size() + piece.size() > max_line_length_) {
      ++lines_too_long_;
    } else {
      partial_.append(piece);
      on_line(trim_cr(partial_));
    }
    partial_.clear();
  }
}

template <typename OnLine>
void LineSplitter::flush(OnLine&& on_line) {
  if (!partial_.empty()) on_line(trim_cr(partial_));
  discard_partial();
}

}  // namespace mta
