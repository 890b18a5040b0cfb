// Log lines through the pipeline into the report a person reads, both forms written: whatever the lines hold, no tag
// of the page comes from them, no control byte reaches the text, and the chart holds every reply with a time.

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string_view>

#include "metrics/mta_metrics.hpp"
#include "report/html_report.hpp"
#include "report/text_report.hpp"

namespace {

// The tags write_html_report() writes itself.
bool is_own_tag(std::string_view rest) {
  if (rest.starts_with('/')) rest.remove_prefix(1);
  static constexpr std::string_view tags[] = {"!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "h2",
                                              "table",    "tr",   "th",   "td",   "svg",   "line",  "text", "g>", "g ",
                                              "rect",     "p>",   "p ",   "span", "br>",   "code",  "pre"};
  for (const std::string_view tag : tags) {
    if (rest.starts_with(tag)) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  prometheus::Registry registry;
  mta::MetricFamilies families(registry);
  mta::ReportTally tally;
  mta::LineProcessor processor(families, "fuzz.log");
  processor.set_observer(&tally);
  std::uint64_t number = 0;
  for (std::size_t start = 0; start <= input.size();) {
    const std::size_t end = std::min(input.find('\n', start), input.size());
    const std::string_view line = input.substr(start, end - start);
    // Times of every kind: none, before 1970, ordinary, and far in the future.
    const std::uint8_t pick = line.empty() ? 0 : static_cast<std::uint8_t>(line[0]);
    const double time = pick % 7 == 0   ? NAN
                        : pick % 7 == 1 ? -86400.0 * pick
                        : pick % 7 == 2 ? 4e11 + pick
                                        : 1.7e9 + 3600.0 * pick + static_cast<double>(line.size());
    tally.set_line("fuzz.log", ++number, time);
    processor.process(line);
    start = end + 1;
  }
  std::uint64_t charted = tally.replies_without_time();
  for (const auto& [hour, replies] : tally.replies_by_period()) charted += mta::total_of(replies);
  if (charted != mta::total_of(tally.replies())) __builtin_trap();

  const mta::ReportPage page{.files = {"fuzz.log"}, .words = *mta::report_words("en"), .top = 10};
  std::ostringstream html;
  mta::write_html_report(html, tally, page);
  const std::string page_text = html.str();
  for (const char c : page_text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') __builtin_trap();
  }
  for (std::size_t at = page_text.find('<'); at != std::string::npos; at = page_text.find('<', at + 1)) {
    if (!is_own_tag(std::string_view(page_text).substr(at + 1))) __builtin_trap();
  }
  std::ostringstream text;
  mta::write_text_report(text, tally, page);
  for (const char c : text.str()) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f) __builtin_trap();
  }
  return 0;
}
