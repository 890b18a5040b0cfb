#include "mta/dovecot.hpp"

#include <algorithm>
#include <cstdint>

#include "mta/log_fields.hpp"
#include "smtp/reply.hpp"

namespace mta {
namespace {

using namespace std::string_view_literals;

bool is_lda_process(std::string_view text) {
  return text.starts_with("deliver(") || text.starts_with("lda(") || text.starts_with("dovecot-lda(");
}

bool is_delivery_process(std::string_view text) { return text.starts_with("lmtp(") || is_lda_process(text); }

// The LDA without a user ("lda: Fatal: ..." before the user is known), as a tag of Dovecot's own log format.
bool is_bare_lda(std::string_view program) {
  return program == "lda" || program == "deliver" || program == "dovecot-lda";
}

enum class Level : std::uint8_t { none, info, error, fatal };

// Drops the "Info: " / "Error: " level prefix that Dovecot's own log format writes, and says which it was.
std::string_view strip_level(std::string_view text, Level* level = nullptr) {
  struct Prefix {
    std::string_view text;
    Level level;
  };
  static constexpr Prefix prefixes[] = {
      {"Info: ", Level::info},   {"Error: ", Level::error}, {"Warning: ", Level::error},
      {"Fatal: ", Level::fatal}, {"Panic: ", Level::fatal}, {"Debug: ", Level::none},
  };
  for (const Prefix& prefix : prefixes) {
    if (text.starts_with(prefix.text)) {
      if (level != nullptr) *level = prefix.level;
      return text.substr(prefix.text.size());
    }
  }
  if (level != nullptr) *level = Level::none;
  return text;
}

// Dovecot 1.x writes its own log file's timestamp after the process prefix and before the level (lib/failures.c
// log_prefix_add(): "deliver(bob): Jun 10 11:22:33 Info: msgid=..."); drops one in log_timestamp's default format
// "%b %d %H:%M:%S " or the ISO "%Y-%m-%d %H:%M:%S ".
std::string_view strip_stamp(std::string_view text) {
  const auto digits = [&](std::size_t from, std::size_t count) {
    if (text.size() < from + count) return false;
    for (std::size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
    }
    return true;
  };
  const auto clock_at = [&](std::size_t from) {
    return digits(from, 2) && text.size() > from + 8 && text[from + 2] == ':' && digits(from + 3, 2) &&
           text[from + 5] == ':' && digits(from + 6, 2) && text[from + 8] == ' ';
  };
  // "Jun 10 11:22:33 "
  if (text.size() > 16 && text[0] >= 'A' && text[0] <= 'Z' && text[1] >= 'a' && text[1] <= 'z' && text[2] >= 'a' &&
      text[2] <= 'z' && text[3] == ' ' && (digits(4, 2) || (text[4] == ' ' && digits(5, 1))) && text[6] == ' ' &&
      clock_at(7)) {
    return text.substr(16);
  }
  // "2009-06-10 11:22:33 "
  if (digits(0, 4) && text.size() > 20 && text[4] == '-' && digits(5, 2) && text[7] == '-' && digits(8, 2) &&
      text[10] == ' ' && clock_at(11)) {
    return text.substr(20);
  }
  return text;
}

// Where `marker` starts Dovecot's message: at the start, or after the log prefixes its events append ("<session>: ",
// lib-smtp's "lmtp-server: " and "rcpt <address>: " since 2.3). The address is smtp_address_encode()d, a local part
// with specials in double quotes, so the marker is looked for outside quotes.
std::size_t find_message(std::string_view text, std::string_view marker) {
  for (std::size_t pos = find_unquoted(text, marker); pos != std::string_view::npos;
       pos = find_unquoted(text, marker, pos + 1)) {
    if (pos == 0 || text.substr(0, pos).ends_with(": ")) return pos;
  }
  return std::string_view::npos;
}

// The storage errors Dovecot answers as a full mailbox (MAIL_ERROR_NOQUOTA, before 2.2.14 MAIL_ERROR_NOSPACE): the
// quota plugin's "Quota exceeded (...)", MAIL_ERRSTR_NO_QUOTA "Not enough disk quota" (2.2.14 and later, EDQUOT) and
// MAIL_ERRSTR_NO_SPACE "Not enough disk space" (1.1 to 2.2.13, ENOSPC or EDQUOT; lib-storage/mail-error.c).
bool names_quota(std::string_view error) {
  return error.find("uota") != std::string_view::npos || error.starts_with("Not enough disk space");
}

// A failed save into the default mailbox is the delivery's outcome (nothing is retried after it). Over LMTP a full
// mailbox is answered "552 5.2.2" (commands.c / lmtp-local.c, "452 4.2.2" only with quota_full_tempfail, off by
// default) and any other failure "451 4.2.0"; the LDA exits EX_TEMPFAIL after any other failure and logs
// "rejected: <error>" next for a full mailbox (deliver.c / lda/main.c), which is counted there.
ParseOutcome failed_default_save(std::string_view error, bool lda, SmtpEvent& event) {
  if (names_quota(error)) {
    if (lda) return ParseOutcome::ignored;
    event.status = Status::bounced;
  } else {
    event.status = Status::deferred;
  }
  event.direction = Direction::local;
  event.agent_text = error;
  return ParseOutcome::event;
}

// "save failed to INBOX: <error>" / "save failed to open mailbox INBOX: <error>" (mail-deliver.c mail_deliver_save()).
// A failed save to another mailbox is retried into the default mailbox and then INBOX (mail_do_deliver()), so only
// INBOX's is the outcome (failed_default_save()).
ParseOutcome save_failed(std::string_view detail, bool lda, SmtpEvent& event) {
  std::string_view rest = detail.substr(15);  // past "save failed to "
  // Dovecot 1.0's deliver.c deliver_save() logs "msgid=%s: save failed to %s" without the error; deliver then exits
  // EX_TEMPFAIL after a temporary (critical) storage error and otherwise sends the rejection itself
  // (mail_send_rejection()) without logging more: quota, the commonest failure, is no temporary error there.
  if (lda && rest == "INBOX") {
    event.status = Status::bounced;
    event.direction = Direction::local;
    event.agent_text = detail;
    return ParseOutcome::event;
  }
  if (rest.starts_with("open mailbox ")) rest.remove_prefix(13);
  if (!rest.starts_with("INBOX: ")) return ParseOutcome::ignored;
  return failed_default_save(rest.substr(7), lda, event);
}

// Pigeonhole's act_store_log_status() (sieve-actions.c, every version): "failed to store into mailbox 'X': <error>",
// where 'X' may be followed by " (<vname>)". Storing into the default mailbox marks tried_default_save, so neither
// the LDA nor LMTP saves the mail again (lib-lda mail_do_deliver()): a failed keep into INBOX is the outcome, told
// as failed_default_save() tells it. A failed fileinto into another mailbox is followed by the implicit keep.
ParseOutcome store_failed(std::string_view detail, bool lda, SmtpEvent& event) {
  std::string_view rest = detail.substr(29);  // past "failed to store into mailbox "
  if (!rest.starts_with("'INBOX'")) return ParseOutcome::ignored;
  rest.remove_prefix(7);
  if (rest.starts_with(" (")) {
    const std::size_t close = rest.find("): ");
    if (close == std::string_view::npos) return ParseOutcome::ignored;
    rest.remove_prefix(close + 1);
  }
  if (!rest.starts_with(": ")) return ParseOutcome::ignored;
  return failed_default_save(rest.substr(2), lda, event);
}

// lmtp-proxy.c (2.0 and later, commands.c before 2.3): a recipient whose proxy destination is this server, or whose
// proxy TTL ran out, is refused at RCPT with "554 5.4.6 Proxying loops to itself" / "554 5.4.6 Proxying appears to
// be looping (TTL=0)" after the error "Proxying to <user> loops to itself" / "... appears to be looping (TTL=0)".
ParseOutcome proxy_loop(std::string_view text, SmtpEvent& event) {
  if (text.ends_with("> loops to itself")) {
    event.reply = "554 5.4.6 Proxying loops to itself";
  } else if (text.ends_with("> appears to be looping (TTL=0)")) {
    event.reply = "554 5.4.6 Proxying appears to be looping (TTL=0)";
  } else {
    return ParseOutcome::ignored;
  }
  event.status = Status::bounced;
  event.direction = Direction::local;
  event.stage = Stage::rcpt;
  event.agent_text = text;
  return ParseOutcome::event;
}

// lmtp-proxy.c: "<session>: Sent message to <a> at host:24: 250 2.0.0 <a> id Saved (1/1 at 12 ms)", "Failed to send
// message to <a> at host:24: 552 5.2.2 <a> Quota exceeded (1/1 at 12 ms)": the reply of the backend that stores the
// mail. The address is smtp_address_encode()d (a local part with specials in quotes); the backend's reply echoes it.
ParseOutcome parse_proxy(std::string_view text, SmtpEvent& event) {
  const std::size_t close = find_unquoted(text, "> at ");
  if (close == std::string_view::npos) return ParseOutcome::unmatched;
  const std::size_t colon = text.find(": ", close + 5);
  if (colon == std::string_view::npos) return ParseOutcome::unmatched;
  std::string_view reply = text.substr(colon + 2);
  // " (1/1 at 12 ms)" ends the line.
  if (reply.ends_with(" ms)")) {
    const std::size_t open = reply.rfind(" (");
    if (open != std::string_view::npos) reply = reply.substr(0, open);
  }
  const int code = basic_code(reply);
  if (code == 0) return ParseOutcome::unmatched;
  event.status = code / 100 == 2 ? Status::sent : code / 100 == 4 ? Status::deferred : Status::bounced;
  event.direction = Direction::local;
  event.reply = reply;
  // The recipient between the marker's '<' and the "> at " found above.
  if (const std::size_t open = text.find('<'); open < close) event.recipient = text.substr(open + 1, close - open - 1);
  return ParseOutcome::event;
}

// An LMTP transaction that failed before any recipient's result: the LMTP process died ("Fatal: master:
// service(lmtp): child 25980 returned error 83 (Out of memory ...)", any Fatal ends the process and its sessions), or
// it could not spool the message (commands.c / lmtp-commands.c cmd_data: "Temp file creation to %s failed: %m",
// answered "451 4.3.0 Temporary internal failure"; dovecot/core@f28b5a92). The MTA that sent the message logs the
// deferral: an attempt.
bool failed_lmtp_transaction(std::string_view text, Level level) {
  return level == Level::fatal || (level == Level::error && text.starts_with("Temp file creation to "));
}

// After "lmtp(user)<pid><session>: [Info: ][session: ][sieve: ]": "msgid=<id>: saved mail to INBOX"
// (deliver_log_format, by default "msgid=%{msgid}: %{message}"). The outcome ends the line; the sender's
// Message-ID (and Subject or From in other formats) before it may hold any outcome's words. So the outcome is
// the last text of the table that starts the line or follows ": ", none before the ">: " that closes the
// Message-ID, and a delivery only with no ": " after it (sieve's other results are not in the table).
ParseOutcome parse_delivery(std::string_view text, Level level, bool lda, SmtpEvent& event) {
  // The LDA exits EX_TEMPFAIL after any fatal error (lda/main.c failure_exit_callback()): the MTA retries.
  if (lda && level == Level::fatal) {
    event.status = Status::deferred;
    event.direction = Direction::local;
    event.agent_text = text;
    return ParseOutcome::event;
  }
  // lmtp-local.c: a recipient whose user lookup, initialisation or quota check failed is answered "451 4.3.0
  // Temporary internal error" at RCPT; the user or mailbox name follows the words. Since 2.3 a user that fails to
  // initialise at DATA ("Failed to initialize user: %s", lmtp_local_deliver()) or whose settings do not expand
  // ("Failed to expand settings: %s") is answered the same after the message; before 2.3 the failed initialisation at
  // DATA is lib-storage's "user %s: Initialization failed: %s" (mail-storage-service.c, 2.0 to 2.2.15; "User
  // initialization failed: %s" in 2.2.16 to 2.2.36), answered "451 4.3.0 <rcpt> Temporary internal error"
  // (commands.c client_deliver()).
  if (!lda && level == Level::error) {
    // These come without a Message-ID; in a delivery's line the sender's Message-ID may hold their words.
    const std::size_t delivery = find_message(text, "msgid=");
    struct Failure {
      std::string_view marker;
      Stage stage;
    };
    static constexpr Failure failures[] = {
        {"Failed to lookup user ", Stage::rcpt},
        {"Failed to initialize user ", Stage::rcpt},
        {"mailbox_get_status(INBOX, STATUS_CHECK_OVER_QUOTA) failed: ", Stage::rcpt},
        {"Failed to initialize user: ", Stage::end_of_data},
        {"Failed to expand settings: ", Stage::end_of_data},
        {"Initialization failed: ", Stage::unknown},
        {"User initialization failed: ", Stage::unknown},
    };
    for (const Failure& failure : failures) {
      if (const std::size_t pos = find_message(text, failure.marker); pos < delivery) {
        event.status = Status::deferred;
        event.direction = Direction::local;
        event.stage = failure.stage;
        event.agent_text = text.substr(pos);
        return ParseOutcome::event;
      }
    }
    if (const std::size_t pos = find_message(text, "Proxying to <"); pos < delivery) {
      return proxy_loop(text.substr(pos), event);
    }
  }
  // lda-sieve-plugin.c: "sieve: Execution of script '<path>' was aborted due to temporary failure[ (user logfile ...
  // may reveal additional details)]" sets the delivery's tempfail error: LMTP answers "451 4.2.0", the LDA exits
  // EX_TEMPFAIL, and nothing else is logged. (A script that "failed with unsuccessful implicit keep" is followed by
  // the default save's own line.)
  if (const std::size_t pos = find_message(text, "sieve: Execution of script ");
      pos != std::string_view::npos &&
      text.find(" was aborted due to temporary failure", pos) != std::string_view::npos) {
    event.status = Status::deferred;
    event.direction = Direction::local;
    event.agent_text = text.substr(pos + 7);
    return ParseOutcome::event;
  }
  if (!lda) {
    for (std::string_view marker : {"Sent message to <"sv, "Failed to send message to <"sv}) {
      if (const std::size_t pos = find_message(text, marker); pos != std::string_view::npos) {
        return parse_proxy(text.substr(pos), event);
      }
    }
  }
  // lib-smtp's protocol events ("lmtp-server: rcpt <address>: ...") are no delivery results: mail_deliver_log()'s
  // event drops their prefixes (lmtp-local.c), and the client's address in them may hold any outcome's words.
  if (text.starts_with("lmtp-server: ")) return ParseOutcome::ignored;
  // Pigeonhole's reject action (ext-reject.c): "sieve: msgid=<id>: rejected message from <sender> (reject)"; the
  // sender comes before the action's name that ends the line.
  if (text.ends_with(" (reject)") || text.ends_with(" (ereject)")) {
    const std::size_t pos = text.find(": rejected message from <");
    if (pos != std::string_view::npos) {
      event.status = Status::bounced;
      event.direction = Direction::local;
      event.agent_text = text.substr(pos + 2);
      return ParseOutcome::event;
    }
  }
  struct Outcome {
    std::string_view marker;
    Status status;
  };
  static constexpr Outcome outcomes[] = {
      {"saved mail to ", Status::sent},
      {"stored mail into mailbox ", Status::sent},
      {"save failed to ", Status::deferred},
      {"rejected: ", Status::bounced},
      // Dovecot 1.1's alphas and betas (deliver.c, May to December 2007): "msgid=%s: Rejected: %s".
      {"Rejected: ", Status::bounced},
      {"failed to store into mailbox ", Status::deferred},
      {"Temporary failure", Status::deferred},
      // Sieve's results that are no outcome of the delivery.
      {"forwarded to <", Status::none},
      {"not sending ", Status::none},
      {"sent vacation response", Status::none},
      {"discarded ", Status::none},
      {"left message in mailbox ", Status::none},
      {"store into mailbox ", Status::none},
      {"Marked message to be discarded ", Status::none},
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
  if (found == nullptr && !lda && failed_lmtp_transaction(text, level)) {
    event.direction = Direction::local;
    event.agent_text = text;
    event.implied_class = 4;
    return ParseOutcome::attempt;
  }
  if (found == nullptr || found->status == Status::none) return ParseOutcome::ignored;
  std::string_view detail = text.substr(found_pos);
  if (found->marker == "save failed to ") return save_failed(detail, lda, event);
  if (found->marker == "failed to store into mailbox ") return store_failed(detail, lda, event);
  event.status = found->status;
  event.direction = Direction::local;
  if (found->status != Status::sent) {
    // "rejected: Quota exceeded (...)" -> the reason.
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
  // rip=, the client's address, likewise after the user name.
  const std::size_t rip = text.rfind(" rip=");
  if (rip != std::string_view::npos && rip > fields && (text[rip - 1] == ',' || text[rip - 1] == ':')) {
    const std::string_view value = text.substr(rip + 5);
    event.client = value.substr(0, value.find(','));
  }
  event.reply = "535 5.7.8 Authentication failed";  // the submission service's reply; not logged
  return ParseOutcome::event;
}

}  // namespace

bool is_dovecot_program(std::string_view program) {
  return daemon_name(program) == "dovecot" || is_delivery_process(program) || is_bare_lda(program) ||
         program.starts_with("submission-login");
}

ParseOutcome parse_dovecot(const SyslogRecord& record, SmtpEvent& event) {
  event = {};
  event.mta = Mta::dovecot;
  // With syslog the process is in the message ("dovecot: lmtp(u): ..."); in Dovecot's own format it is the tag.
  Level level = Level::none;
  std::string_view text = strip_level(record.message, &level);
  if (is_delivery_process(record.program) || is_bare_lda(record.program)) {
    if (level == Level::none) text = strip_level(strip_stamp(text), &level);
    return parse_delivery(text, level, !record.program.starts_with("lmtp("), event);
  }
  if (record.program.starts_with("submission-login")) return parse_submission_login(text, event);
  // "lmtp(user)<pid><session>: ", "lmtp(pid, user): ", "lda(user): ", and "lda: " before the user is known.
  if (is_delivery_process(text) || text.starts_with("lda: ") || text.starts_with("deliver: ")) {
    const std::size_t colon = text.find(": ");
    if (colon == std::string_view::npos) return ParseOutcome::ignored;
    const bool lda = !text.starts_with("lmtp(");
    text = strip_level(strip_stamp(text.substr(colon + 2)), &level);
    return parse_delivery(text, level, lda, event);
  }
  if (text.starts_with("submission-login: ")) return parse_submission_login(text, event);
  return ParseOutcome::ignored;
}

}  // namespace mta
