#pragma once
// A configured input of the agent, run on a thread of its own.

#include <stop_token>

namespace mta {

class Source {
 public:
  virtual ~Source() = default;
  // Opens what must exist before the agent reports started (sockets); throws std::runtime_error.
  virtual void prepare() {}
  virtual void run(std::stop_token stop) = 0;
  // False while the source cannot read (file missing, socket not bound): /-/ready answers 503.
  virtual bool ready() const = 0;
};

}  // namespace mta
