#pragma once
// The HTTP endpoints: the metrics page (gzip when the scraper asks), a landing page, and the
// /-/healthy and /-/ready probes. GET and HEAD only, paths matched exactly, request bodies refused
// unread, bounded timeouts and keep-alive: the port may face a hostile network.

#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "http/web_config.hpp"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace mta {

class HttpServer {
 public:
  // `before_scrape` runs before each rendering of the metrics page (process metrics).
  HttpServer(WebConfig config, const prometheus::Registry& registry, std::function<bool()> ready,
             std::function<void()> before_scrape = {});
  ~HttpServer();

  // Binds the listen address; throws std::runtime_error when the port cannot be bound.
  void bind();
  void start();
  void stop();
  int port() const { return port_; }

 private:
  WebConfig config_;
  const prometheus::Registry& registry_;
  void answer(const httplib::Request& request, httplib::Response& response) const;

  std::function<bool()> ready_;
  std::function<void()> before_scrape_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace mta
