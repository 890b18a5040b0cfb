#include "http/basic_auth.hpp"

#include <crypt.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

namespace mta {
namespace {

// A bcrypt hash made now by libxcrypt (cost 4, the lowest, to keep the test fast).
std::string bcrypt(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt) == nullptr) throw std::runtime_error("gensalt");
  crypt_data data{};
  const char* hash = crypt_r(password.c_str(), salt, &data);
  if (hash == nullptr || hash[0] == '*') throw std::runtime_error("crypt_r");
  return hash;
}

std::string basic(const std::string& credentials) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "Basic ";
  std::size_t i = 0;
  for (; i + 2 < credentials.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(credentials[i]) << 16) |
                       (static_cast<unsigned char>(credentials[i + 1]) << 8) |
                       static_cast<unsigned char>(credentials[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(n >> shift) & 63];
  }
  if (i + 1 == credentials.size()) {
    const unsigned n = static_cast<unsigned char>(credentials[i]) << 16;
    out += std::string{kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == credentials.size()) {
    const unsigned n =
        (static_cast<unsigned char>(credentials[i]) << 16) | (static_cast<unsigned char>(credentials[i + 1]) << 8);
    out += std::string{kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
  }
  return out;
}

TEST(Base64Test, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(decode_base64("cHJvbTpzZWNyZXQ="), "prom:secret");
  EXPECT_EQ(decode_base64("cHJvbTpzZWNyZXQ"), "prom:secret");
  EXPECT_EQ(decode_base64("YQ=="), "a");
  EXPECT_EQ(decode_base64(""), "");
  EXPECT_FALSE(decode_base64("c$Jv"));
  EXPECT_FALSE(decode_base64("a"));
}

class BasicAuthTest : public ::testing::Test {
 protected:
  BasicAuth auth{{{"prometheus", bcrypt("s3cret:with colon")}, {"grafana", bcrypt("other")}}};
};

TEST_F(BasicAuthTest, TheRightPasswordPassesAgainAndAgain) {
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(auth.allows(basic("prometheus:s3cret:with colon"))) << i;
  EXPECT_TRUE(auth.allows("basic " + basic("grafana:other").substr(6)));  // the scheme is case-insensitive
}

TEST_F(BasicAuthTest, AnythingElseFails) {
  EXPECT_TRUE(auth.allows(basic("prometheus:s3cret:with colon")));  // cached now: must not leak to others
  for (const std::string& header :
       {basic("prometheus:s3cret"), basic("prometheus:"), basic("Prometheus:s3cret:with colon"),
        basic("grafana:s3cret:with colon"),  // another user's password
        basic("nobody:other"), basic("prometheus"), std::string(""), std::string("Basic "), std::string("Bearer abc"),
        std::string("Basic !!!!"), basic(":s3cret:with colon")}) {
    EXPECT_FALSE(auth.allows(header)) << header;
  }
}

TEST_F(BasicAuthTest, ChecksFromManyThreadsAgree) {
  std::vector<std::thread> threads;
  std::vector<int> passed(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        passed[t] += auth.allows(basic("prometheus:s3cret:with colon")) ? 1 : 0;
        passed[t] -= auth.allows(basic("prometheus:wrong")) ? 1 : 0;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(passed[t], 20) << t;
}

}  // namespace
}  // namespace mta
