#pragma once
// What the MTA parser tests (tests/mta/*_test.cpp) share: a log line with the SMTP event a parser should read from
// it, the check that compares every field of that event, and a line a parser should pass over. Each test file keeps
// its own tables of cases:
//
//   class SendmailEventTest : public ::testing::TestWithParam<test::EventCase> {};
//   TEST_P(SendmailEventTest, ReadsEvent) { test::expect_event(GetParam(), Mta::sendmail); }
//   INSTANTIATE_TEST_SUITE_P(Lines, SendmailEventTest, ::testing::ValuesIn(kEventCases), test::CaseName());

#include <gtest/gtest.h>

#include <ostream>
#include <string_view>

#include "mta/mta_parsers.hpp"
#include "smtp/smtp_event.hpp"
#include "support/case_name.hpp"

namespace mta::test {

// A log line and the event expected from it. A field left out expects what a fresh SmtpEvent holds (status none,
// stage unknown, no reply, text, dsn, host or mechanism, delay -1), so a case names what its line carries.
struct EventCase {
  const char* name;
  // Empty: `line` is a whole log line (or a message without syslog header) for parse_log_line(). Set: `line` is
  // a message without syslog header from this program, which the test hands to its MTA's parser itself.
  std::string_view program = {};
  std::string_view line;
  Status status = Status::none;
  Direction direction = Direction::outbound;
  Stage stage = Stage::unknown;
  std::string_view reply = {};
  std::string_view agent_text = {};
  std::string_view dsn = {};
  std::string_view remote_host = {};
  std::string_view mechanism = {};
  double delay_seconds = -1;
  int implied_class = 0;
};

inline void PrintTo(const EventCase& c, std::ostream* os) { *os << c.name; }

// A log line and whom its event concerns (SmtpEvent::recipient and client), for report's tables of domains and hosts.
struct WhoCase {
  const char* name;
  std::string_view line;
  std::string_view recipient;
  std::string_view client;
};

inline void PrintTo(const WhoCase& c, std::ostream* os) { *os << c.name; }

inline void expect_whom(const WhoCase& c) {
  SmtpEvent event;
  ASSERT_EQ(parse_log_line(c.line, event), ParseOutcome::event) << c.line;
  EXPECT_EQ(event.recipient, c.recipient);
  EXPECT_EQ(event.client, c.client);
}

// The fields that expect_event() may leave out, for cases that do not state them.
struct Compared {
  bool remote_host = true;
};

// Expects `event` to be the one `c` describes, read by the parser of `mta`.
inline void expect_event_fields(const SmtpEvent& event, const EventCase& c, Mta mta, Compared compared = {}) {
  EXPECT_EQ(event.mta, mta);
  EXPECT_EQ(event.status, c.status);
  EXPECT_EQ(event.direction, c.direction);
  EXPECT_EQ(event.stage, c.stage);
  EXPECT_EQ(event.reply, c.reply);
  EXPECT_EQ(event.agent_text, c.agent_text);
  EXPECT_EQ(event.dsn, c.dsn);
  if (compared.remote_host) {
    EXPECT_EQ(event.remote_host, c.remote_host);
  }
  EXPECT_EQ(event.mechanism, c.mechanism);
  EXPECT_DOUBLE_EQ(event.delay_seconds, c.delay_seconds);
  EXPECT_EQ(event.implied_class, c.implied_class);
}

// Expects parse_log_line() to read from c.line (c.program empty) the event `c` describes, by the parser of `mta`.
inline void expect_event(const EventCase& c, Mta mta, Compared compared = {}) {
  SmtpEvent event;
  ASSERT_EQ(parse_log_line(c.line, event), ParseOutcome::event) << c.line;
  expect_event_fields(event, c, mta, compared);
}

// A line without an SMTP outcome, which the parsers pass over.
struct IgnoredCase {
  const char* name;
  std::string_view line;
};

inline void PrintTo(const IgnoredCase& c, std::ostream* os) { *os << c.name; }

// What a client or sender may write into a field (an address with a quoted local part, a command, a
// HELO name) holding another field's keywords, named for the test output.
struct HostileValueCase {
  const char* name;
  std::string_view value;
};
using HostileAddressCase = HostileValueCase;

inline void PrintTo(const HostileValueCase& c, std::ostream* os) { *os << c.name; }

}  // namespace mta::test
