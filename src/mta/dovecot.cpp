#include "mta/dovecot.hpp"

#include <algorithm>

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

// After "lmtp(user)<pid><session>: [Info: ][session: ][sieve: ]": "msgid=<id>: saved mail to INBOX"
// (deliver_log_format, by default "msgid=%{msgid}: %{message}"). The outcome ends the line; the sender's
// Message-ID (and Subject or From in other formats) before it may hold any outcome's words. So the outcome is
// the last text of the table that starts the line or follows ": ", none before the ">: " that closes the
// Message-ID, and a delivery only with no ": " after it (sieve's other results are not in the table).
ParseOutcome parse_delivery(std::string_view text, SmtpEvent& event) {
  struct Outcome {
    std::string_view marker;
    Status status;
  };
  static constexpr Outcome outcomes[] = {
      {"saved mail to ", Status::sent},
      {"stored mail into mailbox ", Status::sent},
      {"save failed to ", Status::deferred},
      {"rejected: ", Status::bounced},
      {"Temporary failure", Status::deferred},
      // Sieve's results that are no outcome of the delivery.
      {"forwarded to <", Status::none},
      {"not sending ", Status::none},
      {"sent vacation response", Status::none},
      {"discarded ", Status::none},
      {"left message in mailbox ", Status::none},
      {"store into mailbox ", Status::none},
  };
  const std::size_t message_id_end = text.rfind(">: ");
  const std::size_t from = message_id_end == std::string_view::npos ? 0 : message_id_end + 3;
  const Outcome* found = nullptr;
  std::size_t found_pos = 0;
  for (const Outcome& outcome : outcomes) {
    for (std::size_t pos = text.rfind(outcome.marker); pos != std::string_view::npos && pos >= from;
         pos = pos == 0 ? std::string_view::npos : text.rfind(outcome.marker, pos - 1)) {
      if (pos != 0 && !text.substr(0, pos).ends_with(": ")) continue;
      if (outcome.status == Status::sent && text.find(": ", pos) != std::string_view::npos) continue;
      if (found == nullptr || pos > found_pos) {
        found = &outcome;
        found_pos = pos;
      }
      break;
    }
  }
  if (found == nullptr || found->status == Status::none) return ParseOutcome::ignored;
  event.status = found->status;
  event.direction = Direction::local;
  std::string_view detail = text.substr(found_pos);
  if (found->status != Status::sent) {
    // "save failed to INBOX: Quota exceeded (...)" -> the reason after the mailbox name.
    if (const std::size_t colon = detail.find(": "); colon != std::string_view::npos) detail = detail.substr(colon + 2);
  }
  event.agent_text = detail;
  return ParseOutcome::event;
}

// "submission-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<u>, method=PLAIN, rip=...": the
// reason comes before the fields, of which the user name is the client's.
ParseOutcome parse_submission_login(std::string_view text, SmtpEvent& event) {
  std::size_t fields = text.size();
  for (std::string_view field : {": user=<"sv, ": method="sv, ": rip="sv}) fields = std::min(fields, text.find(field));
  if (text.substr(0, fields).find("(auth failed") == std::string_view::npos) return ParseOutcome::ignored;
  event.status = Status::auth_failed;
  event.direction = Direction::inbound;
  event.stage = Stage::auth;
  // The fields after the user name are Dovecot's own; the name may hold ", method=".
  const std::size_t method = text.rfind(" method=");
  if (method != std::string_view::npos && method > fields && (text[method - 1] == ',' || text[method - 1] == ':')) {
    const std::string_view value = text.substr(method + 8);
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
