#include "metrics/exposition.hpp"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <sstream>

#include "metrics/mta_metrics.hpp"

namespace mta {
namespace {

std::string render_registry(const prometheus::Registry& registry) {
  std::vector<prometheus::MetricFamily> families = registry.Collect();
  for (prometheus::MetricFamily& family : families) {
    std::sort(family.metric.begin(), family.metric.end(),
              [](const prometheus::ClientMetric& a, const prometheus::ClientMetric& b) {
                return std::lexicographical_compare(
                    a.label.begin(), a.label.end(), b.label.begin(), b.label.end(),
                    [](const prometheus::ClientMetric::Label& x, const prometheus::ClientMetric::Label& y) {
                      return std::tie(x.name, x.value) < std::tie(y.name, y.value);
                    });
              });
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

// A sample value as prometheus-cpp's text serializer writes it: 16 significant digits (its stream precision,
// max_digits10 - 1, in the default float format), "Nan", "+Inf", "-Inf".
void append_value(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "Nan";
  } else if (std::isinf(value)) {
    out += value < 0 ? "-Inf" : "+Inf";
  } else {
    char buffer[32];
    const int length = std::snprintf(buffer, sizeof buffer, "%.16g", value);
    out.append(buffer, static_cast<std::size_t>(length));
  }
}

}  // namespace

std::string label_text(const prometheus::Labels& labels) {
  if (labels.empty()) return {};
  std::string text = "{";
  for (const auto& [name, value] : labels) {
    if (text.size() > 1) text += ',';
    text += name;
    text += "=\"";
    for (const char c : value) {
      if (c == '\\') {
        text += "\\\\";
      } else if (c == '"') {
        text += "\\\"";
      } else if (c == '\n') {
        text += "\\n";
      } else {
        text += c;
      }
    }
    text += '"';
  }
  return text + '}';
}

std::string render_exposition(const prometheus::Registry& registry, MetricFamilies* families) {
  std::string page;
  if (families != nullptr) {
    std::lock_guard lock(families->reply_series_mutex);
    const auto& series = families->reply_series_by_labels;
    if (!series.empty()) {
      page.reserve(series.size() * 200 + 16384);
      page += "# HELP ";
      page += kRepliesName;
      page += ' ';
      page += kRepliesHelp;
      page += "\n# TYPE ";
      page += kRepliesName;
      page += " counter\n";
      for (const auto& [order, one] : series) {
        page += kRepliesName;
        page += one.labels;
        page += ' ';
        append_value(page, one.counter->Value());
        page += '\n';
      }
    }
  }
  page += render_registry(registry);
  return page;
}

}  // namespace mta
