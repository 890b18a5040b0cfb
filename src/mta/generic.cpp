#include "mta/generic.hpp"

#include "smtp/reply.hpp"
#include "smtp/text_search.hpp"

namespace mta {
namespace {

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

Direction direction_shown_by(std::string_view message) {
  // A remote answer, as MTAs quote it ("host X said: 550 ...", "(in reply to RCPT TO command)",
  // "host X refused to talk to me: 554 ...").
  if (contains(message, " said: ") || contains(message, "(in reply to ") ||
      contains(message, " refused to talk to me: ")) {
    return Direction::outbound;
  }
  // Postfix-style client refusals (smtpd's "reject: RCPT from ...", its before-queue proxy), content
  // filters that name the inbound flow (amavis "{RejectedInbound}"), and the answers only a server gives
  // a client that failed AUTH (ASSP, Exchange, Oracle Messaging Server).
  constexpr std::string_view inbound_marks[] = {
      "reject: ",
      "reject_warning: ",
      "proxy-accept: ",
      "proxy-reject: ",
      "Inbound}",
      "authentication failed",
      "Authentication unsuccessful",
      "Bad username or password",
  };
  for (std::string_view mark : inbound_marks) {
    if (contains(message, mark)) return Direction::inbound;
  }
  return Direction::unknown;
}

}  // namespace

ParseOutcome parse_generic(std::string_view message, SmtpEvent& event) {
  // Look for "ddd ", "ddd-" at a word start, followed by an enhanced code of the same class.
  for (std::size_t pos = 0; pos + 9 <= message.size(); ++pos) {
    if (message[pos] < '2' || message[pos] > '5') continue;  // no code starts here: most bytes end the test here
    if (pos > 0 && std::string_view(" (\"'=:,;[").find(message[pos - 1]) == std::string_view::npos) continue;
    const std::string_view candidate = message.substr(pos);
    const int basic = basic_code(candidate);
    if (basic == 0) continue;
    const std::string_view rest = candidate.substr(4);
    const EnhancedCode enhanced = parse_enhanced_code(rest.substr(0, find_any_of(rest, " ;,)\"'")));
    if (!enhanced.present() || enhanced.klass != basic / 100) continue;
    event = {};
    event.mta = Mta::generic;
    event.direction = direction_shown_by(message);
    // A quoted reply ends at its closing quote; otherwise it runs to the end of the line.
    const char before = pos > 0 ? message[pos - 1] : ' ';
    event.reply = before == '"' || before == '\'' ? candidate.substr(0, candidate.find(before)) : candidate;
    return ParseOutcome::event;
  }
  return ParseOutcome::ignored;
}

}  // namespace mta
