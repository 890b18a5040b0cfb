#pragma once
// report --format html: one self-contained page (inline SVG and style, no script, nothing loaded from anywhere) that
// renders in a browser without network.

#include <ostream>

#include "report/report_sections.hpp"

namespace mta {

void write_html_report(std::ostream& out, const ReportTally& tally, const ReportPage& page);

// `text` with &, <, >, " and ' escaped, for HTML text and attribute values.
std::string html_escaped(std::string_view text);

}  // namespace mta
