// Tests for the process_* metrics (src/metrics/process_metrics.hpp): what /proc says of this process.

#include "metrics/process_metrics.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <string>

#include "metrics/exposition.hpp"

namespace mta {
namespace {

TEST(ProcessSampleTest, ReadsThisProcess) {
  const ProcessSample sample = sample_process();
  EXPECT_GE(sample.cpu_seconds, 0);
  EXPECT_GT(sample.resident_memory_bytes, 1 << 20);
  EXPECT_GE(sample.virtual_memory_bytes, sample.resident_memory_bytes);
  EXPECT_GE(sample.open_fds, 3);  // at least standard input, output and error
  EXPECT_GE(sample.max_fds, sample.open_fds);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(sample.start_time_seconds, now + 1);
  EXPECT_GT(sample.start_time_seconds, now - 3600) << "this test process started within the hour";
}

TEST(ProcessSampleTest, CountsOpenDescriptors) {
  const double before = sample_process().open_fds;
  const int fd = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(sample_process().open_fds, before + 1);
  ::close(fd);
  EXPECT_EQ(sample_process().open_fds, before);
}

TEST(ProcessMetricsTest, ExportsTheStandardNames) {
  prometheus::Registry registry;
  ProcessMetrics metrics(registry);
  metrics.update();
  const std::string page = render_exposition(registry);
  for (const char* name :
       {"process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_virtual_memory_bytes ",
        "process_open_fds ", "process_max_fds ", "process_start_time_seconds "}) {
    EXPECT_NE(page.find(std::string("\n") + name), std::string::npos) << name << " missing from\n" << page;
  }
  EXPECT_NE(page.find("# TYPE process_cpu_seconds_total counter"), std::string::npos);
}

}  // namespace
}  // namespace mta
