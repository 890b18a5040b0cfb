#pragma once
// A LineHandler that keeps every line it is given, for the tests of the sources and framing stages. A source may
// call on_line() from a thread of its own: while it runs, read the lines through snapshot() or size().

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "framing/line_handler.hpp"

namespace mta::test {

struct Collect final : LineHandler {
  std::mutex mutex;
  std::vector<std::string> lines;

  void on_line(std::string_view line) override {
    std::lock_guard lock(mutex);
    lines.emplace_back(line);
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mutex);
    return lines;
  }
  std::size_t size() {
    std::lock_guard lock(mutex);
    return lines.size();
  }
};

}  // namespace mta::test
