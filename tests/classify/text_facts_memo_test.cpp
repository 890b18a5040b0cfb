#include "classify/text_facts_memo.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mta {
namespace {

int find(const TextFactsMemo& memo, const std::string& text, Stage stage, TextFact fact) {
  const TextFacts* facts = memo.find(TextKey(text, stage));
  return facts != nullptr ? facts->find(fact) : TextFactsMemo::kUnknown;
}

void remember(TextFactsMemo& memo, const std::string& text, Stage stage, TextFact fact, int value) {
  if (TextFacts* facts = memo.facts_of(TextKey(text, stage))) facts->remember(fact, value);
}

const Decision* find_decision(const TextFactsMemo& memo, const TextKey& key, DecisionContext context) {
  const TextFacts* facts = memo.find(key);
  return facts != nullptr ? facts->decision_in(context) : nullptr;
}

void remember_decision(TextFactsMemo& memo, const TextKey& key, DecisionContext context, const Decision& decision) {
  if (TextFacts* facts = memo.facts_of(key)) facts->remember_decision(context, decision);
}

TEST(TextFactsMemoTest, RemembersEachFactOfATextAtItsStage) {
  TextFactsMemo memo;
  const std::string text = "550 5.1.1 <addr>: recipient address rejected: user unknown";
  EXPECT_EQ(find(memo, text, Stage::rcpt, TextFact::strong_text_group), TextFactsMemo::kUnknown);
  remember(memo, text, Stage::rcpt, TextFact::strong_text_group, 7);
  EXPECT_EQ(find(memo, text, Stage::rcpt, TextFact::strong_text_group), 7);
  // The weak tier was not searched, nor the provider markers.
  EXPECT_EQ(find(memo, text, Stage::rcpt, TextFact::weak_text_group), TextFactsMemo::kUnknown);
  EXPECT_EQ(find(memo, text, Stage::rcpt, TextFact::provider_by_marker), TextFactsMemo::kUnknown);
  remember(memo, text, Stage::rcpt, TextFact::weak_text_group, -1);
  remember(memo, text, Stage::rcpt, TextFact::provider_by_marker, 0);
  EXPECT_EQ(find(memo, text, Stage::rcpt, TextFact::weak_text_group), -1);  // searched, nothing decides
  EXPECT_EQ(find(memo, text, Stage::rcpt, TextFact::provider_by_marker), 0);
  EXPECT_EQ(find(memo, text, Stage::rcpt, TextFact::provider_by_wording), TextFactsMemo::kUnknown);
  EXPECT_EQ(find(memo, text, Stage::rcpt, TextFact::strong_text_group), 7);
  // Stage conditions make the same text decide differently at another stage.
  EXPECT_EQ(find(memo, text, Stage::mail, TextFact::strong_text_group), TextFactsMemo::kUnknown);
  EXPECT_EQ(find(memo, text + " ", Stage::rcpt, TextFact::strong_text_group), TextFactsMemo::kUnknown);
  EXPECT_EQ(find(memo, text.substr(0, 20), Stage::rcpt, TextFact::strong_text_group), TextFactsMemo::kUnknown);
}

TEST(TextFactsMemoTest, RemembersADecisionInItsContextOnly) {
  TextFactsMemo memo;
  const std::string text = "<addr>: recipient address rejected: user unknown";
  const TextKey key(text, Stage::rcpt);
  EXPECT_EQ(find_decision(memo, key, 1), nullptr);
  remember_decision(memo, key, 1, Decision{Cause::mailbox_unknown, Tier::strong_text, "T19", "taxonomy"});
  const Decision* found = find_decision(memo, key, 1);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->cause, Cause::mailbox_unknown);
  EXPECT_EQ(found->tier, Tier::strong_text);
  EXPECT_EQ(found->rule, "T19");
  EXPECT_EQ(found->source, "taxonomy");
  EXPECT_EQ(find_decision(memo, key, 2), nullptr);                               // another context
  EXPECT_EQ(find_decision(memo, TextKey(text, Stage::mail), 1), nullptr);        // another stage
  EXPECT_EQ(find_decision(memo, TextKey(text + "!", Stage::rcpt), 1), nullptr);  // another text
  // The text keeps the last context's decision, and its other facts.
  remember(memo, text, Stage::rcpt, TextFact::strong_text_group, 4);
  remember_decision(memo, key, 2, Decision{Cause::other, Tier::basic_code, {}, {}});
  EXPECT_EQ(find_decision(memo, key, 1), nullptr);
  ASSERT_NE(find_decision(memo, key, 2), nullptr);
  EXPECT_EQ(find_decision(memo, key, 2)->rule, "");
  EXPECT_EQ(find(memo, text, Stage::rcpt, TextFact::strong_text_group), 4);
  // Asking again for a text's facts keeps what is known of it.
  ASSERT_NE(memo.facts_of(key), nullptr);
  EXPECT_EQ(memo.facts_of(key)->find(TextFact::strong_text_group), 4);
  ASSERT_NE(memo.facts_of(key)->decision_in(2), nullptr);
  // A text too long for the memo has no facts and is never remembered.
  const std::string longest(1001, 'z');
  EXPECT_EQ(memo.facts_of(TextKey(longest, Stage::rcpt)), nullptr);
  remember_decision(memo, TextKey(longest, Stage::rcpt), 1, Decision{});
  EXPECT_EQ(find_decision(memo, TextKey(longest, Stage::rcpt), 1), nullptr);
}

TEST(TextFactsMemoTest, ATextTakingASlotBringsNoDecisionOfTheOldOne) {
  TextFactsMemo memo;
  const auto key = [](const std::string& text) { return TextKey(text, Stage::rcpt); };
  for (int i = 0; i < 20000; ++i) {
    const std::string text = "reply " + std::to_string(i);
    remember_decision(memo, key(text), 7, Decision{Cause::quota, Tier::strong_text, "T15", {}});
  }
  // Texts that only learn facts take every slot over: none of them has a decision.
  for (int i = 20000; i < 40000; ++i) {
    const std::string text = "reply " + std::to_string(i);
    remember(memo, text, Stage::rcpt, TextFact::weak_text_group, 1);
  }
  for (int i = 20000; i < 40000; ++i) {
    const std::string text = "reply " + std::to_string(i);
    EXPECT_EQ(find_decision(memo, key(text), 7), nullptr) << i;
  }
}

TEST(TextFactsMemoTest, ATextTakingTheSameSlotReplacesTheOldOneWhole) {
  TextFactsMemo memo;
  // More texts than slots: every text is either remembered right or not at all, never another's facts.
  for (int i = 0; i < 20000; ++i) {
    remember(memo, "reply " + std::to_string(i), Stage::rcpt, TextFact::strong_text_group, i % 1000);
  }
  remember(memo, "reply 19999", Stage::rcpt, TextFact::weak_text_group, 5);
  remember(memo, "a newcomer", Stage::rcpt, TextFact::weak_text_group, 6);
  int remembered = 0;
  for (int i = 0; i < 20000; ++i) {
    const int found = find(memo, "reply " + std::to_string(i), Stage::rcpt, TextFact::strong_text_group);
    if (found != TextFactsMemo::kUnknown) {
      EXPECT_EQ(found, i % 1000) << i;
      ++remembered;
    }
  }
  EXPECT_GT(remembered, 0);
  EXPECT_LE(remembered, 4096);
  EXPECT_EQ(find(memo, "a newcomer", Stage::rcpt, TextFact::strong_text_group), TextFactsMemo::kUnknown);
}

TEST(TextFactsMemoTest, AThousandRepliesInTurnAreAllRemembered) {
  // A log cycling through a thousand distinct replies: with sets of several ways no reply keeps evicting
  // another whose hash meets it (4096 direct-mapped slots lost 132 of them).
  TextFactsMemo memo;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 1000; ++i) {
      remember(memo, "550 reply " + std::to_string(i), Stage::rcpt, TextFact::strong_text_group, i % 100);
    }
  }
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(find(memo, "550 reply " + std::to_string(i), Stage::rcpt, TextFact::strong_text_group), i % 100) << i;
  }
}

TEST(TextFactsMemoTest, LongRepliesAreRememberedInTheirOwnTable) {
  TextFactsMemo memo;
  const std::string long_text(400, 'x');  // Gmail's and Microsoft's replies run this long
  remember(memo, long_text, Stage::data, TextFact::strong_text_group, 3);
  EXPECT_EQ(find(memo, long_text, Stage::data, TextFact::strong_text_group), 3);
  EXPECT_EQ(find(memo, long_text.substr(0, 232), Stage::data, TextFact::strong_text_group), TextFactsMemo::kUnknown);
  const std::string longest(1000, 'y');
  remember(memo, longest, Stage::data, TextFact::weak_text_group, 4);
  EXPECT_EQ(find(memo, longest, Stage::data, TextFact::weak_text_group), 4);
}

TEST(TextFactsMemoTest, VeryLongTextsAreNotRemembered) {
  TextFactsMemo memo;
  const std::string text(1001, 'x');
  remember(memo, text, Stage::data, TextFact::strong_text_group, 3);
  EXPECT_EQ(find(memo, text, Stage::data, TextFact::strong_text_group), TextFactsMemo::kUnknown);
}

TEST(TextFactsMemoTest, AnEmptyTextIsNoHitInAFreshSlot) {
  const TextFactsMemo memo;
  EXPECT_EQ(find(memo, "", Stage::unknown, TextFact::strong_text_group), TextFactsMemo::kUnknown);
}

}  // namespace
}  // namespace mta
