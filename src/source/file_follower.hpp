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

#include "framing/line_splitter.hpp"
#include "source/checkpoint.hpp"
#include "source/line_handler.hpp"

namespace mta {

struct FileFollowerOptions {
  std::string path;
  bool from_beginning = false;
  std::chrono::milliseconds poll_interval{250};
  std::size_t max_line_length = 64 * 1024;
  std::optional<FilePosition> resume;  // continue where a checkpoint left off
};

class FileFollower {
 public:
  FileFollower(FileFollowerOptions options, LineHandler& handler);
  ~FileFollower();
  FileFollower(const FileFollower&) = delete;
  FileFollower& operator=(const FileFollower&) = delete;

  void run(std::stop_token stop);

  // One step: open if needed, read all that is available, handle rotation. Returns true when it
  // read data or switched files (the caller may poll again at once).
  bool poll_once();

  bool is_open() const { return fd_ >= 0; }
  const std::string& path() const { return options_.path; }
  std::uint64_t rotations() const { return rotations_; }
  std::uint64_t truncations() const { return truncations_; }
  std::uint64_t bytes_read() const { return bytes_read_; }
  std::uint64_t lines_too_long() const { return splitter_.lines_too_long(); }
  // The position after the last complete line handed over, for the checkpoint; empty while closed.
  std::optional<FilePosition> position();

 private:
  bool open_first();
  bool open_file(const std::string& path, bool seek_to_end);
  bool resume_from(const FilePosition& position);
  bool drain();
  void close_file();
  void finish_current_file();

  FileFollowerOptions options_;
  LineHandler& handler_;
  LineSplitter splitter_;
  int fd_ = -1;
  dev_t device_ = 0;
  ino_t inode_ = 0;
  off_t offset_ = 0;
  std::uint64_t fingerprint_ = 0;
  std::uint32_t fingerprint_length_ = 0;
  bool first_open_ = true;
  bool reading_rotated_ = false;  // resumed in a file renamed while the agent was down
  bool reported_missing_ = false;
  std::uint64_t rotations_ = 0;
  std::uint64_t truncations_ = 0;
  std::uint64_t bytes_read_ = 0;
};

}  // namespace mta
