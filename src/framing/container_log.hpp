#pragma once
// Container runtimes wrap each log line: Docker's json-file driver writes
// {"log":"text\n","stream":"stdout","time":"..."} and Kubernetes' CRI writes
// "2016-10-06T00:17:09.669794202Z stdout F text". Both split long lines into partial records (Docker:
// no trailing \n; CRI: tag P), which are joined here before the line goes on.

#include <cstddef>
#include <string>
#include <string_view>

#include "framing/line_handler.hpp"

namespace mta {

enum class LogFormat { plain, docker, cri };

class ContainerLogDecoder final : public LineHandler {
 public:
  ContainerLogDecoder(LogFormat format, LineHandler& next, std::size_t max_line_length = 64 * 1024)
      : format_(format), next_(next), max_line_length_(max_line_length) {}

  void on_line(std::string_view record) override;
  bool holds_partial() const override { return !pending_.empty(); }
  std::size_t malformed() const { return malformed_; }
  std::size_t lines_too_long() const { return too_long_; }

 private:
  void on_docker(std::string_view record);
  void on_cri(std::string_view record);
  void append(std::string_view piece, bool complete);

  LogFormat format_;
  LineHandler& next_;
  std::size_t max_line_length_;
  std::string pending_;
  std::string decoded_;
  std::size_t malformed_ = 0;
  std::size_t too_long_ = 0;
  bool skipping_ = false;  // inside a line that exceeded the limit
};

}  // namespace mta
