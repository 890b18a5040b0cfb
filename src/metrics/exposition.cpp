#include "metrics/exposition.hpp"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <sstream>

namespace mta {

std::string render_exposition(const prometheus::Registry& registry) {
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

}  // namespace mta
