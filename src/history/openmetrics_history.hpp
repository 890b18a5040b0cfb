#pragma once
// The exposition of a report as Prometheus would have scraped it every step while the log was written, in the
// OpenMetrics text format with a timestamp on every sample, for `promtool tsdb create-blocks-from openmetrics`. Each
// scrape is taken at a step's end; a series is written at every step from the first scrape that holds it to the last
// scrape. OpenMetrics keeps a family's samples together and a series' samples in time order, so the scrapes are held
// until the end: as the steps at which a value changed, which is at most one entry per step with lines for every
// series that changed in it.

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mta {

class OpenMetricsHistory {
 public:
  // `first_scrape`: the time of the first scrape, in seconds; later scrapes come every `step_seconds`.
  OpenMetricsHistory(std::int64_t first_scrape, std::int64_t step_seconds);

  // The Prometheus text exposition (render_exposition) as the scrape at step `step` (0 for the first scrape) saw it.
  // Steps never go back.
  void scrape(std::uint32_t step, std::string_view exposition);

  // Every series at every step from its first scrape to `last_step`, then "# EOF".
  void write(std::ostream& out, std::uint32_t last_step) const;

  std::size_t series_count() const { return series_.size(); }
  // How many samples write() prints for `last_step`.
  std::uint64_t sample_count(std::uint32_t last_step) const;

 private:
  struct Family {
    std::string name;  // as the text format names it: counters with their "_total"
    std::string type;  // "unknown" until a TYPE line names it
    std::string help;  // escaped, as the text format writes it
    std::vector<std::size_t> series;
  };
  struct Change {
    std::uint32_t step;
    double value;
  };
  struct Series {
    std::string name_and_labels;  // "mta_smtp_replies_total{...}"
    std::vector<Change> changes;  // the first one at the series' first scrape
  };

  Family& family_named(std::string_view name);

  std::int64_t first_scrape_;
  std::int64_t step_seconds_;
  std::vector<Family> families_;
  std::unordered_map<std::string, std::size_t> family_index_;
  std::vector<Series> series_;
  std::unordered_map<std::string, std::size_t> series_index_;
};

}  // namespace mta
