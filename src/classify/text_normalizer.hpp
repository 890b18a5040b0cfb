#pragma once
// Prepares reply text for the text rules: lowercase, whitespace collapsed, e-mail addresses masked
// as "addr" (so "<a@b.c>" reads "<addr>") (local parts such as "quota@" must not trigger rules), and the reply codes
// that multi-line replies repeat on every line removed. Reuses one buffer, so steady state allocates nothing.

#include <string>
#include <string_view>

#include "smtp/reply.hpp"

namespace mta {

class TextNormalizer {
 public:
  std::string_view normalize(std::string_view text, int basic, EnhancedCode enhanced);

 private:
  std::string buffer_;
};

}  // namespace mta
