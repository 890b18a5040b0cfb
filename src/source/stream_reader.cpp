#include "source/stream_reader.hpp"

#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "framing/line_splitter.hpp"

namespace mta {

void read_stream(int fd, std::stop_token stop, LineHandler& handler, std::size_t max_line_length) {
  LineSplitter splitter(max_line_length);
  std::array<char, 64 * 1024> buffer;
  const auto deliver = [&handler](std::string_view line) { handler.on_line(line); };
  while (!stop.stop_requested()) {
    pollfd ready{fd, POLLIN, 0};
    const int polled = ::poll(&ready, 1, 200);
    if (polled < 0 && errno != EINTR) break;
    if (polled <= 0) continue;
    const ssize_t count = ::read(fd, buffer.data(), buffer.size());
    if (count < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (count <= 0) break;
    splitter.feed({buffer.data(), static_cast<std::size_t>(count)}, deliver);
  }
  splitter.flush(deliver);
}

}  // namespace mta
