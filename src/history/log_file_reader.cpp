#include "history/log_file_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace mta {
namespace {

constexpr std::size_t kReadSize = 64 * 1024;

std::string_view trim_cr(std::string_view line) {
  return line.ends_with('\r') ? line.substr(0, line.size() - 1) : line;
}

}  // namespace

std::string source_label(const std::string& path) {
  return path == "-" ? "stdin" : std::filesystem::path(path).filename().string();
}

LogFileReader::LogFileReader(std::string path, std::size_t max_line_length)
    : path_(std::move(path)), max_line_length_(max_line_length), buffer_(kReadSize + max_line_length + 1) {
  const int fd = path_ == "-" ? ::dup(STDIN_FILENO) : ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(path_ + ": " + std::strerror(errno));
  file_ = ::gzdopen(fd, "rb");
  if (file_ == nullptr) {
    ::close(fd);
    throw std::runtime_error(path_ + ": cannot read (zlib)");
  }
  ::gzbuffer(file_, kReadSize);
}

LogFileReader::~LogFileReader() {
  if (file_ != nullptr) ::gzclose(file_);
}

bool LogFileReader::fill() {
  if (at_end_) return false;
  // Keep the unread bytes (a partial line) at the front, then read after them.
  std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
  const int count = ::gzread(file_, buffer_.data() + end_, static_cast<unsigned>(buffer_.size() - end_));
  if (count < 0) {
    int code = 0;
    const char* message = ::gzerror(file_, &code);
    throw std::runtime_error(path_ + ": " + (code == Z_ERRNO ? std::strerror(errno) : message));
  }
  if (count == 0) {
    // gzread() reads a .gz cut short as its end: say so instead of counting less without a word.
    int code = 0;
    const char* message = ::gzerror(file_, &code);
    if (code != Z_OK && code != Z_BUF_ERROR) throw std::runtime_error(path_ + ": " + message);
    if (code == Z_BUF_ERROR) throw std::runtime_error(path_ + ": the compressed file ends too early");
    at_end_ = true;
    return false;
  }
  end_ += static_cast<std::size_t>(count);
  return true;
}

std::optional<std::string_view> LogFileReader::next_line() {
  bool skipping = false;  // inside a line longer than the limit, whose start was dropped
  while (true) {
    const char* const start = buffer_.data() + begin_;
    const void* newline = std::memchr(start, '\n', end_ - begin_);
    if (newline != nullptr) {
      const std::size_t length = static_cast<std::size_t>(static_cast<const char*>(newline) - start);
      begin_ += length + 1;
      if (skipping || length > max_line_length_) {
        if (!skipping) ++lines_too_long_;
        skipping = false;
        continue;
      }
      return trim_cr({start, length});
    }
    if (end_ - begin_ > max_line_length_) {
      if (!skipping) ++lines_too_long_;
      skipping = true;
      begin_ = end_;
    }
    if (!fill()) {
      if (skipping || begin_ == end_) return std::nullopt;
      // The last line of a file that does not end in a newline.
      const std::string_view last(buffer_.data() + begin_, end_ - begin_);
      begin_ = end_;
      return trim_cr(last);
    }
  }
}

}  // namespace mta
