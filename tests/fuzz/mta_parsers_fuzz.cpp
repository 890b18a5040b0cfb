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
  const mta::ParseOutcome outcome = mta::parse_log_line(line, event);
  if (outcome == mta::ParseOutcome::event || outcome == mta::ParseOutcome::attempt) {
    // Codes and hosts always come from the line (replies, texts and mechanisms may be fixed strings
    // for what MTAs answer without logging it).
    if (!inside(event.dsn, line) || !inside(event.remote_host, line)) {
      __builtin_trap();
    }
  }
  // A failed try names its client from the line too, and has a class to be counted with were it counted.
  if (outcome == mta::ParseOutcome::attempt &&
      (!inside(event.client, line) || (event.implied_class != 4 && event.implied_class != 5 && event.reply.empty()))) {
    __builtin_trap();
  }
  return 0;
}
