#include "mta/generic.hpp"

#include "smtp/reply.hpp"

namespace mta {

ParseOutcome parse_generic(std::string_view message, SmtpEvent& event) {
  // Look for "ddd ", "ddd-" at a word start, followed by an enhanced code of the same class.
  for (std::size_t pos = 0; pos + 9 <= message.size(); ++pos) {
    if (pos > 0 && std::string_view(" (\"'=:,;[").find(message[pos - 1]) == std::string_view::npos) continue;
    const std::string_view candidate = message.substr(pos);
    const int basic = basic_code(candidate);
    if (basic == 0) continue;
    const std::string_view rest = candidate.substr(4);
    const EnhancedCode enhanced = parse_enhanced_code(rest.substr(0, rest.find_first_of(" ;,)\"'")));
    if (!enhanced.present() || enhanced.klass != basic / 100) continue;
    event = {};
    event.mta = Mta::generic;
    event.direction = Direction::outbound;
    // A quoted reply ends at its closing quote; otherwise it runs to the end of the line.
    const char before = pos > 0 ? message[pos - 1] : ' ';
    event.reply = before == '"' || before == '\'' ? candidate.substr(0, candidate.find(before)) : candidate;
    return ParseOutcome::event;
  }
  return ParseOutcome::ignored;
}

}  // namespace mta
