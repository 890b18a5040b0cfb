#include "source/checkpoint.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/temp_folder.hpp"

namespace mta {
namespace {

class CheckpointTest : public test::TempFolderTest {
 protected:
  CheckpointTest() : TempFolderTest("mta_checkpoint_test") {}
};

TEST_F(CheckpointTest, SavesAndLoadsFilesAndCursors) {
  FilePosition position{.device = 2049, .inode = 123456, .fingerprint = 99, .fingerprint_length = 1024, .offset = 777};
  {
    CheckpointStore store(path("checkpoint"));
    store.set_file("mail:/var/log/mail.log", position);
    store.set_cursor("journal", "s=abc;i=1;b=def");
    ASSERT_TRUE(store.save());
  }
  EXPECT_FALSE(std::filesystem::exists(path("checkpoint.tmp")));
  const CheckpointStore loaded(path("checkpoint"));
  ASSERT_TRUE(loaded.file("mail:/var/log/mail.log").has_value());
  EXPECT_EQ(*loaded.file("mail:/var/log/mail.log"), position);
  EXPECT_EQ(loaded.cursor("journal"), "s=abc;i=1;b=def");
  EXPECT_FALSE(loaded.file("other").has_value());
}

TEST_F(CheckpointTest, DamagedLinesAreIgnored) {
  std::ofstream(path("checkpoint")) << "file\tgood\t1\t2\t3\t4\t5\nfile\tbad\tnot-a-number\nwhat\tever\n\n";
  const CheckpointStore store(path("checkpoint"));
  EXPECT_TRUE(store.file("good").has_value());
  EXPECT_FALSE(store.file("bad").has_value());
}

TEST_F(CheckpointTest, UnwritableFolderIsReportedNotFatal) {
  CheckpointStore store(path("missing/folder/checkpoint"));
  store.set_cursor("journal", "c");
  EXPECT_FALSE(store.save());
}

TEST_F(CheckpointTest, FingerprintCoversTheFirstBytes) {
  std::ofstream(path("log")) << std::string(2000, 'a');
  const int fd = ::open(path("log").c_str(), O_RDONLY);
  std::uint32_t length = CheckpointStore::kFingerprintBytes;
  const std::uint64_t first = file_fingerprint(fd, length);
  EXPECT_EQ(length, CheckpointStore::kFingerprintBytes);
  std::uint32_t shorter = 10;
  EXPECT_NE(file_fingerprint(fd, shorter), first);
  EXPECT_EQ(shorter, 10u);
  ::close(fd);
}

}  // namespace
}  // namespace mta
