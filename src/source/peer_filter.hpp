#pragma once
// Which network peers a syslog listener accepts: a list of CIDR ranges, IPv4 and IPv6.

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mta {

// An IPv6 address; IPv4 addresses in their mapped form (::ffff:a.b.c.d), so that an IPv4 peer on a
// dual-stack socket and the same peer on an IPv4 socket are one address, matched by IPv4 ranges.
using PeerAddress = std::array<std::uint8_t, 16>;

// The address of an AF_INET or AF_INET6 socket address; nothing for other families.
std::optional<PeerAddress> peer_address(const sockaddr_storage& address);
// "192.0.2.1" for IPv4 (mapped) addresses, "2001:db8::1" otherwise.
std::string format_peer(const PeerAddress& address);

struct PeerRange {
  PeerAddress prefix{};
  int bits = 0;  // of the 128-bit form: an IPv4 /8 is 104

  bool contains(const PeerAddress& address) const;
  bool operator==(const PeerRange&) const = default;
};

// "10.0.0.0/8", "2001:db8::/32", or a bare address for one host; throws std::invalid_argument saying
// what is wrong (host bits set past the prefix are an error: "10.1.2.3/8" is likely a mistake).
PeerRange parse_peer_range(std::string_view cidr);

// An empty filter allows every peer.
class PeerFilter {
 public:
  PeerFilter() = default;
  explicit PeerFilter(std::vector<PeerRange> ranges) : ranges_(std::move(ranges)) {}

  bool allows(const PeerAddress& address) const;

 private:
  std::vector<PeerRange> ranges_;
};

}  // namespace mta
