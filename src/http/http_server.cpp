#include "http/http_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <stdexcept>

#include "http/connection_guard.hpp"
#include "http/tls_context.hpp"
#include "http/web_access.hpp"
#include "metrics/exposition.hpp"
#include "mta_exporter_version.hpp"

namespace mta {
namespace {

// `alerts`: the HTML section of the agent's own alerts, empty when alerting is off.
std::string landing_page(const std::string& telemetry_path, const std::string& alerts) {
  return "<!DOCTYPE html>\n<html><head><title>mta_exporter</title></head><body>\n"
         "<h1>mta_exporter</h1>\n<p>SMTP replies, causes and deliveries from mail logs. Version " +
         std::string(kVersion) + ".</p>\n<ul>\n<li><a href=\"" + telemetry_path + "\">Metrics</a></li>\n" +
         "<li><a href=\"/-/healthy\">Health</a></li>\n<li><a href=\"/-/ready\">Readiness</a></li>\n" +
         (alerts.empty() ? ""
                         : "<li><a href=\"/api/v1/alerts\">Alerts</a> and <a href=\"/api/v1/rules\">alert "
                           "rules</a> (JSON)</li>\n") +
         "</ul>\n" + alerts + "</body></html>\n";
}

}  // namespace

struct HttpServer::Listener {
  std::string address;
  std::unique_ptr<httplib::Server> server;
  int port = 0;
  std::thread thread;
};

HttpServer::HttpServer(WebConfig config, std::optional<WebConfigFile> web_file, prometheus::Registry& registry,
                       std::function<std::vector<std::string>()> not_ready_reasons, std::function<void()> before_scrape,
                       MetricFamilies* reply_families)
    : config_(std::move(config)),
      web_file_(std::move(web_file)),
      registry_(registry),
      reply_families_(reply_families),
      not_ready_reasons_(std::move(not_ready_reasons)),
      before_scrape_(std::move(before_scrape)),
      connection_guard_(
          std::make_unique<ConnectionGuard>(ConnectionLimits{.max_connections = config_.max_connections,
                                                             .max_connections_per_ip = config_.max_connections_per_ip},
                                            registry)) {
  if (web_file_ && web_file_->tls) {
    certificate_ = std::make_unique<ServerCertificate>(web_file_->path, *web_file_->tls);
  }
  access_ = std::make_unique<WebAccess>(web_file_ ? *web_file_ : WebConfigFile{});
  for (const std::string& address : config_.listen_addresses) {
    auto listener = std::make_unique<Listener>();
    listener->address = address;
    listener->server = make_server();
    listeners_.push_back(std::move(listener));
  }
}

std::unique_ptr<httplib::Server> HttpServer::make_server() {
  std::unique_ptr<httplib::Server> server;
  if (certificate_) {
    std::optional<WebConfigError> failure;
    server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& context) {
      try {
        configure_tls(context, *web_file_->tls, web_file_->path, *certificate_);
        return true;
      } catch (const WebConfigError& error) {
        failure = error;  // cpp-httplib frees the context when this returns false
        return false;
      }
    });
    if (failure) throw *failure;
    if (!server->is_valid()) throw WebConfigError(web_file_->path + ": tls_server_config: no TLS context");
  } else {
    server = std::make_unique<httplib::Server>();
  }
  // Every request is answered here, before cpp-httplib reads a body (it would read, and inflate, one of
  // any size) or matches a path as a regular expression.
  server->set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    connection_guard_->request_received();
    answer(request, response);
    return httplib::Server::HandlerResponse::Handled;
  });
  server->set_payload_max_length(0);
  server->set_read_timeout(std::chrono::seconds(5));
  server->set_write_timeout(std::chrono::seconds(10));
  server->set_keep_alive_max_count(16);
  server->set_keep_alive_timeout(5);
  server->set_socket_options(set_listener_socket_options);
  connection_guard_->protect(*server);  // when on, with its own task queue and the same socket options
  return server;
}

void HttpServer::answer(const httplib::Request& request, httplib::Response& response) const {
  const std::shared_ptr<const AccessRules> rules = access_->current();
  for (const auto& [name, value] : rules->headers) response.set_header(name, value);
  const auto close_with = [&](int status, const char* text) {
    response.status = status;
    // The body of the request, if any, is still unread on the connection: it must not be taken for
    // the next request.
    response.set_header("Connection", "close");
    response.set_content(text, "text/plain; charset=utf-8");
  };
  if (request.method != "GET" && request.method != "HEAD") {
    response.set_header("Allow", "GET, HEAD");
    return close_with(405, "Method Not Allowed\n");
  }
  if (request.has_header("Content-Length") || request.has_header("Transfer-Encoding")) {
    return close_with(413, "Request bodies are not accepted\n");
  }
  if (rules->basic_auth && !rules->basic_auth->allows(request.get_header_value("Authorization"))) {
    response.status = 401;
    response.set_header("WWW-Authenticate", "Basic");
    response.set_content("Unauthorized\n", "text/plain; charset=utf-8");
    return;
  }
  if (request.path == config_.telemetry_path) {
    if (before_scrape_) before_scrape_();
    // Moved in: set_content() copies its argument, a second full page (2.9 MB at 20k reply series).
    response.body = render_exposition(registry_, reply_families_);
    response.set_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  } else if (request.path == "/") {
    response.set_content(landing_page(config_.telemetry_path, alert_views_.html ? alert_views_.html() : std::string()),
                         "text/html; charset=utf-8");
  } else if (request.path == "/api/v1/alerts" && alert_views_.alerts_json) {
    response.set_content(alert_views_.alerts_json(), "application/json");
  } else if (request.path == "/api/v1/rules" && alert_views_.rules_json) {
    response.set_content(alert_views_.rules_json(), "application/json");
  } else if (request.path == "/-/healthy") {
    response.set_content("Healthy\n", "text/plain; charset=utf-8");
  } else if (request.path == "/-/ready") {
    const std::vector<std::string> reasons = not_ready_reasons_();
    std::string body = reasons.empty() ? "Ready\n" : "Not ready\n";
    for (const std::string& reason : reasons) body += reason + "\n";
    response.status = reasons.empty() ? 200 : 503;
    response.set_content(body, "text/plain; charset=utf-8");
  } else {
    response.status = 404;
    response.set_content("Not Found\n", "text/plain; charset=utf-8");
  }
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::bind() {
  for (const auto& listener : listeners_) {
    const ListenAddress address = parse_listen_address(listener->address);
    // ":PORT" is every address: the IPv6 wildcard takes IPv4 too (cpp-httplib clears IPV6_V6ONLY);
    // a host without IPv6 falls back to the IPv4 wildcard.
    const std::vector<std::string> hosts =
        address.host.empty() ? std::vector<std::string>{"::", "0.0.0.0"} : std::vector<std::string>{address.host};
    listener->port = -1;
    for (const std::string& host : hosts) {
      if (address.port == 0) {
        listener->port = listener->server->bind_to_any_port(host);
      } else {
        listener->port = listener->server->bind_to_port(host, address.port) ? address.port : -1;
      }
      if (listener->port >= 0) break;
    }
    if (listener->port < 0) throw std::runtime_error("cannot listen on " + listener->address);
    connection_guard_->listening(*listener->server);
  }
}

void HttpServer::start() {
  for (const auto& listener : listeners_) {
    httplib::Server& server = *listener->server;
    listener->thread = std::thread([&server] { server.listen_after_bind(); });
    spdlog::info("msg=\"listening\" address={} port={} metrics_path={} tls={} basic_auth={}", listener->address,
                 listener->port, config_.telemetry_path, certificate_ != nullptr,
                 access_->current()->basic_auth != nullptr);
  }
}

void HttpServer::stop() {
  for (const auto& listener : listeners_) listener->server->stop();
  for (const auto& listener : listeners_) {
    if (listener->thread.joinable()) listener->thread.join();
  }
}

int HttpServer::port() const { return listeners_.empty() ? -1 : listeners_.front()->port; }

}  // namespace mta
