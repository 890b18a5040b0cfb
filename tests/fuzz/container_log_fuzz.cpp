#include <cstdint>
#include <string_view>

#include "framing/container_log.hpp"

namespace {

struct Bounded final : mta::LineHandler {
  void on_line(std::string_view line) override {
    if (line.size() > 256) __builtin_trap();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Bounded sink;
  mta::ContainerLogDecoder docker(mta::LogFormat::docker, sink, 256);
  mta::ContainerLogDecoder cri(mta::LogFormat::cri, sink, 256);
  std::size_t start = 0;
  while (start <= input.size()) {
    const std::size_t end = std::min(input.find('\n', start), input.size());
    docker.on_line(input.substr(start, end - start));
    cri.on_line(input.substr(start, end - start));
    start = end + 1;
  }
  return 0;
}
