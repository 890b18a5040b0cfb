#include "http/http_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "metrics/exposition.hpp"
#include "mta_exporter_version.hpp"

namespace mta {
namespace {

std::string landing_page(const std::string& telemetry_path) {
  return "<!DOCTYPE html>\n<html><head><title>mta_exporter</title></head><body>\n"
         "<h1>mta_exporter</h1>\n<p>SMTP replies, causes and deliveries from mail logs. Version " +
         std::string(kVersion) + ".</p>\n<ul>\n<li><a href=\"" + telemetry_path + "\">Metrics</a></li>\n" +
         "<li><a href=\"/-/healthy\">Health</a></li>\n<li><a "
         "href=\"/-/ready\">Readiness</a></li>\n</ul>\n</body></html>\n";
}

}  // namespace

HttpServer::HttpServer(WebConfig config, const prometheus::Registry& registry, std::function<bool()> ready)
    : config_(std::move(config)),
      registry_(registry),
      ready_(std::move(ready)),
      server_(std::make_unique<httplib::Server>()) {
  server_->Get(config_.telemetry_path, [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(render_exposition(registry_), "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(landing_page(config_.telemetry_path), "text/html; charset=utf-8");
  });
  server_->Get("/-/healthy", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("Healthy\n", "text/plain; charset=utf-8");
  });
  server_->Get("/-/ready", [this](const httplib::Request&, httplib::Response& response) {
    const bool ready = ready_();
    response.status = ready ? 200 : 503;
    response.set_content(ready ? "Ready\n" : "Not ready\n", "text/plain; charset=utf-8");
  });
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::bind() {
  const ListenAddress address = parse_listen_address(config_.listen_address);
  if (address.port == 0) {
    port_ = server_->bind_to_any_port(address.host);
  } else {
    port_ = server_->bind_to_port(address.host, address.port) ? address.port : -1;
  }
  if (port_ < 0) throw std::runtime_error("cannot listen on " + config_.listen_address);
}

void HttpServer::start() {
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  spdlog::info("msg=\"listening\" address={} port={} metrics_path={}", config_.listen_address, port_,
               config_.telemetry_path);
}

void HttpServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace mta
