#pragma once

#include <cstdint>

namespace mta {

// What an MTA parser made of one log line.
enum class ParseOutcome : std::uint8_t {
  event,      // an SMTP outcome was found
  ignored,    // a line that holds no SMTP outcome (connects, queue bookkeeping, other programs)
  unmatched,  // looks like mail-server output with an outcome, but we could not read it
  // One failed try within a session or a delivery that another line repeats or that got no reply: a connection to
  // one server refused (Postfix's and Exim's delivery lines carry the last server's failure), Exim's copy of a
  // server's reply that its delivery lines repeat for each recipient, a client that left Postfix's smtpd or whose TLS
  // handshake with it failed. `classify` describes it; the counters do not count it, each outcome once. Counted as an
  // ignored line. (Postfix's reply of one server before it tries the next is an event: no other line has it; so are
  // Exim's session ends, which carry the reply Exim sent.)
  attempt,
};

}  // namespace mta
