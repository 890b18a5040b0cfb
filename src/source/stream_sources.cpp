#include "source/stream_sources.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "source/stream_reader.hpp"

namespace mta {

void StdinSource::run(std::stop_token stop) {
  health_.set_up(true);
  read_stream(STDIN_FILENO, stop, counting_, max_line_length_);
  spdlog::info("msg=\"standard input ended\" source={}", health_.source());
  health_.set_up(false);
}

void ReplaySource::run(std::stop_token stop) {
  health_.set_up(true);
  replay_file(options_, stop, counting_);
  health_.set_up(false);
}

}  // namespace mta
