// Tests for the classifier's compiled-in knowledge (src/classify/knowledge.hpp): the code registries,
// the code-spec syntax, exact-label codes and the provider table. The registry tests read the data files
// in src/classify/knowledge/ at run time and check every row against what the binary loaded.

#include "classify/knowledge.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/source_dir.hpp"

namespace mta {
namespace {

namespace fs = std::filesystem;

using test::source_dir;

fs::path knowledge_dir() { return source_dir() / "src" / "classify" / "knowledge"; }

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// RFC 4180 fields of one line (quoted fields may hold commas and doubled quotes).
std::vector<std::string> csv_fields(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back().push_back('"');
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  return fields;
}

// Data rows (header skipped) of a CSV file.
std::vector<std::vector<std::string>> csv_rows(const fs::path& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(read_file(path));
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    rows.push_back(csv_fields(line));
  }
  return rows;
}

bool parse_number(std::string_view text, int& value) {
  return !text.empty() &&
         std::from_chars(text.data(), text.data() + text.size(), value).ptr == text.data() + text.size();
}

TEST(KnowledgeTest, BuiltinLoads) {
  const Knowledge* knowledge = nullptr;
  ASSERT_NO_THROW(knowledge = &Knowledge::builtin());
  EXPECT_EQ(knowledge, &Knowledge::builtin());  // one instance
  EXPECT_FALSE(knowledge->text_rules().empty());
  EXPECT_FALSE(knowledge->code_rules().empty());
  EXPECT_GT(knowledge->provider_count(), 2u);
  EXPECT_EQ(knowledge->provider_name(kNoProvider), "");
  EXPECT_EQ(knowledge->provider_name(kOtherProvider), "other");
  // Every text rule belongs to a group of its tier, and each group is searchable.
  for (Tier tier : {Tier::strong_text, Tier::weak_text}) {
    EXPECT_FALSE(knowledge->text_groups(tier).empty());
    EXPECT_FALSE(knowledge->text_index(tier).empty());
  }
  EXPECT_EQ(knowledge->provider_for_text("421 4.7.0 try again - gsmtp"), knowledge->find_provider("google"));
  EXPECT_EQ(knowledge->provider_for_text("plain text"), kNoProvider);
}

TEST(FirstMatchIndexTest, FindsTheFirstMatchingPatternFromAnyStart) {
  const std::vector<std::string> patterns = {"alpha", "beta", "gam+a", "delta", "beta|epsilon"};
  const FirstMatchIndex index(patterns, text_regex_options());
  EXPECT_EQ(index.first_match("x beta y"), 1);
  EXPECT_EQ(index.first_match("x beta y", 2), 4);
  EXPECT_EQ(index.first_match("x beta y", 5), -1);
  EXPECT_EQ(index.first_match("gammma delta"), 2);
  EXPECT_EQ(index.first_match("delta alpha"), 0);
  EXPECT_EQ(index.first_match("nothing"), -1);
  EXPECT_EQ(FirstMatchIndex().first_match("alpha"), -1);
  EXPECT_THROW(FirstMatchIndex({"(unclosed"}, text_regex_options()), std::runtime_error);
}

TEST(KnowledgeTest, EveryCauseButNoneHasARule) {
  const Knowledge& knowledge = Knowledge::builtin();
  for (Cause cause : all_causes()) {
    if (cause == Cause::none) continue;
    bool found = false;
    for (const TextRule& rule : knowledge.text_rules()) found = found || rule.cause == cause;
    for (const CodeRule& rule : knowledge.code_rules()) found = found || rule.cause == cause;
    EXPECT_TRUE(found) << "no rule gives cause " << to_string(cause);
  }
}

TEST(KnowledgeRegistryTest, EveryNumericEnhancedCodeIsKnown) {
  const Knowledge& knowledge = Knowledge::builtin();
  const auto rows = csv_rows(knowledge_dir() / "enhanced-status-codes.csv");
  ASSERT_FALSE(rows.empty());
  int checked = 0;
  for (const auto& row : rows) {
    ASSERT_GE(row.size(), 4u) << row[0];
    const std::string& code = row[0];
    // "X.s.d" with numeric subject and detail; "X.1.YYY" and "5.XXX.YYY" describe ranges.
    const std::size_t first = code.find('.');
    const std::size_t second = code.find('.', first + 1);
    ASSERT_NE(second, std::string::npos) << code;
    int subject = 0;
    int detail = 0;
    if (!parse_number(std::string_view(code).substr(first + 1, second - first - 1), subject) ||
        !parse_number(std::string_view(code).substr(second + 1), detail)) {
      continue;
    }
    ASSERT_EQ(code.substr(0, 2), "X.") << "a numeric row for one class only: " << code;
    for (std::uint8_t klass : {2, 4, 5}) {
      const EnhancedCode enhanced{klass, static_cast<std::uint16_t>(subject), static_cast<std::uint16_t>(detail)};
      const CodeMeaning* meaning = knowledge.enhanced_meaning(enhanced);
      ASSERT_NE(meaning, nullptr) << code << " as class " << int{klass};
      EXPECT_EQ(meaning->code, code);
      EXPECT_EQ(meaning->title, row[1]) << code;
      EXPECT_TRUE(knowledge.is_registered(enhanced)) << code;
      EXPECT_TRUE(knowledge.has_exact_label(enhanced)) << code;
    }
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

TEST(KnowledgeRegistryTest, UnregisteredEnhancedCodesAreUnknown) {
  const Knowledge& knowledge = Knowledge::builtin();
  for (EnhancedCode code : {EnhancedCode{5, 9, 9}, EnhancedCode{5, 7, 999}, EnhancedCode{4, 4, 316},
                            EnhancedCode{5, 1, 11}, EnhancedCode{5, 7, 606}}) {
    EXPECT_EQ(knowledge.enhanced_meaning(code), nullptr)
        << int{code.klass} << "." << code.subject << "." << code.detail;
    EXPECT_FALSE(knowledge.is_registered(code));
  }
}

TEST(KnowledgeRegistryTest, EveryReplyCodeIsKnown) {
  const Knowledge& knowledge = Knowledge::builtin();
  const auto rows = csv_rows(knowledge_dir() / "reply-codes.csv");
  ASSERT_FALSE(rows.empty());
  for (const auto& row : rows) {
    int code = 0;
    ASSERT_TRUE(parse_number(row[0], code)) << row[0];
    const CodeMeaning* meaning = knowledge.basic_meaning(code);
    ASSERT_NE(meaning, nullptr) << code;
    EXPECT_EQ(meaning->code, row[0]);
    EXPECT_TRUE(knowledge.is_registered_basic(code)) << code;
  }
}

TEST(KnowledgeRegistryTest, UnregisteredReplyCodesAreUnknown) {
  const Knowledge& knowledge = Knowledge::builtin();
  for (int code : {0, 199, 222, 557, 599, 650}) {
    EXPECT_EQ(knowledge.basic_meaning(code), nullptr) << code;
    EXPECT_FALSE(knowledge.is_registered_basic(code)) << code;
  }
}

// src/classify/knowledge/ holds copies of the shared reference registries; they must not drift.
class ReferenceCopyTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ReferenceCopyTest, IsByteIdenticalToSharedReference) {
  const fs::path reference = fs::path(MTA_SHARED_DIR) / "reference" / GetParam();
  if (!fs::exists(reference)) GTEST_SKIP() << reference << " not present";
  const fs::path copy = knowledge_dir() / GetParam();
  ASSERT_TRUE(fs::exists(copy)) << copy;
  EXPECT_TRUE(read_file(copy) == read_file(reference)) << copy << " differs from " << reference;
}

INSTANTIATE_TEST_SUITE_P(Registries, ReferenceCopyTest,
                         ::testing::Values("enhanced-status-codes.csv", "reply-codes.csv"));

// --- parse_code_spec / code_spec_matches ---------------------------------------------------------------

TEST(CodeSpecTest, ParsesEnhancedAnyClass) {
  CodeSpec spec;
  ASSERT_TRUE(parse_code_spec("x.7.26", spec));
  EXPECT_EQ(spec.kind, CodeSpec::Kind::enhanced);
  EXPECT_EQ(spec.klass, 0);
  EXPECT_EQ(spec.subject, 7);
  EXPECT_EQ(spec.detail_low, 26);
  EXPECT_EQ(spec.detail_high, 26);
  EXPECT_FALSE(spec.any_detail);
  ASSERT_TRUE(parse_code_spec("X.7.26", spec));
  EXPECT_EQ(spec.klass, 0);
}

TEST(CodeSpecTest, ParsesOneClassAndRange) {
  CodeSpec spec;
  ASSERT_TRUE(parse_code_spec("5.7.500-699", spec));
  EXPECT_EQ(spec.kind, CodeSpec::Kind::enhanced);
  EXPECT_EQ(spec.klass, 5);
  EXPECT_EQ(spec.subject, 7);
  EXPECT_EQ(spec.detail_low, 500);
  EXPECT_EQ(spec.detail_high, 699);
}

TEST(CodeSpecTest, ParsesAnyDetail) {
  CodeSpec spec;
  ASSERT_TRUE(parse_code_spec("x.1.*", spec));
  EXPECT_EQ(spec.subject, 1);
  EXPECT_TRUE(spec.any_detail);
}

TEST(CodeSpecTest, ParsesBasicOrangeAndCox) {
  CodeSpec spec;
  ASSERT_TRUE(parse_code_spec("550", spec));
  EXPECT_EQ(spec.kind, CodeSpec::Kind::basic);
  EXPECT_EQ(spec.number, 550);
  ASSERT_TRUE(parse_code_spec("orange:101", spec));
  EXPECT_EQ(spec.kind, CodeSpec::Kind::orange);
  EXPECT_EQ(spec.number, 101);
  ASSERT_TRUE(parse_code_spec("cox:cxbl", spec));
  EXPECT_EQ(spec.kind, CodeSpec::Kind::cox);
  EXPECT_EQ(spec.cox_prefix, "cxbl");
}

class BadCodeSpecTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(BadCodeSpecTest, IsRejected) {
  CodeSpec spec;
  EXPECT_FALSE(parse_code_spec(GetParam(), spec)) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Specs, BadCodeSpecTest,
                         ::testing::Values("", "55", "5500", "199", "600", "650", "abc", "3.1.1", "1.2.3", "y.7.1",
                                           "x.7", "x.7.26.1", "x.7.699-500", "x.7.1000", "x.1000.1", "x..1", "x.7.",
                                           "x.7.-5", "x.7.5-", "x.a.1", "x.7.b", "orange:", "orange:abc", "cox:"));

TEST(CodeSpecTest, MatchesFacts) {
  CodeSpec spec;
  ASSERT_TRUE(parse_code_spec("x.7.26", spec));
  EXPECT_TRUE(code_spec_matches(spec, CodeFacts{550, {5, 7, 26}, 0, {}}));
  EXPECT_TRUE(code_spec_matches(spec, CodeFacts{0, {4, 7, 26}, 0, {}}));
  EXPECT_FALSE(code_spec_matches(spec, CodeFacts{550, {5, 7, 27}, 0, {}}));
  EXPECT_FALSE(code_spec_matches(spec, CodeFacts{550, {}, 0, {}}));

  ASSERT_TRUE(parse_code_spec("4.7.500-699", spec));
  EXPECT_TRUE(code_spec_matches(spec, CodeFacts{451, {4, 7, 500}, 0, {}}));
  EXPECT_TRUE(code_spec_matches(spec, CodeFacts{451, {4, 7, 699}, 0, {}}));
  EXPECT_FALSE(code_spec_matches(spec, CodeFacts{451, {4, 7, 700}, 0, {}}));
  EXPECT_FALSE(code_spec_matches(spec, CodeFacts{551, {5, 7, 500}, 0, {}}));

  ASSERT_TRUE(parse_code_spec("x.1.*", spec));
  EXPECT_TRUE(code_spec_matches(spec, CodeFacts{0, {5, 1, 999}, 0, {}}));
  EXPECT_FALSE(code_spec_matches(spec, CodeFacts{0, {5, 2, 1}, 0, {}}));

  ASSERT_TRUE(parse_code_spec("550", spec));
  EXPECT_TRUE(code_spec_matches(spec, CodeFacts{550, {}, 0, {}}));
  EXPECT_FALSE(code_spec_matches(spec, CodeFacts{551, {5, 5, 0}, 0, {}}));

  ASSERT_TRUE(parse_code_spec("orange:102", spec));
  EXPECT_TRUE(code_spec_matches(spec, CodeFacts{550, {}, 102, {}}));
  EXPECT_FALSE(code_spec_matches(spec, CodeFacts{550, {}, 101, {}}));

  ASSERT_TRUE(parse_code_spec("cox:ipbl", spec));
  EXPECT_TRUE(code_spec_matches(spec, CodeFacts{550, {}, 0, "ipbl0102"}));
  EXPECT_FALSE(code_spec_matches(spec, CodeFacts{550, {}, 0, "cxbl"}));
  EXPECT_FALSE(code_spec_matches(spec, CodeFacts{550, {}, 0, {}}));
}

// --- exact labels ----------------------------------------------------------------------------------------

struct LabelCase {
  EnhancedCode code;
  bool exact;
  std::string_view provider = {};  // identified from the remote host
};

class ExactLabelTest : public ::testing::TestWithParam<LabelCase> {};

TEST_P(ExactLabelTest, Decides) {
  const EnhancedCode code = GetParam().code;
  const Knowledge& knowledge = Knowledge::builtin();
  EXPECT_EQ(knowledge.has_exact_label(code, knowledge.find_provider(GetParam().provider)), GetParam().exact)
      << int{code.klass} << "." << code.subject << "." << code.detail;
}

INSTANTIATE_TEST_SUITE_P(Codes, ExactLabelTest,
                         ::testing::Values(LabelCase{{5, 7, 26}, true},                 // registered
                                           LabelCase{{2, 0, 0}, true},                  // registered
                                           LabelCase{{5, 7, 606}, true, "microsoft"},   // provider rule 5.7.606-649
                                           LabelCase{{5, 7, 649}, true, "microsoft"},   // end of that range
                                           LabelCase{{4, 7, 500}, true, "microsoft"},   // Microsoft 4.7.500-699
                                           LabelCase{{4, 7, 652}, true, "microsoft"},   // Microsoft 4.7.652
                                           LabelCase{{5, 4, 316}, true, "microsoft"},   // Microsoft x.4.316
                                           LabelCase{{4, 4, 316}, true, "microsoft"},   // any class
                                           LabelCase{{5, 7, 650}, false, "microsoft"},  // only 4.7.650 is theirs
                                           // A provider's private codes stay exact only for that provider,
                                           // so other servers cannot mint series with them.
                                           LabelCase{{5, 7, 606}, false}, LabelCase{{4, 7, 500}, false, "google"},
                                           LabelCase{{5, 7, 999}, false}, LabelCase{{5, 9, 9}, false},
                                           LabelCase{{5, 4, 317}, false}, LabelCase{{5, 1, 11}, false}));

TEST(ExactLabelTest, EveryProviderRuleCodeHasAnExactLabel) {
  const Knowledge& knowledge = Knowledge::builtin();
  for (const CodeRule& rule : knowledge.code_rules()) {
    const CodeSpec& spec = rule.code;
    if (rule.tier != Tier::provider || spec.kind != CodeSpec::Kind::enhanced || spec.any_detail) continue;
    for (std::uint8_t klass : {2, 4, 5}) {
      if (spec.klass != 0 && spec.klass != klass) continue;
      for (int detail = spec.detail_low; detail <= spec.detail_high; ++detail) {
        EXPECT_TRUE(knowledge.has_exact_label({klass, spec.subject, static_cast<std::uint16_t>(detail)}, rule.provider))
            << rule.id << " " << int{klass} << "." << spec.subject << "." << detail;
      }
    }
  }
}

// --- providers ---------------------------------------------------------------------------------------------

struct HostCase {
  std::string_view host;
  std::string_view provider;  // the label
};

class ProviderForHostTest : public ::testing::TestWithParam<HostCase> {};

TEST_P(ProviderForHostTest, Names) {
  const Knowledge& knowledge = Knowledge::builtin();
  EXPECT_EQ(knowledge.provider_name(knowledge.provider_for_host(GetParam().host)), GetParam().provider)
      << GetParam().host;
}

INSTANTIATE_TEST_SUITE_P(
    Hosts, ProviderForHostTest,
    ::testing::Values(HostCase{"gmail-smtp-in.l.google.com", "google"}, HostCase{"google.com", "google"},
                      HostCase{"GMAIL-SMTP-IN.L.GOOGLE.COM", "google"},
                      HostCase{"alt1.aspmx.l.googlemail.com", "google"},
                      HostCase{"x.mail.protection.outlook.com", "microsoft"},
                      HostCase{"charterglobal-com.mail.protection.outlook.com", "microsoft"},
                      HostCase{"mta7.am0.yahoodns.net", "yahoo"}, HostCase{"mx01.mail.icloud.com", "apple"},
                      HostCase{"smtp-in.orange.fr", "orange"}, HostCase{"notgoogle.com", "other"},
                      HostCase{"google.com.example.net", "other"}, HostCase{"mx1.mail.yahoo.co.jp", "other"},
                      HostCase{"mail.domain.com", "other"}, HostCase{"", ""}));

TEST(ProviderTest, EmptyHostIsNoProvider) {
  EXPECT_EQ(Knowledge::builtin().provider_for_host(""), kNoProvider);
  EXPECT_EQ(Knowledge::builtin().provider_for_host("notgoogle.com"), kOtherProvider);
}

TEST(ProviderTest, FindProviderByName) {
  const Knowledge& knowledge = Knowledge::builtin();
  const ProviderId google = knowledge.find_provider("google");
  EXPECT_GT(google, kOtherProvider);
  EXPECT_EQ(knowledge.provider_name(google), "google");
  EXPECT_EQ(knowledge.provider_for_host("gmail-smtp-in.l.google.com"), google);
  EXPECT_EQ(knowledge.find_provider("other"), kOtherProvider);
  EXPECT_EQ(knowledge.find_provider("no-such-provider"), kNoProvider);
}

}  // namespace
}  // namespace mta
