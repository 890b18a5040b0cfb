#include "report/html_report.hpp"

#include <algorithm>
#include <cstdio>

namespace mta {
namespace {

constexpr std::string_view kClassColours[] = {"#43a047", "#fb8c00", "#e53935"};

constexpr std::string_view kStyle = R"(<style>
body{font-family:sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}
.bar{background:#e53935;height:.8em;display:inline-block}.note{color:#666;font-size:.9em}
pre{background:#f7f7f7;padding:.5em;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
</style>
)";

// A cell holding a count, marked so that a reader (or the test) can take the number without parsing text.
void count_cell(std::ostream& out, std::uint64_t value, std::string_view extra_style = {}) {
  out << "<td class=\"n\" data-count=\"" << value << "\"";
  if (!extra_style.empty()) out << " style=\"" << extra_style << "\"";
  out << ">" << value << "</td>";
}

void summary(std::ostream& out, const ReportTally& tally, const ReportPage& page) {
  const ReportWords& words = page.words;
  out << "<table id=\"summary\">\n<tr><th>" << words.files << "</th><td>";
  for (std::size_t i = 0; i < page.files.size(); ++i) out << (i ? "<br>" : "") << html_escaped(page.files[i]);
  out << "</td></tr>\n<tr><th>" << words.period << "</th><td>";
  if (tally.first_time() <= tally.last_time()) {
    out << utc_time(static_cast<std::int64_t>(tally.first_time()), true) << " &ndash; "
        << utc_time(static_cast<std::int64_t>(tally.last_time()), true);
  }
  out << "</td></tr>\n<tr><th>" << words.lines << "</th>";
  count_cell(out, tally.lines());
  out << "</tr>\n<tr><th>" << words.replies << "</th>";
  count_cell(out, total_of(tally.replies()));
  out << "</tr>\n";
  for (std::size_t klass = 0; klass < 3; ++klass) {
    out << "<tr id=\"replies-" << kClassNames[klass] << "\"><th>" << kClassNames[klass] << "</th>";
    count_cell(out, tally.replies()[klass]);
    out << "</tr>\n";
  }
  out << "</table>\n";
}

// Bars stacked 2xx, 4xx, 5xx from the bottom, a title on each for the numbers, ticks on both axes.
void time_chart(std::ostream& out, const ReportTally& tally, const ReportWords& words) {
  const TimeLine line = time_line(tally, 744);
  out << "<h2 id=\"time-line\">" << html_escaped(time_line_title(line, words)) << " (UTC)</h2>\n";
  const auto without_time = [&] {
    if (tally.replies_without_time() > 0) {
      out << "<p class=\"note\">" << words.replies_without_time << ": " << tally.replies_without_time() << "</p>\n";
    }
  };
  if (line.buckets.empty()) {
    out << "<p>" << words.none_seen << "</p>\n";
    without_time();
    return;
  }
  std::uint64_t highest = 1;
  for (const TimeBucket& bucket : line.buckets) highest = std::max(highest, total_of(bucket.replies));
  constexpr double width = 960, height = 260, left = 60, bottom = 40, top = 10;
  const double plot_width = width - left - 10, plot_height = height - bottom - top;
  const double bar = plot_width / static_cast<double>(line.buckets.size());
  char coordinates[160];
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" role=\"img\" font-size=\"11\">\n";
  for (const double fraction : {0.0, 0.5, 1.0}) {
    const double y = top + plot_height * (1 - fraction);
    std::snprintf(coordinates, sizeof coordinates,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ccc\"/>", left, y, width - 10, y);
    out << coordinates << "<text x=\"" << left - 5 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">"
        << static_cast<std::uint64_t>(static_cast<double>(highest) * fraction + 0.5) << "</text>\n";
  }
  const bool hourly = line.width < 86400;
  for (std::size_t i = 0; i < line.buckets.size(); ++i) {
    const TimeBucket& bucket = line.buckets[i];
    const double x = left + bar * static_cast<double>(i);
    double y = top + plot_height;
    out << "<g><title>" << utc_time(bucket.start, hourly);
    for (std::size_t klass = 0; klass < 3; ++klass) out << ", " << kClassNames[klass] << " " << bucket.replies[klass];
    out << "</title>";
    for (std::size_t klass = 0; klass < 3; ++klass) {
      if (bucket.replies[klass] == 0) continue;
      const double h = plot_height * static_cast<double>(bucket.replies[klass]) / static_cast<double>(highest);
      y -= h;
      std::snprintf(coordinates, sizeof coordinates,
                    "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"", x, y,
                    std::max(bar * 0.9, 0.5), h);
      out << coordinates << kClassColours[klass] << "\"/>";
    }
    out << "</g>\n";
  }
  // About eight labels along the time axis.
  const std::size_t every = std::max<std::size_t>(1, (line.buckets.size() + 7) / 8);
  for (std::size_t i = 0; i < line.buckets.size(); i += every) {
    const double x = left + bar * static_cast<double>(i);
    out << "<text x=\"" << x << "\" y=\"" << height - bottom + 15 << "\">"
        << utc_time(line.buckets[i].start, hourly).substr(0, hourly ? 16 : 10) << "</text>\n";
  }
  for (std::size_t klass = 0; klass < 3; ++klass) {
    const double x = left + 70.0 * static_cast<double>(klass);
    out << "<rect x=\"" << x << "\" y=\"" << height - 14 << "\" width=\"10\" height=\"10\" fill=\""
        << kClassColours[klass] << "\"/><text x=\"" << x + 14 << "\" y=\"" << height - 5 << "\">" << kClassNames[klass]
        << "</text>\n";
  }
  out << "</svg>\n";
  without_time();
}

void cause_table(std::ostream& out, const ReportTally& tally, const ReportWords& words) {
  out << "<h2 id=\"causes\">" << words.top_causes << "</h2>\n";
  const std::vector<CauseRow> rows = failure_causes(tally);
  if (rows.empty()) {
    out << "<p>" << words.none_seen << "</p>\n";
    return;
  }
  out << "<table>\n<tr><th>" << words.cause << "</th><th class=\"n\">4xx</th><th class=\"n\">5xx</th><th>"
      << words.meaning << "</th><th>" << words.remedy << "</th></tr>\n";
  for (const CauseRow& row : rows) {
    const Remedy* remedy = tally.knowledge().remedy(row.cause, words.language);
    out << "<tr data-cause=\"" << to_string(row.cause) << "\"><td><code>" << to_string(row.cause) << "</code></td>";
    count_cell(out, row.replies[1]);
    count_cell(out, row.replies[2]);
    out << "<td>" << (remedy ? html_escaped(remedy->meaning) : "") << "</td><td>"
        << (remedy ? html_escaped(remedy->action) : "") << "</td></tr>\n";
  }
  out << "</table>\n";
}

void provider_table(std::ostream& out, const ReportTally& tally, const ReportPage& page) {
  const ReportWords& words = page.words;
  out << "<h2 id=\"providers\">" << words.providers_by_cause << "</h2>\n";
  const ProviderMatrix matrix = provider_matrix(tally, page.top, 8);
  if (matrix.providers.empty()) {
    out << "<p>" << words.none_seen << "</p>\n";
    return;
  }
  std::uint64_t highest = 1;
  for (const auto& row : matrix.cells) highest = std::max(highest, *std::max_element(row.begin(), row.end()));
  out << "<table>\n<tr><th>" << words.provider << "</th>";
  for (const Cause cause : matrix.causes) out << "<th class=\"n\"><code>" << to_string(cause) << "</code></th>";
  out << "<th class=\"n\">" << words.total << "</th></tr>\n";
  for (std::size_t row = 0; row < matrix.providers.size(); ++row) {
    out << "<tr data-provider=\"" << html_escaped(matrix.providers[row]) << "\"><td>"
        << html_escaped(matrix.providers[row]) << "</td>";
    for (const std::uint64_t count : matrix.cells[row]) {
      char shade[64];
      std::snprintf(shade, sizeof shade, "background:rgba(229,57,53,%.2f)",
                    count == 0 ? 0.0 : 0.1 + 0.6 * static_cast<double>(count) / static_cast<double>(highest));
      count_cell(out, count, shade);
    }
    count_cell(out, matrix.totals[row]);
    out << "</tr>\n";
  }
  out << "</table>\n";
}

void top_table(std::ostream& out, std::string_view id, std::string_view title, std::string_view key_name,
               const TopCounts& counts, const ReportPage& page) {
  out << "<h2 id=\"" << id << "\">" << title << "</h2>\n";
  const auto rows = counts.top(page.top);
  if (rows.empty()) {
    out << "<p>" << page.words.none_seen << "</p>\n";
    return;
  }
  out << "<table>\n<tr><th>" << key_name << "</th><th class=\"n\">" << page.words.refusals << "</th><th></th></tr>\n";
  bool estimated = false;
  for (const TopCount& row : rows) {
    out << "<tr><td>" << html_escaped(row.key) << "</td><td class=\"n\" data-count=\"" << row.count << "\">";
    if (row.error > 0) {
      out << "~" << row.count << " (" << row.error << ")";
    } else {
      out << row.count;
    }
    out << "</td><td><span class=\"bar\" style=\"width:"
        << 1 + 200 * row.count / std::max<std::uint64_t>(1, rows.front().count) << "px\"></span></td></tr>\n";
    estimated = estimated || row.error > 0;
  }
  out << "</table>\n";
  if (estimated) out << "<p class=\"note\">" << page.words.estimated << "</p>\n";
}

void delay_table(std::ostream& out, std::string_view id, std::string_view title, const DelayDistribution& delays,
                 const ReportWords& words) {
  out << "<h2 id=\"" << id << "\">" << title << "</h2>\n";
  if (delays.count() == 0) {
    out << "<p>" << words.none_seen << "</p>\n";
    return;
  }
  out << "<table>\n<tr><th>" << words.messages << "</th>";
  count_cell(out, delays.count());
  out << "</tr>\n";
  for (std::size_t i = 0; i < std::size(kDelayQuantiles); ++i) {
    out << "<tr><th>" << kDelayQuantileNames[i] << "</th><td class=\"n\">"
        << human_duration(delays.quantile(kDelayQuantiles[i])) << "</td></tr>\n";
  }
  out << "<tr><th>" << words.maximum << "</th><td class=\"n\">" << human_duration(delays.max()) << "</td></tr>\n";
  out << "</table>\n";
}

// The deferred messages' ages in bands, as horizontal bars.
void age_bands(std::ostream& out, const DelayDistribution& ages, const ReportWords& words) {
  if (ages.count() == 0) return;
  const auto& bands = ages.bands();
  const std::uint64_t highest = std::max<std::uint64_t>(1, *std::max_element(bands.begin(), bands.end()));
  constexpr int row = 22, label = 130;
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"" << row * bands.size()
      << "\" role=\"img\" font-size=\"12\">\n";
  for (std::size_t band = 0; band < bands.size(); ++band) {
    const std::uint64_t length = 400 * bands[band] / highest;
    const std::size_t y = row * band;
    out << "<text x=\"0\" y=\"" << y + 15 << "\">" << words.age_bands[band] << "</text><rect x=\"" << label << "\" y=\""
        << y + 4 << "\" width=\"" << length << "\" height=\"14\" fill=\"#fb8c00\"/><text x=\"" << label + length + 6
        << "\" y=\"" << y + 15 << "\" data-count=\"" << bands[band] << "\">" << bands[band] << "</text>\n";
  }
  out << "</svg>\n";
}

void unmatched_section(std::ostream& out, const ReportTally& tally, const ReportWords& words) {
  out << "<h2 id=\"unmatched\">" << words.unmatched_lines << "</h2>\n<p><span data-count=\"" << tally.unmatched()
      << "\">" << tally.unmatched() << "</span> (" << percent(tally.unmatched(), tally.lines()) << ") "
      << words.unmatched_note << ".</p>\n";
  if (tally.unmatched_examples().empty()) return;
  out << "<p>" << words.first_unmatched << ":</p>\n<pre>";
  for (const UnmatchedLine& line : tally.unmatched_examples()) {
    out << html_escaped(line.file) << ":" << line.number << ": " << html_escaped(line.text) << "\n";
  }
  out << "</pre>\n";
}

}  // namespace

std::string html_escaped(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      case '\'': escaped += "&#39;"; break;
      // Control bytes from log content would make the page invalid.
      default: escaped += static_cast<unsigned char>(c) < 0x20 && c != '\t' ? '?' : c;
    }
  }
  return escaped;
}

void write_html_report(std::ostream& out, const ReportTally& tally, const ReportPage& page) {
  const ReportWords& words = page.words;
  out << "<!DOCTYPE html>\n<html lang=\"" << words.language << "\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
      << words.title << "</title>\n"
      << kStyle << "</head>\n<body>\n<h1>" << words.title << "</h1>\n";
  summary(out, tally, page);
  time_chart(out, tally, words);
  cause_table(out, tally, words);
  provider_table(out, tally, page);
  top_table(out, "domains", words.refusing_domains, words.domain, tally.refusing_domains(), page);
  top_table(out, "clients", words.refused_clients, words.client, tally.refused_clients(), page);
  delay_table(out, "delays", words.delivery_delays, tally.delivery_delays(), words);
  delay_table(out, "deferrals", words.deferral_ages, tally.deferral_ages(), words);
  age_bands(out, tally.deferral_ages(), words);
  unmatched_section(out, tally, words);
  out << "</body>\n</html>\n";
}

}  // namespace mta
