#pragma once

#include <cstdint>

namespace mta {

// What an MTA parser made of one log line.
enum class ParseOutcome : std::uint8_t {
  event,      // an SMTP outcome was found
  ignored,    // a line that holds no SMTP outcome (connects, queue bookkeeping, other programs)
  unmatched,  // looks like mail-server output with an outcome, but we could not read it
};

}  // namespace mta
