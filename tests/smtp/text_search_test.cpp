#include "smtp/text_search.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace mta {
namespace {

using std::string_view_literals::operator""sv;

TEST(NeedleTest, FindsWhatStringViewFindFinds) {
  constexpr Needle kSaid(" said: ");
  const std::string line = "host mx[192.0.2.1] said: 550 5.1.1 unknown (in reply to RCPT TO command) said: again";
  EXPECT_EQ(kSaid.find_in(line), line.find(" said: "));
  EXPECT_EQ(kSaid.find_in(line, 19), line.find(" said: ", 19));
  EXPECT_EQ(kSaid.find_in(line, 20), line.find(" said: ", 20));
  EXPECT_EQ(kSaid.find_in(line, line.size()), std::string_view::npos);
  EXPECT_EQ(kSaid.find_in(line, line.size() + 5), std::string_view::npos);
  EXPECT_EQ(kSaid.find_in(" said:"), std::string_view::npos);
  EXPECT_EQ(kSaid.find_in(" said: "), 0u);
  EXPECT_EQ(kSaid.rfind_in(line), line.rfind(" said: "));
  EXPECT_EQ(kSaid.rfind_in(line, 60), line.rfind(" said: ", 60));
  EXPECT_EQ(kSaid.rfind_in(line, 18), line.rfind(" said: ", 18));
  EXPECT_EQ(kSaid.rfind_in(line, 17), std::string_view::npos);
  EXPECT_EQ(kSaid.rfind_in(" said:"), std::string_view::npos);
  EXPECT_TRUE(kSaid.found_in(line));
  EXPECT_FALSE(Needle("aup#").found_in(line));
}

// Against the definition on random texts of few characters, so that partial matches and overlaps abound.
TEST(NeedleTest, AgreesWithStringViewFindAndRfindOnRandomTexts) {
  static constexpr Needle kNeedles[] = {" said: ", ", status=", "aup#", "ofr", "a", "a a", "::", ": :"};
  std::mt19937 random(7);
  const std::string alphabet = " a:s,=#ofr";
  for (int round = 0; round < 20000; ++round) {
    std::string text(random() % 40, ' ');
    for (char& c : text) c = alphabet[random() % alphabet.size()];
    for (const Needle& needle : kNeedles) {
      for (std::size_t from = 0; from <= text.size() + 1; from += 3) {
        ASSERT_EQ(needle.find_in(text, from), std::string_view(text).find(needle.text(), from))
            << '"' << text << "\" \"" << needle.text() << "\" from " << from;
        ASSERT_EQ(needle.rfind_in(text, from), std::string_view(text).rfind(needle.text(), from))
            << '"' << text << "\" \"" << needle.text() << "\" at most " << from;
      }
    }
  }
}

TEST(ByteSearchTest, AgreesWithStringViewOnRandomTexts) {
  std::mt19937 random(11);
  const std::string alphabet = " a,>\"x";
  for (int round = 0; round < 5000; ++round) {
    std::string text(random() % 30, ' ');
    for (char& c : text) c = alphabet[random() % alphabet.size()];
    const std::string_view view(text);
    for (const std::string_view set : {" ,"sv, "\">"sv, "x"sv, ""sv}) {
      for (std::size_t from = 0; from <= text.size() + 1; ++from) {
        ASSERT_EQ(find_any_of(view, set, from), view.find_first_of(set, from)) << '"' << text << "\" from " << from;
      }
    }
    for (std::size_t from = 0; from <= text.size() + 1; ++from) {
      ASSERT_EQ(find_comma_space(view, from), view.find(", ", from)) << '"' << text << "\" from " << from;
    }
    ASSERT_EQ(find_comma_space(view, std::string_view::npos), std::string_view::npos) << '"' << text << '"';
    ASSERT_EQ(find_any_of(view, " ,", std::string_view::npos), std::string_view::npos) << '"' << text << '"';
    for (const char c : {';', 'a', ' '}) {
      for (std::size_t at_most = 0; at_most <= text.size() + 1; ++at_most) {
        ASSERT_EQ(rfind_byte(view, c, at_most), view.rfind(c, at_most)) << '"' << text << "\" at most " << at_most;
      }
      ASSERT_EQ(rfind_byte(view, c), view.rfind(c)) << '"' << text << '"';
    }
  }
}

}  // namespace
}  // namespace mta
