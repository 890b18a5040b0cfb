#include "history/openmetrics_history.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

namespace mta {
namespace {

// "value" of a sample line, as the text format writes it: a number, or +Inf, -Inf, NaN.
double parse_value(std::string_view text) {
  if (text == "+Inf") return INFINITY;
  if (text == "-Inf") return -INFINITY;
  if (text == "NaN") return NAN;
  double value = 0;
  if (std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc{}) {
    throw std::runtime_error("exposition sample value \"" + std::string(text) + "\"");
  }
  return value;
}

void write_value(std::ostream& out, double value) {
  if (std::isnan(value)) {
    out << "NaN";
  } else if (std::isinf(value)) {
    out << (value > 0 ? "+Inf" : "-Inf");
  } else {
    char digits[32];
    const auto written = std::to_chars(digits, digits + sizeof digits, value);  // the shortest exact form
    out.write(digits, written.ptr - digits);
  }
}

// OpenMetrics names a counter family without the "_total" its samples carry.
std::string_view family_name_in_openmetrics(const std::string& name, const std::string& type) {
  std::string_view family = name;
  if (type == "counter" && family.ends_with("_total")) family.remove_suffix(6);
  return family;
}

// The metric a sample belongs to. OpenMetrics writes the samples of one metric together at each time: a histogram's
// buckets, count and sum (a summary's quantiles, count and sum) share their labels but "le" ("quantile").
std::string metric_of(std::string_view sample, const std::string& type) {
  if (type != "histogram" && type != "summary") return std::string(sample);
  const std::size_t brace = sample.find('{');
  std::string labels(brace == std::string_view::npos ? std::string_view{} : sample.substr(brace));
  for (const std::string_view label : {std::string_view("le=\""), std::string_view("quantile=\"")}) {
    std::size_t pos = labels.find(label);
    while (pos != std::string::npos && pos != 1 && labels[pos - 1] != ',') pos = labels.find(label, pos + 1);
    if (pos == std::string::npos) continue;
    std::size_t end = labels.find('"', pos + label.size());  // bucket bounds and quantiles hold no quote
    if (end == std::string::npos) continue;
    ++end;
    if (end < labels.size() && labels[end] == ',') {
      ++end;
    } else if (pos > 1) {
      --pos;  // the comma before the last label
    }
    labels.erase(pos, end - pos);
  }
  return labels == "{}" ? std::string() : labels;
}

}  // namespace

OpenMetricsHistory::OpenMetricsHistory(std::int64_t first_scrape, std::int64_t step_seconds)
    : first_scrape_(first_scrape), step_seconds_(step_seconds) {}

OpenMetricsHistory::Family& OpenMetricsHistory::family_named(std::string_view name) {
  const auto [found, added] = family_index_.try_emplace(std::string(name), families_.size());
  if (added) families_.push_back(Family{std::string(name), "unknown", {}, {}});
  return families_[found->second];
}

void OpenMetricsHistory::scrape(std::uint32_t step, std::string_view exposition) {
  Family* family = nullptr;
  while (!exposition.empty()) {
    const std::size_t newline = exposition.find('\n');
    const std::string_view line = exposition.substr(0, newline);
    exposition = newline == std::string_view::npos ? std::string_view{} : exposition.substr(newline + 1);
    if (line.empty()) continue;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      const std::string_view rest = line.substr(7);
      const std::size_t space = rest.find(' ');
      family = &family_named(rest.substr(0, space));
      const std::string_view text = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
      (line[2] == 'H' ? family->help : family->type) = std::string(text);
      continue;
    }
    if (line.starts_with('#')) continue;
    const std::size_t space = line.rfind(' ');
    if (space == std::string_view::npos || family == nullptr) {
      throw std::runtime_error("exposition line \"" + std::string(line) + "\"");
    }
    const std::string_view key = line.substr(0, space);
    const double value = parse_value(line.substr(space + 1));
    const auto [found, added] = series_index_.try_emplace(std::string(key), series_.size());
    if (added) {
      series_.push_back(Series{std::string(key), {}});
      family->series.push_back(found->second);
    }
    std::vector<Change>& changes = series_[found->second].changes;
    const bool same =
        !changes.empty() && (changes.back().value == value || (std::isnan(changes.back().value) && std::isnan(value)));
    if (!same) changes.push_back({step, value});
  }
}

std::uint64_t OpenMetricsHistory::sample_count(std::uint32_t last_step) const {
  std::uint64_t samples = 0;
  for (const Series& series : series_) samples += last_step - series.changes.front().step + 1;
  return samples;
}

void OpenMetricsHistory::write(std::ostream& out, std::uint32_t last_step) const {
  for (const Family& family : families_) {
    const std::string_view name = family_name_in_openmetrics(family.name, family.type);
    out << "# TYPE " << name << ' ' << family.type << '\n';
    if (!family.help.empty()) {
      // The text format escapes '\\' and line feeds in a help text; OpenMetrics escapes double quotes as well.
      out << "# HELP " << name << ' ';
      for (const char c : family.help) {
        if (c == '"') out << '\\';
        out << c;
      }
      out << '\n';
    }
    // The family's series grouped by metric (metric_of), in the order they first appeared.
    std::vector<std::vector<std::size_t>> metrics;
    std::unordered_map<std::string, std::size_t> metric_index;
    for (const std::size_t index : family.series) {
      const auto [found, added] =
          metric_index.try_emplace(metric_of(series_[index].name_and_labels, family.type), metrics.size());
      if (added) metrics.emplace_back();
      metrics[found->second].push_back(index);
    }
    for (const std::vector<std::size_t>& indexes : metrics) {
      std::uint32_t first_step = last_step;
      for (const std::size_t index : indexes) first_step = std::min(first_step, series_[index].changes.front().step);
      std::vector<std::size_t> change(indexes.size(), 0);
      for (std::uint32_t step = first_step; step <= last_step; ++step) {
        for (std::size_t i = 0; i < indexes.size(); ++i) {
          const Series& series = series_[indexes[i]];
          if (series.changes.front().step > step) continue;
          while (change[i] + 1 < series.changes.size() && series.changes[change[i] + 1].step <= step) ++change[i];
          out << series.name_and_labels << ' ';
          write_value(out, series.changes[change[i]].value);
          out << ' ' << first_scrape_ + static_cast<std::int64_t>(step) * step_seconds_ << '\n';
        }
      }
    }
  }
  out << "# EOF\n";
}

}  // namespace mta
