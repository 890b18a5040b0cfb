#include "source/replay_source.hpp"

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "framing/line_splitter.hpp"
#include "source/interruptible_sleep.hpp"

namespace mta {

void replay_file(const ReplayOptions& options, std::stop_token stop, LineHandler& handler) {
  std::ifstream in(options.path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read replay file " + options.path);
  std::ostringstream content;
  content << in.rdbuf();
  std::vector<std::string> lines;
  LineSplitter splitter;
  const auto keep = [&lines](std::string_view line) { lines.emplace_back(line); };
  splitter.feed(content.str(), keep);
  splitter.flush(keep);
  if (lines.empty()) return;

  using Clock = std::chrono::steady_clock;
  constexpr std::chrono::milliseconds tick{100};
  const double per_tick = options.lines_per_second * 0.1;
  double budget = 0;
  std::size_t next = 0;
  auto deadline = Clock::now();
  while (!stop.stop_requested()) {
    budget += per_tick;
    while (budget >= 1) {
      if (next == lines.size()) {
        if (!options.loop) return;
        next = 0;
      }
      handler.on_line(lines[next++]);
      budget -= 1;
    }
    deadline += tick;
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (wait.count() > 0 && !sleep_unless_stopped(stop, wait)) return;
  }
}

}  // namespace mta
