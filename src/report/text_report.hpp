#pragma once
// The sections of the HTML report as plain text, for a daily summary by mail from cron (as pflogsumm's).

#include <ostream>

#include "report/report_sections.hpp"

namespace mta {

void write_text_report(std::ostream& out, const ReportTally& tally, const ReportPage& page);

}  // namespace mta
