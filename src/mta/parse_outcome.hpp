#pragma once

#include <cstdint>

namespace mta {

// What an MTA parser made of one log line.
enum class ParseOutcome : std::uint8_t {
  event,      // an SMTP outcome was found
  ignored,    // a line that holds no SMTP outcome (connects, queue bookkeeping, other programs)
  unmatched,  // looks like mail-server output with an outcome, but we could not read it
  // One failed try within a session or a delivery (a connection refused, one server's reply before the next server
  // is tried, a TLS handshake or a session that ended without a reply): `classify` describes it, but the counters
  // do not count it, as the line with the outcome repeats it (Postfix's and Exim's delivery lines carry the last
  // server's failure) or no reply was sent (a client that left). Counted as an ignored line.
  attempt,
};

}  // namespace mta
