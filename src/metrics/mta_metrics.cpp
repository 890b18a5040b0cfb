#include "metrics/mta_metrics.hpp"

#include "metrics/exposition.hpp"
#include "mta_exporter_version.hpp"

namespace mta {
namespace {

using prometheus::BuildCounter;

// Seconds: from sub-second local deliveries to the five-day default queue lifetime.
const prometheus::Histogram::BucketBoundaries kDelayBuckets = {0.1, 0.5,  1,    2.5,   5,     10,    30,     60,    300,
                                                               900, 1800, 3600, 14400, 43200, 86400, 259200, 432000};

constexpr std::uint16_t kCollapsed = 0xFFF;

// The label form of an enhanced code: exact when registered or when `provider` (identified by the
// remote host) documents it; otherwise the detail (and an unknown subject) collapse. A code whose
// class contradicts the basic code keeps only its class. So a remote server cannot mint series at will.
EnhancedCode bounded(const Knowledge& knowledge, EnhancedCode code, ProviderId provider, bool class_mismatch) {
  if (!code.present()) return code;
  if (class_mismatch) return {code.klass, kCollapsed, kCollapsed};
  if (knowledge.has_exact_label(code, provider)) return code;
  return {code.klass, code.subject <= 7 ? code.subject : kCollapsed, kCollapsed};
}

EnhancedCode bounded(const Knowledge& knowledge, const Verdict& verdict) {
  return bounded(knowledge, verdict.enhanced, verdict.provider_from_host ? verdict.provider : kNoProvider,
                 verdict.class_mismatch);
}

void append_code_part(std::string& label, int part) {
  label += '.';
  if (part == kCollapsed) {
    label += 'x';
  } else {
    label += std::to_string(part);
  }
}

std::string code_text(EnhancedCode code) {
  if (!code.present()) return {};
  std::string label(1, static_cast<char>('0' + code.klass));
  append_code_part(label, code.subject);
  append_code_part(label, code.detail);
  return label;
}

int bounded_basic(const Knowledge& knowledge, int basic) {
  if (basic == 0 || knowledge.is_registered_basic(basic)) return basic;
  return basic / 100 * 100 + 99;
}

}  // namespace

MetricFamilies::MetricFamilies(prometheus::Registry& registry, std::size_t reply_series_limit)
    : replies(BuildCounter().Name(std::string(kRepliesName)).Help(std::string(kRepliesHelp)).Register(reply_registry)),
      deliveries(BuildCounter()
                     .Name("mta_deliveries_total")
                     .Help("Delivery attempts by final status of the attempt (sent, deferred, bounced, expired).")
                     .Register(registry)),
      delivery_delay(prometheus::BuildHistogram()
                         .Name("mta_delivery_delay_seconds")
                         .Help("Time from message arrival to the end of the delivery attempt, in seconds.")
                         .Register(registry)),
      rejects(BuildCounter()
                  .Name("mta_rejects_total")
                  .Help("Mail refused by this server (smtpd, postscreen, cleanup, milters), by SMTP stage and cause.")
                  .Register(registry)),
      auth_failures(BuildCounter()
                        .Name("mta_auth_failures_total")
                        .Help("Failed SMTP AUTH attempts against this server, by SASL mechanism.")
                        .Register(registry)),
      lines(BuildCounter()
                .Name("mta_exporter_lines_total")
                .Help("Log lines read, by source and result (matched: held an SMTP outcome; ignored: holds none; "
                      "unmatched: looked like an outcome but could not be read).")
                .Register(registry)),
      class_mismatches(BuildCounter()
                           .Name("mta_exporter_class_mismatches_total")
                           .Help("Replies whose basic and enhanced codes disagree on the class; the basic code won.")
                           .Register(registry)),
      build_info(prometheus::BuildGauge()
                     .Name("mta_exporter_build_info")
                     .Help("Build information of the running mta_exporter; the value is always 1.")
                     .Register(registry)),
      series_overflow(BuildCounter()
                          .Name("mta_exporter_reply_series_overflow_total")
                          .Help("Replies counted without their codes because mta_smtp_replies_total reached its "
                                "series limit.")
                          .Register(registry)
                          .Add({})),
      reply_series(prometheus::BuildGauge()
                       .Name("mta_exporter_reply_series")
                       .Help("Distinct mta_smtp_replies_total series, over every source, with codes or without.")
                       .Register(registry)
                       .Add({})),
      reply_series_limit(reply_series_limit),
      reply_series_reserve(reply_series_limit / 10) {
  build_info.Add({{"version", std::string(kVersion)}, {"revision", std::string(kRevision)}}).Set(1);
  prometheus::BuildGauge()
      .Name("mta_exporter_reply_series_limit")
      .Help(
          "Most mta_smtp_replies_total series with codes ([metrics] reply_series_limit); past it, new code "
          "combinations are counted without their codes. The last tenth is kept for known providers' exact codes.")
      .Register(registry)
      .Add({})
      .Set(static_cast<double>(reply_series_limit));
}

std::string enhanced_code_label(const Knowledge& knowledge, EnhancedCode code, ProviderId provider) {
  return code_text(bounded(knowledge, code, provider, false));
}

std::string basic_code_label(const Knowledge& knowledge, int basic) {
  basic = bounded_basic(knowledge, basic);
  if (basic == 0) return {};
  if (basic % 100 == 99 && !knowledge.is_registered_basic(basic)) return std::to_string(basic / 100) + "xx";
  return std::to_string(basic);
}

namespace {

constexpr std::string_view kMechanisms[] = {"PLAIN",    "LOGIN",     "CRAM-MD5",    "DIGEST-MD5",  "NTLM",
                                            "GSSAPI",   "XOAUTH2",   "OAUTHBEARER", "SCRAM-SHA-1", "SCRAM-SHA-256",
                                            "EXTERNAL", "ANONYMOUS", "other",       "unknown"};
constexpr std::size_t kOtherMechanism = 12;
constexpr std::size_t kUnknownMechanism = 13;

// The position of a mechanism's label in kMechanisms, the key of its series.
std::size_t mechanism_index(std::string_view mechanism) {
  if (mechanism.empty()) return kUnknownMechanism;
  for (std::size_t i = 0; i < kOtherMechanism; ++i) {
    if (kMechanisms[i] == mechanism) return i;
  }
  return kOtherMechanism;
}

}  // namespace

std::string_view mechanism_label(std::string_view mechanism) { return kMechanisms[mechanism_index(mechanism)]; }

std::string_view provider_label(const Knowledge& knowledge, Direction direction, ProviderId provider) {
  if (direction != Direction::outbound) return {};
  return knowledge.provider_name(provider == kNoProvider ? kOtherProvider : provider);
}

MetricsRecorder::MetricsRecorder(MetricFamilies& families, const Knowledge& knowledge, std::string source)
    : families_(families), knowledge_(knowledge), source_(std::move(source)) {
  static constexpr std::string_view results[] = {"matched", "ignored", "unmatched"};
  for (std::size_t i = 0; i < 3; ++i) {
    line_counters_[i] = &families_.lines.Add({{"source", source_}, {"result", std::string(results[i])}});
  }
}

void MetricsRecorder::count_line(ParseOutcome outcome) {
  if (outcome == ParseOutcome::attempt) outcome = ParseOutcome::ignored;
  line_counters_[static_cast<std::size_t>(outcome)]->Increment();
}

namespace {

// The key of an mta_smtp_replies_total series, from the bounded values of its labels: one key per
// label set, so that pipelines agree on it.
std::uint64_t reply_key(const SmtpEvent& event, const Verdict& verdict, int basic, EnhancedCode enhanced,
                        ProviderId provider) {
  // 3 + 2 + 3 + 10 + 27 + 5 + 8 = 58 bits; the widths must hold every value of their enums.
  static_assert(static_cast<int>(Mta::generic) < (1 << 3));
  static_assert(static_cast<int>(Direction::unknown) < (1 << 2));
  static_assert(static_cast<int>(Cause::other) < (1 << 5));
  static_assert(sizeof(ProviderId) == 1);
  return (((((static_cast<std::uint64_t>(event.mta) << 2 | static_cast<std::uint64_t>(event.direction)) << 3 |
             static_cast<std::uint64_t>(verdict.klass))
                << 10 |
            static_cast<std::uint64_t>(basic))
               << 27 |
           enhanced.packed())
              << 5 |
          static_cast<std::uint64_t>(verdict.cause))
             << 8 |
         provider;
}

}  // namespace

void MetricsRecorder::count_event(const SmtpEvent& event, const Verdict& verdict) {
  const EnhancedCode enhanced = bounded(knowledge_, verdict);
  const int basic = bounded_basic(knowledge_, verdict.basic);
  // Outbound replies without a provider are labelled "other" like those of another provider: one key.
  const ProviderId provider = event.direction != Direction::outbound ? kNoProvider
                              : verdict.provider == kNoProvider      ? kOtherProvider
                                                                     : verdict.provider;
  const auto mta_label = [&] { return std::string(to_string(event.mta)); };
  const std::uint64_t mta_key = static_cast<std::uint64_t>(event.mta);

  // The common case, a series this pipeline has seen, costs one hash lookup.
  const std::uint64_t key = reply_key(event, verdict, basic, enhanced, provider);
  if (const auto found = replies_.find(key); found != replies_.end()) {
    found->second->Increment();
  } else if (const auto overflowed = overflowed_.find(key); overflowed != overflowed_.end()) {
    families_.series_overflow.Increment();
    overflowed->second->Increment();
  } else {
    reply_series_on_miss(event, verdict, key, basic, enhanced, provider).Increment();
  }

  if (verdict.class_mismatch) {
    lookup(mismatches_, mta_key, [&]() -> prometheus::Counter& {
      return families_.class_mismatches.Add({{"mta", mta_label()}});
    }).Increment();
  }

  switch (event.status) {
    case Status::sent:
    case Status::deferred:
    case Status::bounced:
    case Status::expired: {
      const std::uint64_t key =
          (mta_key << 2 | static_cast<std::uint64_t>(event.direction)) << 4 | static_cast<std::uint64_t>(event.status);
      const auto status_label = [&] { return std::string(to_string(event.status)); };
      lookup(deliveries_, key, [&]() -> prometheus::Counter& {
        return families_.deliveries.Add(
            {{"mta", mta_label()}, {"direction", std::string(to_string(event.direction))}, {"status", status_label()}});
      }).Increment();
      if (event.delay_seconds >= 0) {
        const std::uint64_t delay_key = mta_key << 4 | static_cast<std::uint64_t>(event.status);
        lookup(delays_, delay_key, [&]() -> prometheus::Histogram& {
          return families_.delivery_delay.Add({{"mta", mta_label()}, {"status", status_label()}}, kDelayBuckets);
        }).Observe(event.delay_seconds);
      }
      break;
    }
    case Status::rejected:
    case Status::rejected_temporarily: {
      const std::uint64_t key =
          (mta_key << 4 | static_cast<std::uint64_t>(event.stage)) << 5 | static_cast<std::uint64_t>(verdict.cause);
      lookup(rejects_, key, [&]() -> prometheus::Counter& {
        return families_.rejects.Add({{"mta", mta_label()},
                                      {"stage", std::string(to_string(event.stage))},
                                      {"cause", std::string(to_string(verdict.cause))}});
      }).Increment();
      break;
    }
    case Status::auth_failed: {
      const std::size_t index = mechanism_index(event.mechanism);
      const std::string_view mechanism = kMechanisms[index];
      const std::uint64_t key = mta_key << 8 | index;
      lookup(auth_failures_, key, [&]() -> prometheus::Counter& {
        return families_.auth_failures.Add({{"mta", mta_label()}, {"mechanism", std::string(mechanism)}});
      }).Increment();
      break;
    }
    case Status::none: break;
  }
}

prometheus::Counter& MetricsRecorder::reply_series_on_miss(const SmtpEvent& event, const Verdict& verdict,
                                                           std::uint64_t key, int basic, EnhancedCode enhanced,
                                                           ProviderId provider) {
  const bool has_codes = basic != 0 || enhanced.present();
  const bool may_use_reserve = provider != kNoProvider && provider != kOtherProvider && basic != 0 &&
                               knowledge_.is_registered_basic(basic) && enhanced.detail != kCollapsed;
  std::lock_guard lock(families_.reply_series_mutex);
  std::unordered_set<std::uint64_t>& created = families_.reply_series_keys;
  const std::size_t room =
      may_use_reserve ? families_.reply_series_limit : families_.reply_series_limit - families_.reply_series_reserve;
  int basic_label = basic;
  EnhancedCode enhanced_label = enhanced;
  std::uint64_t label_key = key;
  if (has_codes && !created.contains(key)) {
    if (families_.reply_series_with_codes < room) {
      ++families_.reply_series_with_codes;
    } else {
      families_.series_overflow.Increment();
      basic_label = 0;
      enhanced_label = {};
      label_key = reply_key(event, verdict, basic_label, enhanced_label, provider);
    }
  }
  const bool new_series = created.insert(label_key).second;
  if (new_series) families_.reply_series.Set(static_cast<double>(created.size()));
  const prometheus::Labels labels{{"mta", std::string(to_string(event.mta))},
                                  {"direction", std::string(to_string(event.direction))},
                                  {"class", std::to_string(verdict.klass) + "xx"},
                                  {"code", basic_code_label(knowledge_, basic_label)},
                                  {"enhanced_code", code_text(enhanced_label)},
                                  {"cause", std::string(to_string(verdict.cause))},
                                  {"provider", std::string(provider_label(knowledge_, event.direction, provider))}};
  prometheus::Counter& counter =
      lookup(replies_, label_key, [&]() -> prometheus::Counter& { return families_.replies.Add(labels); });
  if (new_series) {
    families_.reply_series_index.push_back({&counter, event.direction, verdict.klass, verdict.cause, provider});
    std::string order;
    for (const auto& [name, value] : labels) order += value + '\0';  // Labels is a map: name order
    families_.reply_series_by_labels.emplace(std::move(order),
                                             MetricFamilies::ReplySeriesText{label_text(labels), &counter});
  }
  // A reply past the limit is cached too, under its own key, so that the next one takes no lock.
  if (label_key != key && overflowed_.size() < kMaxOverflowed) overflowed_.emplace(key, &counter);
  return counter;
}

}  // namespace mta
