#pragma once
// Waiting for what a source does on a thread of its own.

#include <chrono>
#include <thread>

namespace mta::test {

// Checks `condition` every 10 ms until it holds; false when it still does not after 3000 checks (about 30 s:
// sanitizer builds on a loaded machine run many times slower; a passing test waits only as long as it must).
template <typename Condition>
bool eventually(Condition condition) {
  for (int i = 0; i < 3000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace mta::test
