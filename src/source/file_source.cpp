#include "source/file_source.hpp"

#include <glob.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>

#include "source/interruptible_sleep.hpp"

namespace mta {
namespace {

bool has_glob_characters(std::string_view pattern) { return pattern.find_first_of("*?[") != std::string_view::npos; }

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

constexpr std::string_view kRenamedKeyMark = "#rotated";
constexpr std::string_view kCopyKeyMark = "#copy";

}  // namespace

std::string_view checkpoint_key_path(std::string_view key_tail) {
  const std::size_t mark = key_tail.rfind('#');
  if (mark == std::string_view::npos) return key_tail;
  const std::string_view suffix = key_tail.substr(mark);
  for (const std::string_view kind : {kRenamedKeyMark, kCopyKeyMark}) {
    if (suffix.starts_with(kind) && all_digits(suffix.substr(kind.size()))) return key_tail.substr(0, mark);
  }
  return key_tail;
}

std::vector<FileSource::RotatedKey> FileSource::rotated_keys(const std::string& key) {
  std::vector<RotatedKey> keys;
  for (std::size_t index = 0; index < FileFollower::kMaxRotated; ++index) {
    for (const bool copy : {false, true}) {
      keys.push_back(
          {key + std::string(copy ? kCopyKeyMark : kRenamedKeyMark) + std::to_string(index + 1), index, copy});
    }
  }
  return keys;
}

bool is_rotated_archive(std::string_view file_name) {
  for (std::string_view suffix : {".gz", ".bz2", ".xz", ".zst", ".lz4", ".Z", ".zip", ".old"}) {
    if (file_name.ends_with(suffix)) return true;
  }
  const std::size_t dot = file_name.rfind('.');
  if (dot != std::string_view::npos && all_digits(file_name.substr(dot + 1))) return true;  // mail.log.1
  // A date anywhere after the base name: mail.log-20261124, mail.log-2026-11-24, mail-20261124.log.
  std::size_t digits = 0;
  for (char c : file_name) {
    digits = c >= '0' && c <= '9' ? digits + 1 : (c == '-' && digits > 0 ? digits : 0);
    if (digits >= 8) return true;
  }
  return false;
}

FileSource::FileSource(FileSourceOptions options, LineHandler& handler, SourceHealth& health,
                       CheckpointStore* checkpoints)
    : options_(std::move(options)), handler_(handler), health_(health), checkpoints_(checkpoints) {
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) spdlog::info("msg=\"inotify unavailable, polling\" source={}", options_.name);
}

std::vector<std::string> log_files_of(const std::string& pattern) {
  if (!has_glob_characters(pattern)) return {pattern};
  std::vector<std::string> paths;
  glob_t matches{};
  if (::glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
    for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
      const std::string path = matches.gl_pathv[i];
      // A FIFO or device a glob happens to match is not a log file (a path named alone is refused, loudly).
      std::error_code error;
      if (!is_rotated_archive(std::filesystem::path(path).filename().string()) &&
          std::filesystem::is_regular_file(path, error)) {
        paths.push_back(path);
      }
    }
  }
  ::globfree(&matches);
  return paths;
}

FileSource::~FileSource() {
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
}

void FileSource::rescan(bool at_start) {
  last_rescan_ = std::chrono::steady_clock::now();
  const std::vector<std::string> paths = log_files_of(options_.pattern);
  if (!at_start) forget_deleted(paths);
  for (const std::string& path : paths) {
    if (files_.contains(path)) continue;
    FileFollowerOptions follower;
    follower.path = path;
    follower.max_line_length = options_.max_line_length;
    follower.rotate_wait = options_.rotate_wait;
    // Files found after start are new: read them whole.
    follower.from_beginning = !at_start || options_.start_at == StartAt::beginning;
    if ((options_.start_at == StartAt::checkpoint || options_.resume) && checkpoints_ != nullptr) {
      follower.resume = [this, key = checkpoint_key(path)] { return resume_point(key); };
    }
    follower.claims = &FileClaims::process();
    follower.reader_name = "source " + options_.name;
    Followed followed;
    followed.checkpoint_key = checkpoint_key(path);
    followed.rotated_keys = rotated_keys(followed.checkpoint_key);
    followed.decoder = std::make_unique<ContainerLogDecoder>(options_.format, handler_, options_.max_line_length);
    followed.follower = std::make_unique<FileFollower>(follower, *followed.decoder);
    files_.emplace(path, std::move(followed));
    if (!at_start) spdlog::info("msg=\"following new file\" source={} path={}", options_.name, path);
    const std::string folder = std::filesystem::path(path).parent_path().string();
    if (inotify_fd_ >= 0 && !watched_folders_.contains(folder)) {
      const int watch = ::inotify_add_watch(
          inotify_fd_, folder.empty() ? "." : folder.c_str(),
          IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB);
      if (watch >= 0) watched_folders_.emplace(folder, watch);
    }
  }
}

// A glob match that is gone for good (a container's log after the container): read it to its end,
// then close it and drop its checkpoint entry, so that handles and state do not grow without bound.
// Two rescans in a row must miss it, so a rotation's short gap between rename and create is not mistaken.
void FileSource::forget_deleted(const std::vector<std::string>& matches) {
  for (auto it = files_.begin(); it != files_.end();) {
    const bool matched = std::find(matches.begin(), matches.end(), it->first) != matches.end();
    std::error_code error;
    if (matched || std::filesystem::exists(it->first, error)) {
      it->second.rescans_missing = 0;
      ++it;
      continue;
    }
    if (++it->second.rescans_missing < 2) {
      ++it;
      continue;
    }
    while (it->second.follower->poll_once()) {
    }
    publish(it->second);
    if (checkpoints_ != nullptr) {
      checkpoints_->erase_file(it->second.checkpoint_key);
      for (const RotatedKey& rotated : it->second.rotated_keys) checkpoints_->erase_file(rotated.key);
    }
    spdlog::info("msg=\"log file gone, no longer followed\" source={} path={}", options_.name, it->first);
    it = files_.erase(it);
  }
}

void FileSource::publish(Followed& followed) {
  FileFollower& follower = *followed.follower;
  health_.add_bytes(follower.bytes_read() - followed.bytes);
  followed.bytes = follower.bytes_read();
  for (; followed.rotations < follower.rotations(); ++followed.rotations) health_.count_rotation();
  for (; followed.truncations < follower.truncations(); ++followed.truncations) health_.count_truncation();
  const std::uint64_t too_long = follower.lines_too_long() + followed.decoder->lines_too_long();
  health_.add_lines_too_long(too_long - followed.too_long);
  followed.too_long = too_long;
  if (checkpoints_ != nullptr) {
    // The followed file's entry goes while none is open (a rotation whose new file cannot be read yet):
    // the rotated entries say where the old one is.
    std::vector<std::pair<std::string, std::optional<FilePosition>>> entries;
    entries.emplace_back(followed.checkpoint_key, follower.position());
    const std::vector<RotatedPosition> rotated = follower.rotated_positions();
    for (const RotatedKey& key : followed.rotated_keys) {
      const bool here = key.index < rotated.size() && rotated[key.index].copy == key.copy;
      entries.emplace_back(key.key, here ? std::optional(rotated[key.index].position) : std::nullopt);
    }
    checkpoints_->update_files(entries);
  }
}

ResumePoint FileSource::resume_point(const std::string& key) const {
  ResumePoint point;
  point.file = checkpoints_->file(key);
  for (const RotatedKey& rotated_key : rotated_keys(key)) {
    if (std::optional<FilePosition> rotated = checkpoints_->file(rotated_key.key)) {
      point.rotated.push_back({*rotated, rotated_key.copy});
    }
  }
  return point;
}

std::string FileSource::not_ready_reason() const {
  std::lock_guard lock(not_ready_mutex_);
  return not_ready_reason_;
}

bool FileSource::poll_all(std::stop_token stop) {
  constexpr std::uint64_t kPassBytes = 4 * FileFollower::kPollBytes;
  bool more = false;
  std::string not_ready = files_.empty() ? options_.pattern + ": no file matches" : "";
  for (auto& [path, followed] : files_) {
    FileFollower& follower = *followed.follower;
    const std::uint64_t before = follower.bytes_read();
    bool read = false;
    while (follower.bytes_read() - before < kPassBytes && follower.poll_once()) {
      read = true;
      if (stop.stop_requested()) break;
    }
    if (read) health_.mark_line_now();
    more = more || (read && follower.bytes_read() - before >= kPassBytes);
    publish(followed);
    // A file another reader holds is read, by that one.
    if (!follower.is_open() && follower.read_by().empty()) {
      if (!not_ready.empty()) not_ready += "; ";
      not_ready += path + ": " + (follower.problem().empty() ? "not open" : follower.problem());
    }
  }
  ready_ = not_ready.empty();
  health_.set_up(not_ready.empty());
  std::lock_guard lock(not_ready_mutex_);
  not_ready_reason_ = std::move(not_ready);
  return more;
}

void FileSource::wait_for_change(std::stop_token stop) {
  if (inotify_fd_ < 0 || watched_folders_.empty()) {
    sleep_unless_stopped(stop, options_.poll_interval);
    return;
  }
  // inotify wakes us at once; the timeout still polls, for file systems that send no events.
  pollfd ready{inotify_fd_, POLLIN, 0};
  if (::poll(&ready, 1, static_cast<int>(options_.poll_interval.count())) > 0) {
    std::array<char, 16 * 1024> events;
    while (::read(inotify_fd_, events.data(), events.size()) > 0) {
    }
  }
}

void FileSource::open_at_start() {
  if (opened_at_start_) return;
  opened_at_start_ = true;
  rescan(true);
  for (auto& [path, followed] : files_) followed.follower->open_at_start();
}

void FileSource::run(std::stop_token stop) {
  open_at_start();
  while (!stop.stop_requested()) {
    const bool more = poll_all(stop);
    if (std::chrono::steady_clock::now() - last_rescan_ >= options_.rescan_interval &&
        has_glob_characters(options_.pattern)) {
      rescan(false);
    }
    if (!more) wait_for_change(stop);
  }
  // What arrived just before the stop (one bounded pass: a stop in a catch-up is not held up by the rest
  // of the backlog, which a restart reads from the checkpoint), and the final positions.
  poll_all(std::stop_token());
  health_.set_up(false);
}

}  // namespace mta
