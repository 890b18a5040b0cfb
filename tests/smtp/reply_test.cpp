// Tests for reading codes and stages out of SMTP replies (src/smtp/reply.hpp).

#include "smtp/reply.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace mta {

void PrintTo(const EnhancedCode& code, std::ostream* os) {
  *os << static_cast<int>(code.klass) << '.' << code.subject << '.' << code.detail;
}

namespace {

// --- basic_code -----------------------------------------------------------------------------------

struct BasicCase {
  std::string_view reply;
  int expected;
};

class BasicCodeTest : public ::testing::TestWithParam<BasicCase> {};

TEST_P(BasicCodeTest, Reads) { EXPECT_EQ(basic_code(GetParam().reply), GetParam().expected) << GetParam().reply; }

INSTANTIATE_TEST_SUITE_P(
    Replies, BasicCodeTest,
    ::testing::Values(BasicCase{"550 5.1.1 <a@example.com>: Recipient address rejected", 550},
                      BasicCase{"550-5.7.26 first line of a multi-line reply", 550},  // continuation separator
                      BasicCase{"550", 550},                                          // code alone
                      BasicCase{"421 ", 421}, BasicCase{"250 2.0.0 Ok: queued as 4F1", 250},
                      BasicCase{"220 mx.example.com ESMTP", 220},
                      BasicCase{"354 End data with <CR><LF>.<CR><LF>", 354},  // 3xx is a code; the classifier drops it
                      BasicCase{"334 VXNlcm5hbWU6", 334}, BasicCase{"599 custom", 599},  // unregistered but in range
                      BasicCase{"650 hi", 0},                                            // first digit out of 2..5
                      BasicCase{"123 x", 0}, BasicCase{"199 x", 0}, BasicCase{"000", 0}, BasicCase{"55", 0},
                      BasicCase{"5", 0}, BasicCase{"", 0}, BasicCase{"5500 too many digits", 0}, BasicCase{"550x", 0},
                      BasicCase{"550.5.1.1", 0}, BasicCase{"5a0 letters", 0}, BasicCase{" 550 leading space", 0},
                      BasicCase{"5.1.1 enhanced only", 0}, BasicCase{"#550 4.4.7 QUEUE.Expired", 0}));

// --- find_enhanced_code ---------------------------------------------------------------------------

struct FindCase {
  std::string_view text;
  EnhancedCode expected;  // klass 0: none expected
};

class FindEnhancedCodeTest : public ::testing::TestWithParam<FindCase> {};

TEST_P(FindEnhancedCodeTest, Finds) { EXPECT_EQ(find_enhanced_code(GetParam().text), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(
    Texts, FindEnhancedCodeTest,
    ::testing::Values(FindCase{"550 5.7.26 Unauthenticated email from example.com is not accepted", {5, 7, 26}},
                      FindCase{"5.7.26 Unauthenticated email", {5, 7, 26}},
                      FindCase{"451 4.7.500 Server busy. Please try again later from [192.0.2.2]. (AS761)",
                               {4, 7, 500}},
                      FindCase{"550 #5.1.0 Address rejected.", {5, 1, 0}},  // Google Groups writes "#5.1.0"
                      FindCase{"2.0.0 Ok", {2, 0, 0}}, FindCase{"text ending with 5.1.1", {5, 1, 1}},
                      FindCase{"code at sentence end 5.1.1.", {5, 1, 1}},  // a dot not followed by a digit is fine
                      FindCase{"(5.4.316)", {5, 4, 316}}, FindCase{"999.999: 5.999.999 max lengths", {5, 999, 999}},
                      // Must not match inside IP addresses or dotted numbers.
                      FindCase{"Client host [192.0.2.1] blocked using zen.spamhaus.org", {}},
                      FindCase{"connect to 5.56.71.136 failed", {}}, FindCase{"from 5.56.71.136", {}},
                      FindCase{"[TSS04] Messages from 192.0.2.25 temporarily deferred - 4.16.55.1; see https://x", {}},
                      FindCase{"4.16.55.1", {}}, FindCase{"5.7.1234 four-digit detail", {}},
                      FindCase{"5.1234.1 four-digit subject", {}}, FindCase{"15.1.1 preceded by a digit", {}},
                      FindCase{"v1.5.1.1 preceded by a dot", {}}, FindCase{"5.1 too short", {}},
                      FindCase{"3.1.1 class 3", {}}, FindCase{"1.2.3 class 1", {}}, FindCase{"", {}},
                      FindCase{"5.1.", {}}, FindCase{"5..1", {}},
                      // The first code that is not part of an address wins.
                      FindCase{"blocked [192.0.2.1] see 5.7.1 for details", {5, 7, 1}},
                      FindCase{"from 5.56.71.136 got 4.4.1 then 5.0.0", {4, 4, 1}}));

// --- parse_enhanced_code (Postfix dsn= field: the whole text) -------------------------------------

struct ParseCase {
  std::string_view text;
  EnhancedCode expected;
};

class ParseEnhancedCodeTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseEnhancedCodeTest, Parses) { EXPECT_EQ(parse_enhanced_code(GetParam().text), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(Dsn, ParseEnhancedCodeTest,
                         ::testing::Values(ParseCase{"4.4.1", {4, 4, 1}}, ParseCase{"2.0.0", {2, 0, 0}},
                                           ParseCase{"5.7.26", {5, 7, 26}}, ParseCase{"4.7.500", {4, 7, 500}},
                                           ParseCase{"5.999.999", {5, 999, 999}}, ParseCase{"", {}},
                                           ParseCase{"4.4.1 ", {}}, ParseCase{" 4.4.1", {}},
                                           ParseCase{"1.2.3", {}},  // dsn=1.2.3 in a templated log
                                           ParseCase{"5.1", {}}, ParseCase{"5.1.1234", {}}, ParseCase{"#5.1.1", {}},
                                           ParseCase{"5.1.1.1", {}}, ParseCase{"x.1.1", {}}));

// --- format ---------------------------------------------------------------------------------------

TEST(FormatTest, AbsentCodeFormatsEmpty) {
  EnhancedCodeText buffer{};
  EXPECT_EQ(format(EnhancedCode{}, buffer), "");
}

TEST(FormatTest, RoundTripsParsedCodes) {
  for (std::string_view text : {"2.0.0", "4.4.1", "5.7.26", "4.7.500", "5.999.999", "5.0.350"}) {
    EnhancedCodeText buffer{};
    EXPECT_EQ(format(parse_enhanced_code(text), buffer), text);
  }
}

TEST(FormatTest, WritesIntoTheGivenBuffer) {
  EnhancedCodeText buffer{};
  const std::string_view text = format(EnhancedCode{5, 7, 1}, buffer);
  EXPECT_EQ(text, "5.7.1");
  EXPECT_EQ(text.data(), buffer.data());
}

// --- split_in_reply_to ----------------------------------------------------------------------------

struct SplitCase {
  std::string_view text;
  std::string_view reply;
  Stage stage;
};

class SplitInReplyToTest : public ::testing::TestWithParam<SplitCase> {};

TEST_P(SplitInReplyToTest, Splits) {
  const ReplyAndStage result = split_in_reply_to(GetParam().text);
  EXPECT_EQ(result.reply, GetParam().reply);
  EXPECT_EQ(result.stage, GetParam().stage);
}

INSTANTIATE_TEST_SUITE_P(
    Texts, SplitInReplyToTest,
    ::testing::Values(
        // postfix-pixelpark-events.log style texts
        SplitCase{"550 5.1.1 User unknown (in reply to RCPT TO command)", "550 5.1.1 User unknown", Stage::rcpt},
        SplitCase{"421 4.4.2 rate exceeded (in reply to MAIL FROM command)", "421 4.4.2 rate exceeded", Stage::mail},
        SplitCase{"554 spam (in reply to end of DATA command)", "554 spam", Stage::end_of_data},
        SplitCase{"554 no (in reply to DATA command)", "554 no", Stage::data},
        SplitCase{"501 bad (in reply to EHLO command)", "501 bad", Stage::helo},
        SplitCase{"454 no tls (in reply to STARTTLS command)", "454 no tls", Stage::starttls},
        SplitCase{"535 bad (in reply to AUTH command)", "535 bad", Stage::auth},
        SplitCase{"550 x (in reply to XYZZY command)", "550 x", Stage::unknown},
        SplitCase{"550 5.1.1 (see notes) no mailbox (in reply to RCPT TO command)", "550 5.1.1 (see notes) no mailbox",
                  Stage::rcpt},
        SplitCase{"550 5.1.1 no stage at all", "550 5.1.1 no stage at all", Stage::unknown},
        SplitCase{"", "", Stage::unknown}));

// --- stage_from_command ---------------------------------------------------------------------------

struct StageCase {
  std::string_view command;
  Stage stage;
};

class StageFromCommandTest : public ::testing::TestWithParam<StageCase> {};

TEST_P(StageFromCommandTest, Maps) {
  EXPECT_EQ(stage_from_command(GetParam().command), GetParam().stage) << GetParam().command;
}

INSTANTIATE_TEST_SUITE_P(Commands, StageFromCommandTest,
                         ::testing::Values(StageCase{"RCPT TO", Stage::rcpt}, StageCase{"RCPT", Stage::rcpt},
                                           StageCase{"MAIL FROM", Stage::mail}, StageCase{"MAIL", Stage::mail},
                                           StageCase{"end of DATA", Stage::end_of_data},
                                           StageCase{"END-OF-MESSAGE", Stage::end_of_data},
                                           StageCase{"DATA", Stage::data}, StageCase{"BDAT", Stage::data},
                                           StageCase{"EHLO", Stage::helo}, StageCase{"HELO", Stage::helo},
                                           StageCase{"LHLO", Stage::helo}, StageCase{"STARTTLS", Stage::starttls},
                                           StageCase{"AUTH", Stage::auth}, StageCase{"CONNECT", Stage::connect},
                                           StageCase{"header", Stage::header}, StageCase{"body", Stage::body},
                                           StageCase{"VRFY", Stage::unknown}, StageCase{"QUIT", Stage::unknown},
                                           StageCase{"", Stage::unknown}, StageCase{"RCPT TO ", Stage::unknown}));

}  // namespace
}  // namespace mta
