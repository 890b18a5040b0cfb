#include "metrics/process_metrics.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace mta {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;

double open_fd_count() {
  DIR* folder = ::opendir("/proc/self/fd");
  if (folder == nullptr) return -1;
  double count = 0;
  while (const dirent* entry = ::readdir(folder)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(folder);
  return count - 1;  // the descriptor opendir() itself holds
}

// The system's boot time (Unix seconds), the zero of the start time in /proc/self/stat.
double boot_time() {
  std::ifstream stat("/proc/stat");
  for (std::string line; std::getline(stat, line);) {
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  }
  return -1;
}

}  // namespace

ProcessSample sample_process() {
  ProcessSample sample;
  std::ifstream stat_file("/proc/self/stat");
  std::string stat;
  std::getline(stat_file, stat);
  // "pid (comm) state ..." and comm may hold spaces and parentheses: fields count from the last ')'.
  const std::size_t close = stat.rfind(')');
  const long ticks = ::sysconf(_SC_CLK_TCK);
  const long page = ::sysconf(_SC_PAGESIZE);
  if (close != std::string::npos && ticks > 0 && page > 0) {
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0, start = 0, vsize = 0, rss = 0;
    // Field 3 (state) is the first after ')': utime is 14, stime 15, starttime 22, vsize 23, rss 24.
    for (int number = 3; number <= 24 && fields >> field; ++number) {
      if (number == 14) utime = std::stod(field);
      if (number == 15) stime = std::stod(field);
      if (number == 22) start = std::stod(field);
      if (number == 23) vsize = std::stod(field);
      if (number == 24) rss = std::stod(field);
    }
    sample.cpu_seconds = (utime + stime) / static_cast<double>(ticks);
    sample.virtual_memory_bytes = vsize;
    sample.resident_memory_bytes = rss * static_cast<double>(page);
    if (const double boot = boot_time(); boot >= 0)
      sample.start_time_seconds = boot + start / static_cast<double>(ticks);
  }
  sample.open_fds = open_fd_count();
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) sample.max_fds = static_cast<double>(limit.rlim_cur);
  return sample;
}

ProcessMetrics::ProcessMetrics(prometheus::Registry& registry)
    : cpu_seconds_(BuildCounter()
                       .Name("process_cpu_seconds_total")
                       .Help("Total user and system CPU time spent in seconds.")
                       .Register(registry)
                       .Add({})),
      resident_memory_(BuildGauge()
                           .Name("process_resident_memory_bytes")
                           .Help("Resident memory size in bytes.")
                           .Register(registry)
                           .Add({})),
      virtual_memory_(BuildGauge()
                          .Name("process_virtual_memory_bytes")
                          .Help("Virtual memory size in bytes.")
                          .Register(registry)
                          .Add({})),
      open_fds_(
          BuildGauge().Name("process_open_fds").Help("Number of open file descriptors.").Register(registry).Add({})),
      max_fds_(BuildGauge()
                   .Name("process_max_fds")
                   .Help("Maximum number of open file descriptors.")
                   .Register(registry)
                   .Add({})),
      start_time_(BuildGauge()
                      .Name("process_start_time_seconds")
                      .Help("Start time of the process since unix epoch in seconds.")
                      .Register(registry)
                      .Add({})) {
  update();
}

void ProcessMetrics::update() {
  const ProcessSample sample = sample_process();
  std::lock_guard lock(mutex_);
  // A counter only grows: it takes the CPU time used since the last scrape.
  if (sample.cpu_seconds > cpu_counted_) {
    cpu_seconds_.Increment(sample.cpu_seconds - cpu_counted_);
    cpu_counted_ = sample.cpu_seconds;
  }
  if (sample.resident_memory_bytes >= 0) resident_memory_.Set(sample.resident_memory_bytes);
  if (sample.virtual_memory_bytes >= 0) virtual_memory_.Set(sample.virtual_memory_bytes);
  if (sample.open_fds >= 0) open_fds_.Set(sample.open_fds);
  if (sample.max_fds >= 0) max_fds_.Set(sample.max_fds);
  if (sample.start_time_seconds >= 0) start_time_.Set(sample.start_time_seconds);
}

}  // namespace mta
