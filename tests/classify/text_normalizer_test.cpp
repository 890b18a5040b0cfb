// Tests for the reply-text normalizer (src/classify/text_normalizer.hpp).

#include "classify/text_normalizer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "support/case_name.hpp"

namespace mta {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct NormalizeCase {
  const char* name;
  std::string_view text;
  int basic;
  EnhancedCode enhanced;
  std::string_view expected;
};

void PrintTo(const NormalizeCase& c, std::ostream* os) { *os << c.name; }

class TextNormalizerTest : public ::testing::TestWithParam<NormalizeCase> {};

TEST_P(TextNormalizerTest, Normalizes) {
  TextNormalizer normalizer;
  const NormalizeCase& c = GetParam();
  EXPECT_EQ(normalizer.normalize(c.text, c.basic, c.enhanced), c.expected);
}

const NormalizeCase kCases[] = {
    {"empty", "", 0, {}, ""},
    {"lowercase", "Mailbox FULL", 0, {}, "mailbox full"},
    // a lone Latin-1 byte is no UTF-8 letter and stays; the two-byte UTF-8 capital É is lowered
    {"lowercase_ascii_and_utf8_capitals", "CAF\xC9 \xC3\x89T\xC9", 0, {}, "caf\xC9 \xC3\xA9t\xC9"},
    {"collapse_whitespace", "  Mailbox \t  is\r\n full  ", 0, {}, "mailbox is full"},
    {"code_tokens_removed", "550 5.1.1 User unknown", 550, {5, 1, 1}, "user unknown"},
    {"bracketed_address",
     "550 5.1.1 <John.Doe@Example.COM>: Recipient address rejected: User unknown",
     550,
     {5, 1, 1},
     "<addr>: recipient address rejected: user unknown"},
    {"address_in_envelope_field", "to=<quota@example.com>, status", 0, {}, "to=<addr>, status"},
    {"two_addresses_in_one_token", "<a@example.com>,<b@example.org>", 0, {}, "<addr>,<addr>"},
    {"address_in_quotes", "'spamtrap@example.com' rejected", 0, {}, "'addr' rejected"},
    {"address_in_brackets", "[dmarc-reports@example.com]", 0, {}, "[addr]"},
    {"not_an_address_without_domain_dot", "user@localhost said hi", 0, {}, "user@localhost said hi"},
    {"not_an_address_without_local_part", "@example.com is bad", 0, {}, "@example.com is bad"},
    // Gmail repeats "550-5.1.1" on every line of a multi-line reply (provider-replies.md section 11).
    {"multiline_gmail_prefixes",
     "550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the "
     "recipient's email address for typos or 550-5.1.1 unnecessary spaces. 550 5.1.1 Learn more at",
     550,
     {5, 1, 1},
     "the email account that you tried to reach does not exist. please try double-checking the recipient's email "
     "address for typos or unnecessary spaces. learn more at"},
    {"bare_dash_prefix", "421- 421 Service not available", 421, {}, "service not available"},
    // Google Groups writes "#5.1.0".
    {"hash_enhanced_code", "550 #5.1.0 Address rejected.", 550, {5, 1, 0}, "address rejected."},
    {"other_codes_kept", "451 4.4.1 see 5.1.1 and 551 too", 451, {4, 4, 1}, "see 5.1.1 and 551 too"},
    {"code_inside_word_kept",
     "5500 mails and 5.1.10 are not 550 5.1.1",
     550,
     {5, 1, 1},
     "5500 mails and 5.1.10 are not"},
    {"codes_kept_when_not_given", "550 5.1.1 User unknown", 0, {}, "550 5.1.1 user unknown"},
    // Yahoo's "[TSS04] Messages from 4.16.55.1 ..." names the client's address: masked as one, not dropped as a code;
    // an address that starts with the code's own digits is no code either.
    {"client_address_masked_not_dropped",
     "421 4.7.0 [TSS04] Messages deferred - 4.16.55.1; see",
     421,
     {4, 7, 0},
     "[tss04] messages deferred - 0.0.0.0; see"},
    {"address_starting_like_the_code",
     "421 4.7.0 [TSS04] Messages deferred - 4.7.0.1; see",
     421,
     {4, 7, 0},
     "[tss04] messages deferred - 0.0.0.0; see"},
    // qmail-toaster (provider-replies.md section 10): the "(#5.1.1)" is not a whole token.
    {"qmail_parenthesised_code", "user over quota. (#5.1.1)", 0, {5, 1, 1}, "user over quota. (#5.1.1)"},
};

INSTANTIATE_TEST_SUITE_P(Texts, TextNormalizerTest, ::testing::ValuesIn(kCases), test::CaseName());

// Regression (src/classify/text_normalizer.cpp is_code_token, fixed): cause-taxonomy.md section 2.3 says to strip
// each line's "ddd-" prefix. Postfix joins a multi-line reply's lines with spaces, so a reply without
// an enhanced code reads "550-First line 550-second line 550 last line"; the "550-" glued to the first
// word of each line is only dropped when the rest of the token is the enhanced code, so the text
// becomes "550-first line 550-second line last line".
// The two-byte capitals of Latin-1, Latin Extended-A and Cyrillic are lowered like ASCII's; letters without a two-byte
// pair (İ, Ÿ), the multiplication sign and three-byte characters stay as they are.
TEST(TextNormalizerLetterTest, LowersTwoByteCapitals) {
  TextNormalizer normalizer;
  EXPECT_EQ(normalizer.normalize("UNBEKANNTER EMPFÄNGER", 0, {}), "unbekannter empfänger");
  EXPECT_EQ(normalizer.normalize("Пользователь НЕ НАЙДЕН, Ёж", 0, {}), "пользователь не найден, ёж");
  EXPECT_EQ(normalizer.normalize("ŁÓDŹ ŻÓŁW ČESKÝ ŇŸİ × 用户", 0, {}), "łódź żółw český ňŸİ × 用户");
}

TEST(TextNormalizerMultilineTest, StripsBasicCodePrefixGluedToAWord) {
  TextNormalizer normalizer;
  EXPECT_EQ(normalizer.normalize("550-First line 550-second line 550 last line", 550, {}),
            "first line second line last line");
  // smtp-replies-sisimai-bounce-bodies.txt (reply part of an Exim line)
  EXPECT_EQ(normalizer.normalize("550-Your message was rejected by this system and was not delivered. 550-Reason: This "
                                 "system will not accept messages from servers/devices with no reverse DNS.",
                                 550, {}),
            "your message was rejected by this system and was not delivered. reason: this system will not accept "
            "messages from servers/devices with no reverse dns.");
}

// cause-taxonomy.md section 2.4: bare addresses are masked too, so their local parts ("quota@",
// "dmarc-reports@", "spamtrap@") cannot trigger keywords.
TEST(TextNormalizerMaskingTest, BareAddressesAreMasked) {
  TextNormalizer normalizer;
  const std::string normalized(
      normalizer.normalize("Mail for quota@example.com and spamtrap@mail.example.org bounced", 0, {}));
  EXPECT_THAT(normalized, Not(HasSubstr("@")));
  EXPECT_THAT(normalized, Not(HasSubstr("quota")));
  EXPECT_THAT(normalized, Not(HasSubstr("spamtrap")));
  EXPECT_THAT(normalized, HasSubstr("addr"));
  EXPECT_THAT(normalized, ::testing::StartsWith("mail for "));
  EXPECT_THAT(normalized, ::testing::EndsWith(" bounced"));
}

// Regression (src/classify/text_normalizer.cpp is_address, fixed): section 2.4 masks the address alone; the
// normalizer masks everything up to the next delimiter, so "user@example.com:blocked" (Barracuda,
// provider-replies.md section 20) loses ":blocked" and "user@example.com." its full stop.
TEST(TextNormalizerMaskingTest, MasksOnlyTheAddress) {
  TextNormalizer normalizer;
  EXPECT_EQ(normalizer.normalize("(user@example.com:blocked)", 0, {}), "(addr:blocked)");
  EXPECT_EQ(normalizer.normalize("mail for user@example.com.", 0, {}), "mail for addr.");
}

// A server's per-message identifier becomes "hexid", so that one reply is one text for the classifier's memo;
// codes, addresses of hosts, numbers and words are kept.
TEST(TextNormalizerMaskingTest, MasksPerMessageIdentifiers) {
  TextNormalizer normalizer;
  EXPECT_EQ(normalizer.normalize("550 5.1.1 The email account does not exist. 8297cd94e6.170 - gsmtp", 550,
                                 EnhancedCode{5, 1, 1}),
            "the email account does not exist. hexid - gsmtp");
  EXPECT_EQ(normalizer.normalize("4.7.0 [192.0.2.1 15] 127.255.255.254 deadbeef cafe1234 abcdef12ab 123456789", 0, {}),
            "4.7.0 [0.0.0.0 15] 127.255.255.254 deadbeef hexid hexid 123456789");
  EXPECT_EQ(normalizer.normalize("id=a1b2c3d4e5 (a1b2c3d4e5f6)", 0, {}), "id=a1b2c3d4e5 (a1b2c3d4e5f6)");
}

// Gmail's own ids are letters and digits, not hexadecimal (../shared/corpus/real: "z188si121582qkc.400 - gsmtp",
// "z9-20020adfdf89000000b001e9e1228238si2585300wrl.340 - gsmtp"): a token of that shape before " - gsmtp" is the id.
// Other tokens there stay (a word, a help link, a short token), and so do ids elsewhere.
TEST(TextNormalizerMaskingTest, MasksGmailsMessageIdBeforeItsTag) {
  TextNormalizer normalizer;
  EXPECT_EQ(normalizer.normalize("550 5.1.1 https://support.google.com/mail/?p=NoSuchUser z188si121582qkc.400 - gsmtp",
                                 550, EnhancedCode{5, 1, 1}),
            "https://support.google.com/mail/?p=nosuchuser hexid - gsmtp");
  EXPECT_EQ(normalizer.normalize("452 4.2.2 Over quota z9-20020adfdf89000000b001e9e1228238si2585300wrl.340 - gsmtp",
                                 452, EnhancedCode{4, 2, 2}),
            "over quota hexid - gsmtp");
  EXPECT_EQ(normalizer.normalize("421 4.7.0 Try again x1 - gsmtp", 421, EnhancedCode{4, 7, 0}), "try again x1 - gsmtp");
  EXPECT_EQ(normalizer.normalize("421 4.7.0 Try again ab1.234 - gsmtp", 421, EnhancedCode{4, 7, 0}),
            "try again ab1.234 - gsmtp");
  EXPECT_EQ(normalizer.normalize("421 4.7.0 Temporarily rejected message. - gsmtp", 421, EnhancedCode{4, 7, 0}),
            "temporarily rejected message. - gsmtp");
  EXPECT_EQ(normalizer.normalize("550 5.1.1 https://support.google.com/mail/?p=NoSuchUser - gsmtp", 550,
                                 EnhancedCode{5, 1, 1}),
            "https://support.google.com/mail/?p=nosuchuser - gsmtp");
  EXPECT_EQ(normalizer.normalize("550 5.1.1 No such user 12345678. - gsmtp", 550, EnhancedCode{5, 1, 1}),
            "no such user 12345678. - gsmtp");
  EXPECT_EQ(normalizer.normalize("550 5.1.1 No such user x_y12345.678 - gsmtp", 550, EnhancedCode{5, 1, 1}),
            "no such user x_y12345.678 - gsmtp");
  EXPECT_EQ(normalizer.normalize("421 z188si121582qkc.400 - gsmtpx z188si121582qkc.400 - smtp", 421, {}),
            "z188si121582qkc.400 - gsmtpx z188si121582qkc.400 - smtp");
}

// A client's or server's IPv4 address becomes "0.0.0.0" wherever it stands (in brackets, after a slash, before a
// port), so that one refusal is one text whichever client it refused; a DNSBL's loopback answer code stays, and so
// do dotted numbers that are no address (enhanced codes, three-part versions, five groups, a group of four digits;
// a four-part version such as "3.4.13.1" cannot be told from an address and is masked). The text before the masking
// stays readable for the site rules.
TEST(TextNormalizerMaskingTest, MasksIpv4AddressesOutsideLoopback) {
  TextNormalizer normalizer;
  EXPECT_EQ(normalizer.normalize("554 5.7.1 Service unavailable; Client host [203.0.113.77] blocked using "
                                 "zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.77",
                                 554, EnhancedCode{5, 7, 1}),
            "service unavailable; client host [0.0.0.0] blocked using zen.spamhaus.org; "
            "https://www.spamhaus.org/query/ip/0.0.0.0");
  EXPECT_EQ(normalizer.normalize("connect to mx.example.com[192.0.2.1]:25: Connection refused", 0, {}),
            "connect to mx.example.com[0.0.0.0]:25: connection refused");
  EXPECT_EQ(normalizer.normalize("listed: 127.0.0.2 and 127.255.255.254", 0, {}),
            "listed: 127.0.0.2 and 127.255.255.254");
  EXPECT_EQ(normalizer.normalize("exim 4.96.1 at 1.2.3.4.5 or 1234.5.6.7 or 1.2.3.4a or v1.2.3.4", 0, {}),
            "exim 4.96.1 at 1.2.3.4.5 or 1234.5.6.7 or 1.2.3.4a or v1.2.3.4");
  EXPECT_EQ(normalizer.normalize("from 10.0.0.1, 172.16.0.1. and 8.8.8.8", 0, {}),
            "from 0.0.0.0, 0.0.0.0. and 0.0.0.0");
  EXPECT_EQ(normalizer.with_ip_addresses(), "from 10.0.0.1, 172.16.0.1. and 8.8.8.8");
  EXPECT_EQ(normalizer.normalize("1.2.3.4", 0, {}), "0.0.0.0");
  EXPECT_EQ(normalizer.normalize("no address here", 0, {}), "no address here");
  EXPECT_EQ(normalizer.with_ip_addresses(), "no address here");
}

TEST(TextNormalizerMaskingTest, AddressWithPlusAndDotsIsMasked) {
  TextNormalizer normalizer;
  const std::string normalized(normalizer.normalize("<first.last+tag@sub.example.co.uk>", 0, {}));
  EXPECT_EQ(normalized, "<addr>");
}

// The domains of the masked addresses stay readable for the provider lookup (providers.tsv "domain"):
// as written, in order, at most kMaxMaskedDomains, and only those of the last call.
TEST(TextNormalizerMaskingTest, ReportsTheMaskedDomains) {
  TextNormalizer normalizer;
  EXPECT_EQ(normalizer.normalize("552 5.2.2 <Someone@iCloud.com>: user is over quota", 552, {5, 2, 2}),
            "<addr>: user is over quota");
  ASSERT_EQ(normalizer.masked_domains().size(), 1u);
  EXPECT_EQ(normalizer.masked_domains()[0], "iCloud.com");
  normalizer.normalize("(user@example.com:blocked) mail for a@b.example.org.", 0, {});
  ASSERT_EQ(normalizer.masked_domains().size(), 2u);
  EXPECT_EQ(normalizer.masked_domains()[0], "example.com");
  EXPECT_EQ(normalizer.masked_domains()[1], "b.example.org");
  normalizer.normalize("a@a.example b@b.example c@c.example d@d.example e@e.example", 0, {});
  ASSERT_EQ(normalizer.masked_domains().size(), TextNormalizer::kMaxMaskedDomains);
  EXPECT_EQ(normalizer.masked_domains().back(), "d.example");
  normalizer.normalize("no address here, nor in quota@", 0, {});
  EXPECT_TRUE(normalizer.masked_domains().empty());
}

TEST(TextNormalizerReuseTest, LaterCallsReplaceEarlierResults) {
  TextNormalizer normalizer;
  EXPECT_EQ(normalizer.normalize("FIRST call with a long text", 0, {}), "first call with a long text");
  EXPECT_EQ(normalizer.normalize("Second", 0, {}), "second");
  EXPECT_EQ(normalizer.normalize("", 0, {}), "");
}

TEST(TextNormalizerReuseTest, OnlyWhitespaceGivesEmpty) {
  TextNormalizer normalizer;
  EXPECT_EQ(normalizer.normalize(" \t\r\n\v\f ", 0, {}), "");
}

TEST(TextNormalizerReuseTest, OnlyCodesGivesEmpty) {
  TextNormalizer normalizer;
  EXPECT_EQ(normalizer.normalize("550 5.7.1", 550, {5, 7, 1}), "");
}

}  // namespace
}  // namespace mta
