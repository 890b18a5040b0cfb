#include "classify/site_rules.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "classify/classifier.hpp"
#include "config/config.hpp"

namespace mta {
namespace {

SmtpEvent outbound(std::string_view reply, std::string_view host = "mx.example.net") {
  SmtpEvent event;
  event.direction = Direction::outbound;
  event.status = Status::bounced;
  event.reply = reply;
  event.remote_host = host;
  return event;
}

TEST(SiteRulesTest, RunBeforeEveryBuiltInTierAndSetTheProvider) {
  SiteRules rules;
  rules.push_back(compile_site_rule({.name = "partner-full",
                                     .cause = "quota",
                                     .set_provider = "google",
                                     .text = "mailbox (?:is )?full",
                                     .direction = "outbound"}));
  Classifier classifier(Knowledge::builtin(), &rules);
  // Built in, "blocked using zen.spamhaus.org" would be blocklist (T01); the site rule comes first.
  const Verdict verdict = classifier.classify(outbound("550 5.7.1 mailbox is full, blocked using zen.spamhaus.org"));
  EXPECT_EQ(verdict.cause, Cause::quota);
  EXPECT_EQ(verdict.tier, Tier::site);
  EXPECT_EQ(verdict.rule, "partner-full");
  EXPECT_EQ(Knowledge::builtin().provider_name(verdict.provider), "google");
}

// A site rule reads the addresses a reply echoes, which the built-in rules read masked ("0.0.0.0").
TEST(SiteRulesTest, TextSeesIpAddresses) {
  SiteRules rules;
  rules.push_back(
      compile_site_rule({.name = "our-relay", .cause = "relay_denied", .text = "relay \\[10\\.1\\.2\\.3\\]"}));
  Classifier classifier(Knowledge::builtin(), &rules);
  EXPECT_EQ(classifier.classify(outbound("550 5.7.1 relay [10.1.2.3] refused you")).rule, "our-relay");
  EXPECT_NE(classifier.classify(outbound("550 5.7.1 relay [10.1.2.4] refused you")).rule, "our-relay");
  // The other way round: the two texts are one once their addresses are masked, and the classifier remembers how the
  // first was decided; the site rules still see the second first.
  Classifier reversed(Knowledge::builtin(), &rules);
  EXPECT_NE(reversed.classify(outbound("550 5.7.1 relay [10.1.2.4] refused you")).rule, "our-relay");
  EXPECT_EQ(reversed.classify(outbound("550 5.7.1 relay [10.1.2.3] refused you")).rule, "our-relay");
  EXPECT_NE(reversed.classify(outbound("550 5.7.1 relay [10.1.2.4] refused you")).rule, "our-relay");
}

TEST(SiteRulesTest, AllConditionsMustHold) {
  SiteRules rules;
  rules.push_back(compile_site_rule({.name = "inbound-only",
                                     .cause = "policy",
                                     .code = "550",
                                     .enhanced_code = "x.7.*",
                                     .direction = "inbound",
                                     .mta = "exim"}));
  Classifier classifier(Knowledge::builtin(), &rules);
  SmtpEvent event = outbound("550 5.7.1 rejected");
  EXPECT_NE(classifier.classify(event).tier, Tier::site);  // direction differs
  event.direction = Direction::inbound;
  EXPECT_NE(classifier.classify(event).tier, Tier::site);  // mta differs (postfix)
  event.mta = Mta::exim;
  EXPECT_EQ(classifier.classify(event).tier, Tier::site);
  event.reply = "550 5.1.1 rejected";
  EXPECT_NE(classifier.classify(event).tier, Tier::site);  // enhanced code outside x.7.*
}

TEST(SiteRulesTest, NeverApplyToSuccess) {
  SiteRules rules;
  rules.push_back(compile_site_rule({.name = "any-ok", .cause = "spam", .text = "ok"}));
  Classifier classifier(Knowledge::builtin(), &rules);
  SmtpEvent event = outbound("250 2.0.0 Ok: queued");
  event.status = Status::sent;
  EXPECT_EQ(classifier.classify(event).cause, Cause::none);
}

TEST(SiteRulesTest, InvalidRulesAreRejectedWithTheKey) {
  const auto message_of = [](SiteRuleSpec spec) -> std::string {
    try {
      compile_site_rule(spec);
    } catch (const std::invalid_argument& error) {
      return error.what();
    }
    return "accepted";
  };
  EXPECT_EQ(message_of({.cause = "quota"}).substr(0, 6), "match:");
  EXPECT_EQ(message_of({.cause = "frobnicate", .code = "550"}).substr(0, 6), "cause:");
  EXPECT_EQ(message_of({.cause = "none", .code = "550"}).substr(0, 6), "cause:");
  EXPECT_EQ(message_of({.cause = "spam", .text = "(unclosed"}).substr(0, 11), "match.text:");
  EXPECT_EQ(message_of({.cause = "spam", .code = "650"}).substr(0, 11), "match.code:");
  EXPECT_EQ(message_of({.cause = "spam", .enhanced_code = "5.7"}).substr(0, 20), "match.enhanced_code:");
  EXPECT_EQ(message_of({.cause = "spam", .direction = "sideways"}).substr(0, 16), "match.direction:");
  EXPECT_EQ(message_of({.cause = "spam", .mta = "qmail"}).substr(0, 10), "match.mta:");
  EXPECT_EQ(message_of({.cause = "spam", .provider = "nobody"}).substr(0, 15), "match.provider:");
  EXPECT_EQ(message_of({.cause = "spam", .set_provider = "nobody", .code = "550"}).substr(0, 9), "provider:");
}

TEST(SiteRulesTest, ConfigErrorsNameFileLineAndRule) {
  const std::string text =
      "[[rule]]\nname = \"ok\"\ncause = \"spam\"\n[rule.match]\ncode = \"550\"\n\n"
      "[[rule]]\nname = \"broken\"\ncause = \"spam\"\n[rule.match]\ntext = \"(unclosed\"\n";
  try {
    parse_config(text, "/etc/mta.toml");
    FAIL() << "accepted an invalid regular expression";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("/etc/mta.toml:11:"), std::string::npos) << message;
    EXPECT_NE(message.find("rule[1] \"broken\".match.text"), std::string::npos) << message;
  }
  const Config config = parse_config(text.substr(0, text.find("\n\n")), "/etc/mta.toml");
  ASSERT_EQ(config.site_rules->size(), 1u);
  EXPECT_EQ(config.site_rules->front().name, "ok");
  EXPECT_EQ(config.site_rules->front().basic, 550);
}

}  // namespace
}  // namespace mta
