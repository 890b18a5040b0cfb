#pragma once
// Reads a log file line by line, plain or gzip-compressed (rotated logs: mail.log.2.gz), through zlib, which passes
// a file without the gzip header through unchanged. Lines are cut as the sources cut them (framing/line_splitter.hpp):
// without "\n" or "\r\n", an over-long line dropped and counted instead of buffered without bound.

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mta {

// The `source` label of a file's lines, as report gives it: the file's name, or "stdin" for "-".
std::string source_label(const std::string& path);

class LogFileReader {
 public:
  // "-" reads standard input. Throws std::runtime_error naming the file when it cannot be opened.
  explicit LogFileReader(std::string path, std::size_t max_line_length = 64 * 1024);
  ~LogFileReader();
  LogFileReader(const LogFileReader&) = delete;
  LogFileReader& operator=(const LogFileReader&) = delete;

  // The next line, valid until the next call; nothing at the end of the file. Throws std::runtime_error naming the
  // file on a read error (a truncated or corrupt .gz).
  std::optional<std::string_view> next_line();

  const std::string& path() const { return path_; }
  // How far into the file (on disk: compressed for a .gz) reading has come.
  std::uint64_t position() const { return static_cast<std::uint64_t>(std::max<z_off_t>(0, ::gzoffset(file_))); }
  std::uint64_t lines_too_long() const { return lines_too_long_; }

 private:
  bool fill();  // false at the end of the file

  std::string path_;
  std::size_t max_line_length_;
  gzFile file_ = nullptr;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // of the unread bytes in buffer_
  std::size_t end_ = 0;
  bool at_end_ = false;
  std::uint64_t lines_too_long_ = 0;
};

}  // namespace mta
