#pragma once
// Follows one log file like `tail -F`: starts at its end, its beginning or a checkpointed position,
// reads what is appended, survives rename-and-create, delete-and-recreate and copytruncate rotation
// (a renamed file is read to its end first), and waits for a file that does not exist yet.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>

#include "framing/line_handler.hpp"
#include "framing/line_splitter.hpp"
#include "source/checkpoint.hpp"

namespace mta {

struct FileFollowerOptions {
  std::string path;
  bool from_beginning = false;
  std::size_t max_line_length = 64 * 1024;
  std::optional<FilePosition> resume;  // continue where a checkpoint left off
  // After a rename-and-create rotation, how long the old file is still read while the writer may
  // not have reopened the path yet (logrotate's postrotate runs after the new file exists).
  std::chrono::milliseconds rotate_wait{std::chrono::seconds(5)};
};

class FileFollower {
 public:
  FileFollower(FileFollowerOptions options, LineHandler& handler);
  ~FileFollower();
  FileFollower(const FileFollower&) = delete;
  FileFollower& operator=(const FileFollower&) = delete;

  // One step: open if needed, read what is available, at most kPollBytes of it, handle rotation.
  // Returns true when it read data or switched files (the caller may poll again at once).
  bool poll_once();
  // The most one poll_once() reads, so that a long catch-up returns to its caller often (to check for a
  // stop, publish its position, serve other files).
  static constexpr std::uint64_t kPollBytes = 1 << 20;
  // The first open, where a file that exists now starts (its end, unless from_beginning or resumed);
  // one missing now is read whole once it appears. poll_once() does it when it was not called.
  void open_at_start() {
    if (current_.fd < 0 && first_open_) open_first();
  }

  bool is_open() const { return current_.fd >= 0; }
  const std::string& path() const { return options_.path; }
  std::uint64_t rotations() const { return rotations_; }
  std::uint64_t truncations() const { return truncations_; }
  std::uint64_t bytes_read() const { return bytes_read_; }
  std::uint64_t lines_too_long() const {
    return lines_too_long_before_ + current_.splitter.lines_too_long() + retiring_.splitter.lines_too_long();
  }
  // The position after the last complete line handed over, for the checkpoint; empty while closed.
  std::optional<FilePosition> position();

 private:
  // One open file: its identity, how far it was read, and its partial last line.
  struct OpenFile {
    explicit OpenFile(std::size_t max_line_length) : splitter(max_line_length) {}
    int fd = -1;
    dev_t device = 0;
    ino_t inode = 0;
    off_t offset = 0;
    LineSplitter splitter;
    std::chrono::steady_clock::time_point last_data;
  };

  bool open_first();
  bool open_file(const std::string& path, bool seek_to_end);
  bool resume_from(const FilePosition& position);
  // Reads up to max_bytes (at least one read) of what is available; true when it read any.
  bool drain(OpenFile& file, std::uint64_t max_bytes = UINT64_MAX);
  void close(OpenFile& file, bool flush_partial);
  void retire_current();
  void poll_retiring();

  FileFollowerOptions options_;
  LineHandler& handler_;
  OpenFile current_;
  OpenFile retiring_;  // the file before the last rotation, read until its writer is gone
  std::uint64_t fingerprint_ = 0;
  std::uint32_t fingerprint_length_ = 0;
  bool first_open_ = true;
  bool reading_rotated_ = false;  // resumed in a file renamed while the agent was down
  bool reported_missing_ = false;
  std::uint64_t rotations_ = 0;
  std::uint64_t truncations_ = 0;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t lines_too_long_before_ = 0;  // of files already closed
};

}  // namespace mta
