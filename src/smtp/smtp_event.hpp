#pragma once
// The value type handed from the MTA parsers to the classifier: one SMTP outcome found in a log line.
// Every view points into the log line (or into static text) and is valid only while that line is.

#include <cstdint>
#include <optional>
#include <string_view>

namespace mta {

enum class Mta : std::uint8_t { postfix, exim, sendmail, opensmtpd, dovecot, generic };
// `unknown`: a program without a parser of its own whose text does not show who answered whom.
enum class Direction : std::uint8_t { inbound, outbound, local, unknown };

// What the MTA itself decided about the message or session.
enum class Status : std::uint8_t {
  none,  // a reply seen without a final decision (e.g. Postfix tries the next MX host)
  sent,
  deferred,
  bounced,
  expired,
  rejected,              // we refused a client (smtpd, postscreen, cleanup, milter)
  rejected_temporarily,  // we refused a client for now (4xx), e.g. Exim "temporarily rejected"
  auth_failed,           // a client failed SMTP AUTH against us
};

// SMTP command the reply answered; `unknown` when the log does not say.
enum class Stage : std::uint8_t {
  unknown,
  connect,
  helo,
  starttls,
  auth,
  mail,
  rcpt,
  data,
  end_of_data,
  header,
  body,
};

struct SmtpEvent {
  Mta mta = Mta::postfix;
  Direction direction = Direction::outbound;
  Status status = Status::none;
  Stage stage = Stage::unknown;
  std::string_view reply;        // the remote (or our own) SMTP reply, multi-line replies joined
  std::string_view agent_text;   // the MTA's own explanation when there is no reply, or the reply is a code alone
  std::string_view dsn;          // the MTA's own enhanced code (Postfix dsn=)
  std::string_view remote_host;  // relay or MX host name, for the provider label
  std::string_view mechanism;    // SASL mechanism of an AUTH failure
  // Who the outcome concerns, for report's tables of the domains and hosts with the most refusals (never a label):
  std::string_view recipient;  // the envelope recipient of a delivery or bounce, as logged ("user@example.com")
  std::string_view client;     // the client we answered, as logged ("host[192.0.2.1]", "[192.0.2.1]")
  double delay_seconds = -1;   // negative when the line carries no delay
  // The class an event without a reply code, enhanced code or status has by the logic of the MTA that logged it
  // (Postfix logs a failure with one server this way only when it tries again, with the next server); 0: none.
  std::uint8_t implied_class = 0;
};

// The text a verdict reads: the reply, or the MTA's own words where there is no reply or the reply is a code alone
// (one sent but logged without its words, or whose words name no cause: postscreen's "421 <host> Service unavailable
// - try again later" for a client over its command limits).
inline std::string_view text_to_classify(const SmtpEvent& event) {
  const bool code_alone = event.reply.size() == 3 && !event.agent_text.empty();
  return event.reply.empty() || code_alone ? event.agent_text : event.reply;
}

std::string_view to_string(Mta);
std::string_view to_string(Direction);
std::string_view to_string(Status);
std::string_view to_string(Stage);
// The value whose to_string() is `name`; none for any other text (configuration and rule data read them).
std::optional<Mta> mta_from_string(std::string_view name);
std::optional<Direction> direction_from_string(std::string_view name);

}  // namespace mta
