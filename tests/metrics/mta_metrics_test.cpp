// Tests for the metric labels and the recorder (src/metrics/mta_metrics.hpp, src/metrics/exposition.hpp).
// The recorder tests count events into a prometheus::Registry and read the text exposition back.

#include "metrics/mta_metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "metrics/exposition.hpp"

namespace mta {
namespace {

using Labels = std::map<std::string, std::string>;

struct Sample {
  std::string name;
  Labels labels;
  double value = 0;
};

// Reads the samples of a text exposition (the subset prometheus-cpp writes: no escapes in our values).
std::vector<Sample> parse_exposition(const std::string& text) {
  std::vector<Sample> samples;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    Sample sample;
    const std::size_t brace = line.find('{');
    const std::size_t space = line.rfind(' ');
    if (brace != std::string::npos && brace < space) {
      sample.name = line.substr(0, brace);
      const std::size_t close = line.rfind('}');
      std::string_view body = std::string_view(line).substr(brace + 1, close - brace - 1);
      while (!body.empty()) {
        const std::size_t eq = body.find("=\"");
        const std::size_t end = body.find('"', eq + 2);
        sample.labels[std::string(body.substr(0, eq))] = std::string(body.substr(eq + 2, end - eq - 2));
        body.remove_prefix(end + 1);
        if (!body.empty() && body[0] == ',') body.remove_prefix(1);
      }
    } else {
      sample.name = line.substr(0, space);
    }
    sample.value = std::stod(line.substr(space + 1));
    samples.push_back(std::move(sample));
  }
  return samples;
}

// All samples of one metric name.
std::vector<Sample> series(const std::string& text, std::string_view name) {
  std::vector<Sample> found;
  for (Sample& sample : parse_exposition(text)) {
    if (sample.name == name) found.push_back(std::move(sample));
  }
  return found;
}

// The value of the sample with exactly these labels; fails the test when there is not exactly one.
double value_of(const std::string& text, std::string_view name, const Labels& labels) {
  const std::vector<Sample> all = series(text, name);
  int matches = 0;
  double value = -1;
  for (const Sample& sample : all) {
    if (sample.labels == labels) {
      ++matches;
      value = sample.value;
    }
  }
  EXPECT_EQ(matches, 1) << name << " series with the given labels, in:\n" << text;
  return value;
}

const Knowledge& knowledge() { return Knowledge::builtin(); }

// --- labels --------------------------------------------------------------------------------------------------

struct EnhancedLabelCase {
  EnhancedCode code;
  std::string_view label;
  std::string_view provider = {};  // identified from the remote host
};

class EnhancedCodeLabelTest : public ::testing::TestWithParam<EnhancedLabelCase> {};

TEST_P(EnhancedCodeLabelTest, Bounds) {
  EXPECT_EQ(enhanced_code_label(knowledge(), GetParam().code, knowledge().find_provider(GetParam().provider)),
            GetParam().label);
}

INSTANTIATE_TEST_SUITE_P(Codes, EnhancedCodeLabelTest,
                         ::testing::Values(EnhancedLabelCase{{5, 7, 26}, "5.7.26"},                 // registered
                                           EnhancedLabelCase{{2, 0, 0}, "2.0.0"},                   // registered
                                           EnhancedLabelCase{{4, 4, 1}, "4.4.1"},                   // registered
                                           EnhancedLabelCase{{5, 7, 606}, "5.7.606", "microsoft"},  // provider rule
                                           EnhancedLabelCase{{4, 7, 500}, "4.7.500", "microsoft"},  // provider rule
                                           EnhancedLabelCase{{5, 7, 606}, "5.7.x"},  // the same code, another server
                                           EnhancedLabelCase{{4, 7, 500}, "4.7.x", "google"},
                                           EnhancedLabelCase{{5, 7, 999}, "5.7.x"},  // unregistered detail
                                           EnhancedLabelCase{{5, 4, 317}, "5.4.x"},
                                           EnhancedLabelCase{{4, 0, 999}, "4.0.x"},
                                           EnhancedLabelCase{{5, 9, 9}, "5.x.x"},  // unknown subject
                                           EnhancedLabelCase{{5, 999, 999}, "5.x.x"},
                                           EnhancedLabelCase{{}, ""}));  // no code

struct BasicLabelCase {
  int basic;
  std::string_view label;
};

class BasicCodeLabelTest : public ::testing::TestWithParam<BasicLabelCase> {};

TEST_P(BasicCodeLabelTest, Bounds) { EXPECT_EQ(basic_code_label(knowledge(), GetParam().basic), GetParam().label); }

INSTANTIATE_TEST_SUITE_P(Codes, BasicCodeLabelTest,
                         ::testing::Values(BasicLabelCase{550, "550"}, BasicLabelCase{421, "421"},
                                           BasicLabelCase{250, "250"}, BasicLabelCase{556, "556"},
                                           BasicLabelCase{599, "5xx"}, BasicLabelCase{557, "5xx"},
                                           BasicLabelCase{499, "4xx"}, BasicLabelCase{429, "4xx"},
                                           BasicLabelCase{299, "2xx"}, BasicLabelCase{0, ""}));

TEST(MechanismLabelTest, BoundedList) {
  for (std::string_view known : {"PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "NTLM", "GSSAPI", "XOAUTH2", "OAUTHBEARER",
                                 "SCRAM-SHA-1", "SCRAM-SHA-256", "EXTERNAL", "ANONYMOUS"}) {
    EXPECT_EQ(mechanism_label(known), known);
  }
  EXPECT_EQ(mechanism_label(""), "unknown");
  EXPECT_EQ(mechanism_label("plain"), "other");  // SASL mechanism names are upper case
  EXPECT_EQ(mechanism_label("X-ATTACKER-CHOSEN-NAME"), "other");
  EXPECT_EQ(mechanism_label("PLAIN "), "other");
}

TEST(ProviderLabelTest, OnlyForOutbound) {
  const ProviderId google = knowledge().find_provider("google");
  ASSERT_NE(google, kNoProvider);
  EXPECT_EQ(provider_label(knowledge(), Direction::outbound, google), "google");
  EXPECT_EQ(provider_label(knowledge(), Direction::outbound, kOtherProvider), "other");
  EXPECT_EQ(provider_label(knowledge(), Direction::outbound, kNoProvider), "other");
  EXPECT_EQ(provider_label(knowledge(), Direction::inbound, google), "");
  EXPECT_EQ(provider_label(knowledge(), Direction::local, google), "");
  EXPECT_EQ(provider_label(knowledge(), Direction::inbound, kNoProvider), "");
}

// --- recorder -----------------------------------------------------------------------------------------------

class MetricsRecorderTest : public ::testing::Test {
 protected:
  prometheus::Registry registry_;
  MetricFamilies families_{registry_};
  MetricsRecorder recorder_{families_, knowledge(), "mail.log"};

  std::string render() { return render_exposition(registry_, &families_); }

  static SmtpEvent outbound_bounce() {
    SmtpEvent event;
    event.direction = Direction::outbound;
    event.status = Status::bounced;
    event.stage = Stage::end_of_data;
    event.reply = "550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy";
    event.remote_host = "gmail-smtp-in.l.google.com";
    event.delay_seconds = 1.5;
    return event;
  }

  static Verdict dmarc_verdict() {
    Verdict verdict;
    verdict.klass = 5;
    verdict.basic = 550;
    verdict.enhanced = {5, 7, 26};
    verdict.cause = Cause::dmarc;
    verdict.provider = knowledge().find_provider("google");
    return verdict;
  }
};

TEST_F(MetricsRecorderTest, LineCountersStartAtZero) {
  const std::string text = render();
  for (const char* result : {"matched", "ignored", "unmatched"}) {
    EXPECT_EQ(value_of(text, "mta_exporter_lines_total", {{"source", "mail.log"}, {"result", result}}), 0) << result;
  }
}

TEST_F(MetricsRecorderTest, CountsLines) {
  recorder_.count_line(ParseOutcome::event);
  recorder_.count_line(ParseOutcome::event);
  recorder_.count_line(ParseOutcome::ignored);
  recorder_.count_line(ParseOutcome::unmatched);
  recorder_.count_line(ParseOutcome::ignored);
  recorder_.count_line(ParseOutcome::ignored);
  const std::string text = render();
  EXPECT_EQ(value_of(text, "mta_exporter_lines_total", {{"source", "mail.log"}, {"result", "matched"}}), 2);
  EXPECT_EQ(value_of(text, "mta_exporter_lines_total", {{"source", "mail.log"}, {"result", "ignored"}}), 3);
  EXPECT_EQ(value_of(text, "mta_exporter_lines_total", {{"source", "mail.log"}, {"result", "unmatched"}}), 1);
}

TEST_F(MetricsRecorderTest, CountsAnOutboundBounce) {
  recorder_.count_event(outbound_bounce(), dmarc_verdict());
  const std::string text = render();
  EXPECT_EQ(value_of(text, "mta_smtp_replies_total",
                     {{"mta", "postfix"},
                      {"direction", "outbound"},
                      {"class", "5xx"},
                      {"code", "550"},
                      {"enhanced_code", "5.7.26"},
                      {"cause", "dmarc"},
                      {"provider", "google"}}),
            1);
  EXPECT_EQ(
      value_of(text, "mta_deliveries_total", {{"mta", "postfix"}, {"direction", "outbound"}, {"status", "bounced"}}),
      1);
  EXPECT_EQ(value_of(text, "mta_delivery_delay_seconds_count", {{"mta", "postfix"}, {"status", "bounced"}}), 1);
  EXPECT_DOUBLE_EQ(value_of(text, "mta_delivery_delay_seconds_sum", {{"mta", "postfix"}, {"status", "bounced"}}), 1.5);
  EXPECT_EQ(
      value_of(text, "mta_delivery_delay_seconds_bucket", {{"mta", "postfix"}, {"status", "bounced"}, {"le", "1"}}), 0);
  EXPECT_EQ(
      value_of(text, "mta_delivery_delay_seconds_bucket", {{"mta", "postfix"}, {"status", "bounced"}, {"le", "2.5"}}),
      1);
  EXPECT_TRUE(series(text, "mta_rejects_total").empty());
  EXPECT_TRUE(series(text, "mta_auth_failures_total").empty());
  EXPECT_TRUE(series(text, "mta_exporter_class_mismatches_total").empty());
}

TEST_F(MetricsRecorderTest, SameLabelsTwiceGiveOneSeriesWithTwo) {
  recorder_.count_event(outbound_bounce(), dmarc_verdict());
  recorder_.count_event(outbound_bounce(), dmarc_verdict());
  const std::string text = render();
  const auto replies = series(text, "mta_smtp_replies_total");
  ASSERT_EQ(replies.size(), 1u) << text;
  EXPECT_EQ(replies[0].value, 2);
  EXPECT_EQ(
      value_of(text, "mta_deliveries_total", {{"mta", "postfix"}, {"direction", "outbound"}, {"status", "bounced"}}),
      2);
  EXPECT_DOUBLE_EQ(value_of(text, "mta_delivery_delay_seconds_sum", {{"mta", "postfix"}, {"status", "bounced"}}), 3.0);
}

TEST_F(MetricsRecorderTest, SameLabelsThroughASecondRecorderShareTheSeries) {
  MetricsRecorder other(families_, knowledge(), "mail.log");
  recorder_.count_event(outbound_bounce(), dmarc_verdict());
  other.count_event(outbound_bounce(), dmarc_verdict());
  const auto replies = series(render(), "mta_smtp_replies_total");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].value, 2);
}

TEST_F(MetricsRecorderTest, UnregisteredCodesShareABoundedSeries) {
  Verdict verdict = dmarc_verdict();
  verdict.basic = 557;
  verdict.enhanced = {5, 7, 998};
  verdict.cause = Cause::policy;
  recorder_.count_event(outbound_bounce(), verdict);
  verdict.basic = 558;
  verdict.enhanced = {5, 7, 999};
  recorder_.count_event(outbound_bounce(), verdict);
  const std::string text = render();
  ASSERT_EQ(series(text, "mta_smtp_replies_total").size(), 1u) << text;
  EXPECT_EQ(value_of(text, "mta_smtp_replies_total",
                     {{"mta", "postfix"},
                      {"direction", "outbound"},
                      {"class", "5xx"},
                      {"code", "5xx"},
                      {"enhanced_code", "5.7.x"},
                      {"cause", "policy"},
                      {"provider", "google"}}),
            2);
}

TEST_F(MetricsRecorderTest, DifferentLabelsGiveSortedSeries) {
  Verdict quota = dmarc_verdict();
  quota.cause = Cause::quota;
  quota.enhanced = {5, 2, 2};
  recorder_.count_event(outbound_bounce(), quota);
  recorder_.count_event(outbound_bounce(), dmarc_verdict());
  const std::string text = render();
  const auto replies = series(text, "mta_smtp_replies_total");
  ASSERT_EQ(replies.size(), 2u);
  // render_exposition sorts series by their labels; "cause" comes first by name.
  EXPECT_EQ(replies[0].labels.at("cause"), "dmarc");
  EXPECT_EQ(replies[1].labels.at("cause"), "quota");
  EXPECT_LT(text.find("cause=\"dmarc\""), text.find("cause=\"quota\""));
}

TEST_F(MetricsRecorderTest, InboundRejectHasStageAndNoProvider) {
  SmtpEvent event;
  event.direction = Direction::inbound;
  event.status = Status::rejected;
  event.stage = Stage::rcpt;
  event.reply = "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org";
  Verdict verdict;
  verdict.klass = 5;
  verdict.basic = 554;
  verdict.enhanced = {5, 7, 1};
  verdict.cause = Cause::blocklist;
  verdict.provider = kOtherProvider;
  recorder_.count_event(event, verdict);
  const std::string text = render();
  EXPECT_EQ(value_of(text, "mta_rejects_total", {{"mta", "postfix"}, {"stage", "rcpt"}, {"cause", "blocklist"}}), 1);
  EXPECT_EQ(value_of(text, "mta_smtp_replies_total",
                     {{"mta", "postfix"},
                      {"direction", "inbound"},
                      {"class", "5xx"},
                      {"code", "554"},
                      {"enhanced_code", "5.7.1"},
                      {"cause", "blocklist"},
                      {"provider", ""}}),
            1);
  EXPECT_TRUE(series(text, "mta_deliveries_total").empty());
}

TEST_F(MetricsRecorderTest, AuthFailuresByBoundedMechanism) {
  SmtpEvent event;
  event.direction = Direction::inbound;
  event.status = Status::auth_failed;
  event.stage = Stage::auth;
  event.reply = "535 5.7.8 Error: authentication failed";
  Verdict verdict;
  verdict.klass = 5;
  verdict.basic = 535;
  verdict.enhanced = {5, 7, 8};
  verdict.cause = Cause::auth_failed;
  for (std::string_view mechanism : {"LOGIN", "LOGIN", "PLAIN", "weird1", "weird2", ""}) {
    event.mechanism = mechanism;
    recorder_.count_event(event, verdict);
  }
  const std::string text = render();
  EXPECT_EQ(value_of(text, "mta_auth_failures_total", {{"mta", "postfix"}, {"mechanism", "LOGIN"}}), 2);
  EXPECT_EQ(value_of(text, "mta_auth_failures_total", {{"mta", "postfix"}, {"mechanism", "PLAIN"}}), 1);
  EXPECT_EQ(value_of(text, "mta_auth_failures_total", {{"mta", "postfix"}, {"mechanism", "other"}}), 2);
  EXPECT_EQ(value_of(text, "mta_auth_failures_total", {{"mta", "postfix"}, {"mechanism", "unknown"}}), 1);
  EXPECT_EQ(series(text, "mta_auth_failures_total").size(), 4u);
  EXPECT_EQ(value_of(text, "mta_smtp_replies_total",
                     {{"mta", "postfix"},
                      {"direction", "inbound"},
                      {"class", "5xx"},
                      {"code", "535"},
                      {"enhanced_code", "5.7.8"},
                      {"cause", "auth_failed"},
                      {"provider", ""}}),
            6);
}

TEST_F(MetricsRecorderTest, ClassMismatchIsCounted) {
  SmtpEvent event;
  event.direction = Direction::outbound;
  event.status = Status::bounced;
  event.reply = "550 4.4.7 QUEUE.Expired; message expired";
  Verdict verdict;
  verdict.klass = 5;
  verdict.basic = 550;
  verdict.enhanced = {4, 4, 7};
  verdict.class_mismatch = true;
  verdict.cause = Cause::timeout;
  recorder_.count_event(event, verdict);
  recorder_.count_event(event, verdict);
  const std::string text = render();
  EXPECT_EQ(value_of(text, "mta_exporter_class_mismatches_total", {{"mta", "postfix"}}), 2);
}

TEST_F(MetricsRecorderTest, NoDelayNoObservationAndStatusNoneNoDelivery) {
  SmtpEvent event = outbound_bounce();
  event.delay_seconds = -1;
  recorder_.count_event(event, dmarc_verdict());
  event.status = Status::none;  // a reply from one MX host before the next is tried
  recorder_.count_event(event, dmarc_verdict());
  const std::string text = render();
  EXPECT_EQ(
      value_of(text, "mta_deliveries_total", {{"mta", "postfix"}, {"direction", "outbound"}, {"status", "bounced"}}),
      1);
  EXPECT_TRUE(series(text, "mta_delivery_delay_seconds_count").empty());
  EXPECT_EQ(series(text, "mta_smtp_replies_total").at(0).value, 2);
}

TEST_F(MetricsRecorderTest, SuccessHasEmptyCodesWhenAbsent) {
  SmtpEvent event;
  event.direction = Direction::local;
  event.status = Status::sent;
  event.agent_text = "delivered to mailbox";
  event.delay_seconds = 0.03;
  Verdict verdict;
  verdict.klass = 2;
  verdict.cause = Cause::none;
  recorder_.count_event(event, verdict);
  const std::string text = render();
  EXPECT_EQ(value_of(text, "mta_smtp_replies_total",
                     {{"mta", "postfix"},
                      {"direction", "local"},
                      {"class", "2xx"},
                      {"code", ""},
                      {"enhanced_code", ""},
                      {"cause", "none"},
                      {"provider", ""}}),
            1);
  EXPECT_EQ(value_of(text, "mta_deliveries_total", {{"mta", "postfix"}, {"direction", "local"}, {"status", "sent"}}),
            1);
  EXPECT_EQ(
      value_of(text, "mta_delivery_delay_seconds_bucket", {{"mta", "postfix"}, {"status", "sent"}, {"le", "0.1"}}), 1);
}

TEST_F(MetricsRecorderTest, BuildInfoIsOne) {
  const auto info = series(render(), "mta_exporter_build_info");
  ASSERT_EQ(info.size(), 1u);
  EXPECT_EQ(info[0].value, 1);
  EXPECT_TRUE(info[0].labels.contains("version"));
  EXPECT_TRUE(info[0].labels.contains("revision"));
}

TEST_F(MetricsRecorderTest, ExpositionHasHelpAndType) {
  recorder_.count_event(outbound_bounce(), dmarc_verdict());
  const std::string text = render();
  EXPECT_THAT(text, ::testing::HasSubstr("# TYPE mta_smtp_replies_total counter"));
  EXPECT_THAT(text, ::testing::HasSubstr("# TYPE mta_delivery_delay_seconds histogram"));
  EXPECT_THAT(text, ::testing::HasSubstr("# HELP mta_exporter_lines_total "));
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("mta_rejects_total")));  // families without series stay out
}

// mta_smtp_replies_total series, counted once over every pipeline and held to a limit.
class ReplySeriesLimitTest : public ::testing::Test {
 protected:
  prometheus::Registry registry_;

  std::string render() const { return render_exposition(registry_); }
  // mta_smtp_replies_total is written from the families' own series.
  std::string render(MetricFamilies& families) const { return render_exposition(registry_, &families); }
  double reply_series() const { return value_of(render(), "mta_exporter_reply_series", {}); }
  double overflow() const { return value_of(render(), "mta_exporter_reply_series_overflow_total", {}); }

  static SmtpEvent inbound_reject() {
    SmtpEvent event;
    event.direction = Direction::inbound;
    event.status = Status::rejected;
    event.stage = Stage::rcpt;
    return event;
  }

  // An inbound reject with registered codes: no provider label, so not one the reserve is kept for.
  static Verdict ordinary_verdict(Cause cause) {
    Verdict verdict;
    verdict.klass = 5;
    verdict.basic = 550;
    verdict.enhanced = {5, 7, 1};
    verdict.cause = cause;
    return verdict;
  }

  // `count` distinct ordinary series, one per cause.
  static void count_ordinary_series(MetricsRecorder& recorder, int count) {
    for (int cause = 0; cause < count; ++cause) {
      recorder.count_event(inbound_reject(), ordinary_verdict(static_cast<Cause>(cause)));
    }
  }

  static SmtpEvent outbound_bounce() {
    SmtpEvent event;
    event.direction = Direction::outbound;
    event.status = Status::bounced;
    event.remote_host = "gmail-smtp-in.l.google.com";
    return event;
  }

  // Google's registered DMARC codes: a series the reserve is kept for.
  static Verdict google_dmarc_verdict() {
    Verdict verdict;
    verdict.klass = 5;
    verdict.basic = 550;
    verdict.enhanced = {5, 7, 26};
    verdict.cause = Cause::dmarc;
    verdict.provider = Knowledge::builtin().find_provider("google");
    verdict.provider_from_host = true;
    return verdict;
  }
};

TEST_F(ReplySeriesLimitTest, TwoSourcesCountingTheSameReplyMakeOneSeries) {
  MetricFamilies families(registry_);
  MetricsRecorder first(families, Knowledge::builtin(), "mail.log");
  MetricsRecorder second(families, Knowledge::builtin(), "relay.log");
  first.count_event(outbound_bounce(), google_dmarc_verdict());
  second.count_event(outbound_bounce(), google_dmarc_verdict());
  const std::string text = render(families);
  const std::vector<Sample> replies = series(text, "mta_smtp_replies_total");
  ASSERT_EQ(replies.size(), 1u) << text;
  EXPECT_EQ(replies[0].value, 2);
  EXPECT_EQ(reply_series(), 1);
}

TEST_F(ReplySeriesLimitTest, ARecorderReCreatedByAReloadReusesTheSeries) {
  MetricFamilies families(registry_);
  {
    MetricsRecorder before_reload(families, Knowledge::builtin(), "mail.log");
    before_reload.count_event(outbound_bounce(), google_dmarc_verdict());
  }
  MetricsRecorder after_reload(families, Knowledge::builtin(), "mail.log");
  after_reload.count_event(outbound_bounce(), google_dmarc_verdict());
  EXPECT_EQ(series(render(families), "mta_smtp_replies_total").at(0).value, 2);
  EXPECT_EQ(reply_series(), 1);
}

// Without a provider, an outbound reply is labelled "other", as the one of an unknown provider.
TEST_F(ReplySeriesLimitTest, OutboundWithoutProviderAndOtherProviderAreOneSeries) {
  MetricFamilies families(registry_);
  MetricsRecorder recorder(families, Knowledge::builtin(), "mail.log");
  Verdict verdict = google_dmarc_verdict();
  verdict.provider = kNoProvider;
  verdict.provider_from_host = false;
  recorder.count_event(outbound_bounce(), verdict);
  verdict.provider = kOtherProvider;
  recorder.count_event(outbound_bounce(), verdict);
  const std::vector<Sample> replies = series(render(families), "mta_smtp_replies_total");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].labels.at("provider"), "other");
  EXPECT_EQ(reply_series(), 1);
}

TEST_F(ReplySeriesLimitTest, LimitGauge) {
  {
    MetricFamilies families(registry_);
    EXPECT_EQ(value_of(render(families), "mta_exporter_reply_series_limit", {}), 20000);
  }
  prometheus::Registry other;
  MetricFamilies families(other, 500);
  const std::string text = render_exposition(other);
  EXPECT_EQ(value_of(text, "mta_exporter_reply_series_limit", {}), 500);
  EXPECT_EQ(value_of(text, "mta_exporter_reply_series", {}), 0);
  EXPECT_EQ(value_of(text, "mta_exporter_reply_series_overflow_total", {}), 0);
  EXPECT_THAT(text, ::testing::HasSubstr("# TYPE mta_exporter_reply_series gauge"));
  EXPECT_THAT(text, ::testing::HasSubstr("# TYPE mta_exporter_reply_series_limit gauge"));
}

// Limit 20: 18 series for anyone, the last 2 kept for known providers' exact codes.
TEST_F(ReplySeriesLimitTest, PastTheLimitNewSeriesLoseTheirCodesButKnownProvidersKeepTheReserve) {
  MetricFamilies families(registry_, 20);
  MetricsRecorder recorder(families, Knowledge::builtin(), "mail.log");
  count_ordinary_series(recorder, 18);
  EXPECT_EQ(reply_series(), 18);
  EXPECT_EQ(overflow(), 0);

  // A new ordinary series: counted without its codes.
  recorder.count_event(inbound_reject(), ordinary_verdict(Cause::policy));
  recorder.count_event(inbound_reject(), ordinary_verdict(Cause::policy));
  std::string text = render(families);
  EXPECT_EQ(value_of(text, "mta_smtp_replies_total",
                     {{"mta", "postfix"},
                      {"direction", "inbound"},
                      {"class", "5xx"},
                      {"code", ""},
                      {"enhanced_code", ""},
                      {"cause", "policy"},
                      {"provider", ""}}),
            2);
  EXPECT_EQ(overflow(), 2);
  EXPECT_EQ(reply_series(), 19);
  // The series that exist keep counting, with their codes.
  count_ordinary_series(recorder, 18);
  EXPECT_EQ(overflow(), 2);

  // Google's exact codes: a series of their own, in the reserve.
  recorder.count_event(outbound_bounce(), google_dmarc_verdict());
  text = render(families);
  EXPECT_EQ(value_of(text, "mta_smtp_replies_total",
                     {{"mta", "postfix"},
                      {"direction", "outbound"},
                      {"class", "5xx"},
                      {"code", "550"},
                      {"enhanced_code", "5.7.26"},
                      {"cause", "dmarc"},
                      {"provider", "google"}}),
            1);
  EXPECT_EQ(overflow(), 2);
  EXPECT_EQ(reply_series(), 20);

  // Google with a collapsed code is not one the reserve is kept for.
  Verdict collapsed = google_dmarc_verdict();
  collapsed.enhanced = {5, 7, 998};
  collapsed.cause = Cause::spam;
  recorder.count_event(outbound_bounce(), collapsed);
  text = render(families);
  EXPECT_EQ(text.find("enhanced_code=\"5.7.x\""), std::string::npos) << text;
  EXPECT_EQ(overflow(), 3);

  // The whole limit used: Google's exact codes overflow too.
  Verdict quota = google_dmarc_verdict();
  quota.enhanced = {5, 2, 2};
  quota.cause = Cause::quota;
  recorder.count_event(outbound_bounce(), quota);
  EXPECT_EQ(overflow(), 3);
  Verdict unknown_mailbox = google_dmarc_verdict();
  unknown_mailbox.enhanced = {5, 1, 1};
  unknown_mailbox.cause = Cause::mailbox_unknown;
  recorder.count_event(outbound_bounce(), unknown_mailbox);
  text = render(families);
  EXPECT_EQ(text.find("enhanced_code=\"5.1.1\""), std::string::npos) << text;
  EXPECT_EQ(overflow(), 4);
  std::size_t with_codes = 0;
  for (const Sample& sample : series(text, "mta_smtp_replies_total")) {
    if (!sample.labels.at("code").empty()) ++with_codes;
  }
  EXPECT_EQ(with_codes, 20u);
}

// The series without codes that overflowing replies fall back to (here one per cause) come on top of
// the limit: however many, they leave the reserve to the known providers.
TEST_F(ReplySeriesLimitTest, SeriesWithoutCodesDoNotTakeTheReserve) {
  MetricFamilies families(registry_, 20);
  MetricsRecorder recorder(families, Knowledge::builtin(), "mail.log");
  count_ordinary_series(recorder, 25);
  EXPECT_EQ(overflow(), 7);
  std::size_t with_codes = 0;
  for (const Sample& sample : series(render(families), "mta_smtp_replies_total")) {
    if (!sample.labels.at("code").empty()) ++with_codes;
  }
  EXPECT_EQ(with_codes, 18u);
  EXPECT_EQ(reply_series(), 25);

  recorder.count_event(outbound_bounce(), google_dmarc_verdict());
  EXPECT_EQ(value_of(render(families), "mta_smtp_replies_total",
                     {{"mta", "postfix"},
                      {"direction", "outbound"},
                      {"class", "5xx"},
                      {"code", "550"},
                      {"enhanced_code", "5.7.26"},
                      {"cause", "dmarc"},
                      {"provider", "google"}}),
            1);
  EXPECT_EQ(overflow(), 7);
  EXPECT_EQ(reply_series(), 26);
}

// Replies without codes have nothing to lose: their series are made past the limit, not counted as overflow.
TEST_F(ReplySeriesLimitTest, SeriesWithoutCodesAreAlwaysCreated) {
  MetricFamilies families(registry_, 20);
  MetricsRecorder recorder(families, Knowledge::builtin(), "mail.log");
  count_ordinary_series(recorder, 18);
  Verdict verdict;
  verdict.klass = 2;
  verdict.cause = Cause::none;
  SmtpEvent event;
  event.direction = Direction::local;
  event.status = Status::sent;
  recorder.count_event(event, verdict);
  EXPECT_EQ(overflow(), 0);
  EXPECT_EQ(reply_series(), 19);
}

// Two pipelines on two threads meeting the same new series at once: each series made and counted once.
TEST_F(ReplySeriesLimitTest, TwoThreadsCountingTheSameRepliesShareTheSeries) {
  MetricFamilies families(registry_, 100);
  constexpr int kRounds = 200;
  const auto count = [&](std::string source) {
    MetricsRecorder recorder(families, Knowledge::builtin(), std::move(source));
    for (int round = 0; round < kRounds; ++round) count_ordinary_series(recorder, 20);
  };
  std::thread first(count, "mail.log");
  std::thread second(count, "relay.log");
  first.join();
  second.join();
  const std::vector<Sample> replies = series(render(families), "mta_smtp_replies_total");
  ASSERT_EQ(replies.size(), 20u);
  for (const Sample& sample : replies) EXPECT_EQ(sample.value, 2 * kRounds);
  EXPECT_EQ(reply_series(), 20);
  EXPECT_EQ(overflow(), 0);
}

// A reply past the limit is counted without its codes every time, and each time in the overflow counter
// (the pipeline keeps it in a cache of its own, so the shared lock is not taken again for it).
TEST_F(ReplySeriesLimitTest, AReplyPastTheLimitIsCountedWithoutCodesEveryTime) {
  MetricFamilies families(registry_, 100);
  MetricsRecorder recorder(families, Knowledge::builtin(), "mail.log");
  for (const EnhancedCode code : {EnhancedCode{5, 7, 1}, EnhancedCode{5, 1, 1}, EnhancedCode{5, 2, 2}}) {
    for (int cause = 0; cause <= static_cast<int>(Cause::other); ++cause) {
      Verdict verdict = ordinary_verdict(static_cast<Cause>(cause));
      verdict.enhanced = code;
      recorder.count_event(inbound_reject(), verdict);
    }
  }
  ASSERT_GT(overflow(), 0) << "the limit was not reached";
  const double overflow_before = overflow();
  Verdict past = ordinary_verdict(Cause::spam);
  past.enhanced = {5, 7, 28};
  for (int i = 0; i < 3; ++i) recorder.count_event(inbound_reject(), past);
  EXPECT_EQ(overflow(), overflow_before + 3);
  double without_codes = 0;
  for (const Sample& sample : series(render(families), "mta_smtp_replies_total")) {
    if (sample.labels.at("cause") == "spam" && sample.labels.at("code").empty()) without_codes += sample.value;
  }
  EXPECT_EQ(without_codes, 3);
}

}  // namespace
}  // namespace mta

namespace mta {
namespace {

// The page writes mta_smtp_replies_total straight from the families' series; prometheus-cpp's serializer, given
// the same series in a family of a registry, must write the same text: help, type, order, labels and values.
TEST(DirectRepliesExpositionTest, EqualsPrometheusCppForTheSameSeries) {
  prometheus::Registry registry;
  MetricFamilies families(registry);
  MetricsRecorder recorder(families, Knowledge::builtin(), "mail.log");
  const ProviderId google = Knowledge::builtin().find_provider("google");
  int round = 0;
  for (Direction direction : {Direction::inbound, Direction::outbound, Direction::local, Direction::unknown}) {
    for (int basic : {0, 250, 421, 450, 550, 554}) {
      for (Cause cause : {Cause::none, Cause::blocklist, Cause::quota, Cause::other}) {
        SmtpEvent event;
        event.mta = round % 2 == 0 ? Mta::postfix : Mta::exim;
        event.direction = direction;
        event.status = basic / 100 == 2 ? Status::sent : Status::bounced;
        Verdict verdict;
        verdict.basic = basic;
        verdict.klass = basic == 0 ? 5 : basic / 100;
        verdict.enhanced = basic == 0 ? EnhancedCode{} : EnhancedCode{static_cast<std::uint8_t>(basic / 100), 7, 1};
        verdict.cause = cause;
        verdict.provider = round % 3 == 0 ? google : kNoProvider;
        for (int count = 0; count <= round % 4; ++count) recorder.count_event(event, verdict);
        ++round;
      }
    }
  }
  // Large counts: the values' text (16 significant digits, no exponent below 1e16).
  SmtpEvent event;
  event.direction = Direction::outbound;
  Verdict verdict;
  verdict.klass = 4;
  verdict.basic = 451;
  for (int count = 0; count < 3; ++count) recorder.count_event(event, verdict);
  families.reply_series_by_labels.begin()->second.counter->Increment(1234567890123.0);

  prometheus::Registry reference;
  auto& replies =
      prometheus::BuildCounter().Name(std::string(kRepliesName)).Help(std::string(kRepliesHelp)).Register(reference);
  std::size_t series = 0;
  for (const prometheus::MetricFamily& family : families.reply_registry.Collect()) {
    for (const prometheus::ClientMetric& metric : family.metric) {
      prometheus::Labels labels;
      for (const prometheus::ClientMetric::Label& label : metric.label) labels[label.name] = label.value;
      replies.Add(labels).Increment(metric.counter.value);
      ++series;
    }
  }
  ASSERT_GT(series, 50u);
  prometheus::Registry nothing_else;
  EXPECT_EQ(render_exposition(nothing_else, &families), render_exposition(reference));
  // And on the agent's page, before the registry's own families, as the first counter registered.
  const std::string page = render_exposition(registry, &families);
  EXPECT_TRUE(page.starts_with(render_exposition(reference))) << page.substr(0, 400);
}

TEST(DirectRepliesExpositionTest, LabelTextEscapesValues) {
  EXPECT_EQ(label_text({{"a", "x\"y"}, {"b", "back\\slash"}, {"c", "two\nlines"}}),
            R"({a="x\"y",b="back\\slash",c="two\nlines"})");
  EXPECT_EQ(label_text({}), "");
}

}  // namespace
}  // namespace mta
