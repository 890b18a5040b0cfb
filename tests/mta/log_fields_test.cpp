#include "mta/log_fields.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace mta {
namespace {

// The definition, a byte at a time: what find_unquoted must agree with.
std::size_t find_unquoted_bytewise(std::string_view text, std::string_view pattern, std::size_t from) {
  bool quoted = false;
  for (std::size_t i = from; i < text.size(); ++i) {
    if (quoted && text[i] == '\\') {
      ++i;
    } else if (!quoted && text.substr(i).starts_with(pattern)) {
      return i;
    } else if (text[i] == '"') {
      quoted = !quoted;
    }
  }
  return std::string_view::npos;
}

TEST(FindUnquotedTest, SkipsQuotedLocalParts) {
  const std::string_view line = R"(to=<"x, status=sent"@example.net>, relay=none, status=bounced (unknown))";
  EXPECT_EQ(find_unquoted(line, ", status="), line.find(", status=bounced"));
  EXPECT_EQ(find_unquoted(line, "relay="), line.find("relay=none"));
  EXPECT_EQ(find_unquoted(R"("a\"b, c" , c)", ", c"), 10u);                  // an escaped quote does not close
  EXPECT_EQ(find_unquoted(R"(x "open, c)", ", c"), std::string_view::npos);  // never closed: quoted to the end
  EXPECT_EQ(find_unquoted(R"(ab"c")", "b\"c"), 1u);                          // a match may run into a quote
  EXPECT_EQ(find_unquoted("abcabc", "abc", 1), 3u);
  EXPECT_EQ(find_unquoted("abc", "abc", 3), std::string_view::npos);
}

TEST(FindUnquotedTest, AgreesWithTheBytewiseDefinitionOnRandomLines) {
  std::mt19937 random(20261206);
  const std::string alphabet = "ab\"\\, =";
  const std::string patterns[] = {"a", ", a", "b=", "\"a", "a\"", "\\", ", ", "ab\"b"};
  for (int round = 0; round < 20000; ++round) {
    std::string text(random() % 24, ' ');
    for (char& c : text) c = alphabet[random() % alphabet.size()];
    const std::string& pattern = patterns[random() % std::size(patterns)];
    const std::size_t from = text.empty() ? 0 : random() % (text.size() + 1);
    ASSERT_EQ(find_unquoted(text, pattern, from), find_unquoted_bytewise(text, pattern, from))
        << "text [" << text << "] pattern [" << pattern << "] from " << from;
  }
}

}  // namespace
}  // namespace mta
