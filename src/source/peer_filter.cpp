#include "source/peer_filter.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace mta {
namespace {

constexpr int ipv4_offset_bits = 96;  // an IPv4 address is the last 32 of the 128 bits of its mapped form

PeerAddress mapped(const in_addr& ipv4) {
  PeerAddress address{};
  address[10] = 0xff;
  address[11] = 0xff;
  std::memcpy(address.data() + 12, &ipv4, 4);
  return address;
}

bool is_mapped_ipv4(const PeerAddress& address) {
  return std::all_of(address.begin(), address.begin() + 10, [](std::uint8_t byte) { return byte == 0; }) &&
         address[10] == 0xff && address[11] == 0xff;
}

// True when the first `bits` bits of both addresses agree.
bool same_prefix(const PeerAddress& left, const PeerAddress& right, int bits) {
  const auto whole_bytes = static_cast<std::size_t>(bits / 8);
  if (!std::equal(left.begin(), left.begin() + static_cast<std::ptrdiff_t>(whole_bytes), right.begin())) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (left[whole_bytes] & mask) == (right[whole_bytes] & mask);
}

}  // namespace

std::optional<PeerAddress> peer_address(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) return mapped(reinterpret_cast<const sockaddr_in&>(address).sin_addr);
  if (address.ss_family == AF_INET6) {
    PeerAddress result{};
    std::memcpy(result.data(), &reinterpret_cast<const sockaddr_in6&>(address).sin6_addr, result.size());
    return result;
  }
  return std::nullopt;
}

std::string format_peer(const PeerAddress& address) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (is_mapped_ipv4(address)) {
    ::inet_ntop(AF_INET, address.data() + 12, text.data(), text.size());
  } else {
    ::inet_ntop(AF_INET6, address.data(), text.data(), text.size());
  }
  return text.data();
}

bool PeerRange::contains(const PeerAddress& address) const { return same_prefix(prefix, address, bits); }

PeerRange parse_peer_range(std::string_view cidr) {
  const std::size_t slash = cidr.find('/');
  const std::string host(cidr.substr(0, slash));
  PeerRange range;
  int max_bits = 128;
  in_addr ipv4{};
  in6_addr ipv6{};
  if (::inet_pton(AF_INET, host.c_str(), &ipv4) == 1) {
    range.prefix = mapped(ipv4);
    max_bits = 32;
  } else if (::inet_pton(AF_INET6, host.c_str(), &ipv6) == 1) {
    std::memcpy(range.prefix.data(), &ipv6, range.prefix.size());
  } else {
    throw std::invalid_argument("\"" + std::string(cidr) + "\" is not an IPv4 or IPv6 address or CIDR range");
  }
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    const std::string_view length = cidr.substr(slash + 1);
    const auto [end, error] = std::from_chars(length.data(), length.data() + length.size(), bits);
    if (length.empty() || error != std::errc{} || end != length.data() + length.size() || bits < 0 || bits > max_bits) {
      throw std::invalid_argument("\"" + std::string(cidr) + "\": the prefix length must be a number from 0 to " +
                                  std::to_string(max_bits));
    }
  }
  range.bits = max_bits == 32 ? bits + ipv4_offset_bits : bits;
  PeerRange network = range;
  for (int bit = range.bits; bit < 128; ++bit) {
    network.prefix[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
  }
  if (network.prefix != range.prefix) {
    throw std::invalid_argument("\"" + std::string(cidr) + "\" has bits set past the prefix length (the range is " +
                                format_peer(network.prefix) + "/" + std::to_string(bits) + ")");
  }
  return range;
}

bool PeerFilter::allows(const PeerAddress& address) const {
  if (ranges_.empty()) return true;
  return std::any_of(ranges_.begin(), ranges_.end(), [&](const PeerRange& range) { return range.contains(address); });
}

}  // namespace mta
