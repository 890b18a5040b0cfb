#pragma once
// The HTTP endpoints: the metrics page (gzip when the scraper asks), a landing page, and the
// /-/healthy and /-/ready probes.

#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "http/web_config.hpp"

namespace httplib {
class Server;
}

namespace mta {

class HttpServer {
 public:
  HttpServer(WebConfig config, const prometheus::Registry& registry, std::function<bool()> ready);
  ~HttpServer();

  // Binds the listen address; throws std::runtime_error when the port cannot be bound.
  void bind();
  void start();
  void stop();
  int port() const { return port_; }

 private:
  WebConfig config_;
  const prometheus::Registry& registry_;
  std::function<bool()> ready_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace mta
