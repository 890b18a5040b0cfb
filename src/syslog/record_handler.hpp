#pragma once

#include "syslog/syslog_header.hpp"

namespace mta {

// Where a source delivers entries that arrive already split into header fields (the journal).
class RecordHandler {
 public:
  virtual ~RecordHandler() = default;
  virtual void on_record(const SyslogRecord& record) = 0;
};

}  // namespace mta
