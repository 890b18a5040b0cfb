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

#include "framing/container_log.hpp"
#include "framing/line_splitter.hpp"
#include "framing/syslog_framer.hpp"
#include "pipeline/line_processor.hpp"

namespace {
std::atomic<long> allocations{0};
}

// This operator new takes its memory from malloc, so free matches it; GCC 12 sees only that free()
// releases what "operator new" returned and warns when it inlines the pair (the ThreadSanitizer build).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
#pragma GCC diagnostic pop

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

// The framing stages in front of the pipeline: a byte stream cut into lines (as the file and stdin
// sources do), Docker json-file records decoded, and syslog TCP frames.
TEST(AllocationTest, WarmFramingAllocatesNothingPerLine) {
  const std::vector<std::string> lines = read_lines(std::string(MTA_SOURCE_DIR) + "/config/sample/mail.log");
  std::string stream;
  std::string docker;
  std::string frames;
  for (const std::string& line : lines) {
    stream += line + "\n";
    docker += R"({"log":")" + line + R"(\n","stream":"stdout"})" + "\n";
    frames += std::to_string(line.size()) + " " + line;
  }
  prometheus::Registry registry;
  MetricFamilies families(registry);
  LineProcessor processor(families, "sample");
  LineSplitter splitter(64 * 1024);
  ContainerLogDecoder decoder(LogFormat::docker, processor);
  SyslogStreamFramer framer(64 * 1024);
  const auto to_processor = [&](std::string_view line) { processor.process(line); };
  const auto to_decoder = [&](std::string_view line) { decoder.on_line(line); };
  const auto read_all = [&] {
    for (std::size_t pos = 0; pos < stream.size(); pos += 4096)
      splitter.feed(std::string_view(stream).substr(pos, 4096), to_processor);
    for (std::size_t pos = 0; pos < docker.size(); pos += 4096)
      splitter.feed(std::string_view(docker).substr(pos, 4096), to_decoder);
    for (std::size_t pos = 0; pos < frames.size(); pos += 4096) {
      framer.feed(std::string_view(frames).substr(pos, 4096), to_processor, [] {});
    }
  };
  read_all();  // creates every series and grows every buffer once

  const long before = allocations.load();
  read_all();
  read_all();
  EXPECT_EQ(allocations.load() - before, 0) << "allocations while framing " << 6 * lines.size() << " lines";
}

}  // namespace
}  // namespace mta
