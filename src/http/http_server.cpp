#include "http/http_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <chrono>
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

HttpServer::HttpServer(WebConfig config, const prometheus::Registry& registry, std::function<bool()> ready,
                       std::function<void()> before_scrape)
    : config_(std::move(config)),
      registry_(registry),
      ready_(std::move(ready)),
      before_scrape_(std::move(before_scrape)),
      server_(std::make_unique<httplib::Server>()) {
  // Every request is answered here, before cpp-httplib reads a body (it would read, and inflate, one of
  // any size) or matches a path as a regular expression.
  server_->set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    answer(request, response);
    return httplib::Server::HandlerResponse::Handled;
  });
  server_->set_payload_max_length(0);
  server_->set_read_timeout(std::chrono::seconds(5));
  server_->set_write_timeout(std::chrono::seconds(10));
  server_->set_keep_alive_max_count(16);
  server_->set_keep_alive_timeout(5);
}

void HttpServer::answer(const httplib::Request& request, httplib::Response& response) const {
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
  if (request.path == config_.telemetry_path) {
    if (before_scrape_) before_scrape_();
    response.set_content(render_exposition(registry_), "text/plain; version=0.0.4; charset=utf-8");
  } else if (request.path == "/") {
    response.set_content(landing_page(config_.telemetry_path), "text/html; charset=utf-8");
  } else if (request.path == "/-/healthy") {
    response.set_content("Healthy\n", "text/plain; charset=utf-8");
  } else if (request.path == "/-/ready") {
    const bool ready = ready_();
    response.status = ready ? 200 : 503;
    response.set_content(ready ? "Ready\n" : "Not ready\n", "text/plain; charset=utf-8");
  } else {
    response.status = 404;
    response.set_content("Not Found\n", "text/plain; charset=utf-8");
  }
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
