#include "classify/cause.hpp"

#include <array>

namespace mta {
namespace {

constexpr std::array<std::string_view, 31> kNames = {
    "none",
    "blocklist",
    "dnsbl_error",
    "reputation",
    "spam",
    "spf",
    "dkim",
    "dmarc",
    "sender_auth",
    "reverse_dns",
    "auth_required",
    "auth_failed",
    "tls",
    "relay_denied",
    "sender_rejected",
    "mailbox_unknown",
    "mailbox_disabled",
    "quota",
    "greylist",
    "rate_limit",
    "content_rejected",
    "policy",
    "message_too_large",
    "domain_not_found",
    "dns",
    "connection",
    "timeout",
    "loop",
    "protocol",
    "server_unavailable",
    "other",
};

constexpr std::array<Cause, kNames.size()> make_all() {
  std::array<Cause, kNames.size()> causes{};
  for (std::size_t i = 0; i < causes.size(); ++i) causes[i] = static_cast<Cause>(i);
  return causes;
}
constexpr std::array<Cause, kNames.size()> kAll = make_all();
static_assert(static_cast<std::size_t>(Cause::other) + 1 == kNames.size());

}  // namespace

std::string_view to_string(Cause cause) { return kNames[static_cast<std::size_t>(cause)]; }

std::optional<Cause> parse_cause(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Cause>(i);
  }
  return std::nullopt;
}

std::span<const Cause> all_causes() { return kAll; }

}  // namespace mta
