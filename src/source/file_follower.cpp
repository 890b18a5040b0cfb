#include "source/file_follower.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "source/interruptible_sleep.hpp"

namespace mta {

FileFollower::FileFollower(FileFollowerOptions options, LineHandler& handler)
    : options_(std::move(options)), handler_(handler), splitter_(options_.max_line_length) {}

FileFollower::~FileFollower() { close_file(); }

void FileFollower::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    if (!poll_once() && !sleep_unless_stopped(stop, options_.poll_interval)) break;
  }
}

bool FileFollower::open_file(bool seek_to_end) {
  const int fd = ::open(options_.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (!reported_missing_) {
      spdlog::warn("msg=\"cannot open log file, waiting for it\" path={} error=\"{}\"", options_.path,
                   std::strerror(errno));
      reported_missing_ = true;
    }
    return false;
  }
  struct stat status {};
  ::fstat(fd, &status);
  fd_ = fd;
  device_ = status.st_dev;
  inode_ = status.st_ino;
  offset_ = seek_to_end ? ::lseek(fd, 0, SEEK_END) : 0;
  if (reported_missing_) spdlog::info("msg=\"log file appeared\" path={}", options_.path);
  reported_missing_ = false;
  return true;
}

void FileFollower::close_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool FileFollower::drain() {
  std::array<char, 64 * 1024> buffer;
  bool read_any = false;
  while (true) {
    const ssize_t count = ::read(fd_, buffer.data(), buffer.size());
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return read_any;
    offset_ += count;
    read_any = true;
    splitter_.feed({buffer.data(), static_cast<std::size_t>(count)},
                   [this](std::string_view line) { handler_.on_line(line); });
  }
}

bool FileFollower::poll_once() {
  if (fd_ < 0) {
    // Only a file that exists at start has history to skip; one that appears later is all new.
    const bool seek_to_end = first_open_ && !options_.from_beginning;
    first_open_ = false;
    if (!open_file(seek_to_end)) return false;
  }
  if (drain()) return true;

  struct stat open_status {};
  if (::fstat(fd_, &open_status) == 0 && open_status.st_size < offset_) {
    // copytruncate: the content we had read was copied away; start again at the top.
    spdlog::info("msg=\"log file truncated, reading from the start\" path={}", options_.path);
    ++truncations_;
    splitter_.discard_partial();
    offset_ = ::lseek(fd_, 0, SEEK_SET);
    return true;
  }
  struct stat path_status {};
  if (::stat(options_.path.c_str(), &path_status) != 0) return false;  // renamed, new file not there yet
  if (path_status.st_dev == device_ && path_status.st_ino == inode_) return false;

  // Rename-and-create: finish the old file (the writer may have added a last line), then switch.
  drain();
  splitter_.flush([this](std::string_view line) { handler_.on_line(line); });
  close_file();
  ++rotations_;
  spdlog::info("msg=\"log file rotated, following the new file\" path={}", options_.path);
  return open_file(false);
}

}  // namespace mta
