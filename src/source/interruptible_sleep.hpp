#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace mta {

// Sleeps for `duration` or until a stop is requested; returns false when stopped.
inline bool sleep_unless_stopped(std::stop_token stop, std::chrono::milliseconds duration) {
  std::mutex mutex;
  std::condition_variable_any wakeup;
  std::unique_lock lock(mutex);
  return !wakeup.wait_for(lock, stop, duration, [] { return false; }) && !stop.stop_requested();
}

}  // namespace mta
