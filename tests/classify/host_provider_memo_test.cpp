#include "classify/host_provider_memo.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mta {
namespace {

// The memo answers what the knowledge answers, for hosts it holds, hosts that evict each other and hosts too long
// to hold.
TEST(HostProviderMemoTest, AnswersAsTheKnowledge) {
  const Knowledge& knowledge = Knowledge::builtin();
  HostProviderMemo memo;
  std::vector<std::string> hosts = {"gmail-smtp-in.l.google.com",
                                    "hotmail-com.olc.protection.outlook.com",
                                    "mta7.am0.yahoodns.net",
                                    "mx.example.com",
                                    "GMAIL-SMTP-IN.L.GOOGLE.COM",
                                    "google.com.example.net",
                                    std::string(79, 'a') + ".google.com"};
  for (int i = 0; i < 300; ++i) hosts.push_back("mx" + std::to_string(i) + ".example.org");
  for (int round = 0; round < 3; ++round) {
    for (const std::string& host : hosts) {
      EXPECT_EQ(memo.provider_for_host(knowledge, host), knowledge.provider_for_host(host)) << host;
    }
  }
  EXPECT_EQ(memo.provider_for_host(knowledge, ""), kNoProvider);
  EXPECT_EQ(knowledge.provider_name(memo.provider_for_host(knowledge, "gmail-smtp-in.l.google.com")), "google");
}

}  // namespace
}  // namespace mta
