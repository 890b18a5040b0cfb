#include "alerting/notifier.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "alerting/alert_json.hpp"
#include "logging/logfmt.hpp"

namespace mta {

struct AlertNotifier::Target {
  std::string url;                                    // as configured, the alertmanager label
  std::string scheme_host_port;                       // "http://127.0.0.1:9093"
  std::string path;                                   // "/api/v2/alerts" after the URL's own path
  std::deque<std::pair<std::uint64_t, Alert>> queue;  // with a sequence number; guarded by mutex_
  std::uint64_t next_sequence = 0;                    // guarded by mutex_
  prometheus::Counter* sent;
  prometheus::Counter* failed;
  prometheus::Counter* dropped;
  std::thread thread;
};

AlertNotifier::AlertNotifier(const AlertingConfig& config, prometheus::Registry& registry, std::string generator_url)
    : client_(config.client),
      capacity_(config.queue_capacity),
      generator_url_(std::move(generator_url)),
      queue_length_(prometheus::BuildGauge()
                        .Name("mta_exporter_alert_queue_length")
                        .Help("Alerts queued for Alertmanager, over every Alertmanager.")
                        .Register(registry)
                        .Add({})) {
  auto& notifications = prometheus::BuildCounter()
                            .Name("mta_exporter_alert_notifications_total")
                            .Help(
                                "Alerts the agent sent to each Alertmanager, by result: sent, failed (in a send "
                                "that failed and is retried), dropped (the queue was full).")
                            .Register(registry);
  for (const std::string& url : config.alertmanager_urls) {
    auto target = std::make_unique<Target>();
    target->url = url;
    const std::size_t authority = url.find("://") + 3;
    const std::size_t slash = url.find('/', authority);
    target->scheme_host_port = url.substr(0, slash);
    std::string prefix = slash == std::string::npos ? "" : url.substr(slash);
    while (prefix.ends_with("/")) prefix.pop_back();
    target->path = prefix + "/api/v2/alerts";
    target->sent = &notifications.Add({{"alertmanager", url}, {"result", "sent"}});
    target->failed = &notifications.Add({{"alertmanager", url}, {"result", "failed"}});
    target->dropped = &notifications.Add({{"alertmanager", url}, {"result", "dropped"}});
    targets_.push_back(std::move(target));
  }
  for (const auto& target : targets_) {
    Target& each = *target;
    each.thread = std::thread([this, &each] { run(each); });
  }
}

AlertNotifier::~AlertNotifier() { stop(); }

void AlertNotifier::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (const auto& target : targets_) {
    if (target->thread.joinable()) target->thread.join();
  }
}

void AlertNotifier::update_queue_length() {
  std::size_t total = 0;
  for (const auto& target : targets_) total += target->queue.size();
  queue_length_.Set(static_cast<double>(total));
}

void AlertNotifier::send(const std::vector<Alert>& alerts) {
  if (alerts.empty()) return;
  {
    std::lock_guard lock(mutex_);
    for (const auto& target : targets_) {
      for (const Alert& alert : alerts) {
        if (target->queue.size() >= capacity_) {
          target->queue.pop_front();
          target->dropped->Increment();
        }
        target->queue.emplace_back(target->next_sequence++, alert);
      }
    }
    update_queue_length();
  }
  wake_.notify_all();
}

bool AlertNotifier::post(Target& target, const std::vector<Alert>& batch) {
  httplib::Client client(target.scheme_host_port, client_.cert_file, client_.key_file);
  const auto timeout = std::chrono::milliseconds(static_cast<long long>(client_.timeout_seconds * 1000));
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  if (!client_.ca_file.empty()) client.set_ca_cert_path(client_.ca_file.c_str());
  client.enable_server_certificate_verification(!client_.insecure_skip_verify);
  if (!client_.basic_auth_username.empty()) {
    client.set_basic_auth(client_.basic_auth_username.c_str(), client_.basic_auth_password.c_str());
  }
  if (!client_.bearer_token.empty()) client.set_bearer_token_auth(client_.bearer_token.c_str());
  const httplib::Result result =
      client.Post(target.path.c_str(), alertmanager_body(batch, generator_url_), "application/json");
  if (result && result->status >= 200 && result->status < 300) return true;
  spdlog::warn("msg=\"cannot send alerts to Alertmanager\" alertmanager={} alerts={} error={}", log_quoted(target.url),
               batch.size(),
               log_quoted(result ? "HTTP status " + std::to_string(result->status) + ": " + result->body.substr(0, 200)
                                 : httplib::to_string(result.error())));
  return false;
}

void AlertNotifier::run(Target& target) {
  auto backoff = std::chrono::milliseconds(1000);
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !target.queue.empty(); });
    if (stopping_) return;
    const std::size_t count = std::min(kBatchSize, target.queue.size());
    std::vector<Alert> batch;
    for (std::size_t i = 0; i < count; ++i) batch.push_back(target.queue[i].second);
    const std::uint64_t last = target.queue[count - 1].first;
    lock.unlock();
    const bool delivered = post(target, batch);
    lock.lock();
    if (delivered) {
      // A full queue may have dropped some of the batch from its front meanwhile: take off what is left of it.
      while (!target.queue.empty() && target.queue.front().first <= last) target.queue.pop_front();
      target.sent->Increment(static_cast<double>(count));
      update_queue_length();
      backoff = std::chrono::milliseconds(1000);
    } else {
      target.failed->Increment(static_cast<double>(count));
      wake_.wait_for(lock, backoff, [&] { return stopping_; });
      backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
    }
  }
}

}  // namespace mta
