#pragma once
// The [alerting] table of the configuration.

#include <filesystem>

#include "alerting/alerting_config.hpp"
#include "config/toml_reader.hpp"

namespace mta {

// `base`: the configuration file's folder, for relative file names.
AlertingConfig read_alerting(const Reader& reader, const toml::table& alerting, const std::filesystem::path& base);

}  // namespace mta
