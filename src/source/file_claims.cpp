#include "source/file_claims.hpp"

namespace mta {

FileClaims& FileClaims::process() {
  static FileClaims claims;
  return claims;
}

bool FileClaims::claim(dev_t device, ino_t inode, const void* reader, const std::string& name, std::string& holder) {
  std::lock_guard lock(mutex_);
  const auto [found, inserted] = claims_.try_emplace({device, inode}, Claim{reader, name});
  if (inserted || found->second.reader == reader) return true;
  holder = found->second.name;
  return false;
}

void FileClaims::release(dev_t device, ino_t inode, const void* reader) {
  std::lock_guard lock(mutex_);
  const auto found = claims_.find({device, inode});
  if (found != claims_.end() && found->second.reader == reader) claims_.erase(found);
}

}  // namespace mta
