#include "classify/knowledge.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "smtp/ascii.hpp"

namespace mta::embedded {
extern const std::string_view text_rules_tsv;
extern const std::string_view code_rules_tsv;
extern const std::string_view providers_tsv;
extern const std::string_view enhanced_status_codes_csv;
extern const std::string_view reply_codes_csv;
extern const std::string_view remedies_tsv;
}  // namespace mta::embedded

namespace mta {
namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

[[noreturn]] void data_error(std::string_view file, std::size_t line, std::string_view what) {
  throw std::runtime_error(std::string(file) + ":" + std::to_string(line) + ": " + std::string(what));
}

// Calls `row(line_number, line)` for every non-empty, non-comment line of `file`. A control character other than the
// tab that separates fields is an error: an escape such as a pattern's "\b" written as the byte it names.
template <typename Row>
void for_each_data_line(std::string_view file, std::string_view text, Row row) {
  std::size_t line_number = 0;
  for (std::string_view line : split(text, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (std::any_of(line.begin(), line.end(), [](char c) {
          const auto byte = static_cast<unsigned char>(c);
          return (byte < 0x20 && c != '\t') || byte == 0x7F;
        })) {
      data_error(file, line_number, "a control character (an escape written as the byte it names?)");
    }
    row(line_number, line);
  }
}

// RFC 4180 fields: quoted fields may contain commas and doubled quotes.
std::vector<std::string> csv_fields(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  return fields;
}

bool parse_int(std::string_view text, int& value) {
  return !text.empty() &&
         std::from_chars(text.data(), text.data() + text.size(), value).ptr == text.data() + text.size();
}

bool parse_u16(std::string_view text, std::uint16_t& value) {
  return !text.empty() && text.size() <= 3 &&
         std::from_chars(text.data(), text.data() + text.size(), value).ptr == text.data() + text.size();
}

}  // namespace

bool parse_stage(std::string_view name, Stage& stage) {
  for (int i = 0; i <= static_cast<int>(Stage::body); ++i) {
    if (to_string(static_cast<Stage>(i)) == name) {
      stage = static_cast<Stage>(i);
      return true;
    }
  }
  return false;
}

std::string_view to_string(Tier tier) {
  switch (tier) {
    case Tier::site: return "site";
    case Tier::provider: return "provider";
    case Tier::strong_text: return "strong_text";
    case Tier::specific_code: return "specific_code";
    case Tier::weak_text: return "weak_text";
    case Tier::generic_code: return "generic_code";
    case Tier::basic_code: return "basic_code";
    case Tier::failure_statement: return "failure_statement";
  }
  return "";
}

RE2::Options text_regex_options() {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);  // any bytes are safe; patterns are ASCII
  options.set_log_errors(false);
  options.set_never_capture(true);
  // The indexes' root alternations hold every rule of a tier: with RE2's default budget (8 MiB, two thirds for
  // the DFA) their DFA cache filled on the sample log and was rebuilt, allocating, every few hundred lines.
  options.set_max_mem(16 << 20);
  return options;
}

namespace {
// A pattern parsed on its own, without compiling it, to name the line of the pattern that made its tier's index fail.
std::string pattern_syntax_error(const std::string& pattern) {
  RE2::Set parse_only(text_regex_options(), RE2::UNANCHORED);
  std::string error;
  parse_only.Add(pattern, &error);
  return error;
}
}  // namespace

bool parse_code_spec(std::string_view text, CodeSpec& spec) {
  spec = {};
  if (text.starts_with("orange:")) {
    spec.kind = CodeSpec::Kind::orange;
    return parse_int(text.substr(7), spec.number);
  }
  if (text.starts_with("cox:")) {
    spec.kind = CodeSpec::Kind::cox;
    spec.cox_prefix = std::string(text.substr(4));
    return !spec.cox_prefix.empty();
  }
  if (text.starts_with("codeless:")) {
    spec.kind = CodeSpec::Kind::codeless;
    int klass = 0;
    if (!parse_int(text.substr(9), klass) || klass < 4 || klass > 5) return false;
    spec.klass = static_cast<std::uint8_t>(klass);
    return true;
  }
  if (text.find('.') == std::string_view::npos) {
    spec.kind = CodeSpec::Kind::basic;
    return text.size() == 3 && parse_int(text, spec.number) && spec.number >= 200 && spec.number <= 599;
  }
  const std::vector<std::string_view> parts = split(text, '.');
  if (parts.size() != 3) return false;
  if (parts[0] == "x" || parts[0] == "X") {
    spec.klass = 0;
  } else if (parts[0] == "2" || parts[0] == "4" || parts[0] == "5") {
    spec.klass = static_cast<std::uint8_t>(parts[0][0] - '0');
  } else {
    return false;
  }
  if (!parse_u16(parts[1], spec.subject)) return false;
  if (parts[2] == "*") {
    spec.any_detail = true;
    return true;
  }
  const std::size_t dash = parts[2].find('-');
  if (dash == std::string_view::npos) {
    if (!parse_u16(parts[2], spec.detail_low)) return false;
    spec.detail_high = spec.detail_low;
    return true;
  }
  return parse_u16(parts[2].substr(0, dash), spec.detail_low) &&
         parse_u16(parts[2].substr(dash + 1), spec.detail_high) && spec.detail_low <= spec.detail_high;
}

const Knowledge& Knowledge::builtin() {
  static const Knowledge knowledge;
  return knowledge;
}

Knowledge::Knowledge() {
  provider_names_ = {"", "other"};
  load_registries();
  load_providers();
  load_text_rules();
  load_code_rules();
  index_code_rules();
  index_label_codes();
  load_remedies();
}

void Knowledge::load_remedies() {
  const std::size_t languages = std::size(kLanguages);
  remedies_.resize(all_causes().size() * languages);
  for_each_data_line("remedies.tsv", embedded::remedies_tsv, [&](std::size_t line_number, std::string_view line) {
    const std::vector<std::string_view> fields = split(line, '\t');
    if (fields.size() != 4) data_error("remedies.tsv", line_number, "expected 4 tab-separated columns");
    const std::optional<Cause> cause = parse_cause(fields[0]);
    if (!cause) data_error("remedies.tsv", line_number, "unknown cause " + std::string(fields[0]));
    const auto language = std::find(std::begin(kLanguages), std::end(kLanguages), fields[1]);
    if (language == std::end(kLanguages)) data_error("remedies.tsv", line_number, "language must be en or tr");
    const std::size_t index =
        static_cast<std::size_t>(*cause) * languages + static_cast<std::size_t>(language - std::begin(kLanguages));
    remedies_[index] = Remedy{std::string(fields[2]), std::string(fields[3])};
  });
  for (std::size_t i = 0; i < remedies_.size(); ++i) {
    if (remedies_[i].action.empty()) {
      throw std::runtime_error("remedies.tsv: no " + std::string(kLanguages[i % languages]) + " remedy for cause " +
                               std::string(to_string(static_cast<Cause>(i / languages))));
    }
  }
}

const Remedy* Knowledge::remedy(Cause cause, std::string_view language) const {
  const auto found = std::find(std::begin(kLanguages), std::end(kLanguages), language);
  if (found == std::end(kLanguages)) return nullptr;
  return &remedies_[static_cast<std::size_t>(cause) * std::size(kLanguages) +
                    static_cast<std::size_t>(found - std::begin(kLanguages))];
}

void Knowledge::load_registries() {
  bool header = true;
  for_each_data_line(
      "enhanced-status-codes.csv", embedded::enhanced_status_codes_csv,
      [&](std::size_t line_number, std::string_view line) {
        if (std::exchange(header, false)) return;
        const std::vector<std::string> fields = csv_fields(line);
        if (fields.size() < 4) data_error("enhanced-status-codes.csv", line_number, "expected 5 columns");
        const std::vector<std::string_view> parts = split(fields[0], '.');
        EnhancedCode code;
        if (parts.size() != 3 || !parse_u16(parts[1], code.subject) || !parse_u16(parts[2], code.detail)) {
          return;  // class and subject sub-code rows ("4.XXX.YYY", "X.1.YYY") describe ranges, not codes
        }
        code.klass = parts[0] == "X" ? 0 : static_cast<std::uint8_t>(parts[0][0] - '0');
        enhanced_registry_.push_back({code, CodeMeaning{fields[0], fields[1], fields[3]}});
      });
  header = true;
  for_each_data_line("reply-codes.csv", embedded::reply_codes_csv, [&](std::size_t line_number, std::string_view line) {
    if (std::exchange(header, false)) return;
    const std::vector<std::string> fields = csv_fields(line);
    int code = 0;
    if (fields.size() < 3 || !parse_int(fields[0], code)) data_error("reply-codes.csv", line_number, "bad row");
    basic_registry_.push_back({code, CodeMeaning{fields[0], fields[2], fields[1]}});
  });
}

void Knowledge::load_providers() {
  for_each_data_line("providers.tsv", embedded::providers_tsv, [&](std::size_t line_number, std::string_view line) {
    const std::vector<std::string_view> fields = split(line, '\t');
    if (fields.size() != 3) data_error("providers.tsv", line_number, "expected 3 tab-separated columns");
    ProviderId id = find_provider(fields[0]);
    if (id == kNoProvider) {
      provider_names_.emplace_back(fields[0]);
      id = static_cast<ProviderId>(provider_names_.size() - 1);
    }
    if (fields[1] == "host" || fields[1] == "relay") {
      if (fields[2].size() > kLongestHostSuffix) data_error("providers.tsv", line_number, "host suffix too long");
      std::string suffix(fields[2]);
      std::transform(suffix.begin(), suffix.end(), suffix.begin(), to_lower);
      host_suffixes_.try_emplace(suffix, HostSuffix{line_number, id});
      // A host named in a reply's words: "mx.zoho.com", "https://www.zoho.com/mail/help/..." (the suffix after a dot
      // or any other separator, not inside a longer label). A diagnostic without a code is the reporting MTA's, whose
      // links may be to its own help ("Learn more at https://support.google.com/mail/answer/7720"): there only a
      // host name that stands on its own counts, the host it failed with ("lost connection with mx3.hotmail.com[...]",
      // "Connection timed out with alt4.gmail-smtp-in.l.google.com", "[smtp.gmail.com:587]"), not one in a link.
      // A relay's host names the sender when a reply names it ("Client host [a8-95.smtp-out.amazonses.com]").
      if (fields[1] == "host") {
        const std::string suffix_end = RE2::QuoteMeta(fields[2]) + "(?:$|[^a-z0-9-]|\\.(?:$|[^a-z0-9]))";
        provider_markers_.push_back({"(?:^|[^a-z0-9-])" + suffix_end, id, MarkerScope::with_links});
        provider_markers_.push_back(
            {"(?:^|[\\s\\[(<,;'\"=])(?:[a-z0-9-]+\\.)*" + suffix_end, id, MarkerScope::without_links});
      }
    } else if (fields[1] == "marker" || fields[1] == "link") {
      provider_markers_.push_back(
          {std::string(fields[2]), id, fields[1] == "link" ? MarkerScope::with_links : MarkerScope::everywhere});
    } else if (fields[1] == "domain") {
      provider_domains_.push_back({std::string(fields[2]), id});
    } else {
      data_error("providers.tsv", line_number, "kind must be host, relay, marker, link or domain");
    }
  });
}

bool Knowledge::take_source_line(std::string_view file, std::size_t line_number, std::string_view line) {
  constexpr std::string_view kDirective = "@source\t";
  if (!line.starts_with("@")) {
    if (current_source_ == kNoSource) data_error(file, line_number, "a rule before the first @source line");
    return false;
  }
  if (!line.starts_with(kDirective) || line.size() == kDirective.size()) {
    data_error(file, line_number, "expected @source<TAB>the document the rules below come from");
  }
  if (sources_.size() >= kNoSource) data_error(file, line_number, "too many sources");
  sources_.emplace_back(line.substr(kDirective.size()));
  current_source_ = static_cast<std::uint16_t>(sources_.size() - 1);
  return true;
}

void Knowledge::load_text_rules() {
  current_source_ = kNoSource;
  // Patterns become groups: a new group starts with a new rule id or where a pattern has conditions.
  std::array<std::vector<std::string>, 3> patterns_of_tier;  // in the order of text_tiers_
  bool previous_has_conditions = false;
  // A rule id is one cause: the lines of a run with one id are merged into one group, which takes the first's cause.
  std::unordered_map<std::string, Cause> cause_of_id;
  std::vector<std::pair<std::size_t, std::string>> line_of_pattern;  // to name the line of a pattern that is wrong
  for_each_data_line("text-rules.tsv", embedded::text_rules_tsv, [&](std::size_t line_number, std::string_view line) {
    if (take_source_line("text-rules.tsv", line_number, line)) return;
    const std::vector<std::string_view> fields = split(line, '\t');
    if (fields.size() < 3 || fields.size() > 4) data_error("text-rules.tsv", line_number, "expected 3 or 4 columns");
    const std::optional<Cause> cause = parse_cause(fields[1]);
    if (!cause) data_error("text-rules.tsv", line_number, "unknown cause " + std::string(fields[1]));
    if (const auto [known, added] = cause_of_id.try_emplace(std::string(fields[0]), *cause);
        !added && known->second != *cause) {
      data_error("text-rules.tsv", line_number,
                 "rule id " + std::string(fields[0]) + " already names cause " + std::string(to_string(known->second)));
    }
    const Tier tier = fields[0].starts_with("T")   ? Tier::strong_text
                      : fields[0].starts_with("F") ? Tier::failure_statement
                                                   : Tier::weak_text;
    if (tier == Tier::failure_statement && *cause != Cause::other) {
      data_error("text-rules.tsv", line_number, "a failure statement (F...) names no cause: its cause is other");
    }
    const std::string pattern(fields[2]);
    line_of_pattern.emplace_back(line_number, pattern);
    TextRuleGroup group{tier, std::string(fields[0]), *cause, current_source_, nullptr, 0, nullptr};
    if (fields.size() == 4 && fields[3].starts_with("unless=")) {
      group.unless = std::make_unique<RE2>(fields[3].substr(7), text_regex_options());
      if (!group.unless->ok()) data_error("text-rules.tsv", line_number, group.unless->error());
    } else if (fields.size() == 4 && fields[3].starts_with("stage=")) {
      for (std::string_view name : split(fields[3].substr(6), '|')) {
        Stage stage;
        if (!parse_stage(name, stage)) data_error("text-rules.tsv", line_number, "unknown stage");
        group.stages |= stage_bit(stage);
      }
    } else if (fields.size() == 4) {
      data_error("text-rules.tsv", line_number, "fourth column must be unless=PATTERN or stage=LIST");
    }
    if (fields[0].starts_with("V")) {
      if (const std::vector<TextRuleGroup>& weak = text_tiers_[text_tier_slot(Tier::weak_text)].groups;
          !weak.empty() && weak.back().id == group.id) {
        data_error("text-rules.tsv", line_number, "a vocabulary rule id (V...) must be one line");
      }
      group.outside_quotes = std::make_unique<RE2>(pattern, text_regex_options());
      if (!group.outside_quotes->ok()) data_error("text-rules.tsv", line_number, group.outside_quotes->error());
    }
    const bool has_conditions = group.unless != nullptr || group.stages != 0 || group.outside_quotes != nullptr;
    std::vector<TextRuleGroup>& groups = text_tiers_[text_tier_slot(tier)].groups;
    std::vector<std::string>& patterns = patterns_of_tier[text_tier_slot(tier)];
    if (!groups.empty() && groups.back().id == group.id && groups.back().source == group.source && !has_conditions &&
        !previous_has_conditions) {
      patterns.back() += "|(?:" + pattern + ")";
    } else {
      groups.push_back(std::move(group));
      patterns.push_back("(?:" + pattern + ")");
    }
    previous_has_conditions = has_conditions;
    text_rules_.push_back(TextRule{tier, std::string(fields[0]), *cause, pattern});
  });
  for (std::size_t slot = 0; slot < text_tiers_.size(); ++slot) {
    // The failure statements are read only by classify: a tree of their few patterns, no RE2::Set to compile at start.
    const bool with_set = slot != text_tier_slot(Tier::failure_statement);
    try {
      text_tiers_[slot].index = FirstMatchIndex(patterns_of_tier[slot], text_regex_options(), with_set);
    } catch (const std::runtime_error&) {
      // Each pattern is parsed once, by the index (a parse of its own cost a tenth of the start); only a failure
      // looks for the line to name. A pattern that is wrong alone but reads as valid once wrapped as "(?:...)" and
      // joined to the next ("a)|(?:b") is the built-in data's to avoid:
      // KnowledgeTest.EveryTextRulePatternIsValidOnItsOwn.
      for (const auto& [line_number, pattern] : line_of_pattern) {
        if (const std::string error = pattern_syntax_error(pattern); !error.empty()) {
          data_error("text-rules.tsv", line_number, error);
        }
      }
      throw;
    }
  }
  // One alternation per run of markers of one provider, in file order; the wording index leaves the links out.
  const auto build_marker_index = [this](bool with_links) {
    ProviderMarkerIndex built;
    std::vector<ProviderId>& providers = built.providers;
    std::vector<std::string> markers;
    for (const ProviderMarker& marker : provider_markers_) {
      if (marker.scope == (with_links ? MarkerScope::without_links : MarkerScope::with_links)) continue;
      if (!providers.empty() && providers.back() == marker.provider) {
        markers.back() += "|(?:" + marker.pattern + ")";
      } else {
        providers.push_back(marker.provider);
        markers.push_back("(?:" + marker.pattern + ")");
      }
    }
    built.index = FirstMatchIndex(markers, text_regex_options());
    return built;
  };
  marker_index_ = build_marker_index(true);
  wording_index_ = build_marker_index(false);
}

const std::vector<TextRuleGroup>& Knowledge::text_groups(Tier tier) const {
  return text_tiers_[text_tier_slot(tier)].groups;
}

const FirstMatchIndex& Knowledge::text_index(Tier tier) const { return text_tiers_[text_tier_slot(tier)].index; }

ProviderId Knowledge::provider_for_text(std::string_view text, bool with_links) const {
  const ProviderMarkerIndex& markers = with_links ? marker_index_ : wording_index_;
  const int marker = markers.index.first_match(text);
  return marker < 0 ? kNoProvider : markers.providers[static_cast<std::size_t>(marker)];
}

void Knowledge::load_code_rules() {
  current_source_ = kNoSource;
  for_each_data_line("code-rules.tsv", embedded::code_rules_tsv, [&](std::size_t line_number, std::string_view line) {
    if (take_source_line("code-rules.tsv", line_number, line)) return;
    const std::vector<std::string_view> fields = split(line, '\t');
    if (fields.size() != 5) data_error("code-rules.tsv", line_number, "expected 5 tab-separated columns");
    CodeRule rule;
    rule.source = current_source_;
    if (fields[0] == "P") {
      rule.tier = Tier::provider;
    } else if (fields[0] == "C") {
      rule.tier = Tier::specific_code;
    } else if (fields[0] == "G") {
      rule.tier = Tier::generic_code;
    } else if (fields[0] == "B") {
      rule.tier = Tier::basic_code;
    } else {
      data_error("code-rules.tsv", line_number, "tier must be P, C, G or B");
    }
    rule.id = std::string(fields[1]);
    if (!parse_code_spec(fields[2], rule.code))
      data_error("code-rules.tsv", line_number, "bad code " + std::string(fields[2]));
    const std::optional<Cause> cause = parse_cause(fields[4]);
    if (!cause) data_error("code-rules.tsv", line_number, "unknown cause " + std::string(fields[4]));
    rule.cause = *cause;
    if (fields[3] != "-") {
      for (std::string_view condition : split(fields[3], ',')) {
        const std::size_t eq = condition.find('=');
        if (eq == std::string_view::npos) data_error("code-rules.tsv", line_number, "condition needs '='");
        const bool negated = eq > 0 && condition[eq - 1] == '!';
        const std::string_view key = condition.substr(0, negated ? eq - 1 : eq);
        const std::vector<std::string_view> values = split(condition.substr(eq + 1), '|');
        if (key == "provider") {
          rule.provider = find_provider(values[0]);
          if (rule.provider == kNoProvider) data_error("code-rules.tsv", line_number, "unknown provider");
        } else if (key == "stage") {
          for (std::string_view value : values) {
            Stage stage;
            if (!parse_stage(value, stage)) data_error("code-rules.tsv", line_number, "unknown stage");
            rule.stages |= stage_bit(stage);
          }
        } else if (key == "basic") {
          for (std::string_view value : values) {
            int code = 0;
            if (!parse_int(value, code)) data_error("code-rules.tsv", line_number, "bad basic code");
            (negated ? rule.basic_not_in : rule.basic_in).push_back(code);
          }
        } else if (key == "text" && !negated) {
          for (std::string_view value : values) rule.text_any.emplace_back(value);
        } else if (key == "mta" && !negated) {
          rule.mta = mta_from_string(values[0]);
          if (!rule.mta || values.size() != 1) data_error("code-rules.tsv", line_number, "unknown MTA");
        } else if (key == "direction" && !negated) {
          rule.direction = direction_from_string(values[0]);
          if (!rule.direction || values.size() != 1) data_error("code-rules.tsv", line_number, "unknown direction");
        } else {
          data_error("code-rules.tsv", line_number, "unknown condition " + std::string(key));
        }
      }
    }
    code_rules_.push_back(std::move(rule));
  });
}

ProviderId Knowledge::find_provider(std::string_view name) const {
  for (std::size_t i = 2; i < provider_names_.size(); ++i) {
    if (provider_names_[i] == name) return static_cast<ProviderId>(i);
  }
  return name == "other" ? kOtherProvider : kNoProvider;
}

ProviderId Knowledge::provider_for_host(std::string_view host) const {
  if (host.empty()) return kNoProvider;
  // Only the host's last kLongestHostSuffix characters can hold a suffix of the table.
  const std::size_t tail_size = std::min(host.size(), kLongestHostSuffix);
  const std::size_t offset = host.size() - tail_size;
  std::array<char, kLongestHostSuffix> tail;
  std::transform(host.begin() + static_cast<std::ptrdiff_t>(offset), host.end(), tail.begin(), to_lower);
  const HostSuffix* first = nullptr;
  for (std::size_t start = 0; start < tail_size; ++start) {
    if (offset + start != 0 && host[offset + start - 1] != '.') continue;
    const auto found = host_suffixes_.find(std::string_view(tail.data() + start, tail_size - start));
    if (found != host_suffixes_.end() && (first == nullptr || found->second.line < first->line)) first = &found->second;
  }
  return first == nullptr ? kOtherProvider : first->provider;
}

ProviderId Knowledge::provider_for_mail_domain(std::string_view domain) const {
  for (const ProviderDomain& entry : provider_domains_) {
    if (equals_ignoring_case(domain, entry.domain)) return entry.provider;
  }
  return kNoProvider;
}

bool Knowledge::is_registered(EnhancedCode code) const { return enhanced_meaning(code) != nullptr; }

const CodeMeaning* Knowledge::enhanced_meaning(EnhancedCode code) const {
  for (const auto& [registered, meaning] : enhanced_registry_) {
    if (registered.subject == code.subject && registered.detail == code.detail &&
        (registered.klass == 0 || registered.klass == code.klass)) {
      return &meaning;
    }
  }
  return nullptr;
}

bool Knowledge::is_registered_basic(int code) const {
  return code >= 0 && static_cast<std::size_t>(code) < registered_basics_.size() &&
         registered_basics_.test(static_cast<std::size_t>(code));
}

const CodeMeaning* Knowledge::basic_meaning(int code) const {
  for (const auto& [registered, meaning] : basic_registry_) {
    if (registered == code) return &meaning;
  }
  return nullptr;
}

void Knowledge::index_code_rules() {
  code_rules_by_tier_.assign(
      static_cast<std::size_t>(Tier::basic_code) + 1,
      std::vector<std::array<std::vector<CodeRuleEntry>, kNoEnhancedCode + 1>>(provider_names_.size()));
  for (const CodeRule& rule : code_rules_) {
    auto& by_provider = code_rules_by_tier_[static_cast<std::size_t>(rule.tier)];
    const bool by_subject = rule.code.kind == CodeSpec::Kind::enhanced;
    const CodeSpec& code = rule.code;
    const CodeRuleEntry entry{code.kind,        code.klass,  code.any_detail, code.subject, code.detail_low,
                              code.detail_high, code.number, code.cox_prefix, &rule};
    for (std::size_t provider = 0; provider < by_provider.size(); ++provider) {
      if (rule.provider != kNoProvider && rule.provider != provider) continue;
      for (std::size_t bucket = 0; bucket <= kNoEnhancedCode; ++bucket) {
        if (!by_subject || bucket == subject_bucket(rule.code.subject)) by_provider[provider][bucket].push_back(entry);
      }
    }
  }
}

const std::vector<CodeRuleEntry>& Knowledge::code_rules(Tier tier, ProviderId provider, EnhancedCode code) const {
  const std::size_t bucket = code.present() ? subject_bucket(code.subject) : kNoEnhancedCode;
  return code_rules_by_tier_[static_cast<std::size_t>(tier)][provider][bucket];
}

void Knowledge::index_label_codes() {
  for (const auto& [code, meaning] : basic_registry_) {
    if (code >= 0 && static_cast<std::size_t>(code) < registered_basics_.size()) {
      registered_basics_.set(static_cast<std::size_t>(code));
    }
  }
  provider_label_codes_.assign(provider_names_.size(), {});
  for (std::uint8_t klass : {2, 4, 5}) {
    for (const auto& [registered, meaning] : enhanced_registry_) {
      if (registered.klass == 0 || registered.klass == klass) {
        label_codes_.insert(EnhancedCode{klass, registered.subject, registered.detail});
      }
    }
    for (const CodeRule& rule : code_rules_) {
      const CodeSpec& spec = rule.code;
      if (rule.tier != Tier::provider || rule.provider == kNoProvider || spec.kind != CodeSpec::Kind::enhanced ||
          spec.any_detail || (spec.klass != 0 && spec.klass != klass)) {
        continue;
      }
      for (int detail = spec.detail_low; detail <= spec.detail_high; ++detail) {
        provider_label_codes_[rule.provider].insert(
            EnhancedCode{klass, spec.subject, static_cast<std::uint16_t>(detail)});
      }
    }
  }
}

bool Knowledge::has_exact_label(EnhancedCode code, ProviderId provider) const {
  return label_codes_.contains(code) || (provider > kOtherProvider && provider < provider_label_codes_.size() &&
                                         provider_label_codes_[provider].contains(code));
}

}  // namespace mta
