#pragma once
// Reads lines from a file descriptor (stdin, a pipe) until end of input or a stop request.

#include <stop_token>

#include "framing/line_handler.hpp"

namespace mta {

// Returns when the input ends or a stop is requested; a last line without newline is delivered.
void read_stream(int fd, std::stop_token stop, LineHandler& handler, std::size_t max_line_length = 64 * 1024);

}  // namespace mta
