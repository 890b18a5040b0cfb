#pragma once
// Follows one log file like `tail -F`: starts at its end (or beginning), reads what is appended,
// survives rename-and-create rotation (the old file is read to its end first) and copytruncate
// rotation, and waits for a file that does not exist yet.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>

#include "framing/line_splitter.hpp"
#include "source/line_handler.hpp"

namespace mta {

struct FileFollowerOptions {
  std::string path;
  bool from_beginning = false;
  std::chrono::milliseconds poll_interval{250};
  std::size_t max_line_length = 64 * 1024;
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
  std::uint64_t rotations() const { return rotations_; }
  std::uint64_t truncations() const { return truncations_; }

 private:
  bool open_file(bool seek_to_end);
  bool drain();
  void close_file();

  FileFollowerOptions options_;
  LineHandler& handler_;
  LineSplitter splitter_;
  int fd_ = -1;
  dev_t device_ = 0;
  ino_t inode_ = 0;
  off_t offset_ = 0;
  bool first_open_ = true;
  bool reported_missing_ = false;
  std::uint64_t rotations_ = 0;
  std::uint64_t truncations_ = 0;
};

}  // namespace mta
