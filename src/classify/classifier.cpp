#include "classify/classifier.hpp"

#include <algorithm>
#include <optional>

#include "smtp/text_search.hpp"

namespace mta {
namespace {

int class_of_status(Status status) {
  switch (status) {
    case Status::sent: return 2;
    case Status::deferred:
    case Status::rejected_temporarily: return 4;
    case Status::bounced:
    case Status::expired:
    case Status::rejected:
    case Status::auth_failed: return 5;
    case Status::none: return 0;
  }
  return 0;
}

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Orange and La Poste end their texts with codes such as "OFR006_102" or "LPNAAA_101".
int orange_number(std::string_view text) {
  static constexpr Needle prefixes[] = {"ofr", "lpn"};
  for (const Needle& prefix : prefixes) {
    for (std::size_t pos = prefix.find_in(text); pos != std::string_view::npos; pos = prefix.find_in(text, pos + 1)) {
      if (pos > 0 && is_lower_alnum(text[pos - 1])) continue;
      std::size_t cursor = pos + prefix.text().size();
      while (cursor < text.size() && is_lower_alnum(text[cursor])) ++cursor;
      if (cursor + 4 > text.size() || text[cursor] != '_') continue;
      const std::string_view digits = text.substr(cursor + 1, 3);
      if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
      if (cursor + 4 < text.size() && text[cursor + 4] >= '0' && text[cursor + 4] <= '9') continue;
      return (digits[0] - '0') * 100 + (digits[1] - '0') * 10 + (digits[2] - '0');
    }
  }
  return 0;
}

// Cox names the violated policy as "AUP#CXBL".
std::string_view cox_code(std::string_view text) {
  static constexpr Needle aup("aup#");
  const std::size_t pos = aup.find_in(text);
  if (pos == std::string_view::npos) return {};
  std::size_t end = pos + 4;
  while (end < text.size() && is_lower_alnum(text[end])) ++end;
  return text.substr(pos + 4, end - pos - 4);
}

bool conditions_hold(const CodeRule& rule, const CodeFacts& facts, const SmtpEvent& event, std::string_view text) {
  if (rule.stages != 0 && (rule.stages & stage_bit(event.stage)) == 0) return false;
  if (rule.mta && *rule.mta != event.mta) return false;
  if (rule.direction && *rule.direction != event.direction) return false;
  if (!rule.basic_in.empty() &&
      std::find(rule.basic_in.begin(), rule.basic_in.end(), facts.basic) == rule.basic_in.end()) {
    return false;
  }
  if (std::find(rule.basic_not_in.begin(), rule.basic_not_in.end(), facts.basic) != rule.basic_not_in.end())
    return false;
  if (!rule.text_any.empty() &&
      std::none_of(rule.text_any.begin(), rule.text_any.end(),
                   [&](const std::string& needle) { return text.find(needle) != std::string_view::npos; })) {
    return false;
  }
  return true;
}

// The class a code-less text states in words: "permanent error" is 5, "temporary failure", "try
// again" or "deferred" is 4; a text that says both, or neither, states none (0). qmail's final bounce
// for the queue lifetime, "I'm not going to try again; this message has been in the queue too long."
// (qmail-send.c, notqmail/notqmail@a7012e4f), is 5: its "try again" is negated.
int class_stated_in_words(std::string_view text) {
  static const RE2 final_words("\\bnot going to try again\\b");
  if (RE2::PartialMatch(text, final_words)) return 5;
  static const RE2 permanent("\\bpermanent(?:ly)? (?:error|failure|fail|failed|rejected)\\b|\\bfailed permanently\\b");
  static const RE2 transient("\\btemporar(?:y|ily)\\b|\\btry again\\b|\\bdeferr(?:ed|ing)\\b");
  const bool says_permanent = RE2::PartialMatch(text, permanent);
  const bool says_transient = RE2::PartialMatch(text, transient);
  if (says_permanent == says_transient) return 0;
  return says_permanent ? 5 : 4;
}

// A code-less text that says something went wrong. A vocabulary rule (id V..., text-rules.tsv) reads only the
// topic ("TLS", "quota", "spam"), which a reply of class 4 or 5 is known to have failed on; a text without a code
// must also say that it failed: "Untrusted TLS connection established" and "quota warning sent" are no
// failures.
bool states_failure(std::string_view text) {
  // Words that say so on their own, and the short words ("not", "no", "over", "too", "full") only in the phrases
  // that make them say it: "Your mailbox is now 90 % full" and "no action is required" are no failures.
  static const RE2 failure_words(
      "\\b(?:fail(?:s|ed|ure|ures|ing)?|errors?|reject(?:s|ed|ing)?|refus(?:e|es|ed|ing)|den(?:y|ies|ied)|"
      "exceed(?:s|ed|ing)?|unknown|invalid|unable|cannot|can'?t|could not|couldn'?t|"
      "not (?:found|allowed|permitted|accepted|available|valid|exists?|delivered|deliverable|reachable|"
      "authori[sz]ed|authenticated|supported|responding|recogni[sz]ed|known|active|verified)|"
      "no (?:such|longer|route|response|valid|mx|space|permission|mailbox|account|user)|"
      "over (?:the |its |their |your )?(?:quota|limit|size|capacity)|too (?:many|large|big|long|much|busy)|"
      "(?:is|are|was|were) full|block(?:s|ed|ing)?|expired|disabled|suspended|inactive|closed|terminated|aborted|"
      "unverif(?:ied|iable)|unavailable|unreachable|timed out|time ?out|problems?|illegal|forbidden|prohibited|"
      "banned|bounced?|undeliverable|(?:is|are|was|been|ip) listed|blacklisted|violat(?:es|ed|ion)|infected|"
      "detected|authentication (?:is )?required|must authenticate|insufficient|lost|reset|dropped|broken|"
      "does not|doesn'?t|do not|don'?t|is not|isn'?t|won'?t|never|deferr(?:ed|ing)|temporar(?:y|ily)|"
      "permanent(?:ly)?|try again|bad|wrong|missing|loops?|looping)\\b");
  return RE2::PartialMatch(text, failure_words);
}

bool opens_quote(std::string_view text, std::size_t at) {
  return at == 0 || std::string_view(" (:=[<").find(text[at - 1]) != std::string_view::npos;
}

bool closes_quote(std::string_view text, std::size_t at) {
  return at + 1 == text.size() || std::string_view(" .,;:)]>").find(text[at + 1]) != std::string_view::npos;
}

// `text` without the strings it quotes ("for 'quota-mail.example'", "subject \"your mailbox quota\""): a quote that
// opens after a blank or a bracket and closes before one or a stop; an apostrophe inside a word ("don't",
// "recipient's") is no quote.
std::string_view without_quoted(std::string_view text, std::string& buffer) {
  buffer.clear();
  std::size_t copied = 0;
  for (std::size_t at = 0; at < text.size(); ++at) {
    const char quote = text[at];
    if ((quote != '"' && quote != '\'') || !opens_quote(text, at)) continue;
    std::size_t close = text.find(quote, at + 1);
    while (close != std::string_view::npos && !closes_quote(text, close)) close = text.find(quote, close + 1);
    if (close == std::string_view::npos) break;
    buffer.append(text.substr(copied, at - copied)).append("''");
    copied = close + 1;
    at = close;
  }
  if (copied == 0) return text;
  buffer.append(text.substr(copied));
  return buffer;
}

// Basic codes that say more than a generic enhanced code (taxonomy 8.2).
bool skips_generic_tier(int basic) {
  return basic == 530 || basic == 534 || basic == 535 || basic == 538 || basic == 556;
}

// Everything the code and text rules read of a reply besides its text and stage, in one integer: the enhanced code
// (bits 0-31), the basic code (32-41), the class (42-44), whether the enhanced code is the MTA's own dsn= (45), the
// MTA (46-49), the direction (50-51) and the provider (52-59); bit 63 is set, so that no context is 0.
DecisionContext decision_context(const SmtpEvent& event, const Verdict& verdict) {
  static_assert(sizeof(ProviderId) == 1);
  return DecisionContext{1} << 63 | static_cast<DecisionContext>(verdict.provider) << 52 |
         static_cast<DecisionContext>(event.direction) << 50 | static_cast<DecisionContext>(event.mta) << 46 |
         static_cast<DecisionContext>(verdict.enhanced_from_dsn) << 45 |
         static_cast<DecisionContext>(verdict.klass) << 42 | static_cast<DecisionContext>(verdict.basic) << 32 |
         verdict.enhanced.packed();
}

void apply(const Decision& decision, Verdict& verdict) {
  verdict.cause = decision.cause;
  verdict.tier = decision.tier;
  verdict.rule = decision.rule;
  verdict.source = decision.source;
}

}  // namespace

Classifier::Classifier(const Knowledge& knowledge, const SiteRules* site_rules)
    : knowledge_(knowledge), site_rules_(site_rules) {}

// Text markers name the provider only in replies of remote servers: in our own rejects they would
// come from the client (a HELO name), not from the receiver.
void Classifier::identify_provider(const SmtpEvent& event, const TextKey& key, Verdict& verdict) {
  verdict.provider = host_providers_.provider_for_host(knowledge_, event.remote_host);
  verdict.provider_from_host = verdict.provider > kOtherProvider;
  if (verdict.provider_from_host || event.direction != Direction::outbound) return;
  const ProviderId by_text = provider_named_in_text(verdict, key, event.remote_host.empty(), true);
  if (by_text != kNoProvider) verdict.provider = by_text;
}

// A marker in the text; else, when nothing names the host that answered, the domain of an address in
// a reply whose own enhanced code is about the recipient's mailbox (RFC 3463 X.1.1-X.1.6 "destination"
// address codes, X.2.x mailbox status: "552 5.2.2 <a@icloud.com>: user is over quota"), when only
// one provider receives mail for that domain (providers.tsv "domain"). Where the line names a host,
// the host decides: a smarthost's reply about a gmail.com recipient is the smarthost's, not Google's.
ProviderId Classifier::provider_named_in_text(const Verdict& verdict, const TextKey& key, bool no_remote_host,
                                              bool with_links) {
  const ProviderId by_marker = provider_of_marker(key, with_links);
  if (by_marker != kNoProvider || !no_remote_host || verdict.enhanced_from_dsn) return by_marker;
  const EnhancedCode code = verdict.enhanced;
  const bool about_recipient_mailbox =
      code.present() && ((code.subject == 1 && code.detail >= 1 && code.detail <= 6) || code.subject == 2);
  if (!about_recipient_mailbox) return kNoProvider;
  for (const std::string_view domain : normalizer_.masked_domains()) {
    if (const ProviderId provider = knowledge_.provider_for_mail_domain(domain); provider != kNoProvider) {
      return provider;
    }
  }
  return kNoProvider;
}

TextFacts& Classifier::facts_for(const TextKey& key) {
  if (TextFacts* remembered = memo_.facts_of(key)) return *remembered;
  unremembered_.forget();
  return unremembered_;
}

ProviderId Classifier::provider_of_marker(const TextKey& key, bool with_links) {
  const TextFact fact = with_links ? TextFact::provider_by_marker : TextFact::provider_by_wording;
  int provider = text_facts_->find(fact);
  if (provider == TextFactsMemo::kUnknown) {
    provider = knowledge_.provider_for_text(key.text, with_links);
    text_facts_->remember(fact, provider);
  }
  return static_cast<ProviderId>(provider);
}

bool Classifier::decide_by_site_rules(const SmtpEvent& event, const CodeFacts& facts, Verdict& verdict) const {
  if (site_rules_ == nullptr) return false;
  for (const SiteRule& rule : *site_rules_) {
    if (rule.direction && *rule.direction != event.direction) continue;
    if (rule.mta && *rule.mta != event.mta) continue;
    if (rule.provider != kNoProvider && rule.provider != verdict.provider) continue;
    if (rule.basic != 0 && rule.basic != verdict.basic) continue;
    if (rule.enhanced && !code_spec_matches(*rule.enhanced, facts)) continue;
    // The administrator's pattern may name an address the reply echoes.
    if (rule.text && !RE2::PartialMatch(normalizer_.with_ip_addresses(), *rule.text)) continue;
    verdict.cause = rule.cause;
    verdict.tier = Tier::site;
    verdict.rule = rule.name;
    verdict.source = {};
    if (rule.set_provider != kNoProvider) verdict.provider = rule.set_provider;
    return true;
  }
  return false;
}

bool Classifier::decide_by_code_rules(Tier tier, const CodeFacts& facts, const SmtpEvent& event,
                                      Verdict& verdict) const {
  for (const CodeRuleEntry& candidate : knowledge_.code_rules(tier, verdict.provider, facts.enhanced)) {
    if (!code_spec_matches(candidate, facts)) continue;
    const CodeRule& rule = *candidate.rule;
    if (!conditions_hold(rule, facts, event, normalized_)) continue;
    verdict.cause = rule.cause;
    verdict.tier = tier;
    verdict.rule = rule.id;
    verdict.source = knowledge_.source(rule.source);
    return true;
  }
  return false;
}

// The first group of the tier whose pattern matches and whose conditions hold, or -1.
int Classifier::deciding_group(Tier tier, Stage stage) const {
  const std::vector<TextRuleGroup>& groups = knowledge_.text_groups(tier);
  std::optional<std::string_view> unquoted;  // made when a vocabulary group first needs it
  const auto conditions_hold = [&](int found) {
    const TextRuleGroup& group = groups[static_cast<std::size_t>(found)];
    if (group.stages != 0 && (group.stages & stage_bit(stage)) == 0) return false;
    if (group.outside_quotes) {
      if (!unquoted) unquoted = without_quoted(normalized_, unquoted_);
      if (!RE2::PartialMatch(*unquoted, *group.outside_quotes)) return false;
    }
    return !group.unless || !RE2::PartialMatch(normalized_, *group.unless);
  };
  const FirstMatchIndex& index = knowledge_.text_index(tier);
  if (index.all_matches(normalized_, matches_)) {
    const auto decided = std::find_if(matches_.begin(), matches_.end(), conditions_hold);
    return decided == matches_.end() ? -1 : *decided;
  }
  for (int found = index.first_match(normalized_); found >= 0; found = index.first_match(normalized_, found + 1)) {
    if (conditions_hold(found)) return found;
  }
  return -1;
}

bool Classifier::decide_by_text_rules(Tier tier, const TextKey& key, Verdict& verdict) {
  const TextFact fact = tier == Tier::strong_text         ? TextFact::strong_text_group
                        : tier == Tier::failure_statement ? TextFact::failure_statement_group
                                                          : TextFact::weak_text_group;
  int found = text_facts_->find(fact);
  if (found == TextFactsMemo::kUnknown) {
    found = deciding_group(tier, key.stage);
    text_facts_->remember(fact, found);
  }
  if (found < 0) return false;
  const TextRuleGroup& group = knowledge_.text_groups(tier)[static_cast<std::size_t>(found)];
  verdict.cause = group.cause;
  verdict.tier = tier;
  verdict.rule = group.id;
  verdict.source = knowledge_.source(group.source);
  return true;
}

Verdict Classifier::classify_codeless_text(std::string_view text) {
  Verdict verdict;
  verdict.enhanced = find_enhanced_code(text);
  normalized_ = normalizer_.normalize(text, 0, verdict.enhanced);
  const TextKey key(normalized_, Stage::unknown);
  text_facts_ = &facts_for(key);
  const bool failure_code = verdict.enhanced.klass == 4 || verdict.enhanced.klass == 5;
  // An enhanced code the text carries decides in its tiers, as in a reply (qmail's "(#5.1.2)" after wording no rule
  // knows): strong text, specific code, weak text, generic code.
  SmtpEvent codeless;
  codeless.reply = text;
  const CodeFacts facts{0, verdict.enhanced, 0, {}, verdict.enhanced.klass};
  bool decided = decide_by_text_rules(Tier::strong_text, key, verdict) ||
                 (failure_code && decide_by_code_rules(Tier::specific_code, facts, codeless, verdict)) ||
                 decide_by_text_rules(Tier::weak_text, key, verdict);
  // A topic word alone is no diagnostic: the text must also say that it failed, in words, in a failure code or in a
  // failure statement ("Undelivered Mail: TLS").
  if (decided && verdict.rule.starts_with('V') && !failure_code && !states_failure(normalized_) &&
      deciding_group(Tier::failure_statement, key.stage) < 0) {
    decided = false;
  }
  if (!decided && failure_code) decided = decide_by_code_rules(Tier::generic_code, facts, codeless, verdict);
  // A text that says only that the delivery failed is a diagnostic of cause other.
  if (!decided && !decide_by_text_rules(Tier::failure_statement, key, verdict)) {
    verdict.cause = Cause::other;
    verdict.rule = {};
    verdict.source = {};
    return verdict;
  }
  verdict.klass = failure_code ? verdict.enhanced.klass : class_stated_in_words(normalized_);
  // A diagnostic on its own has no host field: the host it failed with is named in its words ("lost connection with
  // mx2.qq.com[...]"); without a reply code it is the reporting MTA's text, whose help links may be its own
  // (providers.tsv "link"), so only host names that stand outside a link count.
  verdict.provider = provider_named_in_text(verdict, key, true, false);
  return verdict;
}

// The first rule that decides, tier by tier in the order of cause-taxonomy.md section 5; else cause other, no rule.
void Classifier::decide_by_tiers(const SmtpEvent& event, const CodeFacts& facts, const TextKey& key, Verdict& verdict) {
  if (decide_by_code_rules(Tier::provider, facts, event, verdict) ||
      decide_by_text_rules(Tier::strong_text, key, verdict) ||
      decide_by_code_rules(Tier::specific_code, facts, event, verdict) ||
      decide_by_text_rules(Tier::weak_text, key, verdict)) {
    return;
  }
  // A generic code the MTA derived itself (Postfix logs dsn=5.0.0 for a bare "550") says less than
  // the basic code with its stage.
  const bool generic_tier = !skips_generic_tier(verdict.basic) && !(verdict.enhanced_from_dsn && verdict.basic != 0);
  if ((generic_tier && decide_by_code_rules(Tier::generic_code, facts, event, verdict)) ||
      decide_by_code_rules(Tier::basic_code, facts, event, verdict)) {
    return;
  }
  verdict.cause = Cause::other;
  verdict.rule = {};
  verdict.source = {};
}

Verdict Classifier::classify(const SmtpEvent& event) {
  Verdict verdict;
  normalized_ = {};
  text_facts_ = nullptr;
  verdict.basic = basic_code(event.reply);
  if (verdict.basic / 100 == 3) verdict.basic = 0;  // 334/354 are intermediate, never an outcome
  if (!event.reply.empty()) {
    verdict.enhanced = find_enhanced_code(verdict.basic != 0 ? event.reply.substr(3) : event.reply);
  }
  if (!verdict.enhanced.present()) {
    verdict.enhanced = parse_enhanced_code(event.dsn);
    verdict.enhanced_from_dsn = verdict.enhanced.present();
  }
  if (verdict.basic != 0) {
    verdict.klass = verdict.basic / 100;
    verdict.class_mismatch =
        verdict.enhanced.present() && !verdict.enhanced_from_dsn && verdict.enhanced.klass != verdict.klass;
  } else if (verdict.enhanced.present()) {
    verdict.klass = verdict.enhanced.klass;
  } else {
    verdict.klass = event.status != Status::none ? class_of_status(event.status) : event.implied_class;
  }

  if (verdict.klass == 2 || verdict.klass == 0) {
    // Success needs no cause; without any class the line is not counted. Neither needs the text.
    verdict.cause = verdict.klass == 2 ? Cause::none : Cause::other;
    verdict.provider = host_providers_.provider_for_host(knowledge_, event.remote_host);
    verdict.provider_from_host = verdict.provider > kOtherProvider;
    return verdict;
  }
  const std::string_view text = text_to_classify(event);
  normalized_ = normalizer_.normalize(text, verdict.basic, verdict.enhanced);
  const TextKey key(normalized_, event.stage);
  text_facts_ = &facts_for(key);
  identify_provider(event, key, verdict);

  std::optional<CodeFacts> facts;
  const auto code_facts = [&]() -> const CodeFacts& {
    if (!facts)
      facts =
          CodeFacts{verdict.basic, verdict.enhanced, orange_number(normalized_), cox_code(normalized_), verdict.klass};
    return *facts;
  };
  // The administrator's rules may read what the memo's key does not (the addresses the text echoes).
  if (site_rules_ != nullptr && !site_rules_->empty() && decide_by_site_rules(event, code_facts(), verdict)) {
    return verdict;
  }
  const DecisionContext context = decision_context(event, verdict);
  if (const Decision* known = text_facts_->decision_in(context)) {
    apply(*known, verdict);
    return verdict;
  }
  decide_by_tiers(event, code_facts(), key, verdict);
  text_facts_->remember_decision(context, Decision{verdict.cause, verdict.tier, verdict.rule, verdict.source});
  return verdict;
}

}  // namespace mta
