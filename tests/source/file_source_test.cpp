#include "source/file_source.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stop_token>
#include <string_view>
#include <thread>
#include <vector>

#include "support/collect.hpp"
#include "support/eventually.hpp"
#include "support/temp_folder.hpp"

namespace mta {
namespace {

using test::Collect;
using test::eventually;

TEST(RotatedArchiveTest, TellsArchivesFromLiveFiles) {
  for (const char* name : {"mail.log.1", "mail.log.2.gz", "mail.log-20261124", "mail.log.xz", "mail.log.old",
                           "mail.log-2026-11-24", "mail-20261124.log"}) {
    EXPECT_TRUE(is_rotated_archive(name)) << name;
  }
  for (const char* name : {"mail.log", "mail.err", "mail-2.log", "exim4-mainlog", "maillog"}) {
    EXPECT_FALSE(is_rotated_archive(name)) << name;
  }
}

class FileSourceTest : public test::TempFolderTest {
 protected:
  FileSourceTest() : TempFolderTest("mta_file_source_test") {}
  void write(const std::string& name, const std::string& text) { std::ofstream(path(name), std::ios::app) << text; }

  prometheus::Registry registry_;
  SourceMetricFamilies families_{registry_};
  SourceHealth health_{families_, "files"};
  Collect collect_;
};

TEST_F(FileSourceTest, GlobFollowsLiveFilesOnlyAndPicksUpNewOnes) {
  write("a.log", "a1\n");
  write("b.log", "b1\n");
  write("a.log.1", "archived\n");
  write("b.log.2.gz", "compressed\n");
  FileSourceOptions options{.name = "files", .pattern = (folder_ / "*.log").string(), .start_at = StartAt::beginning};
  options.rescan_interval = std::chrono::milliseconds(50);
  FileSource source(options, collect_, health_, nullptr);
  std::jthread thread([&](std::stop_token stop) { source.run(stop); });
  ASSERT_TRUE(eventually([&] { return collect_.snapshot().size() == 2; }));
  write("c.log", "c1\n");
  ASSERT_TRUE(eventually([&] { return collect_.snapshot().size() == 3; }));
  auto lines = collect_.snapshot();
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<std::string>{"a1", "b1", "c1"}));
  EXPECT_TRUE(source.ready());
}

// Where each file starts is decided by prepare(), before the agent reports itself started: what is
// written between that and the reading thread's first poll is read, never skipped as history.
TEST_F(FileSourceTest, LinesWrittenAfterPrepareAreRead) {
  write("there.log", "history\n");
  FileSource existing({.name = "e", .pattern = path("there.log")}, collect_, health_, nullptr);
  existing.prepare();
  write("there.log", "new\n");
  Collect appeared;
  FileSource missing({.name = "m", .pattern = path("later.log")}, appeared, health_, nullptr);
  missing.prepare();
  write("later.log", "first\n");
  std::jthread existing_thread([&](std::stop_token stop) { existing.run(stop); });
  std::jthread missing_thread([&](std::stop_token stop) { missing.run(stop); });
  ASSERT_TRUE(eventually([&] { return collect_.size() == 1 && appeared.size() == 1; }));
  EXPECT_EQ(collect_.snapshot(), std::vector<std::string>{"new"});
  EXPECT_EQ(appeared.snapshot(), std::vector<std::string>{"first"});
}

// Counts lines, remembers their order, and asks for a stop at a given line.
class StoppingCounter : public LineHandler {
 public:
  StoppingCounter(std::stop_source& stop, std::size_t stop_at) : stop_(stop), stop_at_(stop_at) {}
  void on_line(std::string_view line) override {
    lines_.emplace_back(line.substr(0, 1));  // the file's letter
    bytes_ += line.size() + 1;
    if (lines_.size() == stop_at_) stop_.request_stop();
  }
  const std::vector<std::string>& lines() const { return lines_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  std::stop_source& stop_;
  std::size_t stop_at_;
  std::vector<std::string> lines_;
  std::uint64_t bytes_ = 0;
};

// Issue 16 item 2: a catch-up works in bounded passes. A stop asked for early in a 32 MiB backlog ends the
// run after at most a pass more (not after the whole backlog), and the checkpoint holds exactly the lines
// handed over, so a restart reads the rest once.
TEST_F(FileSourceTest, AStopDuringACatchUpEndsTheRunAndKeepsTheExactPosition) {
  const std::string log = (folder_ / "mail.log").string();
  const std::string line = "a" + std::string(126, 'x') + "\n";  // 128 bytes
  constexpr std::size_t kLines = 256 * 1024;                    // 32 MiB
  {
    std::ofstream out(log);
    for (std::size_t i = 0; i < kLines; ++i) out << line;
  }
  CheckpointStore store((folder_ / "checkpoint").string());
  std::stop_source stop;
  StoppingCounter counter(stop, 1000);
  FileSource source({.name = "m", .pattern = log, .start_at = StartAt::beginning}, counter, health_, &store);
  source.run(stop.get_token());  // on this thread: it returns once it has stopped
  EXPECT_GE(counter.lines().size(), 1000U);
  EXPECT_LT(counter.lines().size(), kLines / 2) << "the run read the backlog instead of stopping";
  ASSERT_TRUE(store.file("m:" + log).has_value());
  EXPECT_EQ(store.file("m:" + log)->offset, counter.bytes());
}

// A backlog in one file of a glob does not hold up the others: each pass reads a bounded amount of each.
TEST_F(FileSourceTest, ABacklogInOneFileLetsTheOthersBeRead) {
  {
    std::ofstream big(path("a.log"));
    for (int i = 0; i < 128 * 1024; ++i) big << "a" << std::string(126, 'x') << '\n';  // 16 MiB
  }
  write("b.log", "b1\nb2\n");
  std::stop_source stop;
  StoppingCounter counter(stop, 128 * 1024 + 2);  // every line read: stop
  FileSource source({.name = "m", .pattern = (folder_ / "*.log").string(), .start_at = StartAt::beginning}, counter,
                    health_, nullptr);
  source.run(stop.get_token());
  const std::vector<std::string>& order = counter.lines();
  ASSERT_EQ(order.size(), 128U * 1024 + 2);
  const auto first_b = std::find(order.begin(), order.end(), "b") - order.begin();
  const auto last_a = order.rend() - std::find(order.rbegin(), order.rend(), "a") - 1;
  EXPECT_LT(first_b, last_a) << "b.log waited for the whole backlog of a.log";
}

TEST_F(FileSourceTest, ResumesFromTheCheckpointedPosition) {
  const std::string log = (folder_ / "mail.log").string();
  write("mail.log", "one\ntwo\n");
  CheckpointStore store((folder_ / "checkpoint").string());
  {
    FileSource source({.name = "m", .pattern = log, .start_at = StartAt::beginning}, collect_, health_, &store);
    std::jthread thread([&](std::stop_token stop) { source.run(stop); });
    ASSERT_TRUE(eventually([&] { return collect_.snapshot().size() == 2; }));
    ASSERT_TRUE(eventually([&] { return store.file("m:" + log).has_value() && store.file("m:" + log)->offset == 8; }));
  }
  write("mail.log", "three\npartial");
  Collect second;
  FileSource resumed({.name = "m", .pattern = log, .start_at = StartAt::checkpoint}, second, health_, &store);
  std::jthread thread([&](std::stop_token stop) { resumed.run(stop); });
  ASSERT_TRUE(eventually([&] { return second.snapshot().size() == 1; }));
  EXPECT_EQ(second.snapshot(), std::vector<std::string>{"three"});
  // The partial last line is not part of the checkpointed position.
  ASSERT_TRUE(eventually([&] { return store.file("m:" + log)->offset == 14; }));
}

TEST_F(FileSourceTest, ResumesInTheRotatedFileFirst) {
  const std::string log = (folder_ / "mail.log").string();
  write("mail.log", "one\n");
  CheckpointStore store((folder_ / "checkpoint").string());
  {
    FileSource source({.name = "m", .pattern = log, .start_at = StartAt::beginning}, collect_, health_, &store);
    std::jthread thread([&](std::stop_token stop) { source.run(stop); });
    ASSERT_TRUE(eventually([&] { return store.file("m:" + log).has_value() && store.file("m:" + log)->offset == 4; }));
  }
  // While the agent is down: more lines, then a rotation, then a new file.
  write("mail.log", "two\n");
  std::filesystem::rename(log, log + ".1");
  write("mail.log", "three\n");
  Collect second;
  FileSource resumed({.name = "m", .pattern = log, .start_at = StartAt::checkpoint}, second, health_, &store);
  std::jthread thread([&](std::stop_token stop) { resumed.run(stop); });
  ASSERT_TRUE(eventually([&] { return second.snapshot().size() == 2; }));
  EXPECT_EQ(second.snapshot(), (std::vector<std::string>{"two", "three"}));
}

// Issue 16 item 5: copytruncate while the agent is down and behind. The checkpoint's first bytes find the
// copy; its unread end is read, then the truncated file from its start: every line once.
TEST_F(FileSourceTest, ACopyTruncateWhileDownLosesNothingLogrotateKept) {
  const std::string log = (folder_ / "mail.log").string();
  write("mail.log", "one\n");
  CheckpointStore store((folder_ / "checkpoint").string());
  {
    FileSource source({.name = "m", .pattern = log, .start_at = StartAt::beginning}, collect_, health_, &store);
    std::jthread thread([&](std::stop_token stop) { source.run(stop); });
    ASSERT_TRUE(eventually([&] { return store.file("m:" + log).has_value() && store.file("m:" + log)->offset == 4; }));
  }
  write("mail.log", "two\nthree\n");
  std::filesystem::copy_file(log, log + ".1");
  std::filesystem::resize_file(log, 0);
  write("mail.log", "four\nfive and more than was read\n");
  Collect second;
  FileSource resumed({.name = "m", .pattern = log, .start_at = StartAt::checkpoint}, second, health_, &store);
  std::jthread thread([&](std::stop_token stop) { resumed.run(stop); });
  ASSERT_TRUE(eventually([&] { return second.snapshot().size() == 4; }));
  EXPECT_EQ(second.snapshot(), (std::vector<std::string>{"two", "three", "four", "five and more than was read"}));
}

// A renamed file whose writer has not reopened the path yet is in the checkpoint beside the new file: a
// restart reads what the writer appended to it meanwhile, and the new file from where it was.
TEST_F(FileSourceTest, ARestartResumesTheRenamedFileTheWriterStillWritesTo) {
  const std::string log = (folder_ / "mail.log").string();
  write("mail.log", "one\n");
  CheckpointStore store((folder_ / "checkpoint").string());
  {
    FileSourceOptions options{.name = "m", .pattern = log, .start_at = StartAt::beginning};
    options.rotate_wait = std::chrono::hours(1);  // the renamed file is still read when the source stops
    FileSource source(options, collect_, health_, &store);
    std::jthread thread([&](std::stop_token stop) { source.run(stop); });
    ASSERT_TRUE(eventually([&] { return collect_.snapshot().size() == 1; }));
    std::filesystem::rename(log, log + ".1");
    write("mail.log", "new one\n");
    ASSERT_TRUE(eventually([&] { return collect_.snapshot().size() == 2 && store.file("m:" + log + "#rotated1"); }));
  }
  std::ofstream(log + ".1", std::ios::app) << "old two\n";  // the writer had not reopened yet
  write("mail.log", "new two\n");
  Collect second;
  FileSource resumed({.name = "m", .pattern = log, .start_at = StartAt::checkpoint}, second, health_, &store);
  std::jthread thread([&](std::stop_token stop) { resumed.run(stop); });
  ASSERT_TRUE(eventually([&] { return second.snapshot().size() == 2; }));
  EXPECT_EQ(second.snapshot(), (std::vector<std::string>{"old two", "new two"}));
}

// Kubernetes CRI splits a long line into partial records (tag P). A checkpoint taken while the decoder
// holds some points before them, so a restart joins the line whole instead of losing its start.
TEST_F(FileSourceTest, PartialContainerRecordsAreNotBehindTheCheckpoint) {
  const std::string log = (folder_ / "pod.log").string();
  write("pod.log", "2026-12-06T10:00:00.000000000Z stdout F first\n2026-12-06T10:00:01.000000000Z stdout P begin-");
  write("pod.log", "\n");
  CheckpointStore store((folder_ / "checkpoint").string());
  const FileSourceOptions options{
      .name = "k", .pattern = log, .start_at = StartAt::beginning, .format = LogFormat::cri};
  {
    FileSource source(options, collect_, health_, &store);
    std::jthread thread([&](std::stop_token stop) { source.run(stop); });
    ASSERT_TRUE(eventually([&] { return collect_.snapshot().size() == 1 && store.file("k:" + log); }));
    ASSERT_TRUE(eventually([&] { return store.file("k:" + log)->offset == 46; }));  // the start of the P record
  }
  write("pod.log", "2026-12-06T10:00:01.000000000Z stdout F end\n");
  Collect second;
  FileSourceOptions resume = options;
  resume.start_at = StartAt::checkpoint;
  FileSource resumed(resume, second, health_, &store);
  std::jthread thread([&](std::stop_token stop) { resumed.run(stop); });
  ASSERT_TRUE(eventually([&] { return second.snapshot().size() == 1; }));
  EXPECT_EQ(second.snapshot(), std::vector<std::string>{"begin-end"});
}

TEST_F(FileSourceTest, AFifoIsRefusedAndSaysWhyOnReady) {
  const std::string fifo = (folder_ / "mail.log").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  FileSource source({.name = "m", .pattern = fifo, .start_at = StartAt::beginning}, collect_, health_, nullptr);
  std::jthread thread([&](std::stop_token stop) { source.run(stop); });
  ASSERT_TRUE(eventually([&] { return !source.not_ready_reason().empty(); }));
  EXPECT_FALSE(source.ready());
  EXPECT_EQ(source.not_ready_reason(), fifo + ": a FIFO, not a regular file: not read");
}

TEST_F(FileSourceTest, AGlobPassesOverAFifo) {
  write("a.log", "a1\n");
  ASSERT_EQ(::mkfifo(path("b.log").c_str(), 0644), 0);
  FileSource source({.name = "m", .pattern = (folder_ / "*.log").string(), .start_at = StartAt::beginning}, collect_,
                    health_, nullptr);
  std::jthread thread([&](std::stop_token stop) { source.run(stop); });
  ASSERT_TRUE(eventually([&] { return collect_.snapshot().size() == 1; }));
  ASSERT_TRUE(eventually([&] { return source.ready(); }));
  EXPECT_EQ(source.not_ready_reason(), "");
}

// Two sources reaching one file (a path and a glob) count its lines once; both are ready.
TEST_F(FileSourceTest, TwoSourcesOfOneFileReadItOnce) {
  write("mail.log", "one\n");
  FileSource by_path({.name = "path", .pattern = path("mail.log"), .start_at = StartAt::beginning}, collect_, health_,
                     nullptr);
  by_path.prepare();
  FileSource by_glob({.name = "glob", .pattern = (folder_ / "*.log").string(), .start_at = StartAt::beginning},
                     collect_, health_, nullptr);
  by_glob.prepare();
  std::jthread first([&](std::stop_token stop) { by_path.run(stop); });
  std::jthread second([&](std::stop_token stop) { by_glob.run(stop); });
  ASSERT_TRUE(eventually([&] { return collect_.snapshot().size() == 1; }));
  write("mail.log", "two\n");
  ASSERT_TRUE(eventually([&] { return collect_.snapshot().size() == 2; }));
  ASSERT_TRUE(eventually([&] { return by_path.ready() && by_glob.ready(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // both have polled again by now
  EXPECT_EQ(collect_.snapshot(), (std::vector<std::string>{"one", "two"}));
}

}  // namespace
}  // namespace mta
