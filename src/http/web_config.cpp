#include "http/web_config.hpp"

#include <charconv>
#include <stdexcept>

namespace mta {

ListenAddress parse_listen_address(const std::string& address) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("\"" + address + "\" must be HOST:PORT or :PORT");
  ListenAddress result;
  result.host = address.substr(0, colon);
  if (result.host.size() >= 2 && result.host.front() == '[' && result.host.back() == ']') {
    result.host = result.host.substr(1, result.host.size() - 2);
  }
  const std::string port = address.substr(colon + 1);
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), result.port);
  if (error != std::errc{} || end != port.data() + port.size() || result.port < 0 || result.port > 65535) {
    throw std::invalid_argument("\"" + address + "\" has no valid port");
  }
  return result;
}

}  // namespace mta
