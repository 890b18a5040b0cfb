#include <cstdint>
#include <string_view>

#include "smtp/reply.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const int basic = mta::basic_code(text);
  if (basic != 0 && (basic < 200 || basic > 599)) __builtin_trap();
  mta::EnhancedCodeText buffer;
  const mta::EnhancedCode code = mta::find_enhanced_code(text);
  const std::string_view formatted = mta::format(code, buffer);
  // A found code formats to text that parses back to the same code.
  if (code.present() && mta::parse_enhanced_code(formatted) != code) __builtin_trap();
  mta::parse_enhanced_code(text);
  mta::split_in_reply_to(text);
  return 0;
}
