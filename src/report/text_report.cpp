#include "report/text_report.hpp"

#include <algorithm>
#include <iomanip>

namespace mta {
namespace {

// Characters, not bytes, for the underlines of Turkish titles: UTF-8 continuation bytes are not counted.
std::size_t characters(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

void heading(std::ostream& out, std::string_view title) {
  out << "\n" << title << "\n" << std::string(characters(title), '-') << "\n";
}

// Log content (a domain, a client) on one line: control bytes shown as '?', so a hostile name cannot forge lines of
// the report.
std::string printable(std::string_view text) {
  std::string shown(text);
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return shown;
}

void time_table(std::ostream& out, const ReportTally& tally, const ReportWords& words) {
  const TimeLine line = time_line(tally, 48);
  heading(out, time_line_title(line, words) + " (UTC)");
  const auto without_time = [&] {
    if (tally.replies_without_time() > 0)
      out << "  (" << words.replies_without_time << ": " << tally.replies_without_time() << ")\n";
  };
  if (line.buckets.empty()) {
    out << "  " << words.none_seen << "\n";
    without_time();
    return;
  }
  const bool hourly = line.width < 86400;
  out << "  " << std::left << std::setw(22) << "" << std::right;
  for (const std::string_view name : kClassNames) out << std::setw(9) << name;
  out << "\n";
  for (const TimeBucket& bucket : line.buckets) {
    if (total_of(bucket.replies) == 0) continue;  // as pflogsumm, only the periods with traffic
    out << "  " << std::left << std::setw(22) << utc_time(bucket.start, hourly) << std::right;
    for (const std::uint64_t count : bucket.replies) out << std::setw(9) << count;
    out << "\n";
  }
  without_time();
}

void cause_table(std::ostream& out, const ReportTally& tally, const ReportWords& words) {
  heading(out, words.top_causes);
  const std::vector<CauseRow> rows = failure_causes(tally);
  if (rows.empty()) out << "  " << words.none_seen << "\n";
  for (const CauseRow& row : rows) {
    out << "  " << std::left << std::setw(22) << to_string(row.cause) << std::right << std::setw(9) << row.replies[1]
        << " 4xx" << std::setw(9) << row.replies[2] << " 5xx\n";
    if (const Remedy* remedy = tally.knowledge().remedy(row.cause, words.language)) {
      out << "      " << remedy->meaning << "\n      " << words.remedy << ": " << remedy->action << "\n";
    }
  }
}

void provider_table(std::ostream& out, const ReportTally& tally, const ReportPage& page) {
  heading(out, page.words.providers_by_cause);
  const ProviderMatrix matrix = provider_matrix(tally, page.top, 8);
  if (matrix.providers.empty()) {
    out << "  " << page.words.none_seen << "\n";
    return;
  }
  for (std::size_t row = 0; row < matrix.providers.size(); ++row) {
    out << "  " << std::left << std::setw(14) << matrix.providers[row] << std::right << std::setw(9)
        << matrix.totals[row] << " ";
    for (std::size_t column = 0; column < matrix.causes.size(); ++column) {
      if (matrix.cells[row][column] > 0)
        out << " " << to_string(matrix.causes[column]) << " " << matrix.cells[row][column];
    }
    out << "\n";
  }
}

void top_table(std::ostream& out, std::string_view title, const TopCounts& counts, const ReportPage& page) {
  heading(out, title);
  const auto rows = counts.top(page.top);
  if (rows.empty()) out << "  " << page.words.none_seen << "\n";
  bool estimated = false;
  for (const TopCount& row : rows) {
    out << "  " << (row.error > 0 ? "~" : " ") << std::setw(9) << row.count << "  " << printable(row.key);
    if (row.error > 0) out << " (" << row.error << ")";
    out << "\n";
    estimated = estimated || row.error > 0;
  }
  if (estimated) out << "  " << page.words.estimated << "\n";
}

void delay_table(std::ostream& out, std::string_view title, const DelayDistribution& delays, const ReportWords& words,
                 bool with_bands) {
  heading(out, title);
  if (delays.count() == 0) {
    out << "  " << words.none_seen << "\n";
    return;
  }
  out << "  " << words.messages << ": " << delays.count() << "\n ";
  for (std::size_t i = 0; i < std::size(kDelayQuantiles); ++i)
    out << " " << kDelayQuantileNames[i] << " " << human_duration(delays.quantile(kDelayQuantiles[i])) << ",";
  out << " " << words.maximum << " " << human_duration(delays.max()) << "\n";
  if (!with_bands) return;
  for (std::size_t band = 0; band < delays.bands().size(); ++band) {
    out << "  " << std::left << std::setw(18) << words.age_bands[band] << std::right << std::setw(9)
        << delays.bands()[band] << "\n";
  }
}

}  // namespace

void write_text_report(std::ostream& out, const ReportTally& tally, const ReportPage& page) {
  const ReportWords& words = page.words;
  out << words.title << "\n" << std::string(characters(words.title), '=') << "\n";
  for (const std::string& file : page.files) out << words.files << ": " << printable(file) << "\n";
  if (tally.first_time() <= tally.last_time()) {
    out << words.period << ": " << utc_time(static_cast<std::int64_t>(tally.first_time()), true) << " - "
        << utc_time(static_cast<std::int64_t>(tally.last_time()), true) << "\n";
  }
  out << words.lines << ": " << tally.lines() << "\n" << words.replies << ": " << total_of(tally.replies());
  for (std::size_t klass = 0; klass < 3; ++klass) out << ", " << kClassNames[klass] << " " << tally.replies()[klass];
  out << "\n";
  time_table(out, tally, words);
  cause_table(out, tally, words);
  provider_table(out, tally, page);
  top_table(out, words.refusing_domains, tally.refusing_domains(), page);
  top_table(out, words.refused_clients, tally.refused_clients(), page);
  delay_table(out, words.delivery_delays, tally.delivery_delays(), words, false);
  delay_table(out, words.deferral_ages, tally.deferral_ages(), words, true);
  heading(out, words.unmatched_lines);
  out << "  " << tally.unmatched() << " (" << percent(tally.unmatched(), tally.lines()) << ") " << words.unmatched_note
      << "\n";
  for (const UnmatchedLine& line : tally.unmatched_examples())
    out << "  " << printable(line.file) << ":" << line.number << ": " << printable(line.text) << "\n";
}

}  // namespace mta
