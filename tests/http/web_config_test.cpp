#include "http/web_config.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace mta {
namespace {

// --- parse_listen_address ---------------------------------------------------------------------------------

struct AddressCase {
  const char* address;
  const char* host;
  int port;
};

class ListenAddressTest : public ::testing::TestWithParam<AddressCase> {};

TEST_P(ListenAddressTest, Splits) {
  const ListenAddress result = parse_listen_address(GetParam().address);
  EXPECT_EQ(result.host, GetParam().host);
  EXPECT_EQ(result.port, GetParam().port);
}

INSTANTIATE_TEST_SUITE_P(Addresses, ListenAddressTest,
                         ::testing::Values(AddressCase{":10154", "", 10154},
                                           AddressCase{"127.0.0.1:9000", "127.0.0.1", 9000},
                                           AddressCase{"localhost:80", "localhost", 80},
                                           AddressCase{"[::1]:9000", "::1", 9000}, AddressCase{"[::]:9000", "::", 9000},
                                           AddressCase{":0", "", 0}, AddressCase{":65535", "", 65535}));

class BadListenAddressTest : public ::testing::TestWithParam<const char*> {};

TEST_P(BadListenAddressTest, Throws) {
  EXPECT_THROW(parse_listen_address(GetParam()), std::invalid_argument) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Addresses, BadListenAddressTest,
                         ::testing::Values("", "9000", "localhost", ":", "host:", ":65536", ":-1", ":abc", ":80x",
                                           ": 80", "[::1]", ":99999999999"));

}  // namespace
}  // namespace mta
