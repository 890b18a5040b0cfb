#include "report/html_report.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "metrics/mta_metrics.hpp"
#include "report/text_report.hpp"

namespace mta {
namespace {

constexpr double kTen = 1710496800;  // 2024-03-15 10:00:00 UTC

// A page of `lines`, all at 10:00, in `language`.
std::string page_of(const std::vector<std::string>& lines, std::string_view language = "en", bool html = true) {
  prometheus::Registry registry;
  MetricFamilies families(registry);
  ReportTally tally;
  LineProcessor processor(families, "mail.log");
  processor.set_observer(&tally);
  std::uint64_t number = 0;
  for (const std::string& line : lines) {
    tally.set_line("mail.log", ++number, kTen);
    processor.process(line);
  }
  std::ostringstream out;
  const ReportPage page{.files = {"mail.log"}, .words = *report_words(language), .top = 10};
  if (html) {
    write_html_report(out, tally, page);
  } else {
    write_text_report(out, tally, page);
  }
  return out.str();
}

const std::string kHostileReject =
    "postfix/smtpd[4]: NOQUEUE: reject: RCPT from <script>alert(1)</script>[198.51.100.7]: 554 5.7.1 Service "
    "unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org; from=<a@b> to=<c@d> proto=ESMTP";
const std::string kHostileUnmatched = "postfix/smtp[3]: 4AB1C2D3E7: to=<x@example.com>, status=<img src=x>\x1b[2J";

TEST(HtmlReportTest, EscapesEverythingFromTheLog) {
  EXPECT_EQ(html_escaped("<a href=\"x\">&'</a>\x01"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;?");
  const std::string page = page_of({kHostileReject, kHostileUnmatched});
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find('\x1b'), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;[198.51.100.7]"), std::string::npos);
  EXPECT_NE(page.find("&lt;img src=x&gt;?[2J"), std::string::npos);
}

TEST(HtmlReportTest, IsOnePageThatLoadsNothing) {
  const std::string page = page_of({kHostileReject});
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
  EXPECT_TRUE(page.ends_with("</body>\n</html>\n"));
  // The only URL is SVG's namespace name, which is never fetched.
  std::size_t urls = 0;
  for (std::size_t at = page.find("http"); at != std::string::npos; at = page.find("http", at + 1)) {
    EXPECT_EQ(page.compare(at, 26, "http://www.w3.org/2000/svg"), 0) << page.substr(at, 40);
    ++urls;
  }
  EXPECT_EQ(urls, 1u);  // the chart; no deferrals, so no age bands
  for (const char* loading : {"src=", "href=", "<link", "@import", "url("}) {
    EXPECT_EQ(page.find(loading), std::string::npos) << loading;
  }
}

TEST(HtmlReportTest, SpeaksTurkish) {
  const std::string page = page_of({kHostileReject}, "tr");
  EXPECT_NE(page.find("<html lang=\"tr\">"), std::string::npos);
  EXPECT_NE(page.find("E-posta teslim raporu"), std::string::npos);
  const Remedy* remedy = Knowledge::builtin().remedy(Cause::blocklist, "tr");
  ASSERT_NE(remedy, nullptr);
  EXPECT_NE(page.find(html_escaped(remedy->action)), std::string::npos);
}

TEST(TextReportTest, ControlBytesFromTheLogCannotForgeLines) {
  const std::string text =
      page_of({"postfix/smtpd[4]: NOQUEUE: reject: RCPT from evil\nSMTP replies: 0[198.51.100.7]: 554 5.7.1 No; "
               "from=<a@b> to=<c@d> proto=ESMTP",
               kHostileUnmatched},
              "en", false);
  EXPECT_EQ(text.find("\nSMTP replies: 0"), std::string::npos);
  EXPECT_NE(text.find("evil?SMTP replies: 0[198.51.100.7]"), std::string::npos);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace mta
