#pragma once
// The process_* metrics every Prometheus client library exports (CPU seconds, resident and virtual
// memory, open and maximum file descriptors, start time), read from /proc at each scrape, so that the
// agent's own footprint on the mail host is watched like any other exporter's.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <mutex>

namespace mta {

// What /proc says of this process now; fields it cannot read stay negative.
struct ProcessSample {
  double cpu_seconds = -1;
  double resident_memory_bytes = -1;
  double virtual_memory_bytes = -1;
  double open_fds = -1;
  double max_fds = -1;
  double start_time_seconds = -1;  // Unix time
};

ProcessSample sample_process();

class ProcessMetrics {
 public:
  explicit ProcessMetrics(prometheus::Registry& registry);
  // Called before each scrape is rendered, from any of the web server's threads.
  void update();

 private:
  prometheus::Counter& cpu_seconds_;
  prometheus::Gauge& resident_memory_;
  prometheus::Gauge& virtual_memory_;
  prometheus::Gauge& open_fds_;
  prometheus::Gauge& max_fds_;
  prometheus::Gauge& start_time_;
  std::mutex mutex_;        // scrapes run on several web threads at once
  double cpu_counted_ = 0;  // guarded by mutex_
};

}  // namespace mta
