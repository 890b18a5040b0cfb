#pragma once

#include <prometheus/registry.h>

#include <string>

namespace mta {

// The Prometheus text exposition of the registry, with series sorted by their labels so that the
// output is stable (golden tests, diffs between scrapes).
std::string render_exposition(const prometheus::Registry& registry);

}  // namespace mta
