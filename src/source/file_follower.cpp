#include "source/file_follower.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "logging/logfmt.hpp"

namespace mta {

FileFollower::FileFollower(FileFollowerOptions options, LineHandler& handler)
    : options_(std::move(options)),
      handler_(handler),
      current_(options_.max_line_length),
      retiring_(options_.max_line_length) {}

FileFollower::~FileFollower() {
  if (current_.fd >= 0) ::close(current_.fd);
  if (retiring_.fd >= 0) ::close(retiring_.fd);
}

bool FileFollower::open_file(const std::string& path, bool seek_to_end) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (!reported_missing_) {
      spdlog::warn("msg=\"cannot open log file, waiting for it\" path={} error={}", log_quoted(path),
                   log_quoted(std::strerror(errno)));
      reported_missing_ = true;
    }
    return false;
  }
  struct stat status {};
  ::fstat(fd, &status);
  current_.fd = fd;
  current_.device = status.st_dev;
  current_.inode = status.st_ino;
  current_.offset = seek_to_end ? ::lseek(fd, 0, SEEK_END) : 0;
  current_.last_data = std::chrono::steady_clock::now();
  fingerprint_length_ = 0;
  if (reported_missing_) spdlog::info("msg=\"log file appeared\" path={}", path);
  reported_missing_ = false;
  return true;
}

// Finds the checkpointed file by identity (it may have been renamed by a rotation meanwhile) and
// continues there; returns false when it is gone.
bool FileFollower::resume_from(const FilePosition& position) {
  const auto matches = [&](const std::string& candidate) {
    const int fd = ::open(candidate.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat status {};
    std::uint32_t length = position.fingerprint_length;
    const bool same = ::fstat(fd, &status) == 0 && status.st_dev == position.device &&
                      status.st_ino == position.inode &&
                      static_cast<std::uint64_t>(status.st_size) >= position.offset &&
                      file_fingerprint(fd, length) == position.fingerprint && length == position.fingerprint_length;
    if (!same) {
      ::close(fd);
      return false;
    }
    current_.fd = fd;
    current_.device = status.st_dev;
    current_.inode = status.st_ino;
    current_.offset = ::lseek(fd, static_cast<off_t>(position.offset), SEEK_SET);
    current_.last_data = std::chrono::steady_clock::now();
    fingerprint_length_ = 0;
    return true;
  };
  if (matches(options_.path)) return true;
  const std::filesystem::path path(options_.path);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(path.parent_path(), error)) {
    const std::string candidate = entry.path().string();
    if (candidate == options_.path || !entry.is_regular_file(error)) continue;
    if (matches(candidate)) {
      spdlog::info("msg=\"resuming in the rotated file first\" path={} rotated={}", options_.path, candidate);
      reading_rotated_ = true;
      return true;
    }
  }
  return false;
}

bool FileFollower::open_first() {
  const bool first = first_open_;
  first_open_ = false;
  if (first && options_.resume) {
    if (resume_from(*options_.resume)) return true;
    spdlog::info("msg=\"checkpointed file not found, reading the current file from the start\" path={}", options_.path);
    return open_file(options_.path, false);
  }
  // Only a file that exists at start has history to skip; one that appears later is all new.
  return open_file(options_.path, first && !options_.from_beginning);
}

bool FileFollower::drain(OpenFile& file, std::uint64_t max_bytes) {
  std::array<char, 64 * 1024> buffer;
  bool read_any = false;
  for (std::uint64_t read_now = 0; read_now < max_bytes;) {
    const ssize_t count = ::read(file.fd, buffer.data(), buffer.size());
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    read_now += static_cast<std::uint64_t>(count);
    file.offset += count;
    bytes_read_ += static_cast<std::uint64_t>(count);
    read_any = true;
    file.splitter.feed({buffer.data(), static_cast<std::size_t>(count)},
                       [this](std::string_view line) { handler_.on_line(line); });
  }
  if (read_any) file.last_data = std::chrono::steady_clock::now();
  return read_any;
}

// A finished file: its last line, even without a newline, is handed over when it is complete.
void FileFollower::close(OpenFile& file, bool flush_partial) {
  if (file.fd < 0) return;
  drain(file);
  if (flush_partial) file.splitter.flush([this](std::string_view line) { handler_.on_line(line); });
  file.splitter.discard_partial();
  lines_too_long_before_ += file.splitter.lines_too_long();
  file.splitter = LineSplitter(options_.max_line_length);
  ::close(file.fd);
  file.fd = -1;
}

// The current file was renamed away: keep reading it (the writer may still append until it reopens
// the path) while the new file is followed.
void FileFollower::retire_current() {
  close(retiring_, true);
  drain(current_);
  std::swap(current_, retiring_);
  retiring_.last_data = std::chrono::steady_clock::now();
  ++rotations_;
}

void FileFollower::poll_retiring() {
  if (retiring_.fd < 0) return;
  if (!drain(retiring_, kPollBytes) && std::chrono::steady_clock::now() - retiring_.last_data >= options_.rotate_wait) {
    close(retiring_, true);
  }
}

bool FileFollower::poll_once() {
  poll_retiring();
  if (current_.fd < 0 && !open_first()) return false;
  if (drain(current_, kPollBytes)) return true;

  if (reading_rotated_) {
    reading_rotated_ = false;
    retire_current();
    return open_file(options_.path, false);
  }
  struct stat open_status {};
  if (::fstat(current_.fd, &open_status) == 0 && open_status.st_size < current_.offset) {
    // copytruncate: the content we had read was copied away; start again at the top.
    spdlog::info("msg=\"log file truncated, reading from the start\" path={}", options_.path);
    ++truncations_;
    current_.splitter.discard_partial();
    fingerprint_length_ = 0;
    current_.offset = ::lseek(current_.fd, 0, SEEK_SET);
    return true;
  }
  struct stat path_status {};
  if (::stat(options_.path.c_str(), &path_status) != 0) return false;  // renamed, new file not there yet
  if (path_status.st_dev == current_.device && path_status.st_ino == current_.inode) return false;

  // Rename-and-create or delete-and-recreate: follow the new file, finish the old one meanwhile.
  retire_current();
  spdlog::info("msg=\"log file rotated, following the new file\" path={}", options_.path);
  return open_file(options_.path, false);
}

std::optional<FilePosition> FileFollower::position() {
  // Until the writer has reopened the path (nothing read from the new file yet) the renamed file is
  // where lines still arrive: a restart resumes there, then reads the new file from its start.
  if (retiring_.fd >= 0 && current_.offset == 0) {
    std::uint32_t length = CheckpointStore::kFingerprintBytes;
    FilePosition position;
    position.device = retiring_.device;
    position.inode = retiring_.inode;
    position.fingerprint = file_fingerprint(retiring_.fd, length);
    position.fingerprint_length = length;
    position.offset = static_cast<std::uint64_t>(retiring_.offset) - retiring_.splitter.partial_size();
    return position;
  }
  if (current_.fd < 0) return std::nullopt;
  // The fingerprint covers the first kFingerprintBytes once the file has them; until then it grows.
  const bool fingerprint_can_grow = fingerprint_length_ < CheckpointStore::kFingerprintBytes;
  if (fingerprint_can_grow && static_cast<std::uint64_t>(current_.offset) > fingerprint_length_) {
    fingerprint_length_ = CheckpointStore::kFingerprintBytes;
    fingerprint_ = file_fingerprint(current_.fd, fingerprint_length_);
  }
  FilePosition position;
  position.device = current_.device;
  position.inode = current_.inode;
  position.fingerprint = fingerprint_;
  position.fingerprint_length = fingerprint_length_;
  position.offset = static_cast<std::uint64_t>(current_.offset) - current_.splitter.partial_size();
  return position;
}

}  // namespace mta
