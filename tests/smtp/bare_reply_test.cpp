// Tests for read_bare_reply() (src/smtp/bare_reply.hpp): a reply given on its own, as in bounce messages and
// DSN Diagnostic-Code fields. The texts come from /work/shared/corpus/real/smtp-replies-sisimai-*.txt (remote
// replies taken from real bounce messages; see SOURCES.md); the file and line are named next to each.

#include "smtp/bare_reply.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "support/case_name.hpp"

namespace mta {
namespace {

struct BareCase {
  const char* name;
  std::string_view text;
  std::string_view reply;
  Stage stage = Stage::unknown;
  std::string_view remote_host = {};
};

void PrintTo(const BareCase& c, std::ostream* os) { *os << c.name; }

class BareReplyTest : public ::testing::TestWithParam<BareCase> {};

TEST_P(BareReplyTest, ReadsReply) {
  const BareCase& c = GetParam();
  SmtpEvent event;
  ASSERT_TRUE(read_bare_reply(c.text, event)) << c.text;
  EXPECT_EQ(event.reply, c.reply);
  EXPECT_EQ(event.stage, c.stage);
  EXPECT_EQ(event.remote_host, c.remote_host);
  EXPECT_EQ(event.agent_text, "");
  EXPECT_EQ(event.status, Status::none);
}

const BareCase kReplies[] = {
    // --- a reply as it stands --------------------------------------------------------------------------------
    {.name = "basic_and_enhanced",
     // smtp-replies-sisimai-diagnostic-codes.txt:130
     .text = "550 5.1.1 <kijitora@example.jp>... User Unknown",
     .reply = "550 5.1.1 <kijitora@example.jp>... User Unknown"},
    {.name = "enhanced_code_first",
     // smtp-replies-sisimai-diagnostic-codes.txt:3 without its "smtp; " type
     .text = "5.1.0 - Unknown address error 550-'5.7.1 "
             "<000001321defbd2a-788e31c8-2be1-422f-a8d4-cf7765cc9ed7-000000@email-bounces.amazonses.com>... Access "
             "denied' (delivery attempts: 0)",
     .reply = "5.1.0 - Unknown address error 550-'5.7.1 "
              "<000001321defbd2a-788e31c8-2be1-422f-a8d4-cf7765cc9ed7-000000@email-bounces.amazonses.com>... Access "
              "denied' (delivery attempts: 0)"},
    // --- Postfix's diagnostics in its bounces (smtp_proto.c, smtp_sasl_proto.c) ---------------------------------
    {.name = "postfix_refused_to_talk",
     .text = "host mx.example.org[192.0.2.1] refused to talk to me: 554 5.7.1 Service unavailable",
     .reply = "554 5.7.1 Service unavailable",
     .stage = Stage::connect,
     .remote_host = "mx.example.org"},
    {.name = "postfix_sasl_server_said",
     .text = "SASL authentication failed; server mx.example.org[192.0.2.1] said: 535 5.7.8 Error: authentication "
             "failed",
     .reply = "535 5.7.8 Error: authentication failed",
     .remote_host = "mx.example.org"},
    {.name = "hash_enhanced_code",
     // smtp-replies-sisimai-diagnostic-codes.txt:198 ("smtp; 550 #5.1.0 Address rejected.") without "smtp; 550 "
     .text = "#5.1.0 Address rejected.",
     .reply = "#5.1.0 Address rejected."},

    // --- DSN diagnostic types -------------------------------------------------------------------------------------
    {.name = "smtp_type",
     // smtp-replies-sisimai-diagnostic-codes.txt:198
     .text = "smtp; 550 #5.1.0 Address rejected.",
     .reply = "550 #5.1.0 Address rejected."},
    {.name = "smtp_type_without_space",
     // smtp-replies-sisimai-diagnostic-codes.txt:26
     .text = "smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
     .reply = "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"},
    {.name = "smtp_type_upper_case",
     // smtp-replies-sisimai-diagnostic-codes.txt:180
     .text = "SMTP; 550-5.7.26 The MAIL FROM domain [email.example.jp] has an SPF record with a hard fail",
     .reply = "550-5.7.26 The MAIL FROM domain [email.example.jp] has an SPF record with a hard fail"},
    {.name = "smtp_type_enhanced_first",
     // smtp-replies-sisimai-diagnostic-codes.txt:3
     .text = "smtp; 5.1.0 - Unknown address error 550-'5.7.1 "
             "<000001321defbd2a-788e31c8-2be1-422f-a8d4-cf7765cc9ed7-000000@email-bounces.amazonses.com>... Access "
             "denied' (delivery attempts: 0)",
     .reply = "5.1.0 - Unknown address error 550-'5.7.1 "
              "<000001321defbd2a-788e31c8-2be1-422f-a8d4-cf7765cc9ed7-000000@email-bounces.amazonses.com>... Access "
              "denied' (delivery attempts: 0)"},
    {.name = "diagnostic_code_header",
     // smtp-replies-sisimai-diagnostic-codes.txt:26 with the "Diagnostic-Code: " field name it was taken from
     .text = "Diagnostic-Code: smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
     .reply = "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"},
    {.name = "diagnostic_code_header_lower_case",
     // smtp-replies-sisimai-diagnostic-codes.txt:198 with a lower-case field name
     .text = "diagnostic-code: smtp; 550 #5.1.0 Address rejected.",
     .reply = "550 #5.1.0 Address rejected."},

    // --- Postfix bounce text: "host X[ip] said: ... (in reply to ... command)" -----------------------------------
    {.name = "postfix_said_rcpt",
     // smtp-replies-sisimai-bounce-bodies.txt:1
     .text = "host mx.example.co.jp[192.0.2.153] said: 550 5.2.1 <filtered@example.co.jp>... User Unknown (in reply to "
             "RCPT TO command)",
     .reply = "550 5.2.1 <filtered@example.co.jp>... User Unknown",
     .stage = Stage::rcpt,
     .remote_host = "mx.example.co.jp"},
    {.name = "postfix_said_end_of_data_multiline",
     // smtp-replies-sisimai-bounce-bodies.txt:43
     .text = "host gmail-smtp-in.l.google.com[64.233.189.27] said: 550-5.7.26 Unauthenticated email from "
             "libsisimai.org is not accepted due to 550-5.7.26 domain's DMARC policy. Please contact the administrator "
             "of 550-5.7.26 libsisimai.org domain if this was a legitimate mail. Please visit 550-5.7.26  "
             "https://support.google.com/mail/answer/2451690 to learn about the 550 5.7.26 DMARC initiative. "
             "z2si1584129pfn.61 - gsmtp (in reply to end of DATA command)",
     .reply = "550-5.7.26 Unauthenticated email from libsisimai.org is not accepted due to 550-5.7.26 domain's DMARC "
              "policy. Please contact the administrator of 550-5.7.26 libsisimai.org domain if this was a legitimate "
              "mail. Please visit 550-5.7.26  https://support.google.com/mail/answer/2451690 to learn about the 550 "
              "5.7.26 DMARC initiative. z2si1584129pfn.61 - gsmtp",
     .stage = Stage::end_of_data,
     .remote_host = "gmail-smtp-in.l.google.com"},
    {.name = "x_postfix_said_end_of_data",
     // smtp-replies-sisimai-diagnostic-codes.txt:86
     .text = "X-Postfix; host mta.example.com[192.0.2.225] said: 554 5.6.0 This message has been scored as spam with a "
             "probability of more than 90% (in reply to end of DATA command)",
     .reply = "554 5.6.0 This message has been scored as spam with a probability of more than 90%",
     .stage = Stage::end_of_data,
     .remote_host = "mta.example.com"},
    {.name = "x_postfix_said_data",
     // smtp-replies-sisimai-diagnostic-codes.txt:88
     .text = "X-Postfix; host r2.example.org[198.51.100.24] said: 550 Protocol violation (in reply to DATA command)",
     .reply = "550 Protocol violation",
     .stage = Stage::data,
     .remote_host = "r2.example.org"},
    {.name = "x_postfix_said_reply_with_parentheses",
     // smtp-replies-sisimai-diagnostic-codes.txt:91 ("(r)" inside the reply; the last "(in reply to" counts)
     .text = "X-Postfix; host nyaan.example.jp[192.0.2.2] said: 501 Rcpt-To validation failed: RCPT TO not accepted: "
             "5.7.1 This system is not configured to relay mail (r) from <nekonyaans@p2.example.com> to "
             "<kijitora@example.jp> for 127.0.0.1 (in reply to RCPT TO command)",
     .reply = "501 Rcpt-To validation failed: RCPT TO not accepted: 5.7.1 This system is not configured to relay mail "
              "(r) from <nekonyaans@p2.example.com> to <kijitora@example.jp> for 127.0.0.1",
     .stage = Stage::rcpt,
     .remote_host = "nyaan.example.jp"},

    // --- Exim bounce text: "SMTP error from remote mail server after X: [host h [ip]: ]reply" ------------------
    {.name = "exim_mail_from_with_size_and_host",
     // smtp-replies-sisimai-bounce-bodies.txt:82
     .text = "SMTP error from remote mail server after MAIL FROM:<shironeko@example.jp> SIZE=1543: host mx.example.jp "
             "[192.0.2.20]: 550 5.7.0 <shironeko@example.jp>... Please use the smtp server of your ISP.",
     .reply = "550 5.7.0 <shironeko@example.jp>... Please use the smtp server of your ISP.",
     .stage = Stage::mail,
     .remote_host = "mx.example.jp"},
    {.name = "exim_mail_from_with_size",
     // smtp-replies-sisimai-bounce-bodies.txt:89
     .text =
         "SMTP error from remote mail server after MAIL FROM:<sironeko-nyaan@neko.example.com> SIZE=1024: 554 5.7.1 "
         "Reverse DNS failed.",
     .reply = "554 5.7.1 Reverse DNS failed.",
     .stage = Stage::mail},
    {.name = "exim_rcpt_with_host",
     // smtp-replies-sisimai-bounce-bodies.txt:86
     .text =
         "SMTP error from remote mail server after RCPT TO:<kijitora@exmaple.ch>: host mx1.example.eu [192.0.2.32]: "
         "554 5.7.1 <kijitora@exmaple.ch>: Recipient address rejected: Access denied",
     .reply = "554 5.7.1 <kijitora@exmaple.ch>: Recipient address rejected: Access denied",
     .stage = Stage::rcpt,
     .remote_host = "mx1.example.eu"},
    {.name = "exim_end_of_data",
     // smtp-replies-sisimai-bounce-bodies.txt:83
     .text = "SMTP error from remote mail server after end of data: host mx.example.jp [192.0.2.20]: 554 5.7.0 Header "
             "error",
     .reply = "554 5.7.0 Header error",
     .stage = Stage::end_of_data,
     .remote_host = "mx.example.jp"},
    {.name = "exim_initial_connection",
     // smtp-replies-sisimai-bounce-bodies.txt:87
     .text = "SMTP error from remote mail server after initial connection: 571 No PTR Record found. Reverse DNS "
             "required: 203.0.113.22",
     .reply = "571 No PTR Record found. Reverse DNS required: 203.0.113.22",
     .stage = Stage::connect},
    {.name = "exim_data_command",
     // exim-testsuite-mainlog.log, the text of a ** line up to its first "\\n" ("after DATA": the answer to DATA)
     .text = "SMTP error from remote mail server after DATA: 550-This is a very long error message, very long indeed, "
             "indeed, indeed.",
     .reply = "550-This is a very long error message, very long indeed, indeed, indeed.",
     .stage = Stage::data},
};

INSTANTIATE_TEST_SUITE_P(Texts, BareReplyTest, ::testing::ValuesIn(kReplies), test::CaseName());

// --- texts that are not replies -----------------------------------------------------------------------------------

struct NotReplyCase {
  const char* name;
  std::string_view text;
};

void PrintTo(const NotReplyCase& c, std::ostream* os) { *os << c.name; }

class NotBareReplyTest : public ::testing::TestWithParam<NotReplyCase> {};

TEST_P(NotBareReplyTest, RejectsText) {
  SmtpEvent event;
  EXPECT_FALSE(read_bare_reply(GetParam().text, event)) << GetParam().text;
}

const NotReplyCase kNotReplies[] = {
    // smtp-replies-sisimai-diagnostic-codes.txt
    {"x_postfix_own_text", R"~(X-Postfix; unknown user: "kijitora")~"},
    {"x_postfix_connect_timeout", "X-Postfix; connect to bukkoji.example.org[192.0.2.1]:25: Connection timed out"},
    {"x_unix_text", "x-unix; temporary failure"},
    {"x_unix_number", "X-Unix; 77"},
    {"plain_text", "Connection timed out"},
    {"type_only", "SMTP;"},
    {"google_account_text", "The email account that you tried to reach does not exist."},
    {"smtp_type_dns_error",
     "smtp; DNS Error: 80335577 DNS type 'mx' lookup of example.jp responded with code NXDOMAIN "
     "Domain name not found: example.jp"},
    {"other_type",
     "X-Notes; Error transferring to neko22.example.org; Ma ximum hop count exceeded.  Message probably "
     "in a routing loop."},
    // smtp-replies-sisimai-bounce-bodies.txt:82 cut before the reply
    {"exim_without_reply", "SMTP error from remote mail server after MAIL FROM:<shironeko@example.jp> SIZE=1543"},
    // smtp-replies-sisimai-bounce-bodies.txt:83 with Exim's own text instead of a reply
    {"exim_text_without_code",
     "SMTP error from remote mail server after end of data: host mx.example.jp "
     "[192.0.2.20]: Connection reset by peer"},
    // smtp-replies-sisimai-bounce-bodies.txt:1 cut after "said: "
    {"postfix_said_nothing", "host mx.example.co.jp[192.0.2.153] said: "},
    // numbers that are not codes
    {"ip_address", "192.0.2.153"},
    {"year", "2023 was a good year"},
    {"empty", ""},
};

INSTANTIATE_TEST_SUITE_P(Texts, NotBareReplyTest, ::testing::ValuesIn(kNotReplies), test::CaseName());

TEST(BareReply, ViewsPointIntoText) {
  // smtp-replies-sisimai-diagnostic-codes.txt:86
  const std::string text =
      "X-Postfix; host mta.example.com[192.0.2.225] said: 554 5.6.0 This message has been scored as spam with a "
      "probability of more than 90% (in reply to end of DATA command)";
  SmtpEvent event;
  ASSERT_TRUE(read_bare_reply(text, event));
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  EXPECT_GE(event.reply.data(), begin);
  EXPECT_LE(event.reply.data() + event.reply.size(), end);
  EXPECT_GE(event.remote_host.data(), begin);
  EXPECT_LE(event.remote_host.data() + event.remote_host.size(), end);
}

TEST(BareReply, EveryCorpusLineWithLeadingCodeIsRead) {
  // Every line of smtp-replies-sisimai-diagnostic-codes.txt whose value (after "smtp;") starts with a basic code
  // is a reply. Read from the corpus file so that new lines are covered as well.
  const std::string path = std::string(MTA_SHARED_DIR) + "/corpus/real/smtp-replies-sisimai-diagnostic-codes.txt";
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) GTEST_SKIP() << "corpus not found: " << path;
  char buffer[8192];
  int lines = 0;
  int read = 0;
  while (std::fgets(buffer, sizeof buffer, file) != nullptr) {
    std::string_view line(buffer);
    if (line.ends_with('\n')) line.remove_suffix(1);
    std::string_view value = line;
    if (value.size() >= 5 && (value.substr(0, 5) == "smtp;" || value.substr(0, 5) == "SMTP;")) value.remove_prefix(5);
    while (value.starts_with(' ')) value.remove_prefix(1);
    if (value.size() < 4 || value[0] < '2' || value[0] > '5' || value[3] != ' ') continue;
    if (value[1] < '0' || value[1] > '9' || value[2] < '0' || value[2] > '9') continue;
    ++lines;
    SmtpEvent event;
    if (read_bare_reply(line, event) && event.reply == value) {
      ++read;
    } else {
      ADD_FAILURE() << line;
    }
  }
  std::fclose(file);
  EXPECT_GT(lines, 100);
  EXPECT_EQ(read, lines);
}

// --- bugs ----------------------------------------------------------------------------------------------------------

// Regression (bare_reply.cpp, read_bare_reply, fixed): the header promises remote_host, and the Postfix form fills it,
// but in the Exim form the "host mx.example.jp [192.0.2.20]: " prefix is dropped without taking the host name, so the
// provider of an Exim bounce cannot be told from its host.
TEST(BareReplyBug, EximHostPrefixGivesRemoteHost) {
  SmtpEvent event;
  // smtp-replies-sisimai-bounce-bodies.txt:86
  ASSERT_TRUE(
      read_bare_reply("SMTP error from remote mail server after RCPT TO:<kijitora@exmaple.ch>: host "
                      "mx1.example.eu [192.0.2.32]: 554 5.7.1 <kijitora@exmaple.ch>: Recipient address "
                      "rejected: Access denied",
                      event));
  EXPECT_EQ(event.remote_host, "mx1.example.eu");
}

// Regression (bare_reply.cpp, read_bare_reply, fixed): Exim writes "after pipelined MAIL FROM:<..>" / "after pipelined
// DATA" when the command was pipelined; the command is looked up with the "pipelined " prefix still on it and the stage
// is unknown. exim.cpp's stage_after() strips the prefix for the same text.
TEST(BareReplyBug, PipelinedCommandHasStage) {
  SmtpEvent event;
  // exim-testsuite-mainlog.log, the text of a ** line
  ASSERT_TRUE(
      read_bare_reply("SMTP error from remote mail server after pipelined MAIL FROM:<CALLER@test.ex>: 550 "
                      "Perm error",
                      event));
  EXPECT_EQ(event.reply, "550 Perm error");
  EXPECT_EQ(event.stage, Stage::mail);
}

// Regression (bare_reply.cpp, read_bare_reply, fixed): older Exim releases wrote "SMTP error from remote mailer after
// RCPT TO: <a>: host h [ip]: 553 ..." (a space after "RCPT TO:"); the text holds a reply but is not recognised as one.
TEST(BareReplyBug, OldEximRemoteMailerWording) {
  SmtpEvent event;
  // smtp-replies-sisimai-bounce-bodies.txt:84
  ASSERT_TRUE(
      read_bare_reply("SMTP error from remote mailer after RCPT TO: <kijitora@neko.example.co.jp>: host "
                      "mx49.neko.example.co.jp [192.0.2.82]: 553 5.1.1 unknown or illegal user: "
                      "kijitora@neko.example.co.jp",
                      event));
  EXPECT_EQ(event.reply, "553 5.1.1 unknown or illegal user: kijitora@neko.example.co.jp");
  EXPECT_EQ(event.stage, Stage::rcpt);
}

// ==== Issue 10: code-less diagnostics and Exchange's "#550" ==========================================

// Exchange writes its NDR diagnostic as "#550 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain ##"
// (cause-taxonomy.md section 2, Exchange NDR text).
TEST(BareReplyCodeless, ExchangeHashBasicCode) {
  SmtpEvent event;
  ASSERT_TRUE(read_bare_reply("#550 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain ##", event));
  EXPECT_EQ(event.reply, "550 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain ##");
  ASSERT_TRUE(read_bare_reply("#550 4.4.7 QUEUE.Expired; message expired ##", event));
  EXPECT_EQ(event.reply, "550 4.4.7 QUEUE.Expired; message expired ##");
}

// Sendmail's stat= text for EX_TEMPFAIL puts "Deferred: " before the server's saved 4xx reply (giveresponse() in
// contrib/sendmail/src/deliver.c, freebsd/freebsd-src@2f3342e8): the reply is read after it. Without a code the
// text stays a code-less diagnostic (sm_errstring(), err.c: "Connection refused by %s").
TEST(BareReplyCodeless, SendmailDeferredPrefix) {
  SmtpEvent event;
  ASSERT_TRUE(read_bare_reply("Deferred: 421 4.4.2 Connection dropped", event));
  EXPECT_EQ(event.reply, "421 4.4.2 Connection dropped");
  SmtpEvent codeless;
  EXPECT_FALSE(read_bare_reply("Deferred: Connection refused by mx.example.com.", codeless));
  EXPECT_EQ(codeless_diagnostic("Deferred: Connection refused by mx.example.com."),
            "Deferred: Connection refused by mx.example.com.");
}

// Gmail's bounces wrote the failure's kind before the reply ("PERM_FAILURE: SMTP Error (state 16): 550 ..."): a word of
// the bounce, not a program's log label, so the text stays a diagnostic; other upper-case labels still mark log lines.
TEST(BareReplyCodeless, GmailFailureKindIsNoLogLabel) {
  EXPECT_EQ(codeless_diagnostic("PERM_FAILURE: SMTP Error (state 16): 550 5.7.1 Message rejected."),
            "PERM_FAILURE: SMTP Error (state 16): 550 5.7.1 Message rejected.");
  EXPECT_EQ(codeless_diagnostic("TEMP_FAILURE: Could not initiate SMTP conversation with any hosts"),
            "TEMP_FAILURE: Could not initiate SMTP conversation with any hosts");
  EXPECT_EQ(codeless_diagnostic("NOQUEUE: reject: RCPT from unknown[192.0.2.1]: 554 5.7.1 Relay access denied"), "");
}

// A diagnostic in another alphabet starts with a letter too (dev ninth pass: QQ Mail's help, Yandex's bounces); a
// typographic quote or guillemet in front is no letter, as an ASCII quote is none.
TEST(BareReplyCodeless, LetterOfAnotherAlphabetStartsADiagnostic) {
  EXPECT_EQ(codeless_diagnostic("该用户不存在"), "该用户不存在");
  EXPECT_EQ(codeless_diagnostic("Пользователь не найден"), "Пользователь не найден");
  EXPECT_EQ(codeless_diagnostic("Échec de la remise"), "Échec de la remise");
  EXPECT_EQ(codeless_diagnostic("¡La dirección no existe en este servidor!"),
            "¡La dirección no existe en este servidor!");
  EXPECT_EQ(codeless_diagnostic("Ứng dụng: hộp thư đầy"), "Ứng dụng: hộp thư đầy");
  EXPECT_EQ(codeless_diagnostic("ไม่พบผู้ใช้"), "ไม่พบผู้ใช้");
  EXPECT_EQ(codeless_diagnostic("«Mailbox full»"), "");
  EXPECT_EQ(codeless_diagnostic("\u201cMailbox full\u201d"), "");
  EXPECT_EQ(codeless_diagnostic("「Mailbox full」"), "");
  EXPECT_EQ(codeless_diagnostic("\u3000该用户不存在"), "");
}

// lettre's "permanent error (550): ..." and the "SMTP Error (451): ..." of PHP senders give the code in parentheses and
// the server's text after it; anything else, or a code that is no reply code, gives none.
TEST(BareReplyCodeless, ParenthesisedCodeOfClientErrors) {
  const ParenthesisedCodeReply lettre = read_parenthesised_code("permanent error (550): 5.4.6 Email was forwarded");
  EXPECT_EQ(lettre.code, 550);
  EXPECT_EQ(lettre.text, "5.4.6 Email was forwarded");
  EXPECT_EQ(read_parenthesised_code("  Transient Error (451): 4.3.5 Server configuration error").code, 451);
  EXPECT_EQ(read_parenthesised_code("SMTP Error (550): 550 5.1.1 User unknown").text, "550 5.1.1 User unknown");
  for (std::string_view none : {"permanent error (55): x", "permanent error (650): x", "permanent error (550)",
                                "an SMTP Error (550): x", "permanent error (5x0): x", ""}) {
    EXPECT_EQ(read_parenthesised_code(none).code, 0) << none;
  }
}

// A text with no reply code is no reply; codeless_diagnostic() gives the text for the text rules.
TEST(BareReplyCodeless, CodelessTextIsNoReplyButADiagnostic) {
  struct Case {
    std::string_view text;
    std::string_view diagnostic;
  };
  const Case cases[] = {
      // Postfix smtp_addr.c (vdukhovni/postfix@17830e5c)
      {"mail for example.com loops back to myself", "mail for example.com loops back to myself"},
      // Postfix bounce DSN, X-Postfix diagnostic type
      {"Diagnostic-Code: X-Postfix; Host or domain name not found. Name service error for name=x.example type=MX: "
       "Host not found  ",
       "Host or domain name not found. Name service error for name=x.example type=MX: Host not found"},
      // Exim deliver.c (Exim/exim@13835a3c)
      {"retry timeout exceeded ", "retry timeout exceeded"},
      // any diagnostic type (RFC 3464 section 2.3.6)
      {"X-Notes; Error transferring to x.example; Maximum hop count exceeded.",
       "Error transferring to x.example; Maximum hop count exceeded."},
      {"X-Postfix; lost connection with mx.example.com[192.0.2.1] while performing the HELO handshake",
       "lost connection with mx.example.com[192.0.2.1] while performing the HELO handshake"},
      {"smtp; ", ""},
      // Postfix qmgr_deliver.c SUSPENDED: the reason names the host, yet it is the whole diagnostic
      {"delivery temporarily suspended: connect to mx.example.com[192.0.2.1]:25: Connection timed out",
       "delivery temporarily suspended: connect to mx.example.com[192.0.2.1]:25: Connection timed out"},
      // Sendmail's "Deferred: " prefix (contrib/sendmail/src/domain.c, freebsd/freebsd-src@125167ce)
      {"Deferred: Connection timed out with mx.example.com.", "Deferred: Connection timed out with mx.example.com."},
      // A bracketed address is no mark of a log line: Postfix's own diagnostics name the server by it
      // (smtp_connect.c "connect to %s[%s]:%d: %m", smtp_trouble.c "lost connection with %s while %s",
      // "conversation with %s timed out while %s", vdukhovni/postfix@17830e5c); Sendmail's check_rcpt text
      // (cf/m4/proto.m4, freebsd/freebsd-src contrib/sendmail) names the client's.
      {"connect to mx.example.com[192.0.2.1]:25: Connection timed out",
       "connect to mx.example.com[192.0.2.1]:25: Connection timed out"},
      {"lost connection with mx.example.com[192.0.2.1] while receiving the initial server greeting",
       "lost connection with mx.example.com[192.0.2.1] while receiving the initial server greeting"},
      {"conversation with mx.example.com[192.0.2.1] timed out while sending RCPT TO",
       "conversation with mx.example.com[192.0.2.1] timed out while sending RCPT TO"},
      {"Relaying denied. IP name lookup failed [192.0.2.1]", "Relaying denied. IP name lookup failed [192.0.2.1]"},
      // A word a bounce labels its text with is no mark of a log line.
      {"Reason: mailbox full", "Reason: mailbox full"},
      {"- The recipient's mailbox is full", "- The recipient's mailbox is full"},
      // An acronym naming the topic is no log label (Yandex's "DNS: no such domain"); a long one is ("NOQUEUE:").
      {"DNS: no such domain", "DNS: no such domain"},
      {"Error: too many recipients", "Error: too many recipients"},
      // Log lines whose header no parser took are not diagnostics given on their own.
      {"2013-06-10 10:10:59 H=x.example [192.0.2.1] sender verify fail for <a@b.example>: Unrouteable address", ""},
      {"Oct 14 19:45:05 [exim] LOGIN authenticator failed for (localhost) [192.0.2.1]", ""},
      {"Jul-29-16 16:49:52 m1-25391-06124 [Worker_1] relay attempt blocked for: a@b.example", ""},
      {"B99FE3D: lost connection with mx.example.com[192.0.2.1] while receiving the initial server greeting", ""},
      {"warning: uid=0: File too large", ""},
      {"mail.example.com exim[3751842]: 2021-07-17 23:20:49 plain_server authenticator failed", ""},
      {"pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot", ""},
      {"  integer \"4000000000000000.123\" is too large (overflow)", ""},
      {"[17/Jun/2011 17:00:45] Attempt to deliver to unknown recipient <a@b.example>", ""},
      {"10/06/2013 10:10:59 delivery to a@b.example failed: mailbox full", ""},
      {"20130610 101059 delivery failed: mailbox full", ""},
      {"{\"msg\":\"delivery failed: mailbox full\"}", ""},
      {"\"ERROR\"\tmailbox quota exceeded", ""},
      {"** a@b.example R=dnslookup: Unrouteable address", ""},
      {"INFO: delivery failed: mailbox full", ""},
      {"1", ""},
      {"12", ""},
      {"17.06.11 10:10 mailbox full", ""},
      {"1370851859.123 mailbox full", ""},
      {"<22>delivery failed: mailbox full", ""},
      {"Fatal: mailbox full", ""},
      {"dovecot: lmtp(a): Error: quota exceeded", ""},
  };
  for (const Case& c : cases) {
    SmtpEvent event;
    EXPECT_FALSE(read_bare_reply(c.text, event)) << c.text;
    EXPECT_EQ(codeless_diagnostic(c.text), c.diagnostic);
  }
}

// Postfix's bounce report puts each recipient before its diagnostic, "<%s>: %s" (bounce_recipient_log(),
// postfix/src/bounce/bounce_notify_util.c, vdukhovni/postfix@0bf8270b): the reply or diagnostic is read after it.
TEST(BareReplyRecipient, PostfixBounceReportLine) {
  SmtpEvent event;
  ASSERT_TRUE(
      read_bare_reply("<user@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 No such user (in "
                      "reply to RCPT TO command)",
                      event));
  EXPECT_EQ(event.reply, "550 5.1.1 No such user");
  EXPECT_EQ(event.stage, Stage::rcpt);
  EXPECT_EQ(event.remote_host, "mx.example.com");
  SmtpEvent plain;
  ASSERT_TRUE(read_bare_reply("<user@example.com>: 550 unknown user", plain));
  EXPECT_EQ(plain.reply, "550 unknown user");
  EXPECT_EQ(codeless_diagnostic("<root>: mail for example.com loops back to myself"),
            "mail for example.com loops back to myself");
  // Not a recipient: empty, or with blanks inside the brackets.
  SmtpEvent none;
  EXPECT_FALSE(read_bare_reply("<>: 550 unknown user", none));
  EXPECT_FALSE(read_bare_reply("<a b>: 550 unknown user", none));
  EXPECT_EQ(codeless_diagnostic("<a b>: mailbox full"), "");
}

}  // namespace
}  // namespace mta
