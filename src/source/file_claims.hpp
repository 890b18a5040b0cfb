#pragma once
// Which reader follows which file, by identity (device and inode), so that a file matched by two
// sources, or twice by one glob through a link, is read once: by the first reader that opened it. A
// reader that lets a file go (stopped by a reload, rotated away, restarted after a failure) leaves
// where it stopped, and the next reader of the file takes over there: nothing read twice, nothing
// skipped. A claim ends when its reader closes the file, so a reused inode is free again.

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "source/checkpoint.hpp"

namespace mta {

class FileClaims {
 public:
  // The claims every file source of this process shares: the kernel's file identities are process-wide.
  static FileClaims& process();

  // True when `reader` reads the file now (it claimed it, or already held it); `left_at` is then where
  // the last reader of it stopped, if one let it go. Otherwise false, with `holder` set to the name of
  // the reader that holds it.
  bool claim(dev_t device, ino_t inode, const void* reader, const std::string& name, std::string& holder,
             std::optional<FilePosition>& left_at);
  // `read_to`: how far the reader handed lines over (empty when it cannot tell).
  void release(dev_t device, ino_t inode, const void* reader, std::optional<FilePosition> read_to);

  // Positions left by readers are kept for at most this many files, so the map stays bounded; past it,
  // one is forgotten (its next reader starts as a new reader of the file would).
  static constexpr std::size_t kMaxLeft = 1024;

 private:
  struct Claim {
    const void* reader;
    std::string name;
  };
  using Identity = std::pair<dev_t, ino_t>;
  std::mutex mutex_;
  std::map<Identity, Claim> claims_;
  std::map<Identity, FilePosition> left_;
};

}  // namespace mta
