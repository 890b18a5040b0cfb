#pragma once
// The HTTP endpoints: the metrics page (gzip when the scraper asks), a landing page, and the
// /-/healthy and /-/ready probes, on every listen address. GET and HEAD only, paths matched exactly,
// request bodies refused unread, bounded timeouts and keep-alive: the port may face a hostile network.
// With a web config file: TLS (and client certificates), bcrypt basic auth and extra headers.

#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/web_config.hpp"
#include "http/web_config_file.hpp"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace mta {

struct MetricFamilies;
class WebAccess;
class ConnectionGuard;
class ServerCertificate;

class HttpServer {
 public:
  // `not_ready_reasons` answers /-/ready: 200 when empty, else 503 with one reason a line.
  // `before_scrape` runs before each rendering of the metrics page (process metrics). Throws
  // WebConfigError when the web config's certificates or TLS settings cannot be used.
  // `reply_families`: the families whose mta_smtp_replies_total the page writes directly (render_exposition).
  HttpServer(WebConfig config, std::optional<WebConfigFile> web_file, prometheus::Registry& registry,
             std::function<std::vector<std::string>()> not_ready_reasons, std::function<void()> before_scrape = {},
             MetricFamilies* reply_families = nullptr);
  ~HttpServer();

  // The agent's own alerting: /api/v1/alerts and /api/v1/rules answer JSON, the landing page shows `html`. Set
  // before start().
  struct AlertViews {
    std::function<std::string()> alerts_json;
    std::function<std::string()> rules_json;
    std::function<std::string()> html;
  };
  void set_alert_views(AlertViews views) { alert_views_ = std::move(views); }
  // Binds every listen address; throws std::runtime_error naming the first that cannot be bound.
  void bind();
  void start();
  void stop();
  // The port of the first listen address (the one picked by the system for ":0").
  int port() const;

 private:
  struct Listener;
  std::unique_ptr<httplib::Server> make_server();
  void answer(const httplib::Request& request, httplib::Response& response) const;

  WebConfig config_;
  std::optional<WebConfigFile> web_file_;
  const prometheus::Registry& registry_;
  MetricFamilies* reply_families_;
  std::function<std::vector<std::string>()> not_ready_reasons_;
  std::function<void()> before_scrape_;
  AlertViews alert_views_;
  std::unique_ptr<ServerCertificate> certificate_;
  std::unique_ptr<WebAccess> access_;
  std::unique_ptr<ConnectionGuard> connection_guard_;  // outlives the servers, whose hooks call it
  std::vector<std::unique_ptr<Listener>> listeners_;
};

}  // namespace mta
