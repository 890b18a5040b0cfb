#pragma once
// Gives an SMTP event its class (2xx/4xx/5xx), cause and provider. The tiers run in the order of
// cause-taxonomy.md section 5: provider, strong text, specific code, weak text, generic code, basic
// code; the first rule that fires decides. Text rules run only for non-success replies.

#include <string>
#include <string_view>
#include <vector>

#include "classify/host_provider_memo.hpp"
#include "classify/knowledge.hpp"
#include "classify/site_rules.hpp"
#include "classify/text_facts_memo.hpp"
#include "classify/text_normalizer.hpp"
#include "smtp/smtp_event.hpp"

namespace mta {

struct Verdict {
  int klass = 0;  // 2, 4 or 5; 0 when neither codes nor status tell
  int basic = 0;
  EnhancedCode enhanced;
  bool enhanced_from_dsn = false;  // no code in the reply; the MTA's own dsn= was used
  bool class_mismatch = false;     // basic and enhanced code disagree; the basic code won
  Cause cause = Cause::other;
  ProviderId provider = kNoProvider;  // from the remote host, else (outbound only) from the text
  bool provider_from_host = false;
  Tier tier = Tier::basic_code;
  std::string_view rule;    // id of the deciding rule, empty when none fired
  std::string_view source;  // the document that rule was written from; empty for site rules
};

class Classifier {
 public:
  explicit Classifier(const Knowledge& knowledge = Knowledge::builtin(), const SiteRules* site_rules = nullptr);

  Verdict classify(const SmtpEvent& event);

  // A diagnostic given on its own, with no basic code in front and no log line around it ("mail for
  // example.com loops back to myself"). Only the text rules decide; the verdict's rule stays empty when
  // none fires, and the text then is no diagnostic. The class is the one the text states: an enhanced
  // code inside it ("(#5.1.1)"), else words of permanence or transience, else 0.
  Verdict classify_codeless_text(std::string_view text);
  void set_site_rules(const SiteRules* site_rules) { site_rules_ = site_rules; }

  // The text the rules saw in the last classify() call.
  std::string_view normalized_text() const { return normalized_; }

 private:
  bool decide_by_site_rules(const SmtpEvent& event, const CodeFacts& facts, Verdict& verdict) const;
  void decide_by_tiers(const SmtpEvent& event, const CodeFacts& facts, const TextKey& key, Verdict& verdict);
  bool decide_by_code_rules(Tier tier, const CodeFacts& facts, const SmtpEvent& event, Verdict& verdict) const;
  bool decide_by_text_rules(Tier tier, const TextKey& key, Verdict& verdict);
  int deciding_group(Tier tier, Stage stage) const;
  void identify_provider(const SmtpEvent& event, const TextKey& key, Verdict& verdict);
  ProviderId provider_named_in_text(const Verdict& verdict, const TextKey& key, bool no_remote_host, bool with_links);
  ProviderId provider_of_marker(const TextKey& key, bool with_links);
  // The memo's facts of the key's text, or, for a text too long for the memo, facts kept for this reply only.
  TextFacts& facts_for(const TextKey& key);

  const Knowledge& knowledge_;
  const SiteRules* site_rules_;
  TextNormalizer normalizer_;
  std::string_view normalized_;
  TextFactsMemo memo_;
  TextFacts* text_facts_ = nullptr;  // facts_for() the text being classified
  TextFacts unremembered_;           // facts_for() a text too long for the memo
  HostProviderMemo host_providers_;
  mutable std::vector<int> matches_;  // deciding_group's scratch: the groups whose patterns match
  mutable std::string unquoted_;      // deciding_group's scratch: the text without its quoted strings
};

}  // namespace mta
