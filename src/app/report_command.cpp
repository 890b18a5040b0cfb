#include <unistd.h>

#include <charconv>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "alerting/duration.hpp"
#include "app/commands.hpp"
#include "history/backfill.hpp"
#include "history/log_file_reader.hpp"
#include "history/progress_meter.hpp"
#include "history/timed_log.hpp"
#include "metrics/exposition.hpp"
#include "metrics/mta_metrics.hpp"
#include "pipeline/line_processor.hpp"
#include "report/html_report.hpp"
#include "report/text_report.hpp"

namespace mta {
namespace {

std::string label(const prometheus::ClientMetric& metric, std::string_view name) {
  for (const auto& entry : metric.label) {
    if (entry.name == name) return entry.value;
  }
  return {};
}

// Sums a counter family by the given label; a map keeps the output ordered.
std::map<std::string, double> sum_by(const std::vector<prometheus::MetricFamily>& families,
                                     std::string_view family_name, std::string_view label_name) {
  std::map<std::string, double> sums;
  for (const auto& family : families) {
    if (family.name != family_name) continue;
    for (const auto& metric : family.metric) sums[label(metric, label_name)] += metric.counter.value;
  }
  return sums;
}

void print_table(std::ostream& out, std::string_view title, const std::map<std::string, double>& rows) {
  if (rows.empty()) return;
  out << title << "\n";
  std::vector<std::pair<std::string, double>> sorted(rows.begin(), rows.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [name, value] : sorted) {
    out << "  " << std::left << std::setw(24) << (name.empty() ? "(none)" : name) << std::right << std::setw(12)
        << static_cast<long long>(value) << "\n";
  }
}

// `reply_families`: mta_smtp_replies_total lives in a registry of its own (MetricFamilies::reply_registry).
std::string text_summary(const prometheus::Registry& registry, const MetricFamilies& reply_families) {
  std::vector<prometheus::MetricFamily> families = registry.Collect();
  for (prometheus::MetricFamily& replies : reply_families.reply_registry.Collect())
    families.push_back(std::move(replies));
  std::ostringstream out;
  for (const auto& family : families) {
    if (family.name != "mta_exporter_lines_total") continue;
    std::map<std::string, std::map<std::string, double>> by_source;
    for (const auto& metric : family.metric)
      by_source[label(metric, "source")][label(metric, "result")] += metric.counter.value;
    out << "Lines\n";
    for (const auto& [source, results] : by_source) {
      double total = 0;
      for (const auto& [result, value] : results) total += value;
      out << "  " << source << ": " << static_cast<long long>(total) << " lines";
      for (const auto& [result, value] : results) {
        out << ", " << result << " " << static_cast<long long>(value) << " (" << std::fixed << std::setprecision(1)
            << (total > 0 ? 100.0 * value / total : 0.0) << "%)";
      }
      out << "\n";
    }
  }
  print_table(out, "SMTP replies by class", sum_by(families, "mta_smtp_replies_total", "class"));
  print_table(out, "SMTP replies by cause", sum_by(families, "mta_smtp_replies_total", "cause"));
  print_table(out, "SMTP replies by enhanced code", sum_by(families, "mta_smtp_replies_total", "enhanced_code"));
  print_table(out, "Outbound replies by provider", sum_by(families, "mta_smtp_replies_total", "provider"));
  print_table(out, "Deliveries by status", sum_by(families, "mta_deliveries_total", "status"));
  print_table(out, "Rejects by stage", sum_by(families, "mta_rejects_total", "stage"));
  print_table(out, "Auth failures by mechanism", sum_by(families, "mta_auth_failures_total", "mechanism"));
  return out.str();
}

constexpr std::string_view kUsage =
    "usage: mta_exporter report [--format prometheus|text|html|openmetrics] [--since TIME] [--until TIME]\n"
    "                           [--year YYYY] [--lang en|tr] [--top N] [--step DURATION] FILE...\n"
    "(\"-\" reads standard input; TIME: 2024-05-01, 2024-05-01T10:00[:00][Z|+02:00]; --step: openmetrics only;\n"
    " --lang, --top: text and html only)\n";

// Every line of the files, or only those of `range`, through a pipeline per file; each line is also shown to `tally`
// when one is given, with its time.
int count_files(const std::vector<std::string>& files, const TimeRange& range, std::optional<int> year,
                MetricFamilies& families, ReportTally* tally) {
  ProgressMeter progress(std::cerr, ::isatty(STDERR_FILENO) == 1, total_size(files));
  std::uint64_t bytes_of_read_files = 0;
  int status = 0;
  for (const std::string& file : files) {
    try {
      const std::string source = source_label(file);
      LineProcessor processor(families, source);
      processor.set_observer(tally);
      if (range.limits() || tally != nullptr) {
        TimedLog log(file, year);
        std::uint64_t number = 0;
        while (log.advance()) {
          ++number;
          if (range.holds(log.time())) {
            // The reader drops over-long lines: they keep their place in the numbering.
            if (tally != nullptr) tally->set_line(source, number + log.reader().lines_too_long(), log.time());
            processor.process(log.line());
          }
          if (progress.count_line()) progress.update(bytes_of_read_files + log.reader().position());
        }
        bytes_of_read_files += log.reader().position();
        continue;
      }
      LogFileReader reader(file);
      while (const std::optional<std::string_view> line = reader.next_line()) {
        processor.process(*line);
        if (progress.count_line()) progress.update(bytes_of_read_files + reader.position());
      }
      bytes_of_read_files += reader.position();
    } catch (const std::runtime_error& error) {
      std::cerr << "mta_exporter report: " << error.what() << "\n";
      status = 1;
    }
  }
  progress.finish(bytes_of_read_files);
  return status;
}

// The OpenMetrics history of the files on standard output, what it holds on standard error.
int run_backfill(const std::vector<std::string>& files, const BackfillOptions& options) {
  std::ios::sync_with_stdio(false);  // millions of sample lines: through the stream's own buffer
  try {
    ProgressMeter progress(std::cerr, ::isatty(STDERR_FILENO) == 1, total_size(files));
    const BackfillSummary summary = write_backfill(files, options, std::cout, progress);
    if (!std::cout.flush()) throw std::runtime_error("writing standard output failed");
    const auto utc = [](std::int64_t seconds) {
      const std::time_t time = seconds;
      std::tm fields{};
      ::gmtime_r(&time, &fields);
      std::ostringstream text;
      text << std::put_time(&fields, "%Y-%m-%dT%H:%M:%SZ");
      return text.str();
    };
    std::cerr << "mta_exporter report: " << summary.lines << " lines (" << summary.lines_without_time
              << " without a timestamp), scrapes every " << options.step_seconds << " s from "
              << utc(summary.first_scrape) << " to " << utc(summary.last_scrape) << ": " << summary.series
              << " series, " << summary.samples << " samples\n";
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "mta_exporter report: " << error.what() << "\n";
    return 1;
  }
}

}  // namespace

int run_report(Arguments arguments) {
  std::string format = "prometheus";
  std::vector<std::string> files;
  BackfillOptions backfill;
  bool step_given = false;
  std::optional<std::string> language;
  std::optional<std::size_t> top;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string_view argument = arguments[i];
    const bool has_value = i + 1 < arguments.size();
    if (argument == "--format" && has_value) {
      format = arguments[++i];
    } else if (argument.starts_with("--format=")) {
      format = argument.substr(9);
    } else if ((argument == "--step" && has_value) || argument.starts_with("--step=")) {
      const std::string_view text = argument == "--step" ? arguments[++i] : argument.substr(7);
      const std::optional<double> seconds = parse_prometheus_duration(text);
      if (!seconds || *seconds < 1 || *seconds != std::floor(*seconds)) {
        std::cerr << "mta_exporter report: --step \"" << text << "\" is not a duration of whole seconds (1m, 30s)\n";
        return 2;
      }
      backfill.step_seconds = static_cast<std::int64_t>(*seconds);
      step_given = true;
    } else if ((argument == "--year" && has_value) || argument.starts_with("--year=")) {
      const std::string_view text = argument == "--year" ? arguments[++i] : argument.substr(7);
      int year = 0;
      const auto read = std::from_chars(text.data(), text.data() + text.size(), year);
      if (read.ec != std::errc{} || read.ptr != text.data() + text.size() || year < 1970 || year > 9999) {
        std::cerr << "mta_exporter report: --year \"" << text << "\" is not a year (1970-9999)\n";
        return 2;
      }
      backfill.year = year;
    } else if ((argument == "--since" || argument == "--until") && has_value) {
      const std::string_view text = arguments[++i];
      const std::optional<double> time = parse_time_argument(text);
      if (!time) {
        std::cerr << "mta_exporter report: " << argument << " \"" << text
                  << "\" is not a time (2024-05-01, 2024-05-01T10:00, 2024-05-01T10:00:00+02:00)\n";
        return 2;
      }
      (argument == "--since" ? backfill.range.since : backfill.range.until) = time;
    } else if ((argument == "--lang" && has_value) || argument.starts_with("--lang=")) {
      language = argument == "--lang" ? arguments[++i] : argument.substr(7);
      if (!report_words(*language)) {
        std::cerr << "mta_exporter report: --lang \"" << *language << "\" is not a language of the report (en, tr)\n";
        return 2;
      }
    } else if ((argument == "--top" && has_value) || argument.starts_with("--top=")) {
      const std::string_view text = argument == "--top" ? arguments[++i] : argument.substr(6);
      std::size_t rows = 0;
      const auto read = std::from_chars(text.data(), text.data() + text.size(), rows);
      if (read.ec != std::errc{} || read.ptr != text.data() + text.size() || rows < 1 || rows > 100) {
        std::cerr << "mta_exporter report: --top \"" << text << "\" is not a number of rows (1-100)\n";
        return 2;
      }
      top = rows;
    } else if (argument.starts_with("-") && argument != "-") {
      std::cerr << "mta_exporter report: unknown option \"" << argument << "\"\n";
      return 2;
    } else {
      files.emplace_back(argument);
    }
  }
  if (files.empty() || (format != "prometheus" && format != "text" && format != "html" && format != "openmetrics")) {
    std::cerr << kUsage;
    return 2;
  }
  const bool for_a_person = format == "text" || format == "html";
  if ((language || top) && !for_a_person) {
    std::cerr << "mta_exporter report: --lang and --top are options of --format text and html\n" << kUsage;
    return 2;
  }
  if (format == "openmetrics") return run_backfill(files, backfill);
  if (step_given) {
    std::cerr << "mta_exporter report: --step is an option of --format openmetrics\n" << kUsage;
    return 2;
  }
  prometheus::Registry registry;
  MetricFamilies families(registry);
  std::optional<ReportTally> tally;
  if (for_a_person) tally.emplace();
  const int status = count_files(files, backfill.range, backfill.year, families, tally ? &*tally : nullptr);
  if (!for_a_person) {
    std::cout << render_exposition(registry, &families);
    return status;
  }
  ReportPage page{.files = {}, .words = *report_words(language.value_or("en")), .top = top.value_or(10)};
  for (const std::string& file : files) page.files.push_back(source_label(file));
  if (format == "html") {
    write_html_report(std::cout, *tally, page);
  } else {
    write_text_report(std::cout, *tally, page);
    std::cout << "\n" << text_summary(registry, families);
  }
  return status;
}

}  // namespace mta
