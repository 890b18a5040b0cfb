#include "http/basic_auth.hpp"

#include <crypt.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <memory>

namespace mta {
namespace {

std::string digest_of(std::string_view user, std::string_view hash, std::string_view password) {
  std::string material;
  material.reserve(user.size() + hash.size() + password.size() + 2);
  material.append(user).push_back('\0');
  material.append(hash).push_back('\0');
  material.append(password);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(material.data()), material.size(), digest.data());
  OPENSSL_cleanse(material.data(), material.size());
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

bool bcrypt_matches(const std::string& password, const std::string& hash) {
  // crypt_data is about 32 KiB: on the heap, not on a web thread's stack.
  auto data = std::make_unique<crypt_data>();
  const char* result = crypt_r(password.c_str(), hash.c_str(), data.get());
  return result != nullptr && result[0] != '*' && hash == result;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::optional<std::string> decode_base64(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned bits = 0;
  int count = 0;
  for (char c : text) {
    const int value = base64_value(c);
    if (value < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<unsigned>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

BasicAuth::BasicAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {
  if (!users_.empty()) timing_hash_ = users_.begin()->second;
}

bool BasicAuth::allows(std::string_view authorization) {
  constexpr std::string_view kScheme = "basic ";
  const auto same_letter = [](char lower, char given) {
    return std::tolower(static_cast<unsigned char>(given)) == lower;
  };
  if (authorization.size() <= kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), authorization.begin(), same_letter)) {
    return false;
  }
  const std::optional<std::string> credentials = decode_base64(authorization.substr(kScheme.size()));
  if (!credentials) return false;
  const std::size_t colon = credentials->find(':');
  if (colon == std::string::npos) return false;
  const std::string user = credentials->substr(0, colon);
  const std::string password = credentials->substr(colon + 1);
  const auto found = users_.find(user);
  const bool known = found != users_.end();
  const std::string& hash = known ? found->second : timing_hash_;
  const std::string digest = digest_of(user, hash, password);
  {
    const std::lock_guard lock(cache_mutex_);
    if (known && verified_.contains(digest)) return true;
  }
  const bool matches = bcrypt_matches(password, hash);
  if (!known || !matches) return false;
  const std::lock_guard lock(cache_mutex_);
  if (verified_.size() >= kCacheLimit) verified_.clear();
  verified_.insert(digest);
  return true;
}

}  // namespace mta
