#include "source/file_follower.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <set>
#include <utility>

#include "logging/logfmt.hpp"

namespace mta {
namespace {

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
int open_for_reading(const std::string& path) { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK); }

std::string_view kind_of_special_file(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

bool same_first_bytes(int fd, const FilePosition& position) {
  std::uint32_t length = position.fingerprint_length;
  return file_fingerprint(fd, length) == position.fingerprint && length == position.fingerprint_length;
}

}  // namespace

FileFollower::FileFollower(FileFollowerOptions options, LineHandler& handler)
    : options_(std::move(options)), handler_(handler), current_(options_.max_line_length) {}

FileFollower::~FileFollower() {
  release(current_);
  for (OpenFile& rotated : rotated_) release(rotated);
}

std::uint64_t FileFollower::lines_too_long() const {
  std::uint64_t count = lines_too_long_before_ + current_.splitter.lines_too_long();
  for (const OpenFile& rotated : rotated_) count += rotated.splitter.lines_too_long();
  return count;
}

void FileFollower::report_problem(std::string problem) {
  if (problem != problem_) {
    spdlog::warn("msg=\"cannot read log file, retrying\" path={} error={}", log_quoted(options_.path),
                 log_quoted(problem));
  }
  problem_ = std::move(problem);
}

bool FileFollower::adopt(OpenFile& file, int fd, const struct stat& status, std::optional<off_t>& left_at) {
  if (!S_ISREG(status.st_mode)) {
    ::close(fd);
    report_problem(std::string(kind_of_special_file(status.st_mode)) + ", not a regular file: not read");
    return false;
  }
  std::string holder;
  std::optional<FilePosition> left;
  if (options_.claims != nullptr &&
      !options_.claims->claim(status.st_dev, status.st_ino, this, options_.reader_name, holder, left)) {
    ::close(fd);
    if (holder != read_by_) {
      spdlog::warn("msg=\"log file already read by another reader, not read twice\" path={} reader={}",
                   log_quoted(options_.path), log_quoted(holder));
    }
    read_by_ = holder;
    return false;
  }
  read_by_.clear();
  // Where the previous reader stopped, if it is still this content (an inode can be reused).
  if (left && static_cast<std::uint64_t>(status.st_size) >= left->offset && same_first_bytes(fd, *left)) {
    left_at = static_cast<off_t>(left->offset);
  }
  file.fd = fd;
  file.device = status.st_dev;
  file.inode = status.st_ino;
  file.offset = 0;
  forget_fingerprint(file);
  file.last_data = std::chrono::steady_clock::now();
  file.first_data.reset();
  file.complete = false;
  return true;
}

bool FileFollower::open_current(const std::string& path, bool seek_to_end) {
  const int fd = open_for_reading(path);
  struct stat status {};
  if (fd < 0 || ::fstat(fd, &status) != 0) {
    open_error_ = errno;
    report_problem(std::strerror(errno));
    if (fd >= 0) ::close(fd);
    return false;
  }
  open_error_ = 0;
  std::optional<off_t> left_at;
  if (!adopt(current_, fd, status, left_at)) return false;
  if (left_at) {
    current_.offset = ::lseek(fd, *left_at, SEEK_SET);
  } else if (seek_to_end) {
    current_.offset = ::lseek(fd, 0, SEEK_END);
  }
  if (!problem_.empty()) spdlog::info("msg=\"log file readable\" path={}", log_quoted(path));
  problem_.clear();
  return true;
}

int FileFollower::locate(const FilePosition& position, bool copies_only, bool& at_path, struct stat& status,
                         std::string& found) const {
  // by_identity: the file itself, maybe renamed; otherwise a copy of it (other identity, same first bytes).
  const auto open_if_it_is = [&](const std::string& candidate, bool by_identity) {
    const int fd = open_for_reading(candidate);
    if (fd < 0) return -1;
    const bool regular = ::fstat(fd, &status) == 0 && S_ISREG(status.st_mode);
    const bool same_identity = status.st_dev == position.device && status.st_ino == position.inode;
    const bool is_it = regular && (by_identity ? same_identity : !same_identity && position.fingerprint_length > 0) &&
                       static_cast<std::uint64_t>(status.st_size) >= position.offset && same_first_bytes(fd, position);
    if (is_it) return fd;
    ::close(fd);
    return -1;
  };
  at_path = !copies_only;
  found = options_.path;
  if (!copies_only) {
    if (const int fd = open_if_it_is(options_.path, true); fd >= 0) return fd;
  }
  at_path = false;
  std::error_code error;
  for (const bool by_identity : {true, false}) {
    if (by_identity && copies_only) continue;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::path(options_.path).parent_path(), error)) {
      const std::string candidate = entry.path().string();
      if (candidate == options_.path || !entry.is_regular_file(error)) continue;
      if (const int fd = open_if_it_is(candidate, by_identity); fd >= 0) {
        found = candidate;
        return fd;
      }
    }
  }
  return -1;
}

void FileFollower::add_rotated(OpenFile&& file) {
  if (rotated_.size() >= kMaxRotated) {
    finish(rotated_.front(), !rotated_.front().complete);
    rotated_.erase(rotated_.begin());
  }
  rotated_.push_back(std::move(file));
}

// Opens the files a checkpoint names at their positions, each file once. False when the followed file
// was not opened. When a file is held by another reader, or the path exists but cannot be read yet,
// nothing is left open and nothing was read, so that a later try starts over.
bool FileFollower::resume(const ResumePoint& point) {
  // The path first: a file there that cannot be opened (permission denied) is no reason to read a copy.
  if (const int probe = open_for_reading(options_.path); probe >= 0) {
    ::close(probe);
  } else if (errno != ENOENT) {
    open_error_ = errno;
    report_problem(std::strerror(errno));
    return false;
  }
  std::set<std::pair<dev_t, ino_t>> opened;
  const auto open_at = [&](const FilePosition& position, bool& at_path) -> std::optional<OpenFile> {
    struct stat status {};
    std::string found;
    const int fd = locate(position, false, at_path, status, found);
    if (fd < 0) return std::nullopt;
    if (!opened.emplace(status.st_dev, status.st_ino).second) {
      ::close(fd);  // named twice (a stale entry beside a rotated one): read once
      return std::nullopt;
    }
    OpenFile file(options_.max_line_length);
    std::optional<off_t> left_at;
    if (!adopt(file, fd, status, left_at)) return std::nullopt;
    file.offset = ::lseek(fd, left_at.value_or(static_cast<off_t>(position.offset)), SEEK_SET);
    file.fingerprint = position.fingerprint;
    file.fingerprint_length = position.fingerprint_length;
    // A copy made by copytruncate while the agent was down will not grow.
    file.complete = file.inode != position.inode || file.device != position.device;
    return file;
  };
  const auto give_up = [&] {
    for (OpenFile& rotated : rotated_) release(rotated);
    rotated_.clear();
    return false;
  };
  read_by_.clear();
  for (const RotatedPosition& rotated : point.rotated) {
    bool at_path = false;
    std::optional<OpenFile> file = open_at(rotated.position, at_path);
    if (!read_by_.empty()) return give_up();
    if (!file) continue;
    file->complete = file->complete || rotated.copy;
    add_rotated(std::move(*file));
  }
  if (point.file) {
    bool at_path = false;
    std::optional<OpenFile> file = open_at(*point.file, at_path);
    if (!read_by_.empty()) return give_up();
    if (file && at_path) {
      current_ = std::move(*file);
      return true;
    }
    if (file) {
      spdlog::info("msg=\"resuming in the rotated file first\" path={}", log_quoted(options_.path));
      add_rotated(std::move(*file));
    } else {
      spdlog::info("msg=\"checkpointed file not found, reading the current file from the start\" path={}",
                   log_quoted(options_.path));
    }
  }
  if (open_current(options_.path, false)) return true;
  if (read_by_.empty() && open_error_ == ENOENT) return false;  // the new file is read whole once it appears
  return give_up();
}

bool FileFollower::open_path() {
  const bool first = first_open_;
  // The start is decided at the first open that finds the file: while it is held by another reader or
  // cannot be read (permission denied), the first open is tried again, not replaced by a read from 0.
  const auto decided = [this](bool opened) { return opened || (read_by_.empty() && open_error_ == ENOENT); };
  if (first && options_.resume) {
    const ResumePoint point = options_.resume();
    if (point.file || !point.rotated.empty()) {
      const bool opened = resume(point);
      first_open_ = !decided(opened);
      return opened;
    }
  }
  // Only a file that exists at start has history to skip; one that appears later is all new.
  const bool opened = open_current(options_.path, first && !options_.from_beginning);
  first_open_ = first && !decided(opened);
  return opened;
}

std::uint64_t FileFollower::drain(OpenFile& file, std::uint64_t max_bytes) {
  std::array<char, 64 * 1024> buffer;
  std::uint64_t read_now = 0;
  while (read_now < max_bytes) {
    const ssize_t count = ::read(file.fd, buffer.data(), buffer.size());
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    const off_t chunk_start = file.offset;
    const std::size_t partial_before = file.splitter.partial_size();
    read_now += static_cast<std::uint64_t>(count);
    file.offset += count;
    bytes_read_ += static_cast<std::uint64_t>(count);
    const char* const chunk = buffer.data();
    file.splitter.feed({chunk, static_cast<std::size_t>(count)}, [&](std::string_view line) {
      const bool held_before = handler_.holds_partial();
      handler_.on_line(line);
      if (!handler_.holds_partial()) {
        held_.reset();
      } else if (!held_before) {
        // The line starts in this chunk, or (held by the splitter) just before it.
        const bool in_chunk = std::less_equal<>()(chunk, line.data()) && std::less<>()(line.data(), chunk + count);
        held_ = HeldStart{
            file.device, file.inode,
            in_chunk ? chunk_start + (line.data() - chunk) : chunk_start - static_cast<off_t>(partial_before)};
      }
    });
  }
  if (read_now > 0) {
    file.last_data = std::chrono::steady_clock::now();
    if (!file.first_data) file.first_data = file.last_data;
  }
  return read_now;
}

// The fingerprint covers the first kFingerprintBytes once the file has them; until then it grows.
void FileFollower::remember_fingerprint(OpenFile& file) {
  if (file.fingerprint_length >= CheckpointStore::kFingerprintBytes ||
      static_cast<std::uint64_t>(file.offset) <= file.fingerprint_length) {
    return;
  }
  std::uint32_t length = CheckpointStore::kFingerprintBytes;
  file.fingerprint = file_fingerprint(file.fd, length);
  file.fingerprint_length = length;
}

// The fingerprint of no bytes yet, which every file matches.
void FileFollower::forget_fingerprint(OpenFile& file) {
  file.fingerprint_length = 0;
  file.fingerprint = file_fingerprint(file.fd, file.fingerprint_length);
}

// copytruncate shows as a file shorter than what was read, or, when the writer has appended more than
// that since, as first bytes that changed.
bool FileFollower::was_truncated(OpenFile& file) {
  struct stat status {};
  if (::fstat(file.fd, &status) != 0) return false;
  if (status.st_size < file.offset) return true;
  if (file.fingerprint_length == 0) return false;
  std::uint32_t length = file.fingerprint_length;
  return file_fingerprint(file.fd, length) != file.fingerprint || length != file.fingerprint_length;
}

// logrotate copied the file, then truncated it: what had not been read yet exists only in the copy
// beside it (same first bytes, at least as long as what was read), which is read from where reading
// stopped (a partial line held goes on there). The file itself is read again from its start.
void FileFollower::read_copy_then_restart() {
  ++truncations_;
  const FilePosition read_so_far{current_.device, current_.inode, current_.fingerprint, current_.fingerprint_length,
                                 static_cast<std::uint64_t>(current_.offset)};
  bool copy_found = false;
  if (read_so_far.offset > 0 && read_so_far.fingerprint_length > 0) {
    bool at_path = false;
    struct stat status {};
    std::string found;
    const int fd = locate(read_so_far, true, at_path, status, found);
    OpenFile copy(options_.max_line_length);
    std::optional<off_t> left_at;
    if (fd >= 0 && adopt(copy, fd, status, left_at)) {
      copy.offset = ::lseek(fd, current_.offset, SEEK_SET);
      copy.fingerprint = current_.fingerprint;
      copy.fingerprint_length = current_.fingerprint_length;
      copy.complete = true;
      copy.splitter = std::move(current_.splitter);
      if (held_ && held_->device == current_.device && held_->inode == current_.inode) {
        held_ = HeldStart{copy.device, copy.inode, held_->offset};
      }
      spdlog::info(
          "msg=\"log file truncated, reading what was not read yet from its copy\" path={} copy={} "
          "unread_bytes={}",
          log_quoted(options_.path), log_quoted(found), status.st_size - copy.offset);
      add_rotated(std::move(copy));
      copy_found = true;
    }
  }
  if (!copy_found) {
    spdlog::info("msg=\"log file truncated, reading from the start\" path={}", log_quoted(options_.path));
    lines_too_long_before_ += current_.splitter.lines_too_long();
  }
  current_.splitter = LineSplitter(options_.max_line_length);
  current_.offset = ::lseek(current_.fd, 0, SEEK_SET);
  forget_fingerprint(current_);
  current_.first_data.reset();
}

void FileFollower::finish(OpenFile& file, bool flush_partial) {
  if (file.fd < 0) return;
  drain(file);
  if (flush_partial) file.splitter.flush([this](std::string_view line) { handler_.on_line(line); });
  release(file);
}

void FileFollower::release(OpenFile& file) {
  if (file.fd < 0) return;
  if (options_.claims != nullptr) options_.claims->release(file.device, file.inode, this, position_of(file));
  file.splitter.discard_partial();
  lines_too_long_before_ += file.splitter.lines_too_long();
  file.splitter = LineSplitter(options_.max_line_length);
  ::close(file.fd);
  file.fd = -1;
}

// The current file was renamed away: keep reading it (the writer may still append until it reopens
// the path) while the new file is followed.
void FileFollower::retire_current() {
  add_rotated(std::move(current_));
  current_ = OpenFile(options_.max_line_length);
  ++rotations_;
}

// A rotated file is finished at its end when it is a copy; a renamed one once the new file has received
// data and neither has for rotate_wait since (the writer has moved on), not on a timer of its own.
bool FileFollower::poll_rotated() {
  bool read_any = false;
  for (auto file = rotated_.begin(); file != rotated_.end();) {
    const std::uint64_t read = drain(*file, kPollBytes);
    read_any = read_any || read > 0;
    const bool at_end = read < kPollBytes;
    const bool writer_moved_on =
        read == 0 && current_.fd >= 0 && current_.first_data &&
        std::chrono::steady_clock::now() - std::max(*current_.first_data, file->last_data) >= options_.rotate_wait;
    if ((file->complete && at_end) || writer_moved_on) {
      // A copy's unterminated last line continues in the truncated file: not a line of its own.
      finish(*file, !file->complete);
      file = rotated_.erase(file);
    } else {
      ++file;
    }
  }
  return read_any;
}

bool FileFollower::poll_once() {
  const bool opened = current_.fd < 0 && open_path();
  // Rotated files first: their lines are older (the same order as a restart resumes in).
  const bool read_rotated = poll_rotated() || opened;
  if (current_.fd < 0) return read_rotated;
  if (was_truncated(current_)) {
    read_copy_then_restart();
    return true;
  }
  const bool read_current = drain(current_, kPollBytes) > 0;
  remember_fingerprint(current_);

  // Checked in a catch-up too: two rotations before the old file's end would otherwise skip the middle one.
  struct stat path_status {};
  const bool replaced = ::stat(options_.path.c_str(), &path_status) == 0 &&
                        (path_status.st_dev != current_.device || path_status.st_ino != current_.inode);
  if (!replaced) return read_current || read_rotated;  // unchanged, or renamed and the new file not there yet

  // Rename-and-create or delete-and-recreate: follow the new file, finish the old one meanwhile.
  retire_current();
  spdlog::info("msg=\"log file rotated, following the new file\" path={}", log_quoted(options_.path));
  open_current(options_.path, false);
  return true;
}

std::optional<FilePosition> FileFollower::position_of(OpenFile& file) {
  if (file.fd < 0) return std::nullopt;
  remember_fingerprint(file);
  FilePosition position;
  position.device = file.device;
  position.inode = file.inode;
  position.fingerprint = file.fingerprint;
  position.fingerprint_length = file.fingerprint_length;
  position.offset = static_cast<std::uint64_t>(file.offset) - file.splitter.partial_size();
  // A container runtime's partial records the decoder still holds are read again after a restart.
  if (held_ && handler_.holds_partial() && held_->device == file.device && held_->inode == file.inode) {
    position.offset = static_cast<std::uint64_t>(held_->offset);
  }
  return position;
}

std::vector<RotatedPosition> FileFollower::rotated_positions() {
  std::vector<RotatedPosition> positions;
  for (OpenFile& file : rotated_) {
    if (std::optional<FilePosition> position = position_of(file)) positions.push_back({*position, file.complete});
  }
  return positions;
}

}  // namespace mta
