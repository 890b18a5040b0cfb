#include "history/backfill.hpp"

#include <sys/stat.h>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>

#include "history/log_clock.hpp"
#include "history/log_file_reader.hpp"
#include "history/openmetrics_history.hpp"
#include "metrics/exposition.hpp"
#include "metrics/mta_metrics.hpp"
#include "pipeline/line_processor.hpp"

namespace mta {
namespace {

int first_year_of(const std::string& path, const BackfillOptions& options) {
  if (options.year) return *options.year;
  const std::time_t now = std::time(nullptr);
  if (path == "-") {
    std::tm local{};
    ::localtime_r(&now, &local);
    return local.tm_year + 1900;
  }
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return FirstYearScan{}.first_year(now);  // the reader names the error
  FirstYearScan scan;
  LogFileReader reader(path);
  while (const std::optional<std::string_view> line = reader.next_line()) scan.see(*line);
  return scan.first_year(status.st_mtime);
}

// One file being read: its next line and that line's time.
struct OpenLog {
  OpenLog(const std::string& path, int first_year, MetricFamilies& families)
      : reader(path),
        clock(first_year),
        processor(families, path == "-" ? "stdin" : std::filesystem::path(path).filename().string()) {}

  // Reads the next line; false at the end of the file. A line without a timestamp keeps the time of the line
  // before it (-infinity at the start of the file: it is counted before any scrape).
  bool advance(BackfillSummary& summary) {
    line = reader.next_line();
    if (!line) return false;
    if (const std::optional<double> stamped = clock.time_of(*line)) {
      time = *stamped;
    } else {
      ++summary.lines_without_time;
    }
    return true;
  }

  LogFileReader reader;
  LogClock clock;
  LineProcessor processor;
  std::optional<std::string_view> line;
  double time = -std::numeric_limits<double>::infinity();
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
    for (const auto& log : logs) bytes += log->reader.position();
    return bytes;
  };
  for (const std::string& path : files) {
    logs.push_back(std::make_unique<OpenLog>(path, first_year_of(path, options), families));
    if (!logs.back()->advance(summary)) {
      bytes_of_closed_logs += logs.back()->reader.position();
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
      if (logs[i]->time < logs[earliest]->time) earliest = i;
    }
    OpenLog& log = *logs[earliest];
    if (std::isfinite(log.time)) {
      if (!history) {
        summary.first_scrape = static_cast<std::int64_t>(std::ceil(log.time / step)) * options.step_seconds;
        history = std::make_unique<OpenMetricsHistory>(summary.first_scrape, options.step_seconds);
      }
      const double scrape_time = static_cast<double>(summary.first_scrape) + scrape_step * step;
      if (log.time > scrape_time) {
        scrape();
        const double steps_on = std::ceil((log.time - static_cast<double>(summary.first_scrape)) / step);
        if (steps_on > std::numeric_limits<std::uint32_t>::max()) {
          throw std::runtime_error(log.reader.path() + ": the lines span more steps than a backfill holds");
        }
        scrape_step = static_cast<std::uint32_t>(steps_on);
      }
    }
    log.processor.process(*log.line);
    ++summary.lines;
    unscraped_lines = true;
    if (!log.advance(summary)) {
      bytes_of_closed_logs += log.reader.position();
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
