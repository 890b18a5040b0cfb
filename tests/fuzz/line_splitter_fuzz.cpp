#include <cstdint>
#include <string_view>

#include "framing/line_splitter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t kLimit = 64;
  mta::LineSplitter splitter(kLimit);
  std::size_t bytes = 0;
  const auto check = [&](std::string_view line) {
    if (line.size() > kLimit || line.find('\n') != std::string_view::npos) __builtin_trap();
    bytes += line.size();
  };
  // Feed in uneven chunks so that lines straddle chunk borders.
  std::size_t pos = 0;
  for (std::size_t step = 1; pos < input.size(); step = step % 7 + 1) {
    splitter.feed(input.substr(pos, step), check);
    pos += step;
  }
  splitter.flush(check);
  if (bytes > input.size()) __builtin_trap();
  return 0;
}
