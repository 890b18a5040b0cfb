// Tests for the Go-template subset the agent renders its alert annotations with (src/alerting/prom_template.hpp):
// Prometheus' humanize functions against the outputs Prometheus' own tests document (prometheus/template
// template_test.go, prometheus/common helpers/templates/time_test.go), the actions alerts/mta_exporter.alerts.yml
// uses, and every annotation of that file rendered without an action left over.

#include "alerting/prom_template.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "alerting/alert_rules.hpp"

namespace mta {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Labels = std::map<std::string, std::string>;

const Labels kLabels = {{"instance", "mx1:10154"}, {"job", "mta_exporter"}, {"cause", "dmarc"},
                        {"direction", "inbound"},  {"words", "aa bb CC"},   {"source", "main"}};
const std::map<std::string, double> kThresholds = {
    {"outbound_5xx_share", 0.10}, {"no_log_lines_seconds", 1800}, {"auth_failures_per_second", 0.5}};

// The text of `text` rendered with kLabels, `value` and kThresholds; fails the test on an unknown action.
std::string render(std::string_view text, double value = 0) {
  const RenderedTemplate rendered = render_template(text, {&kLabels, value, &kThresholds});
  EXPECT_THAT(rendered.unknown_actions, IsEmpty()) << text;
  return rendered.text;
}

// --- humanize functions -------------------------------------------------------------------------------------------

TEST(PromTemplateTest, Humanize) {
  // Prometheus' template_test.go: {0, 1, 1234567, .12} -> "0:1:1.235M:120m:", {-1, MaxInt64} -> "-1", "9.223E".
  EXPECT_EQ(humanize(0), "0");
  EXPECT_EQ(humanize(1), "1");
  EXPECT_EQ(humanize(1234567), "1.235M");
  EXPECT_EQ(humanize(.12), "120m");
  EXPECT_EQ(humanize(-1), "-1");
  EXPECT_EQ(humanize(static_cast<double>(std::numeric_limits<std::int64_t>::max())), "9.223E");
  EXPECT_EQ(humanize(1234), "1.234k");
  EXPECT_EQ(humanize(0.5), "500m");
  EXPECT_EQ(humanize(999), "999");
  EXPECT_EQ(humanize(0.0001), "100u");
  EXPECT_EQ(humanize(-1500), "-1.5k");
}

TEST(PromTemplateTest, HumanizePercentage) {
  // template_test.go: -0.22222, 0, 0.1234567, 1.23456 -> "-22.22%:0%:12.35%:123.5%"; 1234567 -> "1.235e+08%".
  EXPECT_EQ(humanize_percentage(-0.22222), "-22.22%");
  EXPECT_EQ(humanize_percentage(0), "0%");
  EXPECT_EQ(humanize_percentage(0.1234567), "12.35%");
  EXPECT_EQ(humanize_percentage(1.23456), "123.5%");
  EXPECT_EQ(humanize_percentage(1234567), "1.235e+08%");
  EXPECT_EQ(humanize_percentage(0.1), "10%");
  EXPECT_EQ(humanize_percentage(0.02), "2%");
}

TEST(PromTemplateTest, HumanizeDuration) {
  // helpers/templates/time_test.go of prometheus/common.
  EXPECT_EQ(humanize_duration(0), "0s");
  EXPECT_EQ(humanize_duration(1), "1s");
  EXPECT_EQ(humanize_duration(60), "1m 0s");
  EXPECT_EQ(humanize_duration(3600), "1h 0m 0s");
  EXPECT_EQ(humanize_duration(86400), "1d 0h 0m 0s");
  EXPECT_EQ(humanize_duration(86400 + 3600), "1d 1h 0m 0s");
  EXPECT_EQ(humanize_duration(-(86400 * 2 + 3600 * 3 + 60 * 4 + 5)), "-2d 3h 4m 5s");
  EXPECT_EQ(humanize_duration(899.99), "14m 59s");
  EXPECT_EQ(humanize_duration(.1), "100ms");
  EXPECT_EQ(humanize_duration(.0001), "100us");
  EXPECT_EQ(humanize_duration(.12345), "123.5ms");
  EXPECT_EQ(humanize_duration(60.1), "1m 0s");
  EXPECT_EQ(humanize_duration(60.5), "1m 0s");
  EXPECT_EQ(humanize_duration(1.2345), "1.234s");
  EXPECT_EQ(humanize_duration(12.345), "12.35s");
  EXPECT_EQ(humanize_duration(-1), "-1s");
  EXPECT_EQ(humanize_duration(1234567), "14d 6h 56m 7s");
  EXPECT_EQ(humanize_duration(1800), "30m 0s");
}

// --- actions ------------------------------------------------------------------------------------------------------

TEST(PromTemplateTest, LabelsAndValue) {
  EXPECT_EQ(render("{{ $labels.instance }} ({{ $labels.job }})"), "mx1:10154 (mta_exporter)");
  EXPECT_EQ(render("[{{ $labels.missing }}]"), "[]");  // Prometheus renders a missing label as ""
  EXPECT_EQ(render("{{ $value }}", 0.25), "0.25");
  EXPECT_EQ(render("{{ $value }}", 3), "3");
  EXPECT_EQ(render("{{ $value | humanize }}", 1234), "1.234k");
  EXPECT_EQ(render("{{ $value | humanizePercentage }}", 0.1), "10%");
  EXPECT_EQ(render("{{ $value | humanizeDuration }}", 1800), "30m 0s");
  EXPECT_EQ(render("no action at all"), "no action at all");
}

TEST(PromTemplateTest, ToUpperAndTitle) {
  EXPECT_EQ(render("failed {{ $labels.cause | toUpper }}"), "failed DMARC");
  EXPECT_EQ(render("{{ $labels.direction | title }} replies"), "Inbound replies");
  EXPECT_EQ(render("{{ $labels.words | title }}"), "Aa Bb CC");  // template_test.go
  EXPECT_EQ(render("{{ $labels.words | toUpper }}"), "AA BB CC");
}

TEST(PromTemplateTest, PrintfOfTheValue) {
  EXPECT_EQ(render(R"({{ printf "%.2f" $value }})", 1.0 / 3), "0.33");
  EXPECT_EQ(render(R"({{ printf "%.2f" $value }})", 2), "2.00");
  EXPECT_EQ(render(R"({{ printf "%.0f" $value }} a second)", 41.6), "42 a second");
}

TEST(PromTemplateTest, TrimmingMarkersEatTheSpaceBesideThem) {
  EXPECT_EQ(render("a  \n  {{- $labels.source }}"), "amain");
  EXPECT_EQ(render("{{ $labels.source -}} \n\t b"), "mainb");
  EXPECT_EQ(render("a {{- $labels.source -}} b"), "amainb");
  EXPECT_EQ(render("a {{ $labels.source }} b"), "a main b");
}

TEST(PromTemplateTest, ThresholdQueriesAreAnsweredFromTheThresholds) {
  EXPECT_EQ(render(R"(above {{ with query "mta:threshold:outbound_5xx_share" }})"
                   R"({{ . | first | value | humanizePercentage }}{{ end }}.)"),
            "above 10%.");
  EXPECT_EQ(render(R"({{ with query "mta:threshold:auth_failures_per_second" }}{{ . | first | value }}{{ end }}/s)"),
            "0.5/s");
  EXPECT_EQ(render(R"(for {{ with query "mta:threshold:no_log_lines_seconds" }})"
                   R"({{ . | first | value | humanizeDuration }}{{ end }})"),
            "for 30m 0s");
  // A threshold the agent does not have: no series, the block renders nothing (as in Prometheus).
  EXPECT_EQ(render(R"(x{{ with query "mta:threshold:nonexistent" }}{{ . | first | value }}{{ end }}y)"), "xy");
}

TEST(PromTemplateTest, OtherQueriesRenderNothing) {
  // The "Most of them" sentences ask Prometheus; the agent has no answer, so the block is left out whole, with the
  // braces of the backquoted PromQL and the actions nested inside.
  const std::string text =
      "Refused.\n"
      "{{- with printf `topk(1, sum by (cause) (rate(mta_smtp_replies_total{job=%q, instance=%q}[5m])))` "
      "$labels.job $labels.instance | query }}{{ with first . }} Most of them: cause {{ label \"cause\" . }}."
      "{{ end }}{{ end }} Done.";
  EXPECT_EQ(render(text), "Refused. Done.");
  EXPECT_EQ(render("a{{ with query \"up == 0\" }}b{{ end }}c"), "ac");
}

TEST(PromTemplateTest, UnknownActionsAreReportedAndRenderNothing) {
  RenderedTemplate rendered = render_template("a{{ $labels.job | toLower }}b", {&kLabels, 0, &kThresholds});
  EXPECT_EQ(rendered.text, "ab");
  EXPECT_THAT(rendered.unknown_actions, ::testing::ElementsAre("$labels.job | toLower"));

  rendered = render_template("{{ $value | humanize1024 }}", {&kLabels, 1, &kThresholds});
  EXPECT_EQ(rendered.text, "");
  EXPECT_EQ(rendered.unknown_actions.size(), 1u);

  rendered = render_template("x {{ $value", {&kLabels, 1, &kThresholds});  // never closed
  EXPECT_EQ(rendered.unknown_actions.size(), 1u);
  EXPECT_THAT(rendered.text, HasSubstr("x "));
}

TEST(PromTemplateTest, WithoutLabelsOrThresholds) {
  const RenderedTemplate rendered =
      render_template(R"([{{ $labels.instance }}]{{ with query "mta:threshold:outbound_5xx_share" }}t{{ end }})", {});
  EXPECT_EQ(rendered.text, "[]");
  EXPECT_THAT(rendered.unknown_actions, IsEmpty());
}

// --- the real file ------------------------------------------------------------------------------------------------

TEST(PromTemplateTest, EveryAnnotationOfTheAlertsFileRenders) {
  const std::vector<AlertRule> rules = builtin_alert_rules({});
  ASSERT_FALSE(rules.empty());
  for (const AlertRule& rule : rules) {
    // Every label a rule may group by, so that no sentence depends on a missing one.
    const Labels labels = {{"alertname", rule.name}, {"instance", "mx1:10154"}, {"job", "mta_exporter"},
                           {"severity", "warning"},  {"provider", "google"},    {"cause", "dmarc"},
                           {"direction", "inbound"}, {"class", "5xx"},          {"source", "main"}};
    ASSERT_TRUE(rule.annotations.contains("summary")) << rule.name;
    ASSERT_TRUE(rule.annotations.contains("description")) << rule.name;
    for (const auto& [name, text] : rule.annotations) {
      const RenderedTemplate rendered = render_template(text, {&labels, 0.5, &rule.threshold_values});
      EXPECT_THAT(rendered.unknown_actions, IsEmpty()) << rule.name << " " << name;
      EXPECT_THAT(rendered.text, ::testing::Not(HasSubstr("{{"))) << rule.name << " " << name;
      EXPECT_THAT(rendered.text, ::testing::Not(HasSubstr("}}"))) << rule.name << " " << name;
      EXPECT_THAT(rendered.text, ::testing::Not(IsEmpty())) << rule.name << " " << name;
      // Each threshold a sentence names is rendered: "threshold of ." or "( times" would show a missing one.
      EXPECT_THAT(rendered.text, ::testing::Not(::testing::ContainsRegex("(^| )(of|threshold|than) *[.,)/]")))
          << rule.name << " " << name << ": " << rendered.text;
    }
  }
}

// --- numbers as Go prints them ------------------------------------------------------------------------------------

// Go's text/template prints a float64 with %v, i.e. strconv 'g' with the shortest precision, which switches to an
// exponent only below 1e-4 or from 1e6 on ("100000", "0.0001", "1.234567e+06"), where the shortest form of
// std::to_chars would pick "1e+05". Reachable through {{ . | first | value }} with a threshold override such as
// [alerting.rules.MtaTlsFailures] threshold = 100000, which Prometheus renders "threshold 100000".
TEST(PromTemplateTest, ValueIsPrintedLikeGosPercentV) {
  EXPECT_EQ(render("{{ $value }}", 100000), "100000");
  EXPECT_EQ(render("{{ $value }}", 0.0001), "0.0001");
  EXPECT_EQ(render("{{ $value }}", 0.0005), "0.0005");
  EXPECT_EQ(render("{{ $value }}", 1234567), "1.234567e+06");
  EXPECT_EQ(render("{{ $value }}", 1e6), "1e+06");      // agrees already
  EXPECT_EQ(render("{{ $value }}", 0.00001), "1e-05");  // agrees already
}

// Go prints infinities and NaN as "+Inf", "-Inf" and "NaN" (template_test.go "Humanize* Inf and NaN"); C's %g
// writes "inf", "-inf" and "nan". Only reachable with a threshold of vector(Inf) in the thresholds file.
TEST(PromTemplateTest, HumanizeInfinityAndNaNLikePrometheus) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(humanize(inf), "+Inf");
  EXPECT_EQ(humanize(-inf), "-Inf");
  EXPECT_EQ(humanize(std::nan("")), "NaN");
  EXPECT_EQ(humanize_duration(inf), "+Inf");
  EXPECT_EQ(humanize_duration(std::nan("")), "NaN");
}

}  // namespace
}  // namespace mta
