#pragma once
// The agent's own alerting, running beside the sources: once a second it reads the counters into the engine's
// windows, every evaluation interval it evaluates the rules and hands the alerts that are due to the notifier,
// and it keeps the mta_exporter_alerts gauges and a copy of the active alerts for the web pages.

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "alerting/alert_engine.hpp"
#include "alerting/alert_inputs.hpp"
#include "alerting/alert_json.hpp"
#include "alerting/notifier.hpp"

namespace mta {

class AlertingService {
 public:
  // `external_labels` already hold the defaults for instance and job (default_external_labels()).
  AlertingService(const AlertingConfig& config, std::map<std::string, std::string> external_labels,
                  MetricFamilies& families, SourceMetricFamilies& source_families, prometheus::Registry& registry,
                  std::string generator_url);
  ~AlertingService();
  AlertingService(const AlertingService&) = delete;
  AlertingService& operator=(const AlertingService&) = delete;

  void start();
  void stop();

  // For the web threads.
  std::string alerts_json() const;
  std::string rules_json() const { return rules_api_body(engine_.rules()); }  // the rules never change
  std::string html() const;

 private:
  void run();
  void step(double now);

  AlertingConfig config_;
  AlertEngine engine_;
  AlertInputReader reader_;
  AlertNotifier notifier_;
  prometheus::Family<prometheus::Gauge>& alert_gauges_;
  std::map<std::tuple<std::string, std::string, AlertState>, prometheus::Gauge*> gauges_;
  double next_evaluation_ = 0;

  mutable std::mutex mutex_;
  std::vector<Alert> active_;  // guarded by mutex_
  bool stopping_ = false;      // guarded by mutex_
  std::condition_variable wake_;
  std::thread thread_;
};

// external_labels with instance ("<host name>:<port>") and job ("mta_exporter") added where not set.
std::map<std::string, std::string> default_external_labels(std::map<std::string, std::string> configured, int port);

}  // namespace mta
