#pragma once

#include <prometheus/labels.h>
#include <prometheus/registry.h>

#include <string>

namespace mta {

struct MetricFamilies;

// The Prometheus text exposition of the registry, with series sorted by their labels so that the output is stable
// (golden tests, diffs between scrapes). With `families`, mta_smtp_replies_total comes first (where prometheus-cpp
// would put it, the first counter registered), written straight from its series in the same text.
std::string render_exposition(const prometheus::Registry& registry, MetricFamilies* families = nullptr);

// `{name="value",...}` as the text format writes the labels of a series (values escaped); empty for no labels.
std::string label_text(const prometheus::Labels& labels);

}  // namespace mta
