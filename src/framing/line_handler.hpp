#pragma once

#include <string_view>

namespace mta {

// Where a source or a framing stage delivers complete log lines.
class LineHandler {
 public:
  virtual ~LineHandler() = default;
  virtual void on_line(std::string_view line) = 0;
};

}  // namespace mta
