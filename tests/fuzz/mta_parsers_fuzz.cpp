#include <cstdint>
#include <string_view>

#include "mta/mta_parsers.hpp"

namespace {

bool inside(std::string_view field, std::string_view line) {
  return field.empty() || (field.data() >= line.data() && field.data() + field.size() <= line.data() + line.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  mta::SmtpEvent event;
  if (mta::parse_log_line(line, event) == mta::ParseOutcome::event) {
    // Codes and hosts always come from the line (replies, texts and mechanisms may be fixed strings
    // for what MTAs answer without logging it).
    if (!inside(event.dsn, line) || !inside(event.remote_host, line)) {
      __builtin_trap();
    }
  }
  return 0;
}
