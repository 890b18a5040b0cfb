#pragma once
// The `cause` label: why an SMTP reply was not a success (../shared/reference/cause-taxonomy.md).

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace mta {

enum class Cause : std::uint8_t {
  none,
  blocklist,
  dnsbl_error,
  reputation,
  spam,
  spf,
  dkim,
  dmarc,
  sender_auth,
  reverse_dns,
  auth_required,
  auth_failed,
  tls,
  relay_denied,
  sender_rejected,
  mailbox_unknown,
  mailbox_disabled,
  quota,
  greylist,
  rate_limit,
  content_rejected,
  policy,
  message_too_large,
  domain_not_found,
  dns,
  connection,
  timeout,
  loop,
  protocol,
  server_unavailable,
  other,
};

std::string_view to_string(Cause cause);
std::optional<Cause> parse_cause(std::string_view name);
std::span<const Cause> all_causes();

}  // namespace mta
