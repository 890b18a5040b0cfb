// Tests for following a log file across rotations (src/source/file_follower.hpp). Each test works in
// its own temporary directory and drives FileFollower::poll_once() directly: file operations are
// synchronous, so a bounded number of polls is enough and no test sleeps.

#include "source/file_follower.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
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
  // No grace period: the old file is finished as soon as the new one has data, its unterminated last
  // line handed over then.
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
  std::vector<std::string> expected = expected_lines(1, 30);
  expected.push_back("unterminated last line");  // the old file will not grow: its partial line is flushed
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

  // The partial line belonged to the copied content, whose end is cut by the copy: it is dropped, not
  // glued to the new first line.
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

// copytruncate while the reader is behind: the lines it had not read yet exist only in the copy. The
// writer then appends more than was read, so the file is not shorter than before: only its first bytes
// tell that it was truncated.
TEST_F(FileFollowerTest, CopyTruncateWhileBehindReadsTheUnreadLinesFromTheCopy) {
  AppendWriter writer(path_);
  FileFollower follower(options(true), handler_);
  write_lines(writer, 1, 10);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 10; }));
  write_lines(writer, 11, 50);  // not read before the rotation
  writer.write("the copy's partial");
  fs::copy_file(path_, dir_ / "mail.log.1");
  fs::resize_file(path_, 0);
  write_lines(writer, 51, 200);
  ASSERT_GT(fs::file_size(path_), 10 * numbered_line(10).size());

  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 200; }));
  settle(follower);
  // The copy's partial last line is cut (its rest, if any, went to the truncated file): not a line.
  EXPECT_EQ(handler_.lines, expected_lines(1, 200));
  EXPECT_EQ(follower.truncations(), 1u);
}

TEST_F(FileFollowerTest, CopyTruncateWhileBehindWithAShorterFileReadsTheCopyToo) {
  AppendWriter writer(path_);
  FileFollower follower(options(true), handler_);
  write_lines(writer, 1, 10);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 10; }));
  write_lines(writer, 11, 30);
  fs::copy_file(path_, dir_ / "mail.log-20261206");
  fs::resize_file(path_, 0);
  write_lines(writer, 31, 32);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 32; }));
  settle(follower);
  EXPECT_EQ(handler_.lines, expected_lines(1, 32));
}

// No copy beside the file (compressed at once, or moved away): the unread lines are gone, the rest is
// read as before and nothing is read twice.
TEST_F(FileFollowerTest, CopyTruncateWithoutACopyReadsOnFromTheStart) {
  AppendWriter writer(path_);
  FileFollower follower(options(true), handler_);
  write_lines(writer, 1, 10);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 10; }));
  write_lines(writer, 11, 20);
  fs::resize_file(path_, 0);
  write_lines(writer, 21, 100);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 90; }));
  settle(follower);
  std::vector<std::string> expected = expected_lines(1, 10);
  for (const std::string& line : expected_lines(21, 100)) expected.push_back(line);
  EXPECT_EQ(handler_.lines, expected);
  EXPECT_EQ(follower.truncations(), 1u);
}

// The renamed file is read for as long as the writer has not reopened the path, however long that
// takes: the grace period starts when the new file receives data, not at the rename.
TEST_F(FileFollowerTest, RenamedFileIsReadUntilTheNewFileReceivesData) {
  auto old_writer = std::make_unique<AppendWriter>(path_);
  FileFollowerOptions no_grace = options(false);
  no_grace.rotate_wait = std::chrono::milliseconds(0);
  FileFollower follower(no_grace, handler_);
  settle(follower);
  write_lines(*old_writer, 1, 5);
  fs::rename(path_, dir_ / "mail.log.1");
  AppendWriter new_writer(path_);  // created by logrotate, the writer has not reopened yet
  ASSERT_TRUE(poll_until(follower, [&] { return follower.rotations() == 1; }));
  settle(follower, 20);
  write_lines(*old_writer, 6, 10);
  settle(follower, 20);
  EXPECT_EQ(handler_.lines, expected_lines(1, 10));

  write_lines(new_writer, 11, 12);  // the writer moved on
  settle(follower);
  write_lines(*old_writer, 13, 13);  // too late: the old file was finished
  settle(follower);
  EXPECT_EQ(handler_.lines, expected_lines(1, 12));
}

// Identity moves with the checkpoint: a restart after copytruncate (the reader was behind) finds the
// copy by its first bytes and reads the rest of it, then the truncated file from its start.
TEST_F(FileFollowerTest, ResumeAfterACopyTruncateWhileDownReadsTheRestOfTheCopy) {
  std::optional<FilePosition> position;
  {
    AppendWriter writer(path_);
    FileFollower follower(options(true), handler_);
    write_lines(writer, 1, 10);
    ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 10; }));
    position = follower.position();
  }
  ASSERT_TRUE(position.has_value());
  AppendWriter writer(path_);
  write_lines(writer, 11, 20);
  fs::copy_file(path_, dir_ / "mail.log.1");
  fs::resize_file(path_, 0);
  write_lines(writer, 21, 120);

  test::Collect restarted;
  FileFollowerOptions resumed = options(false);
  resumed.resume = [&] { return ResumePoint{position, {}}; };
  FileFollower follower(resumed, restarted);
  ASSERT_TRUE(poll_until(follower, [&] { return restarted.lines.size() >= 110; }));
  settle(follower);
  EXPECT_EQ(restarted.lines, expected_lines(11, 120));
}

// A renamed file the writer still appended to when the agent stopped is resumed from its own position.
TEST_F(FileFollowerTest, ResumeContinuesInTheRotatedFileItWasReading) {
  auto old_writer = std::make_unique<AppendWriter>(path_);
  std::optional<FilePosition> current;
  std::vector<RotatedPosition> rotated;
  {
    FileFollowerOptions long_wait = options(true);
    long_wait.rotate_wait = std::chrono::hours(1);  // the renamed file is still read when the positions are taken
    FileFollower follower(long_wait, handler_);
    write_lines(*old_writer, 1, 5);
    ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 5; }));
    fs::rename(path_, dir_ / "mail.log.1");
    AppendWriter new_writer(path_);
    write_lines(new_writer, 6, 7);
    ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 7; }));
    current = follower.position();
    rotated = follower.rotated_positions();
  }
  ASSERT_EQ(rotated.size(), 1u);
  write_lines(*old_writer, 8, 9);  // the old writer's last lines, while the agent is down
  {
    AppendWriter new_writer(path_);
    write_lines(new_writer, 10, 11);
  }
  test::Collect restarted;
  FileFollowerOptions resumed = options(false);
  resumed.resume = [&] { return ResumePoint{current, rotated}; };
  FileFollower follower(resumed, restarted);
  ASSERT_TRUE(poll_until(follower, [&] { return restarted.lines.size() >= 4; }));
  settle(follower);
  EXPECT_EQ(restarted.lines, expected_lines(8, 11));
}

TEST_F(FileFollowerTest, AFifoIsRefusedWithoutBlocking) {
  ASSERT_EQ(::mkfifo(path_.c_str(), 0644), 0);
  FileFollower follower(options(true), handler_);
  EXPECT_FALSE(follower.poll_once());
  EXPECT_FALSE(follower.is_open());
  EXPECT_THAT(follower.problem(), ::testing::HasSubstr("a FIFO, not a regular file"));
}

TEST_F(FileFollowerTest, ACharacterDeviceIsRefused) {
  FileFollowerOptions device = options(true);
  device.path = "/dev/null";
  FileFollower follower(device, handler_);
  EXPECT_FALSE(follower.poll_once());
  EXPECT_THAT(follower.problem(), ::testing::HasSubstr("a character device"));
}

// Runs a step as an unprivileged user (root reads any file), in this single-threaded test.
template <typename Step>
void as_nobody(Step step) {
  const bool root = ::geteuid() == 0;
  if (root) {
    ASSERT_EQ(::seteuid(65534), 0);
  }
  step();
  if (root) {
    ASSERT_EQ(::seteuid(0), 0);
  }
}

TEST_F(FileFollowerTest, PermissionDeniedIsReportedThenRetried) {
  {
    AppendWriter writer(path_);
    write_lines(writer, 1, 3);
  }
  fs::permissions(path_, fs::perms::owner_read | fs::perms::owner_write);
  if (::geteuid() != 0) fs::permissions(path_, fs::perms::none);
  FileFollower follower(options(true), handler_);
  as_nobody([&] { follower.poll_once(); });
  EXPECT_FALSE(follower.is_open());
  EXPECT_EQ(follower.problem(), "Permission denied");

  fs::permissions(path_, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  as_nobody([&] { settle(follower); });
  EXPECT_TRUE(follower.is_open());
  EXPECT_EQ(follower.problem(), "");
  EXPECT_EQ(handler_.lines, expected_lines(1, 3));
}

// Two readers of one file (two sources, or a glob reaching it twice): the first reads it, the second
// leaves it alone, and takes over where the first stopped when the first is gone.
TEST_F(FileFollowerTest, AFileIsReadByOneReaderOnly) {
  FileClaims claims;
  AppendWriter writer(path_);
  write_lines(writer, 1, 3);
  FileFollowerOptions first_options = options(true);
  first_options.claims = &claims;
  first_options.reader_name = "source first";
  auto first = std::make_unique<FileFollower>(first_options, handler_);
  first->poll_once();
  test::Collect second_lines;
  FileFollowerOptions second_options = first_options;
  second_options.reader_name = "source second";
  FileFollower second(second_options, second_lines);
  settle(second);
  EXPECT_FALSE(second.is_open());
  EXPECT_EQ(second.read_by(), "source first");
  EXPECT_EQ(handler_.lines, expected_lines(1, 3));

  first.reset();  // stopped by a reload, say: lines 4 and 5 arrive before the second reader takes over
  write_lines(writer, 4, 5);
  settle(second);
  EXPECT_TRUE(second.is_open());
  EXPECT_EQ(second_lines.lines, expected_lines(4, 5));  // from where the first stopped: nothing twice, nothing lost
  write_lines(writer, 6, 6);
  settle(second);
  EXPECT_EQ(second_lines.lines, expected_lines(4, 6));
}

std::string many_lines(int first, int last) {
  std::string text;
  for (int n = first; n <= last; ++n) text += numbered_line(n) + "\n";
  return text;
}

// Size-based rotations can come faster than a catch-up reads: a file renamed twice before the old one
// was read to its end is still read, not skipped.
TEST_F(FileFollowerTest, TwoRotationsDuringACatchUpLoseNothing) {
  {
    AppendWriter writer(path_);
    writer.write(many_lines(1, 60000));  // about 2.6 MiB: several polls
  }
  FileFollower follower(options(true), handler_);
  follower.poll_once();
  ASSERT_LT(handler_.lines.size(), 60000u);
  fs::rename(path_, dir_ / "mail.log.1");
  {
    AppendWriter writer(path_);
    write_lines(writer, 60001, 60010);
  }
  follower.poll_once();
  fs::rename(dir_ / "mail.log.1", dir_ / "mail.log.2");
  fs::rename(path_, dir_ / "mail.log.1");
  {
    AppendWriter writer(path_);
    write_lines(writer, 60011, 60020);
  }
  ASSERT_TRUE(poll_until(
      follower, [&] { return handler_.lines.size() >= 60020; }, 200));
  settle(follower);
  std::vector<std::string> lines = handler_.lines;
  std::sort(lines.begin(), lines.end());
  std::vector<std::string> expected = expected_lines(1, 60020);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(lines, expected);
}

// A file that cannot be read at start (permission denied) keeps where it was to start: its end, not its
// beginning, once it can be read.
TEST_F(FileFollowerTest, AFileUnreadableAtStartStillSkipsItsHistory) {
  {
    AppendWriter writer(path_);
    write_lines(writer, 1, 3);
  }
  fs::permissions(path_, ::geteuid() == 0 ? fs::perms::owner_read | fs::perms::owner_write : fs::perms::none);
  FileFollower follower(options(false), handler_);
  as_nobody([&] { follower.poll_once(); });
  EXPECT_EQ(follower.problem(), "Permission denied");
  fs::permissions(path_, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  as_nobody([&] { settle(follower); });
  ASSERT_TRUE(follower.is_open());
  {
    AppendWriter writer(path_);
    write_lines(writer, 4, 4);
  }
  as_nobody([&] { settle(follower); });
  EXPECT_EQ(handler_.lines, expected_lines(4, 4));
}

// The same with a checkpoint: once readable, the file is resumed at its position, not read from 0.
TEST_F(FileFollowerTest, AFileUnreadableAtARestartIsResumedAtItsPosition) {
  std::optional<FilePosition> position;
  {
    AppendWriter writer(path_);
    write_lines(writer, 1, 3);
    FileFollower follower(options(true), handler_);
    ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 3; }));
    position = follower.position();
    write_lines(writer, 4, 5);
  }
  fs::permissions(path_, ::geteuid() == 0 ? fs::perms::owner_read | fs::perms::owner_write : fs::perms::none);
  test::Collect restarted;
  FileFollowerOptions resumed = options(false);
  resumed.resume = [&] { return ResumePoint{position, {}}; };
  FileFollower follower(resumed, restarted);
  as_nobody([&] { follower.poll_once(); });
  EXPECT_FALSE(follower.is_open());
  fs::permissions(path_, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  as_nobody([&] { settle(follower); });
  EXPECT_EQ(restarted.lines, expected_lines(4, 5));
}

// A copy still being read when the agent stops is resumed as a copy: ended at its end, its cut last line
// not made a line of its own.
TEST_F(FileFollowerTest, ACopyUnfinishedAtAStopIsResumedAsACopy) {
  AppendWriter writer(path_);
  std::optional<FilePosition> current;
  std::vector<RotatedPosition> rotated;
  {
    FileFollower follower(options(true), handler_);
    write_lines(writer, 1, 10);
    ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 10; }));
    writer.write(many_lines(11, 60000) + "cut");  // more than one poll reads
    fs::copy_file(path_, dir_ / "mail.log.1");
    fs::resize_file(path_, 0);
    follower.poll_once();  // sees the truncation
    follower.poll_once();  // reads a part of the copy
    current = follower.position();
    rotated = follower.rotated_positions();
  }
  ASSERT_EQ(rotated.size(), 1u);
  EXPECT_TRUE(rotated[0].copy);
  write_lines(writer, 60001, 60002);
  const std::size_t before_restart = handler_.lines.size();
  test::Collect restarted;
  FileFollowerOptions resumed = options(false);
  resumed.resume = [&] { return ResumePoint{current, rotated}; };
  FileFollower follower(resumed, restarted);
  ASSERT_TRUE(poll_until(
      follower, [&] { return before_restart + restarted.lines.size() >= 60002; }, 200));
  settle(follower);
  std::vector<std::string> all = handler_.lines;
  all.insert(all.end(), restarted.lines.begin(), restarted.lines.end());
  std::sort(all.begin(), all.end());  // the copy's rest and the new lines interleave by poll
  std::vector<std::string> expected = expected_lines(1, 60002);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(all, expected);
}

// A hard link to the log beside it is the file itself, not its copy: the copy is still found.
TEST_F(FileFollowerTest, CopyTruncateFindsTheCopyDespiteAHardLink) {
  AppendWriter writer(path_);
  fs::create_hard_link(path_, dir_ / "mail.log.link");
  FileFollower follower(options(true), handler_);
  write_lines(writer, 1, 10);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 10; }));
  write_lines(writer, 11, 20);
  fs::copy_file(path_, dir_ / "mail.log.1");
  fs::resize_file(path_, 0);
  write_lines(writer, 21, 22);
  ASSERT_TRUE(poll_until(follower, [&] { return handler_.lines.size() >= 22; }));
  settle(follower);
  EXPECT_EQ(handler_.lines, expected_lines(1, 22));
}

}  // namespace
}  // namespace mta
