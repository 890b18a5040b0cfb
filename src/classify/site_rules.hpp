#pragma once
// Site rules: the operator's own [[rule]] tables, tried before every built-in tier. A rule matches
// on any combination of reply text (RE2 on the normalised text), basic code, enhanced code,
// direction, MTA and provider, and sets the cause and optionally the provider label.

#include <re2/re2.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "classify/knowledge.hpp"

namespace mta {

struct SiteRuleSpec {
  std::string name;
  std::string cause;
  std::string set_provider;   // empty: keep the detected provider
  std::string text;           // RE2, searched in the lowercased, address-masked reply text
  std::string code;           // basic code, e.g. "550"
  std::string enhanced_code;  // "5.7.1", "x.7.*", "5.7.500-699"
  std::string direction;      // inbound | outbound | local
  std::string mta;            // postfix
  std::string provider;       // a provider name, or "other"
};

struct SiteRule {
  std::string name;
  Cause cause = Cause::other;
  ProviderId set_provider = kNoProvider;
  std::unique_ptr<RE2> text;
  int basic = 0;
  std::optional<CodeSpec> enhanced;
  std::optional<Direction> direction;
  std::optional<Mta> mta;
  ProviderId provider = kNoProvider;
};

// Checks and compiles a rule; throws std::invalid_argument "KEY: what is wrong".
SiteRule compile_site_rule(const SiteRuleSpec& spec, const Knowledge& knowledge = Knowledge::builtin());

using SiteRules = std::vector<SiteRule>;

// The current site rules, replaceable while pipelines run (SIGHUP): a pipeline checks the generation
// per line (one acquire load) and takes the new rules under the lock only when it changed.
class SiteRulesHolder {
 public:
  explicit SiteRulesHolder(std::shared_ptr<const SiteRules> rules) : rules_(std::move(rules)) {}

  void replace(std::shared_ptr<const SiteRules> rules) {
    std::lock_guard lock(mutex_);
    rules_ = std::move(rules);
    generation_.fetch_add(1, std::memory_order_release);
  }
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  std::shared_ptr<const SiteRules> current() const {
    std::lock_guard lock(mutex_);
    return rules_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const SiteRules> rules_;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace mta
