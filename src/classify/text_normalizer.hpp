#pragma once
// Prepares reply text for the text rules: lowercase (ASCII, and the two-byte UTF-8 letters of Latin-1, Latin Extended-A
// and Cyrillic), whitespace collapsed, e-mail addresses masked
// as "addr" (so "<a@b.c>" reads "<addr>") (local parts such as "quota@" must not trigger rules), and the reply codes
// that multi-line replies repeat on every line removed; per-message ids read "hexid" and IPv4 addresses outside the
// loopback range "0.0.0.0". The domains of the masked addresses stay readable
// through masked_domains() (the provider lookup reads recipient domains such as icloud.com). Reuses one buffer, so
// steady state allocates nothing.

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "smtp/reply.hpp"

namespace mta {

class TextNormalizer {
 public:
  static constexpr std::size_t kMaxMaskedDomains = 4;

  std::string_view normalize(std::string_view text, int basic, EnhancedCode enhanced);

  // The domains of the first kMaxMaskedDomains addresses the last normalize() masked, as written
  // ("icloud.com" of "<a@icloud.com>"): views into the text given to normalize(), valid while it is.
  std::span<const std::string_view> masked_domains() const { return {masked_domains_.data(), masked_domain_count_}; }

  // The last normalize()'s text before its IPv4 addresses were masked, for the site rules an administrator writes,
  // which may name an address (a pattern "relay \[10\.1\.2\.3\]"); valid until the next normalize().
  std::string_view with_ip_addresses() const { return with_ip_addresses_; }

 private:
  std::string_view mask_ipv4_addresses(std::string_view text);

  std::string buffer_;
  std::string masked_;  // the text with its IPv4 addresses masked, when it has any
  std::string_view with_ip_addresses_;
  std::array<std::string_view, kMaxMaskedDomains> masked_domains_{};
  std::size_t masked_domain_count_ = 0;
};

}  // namespace mta
