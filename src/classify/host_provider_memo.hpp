#pragma once
// Remembers the provider of the last hosts a classifier looked up. Knowledge::provider_for_host() hashes every
// suffix of a host ("gmail-smtp-in.l.google.com", "l.google.com", "google.com", "com"); a mail log names a few
// receivers' hosts over and over, and a repeat then costs one hash and one compare. Fixed memory: hosts longer
// than a slot are looked up every time.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "classify/knowledge.hpp"

namespace mta {

class HostProviderMemo {
 public:
  ProviderId provider_for_host(const Knowledge& knowledge, std::string_view host) {
    if (host.empty() || host.size() > kLongestHost) return knowledge.provider_for_host(host);
    const std::size_t hash = std::hash<std::string_view>{}(host);
    Entry& entry = entries_[hash % kEntries];
    if (entry.length == host.size() && std::string_view(entry.host.data(), entry.length) == host) {
      return entry.provider;
    }
    entry.provider = knowledge.provider_for_host(host);
    entry.length = static_cast<std::uint8_t>(host.size());
    std::copy(host.begin(), host.end(), entry.host.begin());
    return entry.provider;
  }

 private:
  static constexpr std::size_t kEntries = 1024;  // 82 KiB: a queue of mail to many domains meets hundreds of MX hosts
  static constexpr std::size_t kLongestHost = 80;

  struct Entry {
    std::uint8_t length = 0;  // 0: empty (an empty host is never stored)
    ProviderId provider = kNoProvider;
    std::array<char, kLongestHost> host{};
  };
  std::vector<Entry> entries_ = std::vector<Entry>(kEntries);
};

}  // namespace mta
