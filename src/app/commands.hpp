#pragma once
// The subcommands of the mta_exporter binary. Each takes its own arguments (after the subcommand
// name) and returns the process exit code.

#include <span>
#include <string_view>

namespace mta {

using Arguments = std::span<const std::string_view>;

int run_serve(Arguments arguments);
int run_report(Arguments arguments);
int run_classify(Arguments arguments);
int run_check_config(Arguments arguments);
int run_version(Arguments arguments);

}  // namespace mta
