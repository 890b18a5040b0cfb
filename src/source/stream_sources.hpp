#pragma once
// The sources that read a stream once: standard input, and the demo replay of a file.

#include <cstddef>

#include "framing/line_handler.hpp"
#include "metrics/source_metrics.hpp"
#include "source/replay_source.hpp"
#include "source/source.hpp"

namespace mta {

// Counts what passes to the pipeline in the source's health series.
class CountingHandler final : public LineHandler {
 public:
  CountingHandler(LineHandler& next, SourceHealth& health) : next_(next), health_(health) {}
  void on_line(std::string_view line) override {
    health_.add_bytes(line.size() + 1);
    next_.on_line(line);
    health_.mark_line_now();
  }

 private:
  LineHandler& next_;
  SourceHealth& health_;
};

class StdinSource final : public Source {
 public:
  StdinSource(LineHandler& handler, SourceHealth& health, std::size_t max_line_length)
      : counting_(handler, health), health_(health), max_line_length_(max_line_length) {}
  void run(std::stop_token stop) override;
  bool ready() const override { return true; }

 private:
  CountingHandler counting_;
  SourceHealth& health_;
  std::size_t max_line_length_;
};

class ReplaySource final : public Source {
 public:
  ReplaySource(ReplayOptions options, LineHandler& handler, SourceHealth& health)
      : options_(std::move(options)), counting_(handler, health), health_(health) {}
  void run(std::stop_token stop) override;
  bool ready() const override { return true; }

 private:
  ReplayOptions options_;
  CountingHandler counting_;
  SourceHealth& health_;
};

}  // namespace mta
