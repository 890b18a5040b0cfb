#pragma once
// The checkpoint file: for each followed log file its identity (device, inode, a fingerprint of its
// first bytes) and the offset after the last line handed to the pipeline; for each journal source its
// cursor. Written atomically (write, fsync, rename, fsync of the folder) so a crash leaves either the
// old or the new file, never a torn one.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mta {

struct FilePosition {
  dev_t device = 0;
  ino_t inode = 0;
  std::uint64_t fingerprint = 0;  // FNV-1a of the first fingerprint_length bytes
  std::uint32_t fingerprint_length = 0;
  std::uint64_t offset = 0;

  bool operator==(const FilePosition&) const = default;
};

// Hash of the first `length` bytes of an open file (fewer if it is shorter); `length` is updated.
std::uint64_t file_fingerprint(int fd, std::uint32_t& length);

class CheckpointStore {
 public:
  static constexpr std::uint32_t kFingerprintBytes = 1024;

  // Loads the file if it exists; a damaged file is reported and ignored, never fatal. An empty path
  // keeps positions in memory only (a reload resumes from them).
  explicit CheckpointStore(std::string path);

  std::optional<FilePosition> file(const std::string& key) const;
  std::optional<std::string> cursor(const std::string& key) const;
  void set_file(const std::string& key, const FilePosition& position);
  void set_cursor(const std::string& key, const std::string& cursor);
  void erase_file(const std::string& key);
  // Sets (a position) or erases (none) several entries at once, so that a save never sees some of them
  // changed and not the others (the file a rotation left and the new one).
  void update_files(const std::vector<std::pair<std::string, std::optional<FilePosition>>>& entries);
  void erase_cursor(const std::string& key);
  std::vector<std::string> file_keys() const;

  // Writes the file when something changed; returns false (and logs) on an I/O error.
  bool save();
  const std::string& path() const { return path_; }

 private:
  void load();

  std::string path_;
  mutable std::mutex mutex_;
  std::map<std::string, FilePosition> files_;
  std::map<std::string, std::string> cursors_;
  bool dirty_ = false;
};

}  // namespace mta
