#include <algorithm>
#include <iostream>
#include <string>

#include "app/commands.hpp"
#include "classify/classifier.hpp"
#include "config/config.hpp"
#include "metrics/mta_metrics.hpp"
#include "mta/mta_parsers.hpp"
#include "smtp/bare_reply.hpp"
#include "syslog/syslog_header.hpp"

namespace mta {
namespace {

void write_json_string(std::ostream& out, std::string_view text) {
  out << '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out << '\\' << c;
    } else if (byte < 0x20 || byte >= 0x80) {
      static constexpr char hex[] = "0123456789abcdef";
      out << "\\u00" << hex[byte >> 4] << hex[byte & 15];
    } else {
      out << c;
    }
  }
  out << '"';
}

struct Classified {
  bool matched = false;
  bool counted = true;  // false: a failed try that the counters leave to the outcome's line (--explain says so)
  bool bare = false;
  bool codeless = false;  // a bare diagnostic without any reply code, told by the text rules alone
  SmtpEvent event;
  Verdict verdict;
};

Classified classify_line(std::string_view line, Classifier& classifier) {
  Classified result;
  // A reply given on its own reads better as one (stage, host) than through the generic fallback.
  // A failed try that the counters leave to the outcome's line is still described.
  const ParseOutcome outcome = parse_log_line(line, result.event);
  const bool logged = outcome == ParseOutcome::event || outcome == ParseOutcome::attempt;
  result.counted = outcome != ParseOutcome::attempt;
  if (!logged || result.event.mta == Mta::generic) {
    SmtpEvent bare;
    if (read_bare_reply(line, bare)) {
      result.event = bare;
      result.bare = true;
    } else if (!logged) {
      // Text that is no log line and has no reply code counts when its words name a cause.
      SyslogRecord record;
      const std::string_view text = codeless_diagnostic(line);
      if (text.empty() || parse_syslog_line(line, record)) return result;
      result.event.reply = text;
      result.bare = true;
      result.codeless = true;
      result.verdict = classifier.classify_codeless_text(text);
      result.matched = !result.verdict.rule.empty();
      return result;
    }
  }
  // A reply only the generic parser found, in a text with no mark of a log line (no header, stamp, program or
  // log fields), is a reply quoted on its own (a bounce's "Remote host said: 550 5.1.1 ..."): no program logged
  // it, so it has no mta or direction of its own.
  if (result.event.mta == Mta::generic && !result.bare) {
    const std::string_view text = line.substr(std::min(line.find_first_not_of(" \t"), line.size()));
    SyslogRecord record;
    if (!codeless_diagnostic(text).empty() && !parse_syslog_line(line, record)) {
      // Classified as a reply given on its own too, without the generic program's mta and direction.
      SmtpEvent bare;
      bare.reply = result.event.reply;
      result.event = bare;
      result.bare = true;
    }
  }
  result.verdict = classifier.classify(result.event);
  result.matched = result.verdict.klass != 0;
  return result;
}

// The contract's `status` is a delivery's (README "Metrics", `status` (deliveries)): a refusal or an AUTH failure is an
// event of its own kind, not a delivery, so it has none. --explain still names the kind.
std::string_view delivery_status_label(Status status) {
  switch (status) {
    case Status::sent:
    case Status::deferred:
    case Status::bounced:
    case Status::expired: return to_string(status);
    case Status::none:
    case Status::rejected:
    case Status::rejected_temporarily:
    case Status::auth_failed: return "";
  }
  return "";
}

// "4xx"; empty when a code-less text states no class.
std::string class_label(int klass) { return klass != 0 ? std::to_string(klass) + "xx" : std::string(); }

void print_json(std::ostream& out, const Classified& line) {
  const Knowledge& knowledge = Knowledge::builtin();
  const auto field = [&out](std::string_view key, std::string_view value, bool first = false) {
    if (!first) out << ',';
    write_json_string(out, key);
    out << ':';
    write_json_string(out, value);
  };
  out << '{';
  if (!line.matched) {
    for (std::string_view key : {"mta", "direction", "status", "class", "code", "enhanced_code", "cause", "provider"}) {
      field(key, "", key == "mta");
    }
    out << ",\"matched\":false}\n";
    return;
  }
  const SmtpEvent& event = line.event;
  const Verdict& verdict = line.verdict;
  const std::string klass = class_label(verdict.klass);
  // The labels /metrics would carry: an unregistered basic code as its class ("5xx"), an enhanced code
  // outside the registry and the provider codes bounded (README "Metrics").
  const std::string basic = basic_code_label(knowledge, verdict.basic);
  field("mta", line.bare ? "" : to_string(event.mta), true);
  field("direction", line.bare ? "" : to_string(event.direction));
  field("status", delivery_status_label(event.status));
  field("class", klass);
  field("code", basic);
  field("enhanced_code", enhanced_code_label(knowledge, verdict.enhanced, verdict.provider));
  field("cause", to_string(verdict.cause));
  const std::string_view provider =
      line.bare ? (verdict.provider > kOtherProvider ? knowledge.provider_name(verdict.provider) : "")
                : provider_label(knowledge, event.direction, verdict.provider);
  field("provider", provider);
  out << ",\"matched\":true}\n";
}

void print_plain(std::ostream& out, const Classified& line) {
  if (!line.matched) {
    out << "no SMTP event\n";
    return;
  }
  EnhancedCodeText code_text;
  const Verdict& verdict = line.verdict;
  out << (line.bare ? "reply" : to_string(line.event.mta)) << ' ' << (line.bare ? "-" : to_string(line.event.direction))
      << ' ' << (verdict.klass != 0 ? class_label(verdict.klass) : "-") << ' '
      << (verdict.basic ? std::to_string(verdict.basic) : "-") << ' '
      << (verdict.enhanced.present() ? format(verdict.enhanced, code_text) : "-") << ' ' << to_string(verdict.cause);
  if (!verdict.rule.empty()) out << " [" << to_string(verdict.tier) << ' ' << verdict.rule << ']';
  out << '\n';
}

// The tier of a rule as the explanation names it.
std::string_view tier_name(Tier tier, bool turkish) {
  switch (tier) {
    case Tier::site: return turkish ? "site kuralı" : "site rule";
    case Tier::provider: return turkish ? "sağlayıcı katmanı" : "provider tier";
    case Tier::strong_text: return turkish ? "güçlü metin katmanı" : "strong text tier";
    case Tier::specific_code: return turkish ? "özel kod katmanı" : "specific code tier";
    case Tier::weak_text: return turkish ? "zayıf metin katmanı" : "weak text tier";
    case Tier::generic_code: return turkish ? "genel kod katmanı" : "generic code tier";
    case Tier::basic_code: return turkish ? "temel kod katmanı" : "basic code tier";
    case Tier::failure_statement: return turkish ? "başarısızlık bildirimi katmanı" : "failure statement tier";
  }
  return "";
}

void print_explanation(std::ostream& out, std::string_view input, const Classified& line, const Classifier& classifier,
                       std::string_view language) {
  const Knowledge& knowledge = Knowledge::builtin();
  out << "input:          " << input << '\n';
  if (!line.matched) {
    out << "result:         no SMTP event in this line\n\n";
    return;
  }
  const SmtpEvent& event = line.event;
  const Verdict& verdict = line.verdict;
  EnhancedCodeText code_text;
  if (!line.bare) {
    out << "mta:            " << to_string(event.mta) << '\n'
        << "direction:      " << to_string(event.direction) << '\n'
        << "status:         " << to_string(event.status) << '\n'
        << "stage:          " << to_string(event.stage) << '\n';
    if (!event.remote_host.empty()) out << "remote host:    " << event.remote_host << '\n';
  }
  out << "reply:          " << (event.reply.empty() ? event.agent_text : event.reply)
      << (line.codeless ? " (no reply code: the text rules decide)" : "") << '\n';
  // A reply logged as its code alone is explained by the MTA's own words, which the rules read.
  if (!event.reply.empty() && text_to_classify(event) != event.reply) {
    out << "mta text:       " << text_to_classify(event) << '\n';
  }
  out << "class:          " << (verdict.klass != 0 ? class_label(verdict.klass) : "not stated (no reply code)")
      << (verdict.class_mismatch ? " (basic and enhanced code disagree)" : "") << '\n';
  if (verdict.basic != 0) {
    const CodeMeaning* meaning = knowledge.basic_meaning(verdict.basic);
    out << "basic code:     " << verdict.basic
        << (meaning ? " - " + meaning->description : std::string(" - not registered")) << '\n';
  }
  if (verdict.enhanced.present()) {
    const CodeMeaning* meaning = knowledge.enhanced_meaning(verdict.enhanced);
    out << "enhanced code:  " << format(verdict.enhanced, code_text)
        << (verdict.enhanced_from_dsn ? " (from dsn=)" : "")
        << (meaning ? " - " + meaning->title + ": " + meaning->description : std::string(" - not registered")) << '\n';
  }
  if (verdict.provider > kOtherProvider) out << "provider:       " << knowledge.provider_name(verdict.provider) << '\n';
  const bool turkish = language == "tr";
  out << "cause:          " << to_string(verdict.cause) << '\n' << (turkish ? "karar veren:    " : "decided by:     ");
  if (verdict.rule.empty()) {
    out << (turkish ? "kural yok (varsayılan)" : "no rule (fallback)") << '\n';
  } else {
    out << verdict.rule << " (" << tier_name(verdict.tier, turkish) << ")\n"
        << (turkish ? "kaynak:         " : "source:         ")
        << (verdict.source.empty() ? (turkish ? "site yapılandırması ([[rule]])" : "site configuration ([[rule]])")
                                   : verdict.source)
        << '\n';
  }
  if (!classifier.normalized_text().empty()) out << "rule text:      " << classifier.normalized_text() << '\n';
  if (!line.counted) {
    out << (turkish ? "sayılmaz:       tek bir başarısız deneme; sonucu taşıyan satır sayılır ya da yanıt gönderilmedi"
                    : "not counted:    one failed try; the line with the outcome is counted, or no reply was sent")
        << '\n';
  }
  if (const Remedy* remedy = knowledge.remedy(verdict.cause, language)) {
    out << "meaning:        " << remedy->meaning << '\n' << "remedy:         " << remedy->action << '\n';
  }
  out << '\n';
}

}  // namespace

int run_classify(Arguments arguments) {
  bool json = false;
  bool explain = false;
  std::string_view language = "en";
  Config config;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    if (arguments[i] == "--json") {
      json = true;
    } else if (arguments[i] == "--explain") {
      explain = true;
    } else if (arguments[i] == "--lang" && i + 1 < arguments.size()) {
      language = arguments[++i];
      if (language != "en" && language != "tr") {
        std::cerr << "mta_exporter classify: --lang takes en or tr\n";
        return 2;
      }
    } else if (arguments[i] == "--config" && i + 1 < arguments.size()) {
      try {
        config = load_config(std::string(arguments[++i]));
      } catch (const ConfigError& error) {
        std::cerr << "mta_exporter: configuration error: " << error.what() << "\n";
        return 2;
      }
    } else {
      std::cerr << "usage: mta_exporter classify [--json | --explain [--lang en|tr]] [--config FILE] < lines\n";
      return 2;
    }
  }
  Classifier classifier(Knowledge::builtin(), config.site_rules.get());
  std::string line;
  std::string rebuilt;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // A client library's "permanent error (550): 5.4.6 ..." is read as the reply "550 5.4.6 ..." it reports.
    std::string_view text = line;
    if (const ParenthesisedCodeReply wrapped = read_parenthesised_code(line); wrapped.code != 0) {
      if (basic_code(wrapped.text) == wrapped.code) {
        text = wrapped.text;
      } else {
        rebuilt = std::to_string(wrapped.code) + ' ' + std::string(wrapped.text);
        text = rebuilt;
      }
    }
    const Classified classified = classify_line(text, classifier);
    if (json) {
      print_json(std::cout, classified);
    } else if (explain) {
      print_explanation(std::cout, line, classified, classifier, language);
    } else {
      print_plain(std::cout, classified);
    }
  }
  return 0;
}

}  // namespace mta
