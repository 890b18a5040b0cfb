#pragma once
// Names each instance of a value-parameterised test after the `name` member of its case:
//   INSTANTIATE_TEST_SUITE_P(Lines, SendmailEventTest, ::testing::ValuesIn(kEventCases), test::CaseName());

#include <gtest/gtest.h>

#include <string>

namespace mta::test {

struct CaseName {
  template <typename Case>
  std::string operator()(const ::testing::TestParamInfo<Case>& info) const {
    return std::string(info.param.name);
  }
};

}  // namespace mta::test
