// The hot path (parse -> classify -> count) must not allocate per line once every label tuple has
// its series: this test counts calls to operator new while a warmed-up pipeline reads a real log again.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/line_processor.hpp"

namespace {
std::atomic<long> allocations{0};
}

void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }

namespace mta {
namespace {

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(AllocationTest, WarmPipelineAllocatesNothingPerLine) {
  const std::vector<std::string> lines = read_lines(std::string(MTA_SOURCE_DIR) + "/config/sample/mail.log");
  ASSERT_GT(lines.size(), 1000u);
  prometheus::Registry registry;
  MetricFamilies families(registry);
  LineProcessor processor(families, "sample");
  for (const std::string& line : lines) processor.process(line);  // creates every series once

  const long before = allocations.load();
  for (int round = 0; round < 3; ++round) {
    for (const std::string& line : lines) processor.process(line);
  }
  EXPECT_EQ(allocations.load() - before, 0) << "allocations while reading " << 3 * lines.size() << " lines";
}

}  // namespace
}  // namespace mta
