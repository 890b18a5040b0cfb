#pragma once
// A file source: one path or a glob ("/var/log/mail*.log"; rotated and compressed archives are left
// out), each matching file followed by its own FileFollower, woken by inotify with polling as the
// fallback, positions published to the checkpoint store, container log formats decoded.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "framing/container_log.hpp"
#include "metrics/source_metrics.hpp"
#include "source/checkpoint.hpp"
#include "source/file_follower.hpp"
#include "source/source.hpp"
#include "source/start_at.hpp"

namespace mta {

struct FileSourceOptions {
  std::string name;
  std::string pattern;
  StartAt start_at = StartAt::end;
  std::size_t max_line_length = 64 * 1024;
  LogFormat format = LogFormat::plain;
  std::chrono::milliseconds poll_interval{250};
  std::chrono::milliseconds rescan_interval{2000};
  std::chrono::milliseconds rotate_wait{std::chrono::seconds(5)};  // see FileFollowerOptions
  bool resume = false;  // continue files the store knows (a restart after a reload), whatever start_at says
};

// The checkpoint keys of a file source are "<source>:<path>" for each followed file, and
// "<source>:<path>#rotated<N>" or "#copy<N>" for its rotated files still being read (renamed, or copied
// by copytruncate). The path a key's part after "<source>:" is about:
std::string_view checkpoint_key_path(std::string_view key_tail);

// True for names a rotation leaves behind: "mail.log.1", "mail.log-20261124", "mail.log.2.gz".
bool is_rotated_archive(std::string_view file_name);

// The log files a source's path names: the path itself, or the regular files a glob matches that are no
// rotated archive.
std::vector<std::string> log_files_of(const std::string& pattern);

class FileSource final : public Source {
 public:
  FileSource(FileSourceOptions options, LineHandler& handler, SourceHealth& health, CheckpointStore* checkpoints);
  ~FileSource() override;

  // Decides which files exist and where each starts before the agent reports itself started, so that
  // a line written just after start is read, not skipped as history.
  void prepare() override { open_at_start(); }
  void run(std::stop_token stop) override;
  bool ready() const override { return ready_.load(); }
  std::string not_ready_reason() const override;

 private:
  // The checkpoint key of a rotated file still being read: the index-th, renamed or a copy.
  struct RotatedKey {
    std::string key;
    std::size_t index;
    bool copy;
  };
  struct Followed {
    std::unique_ptr<ContainerLogDecoder> decoder;
    std::unique_ptr<FileFollower> follower;
    std::uint64_t bytes = 0;
    std::uint64_t rotations = 0;
    std::uint64_t truncations = 0;
    std::uint64_t too_long = 0;
    int rescans_missing = 0;  // rescans that found the path gone
    std::string checkpoint_key;
    std::vector<RotatedKey> rotated_keys;
  };

  void open_at_start();
  void rescan(bool at_start);
  void forget_deleted(const std::vector<std::string>& matches);
  // One pass over the files, at most kPassBytes from each, so that one long catch-up leaves time for the
  // others, for publishing positions and for a stop. True when a file has more to read at once.
  bool poll_all(std::stop_token stop);
  void publish(Followed& followed);
  ResumePoint resume_point(const std::string& key) const;
  static std::vector<RotatedKey> rotated_keys(const std::string& key);
  void wait_for_change(std::stop_token stop);
  std::string checkpoint_key(const std::string& path) const { return options_.name + ":" + path; }

  FileSourceOptions options_;
  LineHandler& handler_;
  SourceHealth& health_;
  CheckpointStore* checkpoints_;
  std::map<std::string, Followed> files_;
  std::atomic<bool> ready_{false};
  mutable std::mutex not_ready_mutex_;
  std::string not_ready_reason_;  // guarded by not_ready_mutex_: /-/ready reads it from a web thread
  int inotify_fd_ = -1;
  std::map<std::string, int> watched_folders_;
  std::chrono::steady_clock::time_point last_rescan_;
  bool opened_at_start_ = false;
};

}  // namespace mta
