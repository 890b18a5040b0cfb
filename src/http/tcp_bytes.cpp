#include "http/tcp_bytes.hpp"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstddef>

namespace mta {

std::optional<std::uint64_t> tcp_bytes_read(int descriptor) {
  tcp_info info{};
  socklen_t length = sizeof(info);
  if (getsockopt(descriptor, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return std::nullopt;
  // Kernels before 4.1 fill a shorter structure without the field.
  if (length < offsetof(tcp_info, tcpi_bytes_received) + sizeof(info.tcpi_bytes_received)) return std::nullopt;
  int unread = 0;
  if (ioctl(descriptor, FIONREAD, &unread) != 0 || unread < 0) return std::nullopt;
  const auto waiting = static_cast<std::uint64_t>(unread);
  return info.tcpi_bytes_received > waiting ? info.tcpi_bytes_received - waiting : 0;
}

}  // namespace mta
