#pragma once
// Replays a sample log at a steady rate, optionally in a loop: the demo source that lets a newcomer
// watch counters move without a mail server.

#include <stop_token>
#include <string>

#include "framing/line_handler.hpp"

namespace mta {

struct ReplayOptions {
  std::string path;
  double lines_per_second = 20;
  bool loop = true;
};

// Throws std::runtime_error when the file cannot be read.
void replay_file(const ReplayOptions& options, std::stop_token stop, LineHandler& handler);

}  // namespace mta
