#pragma once

#include <atomic>

#include "source/source.hpp"
#include "source/syslog_server.hpp"

namespace mta {

class SyslogSource final : public Source {
 public:
  SyslogSource(SyslogServerOptions options, LineHandler& handler, SourceHealth& health)
      : server_(std::move(options), handler, health) {}
  void prepare() override {
    server_.bind();
    bound_ = true;
  }
  void run(std::stop_token stop) override { server_.run(stop); }
  bool ready() const override { return bound_.load(); }
  int port() const { return server_.port(); }

 private:
  SyslogServer server_;
  std::atomic<bool> bound_{false};
};

}  // namespace mta
