#include "smtp/smtp_event.hpp"

namespace mta {

std::string_view to_string(Mta mta) {
  switch (mta) {
    case Mta::postfix: return "postfix";
    case Mta::exim: return "exim";
    case Mta::sendmail: return "sendmail";
    case Mta::opensmtpd: return "opensmtpd";
    case Mta::dovecot: return "dovecot";
    case Mta::generic: return "generic";
  }
  return "";
}

std::string_view to_string(Direction direction) {
  switch (direction) {
    case Direction::inbound: return "inbound";
    case Direction::outbound: return "outbound";
    case Direction::local: return "local";
    case Direction::unknown: return "unknown";
  }
  return "";
}

std::string_view to_string(Status status) {
  switch (status) {
    case Status::none: return "";
    case Status::sent: return "sent";
    case Status::deferred: return "deferred";
    case Status::bounced: return "bounced";
    case Status::expired: return "expired";
    case Status::rejected: return "rejected";
    case Status::rejected_temporarily: return "rejected_temporarily";
    case Status::auth_failed: return "auth_failed";
  }
  return "";
}

std::string_view to_string(Stage stage) {
  switch (stage) {
    case Stage::unknown: return "unknown";
    case Stage::connect: return "connect";
    case Stage::helo: return "helo";
    case Stage::starttls: return "starttls";
    case Stage::auth: return "auth";
    case Stage::mail: return "mail";
    case Stage::rcpt: return "rcpt";
    case Stage::data: return "data";
    case Stage::end_of_data: return "end_of_data";
    case Stage::header: return "header";
    case Stage::body: return "body";
  }
  return "";
}

std::optional<Mta> mta_from_string(std::string_view name) {
  for (const Mta mta : {Mta::postfix, Mta::exim, Mta::sendmail, Mta::opensmtpd, Mta::dovecot, Mta::generic}) {
    if (to_string(mta) == name) return mta;
  }
  return std::nullopt;
}

std::optional<Direction> direction_from_string(std::string_view name) {
  for (const Direction direction : {Direction::inbound, Direction::outbound, Direction::local, Direction::unknown}) {
    if (to_string(direction) == name) return direction;
  }
  return std::nullopt;
}

}  // namespace mta
