// Tests for the classifier's compiled-in knowledge (src/classify/knowledge.hpp): the code registries,
// the code-spec syntax, exact-label codes and the provider table. The registry tests read the data files
// in src/classify/knowledge/ at run time and check every row against what the binary loaded.

#include "classify/knowledge.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "classify/classifier.hpp"
#include "support/case_name.hpp"
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
  for (Tier tier : {Tier::strong_text, Tier::weak_text, Tier::failure_statement}) {
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
  EXPECT_THROW(FirstMatchIndex({"alpha", "(unclosed"}, text_regex_options(), true), std::runtime_error);
  try {
    FirstMatchIndex({"alpha", "(unclosed", "beta"}, text_regex_options());
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), ::testing::HasSubstr("\"(unclosed\""));  // names the pattern, not the alternation
  }
}

TEST(FirstMatchIndexTest, TheSetReportsEveryMatchInOrder) {
  const std::vector<std::string> patterns = {"alpha", "beta", "gam+a", "delta", "beta|epsilon"};
  const FirstMatchIndex index(patterns, text_regex_options(), true);
  std::vector<int> matches = {42};
  ASSERT_TRUE(index.all_matches("epsilon beta alpha", matches));
  EXPECT_EQ(matches, (std::vector<int>{0, 1, 4}));
  ASSERT_TRUE(index.all_matches("nothing", matches));
  EXPECT_TRUE(matches.empty());
  // Without the set, the caller is told to descend the tree.
  EXPECT_FALSE(FirstMatchIndex(patterns, text_regex_options()).all_matches("alpha", matches));
}

TEST(FirstMatchIndexTest, ThreadsSearchingAFreshIndexAgree) {
  // The nodes below the root are compiled by the first search that reaches them, from whichever thread
  // (the TSan build runs this too).
  std::vector<std::string> patterns;
  for (int i = 0; i < 64; ++i) patterns.push_back("word" + std::to_string(i) + "\\b");
  const FirstMatchIndex index(patterns, text_regex_options());
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&index, &wrong, t] {
      for (int round = 0; round < 64; ++round) {
        const int i = (round * 7 + t * 13) % 64;
        if (index.first_match("a word" + std::to_string(i) + " b") != i) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
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

// Consecutive patterns of one rule id share one group, and a group has one cause: a rule id that gave two causes
// would give the second pattern the first one's.
TEST(KnowledgeTest, EachTextRuleIdGivesOneCause) {
  std::map<std::string, Cause> cause_of_id;
  for (const TextRule& rule : Knowledge::builtin().text_rules()) {
    const auto known = cause_of_id.emplace(rule.id, rule.cause).first;
    EXPECT_EQ(known->second, rule.cause) << rule.id << " " << rule.pattern;
  }
}

// The loader parses the patterns only as the groups it joins them into ("(?:a)|(?:b)"), where a pattern that closes a
// group too many and opens one ("a)|(?:b") reads as valid: each must be valid on its own.
TEST(KnowledgeTest, EveryTextRulePatternIsValidOnItsOwn) {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_log_errors(false);
  options.set_never_capture(true);
  std::size_t patterns = 0;
  for (const TextRule& rule : Knowledge::builtin().text_rules()) {
    const RE2 alone(rule.pattern, options);
    EXPECT_TRUE(alone.ok()) << rule.id << " " << rule.pattern << ": " << alone.error();
    ++patterns;
  }
  EXPECT_GT(patterns, 1000u);
}

// A failure statement says that a delivery failed, never why: every F rule of the built-in data gives other.
TEST(KnowledgeTest, FailureStatementsNameNoCause) {
  std::size_t statements = 0;
  for (const TextRule& rule : Knowledge::builtin().text_rules()) {
    if (rule.tier != Tier::failure_statement) continue;
    ++statements;
    EXPECT_EQ(rule.cause, Cause::other) << rule.id << " " << rule.pattern;
  }
  EXPECT_GT(statements, 0u);
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
                                           "x.7.-5", "x.7.5-", "x.a.1", "x.7.b", "orange:", "orange:abc",
                                           "cox:", "codeless:", "codeless:2", "codeless:x"));

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

  ASSERT_TRUE(parse_code_spec("codeless:5", spec));
  EXPECT_TRUE(code_spec_matches(spec, CodeFacts{0, {}, 0, {}, 5}));
  EXPECT_FALSE(code_spec_matches(spec, CodeFacts{0, {}, 0, {}, 4}));
  EXPECT_FALSE(code_spec_matches(spec, CodeFacts{550, {}, 0, {}, 5}));
  EXPECT_FALSE(code_spec_matches(spec, CodeFacts{0, {5, 7, 1}, 0, {}, 5}));
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

// The rules of a tier are bucketed by the subject of their enhanced code: for every code, the first rule of its
// bucket that matches is the first matching rule of the whole tier, in file order.
TEST(CodeRuleIndexTest, TheBucketOfACodeHoldsEveryRuleThatCanMatchIt) {
  const Knowledge& knowledge = Knowledge::builtin();
  for (const Tier tier : {Tier::provider, Tier::specific_code, Tier::generic_code, Tier::basic_code}) {
    for (std::size_t provider = 0; provider < knowledge.provider_count(); ++provider) {
      const auto id = static_cast<ProviderId>(provider);
      for (const int basic : {0, 421, 450, 451, 452, 550, 552, 553, 554}) {
        for (std::uint16_t subject = 0; subject <= 9; ++subject) {
          for (const std::uint16_t detail : {0, 1, 2, 7, 26, 500, 606}) {
            for (const std::uint8_t klass : {0, 4, 5}) {
              const EnhancedCode code = klass == 0 ? EnhancedCode{} : EnhancedCode{klass, subject, detail};
              const CodeFacts facts{basic, code, 0, {}, klass == 0 ? 5 : klass};
              const CodeRule* walked = nullptr;
              for (const CodeRule& rule : knowledge.code_rules()) {
                if (rule.tier != tier || (rule.provider != kNoProvider && rule.provider != id)) continue;
                if (code_spec_matches(rule.code, facts)) {
                  walked = &rule;
                  break;
                }
              }
              const auto& bucket = knowledge.code_rules(tier, id, code);
              // The entry's copy of the code must say what the rule's own code says.
              const auto indexed = std::find_if(bucket.begin(), bucket.end(), [&](const CodeRuleEntry& entry) {
                EXPECT_EQ(code_spec_matches(entry, facts), code_spec_matches(entry.rule->code, facts));
                return code_spec_matches(entry, facts);
              });
              EXPECT_EQ(indexed == bucket.end() ? nullptr : indexed->rule, walked)
                  << to_string(tier) << " " << knowledge.provider_name(id) << " " << basic << " " << int{klass} << "."
                  << subject << "." << detail;
            }
          }
        }
      }
    }
  }
}

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
                      HostCase{"mail.domain.com", "other"}, HostCase{"mailin.bellsouth.net", "att"},
                      HostCase{"mx00.mail.com", "gmx"}, HostCase{"gmail.com", "google"},
                      HostCase{"mx.zeptomail.com", "zoho"}, HostCase{"", ""}));

// A host is looked up by its label suffixes, of which only the last 64 characters can be one of the table's.
TEST(ProviderTest, LongHostsAreReadByTheirSuffix) {
  const Knowledge& knowledge = Knowledge::builtin();
  const std::string labels(300, 'a');
  EXPECT_EQ(knowledge.provider_name(knowledge.provider_for_host(labels + ".mail.protection.outlook.com")), "microsoft");
  EXPECT_EQ(knowledge.provider_name(knowledge.provider_for_host(labels + "google.com")), "other");
  EXPECT_EQ(knowledge.provider_name(knowledge.provider_for_host(labels)), "other");
  EXPECT_EQ(knowledge.provider_name(knowledge.provider_for_host(".google.com")), "google");
  EXPECT_EQ(knowledge.provider_name(knowledge.provider_for_host("google.com.")), "other");
  EXPECT_EQ(knowledge.provider_name(knowledge.provider_for_host("oogle.com")), "other");
}

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

// --- registered enhanced codes ---------------------------------------------------------------------------
// Every code of the registry (RFC 3463, 3886, 4468, 4954, 5248, 6531, 6710, 7293, 7372, 7505, 8617, 8689)
// has a rule of its own in the specific (C) or generic (G) tier: none is left to the subject fallback
// "G-sub". The cause is the one the code itself tells (cause-taxonomy.md section 4, "Enhanced codes that
// imply it on their own"), or "other" where the code names no cause.

struct RegistryCauseCase {
  const char* name;
  std::string_view reply;  // a neutral text, so that no text rule fires
  Cause cause;
};

void PrintTo(const RegistryCauseCase& c, std::ostream* os) { *os << c.name; }

const RegistryCauseCase kRegistryCauses[] = {
    {"x_0_0", "550 5.0.0 x", Cause::other},
    {"x_1_0", "550 5.1.0 x", Cause::other},
    {"x_1_1", "550 5.1.1 x", Cause::mailbox_unknown},
    {"x_1_2", "550 5.1.2 x", Cause::domain_not_found},
    {"x_1_3", "550 5.1.3 x", Cause::mailbox_unknown},
    {"x_1_4", "550 5.1.4 x", Cause::other},
    {"x_1_5", "550 5.1.5 x", Cause::other},
    {"x_1_6", "550 5.1.6 x", Cause::mailbox_unknown},
    {"x_1_7", "550 5.1.7 x", Cause::sender_rejected},
    {"x_1_8", "550 5.1.8 x", Cause::sender_rejected},
    {"x_1_9", "550 5.1.9 x", Cause::other},
    {"x_1_10", "556 5.1.10 x", Cause::domain_not_found},
    {"x_2_0", "550 5.2.0 x", Cause::other},
    {"x_2_1", "550 5.2.1 x", Cause::mailbox_disabled},
    {"x_2_2", "452 4.2.2 x", Cause::quota},
    {"x_2_3", "552 5.2.3 x", Cause::message_too_large},
    {"x_2_4", "550 5.2.4 x", Cause::other},
    {"x_3_0_transient", "451 4.3.0 x", Cause::server_unavailable},
    {"x_3_0_permanent", "550 5.3.0 x", Cause::other},
    {"x_3_1", "452 4.3.1 x", Cause::server_unavailable},
    {"x_3_2", "453 4.3.2 x", Cause::server_unavailable},
    {"x_3_3", "550 5.3.3 x", Cause::other},
    {"x_3_4", "552 5.3.4 x", Cause::message_too_large},
    {"x_3_5", "550 5.3.5 x", Cause::other},
    {"x_3_6", "550 5.3.6 x", Cause::other},
    {"x_4_0", "451 4.4.0 x", Cause::connection},
    {"x_4_1", "451 4.4.1 x", Cause::connection},
    {"x_4_2", "421 4.4.2 x", Cause::connection},
    {"x_4_3", "451 4.4.3 x", Cause::dns},
    {"x_4_4_transient", "451 4.4.4 x", Cause::dns},
    {"x_4_4_permanent", "550 5.4.4 x", Cause::domain_not_found},
    {"x_4_5", "451 4.4.5 x", Cause::server_unavailable},
    {"x_4_6", "554 5.4.6 x", Cause::loop},
    {"x_4_7", "451 4.4.7 x", Cause::timeout},
    {"x_5_0", "550 5.5.0 x", Cause::other},
    {"x_5_1", "500 5.5.1 x", Cause::protocol},
    {"x_5_2", "500 5.5.2 x", Cause::protocol},
    {"x_5_3", "451 4.5.3 x", Cause::rate_limit},
    {"x_5_4", "501 5.5.4 x", Cause::protocol},
    {"x_5_5", "550 5.5.5 x", Cause::protocol},
    {"x_5_6", "500 5.5.6 x", Cause::protocol},
    {"x_6_0", "550 5.6.0 x", Cause::content_rejected},
    {"x_6_1", "550 5.6.1 x", Cause::content_rejected},
    {"x_6_2", "550 5.6.2 x", Cause::content_rejected},
    {"x_6_3", "554 5.6.3 x", Cause::content_rejected},
    {"x_6_4", "550 5.6.4 x", Cause::content_rejected},
    {"x_6_5", "550 5.6.5 x", Cause::content_rejected},
    {"x_6_6", "554 5.6.6 x", Cause::content_rejected},
    {"x_6_7", "553 5.6.7 x", Cause::content_rejected},
    {"x_6_8", "553 5.6.8 x", Cause::content_rejected},
    {"x_6_9", "550 5.6.9 x", Cause::content_rejected},
    {"x_6_10", "550 5.6.10 x", Cause::content_rejected},
    {"x_7_0", "550 5.7.0 x", Cause::policy},
    {"x_7_1", "550 5.7.1 x", Cause::policy},
    {"x_7_2", "550 5.7.2 x", Cause::policy},
    {"x_7_3", "550 5.7.3 x", Cause::tls},
    {"x_7_4", "504 5.7.4 x", Cause::auth_failed},
    {"x_7_5", "550 5.7.5 x", Cause::tls},
    {"x_7_6", "550 5.7.6 x", Cause::tls},
    {"x_7_7", "550 5.7.7 x", Cause::content_rejected},
    {"x_7_8", "554 5.7.8 x", Cause::auth_failed},
    {"x_7_9", "554 5.7.9 x", Cause::auth_failed},
    {"x_7_10", "523 5.7.10 x", Cause::tls},
    {"x_7_11", "524 5.7.11 x", Cause::tls},
    {"x_7_12", "432 4.7.12 x", Cause::auth_failed},
    {"x_7_13_auth", "525 5.7.13 x", Cause::auth_failed},
    {"x_7_13_mailbox", "550 5.7.13 x", Cause::mailbox_disabled},
    {"x_7_14", "554 5.7.14 x", Cause::auth_failed},
    {"x_7_15", "450 4.7.15 x", Cause::server_unavailable},
    {"x_7_16", "552 5.7.16 x", Cause::message_too_large},
    {"x_7_17", "550 5.7.17 x", Cause::mailbox_unknown},
    {"x_7_18", "550 5.7.18 x", Cause::mailbox_unknown},
    {"x_7_19", "550 5.7.19 x", Cause::other},
    {"x_7_20", "550 5.7.20 x", Cause::dkim},
    {"x_7_21", "550 5.7.21 x", Cause::dkim},
    {"x_7_22", "550 5.7.22 x", Cause::dkim},
    {"x_7_23", "550 5.7.23 x", Cause::spf},
    {"x_7_24", "451 4.7.24 x", Cause::spf},
    {"x_7_25", "550 5.7.25 x", Cause::reverse_dns},
    {"x_7_26", "550 5.7.26 x", Cause::sender_auth},
    {"x_7_27", "550 5.7.27 x", Cause::sender_rejected},
    {"x_7_28", "421 4.7.28 x", Cause::rate_limit},
    {"x_7_29", "550 5.7.29 x", Cause::sender_auth},
    {"x_7_30", "550 5.7.30 x", Cause::tls},
};

class RegistryCauseTest : public ::testing::TestWithParam<RegistryCauseCase> {};

TEST_P(RegistryCauseTest, CodeHasItsOwnRule) {
  Classifier classifier;
  SmtpEvent event;
  event.reply = GetParam().reply;
  const Verdict verdict = classifier.classify(event);
  EXPECT_EQ(verdict.cause, GetParam().cause) << to_string(verdict.cause) << " by " << verdict.rule;
  EXPECT_TRUE(verdict.tier == Tier::specific_code || verdict.tier == Tier::generic_code ||
              verdict.tier == Tier::basic_code)
      << verdict.rule;
  EXPECT_NE(verdict.rule, "G-sub") << "no rule of its own";
  EXPECT_FALSE(verdict.source.empty()) << verdict.rule;
}

INSTANTIATE_TEST_SUITE_P(Registry, RegistryCauseTest, ::testing::ValuesIn(kRegistryCauses), test::CaseName());

// Every numeric row of the registry copy is in the table above.
TEST(RegistryCauseTest, TableCoversTheRegistry) {
  const auto rows = csv_rows(knowledge_dir() / "enhanced-status-codes.csv");
  std::set<std::string> covered;
  for (const RegistryCauseCase& c : kRegistryCauses) {
    const std::string_view reply = c.reply;
    const std::size_t start = reply.find(' ') + 1;
    std::string code(reply.substr(start, reply.find(' ', start) - start));
    code.front() = 'X';  // "5.1.1" is the registry's "X.1.1"
    covered.insert(code);
  }
  int numeric = 0;
  for (const auto& row : rows) {
    if (row[0].find("YYY") != std::string::npos || row[0].find("XXX") != std::string::npos) continue;
    ++numeric;
    EXPECT_TRUE(covered.contains(row[0])) << row[0] << " has no case";
  }
  EXPECT_GT(numeric, 80);
}

// --- documented provider replies -----------------------------------------------------------------------
// Replies as the providers document them in their own SMTP error references, with the cause the document
// gives. Each row names its source; the same documents are the @source lines of the P rules in
// code-rules.tsv.

struct ProviderReplyCase {
  const char* name;
  std::string_view host;
  std::string_view reply;
  Cause cause;
  std::string_view provider;
};

void PrintTo(const ProviderReplyCase& c, std::ostream* os) { *os << c.name; }

constexpr std::string_view kGmailMx = "gmail-smtp-in.l.google.com";
constexpr std::string_view kExchangeMx = "contoso-com.mail.protection.outlook.com";
constexpr std::string_view kOutlookComMx = "hotmail-com.olc.protection.outlook.com";
constexpr std::string_view kYahooMx = "mta5.am0.yahoodns.net";

const ProviderReplyCase kProviderReplies[] = {
    // Google Workspace Admin Help, "Gmail SMTP errors and codes", support.google.com/a/answer/3726730
    {"gmail_peak_relay_limit", kGmailMx,
     "450 4.2.1 Peak SMTP relay limit exceeded for this customer. This is a temporary error.", Cause::rate_limit,
     "google"},
    {"gmail_daily_sending_limit", kGmailMx, "550 5.4.5 Daily user sending limit exceeded.", Cause::rate_limit,
     "google"},
    {"gmail_server_busy", kGmailMx, "421 4.4.5 Server busy, try again later.", Cause::server_unavailable, "google"},
    {"gmail_protocol_violation", kGmailMx, "451 4.5.0 SMTP protocol violation.", Cause::protocol, "google"},
    {"gmail_multiple_domains", kGmailMx, "451 4.3.0 Multiple destination domains per transaction is unsupported.",
     Cause::protocol, "google"},
    {"gmail_connection_expired", kGmailMx, "421 4.7.0 Connection expired, try reconnecting.", Cause::connection,
     "google"},
    {"gmail_tls_required", kGmailMx, "421 4.7.0 TLS required for RCPT domain, closing connection.", Cause::tls,
     "google"},
    {"gmail_starttls_first", kGmailMx, "530 5.7.0 Must issue a STARTTLS command first.", Cause::tls, "google"},
    {"gmail_authentication_required", kGmailMx, "530 5.7.0 Authentication required.", Cause::auth_required, "google"},
    {"gmail_login_attempts", kGmailMx, "454 4.7.0 Too many login attempts, please try again later.", Cause::auth_failed,
     "google"},
    {"gmail_auth_system_problem", kGmailMx,
     "454 4.7.0 Cannot authenticate due to a temporary system problem. Try again later.", Cause::server_unavailable,
     "google"},
    {"gmail_ptr_rate_limited", kGmailMx,
     "421 4.7.0 The IP address sending this message does not have a PTR record, or the corresponding forward DNS "
     "entry does not point to the sending IP.",
     Cause::reverse_dns, "google"},
    {"gmail_low_ip_reputation", kGmailMx,
     "421 4.7.0 This message is suspicious due to the very low reputation of the sending IP address.",
     Cause::reputation, "google"},
    {"gmail_suspicious_content", kGmailMx,
     "421 4.7.0 This message is suspicious due to the nature of the content or the links within.", Cause::spam,
     "google"},
    {"gmail_relay_denied", kGmailMx,
     "550 5.7.0 Email relay denied 192.0.2.1. Invalid credentials for relay for one of the domains in: example.com",
     Cause::relay_denied, "google"},
    {"gmail_security_issue", kGmailMx,
     "552 5.7.0 This message was blocked because its content presents a potential security issue.",
     Cause::content_rejected, "google"},
    {"gmail_unauthenticated_commands", kGmailMx, "554 5.7.0 Too many unauthenticated commands.", Cause::protocol,
     "google"},
    {"gmail_likely_unsolicited", kGmailMx,
     "550 5.7.1 This message is likely unsolicited email. To reduce the amount of spam sent to Gmail, this message "
     "has been blocked.",
     Cause::spam, "google"},
    {"gmail_multiple_from", kGmailMx,
     "550 5.7.1 Messages with multiple addresses in the From: header are not accepted.", Cause::content_rejected,
     "google"},
    {"gmail_relay_customer_limit", kGmailMx, "550 5.7.1 Daily SMTP relay sending limit exceeded for this customer.",
     Cause::rate_limit, "google"},
    {"gmail_from_not_aligned", kGmailMx,
     "550 5.7.32 Your email was blocked because the From: header (RFC5322) in this message isn't aligned with "
     "either the authenticated SPF or DKIM organizational domain.",
     Cause::dmarc, "google"},
    {"gmail_no_dmarc_record", kGmailMx,
     "550 5.7.40 Your message was blocked because the sending domain doesn't have a DMARC record or the DMARC "
     "record doesn't specify a DMARC policy.",
     Cause::dmarc, "google"},
    {"gmail_unrecognized_auth_type", kGmailMx, "504 5.7.40 Unrecognized authentication type.", Cause::auth_failed,
     "google"},
    {"gmail_pipeline_after_starttls", kGmailMx,
     "523 5.7.10 SMTP protocol violation, no commands allowed to pipeline after STARTTLS.", Cause::protocol, "google"},
    {"gmail_account_inactive", kGmailMx, "550 5.2.1 The email account that you tried to reach is inactive.",
     Cause::mailbox_disabled, "google"},
    {"gmail_hops", kGmailMx, "554 5.4.6 Message exceeded 50 hops, this may indicate an email loop.", Cause::loop,
     "google"},
    // The 5.3.4 entries are size limits (message, attachment count, header size), whatever part of the message
    {"gmail_attachment_count", kGmailMx,
     "552 5.3.4 The number of attachments (12) exceeds Google's limit of 10 attachments.", Cause::message_too_large,
     "google"},
    {"gmail_header_value_size", kGmailMx,
     "552 5.3.4 The size of one of the header values (1234 bytes) exceeds Google's limit of 1000 bytes per individual "
     "header size.",
     Cause::message_too_large, "google"},
    {"gmail_header_name_size", kGmailMx,
     "552 5.3.4 The size of a header name (1234 bytes) exceeds Google's header name limit of 1000 bytes.",
     Cause::message_too_large, "google"},
    {"gmail_subject_header_size", kGmailMx,
     "552 5.3.4 Your message has a Subject: header that exceeds Google's message header size limits.",
     Cause::message_too_large, "google"},
    {"gmail_ipv6_ptr", kGmailMx,
     "550 5.7.1 This message does not meet IPv6 sending guidelines regarding PTR records and authentication.",
     Cause::reverse_dns, "google"},
    {"gmail_spf_suspicious_entries", kGmailMx,
     "451 4.7.24 The SPF record of the sending domain has one or more suspicious entries.", Cause::spf, "google"},
    {"gmail_unusual_rate_url_domains", kGmailMx,
     "421 4.7.28 Gmail has detected an unusual rate of unsolicited email containing one of your URL domains.",
     Cause::rate_limit, "google"},
    {"gmail_not_authorized_ip", kGmailMx,
     "550 5.7.1 The IP you're using to send email is not authorized to send email directly to our servers. Use the "
     "SMTP relay at your service provider instead.",
     Cause::blocklist, "google"},
    // ... and the same page as of 2023-03-06 (entries Google has since reworded; servers still send them)
    {"gmail_starttls_repeated", kGmailMx, "454 5.5.1 STARTTLS may not be repeated.", Cause::protocol, "google"},
    {"gmail_mail_sending_denied", kGmailMx,
     "550 5.7.0 Mail Sending denied. This error occurs if the sender account is disabled or not registered within "
     "your Google Workspace domain.",
     Cause::policy, "google"},
    {"gmail_email_quota_exceeded", kGmailMx, "550 5.7.1 Email quota exceeded.", Cause::rate_limit, "google"},
    {"gmail_unauthenticated_from_domain", kGmailMx, "550 5.7.1 Unauthenticated email is not accepted from this domain.",
     Cause::sender_auth, "google"},
    // Microsoft Learn, "Email non-delivery reports and SMTP errors in Exchange Online"
    {"exchange_thread_limit", kExchangeMx, "432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded",
     Cause::rate_limit, "microsoft"},
    {"exchange_client_not_authenticated", kExchangeMx, "530 5.7.1 Client was not authenticated", Cause::auth_required,
     "microsoft"},
    {"exchange_unable_to_relay", kExchangeMx, "550 5.7.1 Unable to relay", Cause::relay_denied, "microsoft"},
    {"exchange_recipient_access_denied", kExchangeMx, "550 5.7.504 Recipient address rejected: Access denied",
     Cause::mailbox_unknown, "microsoft"},
    {"exchange_banned_recipient", kExchangeMx, "550 5.7.505 Access denied, banned recipient", Cause::mailbox_unknown,
     "microsoft"},
    {"exchange_no_ipv6", kExchangeMx, "550 5.7.510 Access denied, contoso.com does not accept email over IPv6",
     Cause::policy, "microsoft"},
    {"exchange_journaling", kExchangeMx,
     "550 5.3.190 Journaling on-premises messages to Microsoft 365 or Office 365 not supported when Journaling "
     "Archive is disabled",
     Cause::policy, "microsoft"},
    {"exchange_mta_sts_mx", kExchangeMx, "451 4.4.8 MX hosts of example.com failed MTA-STS validation", Cause::tls,
     "microsoft"},
    {"exchange_relay_access_denied", kExchangeMx, "550 5.4.1 Relay Access Denied", Cause::relay_denied, "microsoft"},
    {"exchange_anonymous_mail_from", kExchangeMx,
     "530 5.7.57 Client was not authenticated to send anonymous mail during MAIL FROM", Cause::auth_required,
     "microsoft"},
    {"exchange_ipv6_spf_or_dkim", kExchangeMx,
     "450 4.7.26 Access denied, a message sent over IPv6 [2a01:111:f200:2004::240] must pass either SPF or DKIM "
     "validation, this message is not signed",
     Cause::sender_auth, "microsoft"},
    {"exchange_dnssec_invalid", kExchangeMx,
     "451 4.7.324 dnssec-invalid: Destination domain returned invalid DNSSEC records", Cause::dns, "microsoft"},
    {"exchange_spam_abuse", kExchangeMx, "550 5.7.501 Access denied, spam abuse detected", Cause::reputation,
     "microsoft"},
    {"exchange_rejected_by_recipient", kExchangeMx, "550 5.7.507 Access denied, rejected by recipient",
     Cause::blocklist, "microsoft"},
    {"exchange_ipv6_range_limit", kExchangeMx,
     "550 5.7.508 Access denied, [2001:db8::1] has exceeded permitted limits within /64 range", Cause::rate_limit,
     "microsoft"},
    {"exchange_banned_sending_ip", kExchangeMx, "550 5.7.606 Access denied, banned sending IP [192.0.2.1]",
     Cause::blocklist, "microsoft"},
    {"exchange_tenant_allow_block_list", kExchangeMx,
     "550 5.7.703 Your message can't be delivered because messages to someone@example.com are blocked by your "
     "organization using Tenant Allow Block List.",
     Cause::policy, "microsoft"},
    {"exchange_tenant_threshold", kExchangeMx, "550 5.7.705 Access denied, tenant has exceeded threshold",
     Cause::reputation, "microsoft"},
    {"exchange_traffic_not_accepted", kExchangeMx, "550 5.7.708 Access denied, traffic not accepted from this IP",
     Cause::reputation, "microsoft"},
    {"exchange_unregistered_domains", kExchangeMx,
     "550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains", Cause::reputation,
     "microsoft"},
    {"exchange_submission_quota_stanza", kExchangeMx,
     "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a "
     "permanent exception with message The message can't be submitted because the sender's submission quota was "
     "exceeded.",
     Cause::rate_limit, "microsoft"},
    // Microsoft Learn, "Delivery status notifications in Exchange Server": on-premises Exchange names no provider
    {"exchange_server_related_errors", "exchange.contoso.com", "550 5.3.0 Too many related errors",
     Cause::content_rejected, "other"},
    {"exchange_server_authentication", "exchange.contoso.com",
     "550 5.7.3 Cannot achieve Exchange Server authentication", Cause::auth_failed, "other"},
    {"exchange_server_rfc_2606", "exchange.contoso.com", "550 5.1.4 Recipient address reserved by RFC 2606",
     Cause::domain_not_found, "other"},
    {"exchange_dns_domain_does_not_exist", "exchange.contoso.com", "550 5.4.310 DNS domain example.com does not exist",
     Cause::domain_not_found, "other"},
    // Microsoft Learn, "550 5.7.64 TenantAttribution when sending emails through Exchange Online Protection"
    {"exchange_tenant_attribution", kExchangeMx, "550 5.7.64 TenantAttribution; Relay Access Denied",
     Cause::relay_denied, "microsoft"},
    // Outlook.com Postmaster, "Troubleshooting", SMTP Error Codes table
    {"outlook_com_rp_001", kOutlookComMx,
     "421 RP-001 (SNT0-MC2-F19) Unfortunately, some messages from 192.0.2.1 weren't sent. Please try again.",
     Cause::reputation, "microsoft"},
    {"outlook_com_sc_001", kOutlookComMx,
     "550 SC-001 (BAY004-MC1F24) Unfortunately, messages from 192.0.2.1 weren't sent.", Cause::reputation, "microsoft"},
    {"outlook_com_sc_004", kOutlookComMx,
     "550 SC-004 (BAY004-MC1F24) Unfortunately, messages from 192.0.2.1 weren't sent.", Cause::blocklist, "microsoft"},
    {"outlook_com_dy_001", kOutlookComMx,
     "550 DY-001 (SNT004-MC1F43) Unfortunately, messages from 192.0.2.1 weren't sent.", Cause::blocklist, "microsoft"},
    {"outlook_com_s3150", kOutlookComMx,
     "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider "
     "since part of their network is on our block list (S3150).",
     Cause::blocklist, "microsoft"},
    {"outlook_com_5_7_515", kOutlookComMx,
     "550 5.7.515 Access denied, sending domain example.com doesn't meet the required authentication level.",
     Cause::sender_auth, "microsoft"},
    // Yahoo Sender Hub, "SMTP Error Codes"; Yahoo Help SLN7253
    {"yahoo_bl21_spamhaus", kYahooMx,
     "553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.1, because the ip is in Spamhaus's list; see "
     "https://postmaster.yahooinc.com/error-codes",
     Cause::blocklist, "yahoo"},
    {"yahoo_ts03_permanently_deferred", kYahooMx,
     "421 4.7.0 [TS03] All messages from 192.0.2.1 will be permanently deferred; Retrying will NOT succeed. See "
     "https://postmaster.yahooinc.com/error-codes",
     Cause::reputation, "yahoo"},
    {"yahoo_tss04", kYahooMx,
     "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - "
     "4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
     Cause::reputation, "yahoo"},
    {"yahoo_sln7253", kYahooMx,
     "554 5.7.9 Message not accepted for policy reasons. See https://help.yahoo.com/kb/postmaster/SLN7253.html",
     Cause::sender_auth, "yahoo"},
    {"yahoo_ph01", kYahooMx, "554 5.7.9 Message not accepted for policy reasons [PH01]", Cause::content_rejected,
     "yahoo"},
    {"yahoo_unresolvable_from", kYahooMx, "451 Message temporarily deferred due to unresolvable RFC.5321 from domain",
     Cause::sender_rejected, "yahoo"},
    {"yahoo_resources_unavailable", kYahooMx, "451 Resources temporarily unavailable. Please try again later.",
     Cause::server_unavailable, "yahoo"},
    {"yahoo_no_account", kYahooMx,
     "554 delivery error: dd This user doesn't have a yahoo.com account (testing123@yahoo.com) [-5] - "
     "mta123.mail.mud.yahoo.com",
     Cause::mailbox_unknown, "yahoo"},
    // Comcast Postmaster, "Mail delivery error codes"
    {"comcast_bl000001", "mx2c1.comcast.net",
     "554 resimta-ch2-18v.sys.comcast.net 192.0.2.1 refused - see "
     "http://postmaster.comcast.net/smtp-error-codes.php#BL000001",
     Cause::blocklist, "comcast"},
    {"comcast_too_many_sessions", "mx2c1.comcast.net", "421 Too many sessions opened", Cause::rate_limit, "comcast"},
    {"comcast_452_dnsbls", "mx2c1.comcast.net",
     "452 resimta-po-24v.sys.comcast.net comcast 192.0.2.1 found on one or more DNSBLs, see "
     "http://postmaster.comcast.net/smtp-error-codes.php#BL000010",
     Cause::blocklist, "comcast"},
    // AT&T Mailblock Inquiry, "Error Message Summary"
    {"att_521_blocked", "mailin.bellsouth.net", "521 <192.0.2.1> is blocked", Cause::blocklist, "att"},
    {"att_suspended", "scc-mailin.att.net",
     "550 [SUSPEND] Mailbox currently suspended--Please contact correspondent directly.", Cause::mailbox_disabled,
     "att"},
    {"att_dns_lookup", "scc-mailin.att.net", "421 failure in DNS look-up.", Cause::reverse_dns, "att"},
    {"att_permfail_sender_domain", "mailin.bellsouth.net", "550 [permfail] bellsouth.net requires valid sender domain",
     Cause::reverse_dns, "att"},
    {"att_rblmx_without_host", "", "550 <192.0.2.1> blocked by ldap:ou=rblmx, dc=bellsouth, dc=net", Cause::blocklist,
     "att"},
    {"att_unauthorized_interface", "mailin.bellsouth.net", "550 unauthorized interface for <192.0.2.1>",
     Cause::blocklist, "att"},
    // Mimecast, "Mimecast SMTP Error Codes"
    {"mimecast_sender_blocked", "eu-smtp-inbound-1.mimecast.com", "421 Sender address blocked", Cause::blocklist,
     "mimecast"},
    {"mimecast_greylisting", "eu-smtp-inbound-1.mimecast.com", "451 Internal resource temporarily unavailable",
     Cause::greylist, "mimecast"},
    // mail.com / GMX / WEB.DE Postmaster, "Error messages"
    {"gmx_rate_limit", "mx00.emig.gmx.net", "421 Rate limit reached. Please try again later", Cause::rate_limit, "gmx"},
    {"gmx_administrative_reject", "mx00.emig.gmx.net", "421 Administrative reject", Cause::server_unavailable, "gmx"},
    {"gmx_block_listed", "mx00.emig.gmx.net",
     "554 IP address is block listed. For explanation visit https://postmaster.gmx.net/en/case?c=r0201",
     Cause::blocklist, "gmx"},
    {"mail_com_spf", "mx00.mail.com",
     "550 Reject due to SPF policy. The originating IP of the message is not permitted by the domain owner", Cause::spf,
     "gmx"},
    // Yandex Mail Help, "The message looks like spam"
    {"yandex_suspicion_of_spam", "mx.yandex.ru", "554 5.7.1 Message rejected under suspicion of SPAM", Cause::spam,
     "yandex"},
    // Yandex Mail Help, "Report on non-delivery to Yandex"
    {"yandex_bad_recipient_syntax", "mx.yandex.ru", "501 5.1.3 Bad recipient address syntax.", Cause::mailbox_unknown,
     "yandex"},
    {"yandex_need_fully_qualified", "mx.yandex.ru",
     "504 5.5.2 Recipient address rejected: need fully-qualified address", Cause::mailbox_unknown, "yandex"},
    {"yandex_no_correct_recipients", "mx.yandex.ru", "503 5.5.4 No correct recipients.", Cause::mailbox_unknown,
     "yandex"},
    {"yandex_bad_sender_syntax", "mx.yandex.ru", "501 5.1.7 Bad address mailbox syntax.", Cause::sender_rejected,
     "yandex"},
    {"yandex_policy_rejection_target", "mx.yandex.ru", "550 5.7.1 Policy rejection on the target address",
     Cause::mailbox_disabled, "yandex"},
    {"yandex_no_such_user", "mx.yandex.ru", "550 5.7.1 No such user!", Cause::mailbox_unknown, "yandex"},
    {"yandex_mailbox_size", "mx.yandex.ru", "552 5.2.2 Mailbox size limit exceeded", Cause::quota, "yandex"},
    // Amazon SES Developer Guide, "Errors related to the sending quotas"; AWS Knowledge Center
    {"ses_max_send_rate", "email-smtp.us-east-1.amazonaws.com", "454 Throttling failure: Maximum sending rate exceeded",
     Cause::rate_limit, "amazon"},
    {"ses_daily_quota", "email-smtp.us-east-1.amazonaws.com", "454 Throttling failure: Daily message quota exceeded",
     Cause::rate_limit, "amazon"},
    {"ses_not_verified", "email-smtp.us-east-1.amazonaws.com",
     "554 Message rejected: Email address is not verified. The following identities failed the check in region "
     "US-EAST-1: sender@example.com",
     Cause::sender_rejected, "amazon"},
    // Tencent Exmail / QQ Mail help, "550 ... frequency limited"
    {"qq_connection_frequency", "mx1.qq.com", "550 Connection frequency limited", Cause::rate_limit, "tencent"},
    {"qq_domain_frequency", "mxbiz1.qq.com", "550 Domain frequency limited", Cause::rate_limit, "tencent"},
    // Zoho ZeptoMail Help, "SMTP Error Codes"
    {"zoho_relaying_disallowed", "mx.zoho.com", "553 Relaying disallowed as <someone@example.com>",
     Cause::sender_rejected, "zoho"},
    {"zeptomail_subject_mandatory", "smtp.zeptomail.com", "550 5.2.1 Subject is Mandatory.", Cause::content_rejected,
     "zoho"},
    {"zeptomail_size_policy", "smtp.zeptomail.com", "552 5.2.0 Email size exceeded the policy.",
     Cause::message_too_large, "zoho"},
    {"zoho_virus", "mx.zoho.com", "552 5.7.1 virus Win.Test.EICAR_HDB-1 detected by Zoho Mail", Cause::content_rejected,
     "zoho"},
    // The reply names Zoho; no host
    {"zoho_virus_by_marker", "", "552 5.7.1 virus Win.Test.EICAR_HDB-1 detected by Zoho Mail", Cause::content_rejected,
     "zoho"},
    // An unknown address at Zoho's personal-account domain (domain zohomail.com, no host)
    {"zohomail_address", "", "550 5.1.1 <someone@zohomail.com> User unknown", Cause::mailbox_unknown, "zoho"},
    // Yandex's reply ends with a ya.cc link to its help (chatmail/provider-db#205); no host
    {"yandex_by_ya_cc_link", "",
     "554 5.7.1 [2] Message rejected under suspicion of SPAM; https://ya.cc/1IrBc 1631900360-h4Ajl35YEe-dK78OYi4",
     Cause::spam, "yandex"},
    // Orange / La Poste codes with the texts quoted in sisimai/go-sisimai rhost/for-franceptt.go
    {"orange_ofr_201_try_later", "smtp-in.orange.fr", "421 Veuillez essayer plus tard. OFR004_201",
     Cause::server_unavailable, "orange"},
    // Mail.Ru's reply links its postmaster help (help.mail.ru marker, no host)
    {"mailru_dmarc_by_marker", "",
     "550 5.7.1 This message was not accepted due to domain (example.com) owner DMARC policy (RFC 7489) "
     "https://help.mail.ru/mail-help/postmaster/dmarc",
     Cause::dmarc, "mailru"},
    // Sophos Central Email Security help, "SMTP error codes" (the code with the page's description of it)
    {"sophos_xgemail_0010", "mx.example.net",
     "550 XGEMAIL_0010 Message rejected because the recipient's domain isn't a Sophos Email protected domain.",
     Cause::relay_denied, "other"},
    {"sophos_xgemail_0011_as_sent", "mx-01-eu-central-1.prod.hydra.sophos.com",
     "550 5.7.1 XGEMAIL_0011 Command rejected", Cause::mailbox_unknown, "other"},
    // Trend Micro ERS FAQ (KB 1097055), WFBS Email Reputation (KB 1056643), DDEI 5.1 "SMTP Error Codes"
    {"trend_micro_rbl_plus", "mx.example.net",
     "550 Service unavailable; Client host [192.0.2.1] blocked using Trend Micro RBL+. Please see "
     "http://www.mail-abuse.com/cgi-bin/lookup?ip_address=192.0.2.1",
     Cause::blocklist, "other"},
    {"trend_micro_email_reputation", "mx.example.net",
     "550 5.7.1 Your email messages have been blocked by Trend Micro Email Reputation Service.", Cause::blocklist,
     "other"},
    {"trend_micro_ers_zombie", "mx.example.net", "450 Temporary denial of connection (450) for Zombie matches (ERS)",
     Cause::blocklist, "other"},
    // Cisco AsyncOS CLI Reference (SPF defaults); Cisco Community answer on the HAT BLACKLIST reject
    {"cisco_esa_spf_unauthorized", "mx.example.net", "550 #5.7.1 SPF unauthorized mail is prohibited.", Cause::spf,
     "other"},
    {"cisco_esa_poor_reputation", "mx.example.net",
     "554 Your access to this mail system has been rejected due to the sending MTA's poor reputation. If you believe "
     "that this failure is in error, please contact the intended recipient via alternate means.",
     Cause::reputation, "other"},
    // Spambrella (Proofpoint Essentials) "Common Email Delivery Error Codes": SMTP Discovery's invalid list
    {"proofpoint_essentials_invalid_user", "mx1-us1.ppe-hosted.com",
     "550 5.7.1 <someone@example.com>: Recipient address rejected: User email address is marked as invalid.",
     Cause::mailbox_unknown, "proofpoint"},
    // Spamhaus, "DNSBL return codes: technical update": 127.255.255.0/24 are errors of the query, not listings
    {"spamhaus_error_return_code", "mx.example.net",
     "550 5.7.1 Rejected: 192.0.2.1 listed at zen.spamhaus.org (127.255.255.254)", Cause::dnsbl_error, "other"},
    // Issue 10 provider families (providers.tsv header). Yahoo! JAPAN is LY Corporation's, not Yahoo Inc.'s: its
    // hosts are other, and its domain and help site in a bare reply name no provider.
    {"yahoo_japan_host_is_other", "mx1.mail.yahoo.co.jp",
     "554 delivery error: dd This user doesn't have a yahoo.co.jp account (ee@yahoo.co.jp) [-5] - "
     "mta086.mail.bbt.yahoo.co.jp",
     Cause::mailbox_unknown, "other"},
    {"yahoo_japan_help_site_bare", "",
     "554 Message not allowed - DM Email not accepted for policy reasons. Please visit "
     "https://www.yahoo-help.jp/app/answers/detail/a_id/80870/p/622 [895]",
     Cause::policy, ""},
    {"yahoo_word_still_marks_yahoo", "", "550 5.7.1 Your message was rejected by Yahoo Mail", Cause::policy, "yahoo"},
    // GoDaddy Help 40685: the numbered "IBnnn" rejects with their x.co link; a bare IBnnn names nobody
    {"godaddy_ib508_spf", "",
     "550 5.1.0 192.0.2.222 is not allowed to send from <example.net> per it's SPF Record. Please inspect your SPF "
     "settings, and try again. IB508  <http://x.co/srbounce>",
     Cause::spf, "godaddy"},
    {"godaddy_ib607_rate", "",
     "550 5.1.1 <someone@example.com>  - 203.0.113.222 has sent to too many recipients this hour. IB607  "
     "<http://x.co/rlbounce>",
     Cause::rate_limit, "godaddy"},
    {"bare_ib_number_is_no_godaddy", "", "550 5.1.1 <someone@example.com> user unknown IB123", Cause::mailbox_unknown,
     ""},
    // Yahoo's postmaster site under Verizon Media
    {"verizon_media_postmaster_link", "",
     "554 5.7.9 Message not accepted for policy reasons. See https://postmaster.verizonmedia.com/error-codes",
     Cause::policy, "yahoo"},
    // Gmail's own sentences (support.google.com/a/answer/3726730), cut where a multi-line reply was split
    {"gmail_inactive_cut", "", "550-5.2.1 The email account that you tried to reach is inactive. For more",
     Cause::mailbox_disabled, "google"},
    {"gmail_spf_hard_fail_cut", "",
     "550-5.7.26 The MAIL FROM domain [email.example.jp] has an SPF record with a hard fail", Cause::spf, "google"},
    {"gmail_no_authentication_cut", "",
     "550-5.7.1 This message does not have authentication information or fails to pass", Cause::sender_auth, "google"},
    // Amazon SES (repost.aws knowledge-center ses-554-400-message-rejected-error), without its host
    {"ses_not_verified_bare", "",
     "554 Message rejected: Email address is not verified. The following identities failed the check in region "
     "AP-NORTHEAST-1: sender@example.jp",
     Cause::sender_rejected, "amazon"},
    // Mimecast's spam signature name
    {"mimecast_spam_signature", "", "554 email rejected due to security policies - MCSpamSignature.sa.2.2", Cause::spam,
     "mimecast"},
    // AT&T's MX under prodigy.net
    {"att_prodigy_mx", "ff-ip4-mx-vip2.prodigy.net",
     "550 5.7.1 Connections not accepted from servers without a valid sender domain.flph831 Fix reverse DNS for "
     "192.0.2.1",
     Cause::reverse_dns, "att"},
    // Cox's AUP codes (postmaster.cox.net Error Codes) name Cox; Charter Spectrum's AUP#In-nnnn does not
    {"cox_aup_code", "", "550 5.1.0 <bounce@example.com> sender rejected. AUP#CXSNDR", Cause::sender_auth, "cox"},
    {"spectrum_aup_is_not_cox", "",
     "550 5.1.0 <bounce@example.org> sender rejected. Please see "
     "https://www.spectrum.net/support/internet/understanding-email-error-codes for more information. AUP#In-1310",
     Cause::sender_rejected, ""},
    // The recipient's mail domain, when only one provider receives for it and nothing names the host: iCloud Mail
    // (support.apple.com/en-us/102322) and Hide My Email (support.apple.com/HT210425)
    {"icloud_recipient_over_quota", "", "552 5.2.2 <someone@icloud.com>: user is over quota", Cause::quota, "apple"},
    {"hide_my_email_user_not_found", "", "550 5.1.1 <someone@privaterelay.appleid.com>: user not found",
     Cause::mailbox_unknown, "apple"},
    // ... not a sender's address (X.1.8 is about the sender), and never over a host the line names
    {"sender_domain_names_no_provider", "", "553 5.1.8 <someone@gmail.com>: Sender address rejected: Domain not found",
     Cause::sender_rejected, ""},
    {"smarthost_reply_about_icloud_recipient", "smarthost.example.net",
     "552 5.2.2 <someone@icloud.com>: user is over quota", Cause::quota, "other"},
};

class DocumentedProviderReplyTest : public ::testing::TestWithParam<ProviderReplyCase> {};

TEST_P(DocumentedProviderReplyTest, CauseFromTheProvidersDocument) {
  Classifier classifier;
  SmtpEvent event;
  event.direction = Direction::outbound;
  event.remote_host = GetParam().host;
  event.reply = GetParam().reply;
  const Verdict verdict = classifier.classify(event);
  const Knowledge& knowledge = Knowledge::builtin();
  EXPECT_EQ(knowledge.provider_name(verdict.provider), GetParam().provider);
  EXPECT_EQ(verdict.cause, GetParam().cause)
      << to_string(verdict.cause) << " by " << verdict.rule << " (" << verdict.source << ")";
}

INSTANTIATE_TEST_SUITE_P(Providers, DocumentedProviderReplyTest, ::testing::ValuesIn(kProviderReplies),
                         test::CaseName());

// Inbound and local replies name no provider, whatever their text or addresses say (README "Metrics").
TEST(ProviderTest, OnlyOutboundRepliesReadTheText) {
  Classifier classifier;
  SmtpEvent event;
  event.reply = "552 5.2.2 <someone@icloud.com>: user is over quota - gsmtp";
  for (const Direction direction : {Direction::inbound, Direction::local, Direction::unknown}) {
    event.direction = direction;
    EXPECT_EQ(classifier.classify(event).provider, kNoProvider) << to_string(direction);
  }
  event.direction = Direction::outbound;
  EXPECT_EQ(classifier.classify(event).provider, Knowledge::builtin().find_provider("google"));  // the marker first
}

TEST(ProviderTest, MailDomainsAreWholeDomains) {
  const Knowledge& knowledge = Knowledge::builtin();
  EXPECT_EQ(knowledge.provider_for_mail_domain("icloud.com"), knowledge.find_provider("apple"));
  EXPECT_EQ(knowledge.provider_for_mail_domain("ICLOUD.COM"), knowledge.find_provider("apple"));
  EXPECT_EQ(knowledge.provider_for_mail_domain("gmail.com"), knowledge.find_provider("google"));
  EXPECT_EQ(knowledge.provider_for_mail_domain("mail.icloud.com"), kNoProvider);
  EXPECT_EQ(knowledge.provider_for_mail_domain("yahoo.co.jp"), kNoProvider);
  EXPECT_EQ(knowledge.provider_for_mail_domain("amazonses.com"), kNoProvider);  // a sender's domain, no mailboxes
  EXPECT_EQ(knowledge.provider_for_mail_domain(""), kNoProvider);
}

// A provider's host named in a reply's words names the provider (providers.tsv "host"); in a diagnostic without a
// code only a host name on its own does (the host it failed with), not one inside a link, which may be the reporting
// MTA's help page. A relay's host does not: a sending service's host in a reply is the client's.
TEST(ProviderTest, HostsNamedInRepliesNameTheProvider) {
  const Knowledge& knowledge = Knowledge::builtin();
  const ProviderId zoho = knowledge.find_provider("zoho");
  EXPECT_EQ(knowledge.provider_for_text("550 5.1.1 no such user (mx.zoho.com)"), zoho);
  EXPECT_EQ(knowledge.provider_for_text("see https://www.zoho.com/mail/help/ for details"), zoho);
  EXPECT_EQ(knowledge.provider_for_text("mx.zoho.com: no such user", false), zoho);  // a diagnostic without code
  EXPECT_EQ(knowledge.provider_for_text("lost connection with mx.zoho.com[192.0.2.1] while sending rcpt to", false),
            zoho);
  EXPECT_EQ(knowledge.provider_for_text("timeout was reached: [smtp.zoho.com:587]", false), zoho);
  EXPECT_EQ(knowledge.provider_for_text("see https://www.zoho.com/mail/help/ for details", false), kNoProvider);
  EXPECT_EQ(knowledge.provider_for_text("rejected by notzoho.com", false), kNoProvider);
  // Zoho's regional data centres: "mx2.zoho.in: RCPT TO failed: 5.1.1 ..."
  EXPECT_EQ(knowledge.provider_for_host("mx2.zoho.in"), zoho);
  EXPECT_EQ(knowledge.provider_for_host("mx.zoho.eu"), zoho);
  EXPECT_EQ(knowledge.provider_for_text("550 rejected by notzoho.com"), kNoProvider);  // inside a longer label
  EXPECT_EQ(knowledge.provider_for_text("550 rejected by zoho.community"), kNoProvider);
  EXPECT_EQ(knowledge.provider_for_text("554 client host [a8-95.smtp-out.amazonses.com] rejected"), kNoProvider);
  EXPECT_EQ(knowledge.provider_for_host("a8-95.smtp-out.amazonses.com"), knowledge.find_provider("amazon"));
}

// Help-page links (providers.tsv "link") name the provider in SMTP replies only: a diagnostic without a code is
// the reporting MTA's own text, and a provider's bounce notice to its user links its own help about another
// receiver.
TEST(ProviderTest, LinksNameTheProviderOnlyInReplies) {
  const Knowledge& knowledge = Knowledge::builtin();
  const ProviderId google = knowledge.find_provider("google");
  const std::string_view notice = "learn more at https://support.google.com/mail/answer/7720 [mx.example.net]";
  EXPECT_EQ(knowledge.provider_for_text(notice), google);
  EXPECT_EQ(knowledge.provider_for_text(notice, false), kNoProvider);
  EXPECT_EQ(knowledge.provider_for_text("the email account that you tried to reach does not exist.", false), google);

  Classifier classifier;
  EXPECT_EQ(classifier.classify_codeless_text(notice).provider, kNoProvider);
  EXPECT_EQ(classifier.classify_codeless_text("The email account that you tried to reach does not exist.").provider,
            google);
  EXPECT_EQ(
      classifier
          .classify_codeless_text("lost connection with mx2.qq.com[192.0.2.1] while performing the HELO handshake")
          .provider,
      knowledge.find_provider("tencent"));
}

// The provider rules written from the providers' documents cite them: the rule that decides a documented
// reply reports a source other than the taxonomy.
TEST(DocumentedProviderReplyTest, NewProviderRulesCiteTheirDocument) {
  Classifier classifier;
  SmtpEvent event;
  event.remote_host = kGmailMx;
  event.reply = "550 5.4.5 Daily user sending limit exceeded.";
  Verdict verdict = classifier.classify(event);
  EXPECT_EQ(verdict.rule, "P-google");
  EXPECT_THAT(std::string(verdict.source), ::testing::HasSubstr("support.google.com/a/answer/3726730"));

  event.remote_host = kExchangeMx;
  event.reply = "550 5.7.64 TenantAttribution; Relay Access Denied";
  verdict = classifier.classify(event);
  EXPECT_EQ(verdict.rule, "P-microsoft");
  EXPECT_THAT(std::string(verdict.source), ::testing::HasSubstr("learn.microsoft.com"));

  event.remote_host = kGmailMx;
  event.reply = "550 5.7.1 Go away";  // no documented text: the generic rule, cited from the taxonomy
  verdict = classifier.classify(event);
  EXPECT_EQ(verdict.rule, "G-7.1");
  EXPECT_THAT(std::string(verdict.source), ::testing::HasSubstr("cause-taxonomy.md"));
}

}  // namespace
}  // namespace mta
