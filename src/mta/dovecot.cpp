#include "mta/dovecot.hpp"

namespace mta {
namespace {

using namespace std::string_view_literals;

bool is_delivery_process(std::string_view text) {
  return text.starts_with("lmtp(") || text.starts_with("deliver(") || text.starts_with("lda(") ||
         text.starts_with("dovecot-lda(");
}

// Drops "Info: " / "Error: " level prefixes that Dovecot's own log format writes.
std::string_view strip_level(std::string_view text) {
  for (std::string_view level : {"Info: "sv, "Error: "sv, "Warning: "sv, "Fatal: "sv, "Panic: "sv, "Debug: "sv}) {
    if (text.starts_with(level)) return text.substr(level.size());
  }
  return text;
}

// After "lmtp(user)<pid><session>: [Info: ][session: ][msgid=<..>: ]": the outcome text.
ParseOutcome parse_delivery(std::string_view text, SmtpEvent& event) {
  event.direction = Direction::local;
  struct Outcome {
    std::string_view marker;
    Status status;
  };
  static constexpr Outcome outcomes[] = {
      {"saved mail to ", Status::sent},        {"stored mail into mailbox ", Status::sent},
      {"save failed to ", Status::deferred},   {"rejected: ", Status::bounced},
      {"Temporary failure", Status::deferred},
  };
  for (const Outcome& outcome : outcomes) {
    const std::size_t pos = text.find(outcome.marker);
    if (pos == std::string_view::npos) continue;
    event.status = outcome.status;
    std::string_view detail = text.substr(pos);
    if (outcome.status != Status::sent) {
      // "save failed to INBOX: Quota exceeded (...)" -> the reason after the mailbox name.
      if (const std::size_t colon = detail.find(": "); colon != std::string_view::npos)
        detail = detail.substr(colon + 2);
    }
    event.agent_text = detail;
    return ParseOutcome::event;
  }
  return ParseOutcome::ignored;
}

// "submission-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<u>, method=PLAIN, rip=..."
ParseOutcome parse_submission_login(std::string_view text, SmtpEvent& event) {
  if (text.find("(auth failed") == std::string_view::npos) return ParseOutcome::ignored;
  event.status = Status::auth_failed;
  event.direction = Direction::inbound;
  event.stage = Stage::auth;
  const std::size_t method = text.find("method=");
  if (method != std::string_view::npos) {
    const std::string_view value = text.substr(method + 7);
    event.mechanism = value.substr(0, value.find(','));
  }
  event.reply = "535 5.7.8 Authentication failed";  // the submission service's reply; not logged
  return ParseOutcome::event;
}

}  // namespace

bool is_dovecot_program(std::string_view program) {
  return daemon_name(program) == "dovecot" || is_delivery_process(program) || program.starts_with("submission-login");
}

ParseOutcome parse_dovecot(const SyslogRecord& record, SmtpEvent& event) {
  event = {};
  event.mta = Mta::dovecot;
  // With syslog the process is in the message ("dovecot: lmtp(u): ..."); in Dovecot's own format it is the tag.
  std::string_view text = strip_level(record.message);
  if (is_delivery_process(record.program)) return parse_delivery(text, event);
  if (record.program.starts_with("submission-login")) return parse_submission_login(text, event);
  if (is_delivery_process(text)) {
    const std::size_t colon = text.find(": ");
    return colon == std::string_view::npos ? ParseOutcome::ignored
                                           : parse_delivery(strip_level(text.substr(colon + 2)), event);
  }
  if (text.starts_with("submission-login: ")) return parse_submission_login(text, event);
  return ParseOutcome::ignored;
}

}  // namespace mta
