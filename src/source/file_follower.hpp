#pragma once
// Follows one log file like `tail -F`: starts at its end, its beginning or a checkpointed position,
// reads what is appended, survives rename-and-create, delete-and-recreate and copytruncate rotation,
// and waits for a file that does not exist yet. A renamed file is read until the writer has moved to
// the new file; after copytruncate, what was not read yet is read from the copy beside it.

#include <sys/stat.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "framing/line_handler.hpp"
#include "framing/line_splitter.hpp"
#include "source/checkpoint.hpp"
#include "source/file_claims.hpp"

namespace mta {

// A file rotated away and not read to its end yet: renamed (its writer may still append), or a copy made
// by copytruncate (complete: it ends at its end).
struct RotatedPosition {
  FilePosition position;
  bool copy = false;
};

// Where a checkpoint left a file off: the followed file, and rotated files not read to their end.
struct ResumePoint {
  std::optional<FilePosition> file;
  std::vector<RotatedPosition> rotated;
};

struct FileFollowerOptions {
  std::string path;
  bool from_beginning = false;
  std::size_t max_line_length = 64 * 1024;
  // Asked when the file is first opened, and again at each try until it is (not when the follower is
  // made: a reader that held the file before, in a reload, has published its last position by then).
  std::function<ResumePoint()> resume;
  // After a rename-and-create rotation, the renamed file is read until the new file has received data
  // and then this long more (logrotate's postrotate makes the writer reopen the path after the rename).
  std::chrono::milliseconds rotate_wait{std::chrono::seconds(5)};
  // One reader per file identity: a file another reader holds is left to it. Null: no sharing.
  FileClaims* claims = nullptr;
  std::string reader_name;  // how other readers' messages name this one ("source mail")
};

class FileFollower {
 public:
  FileFollower(FileFollowerOptions options, LineHandler& handler);
  ~FileFollower();
  FileFollower(const FileFollower&) = delete;
  FileFollower& operator=(const FileFollower&) = delete;

  // One step: open if needed, read what is available, at most kPollBytes of each open file, handle
  // rotation. Returns true when it read data or switched files (the caller may poll again at once).
  bool poll_once();
  // The most one poll_once() reads of a file, so that a long catch-up returns to its caller often (to
  // check for a stop, publish its position, serve other files).
  static constexpr std::uint64_t kPollBytes = 1 << 20;
  // At most this many rotated files are read at once (the oldest is finished when another arrives).
  static constexpr std::size_t kMaxRotated = 2;
  // The first open, where a file that exists now starts (its end, unless from_beginning or resumed);
  // one missing now is read whole once it appears. poll_once() does it when it was not called.
  void open_at_start() {
    if (current_.fd < 0 && first_open_) open_path();
  }

  bool is_open() const { return current_.fd >= 0; }
  // The reader that holds the file instead of this one; empty when this one reads it or it is closed.
  const std::string& read_by() const { return read_by_; }
  // Why the path cannot be read now ("Permission denied", "a FIFO, not a regular file"); empty while open.
  const std::string& problem() const { return problem_; }
  const std::string& path() const { return options_.path; }
  std::uint64_t rotations() const { return rotations_; }
  std::uint64_t truncations() const { return truncations_; }
  std::uint64_t bytes_read() const { return bytes_read_; }
  std::uint64_t lines_too_long() const;
  // For the checkpoint: the position after the last line handed over in full (a line a container log
  // decoder still holds in part is not), of the followed file (empty while closed) and of each rotated
  // file not read to its end yet.
  std::optional<FilePosition> position() { return position_of(current_); }
  std::vector<RotatedPosition> rotated_positions();

 private:
  // One open file: its identity, how far it was read, and its partial last line.
  struct OpenFile {
    explicit OpenFile(std::size_t max_line_length) : splitter(max_line_length) {}
    int fd = -1;
    dev_t device = 0;
    ino_t inode = 0;
    off_t offset = 0;
    std::uint64_t fingerprint = 0;  // of the first fingerprint_length bytes (growing up to kFingerprintBytes)
    std::uint32_t fingerprint_length = 0;
    LineSplitter splitter;
    std::chrono::steady_clock::time_point last_data;
    std::optional<std::chrono::steady_clock::time_point> first_data;  // since it was opened
    bool complete = false;  // a copy made by copytruncate: it will not grow, it ends at its end
  };
  // Where the line the handler holds in part (a container runtime's partial records) began.
  struct HeldStart {
    dev_t device;
    ino_t inode;
    off_t offset;
  };

  // Opens the path when no file is open: at the first try where the start decides (resumed, its end or
  // its beginning), later from its start (a file that appears later is new).
  bool open_path();
  // Opens `path` as the followed file; false (with problem_ or read_by_ set) when it cannot be read.
  bool open_current(const std::string& path, bool seek_to_end);
  // Makes `fd` the file `file` reads, unless another reader holds it (then fd is closed). `left_at`:
  // where the previous reader of this very file stopped, when one let it go.
  bool adopt(OpenFile& file, int fd, const struct stat& status, std::optional<off_t>& left_at);
  bool resume(const ResumePoint& point);
  // The file a checkpoint position names: at the path or renamed beside it (same identity), or copied
  // beside it (same first bytes, at least as long; the only kind looked for with `copies_only`);
  // opened there, or -1.
  int locate(const FilePosition& position, bool copies_only, bool& at_path, struct stat& status,
             std::string& found) const;
  void add_rotated(OpenFile&& file);
  // Reads up to max_bytes (at least one read) of what is available; returns how much it read.
  std::uint64_t drain(OpenFile& file, std::uint64_t max_bytes = UINT64_MAX);
  void remember_fingerprint(OpenFile& file);
  void forget_fingerprint(OpenFile& file);
  bool was_truncated(OpenFile& file);
  void read_copy_then_restart();
  // Reads a file to its end and closes it; its last line, even without a newline, is handed over when
  // `flush_partial` (the file will not grow).
  void finish(OpenFile& file, bool flush_partial);
  // Closes a file without reading more of it; the next reader takes over where this one stopped.
  void release(OpenFile& file);
  void retire_current();
  bool poll_rotated();
  std::optional<FilePosition> position_of(OpenFile& file);
  void report_problem(std::string problem);

  FileFollowerOptions options_;
  LineHandler& handler_;
  OpenFile current_;
  std::vector<OpenFile> rotated_;  // files before rotations, oldest first, read until their writer is gone
  std::optional<HeldStart> held_;
  bool first_open_ = true;
  int open_error_ = 0;  // errno of the last failed open of the path
  std::string problem_;
  std::string read_by_;
  std::uint64_t rotations_ = 0;
  std::uint64_t truncations_ = 0;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t lines_too_long_before_ = 0;  // of files already closed
};

}  // namespace mta
