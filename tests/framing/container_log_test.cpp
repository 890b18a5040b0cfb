#include "framing/container_log.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/collect.hpp"

namespace mta {
namespace {

using test::Collect;

TEST(ContainerLogTest, PlainPassesLinesThrough) {
  Collect out;
  ContainerLogDecoder decoder(LogFormat::plain, out);
  decoder.on_line("Mar  4 00:00:00 mx1 postfix/smtp[1]: x");
  EXPECT_EQ(out.lines, std::vector<std::string>{"Mar  4 00:00:00 mx1 postfix/smtp[1]: x"});
}

TEST(ContainerLogTest, DockerJsonIsDecodedAndPartialRecordsJoined) {
  Collect out;
  ContainerLogDecoder decoder(LogFormat::docker, out);
  decoder.on_line(
      R"({"log":"Mar  4 00:00:00 mx1 postfix/smtpd[1]: NOQUEUE: reject: \"quoted\" \\ tab\t\u00e9\n","stream":"stdout","time":"2026-11-24T10:00:00Z"})");
  decoder.on_line(R"({"log":"first half, ","stream":"stdout","time":"2026-11-24T10:00:01Z"})");
  decoder.on_line(R"({"log":"second half\r\n","stream":"stdout","time":"2026-11-24T10:00:01Z"})");
  decoder.on_line("not json at all");
  decoder.on_line(R"({"log":"unterminated)");
  ASSERT_EQ(out.lines.size(), 2u);
  EXPECT_EQ(out.lines[0], "Mar  4 00:00:00 mx1 postfix/smtpd[1]: NOQUEUE: reject: \"quoted\" \\ tab\t\xc3\xa9");
  EXPECT_EQ(out.lines[1], "first half, second half");
  EXPECT_EQ(decoder.malformed(), 2u);
}

TEST(ContainerLogTest, CriPartialAndFullRecords) {
  Collect out;
  ContainerLogDecoder decoder(LogFormat::cri, out);
  decoder.on_line("2016-10-06T00:17:09.669794202Z stdout P Mar  4 00:00:00 mx1 postfix/smtp[1]: ");
  decoder.on_line("2016-10-06T00:17:09.669794203Z stdout F status=sent");
  decoder.on_line("2016-10-06T00:17:10.000000000Z stderr F a whole line");
  decoder.on_line("2016-10-06T00:17:10.000000000Z stdout F");
  decoder.on_line("garbage");
  EXPECT_EQ(out.lines,
            (std::vector<std::string>{"Mar  4 00:00:00 mx1 postfix/smtp[1]: status=sent", "a whole line", ""}));
  EXPECT_EQ(decoder.malformed(), 1u);
}

TEST(ContainerLogTest, JoinedLinesAreBounded) {
  Collect out;
  ContainerLogDecoder decoder(LogFormat::cri, out, 16);
  decoder.on_line("t stdout P 0123456789");
  decoder.on_line("t stdout P 0123456789");  // over 16 bytes: the line is dropped...
  decoder.on_line("t stdout F tail");        // ...up to its last record
  decoder.on_line("t stdout F ok");
  EXPECT_EQ(out.lines, std::vector<std::string>{"ok"});
  EXPECT_EQ(decoder.lines_too_long(), 1u);
  EXPECT_EQ(decoder.malformed(), 0u);
}

}  // namespace
}  // namespace mta
