#pragma once
// Everything the classifier knows, parsed once from the data files in knowledge/ that are compiled
// into the binary: the code registries, the text rules, the code rules and the provider table.

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "classify/cause.hpp"
#include "classify/enhanced_code_set.hpp"
#include "classify/first_match_index.hpp"
#include "smtp/reply.hpp"
#include "smtp/smtp_event.hpp"

namespace mta {

using ProviderId = std::uint8_t;
inline constexpr ProviderId kNoProvider = 0;     // label ""
inline constexpr ProviderId kOtherProvider = 1;  // label "other"

// What a cause means for the mail admin and what to do about it, in one language.
struct Remedy {
  std::string meaning;
  std::string action;
};

struct CodeMeaning {
  std::string code;  // "X.7.26" or "550"
  std::string title;
  std::string description;
};

// failure_statement comes after every other tier and only for a code-less text given on its own
// (Classifier::classify_codeless_text): words that say a delivery failed without saying why (a bounce's "your message
// could not be delivered"), cause other.
enum class Tier : std::uint8_t {
  site,
  provider,
  strong_text,
  specific_code,
  weak_text,
  generic_code,
  basic_code,
  failure_statement
};
std::string_view to_string(Tier tier);

// One pattern line of text-rules.tsv.
struct TextRule {
  Tier tier;
  std::string id;
  Cause cause;
  std::string pattern;
};

// Consecutive patterns of one rule that share their conditions; searched as one alternation.
struct TextRuleGroup {
  Tier tier;
  std::string id;
  Cause cause;
  std::uint16_t source = 0;     // index for Knowledge::source()
  std::unique_ptr<RE2> unless;  // a match of this pattern vetoes the group
  std::uint32_t stages = 0;     // bit per Stage; 0: any
  // A vocabulary group (id V...): its pattern again, which must also match the text without its quoted strings
  // (a host name or a subject the reply echoes in quotes may hold any word: "for 'quota-mail.example'").
  std::unique_ptr<RE2> outside_quotes;
};

struct CodeSpec {
  // codeless: a reply of class `klass` that carries neither a basic nor an enhanced code
  enum class Kind : std::uint8_t { enhanced, basic, orange, cox, codeless } kind = Kind::enhanced;
  std::uint8_t klass = 0;  // 0: any class
  std::uint16_t subject = 0;
  std::uint16_t detail_low = 0;
  std::uint16_t detail_high = 0;
  bool any_detail = false;
  int number = 0;          // basic code, or the Orange number
  std::string cox_prefix;  // Cox AUP code prefix
};

struct CodeRule {
  Tier tier;
  std::string id;
  std::uint16_t source = 0;  // index for Knowledge::source()
  CodeSpec code;
  ProviderId provider = kNoProvider;  // kNoProvider: any
  std::uint32_t stages = 0;           // bit per Stage; 0: any
  std::vector<int> basic_in;
  std::vector<int> basic_not_in;
  std::vector<std::string> text_any;
  std::optional<Mta> mta;              // only lines of this MTA's parser
  std::optional<Direction> direction;  // only events of this direction
  Cause cause;
};

// What a scan of a tier's code rules reads of each: the code, kept in one array beside a pointer to the rule, so that
// the rules whose code does not match cost no visit to the rule (with its strings and lists) itself.
struct CodeRuleEntry {
  CodeSpec::Kind kind;
  std::uint8_t klass;
  bool any_detail;
  std::uint16_t subject;
  std::uint16_t detail_low;
  std::uint16_t detail_high;
  int number;
  std::string_view cox_prefix;  // the rule's own, which lives as long as the knowledge
  const CodeRule* rule;
};

// A mail domain only one provider receives mail for ("icloud.com").
struct ProviderDomain {
  std::string domain;
  ProviderId provider;
};

// The provider markers as one first-match index: entry i of the index names providers[i].
struct ProviderMarkerIndex {
  FirstMatchIndex index;
  std::vector<ProviderId> providers;
};

// Where a marker is searched: every text, only replies and log lines (help links, whose page may be the reporting
// MTA's own), or only diagnostics without a reply code (a host named on its own, not inside a link).
enum class MarkerScope : std::uint8_t { everywhere, with_links, without_links };

struct ProviderMarker {
  std::string pattern;
  ProviderId provider;
  MarkerScope scope = MarkerScope::everywhere;
};

class Knowledge {
 public:
  // Parses the compiled-in data; throws std::runtime_error naming the file and line on bad data.
  static const Knowledge& builtin();

  std::string_view provider_name(ProviderId id) const { return provider_names_[id]; }
  std::size_t provider_count() const { return provider_names_.size(); }
  ProviderId provider_for_host(std::string_view host) const;
  ProviderId find_provider(std::string_view name) const;

  const std::vector<TextRule>& text_rules() const { return text_rules_; }
  // Groups of one text tier (strong_text, weak_text or failure_statement) in priority order, and their index.
  const std::vector<TextRuleGroup>& text_groups(Tier tier) const;
  const FirstMatchIndex& text_index(Tier tier) const;
  // The provider named by a marker in the (normalised) text, or kNoProvider. `with_links`: also the
  // markers of kind "link" (help-page links), which name the provider only in SMTP replies.
  ProviderId provider_for_text(std::string_view text, bool with_links = true) const;
  // The provider that alone receives mail for `domain` ("icloud.com", the whole domain of an address,
  // any case), or kNoProvider.
  ProviderId provider_for_mail_domain(std::string_view domain) const;
  const std::vector<CodeRule>& code_rules() const { return code_rules_; }
  // The code rules of one tier that can fire for `provider` and a reply with enhanced code `code` (by its subject),
  // in file order: each failure line runs through four tiers, which need not each walk every rule.
  const std::vector<CodeRuleEntry>& code_rules(Tier tier, ProviderId provider, EnhancedCode code) const;
  // The document a rule was written from: the "@source" line above it in its data file.
  std::string_view source(std::uint16_t index) const { return sources_[index]; }

  bool is_registered(EnhancedCode code) const;
  bool is_registered_basic(int code) const;
  // Registry meaning of "X.s.d", or nullptr.
  const CodeMeaning* enhanced_meaning(EnhancedCode code) const;
  const CodeMeaning* basic_meaning(int code) const;
  // True for registered codes and codes a provider rule names (e.g. Microsoft 5.7.606): their label
  // keeps the exact code; any other code is collapsed so remote servers cannot mint new series.
  // `provider`: the provider identified from the remote host, whose own codes are kept exact.
  bool has_exact_label(EnhancedCode code, ProviderId provider = kNoProvider) const;
  // The remedy for a cause in "en" or "tr"; nullptr for another language.
  const Remedy* remedy(Cause cause, std::string_view language) const;

 private:
  Knowledge();
  void load_registries();
  void load_providers();
  void load_text_rules();
  void load_code_rules();
  void index_label_codes();
  void index_code_rules();
  void load_remedies();
  // Takes an "@source<TAB>document" line: the rules below it, up to the next one, cite that document.
  bool take_source_line(std::string_view file, std::size_t line_number, std::string_view line);
  static constexpr std::uint16_t kNoSource = UINT16_MAX;
  std::uint16_t current_source_ = kNoSource;  // while loading

  std::vector<std::string> provider_names_;
  // The host suffixes of providers.tsv, lower case, each with its provider and the line of its first entry. A host
  // is looked up by its label suffixes ("mx1.aspmx.l.google.com", "aspmx.l.google.com", ...); of those found, the
  // first in the file names the provider, as if the file were walked in order.
  struct HostSuffix {
    std::size_t line;
    ProviderId provider;
  };
  struct SuffixHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  static constexpr std::size_t kLongestHostSuffix = 64;
  std::unordered_map<std::string, HostSuffix, SuffixHash, std::equal_to<>> host_suffixes_;
  std::vector<ProviderMarker> provider_markers_;
  std::vector<ProviderDomain> provider_domains_;
  std::vector<TextRule> text_rules_;
  // The groups of one text tier in priority order, and the index that finds them.
  struct TextTierRules {
    std::vector<TextRuleGroup> groups;
    FirstMatchIndex index;
  };
  // strong_text, weak_text, failure_statement, at text_tier_slot().
  static std::size_t text_tier_slot(Tier tier) {
    return tier == Tier::strong_text ? 0 : tier == Tier::weak_text ? 1 : 2;
  }
  std::array<TextTierRules, 3> text_tiers_;
  ProviderMarkerIndex marker_index_;
  ProviderMarkerIndex wording_index_;  // the markers without the links
  std::vector<CodeRule> code_rules_;
  // [tier][provider][subject bucket]: pointers into code_rules_, which is not changed after loading. A rule of an
  // enhanced code is in the bucket of its subject only; every other rule is in every bucket.
  static constexpr std::size_t kOtherSubjects = 8;  // subjects 8 and above; RFC 3463 registers 0-7
  static constexpr std::size_t kNoEnhancedCode = kOtherSubjects + 1;
  static std::size_t subject_bucket(std::uint16_t subject) { return std::min<std::size_t>(subject, kOtherSubjects); }
  std::vector<std::vector<std::array<std::vector<CodeRuleEntry>, kNoEnhancedCode + 1>>> code_rules_by_tier_;
  std::vector<std::string> sources_;
  std::vector<std::pair<EnhancedCode, CodeMeaning>> enhanced_registry_;  // klass 0 = any class
  std::vector<std::pair<int, CodeMeaning>> basic_registry_;
  std::bitset<1000> registered_basics_;  // every reply counted tests its basic code
  EnhancedCodeSet label_codes_;
  std::vector<EnhancedCodeSet> provider_label_codes_;  // by provider
  static constexpr std::string_view kLanguages[] = {"en", "tr"};
  std::vector<Remedy> remedies_;  // cause-major, then language
};

inline std::uint32_t stage_bit(Stage stage) { return 1u << static_cast<unsigned>(stage); }
bool parse_stage(std::string_view name, Stage& stage);

// Shared by the built-in data and the site rules in the config: RE2 options for reply text.
RE2::Options text_regex_options();
// Parses "x.7.26", "5.7.500-699", "x.1.*", "550", "orange:101", "cox:cxbl", "codeless:5"; false when malformed.
bool parse_code_spec(std::string_view text, CodeSpec& spec);
struct CodeFacts {
  int basic = 0;
  EnhancedCode enhanced;
  int orange_number = 0;      // from "OFR..._102", 0 when absent
  std::string_view cox_code;  // from "AUP#CXBL", lower case
  int klass = 0;              // of the reply, else of the delivery status
};
// Inline: every failure line tests it against the rules of four tiers.
// `Spec` is a CodeSpec or a CodeRuleEntry: the same fields, the entry's in one compact array.
template <typename Spec>
bool code_spec_matches(const Spec& spec, const CodeFacts& facts) {
  switch (spec.kind) {
    case CodeSpec::Kind::basic: return facts.basic == spec.number;
    case CodeSpec::Kind::orange: return facts.orange_number == spec.number;
    case CodeSpec::Kind::cox: return !facts.cox_code.empty() && facts.cox_code.starts_with(spec.cox_prefix);
    case CodeSpec::Kind::codeless: return facts.basic == 0 && !facts.enhanced.present() && facts.klass == spec.klass;
    case CodeSpec::Kind::enhanced: break;
  }
  const EnhancedCode& code = facts.enhanced;
  if (!code.present() || code.subject != spec.subject) return false;
  if (spec.klass != 0 && spec.klass != code.klass) return false;
  return spec.any_detail || (code.detail >= spec.detail_low && code.detail <= spec.detail_high);
}

}  // namespace mta
