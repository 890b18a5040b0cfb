#pragma once
// Sends alerts to every Alertmanager of a cluster (POST /api/v2/alerts), each from its own bounded queue and
// thread: a failed send is retried, with a back-off from 1 s to 10 s, until that Alertmanager answers; a full
// queue drops its oldest alert (counted). Nothing else is lost: the engine sends every firing alert again at each
// resend interval and every resolved one for 15 minutes.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerting/alert_engine.hpp"
#include "alerting/alerting_config.hpp"

namespace mta {

class AlertNotifier {
 public:
  // `generator_url`: where an alert comes from (the agent's /api/v1/alerts), for Alertmanager's links.
  AlertNotifier(const AlertingConfig& config, prometheus::Registry& registry, std::string generator_url);
  ~AlertNotifier();
  AlertNotifier(const AlertNotifier&) = delete;
  AlertNotifier& operator=(const AlertNotifier&) = delete;

  // Queues the alerts for every Alertmanager.
  void send(const std::vector<Alert>& alerts);
  void stop();

  static constexpr std::size_t kBatchSize = 64;

 private:
  struct Target;
  void run(Target& target);
  bool post(Target& target, const std::vector<Alert>& batch);
  void update_queue_length();

  AlertmanagerClientConfig client_;
  std::size_t capacity_;
  std::string generator_url_;
  prometheus::Gauge& queue_length_;
  std::vector<std::unique_ptr<Target>> targets_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace mta
