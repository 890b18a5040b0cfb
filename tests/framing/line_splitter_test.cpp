// Tests for cutting a byte stream into lines (src/framing/line_splitter.hpp).

#include "framing/line_splitter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace mta {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Feeds chunks and collects the lines handed out.
class Collector {
 public:
  explicit Collector(std::size_t max_line_length = 64 * 1024) : splitter_(max_line_length) {}

  Collector& feed(std::string_view chunk) {
    splitter_.feed(chunk, [this](std::string_view line) { lines_.emplace_back(line); });
    return *this;
  }
  Collector& flush() {
    splitter_.flush([this](std::string_view line) { lines_.emplace_back(line); });
    return *this;
  }

  LineSplitter& splitter() { return splitter_; }
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  LineSplitter splitter_;
  std::vector<std::string> lines_;
};

TEST(LineSplitterTest, SplitsOneChunkIntoLines) {
  Collector c;
  c.feed("first\nsecond\nthird\n");
  EXPECT_THAT(c.lines(), ElementsAre("first", "second", "third"));
  EXPECT_FALSE(c.splitter().has_partial());
}

TEST(LineSplitterTest, EmptyLinesAreLines) {
  Collector c;
  c.feed("\n\na\n\n");
  EXPECT_THAT(c.lines(), ElementsAre("", "", "a", ""));
}

TEST(LineSplitterTest, EmptyChunkDoesNothing) {
  Collector c;
  c.feed("");
  EXPECT_THAT(c.lines(), IsEmpty());
  EXPECT_FALSE(c.splitter().has_partial());
}

TEST(LineSplitterTest, JoinsLinesSplitAcrossChunks) {
  Collector c;
  c.feed("Mar  4 00:00:00 host post").feed("fix/smtpd[1]: hel").feed("lo\nnext");
  EXPECT_THAT(c.lines(), ElementsAre("Mar  4 00:00:00 host postfix/smtpd[1]: hello"));
  EXPECT_TRUE(c.splitter().has_partial());
  c.feed(" line\n");
  EXPECT_THAT(c.lines(), ElementsAre("Mar  4 00:00:00 host postfix/smtpd[1]: hello", "next line"));
  EXPECT_FALSE(c.splitter().has_partial());
}

TEST(LineSplitterTest, EveryChunkBoundaryGivesTheSameLines) {
  const std::string text = "alpha\r\nbeta\n\ngamma delta\nepsilon\n";
  Collector whole;
  whole.feed(text);
  for (std::size_t cut1 = 0; cut1 <= text.size(); ++cut1) {
    for (std::size_t cut2 = cut1; cut2 <= text.size(); ++cut2) {
      Collector c;
      c.feed(std::string_view(text).substr(0, cut1))
          .feed(std::string_view(text).substr(cut1, cut2 - cut1))
          .feed(std::string_view(text).substr(cut2));
      EXPECT_EQ(c.lines(), whole.lines()) << "cuts at " << cut1 << " and " << cut2;
    }
  }
  EXPECT_THAT(whole.lines(), ElementsAre("alpha", "beta", "", "gamma delta", "epsilon"));
}

TEST(LineSplitterTest, OneByteAtATime) {
  const std::string text = "one\ntwo\r\nthree\n";
  Collector c;
  for (char ch : text) c.feed(std::string_view(&ch, 1));
  EXPECT_THAT(c.lines(), ElementsAre("one", "two", "three"));
}

TEST(LineSplitterTest, StripsCrlf) {
  Collector c;
  c.feed("a\r\nb\r\n");
  EXPECT_THAT(c.lines(), ElementsAre("a", "b"));
}

TEST(LineSplitterTest, StripsCrWhenCrAndLfArriveInDifferentChunks) {
  Collector c;
  c.feed("line one\r").feed("\nline two\r\n");
  EXPECT_THAT(c.lines(), ElementsAre("line one", "line two"));
}

TEST(LineSplitterTest, KeepsCrInsideALine) {
  Collector c;
  c.feed("a\rb\n");
  EXPECT_THAT(c.lines(), ElementsAre("a\rb"));
}

TEST(LineSplitterTest, HoldsPartialLineUntilNewline) {
  Collector c;
  c.feed("no newline yet");
  EXPECT_THAT(c.lines(), IsEmpty());
  EXPECT_TRUE(c.splitter().has_partial());
  c.feed(", still none");
  EXPECT_THAT(c.lines(), IsEmpty());
  c.feed("\n");
  EXPECT_THAT(c.lines(), ElementsAre("no newline yet, still none"));
  EXPECT_FALSE(c.splitter().has_partial());
}

TEST(LineSplitterTest, FlushHandsOverPartialLine) {
  Collector c;
  c.feed("complete\npartial\r");
  c.flush();
  EXPECT_THAT(c.lines(), ElementsAre("complete", "partial"));
  EXPECT_FALSE(c.splitter().has_partial());
  c.flush();  // nothing left
  EXPECT_EQ(c.lines().size(), 2u);
}

TEST(LineSplitterTest, FlushWithoutPartialDoesNothing) {
  Collector c;
  c.feed("a\n").flush();
  EXPECT_THAT(c.lines(), ElementsAre("a"));
}

TEST(LineSplitterTest, DiscardPartialForgetsHeldLine) {
  Collector c;
  c.feed("old file tail");
  ASSERT_TRUE(c.splitter().has_partial());
  c.splitter().discard_partial();
  EXPECT_FALSE(c.splitter().has_partial());
  c.feed("new line\n");
  EXPECT_THAT(c.lines(), ElementsAre("new line"));
}

TEST(LineSplitterTest, LineAtTheLimitIsKept) {
  Collector c(10);
  c.feed("0123456789\n");
  c.feed("01234").feed("56789\n");
  EXPECT_THAT(c.lines(), ElementsAre("0123456789", "0123456789"));
  EXPECT_EQ(c.splitter().lines_too_long(), 0u);
}

TEST(LineSplitterTest, OverlongLineInOneChunkIsDroppedAndCounted) {
  Collector c(10);
  c.feed("short\n0123456789A\nafter\n");
  EXPECT_THAT(c.lines(), ElementsAre("short", "after"));
  EXPECT_EQ(c.splitter().lines_too_long(), 1u);
}

TEST(LineSplitterTest, OverlongLineSpanningChunksIsDroppedOnceAndCounted) {
  Collector c(10);
  c.feed("before\n0123456");   // partial, within the limit
  c.feed("789ABCDEF");         // now over the limit: dropped
  c.feed("more of the same");  // still the same line
  c.feed("GHIJ\nafter\n");     // its end, then a normal line
  EXPECT_THAT(c.lines(), ElementsAre("before", "after"));
  EXPECT_EQ(c.splitter().lines_too_long(), 1u);
  EXPECT_FALSE(c.splitter().has_partial());
}

TEST(LineSplitterTest, OverlongWhenTheNewlineArrives) {
  Collector c(10);
  c.feed("01234567");    // partial, within the limit
  c.feed("89AB\nok\n");  // the completed line is 12 bytes
  EXPECT_THAT(c.lines(), ElementsAre("ok"));
  EXPECT_EQ(c.splitter().lines_too_long(), 1u);
}

TEST(LineSplitterTest, OverlongFirstChunkWithoutNewline) {
  Collector c(4);
  c.feed("abcdefgh").feed("ijkl").feed("\nxy\n");
  EXPECT_THAT(c.lines(), ElementsAre("xy"));
  EXPECT_EQ(c.splitter().lines_too_long(), 1u);
}

TEST(LineSplitterTest, CountsEveryOverlongLine) {
  Collector c(3);
  c.feed("aaaa\nbbbbbb\nok\ncccc").feed("cccc\n");
  EXPECT_THAT(c.lines(), ElementsAre("ok"));
  EXPECT_EQ(c.splitter().lines_too_long(), 3u);
}

TEST(LineSplitterTest, DiscardPartialEndsSkippingAnOverlongLine) {
  Collector c(4);
  c.feed("abcdefgh");  // over the limit, skipping until its newline
  c.splitter().discard_partial();
  c.feed("new\n");  // the file was replaced: this is a fresh line
  EXPECT_THAT(c.lines(), ElementsAre("new"));
}

TEST(LineSplitterTest, FlushAfterOverlongPartialHandsOutNothing) {
  Collector c(4);
  c.feed("abcdefgh").flush();
  EXPECT_THAT(c.lines(), IsEmpty());
  c.feed("ok\n");
  EXPECT_THAT(c.lines(), ElementsAre("ok"));
}

TEST(LineSplitterTest, NulBytesPassThrough) {
  Collector c;
  const std::string chunk("a\0b\nc\0\n", 7);
  c.feed(chunk);
  ASSERT_EQ(c.lines().size(), 2u);
  EXPECT_EQ(c.lines()[0], std::string("a\0b", 3));
  EXPECT_EQ(c.lines()[1], std::string("c\0", 2));
}

TEST(LineSplitterTest, InvalidUtf8PassesThrough) {
  Collector c;
  const std::string bad = "caf\xE9 \xC3\x28 \xF0\x28\x8C\xBC \xFF\xFE";
  c.feed(bad + "\n" + "\xEF\xBB\xBF" + "bom\n");
  EXPECT_THAT(c.lines(), ElementsAre(bad,
                                     "\xEF\xBB\xBF"
                                     "bom"));
}

}  // namespace
}  // namespace mta
