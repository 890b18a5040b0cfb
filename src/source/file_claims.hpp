#pragma once
// Which reader follows which file, by identity (device and inode), so that a file matched by two
// sources, or twice by one glob through a link, is read once: by the first reader that opened it.
// A claim ends when its reader closes the file, so a reused inode is free again.

#include <sys/types.h>

#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace mta {

class FileClaims {
 public:
  // The claims every file source of this process shares: the kernel's file identities are process-wide.
  static FileClaims& process();

  // True when `reader` reads the file now (it claimed it, or already held it). Otherwise false, with
  // `holder` set to the name of the reader that does.
  bool claim(dev_t device, ino_t inode, const void* reader, const std::string& name, std::string& holder);
  void release(dev_t device, ino_t inode, const void* reader);

 private:
  struct Claim {
    const void* reader;
    std::string name;
  };
  std::mutex mutex_;
  std::map<std::pair<dev_t, ino_t>, Claim> claims_;
};

}  // namespace mta
