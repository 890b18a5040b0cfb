#include <cstdint>
#include <string_view>

#include "framing/syslog_framer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t kMax = 64;
  mta::SyslogStreamFramer framer(kMax);
  std::size_t bytes = 0;
  const auto on_frame = [&](std::string_view frame) {
    if (frame.size() > kMax) __builtin_trap();
    bytes += frame.size();
  };
  // Uneven chunks, so frames and lengths straddle reads.
  for (std::size_t pos = 0, step = 1; pos < input.size(); pos += step, step = step % 5 + 1) {
    framer.feed(input.substr(pos, step), on_frame, [] {});
  }
  if (bytes > input.size()) __builtin_trap();
  return 0;
}
