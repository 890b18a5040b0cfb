#include "source/readiness.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "source/file_source.hpp"

namespace mta {
namespace {

std::string user_name(uid_t uid) {
  const passwd* entry = ::getpwuid(uid);
  return entry != nullptr ? entry->pw_name : std::to_string(uid);
}

std::string group_name(gid_t gid) {
  const group* entry = ::getgrgid(gid);
  return entry != nullptr ? entry->gr_name : std::to_string(gid);
}

// "owner root:adm, mode 0640": what an admin compares with the service user's groups.
std::string ownership(const struct stat& status) {
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.st_mode & 07777));
  return "owner " + user_name(status.st_uid) + ":" + group_name(status.st_gid) + ", mode " + mode;
}

std::string this_user() { return "this user (" + user_name(::geteuid()) + ")"; }

Readiness one_file(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    if (errno == ENOENT) return {false, path + " does not exist yet: the agent waits for it"};
    return {false, path + ": " + std::strerror(errno)};
  }
  if (!S_ISREG(status.st_mode)) return {false, path + " is not a regular file: the agent refuses it"};
  if (::access(path.c_str(), R_OK) != 0) {
    const std::string error = std::strerror(errno);
    return {false, path + " is not readable by " + this_user() + ": " + error + " (" + ownership(status) + ")"};
  }
  return {true, path + " is readable"};
}

// The system journal files of this machine that exist, persistent and volatile.
std::vector<std::string> system_journal_files() {
  std::vector<std::string> files;
  sd_id128_t machine{};
  if (sd_id128_get_machine(&machine) < 0) return files;
  char id[SD_ID128_STRING_MAX];
  sd_id128_to_string(machine, id);
  for (const char* root : {"/var/log/journal/", "/run/log/journal/"}) {
    const std::string file = std::string(root) + id + "/system.journal";
    std::error_code error;
    if (std::filesystem::exists(file, error)) files.push_back(file);
  }
  return files;
}

}  // namespace

Readiness file_readiness(const std::string& pattern) {
  const std::vector<std::string> files = log_files_of(pattern);
  if (files.size() == 1 && files.front() == pattern) return one_file(pattern);
  if (files.empty()) return {false, "no file matches " + pattern + " yet: the agent looks again every 2 s"};
  for (const std::string& file : files) {
    if (Readiness readiness = one_file(file); !readiness.ready) return readiness;
  }
  return {true, std::to_string(files.size()) + " file(s) match " + pattern + ", all readable"};
}

Readiness journal_readiness(const std::string& directory) {
  sd_journal* journal = nullptr;
  const int opened = directory.empty() ? sd_journal_open(&journal, SD_JOURNAL_LOCAL_ONLY)
                                       : sd_journal_open_directory(&journal, directory.c_str(), 0);
  if (opened < 0) {
    return {false, "cannot open the journal" + (directory.empty() ? std::string() : " in " + directory) + ": " +
                       std::strerror(-opened)};
  }
  // The files sd-journal could open: none when this user may read none of them.
  std::uint64_t bytes = 0;
  const bool any_files = sd_journal_get_usage(journal, &bytes) >= 0 && bytes > 0;
  sd_journal_close(journal);
  if (!directory.empty()) {
    if (!any_files) return {false, "no journal files readable by " + this_user() + " in " + directory};
    return {true, "the journal files in " + directory + " are readable"};
  }
  // Without the right groups sd-journal opens only the user's own journal, and the system's stays unread.
  for (const std::string& file : system_journal_files()) {
    if (::access(file.c_str(), R_OK) != 0) {
      const std::string error = std::strerror(errno);
      struct stat status {};
      ::stat(file.c_str(), &status);
      return {false, "the system journal is not readable by " + this_user() + ": " + file + ": " + error + " (" +
                         ownership(status) + "); add the user to the group systemd-journal or adm"};
    }
  }
  if (!any_files) return {false, "no journal files readable by " + this_user() + " (is systemd-journald running?)"};
  return {true, "the system journal is readable"};
}

Readiness unix_socket_readiness(const std::string& path) {
  const std::string folder = std::filesystem::path(path).parent_path().string();
  struct stat status {};
  if (::stat(folder.c_str(), &status) != 0) {
    return {false, folder + ": " + std::strerror(errno) + ": the socket " + path + " cannot be created"};
  }
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    const std::string error = std::strerror(errno);
    return {false,
            this_user() + " may not create " + path + ": " + folder + ": " + error + " (" + ownership(status) + ")"};
  }
  return {true, path + " can be created"};
}

}  // namespace mta
