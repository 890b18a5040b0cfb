#pragma once
// HTTP basic authentication against the bcrypt hashes of the web config's basic_auth_users, checked
// with libxcrypt. As in exporter-toolkit, a successful check is cached (by a SHA-256 of user, hash
// and password, never the password itself), so bcrypt's deliberate cost is paid once per credential
// and not on every scrape; an unknown user costs a bcrypt run like a known one, so response times do
// not tell which user names exist.

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace mta {

class BasicAuth {
 public:
  explicit BasicAuth(std::map<std::string, std::string> users);

  // `authorization` is the request's Authorization header ("Basic base64(user:password)").
  bool allows(std::string_view authorization);

 private:
  static constexpr std::size_t kCacheLimit = 128;
  std::map<std::string, std::string> users_;
  std::string timing_hash_;  // any configured hash: what an unknown user is checked against
  std::mutex cache_mutex_;
  std::set<std::string> verified_;  // guarded by cache_mutex_
};

// Decodes standard base64 (RFC 4648, padding optional); nullopt for anything else.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace mta
