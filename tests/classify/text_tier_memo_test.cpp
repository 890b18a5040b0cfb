#include "classify/text_tier_memo.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mta {
namespace {

TEST(TextTierMemoTest, RemembersEachTierOfATextAtItsStage) {
  TextTierMemo memo;
  const std::string text = "550 5.1.1 <addr>: recipient address rejected: user unknown";
  EXPECT_EQ(memo.find(text, Stage::rcpt, 0), TextTierMemo::kUnknown);
  memo.remember(text, Stage::rcpt, 0, 7);
  EXPECT_EQ(memo.find(text, Stage::rcpt, 0), 7);
  EXPECT_EQ(memo.find(text, Stage::rcpt, 1), TextTierMemo::kUnknown);  // the weak tier was not searched
  memo.remember(text, Stage::rcpt, 1, -1);
  EXPECT_EQ(memo.find(text, Stage::rcpt, 1), -1);  // searched, nothing decides
  EXPECT_EQ(memo.find(text, Stage::rcpt, 0), 7);
  // Stage conditions make the same text decide differently at another stage.
  EXPECT_EQ(memo.find(text, Stage::mail, 0), TextTierMemo::kUnknown);
  EXPECT_EQ(memo.find(text + " ", Stage::rcpt, 0), TextTierMemo::kUnknown);
  EXPECT_EQ(memo.find(text.substr(0, 20), Stage::rcpt, 0), TextTierMemo::kUnknown);
}

TEST(TextTierMemoTest, ATextTakingTheSameSlotReplacesTheOldOneWhole) {
  TextTierMemo memo;
  // More texts than slots: every text is either remembered right or not at all, never another's group.
  for (int i = 0; i < 20000; ++i) memo.remember("reply " + std::to_string(i), Stage::rcpt, 0, i % 1000);
  int remembered = 0;
  for (int i = 0; i < 20000; ++i) {
    const int found = memo.find("reply " + std::to_string(i), Stage::rcpt, 0);
    if (found != TextTierMemo::kUnknown) {
      EXPECT_EQ(found, i % 1000) << i;
      ++remembered;
    }
  }
  EXPECT_GT(remembered, 0);
  EXPECT_LE(remembered, 4096);
}

TEST(TextTierMemoTest, AThousandRepliesInTurnAreAllRemembered) {
  // A log cycling through a thousand distinct replies: with sets of several ways no reply keeps evicting
  // another whose hash meets it (4096 direct-mapped slots lost 132 of them).
  TextTierMemo memo;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 1000; ++i) memo.remember("550 reply " + std::to_string(i), Stage::rcpt, 0, i % 100);
  }
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(memo.find("550 reply " + std::to_string(i), Stage::rcpt, 0), i % 100) << i;
}

TEST(TextTierMemoTest, LongRepliesAreRememberedInTheirOwnTable) {
  TextTierMemo memo;
  const std::string long_text(400, 'x');  // Gmail's and Microsoft's replies run this long
  memo.remember(long_text, Stage::data, 0, 3);
  EXPECT_EQ(memo.find(long_text, Stage::data, 0), 3);
  EXPECT_EQ(memo.find(long_text.substr(0, 240), Stage::data, 0), TextTierMemo::kUnknown);
}

TEST(TextTierMemoTest, VeryLongTextsAreNotRemembered) {
  TextTierMemo memo;
  const std::string text(2000, 'x');
  memo.remember(text, Stage::data, 0, 3);
  EXPECT_EQ(memo.find(text, Stage::data, 0), TextTierMemo::kUnknown);
}

TEST(TextTierMemoTest, AnEmptyTextIsNoHitInAFreshSlot) {
  const TextTierMemo memo;
  EXPECT_EQ(memo.find("", Stage::unknown, 0), TextTierMemo::kUnknown);
}

}  // namespace
}  // namespace mta
