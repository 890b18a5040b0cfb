#pragma once
// The words of the report a person reads, in English or Turkish (report --lang); the causes' meanings and remedies
// come from the knowledge (remedies.tsv) in the same two languages.

#include <array>
#include <optional>
#include <string_view>

namespace mta {

struct ReportWords {
  std::string_view language;  // "en" or "tr", as remedies.tsv names it
  std::string_view title;
  std::string_view files;
  std::string_view period;
  std::string_view lines;
  std::string_view replies;
  std::string_view replies_per_hour;
  std::string_view replies_per_day;
  std::string_view replies_per_days;  // "{}" stands for the number of days
  std::string_view replies_without_time;
  std::string_view top_causes;
  std::string_view cause;
  std::string_view meaning;
  std::string_view remedy;
  std::string_view providers_by_cause;
  std::string_view provider;
  std::string_view total;
  std::string_view refusing_domains;
  std::string_view refused_clients;
  std::string_view domain;
  std::string_view client;
  std::string_view refusals;
  std::string_view estimated;  // the note under a table of TopCounts past their bound
  std::string_view delivery_delays;
  std::string_view deferral_ages;
  std::string_view messages;
  std::string_view percentile;
  std::string_view maximum;
  std::string_view age;
  std::string_view unmatched_lines;
  std::string_view unmatched_note;
  std::string_view first_unmatched;
  std::string_view none_seen;
  std::array<std::string_view, 7> age_bands;
};

// The words of `language` ("en", "tr"); nothing for another.
std::optional<ReportWords> report_words(std::string_view language);

}  // namespace mta
