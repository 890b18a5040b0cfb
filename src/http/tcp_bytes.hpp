#pragma once
// How many bytes the process has read so far from a TCP socket: what the peer sent (Linux TCP_INFO)
// less what still waits in the kernel (FIONREAD). In a file of its own: the kernel's <linux/tcp.h>,
// which has the field, cannot be included beside glibc's <netinet/tcp.h>.

#include <cstdint>
#include <optional>

namespace mta {

// nullopt when the descriptor is not a TCP socket or the kernel does not report the counts.
std::optional<std::uint64_t> tcp_bytes_read(int descriptor);

}  // namespace mta
