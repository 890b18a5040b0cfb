#include "history/backfill.hpp"

#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>

#include "history/openmetrics_history.hpp"
#include "history/timed_log.hpp"
#include "metrics/exposition.hpp"
#include "metrics/mta_metrics.hpp"
#include "pipeline/line_processor.hpp"

namespace mta {
namespace {

// One file being read, with its own pipeline.
struct OpenLog {
  OpenLog(const std::string& path, std::optional<int> year, MetricFamilies& families)
      : log(path, year), processor(families, source_label(path)) {}

  // The next line of the range; false at the end of the file.
  bool advance(const TimeRange& range, BackfillSummary& summary) {
    while (log.advance()) {
      if (!range.holds(log.time())) continue;
      if (!log.stamped()) ++summary.lines_without_time;
      return true;
    }
    return false;
  }

  TimedLog log;
  LineProcessor processor;
};

}  // namespace

BackfillSummary write_backfill(const std::vector<std::string>& files, const BackfillOptions& options, std::ostream& out,
                               ProgressMeter& progress) {
  if (options.step_seconds <= 0) throw std::runtime_error("the step must be at least one second");
  prometheus::Registry registry;
  MetricFamilies families(registry);
  BackfillSummary summary;
  std::vector<std::unique_ptr<OpenLog>> logs;
  std::uint64_t bytes_of_closed_logs = 0;
  const auto bytes_done = [&] {
    std::uint64_t bytes = bytes_of_closed_logs;
    for (const auto& open : logs) bytes += open->log.reader().position();
    return bytes;
  };
  for (const std::string& path : files) {
    logs.push_back(std::make_unique<OpenLog>(path, options.year, families));
    if (!logs.back()->advance(options.range, summary)) {
      bytes_of_closed_logs += logs.back()->log.reader().position();
      logs.pop_back();
    }
  }

  const double step = static_cast<double>(options.step_seconds);
  std::unique_ptr<OpenMetricsHistory> history;
  std::uint32_t scrape_step = 0;  // of the scrape that will see the lines read now
  bool unscraped_lines = false;
  const auto scrape = [&] {
    if (history && unscraped_lines) history->scrape(scrape_step, render_exposition(registry, &families));
    unscraped_lines = false;
  };
  while (!logs.empty()) {
    // The file whose next line is the earliest; of equal times, the first file named.
    std::size_t earliest = 0;
    for (std::size_t i = 1; i < logs.size(); ++i) {
      if (logs[i]->log.time() < logs[earliest]->log.time()) earliest = i;
    }
    OpenLog& open = *logs[earliest];
    const double time = open.log.time();
    if (std::isfinite(time)) {
      if (!history) {
        summary.first_scrape = static_cast<std::int64_t>(std::ceil(time / step)) * options.step_seconds;
        history = std::make_unique<OpenMetricsHistory>(summary.first_scrape, options.step_seconds);
      }
      const double scrape_time = static_cast<double>(summary.first_scrape) + scrape_step * step;
      if (time > scrape_time) {
        scrape();
        const double steps_on = std::ceil((time - static_cast<double>(summary.first_scrape)) / step);
        if (steps_on >= std::numeric_limits<std::uint32_t>::max()) {
          throw std::runtime_error(open.log.reader().path() + ": the lines span more steps than a backfill holds");
        }
        scrape_step = static_cast<std::uint32_t>(steps_on);
      }
    }
    open.processor.process(open.log.line());
    ++summary.lines;
    unscraped_lines = true;
    if (!open.advance(options.range, summary)) {
      bytes_of_closed_logs += open.log.reader().position();
      logs.erase(logs.begin() + static_cast<std::ptrdiff_t>(earliest));
    }
    if (progress.count_line()) progress.update(bytes_done());
  }
  progress.finish(bytes_done());
  if (!history) throw std::runtime_error("no line holds a timestamp: there is no time to put the counts at");
  scrape();
  history->write(out, scrape_step);
  summary.last_scrape = summary.first_scrape + static_cast<std::int64_t>(scrape_step) * options.step_seconds;
  summary.series = history->series_count();
  summary.samples = history->sample_count(scrape_step);
  return summary;
}

}  // namespace mta
