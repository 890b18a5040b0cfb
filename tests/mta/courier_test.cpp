// Tests for the Courier ESMTP server's error lines (src/mta/courier.hpp). The corpus holds four
// (courier-fail2ban.log); the other lines follow the formats of iov_logerror() and print_submit_log_fix() in
// courier/courier/module.esmtp/courieresmtpd.C (svarshavchik/courier@fe506ccc), as the comment next to each says.

#include "mta/courier.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "event_case.hpp"
#include "mta/mta_parsers.hpp"
#include "support/case_name.hpp"

namespace mta {
namespace {

using test::EventCase;

class CourierEventTest : public ::testing::TestWithParam<EventCase> {};

TEST_P(CourierEventTest, ReadsEvent) { test::expect_event(GetParam(), Mta::generic); }

const EventCase kEventCases[] = {
    {.name = "submit_error_recipient_unknown",
     // courier-fail2ban.log (no port: an older release)
     .line = "Apr 10 03:47:57 web courieresmtpd: error,relay=::ffff:1.2.3.4,ident=tmf,from=<tmf@example.com>,"
             "to=<mailman-subscribe@example.com>: 550 User unknown.",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "550 User unknown."},
    {.name = "auth_failed_after_base64_line",
     // courier-fail2ban.log: the client's last line is its base64 answer to AUTH LOGIN
     .line =
         R"~(Jul  3 23:07:20 szerver courieresmtpd: error,relay=::ffff:1.2.3.4,msg="535 Authentication failed.",cmd: YWRvYmVhZG9iZQ==)~",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 Authentication failed."},
    {.name = "auth_failed_names_the_mechanism",
     // courier-fail2ban.log
     .line =
         R"~(Aug 14 12:51:05 mail.server courieresmtpd[425070]: error,relay=::ffff:192.0.2.3,port=43632,msg="535 Authentication failed.",cmd: AUTH LOGIN PlcmSpIp@example.com)~",
     .status = Status::auth_failed,
     .direction = Direction::inbound,
     .stage = Stage::auth,
     .reply = "535 Authentication failed.",
     .mechanism = "LOGIN"},
    {.name = "error_reply_to_rcpt_command",
     // iov_logerror() with a quoted ident
     .line =
         R"~(Aug 14 12:51:05 mx courieresmtpd: error,relay=::ffff:192.0.2.3,port=43632,ident="joe",msg="513 Relaying denied.",cmd: RCPT TO:<a@example.org>)~",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::rcpt,
     .reply = "513 Relaying denied."},
    {.name = "temporary_error_to_mail_command",
     // iov_logerror()
     .line =
         R"~(Aug 14 12:51:05 mx courieresmtpd: error,relay=::ffff:192.0.2.3,port=43632,msg="451 Temporary failure, try again later.",cmd: MAIL FROM:<x@example.net>)~",
     .status = Status::rejected_temporarily,
     .direction = Direction::inbound,
     .stage = Stage::mail,
     .reply = "451 Temporary failure, try again later."},
    {.name = "submit_error_sender_only",
     // print_submit_log_fix() before any recipient: the sender alone
     .line = "Aug 14 12:51:05 mx courieresmtpd: error,relay=::ffff:192.0.2.3,port=43632,from=<x@example.net>: "
             "517 Invalid domain, see <URL:http://www.example.com/>",
     .status = Status::rejected,
     .direction = Direction::inbound,
     .stage = Stage::mail,
     .reply = "517 Invalid domain, see <URL:http://www.example.com/>"},
};

INSTANTIATE_TEST_SUITE_P(Lines, CourierEventTest, ::testing::ValuesIn(kEventCases), test::CaseName());

TEST(CourierTest, OtherLinesAreNoEvent) {
  SmtpEvent event;
  EXPECT_EQ(parse_log_line("Aug 14 12:51:05 mx courieresmtpd: started,ip=[::ffff:192.0.2.3],port=[43632]", event),
            ParseOutcome::ignored);
  // An error line without a reply code is an outcome the parser could not read.
  EXPECT_EQ(
      parse_log_line(R"~(Aug 14 12:51:05 mx courieresmtpd: error,relay=::ffff:192.0.2.3,msg="broken",cmd: X)~", event),
      ParseOutcome::unmatched);
}

// The client writes the command and the addresses: whatever they hold, the reply and the stage are read where
// Courier puts them.
TEST(CourierTest, ClientTextDoesNotMoveTheReply) {
  SmtpEvent event;
  ASSERT_EQ(
      parse_log_line(
          R"~(Aug 14 12:51:05 mx courieresmtpd: error,relay=::ffff:192.0.2.3,port=1,msg="550 User unknown.",cmd: RCPT TO:<",cmd: AUTH x>: 235 ok>)~",
          event),
      ParseOutcome::event);
  EXPECT_EQ(event.reply, "550 User unknown.");
  EXPECT_EQ(event.stage, Stage::rcpt);
  // MAIL FROM:<"a,to=<b>: 250 ok"@x.example>, as set_submit_error() logs it: '<', '>' and ':' inside become blanks
  ASSERT_EQ(parse_log_line("Aug 14 12:51:05 mx courieresmtpd: error,relay=::ffff:192.0.2.3,port=1,"
                           "from=<\"a,to= b   250 ok\"@x.example>,to=<c@example.org>: 550 User unknown.",
                           event),
            ParseOutcome::event);
  EXPECT_EQ(event.reply, "550 User unknown.");
  EXPECT_EQ(event.stage, Stage::rcpt);
}

// The client is Courier's own relay= (TCPREMOTEIP); the recipient the to=<> of a submit error, whose '<', '>' and ':'
// inside set_submit_error() blanks.
using test::WhoCase;

class CourierWhoTest : public ::testing::TestWithParam<WhoCase> {};

TEST_P(CourierWhoTest, ReadsRecipientAndClient) { test::expect_whom(GetParam()); }

const WhoCase kWhoCases[] = {
    // courier-fail2ban.log
    {"submit_error",
     "Apr 10 03:47:57 web courieresmtpd: error,relay=::ffff:1.2.3.4,ident=tmf,"
     "from=<tmf@example.com>,to=<mailman-subscribe@example.com>: 550 User unknown.",
     "mailman-subscribe@example.com", "::ffff:1.2.3.4"},
    // courier-fail2ban.log: an AUTH failure names no recipient
    {"auth_failure",
     R"~(Aug 14 12:51:05 mail.server courieresmtpd[425070]: error,relay=::ffff:192.0.2.3,port=43632,msg="535 Authentication failed.",cmd: AUTH LOGIN PlcmSpIp@example.com)~",
     "", "::ffff:192.0.2.3"},
    // courier-fail2ban.log: the null recipient
    {"null_recipient",
     "Nov 21 23:16:17 server courieresmtpd: error,relay=::ffff:1.2.3.4,from=<>,to=<>: 550 User unknown.", "",
     "::ffff:1.2.3.4"},
    // hostile: a sender with a to= of its own (its '<' blanked) and a quoted recipient with blanks
    {"sender_with_a_to_of_its_own",
     "Aug 14 12:51:05 mx courieresmtpd: error,relay=::ffff:192.0.2.3,port=1,"
     "from=<\"a,to= b   250 ok\"@x.example>,to=<\"c d  550 x\"@example.org>: 550 User unknown.",
     "\"c d  550 x\"@example.org", "::ffff:192.0.2.3"},
};

INSTANTIATE_TEST_SUITE_P(Lines, CourierWhoTest, ::testing::ValuesIn(kWhoCases), test::CaseName());

// hostile: a recipient whose '>' is missing leaves no reply to read
TEST(CourierTest, ARecipientWithoutItsBracketLeavesNoReply) {
  SmtpEvent event;
  EXPECT_EQ(parse_log_line("Aug 14 12:51:05 mx courieresmtpd: error,relay=::ffff:192.0.2.3,port=1,from=<a@b>,"
                           "to=<c@example.org: 550 User unknown.",
                           event),
            ParseOutcome::unmatched);
}

}  // namespace
}  // namespace mta
