#include "framing/syslog_framer.hpp"

#include <charconv>

namespace mta {

SyslogStreamFramer::Result SyslogStreamFramer::next(std::string_view& frame) {
  std::string_view rest = std::string_view(buffer_).substr(consumed_);
  if (skipping_) {
    const std::size_t newline = rest.find('\n');
    if (newline == std::string_view::npos) {
      consumed_ = buffer_.size();
      return Result::need_more;
    }
    consumed_ += newline + 1;
    skipping_ = false;
    rest.remove_prefix(newline + 1);
  }
  if (rest.empty()) return Result::need_more;
  std::size_t digits = 0;
  while (digits < rest.size() && digits < 10 && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
  if (digits > 0 && rest[0] != '0' && digits < rest.size() && rest[digits] == ' ') {
    std::size_t length = 0;
    std::from_chars(rest.data(), rest.data() + digits, length);
    if (length > max_frame_size_) {
      broken_ = true;
      return Result::invalid;
    }
    if (rest.size() < digits + 1 + length) return Result::need_more;
    frame = rest.substr(digits + 1, length);
    consumed_ += digits + 1 + length;
    return Result::frame;
  }
  if (digits == rest.size() && digits < 10) return Result::need_more;  // a length still arriving
  const std::size_t newline = rest.find('\n');
  if (newline == std::string_view::npos) {
    if (rest.size() > max_frame_size_) {
      consumed_ = buffer_.size();
      skipping_ = true;
      return Result::invalid;
    }
    return Result::need_more;
  }
  consumed_ += newline + 1;
  if (newline > max_frame_size_) return Result::invalid;
  frame = rest.substr(0, newline);
  return Result::frame;
}

}  // namespace mta
