#pragma once
// A configured input of the agent, run on a thread of its own.

#include <stop_token>
#include <string>

namespace mta {

class Source {
 public:
  virtual ~Source() = default;
  // Opens what must exist before the agent reports started (sockets); throws std::runtime_error.
  virtual void prepare() {}
  virtual void run(std::stop_token stop) = 0;
  // False while the source cannot read (file missing, socket not bound): /-/ready answers 503.
  virtual bool ready() const = 0;
  // Why the source is not ready, for /-/ready and the log ("/var/log/mail.log: Permission denied");
  // empty while ready. Called from other threads.
  virtual std::string not_ready_reason() const { return ready() ? std::string() : std::string("not open"); }
};

}  // namespace mta
