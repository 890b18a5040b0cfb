#include "classify/site_rules.hpp"

#include <stdexcept>

#include "smtp/reply.hpp"

namespace mta {
namespace {

[[noreturn]] void invalid(std::string_view key, const std::string& what) {
  throw std::invalid_argument(std::string(key) + ": " + what);
}

ProviderId provider_by_name(const Knowledge& knowledge, std::string_view key, const std::string& name) {
  const ProviderId id = knowledge.find_provider(name);
  if (id != kNoProvider) return id;
  std::string known = "other";
  for (std::size_t i = 2; i < knowledge.provider_count(); ++i)
    known += ", " + std::string(knowledge.provider_name(static_cast<ProviderId>(i)));
  invalid(key, "unknown provider \"" + name + "\" (known: " + known + ")");
}

}  // namespace

SiteRule compile_site_rule(const SiteRuleSpec& spec, const Knowledge& knowledge) {
  SiteRule rule;
  rule.name = spec.name;
  const std::optional<Cause> cause = parse_cause(spec.cause);
  if (!cause || *cause == Cause::none) invalid("cause", "\"" + spec.cause + "\" is not a cause of the taxonomy");
  rule.cause = *cause;
  if (!spec.set_provider.empty()) rule.set_provider = provider_by_name(knowledge, "provider", spec.set_provider);
  if (!spec.text.empty()) {
    rule.text = std::make_unique<RE2>(spec.text, text_regex_options());
    if (!rule.text->ok()) invalid("match.text", "invalid regular expression: " + rule.text->error());
  }
  if (!spec.code.empty()) {
    rule.basic = basic_code(spec.code);
    if (rule.basic == 0 || spec.code.size() != 3)
      invalid("match.code", "\"" + spec.code + "\" is not a reply code (200-599)");
  }
  if (!spec.enhanced_code.empty()) {
    CodeSpec code;
    if (!parse_code_spec(spec.enhanced_code, code) || code.kind != CodeSpec::Kind::enhanced) {
      invalid("match.enhanced_code",
              "\"" + spec.enhanced_code + "\" is not an enhanced code pattern (5.7.1, x.7.*, 5.7.500-699)");
    }
    rule.enhanced = code;
  }
  if (!spec.direction.empty()) {
    rule.direction = direction_from_string(spec.direction);
    if (!rule.direction) invalid("match.direction", "must be inbound, outbound, local or unknown");
  }
  if (!spec.mta.empty()) {
    rule.mta = mta_from_string(spec.mta);
    if (!rule.mta)
      invalid("match.mta", "unknown MTA \"" + spec.mta + "\" (postfix, exim, sendmail, opensmtpd, dovecot, generic)");
  }
  if (!spec.provider.empty()) rule.provider = provider_by_name(knowledge, "match.provider", spec.provider);
  if (!rule.text && rule.basic == 0 && !rule.enhanced && !rule.direction && !rule.mta && rule.provider == kNoProvider) {
    invalid("match", "a rule needs at least one condition");
  }
  return rule;
}

}  // namespace mta
