#include <cstdint>
#include <string_view>

#include "classify/classifier.hpp"
#include "metrics/mta_metrics.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static mta::Classifier classifier;
  const mta::Knowledge& knowledge = mta::Knowledge::builtin();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  mta::SmtpEvent event;
  event.reply = text;
  event.stage = static_cast<mta::Stage>(size % 11);
  event.status = static_cast<mta::Status>(size % 7);
  const mta::Verdict verdict = classifier.classify(event);
  if (verdict.klass != 0 && verdict.klass != 2 && verdict.klass != 4 && verdict.klass != 5) __builtin_trap();
  if (verdict.klass == 2 && verdict.cause != mta::Cause::none) __builtin_trap();
  // Labels stay within their bounded forms.
  const std::string code = mta::enhanced_code_label(knowledge, verdict.enhanced);
  if (code.size() > 9) __builtin_trap();
  const std::string basic = mta::basic_code_label(knowledge, verdict.basic);
  if (basic.size() > 3) __builtin_trap();
  return 0;
}
