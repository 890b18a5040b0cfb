#include "source/file_claims.hpp"

namespace mta {

FileClaims& FileClaims::process() {
  static FileClaims claims;
  return claims;
}

bool FileClaims::claim(dev_t device, ino_t inode, const void* reader, const std::string& name, std::string& holder,
                       std::optional<FilePosition>& left_at) {
  std::lock_guard lock(mutex_);
  const auto [found, inserted] = claims_.try_emplace({device, inode}, Claim{reader, name});
  if (!inserted && found->second.reader != reader) {
    holder = found->second.name;
    return false;
  }
  if (const auto left = left_.find({device, inode}); left != left_.end()) {
    left_at = left->second;
    left_.erase(left);
  }
  return true;
}

void FileClaims::release(dev_t device, ino_t inode, const void* reader, std::optional<FilePosition> read_to) {
  std::lock_guard lock(mutex_);
  const auto found = claims_.find({device, inode});
  if (found == claims_.end() || found->second.reader != reader) return;
  claims_.erase(found);
  if (!read_to) return;
  left_.insert_or_assign({device, inode}, *read_to);
  if (left_.size() > kMaxLeft) left_.erase(left_.begin());
}

}  // namespace mta
