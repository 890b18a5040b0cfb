#include <cstdint>
#include <string_view>

#include "syslog/syslog_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  mta::SyslogRecord record;
  if (mta::parse_syslog_line(line, record)) {
    // Every field must lie inside the input.
    for (std::string_view field : {record.timestamp, record.host, record.program, record.pid, record.message}) {
      if (!field.empty() && (field.data() < line.data() || field.data() + field.size() > line.data() + line.size())) {
        __builtin_trap();
      }
    }
    mta::daemon_name(record.program);
    mta::program_family(record.program);
  }
  return 0;
}
