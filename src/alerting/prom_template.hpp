#pragma once
// Renders the annotations of alerts/mta_exporter.alerts.yml the way Prometheus does, for the part of Go's
// template language that file uses: {{ $labels.NAME }}, {{ $value }}, printf "%.2f", the functions humanize,
// humanizePercentage, humanizeDuration, toUpper and title, {{- / -}} trimming, and
// {{ with query "mta:threshold:NAME" }}{{ . | first | value }}{{ end }}, answered from the thresholds. Any other
// query (the "Most of them: ..." sentences, which ask Prometheus for the top cause) has no answer in the agent:
// its {{ with }} block renders nothing, as in Prometheus when the query returns no series.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mta {

struct TemplateData {
  const std::map<std::string, std::string>* labels = nullptr;
  double value = 0;
  const std::map<std::string, double>* thresholds = nullptr;  // by NAME of mta:threshold:NAME
};

struct RenderedTemplate {
  std::string text;
  std::vector<std::string> unknown_actions;  // rendered as nothing
};

RenderedTemplate render_template(std::string_view text, const TemplateData& data);

// Prometheus' template functions, exported for tests.
std::string humanize(double value);
std::string humanize_percentage(double value);
std::string humanize_duration(double seconds);

}  // namespace mta
