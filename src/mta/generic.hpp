#pragma once
// The fallback for programs no MTA parser claims: a line that holds a basic reply code followed by an
// enhanced status code ("550 5.7.1 ...") is counted as an SMTP reply with mta="generic", so that no
// reply in the log goes uncounted silently. Its direction is what the text shows: a refusal of a
// client or a failed AUTH against us is inbound, a remote server's answer quoted as "said:" is
// outbound, and anything else is unknown (never guessed, so noise of other programs cannot page as
// "our mail is refused").

#include <string_view>

#include "mta/parse_outcome.hpp"
#include "smtp/smtp_event.hpp"

namespace mta {

ParseOutcome parse_generic(std::string_view message, SmtpEvent& event);

}  // namespace mta
