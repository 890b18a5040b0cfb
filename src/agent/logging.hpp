#pragma once
// The agent's own log, as Prometheus' exporters write theirs (--log.level, --log.format): logfmt
// ("ts=... level=info msg=\"...\" key=value") or one JSON object a line with the same keys.

#include <string>

namespace mta {

// `level`: trace, debug, info, warn, error or off; `format`: logfmt or json (checked by the caller).
void configure_logging(const std::string& level, const std::string& format);

}  // namespace mta
