#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "app/commands.hpp"
#include "metrics/exposition.hpp"
#include "metrics/mta_metrics.hpp"
#include "pipeline/line_processor.hpp"
#include "source/stream_reader.hpp"

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

}  // namespace

int run_report(Arguments arguments) {
  std::string format = "prometheus";
  std::vector<std::string> files;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    if (arguments[i] == "--format" && i + 1 < arguments.size()) {
      format = arguments[++i];
    } else if (arguments[i].starts_with("--format=")) {
      format = arguments[i].substr(9);
    } else if (arguments[i].starts_with("-") && arguments[i] != "-") {
      std::cerr << "mta_exporter report: unknown option \"" << arguments[i] << "\"\n";
      return 2;
    } else {
      files.emplace_back(arguments[i]);
    }
  }
  if (files.empty() || (format != "prometheus" && format != "text")) {
    std::cerr << "usage: mta_exporter report [--format prometheus|text] FILE... (\"-\" reads standard input)\n";
    return 2;
  }
  prometheus::Registry registry;
  MetricFamilies families(registry);
  int status = 0;
  for (const std::string& file : files) {
    const bool is_stdin = file == "-";
    const int fd = is_stdin ? STDIN_FILENO : ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::cerr << "mta_exporter report: " << file << ": " << std::strerror(errno) << "\n";
      status = 1;
      continue;
    }
    LineProcessor processor(families, is_stdin ? "stdin" : std::filesystem::path(file).filename().string());
    read_stream(fd, std::stop_token{}, processor);
    if (!is_stdin) ::close(fd);
  }
  std::cout << (format == "text" ? text_summary(registry, families) : render_exposition(registry, &families));
  return status;
}

}  // namespace mta
