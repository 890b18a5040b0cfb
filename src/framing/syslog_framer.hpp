#pragma once
// Frames a syslog TCP stream (RFC 6587): each frame is either "LENGTH SP MESSAGE" (octet counting)
// or a message ending in LF, decided per frame by whether it starts with a length and a space.

#include <cstddef>
#include <string>
#include <string_view>

namespace mta {

class SyslogStreamFramer {
 public:
  explicit SyslogStreamFramer(std::size_t max_frame_size) : max_frame_size_(max_frame_size) {}

  // Calls on_frame(std::string_view) per complete frame and on_invalid() per frame that is too large.
  // After an octet count larger than the maximum the stream cannot be resynchronised: broken() turns
  // true and the rest is ignored.
  template <typename OnFrame, typename OnInvalid>
  void feed(std::string_view bytes, OnFrame&& on_frame, OnInvalid&& on_invalid);

  bool broken() const { return broken_; }

 private:
  enum class Result { frame, need_more, invalid };
  Result next(std::string_view& frame);

  std::size_t max_frame_size_;
  std::string buffer_;
  std::size_t consumed_ = 0;  // bytes of buffer_ already framed
  bool skipping_ = false;     // inside a newline-framed message that exceeded the maximum
  bool broken_ = false;
};

template <typename OnFrame, typename OnInvalid>
void SyslogStreamFramer::feed(std::string_view bytes, OnFrame&& on_frame, OnInvalid&& on_invalid) {
  if (broken_) return;
  buffer_.erase(0, consumed_);
  consumed_ = 0;
  buffer_.append(bytes);
  std::string_view frame;
  while (!broken_) {
    const Result result = next(frame);
    if (result == Result::need_more) break;
    if (result == Result::invalid) {
      on_invalid();
      continue;
    }
    on_frame(frame);
  }
}

}  // namespace mta
