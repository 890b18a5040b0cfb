// Tests for following a log file across rotations (src/source/file_follower.hpp). Each test works in
// its own temporary directory and drives FileFollower::poll_once() directly: file operations are
// synchronous, so a bounded number of polls is enough and no test sleeps.

#include "source/file_follower.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/collect.hpp"

namespace mta {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Appends to a file through its own descriptor, like a syslog daemon (O_APPEND).
class AppendWriter {
 public:
  explicit AppendWriter(const fs::path& path) : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644)) {
    EXPECT_GE(fd_, 0) << path;
  }
  ~AppendWriter() {
    if (fd_ >= 0) ::close(fd_);
  }
  AppendWriter(const AppendWriter&) = delete;
  AppendWriter& operator=(const AppendWriter&) = delete;

  void write(std::string_view text) {
    while (!text.empty()) {
      const ssize_t written = ::write(fd_, text.data(), text.size());
      ASSERT_GT(written, 0);
      text.remove_prefix(static_cast<std::size_t>(written));
    }
  }

 private:
  int fd_;
};

std::string numbered_line(int n) { return "Mar  4 00:00:00 mx postfix/smtp[1]: line " + std::to_string(n); }

void write_lines(AppendWriter& writer, int first, int last) {
  std::string text;
  for (int n = first; n <= last; ++n) text += numbered_line(n) + "\n";
  writer.write(text);
}

std::vector<std::string> expected_lines(int first, int last) {
  std::vector<std::string> lines;
  for (int n = first; n <= last; ++n) lines.push_back(numbered_line(n));
  return lines;
}

class FileFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("mta_file_follower_test_" + std::to_string(::getpid()) + "_" +
                                        std::to_string(counter++) + "_" + info->name());
    fs::remove_all(dir_);
    ASSERT_TRUE(fs::create_directories(dir_));
    path_ = dir_ / "mail.log";
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  FileFollowerOptions options(bool from_beginning) const {
    FileFollowerOptions result;
    result.path = path_.string();
    result.from_beginning = from_beginning;
    return result;
  }

  // Polls until `done` holds; false when it still does not after a bounded number of polls.
  static bool poll_until(FileFollower& follower, const std::function<bool()>& done, int max_polls = 50) {
    for (int i = 0; i < max_polls; ++i) {
      if (done()) return true;
      follower.poll_once();
    }
    return done();
  }

  // Polls a few times to let the follower read whatever it is going to read.
  static void settle(FileFollower& follower, int polls = 5) {
    for (int i = 0; i < polls; ++i) follower.poll_once();
  }

  fs::path dir_;
  fs::path path_;
  test::Collect handler_;
};

TEST_F(FileFollowerTest, StartAtEndSkipsExistingContent) {
  AppendWriter writer(path_);
  write_lines(writer, 1, 3);
  FileFollower follower(options(false), handler_);
  settle(follower);
  EXPECT_TRUE(follower.is_open());
  EXPECT_THAT(handler_.lines, IsEmpty());

  write_lines(writer, 4, 5);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 2; }));
  settle(follower);
  EXPECT_EQ(handler_.lines, expected_lines(4, 5));
}

TEST_F(FileFollowerTest, FromBeginningReadsExistingContent) {
  AppendWriter writer(path_);
  write_lines(writer, 1, 3);
  FileFollower follower(options(true), handler_);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 3; }));
  write_lines(writer, 4, 4);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 4; }));
  settle(follower);
  EXPECT_EQ(handler_.lines, expected_lines(1, 4));
  EXPECT_EQ(follower.rotations(), 0u);
  EXPECT_EQ(follower.truncations(), 0u);
}

TEST_F(FileFollowerTest, PollReportsWhetherItReadData) {
  AppendWriter writer(path_);
  FileFollower follower(options(false), handler_);
  settle(follower);
  EXPECT_FALSE(follower.poll_once());  // nothing new
  writer.write("a line\n");
  EXPECT_TRUE(follower.poll_once());
  EXPECT_FALSE(follower.poll_once());
  EXPECT_THAT(handler_.lines, ElementsAre("a line"));
}

TEST_F(FileFollowerTest, PartialLineIsHeldUntilItsNewline) {
  AppendWriter writer(path_);
  FileFollower follower(options(true), handler_);
  writer.write("first\nsecond, half");
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 1; }));
  settle(follower);
  EXPECT_THAT(handler_.lines, ElementsAre("first"));
  writer.write(" and the rest\r\n");
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 2; }));
  EXPECT_THAT(handler_.lines, ElementsAre("first", "second, half and the rest"));
}

TEST_F(FileFollowerTest, MissingFileIsWaitedForAndReadFromItsBeginning) {
  FileFollower follower(options(false), handler_);  // start at the end, but the file does not exist yet
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(follower.poll_once());
  EXPECT_FALSE(follower.is_open());

  AppendWriter writer(path_);
  write_lines(writer, 1, 2);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 2; }));
  EXPECT_TRUE(follower.is_open());
  write_lines(writer, 3, 3);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 3; }));
  settle(follower);
  EXPECT_EQ(handler_.lines, expected_lines(1, 3));
}

TEST_F(FileFollowerTest, RenameAndCreateRotationWhileWriting) {
  auto old_writer = std::make_unique<AppendWriter>(path_);
  FileFollower follower(options(false), handler_);
  settle(follower);

  write_lines(*old_writer, 1, 50);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 50; }));

  // logrotate renames the file; the daemon keeps writing to its open descriptor for a while.
  fs::rename(path_, dir_ / "mail.log.1");
  write_lines(*old_writer, 51, 60);
  settle(follower);
  EXPECT_EQ(handler_.lines.size(), 60u);

  // Then the daemon reopens: a new file at the path.
  AppendWriter new_writer(path_);
  write_lines(*old_writer, 61, 62);  // last lines to the old file before it is closed
  old_writer.reset();
  write_lines(new_writer, 63, 80);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 80; }));
  settle(follower);

  EXPECT_EQ(handler_.lines, expected_lines(1, 80));
  EXPECT_EQ(follower.rotations(), 1u);
  EXPECT_EQ(follower.truncations(), 0u);

  write_lines(new_writer, 81, 81);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 81; }));
  EXPECT_EQ(handler_.lines.back(), numbered_line(81));
}

TEST_F(FileFollowerTest, RenameAndCreateWithoutPollingInBetween) {
  auto old_writer = std::make_unique<AppendWriter>(path_);
  // No grace period for the old file, so its unterminated last line is handed over at the next poll.
  FileFollowerOptions no_wait = options(false);
  no_wait.rotate_wait = std::chrono::milliseconds(0);
  FileFollower follower(no_wait, handler_);
  settle(follower);

  write_lines(*old_writer, 1, 10);
  fs::rename(path_, dir_ / "mail.log.1");
  write_lines(*old_writer, 11, 20);
  AppendWriter new_writer(path_);
  old_writer->write(numbered_line(21) + "\n" + "unterminated last line");
  old_writer.reset();
  write_lines(new_writer, 22, 30);

  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 31; }));
  settle(follower);
  std::vector<std::string> expected = expected_lines(1, 21);
  expected.push_back("unterminated last line");  // the old file will not grow: its partial line is flushed
  for (const std::string& line : expected_lines(22, 30)) expected.push_back(line);
  EXPECT_EQ(handler_.lines, expected);
  EXPECT_EQ(follower.rotations(), 1u);
}

TEST_F(FileFollowerTest, TwoRotations) {
  FileFollower follower(options(false), handler_);
  {
    AppendWriter writer(path_);
    settle(follower);
    write_lines(writer, 1, 5);
    ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 5; }));
  }
  for (int generation = 1; generation <= 2; ++generation) {
    fs::rename(path_, dir_ / ("mail.log." + std::to_string(generation)));
    AppendWriter writer(path_);
    write_lines(writer, generation * 5 + 1, generation * 5 + 5);
    ASSERT_TRUE(
        poll_until(follower, [&] { return handler_.lines.size() >= static_cast<std::size_t>(generation * 5 + 5); }));
  }
  settle(follower);
  EXPECT_EQ(handler_.lines, expected_lines(1, 15));
  EXPECT_EQ(follower.rotations(), 2u);
}

TEST_F(FileFollowerTest, CopyTruncateThenAppend) {
  AppendWriter writer(path_);
  FileFollower follower(options(false), handler_);
  settle(follower);
  write_lines(writer, 1, 20);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 20; }));

  // logrotate copytruncate: copy, truncate in place, and the daemon appends to the same descriptor.
  fs::copy_file(path_, dir_ / "mail.log.1");
  fs::resize_file(path_, 0);
  write_lines(writer, 21, 23);  // less than what was read before, so the shrink is visible
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 23; }));
  settle(follower);

  EXPECT_EQ(handler_.lines, expected_lines(1, 23));
  EXPECT_EQ(follower.truncations(), 1u);
  EXPECT_EQ(follower.rotations(), 0u);

  write_lines(writer, 24, 25);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 25; }));
  settle(follower);
  EXPECT_EQ(handler_.lines, expected_lines(1, 25));
}

TEST_F(FileFollowerTest, CopyTruncatePolledBeforeTheAppend) {
  AppendWriter writer(path_);
  FileFollower follower(options(true), handler_);
  write_lines(writer, 1, 10);
  writer.write("partial before truncation");
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 10; }));

  fs::copy_file(path_, dir_ / "mail.log.1");
  fs::resize_file(path_, 0);
  settle(follower);  // sees the empty file
  EXPECT_EQ(follower.truncations(), 1u);
  write_lines(writer, 11, 12);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 12; }));
  settle(follower);

  // The partial line belonged to the copied content: it is dropped, not glued to the new first line.
  EXPECT_EQ(handler_.lines, expected_lines(1, 12));
  EXPECT_EQ(follower.truncations(), 1u);
}

TEST_F(FileFollowerTest, OverlongLinesAreDropped) {
  FileFollowerOptions opts = options(true);
  opts.max_line_length = 16;
  AppendWriter writer(path_);
  writer.write("short\n" + std::string(100, 'x') + "\nafter\n");
  FileFollower follower(opts, handler_);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 2; }));
  settle(follower);
  EXPECT_THAT(handler_.lines, ElementsAre("short", "after"));
}

TEST_F(FileFollowerTest, LargeFileIsReadCompletely) {
  AppendWriter writer(path_);
  write_lines(writer, 1, 5000);  // several read buffers
  FileFollower follower(options(true), handler_);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 5000; }));
  settle(follower);
  EXPECT_EQ(handler_.lines, expected_lines(1, 5000));
}

}  // namespace
}  // namespace mta

namespace mta {
namespace {

// logrotate creates the new file before its postrotate script makes the writer reopen the path: lines
// the writer still appends to the renamed file in between are read during the grace period.
TEST_F(FileFollowerTest, WriterStillAppendingToTheRenamedFileIsRead) {
  auto old_writer = std::make_unique<AppendWriter>(path_);
  FileFollower follower(options(false), handler_);
  settle(follower);
  write_lines(*old_writer, 1, 5);
  fs::rename(path_, dir_ / "mail.log.1");
  AppendWriter new_writer(path_);
  ASSERT_TRUE(poll_until(follower, [&] { return follower.rotations() == 1; }));
  write_lines(*old_writer, 6, 10);  // after the follower moved on
  write_lines(new_writer, 11, 12);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 12; }));
  std::vector<std::string> lines = handler_.lines;
  std::sort(lines.begin(), lines.end());
  std::vector<std::string> expected = expected_lines(1, 12);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(lines, expected);
}

}  // namespace
}  // namespace mta
