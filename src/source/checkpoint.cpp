#include "source/checkpoint.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "logging/logfmt.hpp"

namespace mta {

std::uint64_t file_fingerprint(int fd, std::uint32_t& length) {
  std::array<char, CheckpointStore::kFingerprintBytes> buffer;
  const ssize_t count = ::pread(fd, buffer.data(), std::min<std::size_t>(length, buffer.size()), 0);
  length = count > 0 ? static_cast<std::uint32_t>(count) : 0;
  std::uint64_t hash = 1469598103934665603ull;
  for (std::uint32_t i = 0; i < length; ++i) {
    hash ^= static_cast<unsigned char>(buffer[i]);
    hash *= 1099511628211ull;
  }
  return hash;
}

CheckpointStore::CheckpointStore(std::string path) : path_(std::move(path)) { load(); }

// Lines: "file<TAB>key<TAB>device<TAB>inode<TAB>fingerprint<TAB>fingerprint_length<TAB>offset" and
// "journal<TAB>key<TAB>cursor".
void CheckpointStore::load() {
  if (path_.empty()) return;
  std::ifstream in(path_);
  if (!in) return;
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    std::istringstream fields(line);
    std::string kind, key;
    std::getline(fields, kind, '\t');
    std::getline(fields, key, '\t');
    if (kind == "file") {
      FilePosition position;
      unsigned long long device = 0, inode = 0;
      fields >> device >> inode >> position.fingerprint >> position.fingerprint_length >> position.offset;
      if (!fields) {
        spdlog::warn("msg=\"checkpoint line ignored\" path={} line={}", path_, line_number);
        continue;
      }
      position.device = static_cast<dev_t>(device);
      position.inode = static_cast<ino_t>(inode);
      files_[key] = position;
    } else if (kind == "journal") {
      std::string cursor;
      std::getline(fields, cursor);
      if (!cursor.empty()) cursors_[key] = cursor;
    } else if (!line.empty()) {
      spdlog::warn("msg=\"checkpoint line ignored\" path={} line={}", path_, line_number);
    }
  }
}

std::optional<FilePosition> CheckpointStore::file(const std::string& key) const {
  std::lock_guard lock(mutex_);
  const auto found = files_.find(key);
  return found == files_.end() ? std::nullopt : std::optional(found->second);
}

std::optional<std::string> CheckpointStore::cursor(const std::string& key) const {
  std::lock_guard lock(mutex_);
  const auto found = cursors_.find(key);
  return found == cursors_.end() ? std::nullopt : std::optional(found->second);
}

void CheckpointStore::set_file(const std::string& key, const FilePosition& position) {
  std::lock_guard lock(mutex_);
  FilePosition& stored = files_[key];
  if (stored == position) return;
  stored = position;
  dirty_ = true;
}

void CheckpointStore::update_files(const std::vector<std::pair<std::string, std::optional<FilePosition>>>& entries) {
  std::lock_guard lock(mutex_);
  for (const auto& [key, position] : entries) {
    if (!position) {
      dirty_ = files_.erase(key) > 0 || dirty_;
      continue;
    }
    FilePosition& stored = files_[key];
    if (stored == *position) continue;
    stored = *position;
    dirty_ = true;
  }
}

void CheckpointStore::erase_file(const std::string& key) {
  std::lock_guard lock(mutex_);
  dirty_ = files_.erase(key) > 0 || dirty_;
}

void CheckpointStore::erase_cursor(const std::string& key) {
  std::lock_guard lock(mutex_);
  dirty_ = cursors_.erase(key) > 0 || dirty_;
}

std::vector<std::string> CheckpointStore::file_keys() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> keys;
  for (const auto& [key, position] : files_) keys.push_back(key);
  return keys;
}

void CheckpointStore::set_cursor(const std::string& key, const std::string& cursor) {
  std::lock_guard lock(mutex_);
  std::string& stored = cursors_[key];
  if (stored == cursor) return;
  stored = cursor;
  dirty_ = true;
}

bool CheckpointStore::save() {
  if (path_.empty()) return true;  // positions kept in memory only (for reloads)
  std::ostringstream content;
  {
    std::lock_guard lock(mutex_);
    if (!dirty_) return true;  // the file is still current
    for (const auto& [key, position] : files_) {
      content << "file\t" << key << '\t' << static_cast<unsigned long long>(position.device) << '\t'
              << static_cast<unsigned long long>(position.inode) << '\t' << position.fingerprint << '\t'
              << position.fingerprint_length << '\t' << position.offset << '\n';
    }
    for (const auto& [key, cursor] : cursors_) content << "journal\t" << key << '\t' << cursor << '\n';
    dirty_ = false;
  }
  const std::string text = content.str();
  const std::string temporary = path_ + ".tmp";
  const auto fail = [&](const char* step) {
    spdlog::error("msg=\"cannot write checkpoint\" path={} step={} error={}", log_quoted(path_), step,
                  log_quoted(std::strerror(errno)));
    std::lock_guard lock(mutex_);
    dirty_ = true;
    return false;
  };
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return fail("open");
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return fail("write");
  if (::rename(temporary.c_str(), path_.c_str()) != 0) return fail("rename");
  const std::string folder = std::filesystem::path(path_).parent_path().string();
  const int folder_fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (folder_fd >= 0) {
    ::fsync(folder_fd);
    ::close(folder_fd);
  }
  return true;
}

}  // namespace mta
