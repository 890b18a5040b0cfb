#include <cstdint>
#include <string_view>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    mta::parse_config(text, "/fuzz/config.toml");
  } catch (const mta::ConfigError&) {
    // Rejecting bad input with a message is the expected outcome.
  }
  return 0;
}
