#include "history/log_file_reader.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace mta {
namespace {

class LogFileReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ =
        std::filesystem::temp_directory_path() / ("log_file_reader_test." + std::to_string(::getpid()) + "." +
                                                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(folder_);
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  std::string write_plain(const std::string& name, const std::string& content) {
    const std::string path = (folder_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::string write_gzip(const std::string& name, const std::string& content) {
    const std::string path = (folder_ / name).string();
    gzFile file = ::gzopen(path.c_str(), "wb");
    ::gzwrite(file, content.data(), static_cast<unsigned>(content.size()));
    ::gzclose(file);
    return path;
  }

  static std::vector<std::string> lines_of(LogFileReader& reader) {
    std::vector<std::string> lines;
    while (const auto line = reader.next_line()) lines.emplace_back(*line);
    return lines;
  }

  std::filesystem::path folder_;
};

TEST_F(LogFileReaderTest, ReadsPlainAndCompressedFilesAlike) {
  const std::string content = "first\r\nsecond\n\nlast without newline";
  const std::vector<std::string> expected = {"first", "second", "", "last without newline"};
  LogFileReader plain(write_plain("mail.log", content));
  EXPECT_EQ(lines_of(plain), expected);
  LogFileReader compressed(write_gzip("mail.log.1.gz", content));
  EXPECT_EQ(lines_of(compressed), expected);
}

TEST_F(LogFileReaderTest, ManyLinesAcrossReads) {
  std::string content;
  for (int i = 0; i < 100000; ++i) content += "line " + std::to_string(i) + "\n";
  LogFileReader reader(write_gzip("big.gz", content));
  const std::vector<std::string> lines = lines_of(reader);
  ASSERT_EQ(lines.size(), 100000u);
  EXPECT_EQ(lines.front(), "line 0");
  EXPECT_EQ(lines.back(), "line 99999");
}

TEST_F(LogFileReaderTest, DropsAndCountsLinesOverTheLimit) {
  const std::string content = "short\n" + std::string(100, 'x') + "\nafter\n" + std::string(100, 'y');
  LogFileReader reader(write_plain("long.log", content), 50);
  EXPECT_EQ(lines_of(reader), (std::vector<std::string>{"short", "after"}));
  EXPECT_EQ(reader.lines_too_long(), 2u);
}

TEST_F(LogFileReaderTest, ATruncatedCompressedFileIsAnErrorNamingIt) {
  std::string content;
  for (int i = 0; i < 20000; ++i) content += "line " + std::to_string(i) + " of a log that compresses\n";
  const std::string whole = write_gzip("whole.gz", content);
  std::ifstream in(whole, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string cut = write_plain("cut.gz", bytes.substr(0, bytes.size() / 2));
  LogFileReader reader(cut);
  try {
    lines_of(reader);
    FAIL() << "a truncated .gz read to its end without an error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("cut.gz"), std::string::npos) << error.what();
  }
}

TEST_F(LogFileReaderTest, AMissingFileIsAnErrorNamingIt) {
  try {
    LogFileReader reader((folder_ / "absent.log").string());
    FAIL() << "opened a missing file";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("absent.log"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace mta
