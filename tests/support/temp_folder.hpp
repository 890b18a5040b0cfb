#pragma once
// A fixture for tests that work with files: SetUp() makes a folder of the test's own,
// <temporary folder>/<prefix>_<pid>_<test name>, and TearDown() removes it with all it holds.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <utility>

namespace mta::test {

class TempFolderTest : public ::testing::Test {
 protected:
  explicit TempFolderTest(std::string prefix) : prefix_(std::move(prefix)) {}

  void SetUp() override {
    folder_ =
        std::filesystem::temp_directory_path() / (prefix_ + "_" + std::to_string(::getpid()) + "_" +
                                                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(folder_);
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  // The path of the file `name` in the folder.
  std::string path(const std::string& name) const { return (folder_ / name).string(); }

  std::filesystem::path folder_;

 private:
  std::string prefix_;
};

}  // namespace mta::test
