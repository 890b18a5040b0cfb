#pragma once

#include <string_view>

namespace mta {

// Where a source or a framing stage delivers complete log lines.
class LineHandler {
 public:
  virtual ~LineHandler() = default;
  virtual void on_line(std::string_view line) = 0;
  // True while it keeps the start of a line back, waiting for the rest (a container runtime's partial
  // records): a checkpoint must then point before that start, so that a restart reads it again.
  virtual bool holds_partial() const { return false; }
};

}  // namespace mta
