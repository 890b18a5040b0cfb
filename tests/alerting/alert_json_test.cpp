// Tests for the agent's alerts as text (src/alerting/alert_json.hpp): Alertmanager's API v2 body, Prometheus'
// /api/v1/alerts and /api/v1/rules answers, JSON strings and RFC 3339 times, and the landing page's HTML table.
// Small alerts are compared with exact text; the bodies of the real rules are checked with a strict JSON reader.

#include "alerting/alert_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/alert_rules.hpp"

namespace mta {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A strict reader of RFC 8259 JSON: true when `text` is one JSON value and nothing else.
class JsonChecker {
 public:
  static bool valid(std::string_view text) {
    JsonChecker checker(text);
    return checker.value() && (checker.skip_space(), checker.pos_ == text.size());
  }

 private:
  explicit JsonChecker(std::string_view text) : text_(text) {}

  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool eat(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  bool string() {
    if (!eat('"')) return false;
    while (pos_ < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (pos_ >= text_.size()) return false;
        const char escaped = text_[pos_++];
        if (escaped == 'u') {
          for (int i = 0; i < 4; ++i) {
            if (pos_ >= text_.size() || !std::isxdigit(static_cast<unsigned char>(text_[pos_++]))) return false;
          }
        } else if (std::string_view("\"\\/bfnrt").find(escaped) == std::string_view::npos) {
          return false;
        }
      }
    }
    return false;
  }
  bool digits() {
    const std::size_t begin = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    return pos_ > begin;
  }
  bool number() {
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '0') {
      ++pos_;
    } else if (!digits()) {
      return false;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!digits()) return false;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digits()) return false;
    }
    return true;
  }
  bool value() {
    skip_space();
    if (pos_ >= text_.size()) return false;
    switch (text_[pos_]) {
      case '{': {
        ++pos_;
        if (eat('}')) return true;
        do {
          if (!string() || !eat(':') || !value()) return false;
        } while (eat(','));
        return eat('}');
      }
      case '[': {
        ++pos_;
        if (eat(']')) return true;
        do {
          if (!value()) return false;
        } while (eat(','));
        return eat(']');
      }
      case '"': return string();
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

TEST(JsonCheckerTest, TellsValidFromInvalid) {  // the checker the other tests rely on
  EXPECT_TRUE(JsonChecker::valid(R"({"a":[1,-2.5e+3,"x\"\u00e9",true,null,{}],"b":{}})"));
  EXPECT_FALSE(JsonChecker::valid(R"({"a":1,})"));
  EXPECT_FALSE(JsonChecker::valid("\"a\nb\""));
  EXPECT_FALSE(JsonChecker::valid(R"({"a":inf})"));
  EXPECT_FALSE(JsonChecker::valid(R"({"a":"\x"})"));
  EXPECT_FALSE(JsonChecker::valid(R"([1] 2)"));
}

Alert small_alert() {
  Alert alert;
  alert.rule = "MtaOutboundBlocklisted";
  alert.labels = {{"alertname", "MtaOutboundBlocklisted"}, {"provider", "google"}, {"severity", "critical"}};
  alert.annotations = {{"summary", "mx1 is blocklisted"}};
  alert.state = AlertState::firing;
  alert.value = 2;
  alert.active_at = 0;
  alert.ends_at = 240.5;
  return alert;
}

// --- pieces ---------------------------------------------------------------------------------------------------

TEST(AlertJsonTest, JsonStringEscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_string("plain"), R"("plain")");
  EXPECT_EQ(json_string(R"(say "hi")"), R"("say \"hi\"")");
  EXPECT_EQ(json_string(R"(C:\dir)"), R"("C:\\dir")");
  EXPECT_EQ(json_string("a\nb\tc\x01\x1f"), R"("a\u000ab\u0009c\u0001\u001f")");
  EXPECT_EQ(json_string(std::string("nul\0x", 5)), R"("nul\u0000x")");
  EXPECT_EQ(json_string("caf\xc3\xa9 \x7f"), "\"caf\xc3\xa9 \x7f\"");  // UTF-8 and DEL need no escape
  EXPECT_EQ(json_string(""), R"("")");
  EXPECT_TRUE(JsonChecker::valid(json_string("every byte below 0x20: \x01\x02\x03\x08\x0b\x0c\x0d\x1e")));
}

TEST(AlertJsonTest, Rfc3339InUtcWithMilliseconds) {
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339(1'000'000.25), "1970-01-12T13:46:40.250Z");  // 11 days, 13:46:40
  EXPECT_EQ(rfc3339(1'700'000'000), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(rfc3339(951'782'400), "2000-02-29T00:00:00.000Z");  // a leap day
  EXPECT_EQ(rfc3339(1.5), "1970-01-01T00:00:01.500Z");
}

// A fraction of .9995 s or more rounds to a whole second, which must carry into the seconds (an early version wrote
// 1.9996 s as 00:00:01.000, a second early, for about one timestamp in 2000). Either 01.999 (Go's time.Format
// truncates) or 02.000 is right.
TEST(AlertJsonTest, Rfc3339CarriesRoundedMillisecondsIntoTheSecond) {
  EXPECT_THAT(rfc3339(1.9996), ::testing::AnyOf("1970-01-01T00:00:01.999Z", "1970-01-01T00:00:02.000Z"));
  EXPECT_THAT(rfc3339(1'700'000'059.9999), ::testing::AnyOf("2023-11-14T22:14:19.999Z", "2023-11-14T22:14:20.000Z"));
}

// --- bodies ---------------------------------------------------------------------------------------------------

TEST(AlertJsonTest, AlertmanagerBody) {
  EXPECT_EQ(alertmanager_body({small_alert()}, "http://mx1:10154/"),
            R"([{"labels":{"alertname":"MtaOutboundBlocklisted","provider":"google","severity":"critical"},)"
            R"("annotations":{"summary":"mx1 is blocklisted"},"startsAt":"1970-01-01T00:00:00.000Z",)"
            R"("endsAt":"1970-01-01T00:04:00.500Z","generatorURL":"http://mx1:10154/"}])");
  EXPECT_EQ(alertmanager_body({}, "http://mx1:10154/"), "[]");

  Alert resolved = small_alert();
  resolved.state = AlertState::resolved;
  resolved.annotations["description"] = "quote \" backslash \\ newline \n <b>";
  const std::string body = alertmanager_body({small_alert(), resolved}, "http://a/\"b\"");
  EXPECT_TRUE(JsonChecker::valid(body)) << body;
  EXPECT_THAT(body, HasSubstr(R"("description":"quote \" backslash \\ newline \u000a <b>")"));
}

TEST(AlertJsonTest, AlertsApiBodyHasThePendingAndFiringAlerts) {
  Alert pending = small_alert();
  pending.state = AlertState::pending;
  pending.labels["provider"] = "microsoft";
  pending.value = 0.125;
  Alert resolved = small_alert();
  resolved.state = AlertState::resolved;
  resolved.labels["provider"] = "yahoo";

  const std::string body = alerts_api_body({small_alert(), pending, resolved});
  EXPECT_TRUE(JsonChecker::valid(body)) << body;
  EXPECT_EQ(body, R"({"status":"success","data":{"alerts":[)"
                  R"({"labels":{"alertname":"MtaOutboundBlocklisted","provider":"google","severity":"critical"},)"
                  R"("annotations":{"summary":"mx1 is blocklisted"},"state":"firing",)"
                  R"("activeAt":"1970-01-01T00:00:00.000Z","value":"2"},)"
                  R"({"labels":{"alertname":"MtaOutboundBlocklisted","provider":"microsoft","severity":"critical"},)"
                  R"("annotations":{"summary":"mx1 is blocklisted"},"state":"pending",)"
                  R"("activeAt":"1970-01-01T00:00:00.000Z","value":"0.125"}]}})");
  EXPECT_EQ(alerts_api_body({}), R"({"status":"success","data":{"alerts":[]}})");
  EXPECT_EQ(alerts_api_body({resolved}), R"({"status":"success","data":{"alerts":[]}})");
}

TEST(AlertJsonTest, RulesApiBodyOfOneRule) {
  AlertRule rule;
  rule.builtin = find_builtin_rule("MtaAuthBruteForce");
  ASSERT_NE(rule.builtin, nullptr);
  rule.name = "MtaAuthBruteForce";
  rule.for_seconds = 600;
  rule.window_seconds = 300;
  rule.labels = {{"severity", "warning"}};
  rule.annotations = {{"summary", "Many failed {{ $labels.instance }}"}};
  rule.thresholds = {0.5, 0};
  EXPECT_EQ(rules_api_body({rule}),
            R"({"status":"success","data":{"groups":[{"name":"mta_exporter agent","rules":[)"
            R"({"name":"MtaAuthBruteForce","type":"alerting","duration":600,"window":300,)"
            R"("labels":{"severity":"warning"},"annotations":{"summary":"Many failed {{ $labels.instance }}"},)"
            R"("thresholds":{"auth_failures_per_second":0.5}}]}]}})");
}

TEST(AlertJsonTest, RulesApiBodyOfTheBuiltinRulesIsValidJson) {
  // Their annotations hold quotes, backquotes and braces (the printf'd PromQL).
  const std::vector<AlertRule> rules = builtin_alert_rules({});
  const std::string body = rules_api_body(rules);
  EXPECT_TRUE(JsonChecker::valid(body)) << body;
  for (const AlertRule& rule : rules) EXPECT_THAT(body, HasSubstr("\"name\":\"" + rule.name + "\""));
  EXPECT_THAT(body, HasSubstr(R"("thresholds":{"outbound_5xx_share":0.1,"min_replies_per_second":0.05})"));
  EXPECT_TRUE(JsonChecker::valid(rules_api_body({})));
}

// --- HTML -----------------------------------------------------------------------------------------------------

TEST(AlertJsonTest, AlertsHtmlEscapesAndListsOnlyActiveAlerts) {
  Alert alert = small_alert();
  alert.labels["source"] = "<script>&\"'";
  alert.annotations["summary"] = "a < b & c > \"d\"";
  Alert resolved = small_alert();
  resolved.state = AlertState::resolved;
  resolved.rule = "MtaResolvedRule";
  const std::string html = alerts_html({alert, resolved});
  EXPECT_THAT(html, HasSubstr("<td>MtaOutboundBlocklisted</td><td>firing</td><td>2</td>"));
  EXPECT_THAT(html, HasSubstr("source=&quot;&lt;script&gt;&amp;&quot;&#39;&quot;"));
  EXPECT_THAT(html, HasSubstr("<td>a &lt; b &amp; c &gt; &quot;d&quot;</td>"));
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, Not(HasSubstr("MtaResolvedRule")));
  EXPECT_THAT(html, Not(HasSubstr("alertname=")));  // the rule's column says it

  EXPECT_THAT(alerts_html({}), HasSubstr("No alert is pending or firing."));
  EXPECT_THAT(alerts_html({resolved}), HasSubstr("No alert is pending or firing."));
}

}  // namespace
}  // namespace mta
